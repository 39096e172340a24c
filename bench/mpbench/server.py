"""One private Apache for one benchmark pass.

Reuses the test harness: TestEnv (where httpd, the modules and our
mod_python.so are), HttpdConf (the self-contained base config), ErrorLog
(crash and [python:error] detection) and free_port.  What differs from a
test server: no copy of test/htdocs (the scenario's handler directory from
bench/handlers/ instead), LogLevel warn, no access log, MPM tuning for 32
keep-alive connections, and the whole process tree pinned to one CPU.
"""

from __future__ import annotations

import copy
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from harness.conf import HttpdConf
from harness.env import TestEnv, free_port
from harness.errorlog import ErrorLog

BENCH_DIR = Path(__file__).resolve().parent.parent
HANDLERS = BENCH_DIR / "handlers"
LUA_DIR = BENCH_DIR / "lua"

CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024

# Identical for every implementation.  event: one child whose 32 workers
# serve the 32 connections; prefork: one process per connection.
MPM_TUNING = {
    "event": [
        "StartServers 1", "ServerLimit 1", "ThreadsPerChild 64",
        "ThreadLimit 64", "MaxRequestWorkers 64", "MinSpareThreads 1",
        "MaxSpareThreads 64", "MaxConnectionsPerChild 0",
    ],
    "worker": [
        "StartServers 1", "ServerLimit 1", "ThreadsPerChild 64",
        "ThreadLimit 64", "MaxRequestWorkers 64", "MinSpareThreads 1",
        "MaxSpareThreads 64", "MaxConnectionsPerChild 0",
    ],
    "prefork": [
        "StartServers 33", "MinSpareServers 33", "MaxSpareServers 40",
        "ServerLimit 40", "MaxRequestWorkers 40", "MaxConnectionsPerChild 0",
    ],
}
_DROP = {line.split()[0] for lines in MPM_TUNING.values() for line in lines} | {
    "CustomLog", "KeepAliveTimeout", "LogLevel"}

STATIC_BODY = b"Hello, World!"      # 13 bytes


class BenchConf(HttpdConf):
    """HttpdConf without mod_python's own lines, the test MPM tuning or the
    access log; the implementation adds its LoadModule lines itself."""

    tuning: list[str]

    def base_lines(self) -> list[str]:
        lines = [ln for ln in super().base_lines()
                 if not ln or ln.split()[0] not in _DROP]
        return lines + ["LogLevel warn", "KeepAliveTimeout 30", *self.tuning]


def ps_children(ppid: int) -> list[int]:
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == ppid:
            out.append(int(d))
    return out


def _stat_fields(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None


class BenchServer:
    def __init__(self, env: TestEnv, mpm: str, name: str,
                 work: Path | None = None,
                 tuning: list[str] | None = None) -> None:
        self.env = copy.copy(env)
        self.env.mpm = mpm
        self.mpm = mpm
        self.root = Path(tempfile.mkdtemp(prefix=f"mpbench-{name}-", dir=work))
        os.chmod(self.root, 0o755)
        for sub in ("conf", "logs", "run", "htdocs"):
            (self.root / sub).mkdir(mode=0o755)
        self.tmp = self.root / "tmp"
        self.tmp.mkdir()
        os.chmod(self.tmp, 0o1777)
        self.htdocs = self.root / "htdocs"
        self.write("__alive.txt", b"alive\n")
        self.write("static/hello.txt", STATIC_BODY)
        self.port = free_port()
        self.conf = BenchConf(root=self.root, port=self.port, env=self.env,
                              with_python=False, pkgdir=env.pkgdir,
                              log_level="warn")
        self.conf.tuning = tuning or MPM_TUNING[mpm]
        self.conf_file = self.root / "conf" / "httpd.conf"
        self.log = ErrorLog(self.root / "logs" / "error_log")
        self.proc: subprocess.Popen[bytes] | None = None
        self.check_headers: dict[str, str] = {}

    # -- files --------------------------------------------------------------

    def write(self, rel: str, data: bytes) -> Path:
        path = self.htdocs / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(path.parent, 0o755)
        path.write_bytes(data)
        os.chmod(path, 0o644)
        return path

    def copy_handlers(self, subdir: str) -> Path:
        dest = self.htdocs / subdir
        shutil.copytree(HANDLERS / subdir, dest, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        for dirpath, _dirs, files in os.walk(dest):
            os.chmod(dirpath, 0o755)
            for f in files:
                os.chmod(os.path.join(dirpath, f), 0o644)
        return dest

    # -- process control ------------------------------------------------------

    def httpd_env(self) -> dict[str, str]:
        """The harness's environment with a system PATH: 3.5 derives its
        Python home from `python3` on PATH (a pyenv build there breaks it)."""
        env = self.env.httpd_env()
        env["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        return env

    def launch(self, cpu: int | None = 0) -> None:
        """Start httpd (taskset -c CPU: every process inherits it)."""
        self.conf.write(self.conf_file)
        cmd = [self.env.httpd, "-f", str(self.conf_file), "-DFOREGROUND"]
        if cpu is not None:
            cmd = ["taskset", "-c", str(cpu), *cmd]
        out = open(self.root / "logs" / "stdout", "wb")
        self.proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL,
                                     env=self.httpd_env(),
                                     start_new_session=True)
        out.close()

    def start(self, cpu: int | None = 0, timeout: float = 60.0) -> None:
        self.launch(cpu)
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"httpd exited ({self.proc.returncode}):\n"
                                   + self.startup_output())
            try:
                status, body, _ = self.request("/__alive.txt", timeout=2)
                if status == 200 and body == b"alive\n":
                    break
            except OSError:
                pass
            time.sleep(0.02)
        else:
            self.stop()
            raise RuntimeError("httpd did not answer:\n" + self.startup_output())
        starts = [ln for ln in self.conf.tuning if ln.startswith("StartServers")]
        if self.mpm == "prefork" and starts:
            self.wait_children(int(starts[0].split()[1]))
        if cpu is not None:
            self.pin(cpu)

    def wait_children(self, n: int, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.children()) < n:
            time.sleep(0.05)

    def startup_output(self) -> str:
        p = self.root / "logs" / "stdout"
        return (p.read_text(errors="replace") if p.exists() else "") + \
            self.log.tail(30)

    def pin(self, cpu: int) -> None:
        """`taskset -a -p` on the parent and every child (new children
        inherit the parent's affinity)."""
        assert self.proc is not None
        for pid in [self.proc.pid, *self.children()]:
            subprocess.run(["taskset", "-a", "-p", "-c", str(cpu), str(pid)],
                           capture_output=True, check=False)

    def children(self) -> list[int]:
        assert self.proc is not None
        return ps_children(self.proc.pid)

    def cpu_ticks(self) -> int:
        """utime+stime of the parent and its live children, plus the
        parent's cutime+cstime (children that exited and were reaped)."""
        assert self.proc is not None
        f = _stat_fields(self.proc.pid)
        total = 0
        if f:
            total += sum(int(x) for x in f[11:15])   # utime stime cutime cstime
        for pid in self.children():
            cf = _stat_fields(pid)
            if cf:
                total += int(cf[11]) + int(cf[12])
        return total

    def children_rss_kb(self) -> int:
        total = 0
        for pid in self.children():
            try:
                with open(f"/proc/{pid}/statm") as f:
                    total += int(f.read().split()[1]) * PAGE_KB
            except OSError:
                pass
        return total

    def touch_children(self, path: str, *, method: str = "GET", body: bytes = b"",
                       headers: dict[str, str] | None = None) -> int:
        """prefork: one request to every child.  As many keep-alive
        connections as there are children each send a request and stay
        open until every answer is in, so each is held by a different
        child (a timed warm-up leaves some children cold: 3.5 starts a
        child's interpreter on its first request)."""
        import http.client

        conns = []
        for _ in self.children():
            c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            c.request(method, path, body=body or None, headers=headers or {})
            conns.append(c)
        ok = 0
        for c in conns:
            r = c.getresponse()
            r.read()
            ok += r.status == 200
        for c in conns:
            c.close()
        return ok

    def graceful(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGUSR1)

    def stop(self) -> None:
        if self.proc is None:
            return
        subprocess.run([self.env.httpd, "-f", str(self.conf_file), "-k", "stop"],
                       capture_output=True, check=False, timeout=30,
                       env=self.httpd_env())
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            for sig in (signal.SIGTERM, signal.SIGKILL):
                try:
                    os.killpg(self.proc.pid, sig)
                    self.proc.wait(timeout=10)
                    break
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    continue
        self.proc = None

    def cleanup(self, keep: bool = False) -> None:
        self.stop()
        if not keep:
            shutil.rmtree(self.root, ignore_errors=True)

    def problems(self, allow: tuple[str, ...] = (),
                 tolerate: tuple[str, ...] = ()) -> tuple[list[str], list[str]]:
        """(problems, tolerated lines): lines matching a `tolerate` regex are
        taken out before the harness judges the log (even crash patterns
        such as AH00045), and returned so that the report can mention them."""
        from harness.errorlog import find_problems
        rx = [re.compile(p) for p in tolerate]
        lines, tolerated = [], []
        for line in self.log.read_from(0):
            (tolerated if any(r.search(line) for r in rx) else lines).append(line)
        return [str(p) for p in find_problems(lines, allow)], tolerated

    # -- a tiny HTTP/1.1 client ------------------------------------------------

    def request(self, path: str, *, method: str = "GET", body: bytes = b"",
                headers: dict[str, str] | None = None,
                timeout: float = 10.0) -> tuple[int, bytes, dict[str, str]]:
        return http_request(self.port, path, method=method, body=body,
                            headers=headers, timeout=timeout)


def http_request(port: int, path: str, *, method: str = "GET",
                 body: bytes = b"", headers: dict[str, str] | None = None,
                 timeout: float = 10.0,
                 sock: socket.socket | None = None) -> tuple[int, bytes, dict[str, str]]:
    """One request on a new connection (or on `sock`); Connection: close."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    if sock is not None:
        conn.sock = sock
    hdrs = {"Connection": "close", **(headers or {})}
    conn.request(method, path, body=body or None, headers=hdrs)
    resp = conn.getresponse()
    data = resp.read()
    out = {k.lower(): v for k, v in resp.getheaders()}
    if "set-cookie" in out:
        out["set-cookie"] = ", ".join(v for k, v in resp.getheaders()
                                      if k.lower() == "set-cookie")
    conn.close()
    return resp.status, data, out
