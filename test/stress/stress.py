#!/usr/bin/env python3
"""make stress: mixed load through restarts, recycling and wedged handlers.

For each MPM (event, worker, prefork by default) the driver builds a private
server root with test/harness (HttpdServer, loopback only), copies
test/stress/htdocs into it and runs two phases with 64 keep-alive client
connections (each closes after 1-30 requests):

steady  no restart, no recycling.  Each child's RSS is sampled every
        second; growth is measured from the end of the warm-up (the first
        10% of the phase's requests, or WARM_PER_CHILD requests per child
        when that is more) to the end of the phase.
churn   MaxConnectionsPerChild 200 (a graceful restart loads it), then four
        more graceful restarts spread over the phase, one hard restart
        (`-k restart`) at 80% and a stop (`-k stop`) at the end, with the
        load still running.  Two more clients keep a hanging handler
        (sleep) and a spinning handler (Python busy loop) busy throughout.

The mix: hello, API-heavy, form POST, multipart upload, FileSession
counter, static file through a Python output filter, publisher, WSGI (GET
and POST) and a handler that writes and flushes 1000 times.  Every body is
checked exactly.

Counted per scenario: requests, restarts, failed (a wrong status or body, or
a connection error outside a hard restart/stop window), cut (connection
errors inside such a window), retried (a reused keep-alive connection the
server had closed before reading the request; resent once on a new
connection, as HTTP clients do), crashes and aborts from the error log
(`exit signal`, `Fatal Python`, SIGKILLed children, sanitizer reports),
tracebacks and Python error lines, and the RSS growth.

Targets checked (exit status 1 when one is missed): 0 crashes and aborts,
0 failed, 0 wrong bodies, 0 tracebacks; and in the full form, RSS growth
under 2 MiB per child over the steady phase (100k requests).

    python3 test/stress/stress.py --form short            # CI, ~2-3 min
    python3 test/stress/stress.py --form full             # 100k + 50k per MPM
    python3 test/stress/stress.py --mpm event --steady 20000 --churn 20000
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import http.client
import json
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from harness import conf as harness_conf  # noqa: E402
from harness import env as harness_env  # noqa: E402
from harness.env import HttpdServer, TestEnv  # noqa: E402

CONNECTIONS = 64
RSS_LIMIT_KIB = 2048
# A child is warm once it has served every kind of the mix often enough to
# have imported what each one uses: prefork's 80 children need a few hundred
# requests each, more than 10% of the phase.
WARM_PER_CHILD = 250

FORMS = {
    # steady requests, churn requests, time limit per MPM (seconds)
    "short": (3000, 4000, 150),
    "full": (100000, 50000, 900),
}

TUNING = {
    "event": ["StartServers 3", "ServerLimit 3", "ThreadsPerChild 32",
              "ThreadLimit 32", "MaxRequestWorkers 96", "MinSpareThreads 1",
              "MaxSpareThreads 96", "AsyncRequestWorkerFactor 2"],
    "worker": ["StartServers 3", "ServerLimit 3", "ThreadsPerChild 32",
               "ThreadLimit 32", "MaxRequestWorkers 96", "MinSpareThreads 1",
               "MaxSpareThreads 96"],
    "prefork": ["StartServers 72", "MinSpareServers 72", "MaxSpareServers 80",
                "ServerLimit 80", "MaxRequestWorkers 80"],
}

# Error-log patterns, by what they mean.
LOG_PATTERNS = {
    "crash": re.compile(r"exit signal|Segmentation fault|AH00052|AH00060|core dumped"),
    "abort": re.compile(r"Fatal Python error|Aborted|SIGABRT|abort\(\)"),
    "killed": re.compile(r"AH00046|sending a SIGKILL"),
    "sanitizer": re.compile(r"AddressSanitizer|runtime error:|LeakSanitizer"),
    # an error-level traceback (a handler failed); tracebacks logged at info
    # with MP0108 are clients that went away, counted as client_gone
    "traceback": re.compile(r"\[python:(error|crit|alert|emerg)\].*"
                            r"Traceback \(most recent call last\)"),
    "python_error": re.compile(r"\[python:(error|crit|alert|emerg)\].*MP\d{4}"),
    # reported, not failures: httpd's escalation for a child still busy in
    # a wedged handler at a hard restart/stop, clients gone mid-response
    "escalated": re.compile(r"AH00045"),
    "client_gone": re.compile(r"MP0108: .*client closed connection"),
}
FAILING = ("crash", "abort", "killed", "sanitizer", "traceback", "python_error")
TS_RE = re.compile(r"^\[(\w{3} \w{3} \d\d \d\d:\d\d:\d\d\.\d+ \d{4})\]")


def log_time(line: str) -> float | None:
    m = TS_RE.match(line)
    if not m:
        return None
    return datetime.datetime.strptime(m.group(1), "%a %b %d %H:%M:%S.%f %Y").timestamp()


@dataclass
class Result:
    scenario: str
    mpm: str
    requests: int = 0
    ok: int = 0
    restarts_graceful: int = 0
    restarts_hard: int = 0
    stops: int = 0
    failed: int = 0
    wrong_body: int = 0
    cut: int = 0
    retried: int = 0
    wedged_done: int = 0
    wedged_cut: int = 0
    log: dict[str, int] = field(default_factory=dict)
    children: int = 0
    rss_growth_kib: int = 0
    rss_requests_per_child: int = 0
    # the RSS (KiB) of the child that grew most, at ten points of the
    # steady phase: (requests answered by all children so far, KiB)
    rss_curve: list[tuple[int, int]] = field(default_factory=list)
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)
    passed: bool = False
    notes: list[str] = field(default_factory=list)


# ----------------------------------------------------------------- the mix

def _multipart(data: bytes) -> tuple[bytes, str]:
    boundary = "stressb" + hashlib.md5(data).hexdigest()[:12]
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"f.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            ).encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


FLUSH_BODY = "".join(f"line {i}\n" for i in range(1000))
FILTERED: str = ""   # set once the htdocs file is read


def make_request(kind: str, rnd: random.Random, k: str) -> tuple[str, str, bytes | None,
                                                                 dict[str, str], str | None]:
    """(method, path, body, headers, expected body or None for session)."""
    if kind == "hello":
        return "GET", f"/stress/hello?{k}", None, {}, f"hello {k}"
    if kind == "api":
        h = hashlib.sha1((k * 20).encode()).hexdigest()
        return "GET", f"/stress/api?{k}", None, {"X-Key": k}, f"api {k} {h}"
    if kind == "form":
        a, b = rnd.randrange(10**6), rnd.randrange(10**6)
        c = "x" * rnd.randrange(0, 3000)
        body = f"a={a}&b={b}&c={c}".encode()
        return "POST", "/stress/form", body, {
            "Content-Type": "application/x-www-form-urlencoded"}, f"form {a + b} {len(c)}"
    if kind == "upload":
        data = rnd.randbytes(rnd.randrange(1, 40000))
        body, ctype = _multipart(data)
        return "POST", "/stress/upload", body, {"Content-Type": ctype}, \
            f"upload {len(data)} {hashlib.md5(data).hexdigest()}"
    if kind == "session":
        return "GET", "/stress/session", None, {}, None
    if kind == "filter":
        return "GET", "/stress/filtered.up", None, {}, FILTERED
    if kind == "publisher":
        a, b = rnd.randrange(1000), rnd.randrange(1000)
        return "GET", f"/stress/st_pub.py/add?a={a}&b={b}", None, {}, f"pub {a + b}"
    if kind == "wsgi":
        if rnd.random() < 0.5:
            return "GET", f"/stress/wsgi?{k}", None, {}, f"wsgi {k} 0"
        body = rnd.randbytes(rnd.randrange(1, 5000))
        return "POST", f"/stress/wsgi?{k}", body, {
            "Content-Type": "application/octet-stream"}, f"wsgi {k} {len(body)}"
    if kind == "flush":
        return "GET", "/stress/flush?1000", None, {}, FLUSH_BODY
    raise ValueError(kind)


MIX_OVERRIDE: list[str] = []   # --mix
MIX = (["hello"] * 4 + ["api"] * 3 + ["form"] * 2 + ["upload"] + ["session"] * 2
       + ["filter"] * 2 + ["publisher"] * 2 + ["wsgi"] * 2 + ["flush"])


# ------------------------------------------------------------------ driver

WEDGED = [("/stress/hang?6", 30.0), ("/stress/spin?1.5", 30.0)]


class Load:
    """64 client threads plus the wedged-handler clients."""

    def __init__(self, port: int, res: Result, seed: int) -> None:
        self.port = port
        self.res = res
        self.seed = seed
        self.lock = threading.Lock()
        self.count = 0              # requests answered in the current phase
        self.budget = 0
        self.stop_sending = threading.Event()
        self.windows: list[list[float]] = []   # [start, end] of hard events
        self.wall_windows: list[list[float]] = []   # the same, time.time()
        self.threads: list[threading.Thread] = []

    # a hard restart or stop is "open" from its command until the server
    # answers again (end set by the controller)
    def in_window(self, t0: float, t1: float) -> bool:
        with self.lock:
            for start, end in self.windows:
                if t1 >= start and (end == 0 or t0 <= end):
                    return True
        return False

    def start(self) -> None:
        for i in range(CONNECTIONS):
            t = threading.Thread(target=self.client, args=(i,), daemon=True)
            t.start()
            self.threads.append(t)
        for i, (path, timeout) in enumerate(WEDGED):
            t = threading.Thread(target=self.wedged, args=(path, timeout, i), daemon=True)
            t.start()
            self.threads.append(t)

    def join(self, timeout: float) -> None:
        self.stop_sending.set()
        end = time.monotonic() + timeout
        for t in self.threads:
            t.join(max(0.1, end - time.monotonic()))

    def _fail(self, msg: str) -> None:
        with self.lock:
            self.res.failed += 1
            if len(self.res.failures) < 20:
                self.res.failures.append(msg)

    def wedged(self, path: str, timeout: float, i: int) -> None:
        while not self.stop_sending.is_set():
            t0 = time.monotonic()
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
            try:
                conn.request("GET", path)
                r = conn.getresponse()
                body = r.read().decode()
                if r.status == 200 and body.endswith("done"):
                    with self.lock:
                        self.res.wedged_done += 1
                elif r.status in (503, 504):
                    with self.lock:     # refused or timed out by the server
                        self.res.wedged_done += 1
                else:
                    self._fail(f"{path}: {r.status} {body[:80]!r}")
            except (OSError, http.client.HTTPException) as e:
                if self.in_window(t0, time.monotonic()) or self.stop_sending.is_set():
                    with self.lock:
                        self.res.wedged_cut += 1
                else:
                    self._fail(f"{path}: {type(e).__name__}: {e}")
            finally:
                conn.close()
            time.sleep(0.2)

    def client(self, i: int) -> None:
        rnd = random.Random(self.seed * 1000 + i)
        mix = MIX_OVERRIDE or MIX
        conn: http.client.HTTPConnection | None = None
        used = 0
        keep = 0
        cookie: str | None = None
        sess_n = 0
        sess_sure = True
        n = 0
        while not self.stop_sending.is_set():
            if self.count >= self.budget:
                # between phases: no idle keep-alive connection is left
                # open (a client that never reads would see no FIN)
                if conn is not None:
                    conn.close()
                    conn = None
                time.sleep(0.05)
                continue
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                used = 0
                keep = rnd.randrange(1, 31)
            kind = rnd.choice(mix)
            k = f"{i}-{n}"
            n += 1
            method, path, body, headers, expect = make_request(kind, rnd, k)
            if kind == "session" and cookie:
                headers = {**headers, "Cookie": cookie}
            last = used + 1 >= keep
            if last:
                headers = {**headers, "Connection": "close"}
            for attempt in (0, 1):
                t0 = time.monotonic()
                got_status = False
                try:
                    conn.request(method, path, body=body, headers=headers)
                    r = conn.getresponse()
                    got_status = True
                    data = r.read()
                    used += 1
                    break
                except (OSError, http.client.HTTPException) as e:
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                    reused = used > 0
                    used = 0
                    if kind == "session":
                        sess_sure = False
                    if attempt == 0 and reused and not got_status:
                        with self.lock:
                            self.res.retried += 1
                        continue
                    if self.in_window(t0, time.monotonic()) or self.stop_sending.is_set():
                        with self.lock:
                            self.res.cut += 1
                    else:
                        self._fail(f"{method} {path}: {type(e).__name__}: {e}")
                    r = None
                    break
            if r is None:
                continue
            with self.lock:
                self.res.requests += 1
                self.count += 1
            text = data.decode("utf-8", "replace")
            good = r.status == 200
            if good and kind == "session":
                m = re.fullmatch(r"session (\d+)", text)
                got = int(m.group(1)) if m else -1
                set_cookie = r.getheader("Set-Cookie")
                if set_cookie and cookie is None:
                    cookie = set_cookie.split(";", 1)[0]
                good = got == sess_n + 1 or (not sess_sure and got > sess_n) or \
                    (cookie is not None and set_cookie and got == 1 and sess_n == 0)
                if good:
                    sess_n, sess_sure = got, True
            elif good:
                good = text == expect
            if good:
                with self.lock:
                    self.res.ok += 1
            else:
                with self.lock:
                    self.res.wrong_body += 1
                self._fail(f"{method} {path}: {r.status} {text[:120]!r} "
                           f"(expected {str(expect)[:60]!r})")
            if last or r.will_close:
                conn.close()
                conn = None


# --------------------------------------------------------------- processes

def children(parent: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(parent)], capture_output=True, text=True,
                         check=False).stdout.split()
    return [int(p) for p in out]


def rss_kib(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def httpd_ctl(srv: HttpdServer, action: str) -> None:
    subprocess.run([srv.env.httpd, "-f", str(srv.conf_file), "-k", action],
                   capture_output=True, timeout=60, check=False, env=srv.env.httpd_env())


def dump_stacks_later(srv: HttpdServer, kids: list[int], res: Result, label: str,
                      after: float = 4.0) -> threading.Thread:
    """In the background: the children in kids still alive `after` seconds
    after a hard restart or stop get their stacks written to
    logs/stacks.<label>.<pid> (gdb), before httpd's SIGKILL."""
    def run() -> None:
        time.sleep(after)
        driver = "\n".join(
            f"--- driver thread {tid}\n" + "".join(traceback.format_stack(frame))
            for tid, frame in sys._current_frames().items())
        dumped = False
        for pid in kids:
            try:
                with open(f"/proc/{pid}/stat") as f:
                    if f.read().split(") ", 1)[1].startswith("Z"):
                        continue
            except OSError:
                continue
            if not shutil.which("gdb"):
                return
            out = subprocess.run(["gdb", "-p", str(pid), "-batch", "-ex",
                                  "thread apply all bt 30"], capture_output=True,
                                 text=True, timeout=60, check=False)
            name = f"stacks.{label}.{pid}"
            (srv.root / "logs" / name).write_text(out.stdout + out.stderr)
            if not dumped:
                dumped = True   # where the clients were at that moment
                (srv.root / "logs" / f"driver.{label}").write_text(driver)
            res.notes.append(f"child {pid} alive {after:.0f} s after the {label}: "
                             f"stacks in logs/{name}")
    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


def wait_answering(srv: HttpdServer, timeout: float = 30.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=5)
            c.request("GET", "/__alive.txt", headers={"Connection": "close"})
            r = c.getresponse()
            if r.status == 200 and r.read() == b"alive\n":
                return True
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(0.1)
    return False


def wait_generation(srv: HttpdServer, before: int, timeout: float = 30.0) -> bool:
    """Wait for one more "resuming normal operations" line (AH00094/AH00489)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if srv.log.text_from(0).count("resuming normal operations") > before:
            return True
        time.sleep(0.05)
    return False


# ---------------------------------------------------------------- scenario

def configure(srv: HttpdServer, recycle: int) -> None:
    c = srv.conf
    c.server_lines = [f"MaxConnectionsPerChild {recycle}", "GracefulShutdownTimeout 30",
                      "CoreDumpDirectory {tmp}"]
    c.section_lines = []
    blk = c.block
    c.directory(
        "{htdocs}/stress",
        "SetHandler mod_python",
        "PythonHandler st_handlers::hello",
        "PythonPath \"sys.path + ['{htdocs}/stress']\"",
        "PythonOption stress.tag T",
        "PythonOption mod_python.session.database_directory {tmp}/sess",
        "PythonOutputFilter st_filter::upper STUPPER",
        *(blk("Files", f'"{name}"', f"PythonHandler st_handlers::{name}")
          for name in ("hello", "api", "form", "upload", "session", "flush",
                       "hang", "spin")),
        blk("Files", '"filtered.up"', "SetHandler None", "SetOutputFilter STUPPER"),
        blk("Files", '"st_pub.py"', "PythonHandler mod_python.publisher"),
        blk("Files", '"wsgi"', "PythonHandler mod_python.wsgi",
            "PythonOption mod_python.wsgi.application st_wsgi::application"),
    )


def sample_rss(srv: HttpdServer, table: dict[int, list[tuple[int, int]]],
               load: Load) -> None:
    assert srv.proc is not None
    for pid in children(srv.proc.pid):
        kib = rss_kib(pid)
        if kib is not None:
            table.setdefault(pid, []).append((load.count, kib))


def run_phase(srv: HttpdServer, load: Load, budget: int, deadline: float,
              tick=None) -> None:
    with load.lock:
        load.count = 0
        load.budget = budget
    while load.count < budget and time.monotonic() < deadline:
        if tick:
            tick()
        time.sleep(0.2)


def scenario(env: TestEnv, mpm: str, steady: int, churn: int, seconds: float,
             seed: int, keep: bool) -> Result:
    global FILTERED
    res = Result(scenario="mixed load + restarts + recycling + wedged", mpm=mpm)
    env.mpm = mpm
    harness_conf.MPM_TUNING[mpm] = TUNING[mpm]
    srv = HttpdServer(env, f"stress-{mpm}")
    shutil.copytree(HERE / "htdocs", srv.htdocs / "stress",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    srv._make_readable(srv.htdocs / "stress")
    FILTERED = (HERE / "htdocs" / "filtered.up").read_text().upper()
    os.makedirs(srv.tmp / "sess", exist_ok=True)
    os.chmod(srv.tmp / "sess", 0o1777)
    configure(srv, 0)
    resource.setrlimit(resource.RLIMIT_CORE, (resource.RLIM_INFINITY,
                                              resource.RLIM_INFINITY))
    t_start = time.monotonic()
    wall_start = time.time()
    deadline = t_start + seconds
    srv.start()
    load = Load(srv.port, res, seed)
    load.start()
    try:
        # ---- steady: RSS
        rss: dict[int, list[tuple[int, int]]] = {}
        last_sample = [0.0]

        def tick() -> None:
            if time.monotonic() - last_sample[0] >= 1.0:
                last_sample[0] = time.monotonic()
                sample_rss(srv, rss, load)

        run_phase(srv, load, steady, deadline, tick)
        sample_rss(srv, rss, load)
        growth = 0
        nchild = 0
        warm = max(1, steady // 10, WARM_PER_CHILD * len(rss))
        for samples in rss.values():
            base = [(cnt, kib) for cnt, kib in samples if cnt >= warm]
            if len(base) >= 2:
                nchild += 1
                if base[-1][1] - base[0][1] >= growth:
                    growth = base[-1][1] - base[0][1]
                    step = max(1, len(base) // 10)
                    res.rss_curve = base[::step] + ([base[-1]] if (len(base) - 1) % step else [])
        res.children = nchild
        res.rss_growth_kib = growth
        res.rss_requests_per_child = max(0, steady - warm) // max(1, nchild)
        if warm >= steady:
            res.notes.append("the steady phase is shorter than the warm-up: "
                             "RSS growth not measured")
        if load.count < steady:
            res.notes.append(f"steady phase hit the time limit at {load.count} requests")

        # ---- churn: recycling, 5 graceful restarts, hard restart, stop
        configure(srv, 200)
        srv.conf.write(srv.conf_file)
        marks_graceful = [0.0, 0.2, 0.4, 0.6, 0.7]
        mark_hard = 0.8
        done = {"g": 0, "h": False}
        gen = [srv.log.text_from(0).count("resuming normal operations")]

        def graceful() -> None:
            httpd_ctl(srv, "graceful")
            if not wait_generation(srv, gen[0]):
                res.notes.append("no new generation after a graceful restart")
            gen[0] = srv.log.text_from(0).count("resuming normal operations")
            res.restarts_graceful += 1

        def hard() -> None:
            with load.lock:
                window = [time.monotonic(), 0.0]
                load.windows.append(window)
                wall = [time.time(), 0.0]
                load.wall_windows.append(wall)
            assert srv.proc is not None
            watcher = dump_stacks_later(srv, children(srv.proc.pid), res, "restart")
            httpd_ctl(srv, "restart")
            wait_generation(srv, gen[0])
            gen[0] = srv.log.text_from(0).count("resuming normal operations")
            wait_answering(srv)
            with load.lock:
                window[1] = time.monotonic() + 1.0
                wall[1] = time.time() + 1.0
            res.restarts_hard += 1
            watcher.join(70)

        def churn_tick() -> None:
            frac = load.count / max(1, churn)
            while done["g"] < len(marks_graceful) and frac >= marks_graceful[done["g"]]:
                done["g"] += 1
                graceful()
            if not done["h"] and frac >= mark_hard:
                done["h"] = True
                hard()

        run_phase(srv, load, churn, deadline + seconds * 0.5, churn_tick)
        while done["g"] < len(marks_graceful):
            done["g"] += 1
            graceful()
        if not done["h"]:
            done["h"] = True
            hard()
        if load.count < churn:
            res.notes.append(f"churn phase hit the time limit at {load.count} requests")
        # ---- stop under load
        with load.lock:
            load.budget = 10**9
            load.windows.append([time.monotonic(), 0.0])
            load.wall_windows.append([time.time() + 1.0, time.time() + 10**6])
        time.sleep(1.0)
        assert srv.proc is not None
        proc = srv.proc
        load.stop_sending.set()     # in-flight requests are the ones cut
        watcher = dump_stacks_later(srv, children(proc.pid), res, "stop")
        httpd_ctl(srv, "stop")
        t_stop = time.monotonic()
        while proc.poll() is None and time.monotonic() - t_stop < 60:
            time.sleep(0.2)
        watcher.join(70)
        try:
            proc.wait(timeout=1)
        except subprocess.TimeoutExpired:
            res.notes.append("httpd did not stop within 60 s")
        res.stops += 1
        load.join(20)
        srv.proc = None
        HttpdServer.running.discard(srv)
    finally:
        load.stop_sending.set()
        srv.stop()
    res.seconds = round(time.monotonic() - t_start, 1)

    text = srv.log.text_from(0)
    asan_dir = os.environ.get("STRESS_SANITIZER_REPORTS")
    res.log = {name: 0 for name in LOG_PATTERNS}
    res.log["error_in_window"] = 0
    bad = []
    for line in text.splitlines():
        for name, pat in LOG_PATTERNS.items():
            if not pat.search(line):
                continue
            if name in ("traceback", "python_error"):
                # a handler whose request a hard restart or stop cut (its
                # read failed) logs an error: reported with the cuts
                t = log_time(line)
                if t is not None and any(a <= t <= b for a, b in load.wall_windows):
                    res.log["error_in_window"] += 1
                    continue
            res.log[name] += 1
            if name in FAILING:
                bad.append(line)
    cores = list(srv.tmp.glob("core*"))
    res.log["crash"] += len(cores)
    bad.extend(f"core file {c}" for c in cores)
    if asan_dir and Path(asan_dir).is_dir():
        new = [f for f in Path(asan_dir).iterdir() if f.stat().st_mtime >= wall_start]
        res.log["sanitizer"] += len(new)
        bad.extend(f"sanitizer report {f}" for f in new)
    res.failures.extend(f"log: {line[:200]}" for line in bad[:20])

    res.passed = (res.failed == 0 and res.wrong_body == 0
                  and not any(res.log[k] for k in FAILING)
                  and res.restarts_graceful == 5 and res.restarts_hard == 1)
    stacks = any("stacks in" in n for n in res.notes)
    srv.cleanup(keep=keep or not res.passed or stacks)
    if not res.passed or stacks:
        res.notes.append(f"server root kept: {srv.root}")
    return res


def main() -> int:
    # a SIGTERM to the driver stops its servers (the finally blocks) too
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--form", choices=sorted(FORMS), default="short")
    ap.add_argument("--mpm", default="event,worker,prefork")
    ap.add_argument("--steady", type=int, help="requests in the steady phase")
    ap.add_argument("--churn", type=int, help="requests in the churn phase")
    ap.add_argument("--seconds", type=float, help="time limit per MPM")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", action="store_true", help="keep the server roots")
    ap.add_argument("--json", help="write the results here")
    ap.add_argument("--asan", metavar="DIR",
                    help="use the sanitizer build of `make asan-module` in DIR "
                         "(build/asan): libasan preloaded into httpd, reports "
                         "in DIR/stress-reports counted as crashes")
    ap.add_argument("--config", metavar="INI",
                    help="another test/harness config.ini (another module build)")
    ap.add_argument("--mix", help="only these kinds, e.g. hello,api (default: "
                                  "the whole weighted mix)")
    ap.add_argument("--no-wedged", action="store_true",
                    help="without the hanging and spinning clients")
    ap.add_argument("--repeat", type=int, default=1,
                    help="run each MPM's scenario this many times")
    args = ap.parse_args()
    if args.config:
        harness_env.CONFIG_INI = Path(args.config).resolve()
    if args.asan:
        asan = Path(args.asan).resolve()
        reports = asan / "stress-reports"
        shutil.rmtree(reports, ignore_errors=True)
        reports.mkdir(parents=True)
        os.chmod(reports, 0o1777)
        lib = subprocess.run(["gcc", "-print-file-name=libasan.so"], capture_output=True,
                             text=True, check=True).stdout.strip()
        harness_env.CONFIG_INI = asan / "config.ini"
        os.environ["MP_TEST_HTTPD_PRELOAD"] = os.path.realpath(lib)
        os.environ["ASAN_OPTIONS"] = (
            "detect_leaks=0:verify_asan_link_order=0:halt_on_error=1:"
            "allow_user_segv_handler=0:handle_segv=1:"
            f"abort_on_error=0:log_path={reports}/asan")
        os.environ["UBSAN_OPTIONS"] = f"print_stacktrace=1:log_path={reports}/ubsan"
        os.environ["STRESS_SANITIZER_REPORTS"] = str(reports)
    steady, churn, seconds = FORMS[args.form]
    steady = args.steady or steady
    churn = args.churn or churn
    seconds = args.seconds or seconds
    if args.mix:
        MIX_OVERRIDE[:] = args.mix.split(",")
        bad = set(MIX_OVERRIDE) - set(MIX)
        if bad:
            ap.error(f"unknown kinds: {', '.join(sorted(bad))}")
    if args.no_wedged:
        WEDGED.clear()
    env = TestEnv()
    results = []
    for mpm in [m for m in args.mpm.split(",") for _ in range(args.repeat)]:
        print(f"==> stress {mpm}: {steady} steady + {churn} churn requests, "
              f"{CONNECTIONS} connections, limit {seconds:.0f}s", flush=True)
        res = scenario(env, mpm, steady, churn, seconds, args.seed, args.keep)
        results.append(res)
        print(json.dumps(asdict(res), indent=1), flush=True)
    hdr = (f"{'MPM':8} {'requests':>9} {'restarts':>9} {'failed':>6} {'wrong':>5} "
           f"{'cut':>4} {'retried':>7} {'crashes':>7} {'RSS KiB':>7} {'req/child':>9} ok")
    print(hdr)
    for r in results:
        crashes = r.log["crash"] + r.log["abort"] + r.log["killed"] + r.log["sanitizer"]
        print(f"{r.mpm:8} {r.requests:>9} {f'{r.restarts_graceful}g+{r.restarts_hard}h+{r.stops}s':>9} "
              f"{r.failed:>6} {r.wrong_body:>5} {r.cut + r.wedged_cut:>4} {r.retried:>7} "
              f"{crashes:>7} {r.rss_growth_kib:>7} {r.rss_requests_per_child:>9} "
              f"{'yes' if r.passed else 'NO'}")
    if args.json:
        Path(args.json).write_text(json.dumps([asdict(r) for r in results], indent=1))
    rss_ok = all(r.rss_growth_kib < RSS_LIMIT_KIB for r in results) \
        if args.form == "full" else True
    if not rss_ok:
        print("RSS growth over 2 MiB in the steady phase", file=sys.stderr)
    return 0 if all(r.passed for r in results) and rss_ok else 1


if __name__ == "__main__":
    sys.exit(main())
