"""Reading and judging httpd's error log.

A log line from Apache 2.4 looks like

    [Sun Nov 23 22:00:00.123456 2025] [python:error] [pid 12:tid 34] \
        [client 127.0.0.1:5555] MP0100: PythonHandler mod: ValueError: boom

Problems found in the lines a test added:

- crash: "Segmentation fault", "exit signal", AH00052 (child exit signal),
  AH00060 (parent noticed a crash), AH00045/AH00046 (child did not exit),
  "Fatal Python error", AddressSanitizer, "double free".  Never allowed.
- python: any [python:error|crit|alert|emerg] line, unless a pattern in the
  allowlist matches it.  The traceback lines that follow an allowed header
  line in the same pid/tid (without an MP code, or with the header's code)
  are allowed with it.
- stderr: unprefixed "Traceback (most recent call last)" or "Exception
  ignored in" text written straight to fd 2; allowlist applies.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

LINE_RE = re.compile(
    r"^\[(?P<ts>[^\]]*)\] \[(?P<module>[^:\]\s]*):(?P<level>[a-z0-9]+)\] "
    r"\[pid (?P<pid>\d+)(?::tid (?P<tid>\d+))?\]\s*(?:\[client [^\]]*\]\s*)?"
    r"(?P<msg>.*)$"
)
MP_CODE_RE = re.compile(r"\b(MP\d{4}):")

CRASH_PATTERNS = [
    re.compile(p)
    for p in (
        r"Segmentation fault",
        r"exit signal",
        r"AH00052",
        r"AH00060",
        r"AH00045",
        r"AH00046",
        r"Fatal Python error",
        r"AddressSanitizer",
        r"double free",
        r"core dumped",
    )
]
STDERR_PATTERNS = [
    re.compile(p)
    for p in (r"Traceback \(most recent call last\)", r"Exception ignored in")
]
PY_BAD_LEVELS = {"error", "crit", "alert", "emerg"}


@dataclass
class LogProblem:
    kind: str   # "crash", "python" or "stderr"
    line: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.line}"


@dataclass
class LogLine:
    raw: str
    module: str | None = None
    level: str | None = None
    pid: str | None = None
    tid: str | None = None
    msg: str = ""

    @classmethod
    def parse(cls, raw: str) -> LogLine:
        m = LINE_RE.match(raw)
        if not m:
            return cls(raw=raw, msg=raw)
        return cls(raw=raw, module=m["module"], level=m["level"], pid=m["pid"],
                   tid=m["tid"], msg=m["msg"])

    @property
    def code(self) -> str | None:
        m = MP_CODE_RE.search(self.msg)
        return m.group(1) if m else None


def _compile(patterns: list[str] | tuple[str, ...]) -> list[re.Pattern[str]]:
    return [re.compile(p) for p in patterns]


def find_problems(lines: list[str], allow: list[str] | tuple[str, ...] = ()) -> list[LogProblem]:
    allowed = _compile(allow)
    problems: list[LogProblem] = []
    # (pid, tid) -> MP code of the last allowed header line (or "" = none)
    continuation: dict[tuple[str | None, str | None], str] = {}
    for raw in lines:
        line = LogLine.parse(raw)
        if any(p.search(raw) for p in CRASH_PATTERNS):
            problems.append(LogProblem("crash", raw))
            continue
        if line.module is None:
            if any(p.search(raw) for p in STDERR_PATTERNS) and \
                    not any(p.search(raw) for p in allowed):
                problems.append(LogProblem("stderr", raw))
            continue
        if line.module != "python" or line.level not in PY_BAD_LEVELS:
            continue
        key = (line.pid, line.tid)
        if any(p.search(line.msg) or p.search(raw) for p in allowed):
            continuation[key] = line.code or ""
            continue
        if key in continuation and line.code in (None, continuation[key]):
            continue
        continuation.pop(key, None)
        problems.append(LogProblem("python", raw))
    return problems


class ErrorLog:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def offset(self) -> int:
        try:
            return self.path.stat().st_size
        except FileNotFoundError:
            return 0

    def read_from(self, offset: int = 0, end: int | None = None) -> list[str]:
        try:
            with open(self.path, "rb") as f:
                f.seek(offset)
                data = f.read() if end is None else f.read(max(0, end - offset))
        except FileNotFoundError:
            return []
        return data.decode("utf-8", errors="replace").splitlines()

    def text_from(self, offset: int = 0) -> str:
        return "\n".join(self.read_from(offset))

    def tail(self, n: int = 40) -> str:
        lines = self.read_from(0)
        return "\n".join(lines[-n:]) + ("\n" if lines else "")

    def wait_for(self, pattern: str, since: int = 0, timeout: float = 5.0) -> str | None:
        """First line after offset `since` matching pattern, polling until
        timeout; None if it never appears."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            for line in self.read_from(since):
                if rx.search(line):
                    return line
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.05)

    def problems(self, since: int = 0, allow: list[str] | tuple[str, ...] = ()) -> list[LogProblem]:
        return find_problems(self.read_from(since), allow)
