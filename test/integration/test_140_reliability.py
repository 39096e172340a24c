"""Reliability (issue 10): stops and restarts in the middle of handlers, a
failed interpreter set-up, Session(req) twice, and PythonRequestTimeout.

- Stop (``-k stop``) and restart (``-k restart``) while handlers wait in
  req.write and while a handler spins in Python: no abort ("Fatal Python
  error", "exit signal"), and the stop completes within a few seconds, so
  the parent never needs SIGKILL (AH00045/AH00046).  Before the fix,
  prefork children aborted in Py_EndInterpreter (the busy check ignored
  the current thread's frame) or deadlocked in PyEval_RestoreThread from
  the signal handler (faults 1 and 2).
- A broken mod_python package: the interpreter's set-up fails once, later
  requests answer 500 with at most one MP0140 line, and the child's RSS
  stays flat (fault 4: it grew by an interpreter per request).
- Session(req) twice in one request returns the same session instead of
  deadlocking on the hashed session mutex (fault 5).
- PythonRequestTimeout: 504 within the limit plus one second, the stack
  logged once (MP0141), the same child serving the next request; a
  handler that finishes in time is untouched; a handler that already sent
  its headers has its response cut.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
from harness import HttpdServer

HANDLERS = "rel_handlers"


@pytest.fixture(scope="module")
def server(httpd):
    c = httpd.conf
    c.directory(
        "{htdocs}/reliability", "SetHandler mod_python",
        f"PythonHandler {HANDLERS}::pid",
        "PythonOption rel.tmp {tmp}",
        "PythonOption mod_python.session.database_directory {tmp}/sess",
        *(c.block("Files", f'"{name}"', f"PythonHandler {HANDLERS}::{name}")
          for name in ("busy", "spin", "session2", "halfbody")),
        c.block("Files", '"slow"', f"PythonHandler {HANDLERS}::slow",
                "PythonRequestTimeout 1"),
        c.block("Files", '"late"', f"PythonHandler {HANDLERS}::late",
                "PythonRequestTimeout 1"),
        c.block("Files", '"quick"', f"PythonHandler {HANDLERS}::quick",
                "PythonRequestTimeout 2"),
        c.block("Files", '"blocked"', f"PythonHandler {HANDLERS}::blocked",
                "PythonRequestTimeout 1"))
    os.makedirs(httpd.tmp / "sess", exist_ok=True)
    os.chmod(httpd.tmp / "sess", 0o1777)
    httpd.start()
    return httpd



def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError(f"no VmRSS for {pid}")


def markers(server, name: str) -> list[Path]:
    return sorted(server.tmp.glob(f"{name}.*"))


def open_request(server, path: str, small_window: bool = False) -> socket.socket:
    """Send a GET; the caller reads the answer, or not."""
    s = socket.create_connection(("127.0.0.1", server.port), timeout=20)
    if small_window:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.sendall(f"GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
    return s


def drain(s: socket.socket) -> None:
    """Read until the server closes (a client that keeps up)."""
    try:
        while s.recv(65536):
            pass
    except OSError:
        pass


def start_load(server, busy: int, spin: int,
               stalled: int = 0) -> list[socket.socket]:
    """`busy` writing handlers whose clients read, `stalled` ones whose
    clients never read (the handler waits in req.write), `spin` handlers
    spinning in Python."""
    for name in ("busy", "spin"):
        for m in markers(server, name):
            m.unlink()
    socks = []
    for _ in range(busy):
        socks.append(open_request(server, "/reliability/busy"))
        threading.Thread(target=drain, args=(socks[-1],), daemon=True).start()
    socks += [open_request(server, "/reliability/busy", small_window=True)
              for _ in range(stalled)]
    socks += [open_request(server, "/reliability/spin") for _ in range(spin)]
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if (len(markers(server, "busy")) >= min(1, busy + stalled)
                and len(markers(server, "spin")) >= min(1, spin)):
            break
        time.sleep(0.05)
    else:
        pytest.fail("the busy/spin handlers did not start")
    time.sleep(0.5)   # stalled writers fill their socket buffers and block
    return socks


def crash_lines(server, since: int) -> list[str]:
    bad = re.compile(r"Fatal Python error|exit signal|AH0004[56]|"
                     r"Segmentation fault|core dumped")
    return [ln for ln in server.log.read_from(since) if bad.search(ln)]


def stalled_clients(env) -> int:
    """Clients that never read: under prefork the stop signal interrupts
    the handler waiting in req.write (fault 1).  Threaded MPMs close the
    worker's socket without waking a write that waits for it, which
    holds the worker for up to Timeout whatever module wrote: not
    mod_python's to test."""
    return 2 if env.mpm == "prefork" else 0


def stop_and_start(server, socks: list[socket.socket],
                   since: int) -> tuple[float, list[str]]:
    """``-k stop`` with the clients connected, then start the server
    again: the seconds the stop took and the crash lines it logged."""
    proc = server.proc
    t0 = time.monotonic()
    subprocess.run([server.env.httpd, "-f", str(server.conf_file), "-k",
                    "stop"], capture_output=True, timeout=30, check=False,
                   env=server.env.httpd_env())
    try:
        proc.wait(timeout=40)
        return time.monotonic() - t0, crash_lines(server, since)
    finally:
        for s in socks:
            s.close()
        server.proc = None
        HttpdServer.running.discard(server)
        server.start()


@pytest.mark.parametrize("busy,spin", [(3, 0), (0, 1), (2, 1)],
                         ids=["writing", "spinning", "both"])
def test_stop_during_handlers(server, env, busy, spin):
    since = server.log.offset()
    socks = start_load(server, busy, spin, stalled_clients(env) if busy else 0)
    elapsed, crashes = stop_and_start(server, socks, since)
    assert crashes == []
    assert elapsed < 5.0, f"stop took {elapsed:.1f} s"
    assert server.client().get("/reliability/pid").status == 200


@pytest.mark.parametrize("busy,spin", [(2, 1)], ids=["both"])
def test_restart_during_handlers(server, env, busy, spin):
    since = server.log.offset()
    socks = start_load(server, busy, spin, stalled_clients(env))
    old = server.children()
    t0 = time.monotonic()
    subprocess.run([server.env.httpd, "-f", str(server.conf_file), "-k",
                    "restart"], capture_output=True, timeout=30, check=False,
                   env=server.env.httpd_env())
    try:
        while time.monotonic() - t0 < 20 and server.children() & old:
            time.sleep(0.05)
        elapsed = time.monotonic() - t0
    finally:
        for s in socks:
            s.close()
    assert not server.children() & old, "old children still there"
    assert elapsed < 5.0, f"old children took {elapsed:.1f} s to exit"
    client = server.client(timeout=10)
    deadline = time.monotonic() + 10
    while True:
        try:
            r = client.get("/reliability/pid")
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    assert r.status == 200 and int(r.text) not in old
    assert crash_lines(server, since) == []


def test_stop_while_a_handler_waits_for_the_body(server, env):
    """Threaded MPMs close a busy worker's socket at an ungraceful stop.
    APR's next read of a socket whose last read came back short polls
    first, on descriptor -1 after the close, which poll() ignores: the
    worker slept for the whole Timeout and the parent SIGKILLed the child
    (the stress run's worker SIGKILL).  The handler's second req.read()
    now fails at once."""
    if env.mpm == "prefork":
        pytest.skip("prefork stops the child by a signal, not by closing "
                    "its sockets")
    for m in markers(server, "halfbody"):
        m.unlink()
    since = server.log.offset()
    s = socket.create_connection(("127.0.0.1", server.port), timeout=20)
    s.sendall(b"POST /reliability/halfbody HTTP/1.1\r\nHost: localhost\r\n"
              b"Content-Type: text/plain\r\nContent-Length: 10\r\n\r\n"
              b"abcde")
    deadline = time.monotonic() + 15
    while not markers(server, "halfbody"):
        assert time.monotonic() < deadline, "the handler did not start"
        time.sleep(0.05)
    elapsed, crashes = stop_and_start(server, [s], since)
    assert crashes == []
    assert elapsed < 6.0, f"stop took {elapsed:.1f} s"


def test_prefork_stop_inside_a_flush_exits_at_once(server, env):
    """prefork runs its stop from the signal handler, on the thread it
    interrupted: inside ap_rflush() the pool cleanups ran over the brigade
    being flushed (a child looping until SIGKILL in the stress run).  A
    stop signal that lands in a call into Apache made from Python now ends
    the child at once, with one MP0146 line."""
    if env.mpm != "prefork":
        pytest.skip("only prefork stops a child from a signal handler")
    since = server.log.offset()
    socks = start_load(server, 0, 0, stalled=1)
    try:
        child = int(markers(server, "busy")[0].suffix[1:])
        t0 = time.monotonic()
        os.kill(child, signal.SIGTERM)
        while time.monotonic() - t0 < 10 and child in server.children():
            time.sleep(0.05)
        elapsed = time.monotonic() - t0
    finally:
        for s in socks:
            s.close()
    assert elapsed < 2.0, f"the child took {elapsed:.1f} s to exit"
    lines = server.log.read_from(since)
    assert [ln for ln in lines if f"MP0146: child {child} stopped" in ln]
    assert crash_lines(server, since) == []
    assert server.client().get("/reliability/pid").status == 200


# -- fault 5: Session(req) twice ---------------------------------------------

def test_session_twice_in_one_request(server):
    client = server.client(timeout=10)
    first = client.get("/reliability/session2")
    assert first.status == 200, first.text
    cookie = first.headers["Set-Cookie"].split(";", 1)[0]
    # With the cookie both calls find the same id, so the same hashed
    # mutex: before the fix the second call waited for the first forever
    # (the client times out).
    r = client.get("/reliability/session2", headers={"Cookie": cookie})
    assert r.status == 200, r.text
    assert r.text.startswith("same=True n=2 sid=True"), r.text
    assert first.text.startswith("same=True n=1 sid=True"), first.text


# -- PythonRequestTimeout ----------------------------------------------------

def mp0141_headers(lines: list[str]) -> list[str]:
    return [ln for ln in lines if "MP0141: PythonRequestTimeout" in ln]


def test_request_timeout_gives_504_and_logs_the_stack_once(server,
                                                           expect_log):
    expect_log(r"MP0141: ")
    since = server.log.offset()
    with server.client(timeout=15).session() as ka:
        pid = int(ka.get("/reliability/pid").text)
        t0 = time.monotonic()
        r = ka.get("/reliability/slow")
        elapsed = time.monotonic() - t0
        assert r.status == 504, (r.status, r.text)
        assert elapsed < 2.0, f"504 after {elapsed:.2f} s (limit 1 s)"
        assert "finished" not in r.text
        # The child keeps serving: the same process answers.
        again = ka.get("/reliability/pid")
        assert again.status == 200 and int(again.text) == pid
    assert server.log.wait_for(r"MP0141: .*in _loop_in_python", since)
    time.sleep(0.5)
    lines = server.log.read_from(since)
    assert len(mp0141_headers(lines)) == 1, lines
    assert any(re.search(r"MP0141: .*in slow", ln) for ln in lines), lines


def test_handler_in_time_is_untouched(server):
    since = server.log.offset()
    r = server.client(timeout=10).get("/reliability/quick")
    assert (r.status, r.text) == (200, "quick")
    time.sleep(0.3)
    assert mp0141_headers(server.log.read_from(since)) == []


def test_timeout_after_the_response_started_cuts_it(server, expect_log):
    expect_log(r"MP0141: ")
    s = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    t0 = time.monotonic()
    s.sendall(b"GET /reliability/late HTTP/1.1\r\nHost: localhost\r\n\r\n")
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    elapsed = time.monotonic() - t0
    assert data.startswith(b"HTTP/1.1 200"), data[:200]
    assert b"started" in data and b"finished" not in data
    assert elapsed < 3.0, f"connection closed after {elapsed:.2f} s"


def test_timeout_in_c_code_is_logged_and_delivered_on_return(server,
                                                             expect_log):
    """time.sleep(7) never returns to the eval loop before 7 s: MP0142
    says so (about 5 s after the exception was raised), and the exception
    is delivered when the call returns."""
    expect_log(r"MP0141: ", r"MP0142: .*/reliability/blocked")
    since = server.log.offset()
    t0 = time.monotonic()
    r = server.client(timeout=20).get("/reliability/blocked")
    elapsed = time.monotonic() - t0
    assert r.status == 504 and "finished" not in r.text
    assert 6.5 < elapsed < 9.0, elapsed
    lines = server.log.read_from(since)
    assert sum("MP0142:" in ln for ln in lines) == 1, lines


# -- fault 4: a failed interpreter set-up --------------------------------------

@pytest.fixture(scope="module")
def broken(env):
    srv = HttpdServer(env, "test_140_broken")
    pkg = srv.root / "brokenpkg"
    shutil.copytree(env.pkgdir / "mod_python", pkg / "mod_python",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    with open(pkg / "mod_python" / "apache.py", "a") as f:
        f.write("\nraise ImportError('broken on purpose by test_140')\n")
    HttpdServer._make_readable(pkg)
    srv.conf.pkgdir = pkg
    srv.conf.directory("{htdocs}/reliability", "SetHandler mod_python",
                       f"PythonHandler {HANDLERS}::pid")
    srv.start()
    yield srv
    srv.stop()
    # Ending a child that holds a failed interpreter must not crash.
    crashes = [p for p in srv.log.problems(srv.checked_offset, srv.allow)
               if p.kind == "crash"]
    srv.cleanup(keep=bool(crashes))
    assert not crashes, crashes


def test_failed_setup_is_recorded_once_without_growth(broken, allow_log):
    allow_log(r"MP0006: ", r"MP0140: ", r"broken on purpose")
    since = broken.log.offset()
    client = broken.client(timeout=10)
    # A 500 closes the connection: under prefork the requests spread over
    # the children, so every child is warmed up first and measured after.
    for _ in range(12):   # the failure, then the interpreter is known
        assert client.get("/reliability/pid").status == 500
    before = {p: rss_kib(p) for p in broken.children()}
    for _ in range(40):
        assert client.get("/reliability/pid").status == 500
    after = {p: rss_kib(p) for p in broken.children()}
    growth = {p: after[p] - before[p] for p in before if p in after}
    assert growth, (before, after)
    print(f"RSS growth over 40 requests, KiB per child: {growth}")
    assert max(growth.values()) < 3 * 1024, f"RSS growth KiB: {growth}"
    def per_pid(pattern: str, lines: list[str]) -> list[str]:
        return [re.search(r"\[pid (\d+)", ln).group(1) for ln in lines
                if re.search(pattern, ln)]

    # The failure: once per child, with its traceback (at child start or
    # at the first request), never again.
    setup = per_pid(r"MP0006: initialising", broken.log.read_from(0))
    assert setup and len(setup) == len(set(setup)), setup
    # Later requests: one MP0140 line per child (rate-limited to 1/min).
    later = per_pid(r"MP0140: ", broken.log.read_from(since))
    assert later and len(later) == len(set(later)), later
