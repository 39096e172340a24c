"""One way into Python (issue 9): the GIL is never held across an Apache
call that can block or run filters.

- The deadlock: two interpreters (PythonInterpPerDirective: a fixup handler
  in one, the content handler in another) write to one request with
  req.write(data, 0); the second write overflows the output buffer, and
  ap_rwrite flushes it through a Python output filter.  It used to keep the
  GIL across ap_rwrite, and the filter waited for the GIL its own thread
  held, for ever.  Now it answers at once.
- A request object is released (with what it holds) at the end of its own
  request, under its interpreter's GIL.
- 64 simultaneous first requests to new children (after a graceful
  restart) and to interpreters not created yet all answer correctly.
- A Python output filter reading a slow upstream (the pipe or socket of a
  CGI script that pauses) does not stall the other Python requests of the
  child: filters used to read pipe, file and socket buckets with the GIL
  held.  A Python input filter under a request body that the client sends
  slowly does not stall them either (it never did: the brigades of
  HTTP_IN hold memory only, but the test guards the read path).  Both only
  under threaded MPMs: under prefork every request has a process of its
  own.

The probes measure time with a client timeout, so a regression fails
instead of hanging the suite.
"""

from __future__ import annotations

import concurrent.futures
import os
import signal
import socket
import threading
import time

import pytest

G = "{htdocs}/gil"
FRESH = 4       # interpreters made by the first-request burst
BURST = 64

# How long the CGI script pauses between its two lines (test/htdocs/gil/cgi).
CGI_PAUSE = 2.0


@pytest.fixture(scope="module")
def server(httpd):
    c = httpd.conf
    c.load_module("cgi" if httpd.env.mpm == "prefork" else "cgid")
    os.chmod(httpd.htdocs / "gil" / "cgi" / "slow.cgi", 0o755)
    fresh = [c.block("Files", f'"fresh{i}"', "PythonHandler gil_handlers::first",
                     f"PythonInterpreter gil_fresh_{i}") for i in range(FRESH)]
    c.directory(
        G,
        "SetHandler mod_python",
        "PythonHandler gil_handlers::probe",
        "PythonInputFilter gil_filters::in_copy GILIN",
        "PythonOutputFilter gil_filters::upper GILUPPER",
        c.block("Files", '"slow"', "PythonHandler gil_handlers::echo_body",
                "SetInputFilter GILIN"),
        c.block("Files", '"main"', "PythonHandler gil_handlers::first",
                "PythonInterpreter main_interpreter"),
        c.block("Files", '"local"', "PythonHandler gil_handlers::first"),
        c.block("Files", '"hold"', "PythonHandler gil_handlers::hold",
                "PythonInterpreter gil_hold"),
        *fresh,
    )
    c.directory(
        f"{G}/dl",
        "PythonInterpPerDirective On",
        "PythonFixupHandler dl_fixup::fixup",
        "PythonOutputFilter dl_filter::upper GILUPPER",
        "SetOutputFilter GILUPPER",
    )
    c.directory(f"{G}/dl/two", "PythonHandler dl_handler::handler")
    c.directory(f"{G}/wsgi", "SetOutputFilter GILUPPER",
                "PythonHandler mod_python.wsgi",
                "PythonOption mod_python.wsgi.application gil_wsgi::app")
    c.directory(f"{G}/wsgi/other", "PythonInterpPerDirective On")
    c.directory(f"{G}/cgi", "Options +ExecCGI", "SetHandler cgi-script",
                "PythonOutputFilter gil_filters::upper GILCGI",
                "SetOutputFilter GILCGI")
    httpd.start()
    return httpd


def test_two_interpreters_unflushed_writes_through_python_filter(server):
    t0 = time.monotonic()
    r = server.client(timeout=5.0).get("/gil/dl/two/x")
    elapsed = time.monotonic() - t0
    assert r.status == 200, r
    fixup_ip, handler_ip = r.headers["X-Interpreters"].split("|")
    assert fixup_ip == f"{server.htdocs}/gil/dl/"
    assert handler_ip == f"{server.htdocs}/gil/dl/two/"
    assert r.body == b"A" * 4096 + b"B" * 4096 + b"C" * 10
    assert elapsed < 1.0, elapsed


def test_deadlock_case_repeated_on_one_connection(server):
    # Same child, the interpreters exist now: still no hang.
    with server.client(timeout=5.0).session() as s:
        for _ in range(5):
            r = s.get("/gil/dl/two/x")
            assert r.body == b"A" * 4096 + b"B" * 4096 + b"C" * 10


@pytest.mark.parametrize("path", ["wsgi/app", "wsgi/other/app"])
def test_wsgi_body_through_python_filter(server, path):
    # The WSGI body write drops the GIL outside mp_interp.c (its own
    # Py_BEGIN_ALLOW_THREADS); the filter, in the same interpreter or in
    # another one, still gets in and the thread's record stays right.
    with server.client(timeout=5.0).session() as s:
        for _ in range(3):
            r = s.get(f"/gil/{path}")
            assert r.status == 200, r
            assert r.body == b"W" * 6000 + b"X" * 6000 + b"Y" * 10
            assert s.get("/gil/probe").text == "localhost 499500"


def test_request_object_released_at_the_end_of_its_request(server):
    # What the request object holds goes with the request, not when some
    # later request enters the interpreter (gil_hold serves nothing else).
    for mark in ("one", "two"):
        flag = server.root / "tmp" / f"released-{mark}"
        r = server.client(timeout=5.0).get(f"/gil/hold?{mark}")
        assert (r.status, r.text) == (200, "held")
        deadline = time.monotonic() + 2.0
        while not flag.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert flag.exists(), f"request object of ?{mark} not released"


def burst(server, paths):
    """GET every path at the same moment; list of (path, status, json)."""
    start = threading.Barrier(len(paths))

    def one(path):
        client = server.client(timeout=30.0)
        start.wait()
        for _attempt in range(50):
            try:
                r = client.get(path)
                break
            except ConnectionError:
                # the old generation closing its listener at a restart
                time.sleep(0.05)
        else:
            raise AssertionError(f"{path}: no connection")
        return path, r.status, r.json() if r.status == 200 else r.text

    with concurrent.futures.ThreadPoolExecutor(len(paths)) as pool:
        return list(pool.map(one, paths))


def burst_paths():
    names = ["main", "local"] + [f"fresh{i}" for i in range(FRESH)]
    return [f"/gil/{names[i % len(names)]}?{i}" for i in range(BURST)]


def check_burst(server, results, old_pids):
    expect_ip = {"main": "main_interpreter", "local": "localhost",
                 **{f"fresh{i}": f"gil_fresh_{i}" for i in range(FRESH)}}
    for path, status, body in results:
        assert status == 200, (path, body)
        name, n = path[len("/gil/"):].split("?")
        pid = body.pop("pid")
        assert body == {"interpreter": expect_ip[name],
                        "square": int(n) ** 2}, path
        assert pid not in old_pids, (path, "answered by an old child")



def restart_to_fresh_children(server):
    """Graceful restart; returns once every old child has exited, without
    sending a request, so the new children have served nothing.  Returns
    the old children's pids."""
    assert server.client().get("/gil/probe").status == 200
    old = server.children()
    os.kill(server.proc.pid, signal.SIGUSR1)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        now = server.children()
        if not (now & old) and now:
            return old
        time.sleep(0.01)
    pytest.fail(f"old children {old & server.children()} still "
                "running 15 s after a graceful restart")


def test_64_simultaneous_first_requests_after_graceful_restart(server):
    old = restart_to_fresh_children(server)
    check_burst(server, burst(server, burst_paths()), old)


def test_64_simultaneous_first_requests_again(server):
    # A second restart: the new children start from scratch again.
    old = restart_to_fresh_children(server)
    check_burst(server, burst(server, burst_paths()), old)


def probe_while(server, thread):
    """Run thread; GET /gil/probe (same child, same interpreter) until it
    ends.  Returns (number of probes, slowest in seconds)."""
    c = server.client(timeout=10.0)
    assert c.get("/gil/probe").status == 200    # interpreter ready
    thread.start()
    slowest = 0.0
    probes = 0
    while thread.is_alive():
        t0 = time.monotonic()
        r = c.get("/gil/probe")
        took = time.monotonic() - t0
        assert r.status == 200 and r.text == "localhost 499500", r
        slowest = max(slowest, took)
        probes += 1
        time.sleep(0.05)
    thread.join()
    return probes, slowest


def threaded_only(server):
    if server.env.mpm == "prefork":
        pytest.skip("prefork: every request has a process of its own")


def test_output_filter_on_slow_cgi_does_not_stall_other_requests(server):
    threaded_only(server)
    result = []

    def get_cgi():
        t0 = time.monotonic()
        result.append((server.client(timeout=20.0).get("/gil/cgi/slow.cgi"),
                       time.monotonic() - t0))

    probes, slowest = probe_while(server, threading.Thread(target=get_cgi))
    r, total = result[0]
    assert (r.status, r.text) == (200, "FIRST PART\nSECOND PART\n"), r
    assert total >= CGI_PAUSE - 0.2, total
    assert probes >= 10, probes
    assert slowest < 0.5, slowest


def send_slowly(port, pieces, delay, result):
    """POST /gil/slow with a chunked body sent one piece every `delay`
    seconds; result gets (status line, body, seconds taken)."""
    t0 = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
        s.sendall(b"POST /gil/slow HTTP/1.1\r\nHost: localhost\r\n"
                  b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
        for piece in pieces:
            time.sleep(delay)
            s.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
        s.sendall(b"0\r\n\r\n")
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    result.append((head.split(b"\r\n")[0], body, time.monotonic() - t0))


def test_input_filter_on_slow_client_does_not_stall_other_requests(server):
    threaded_only(server)
    pieces = [b"%02d-" % i + b"x" * 1000 for i in range(10)]
    result: list = []
    sender = threading.Thread(target=send_slowly,
                              args=(server.port, pieces, 0.3, result))
    probes, slowest = probe_while(server, sender)
    status, body, total = result[0]
    assert status == b"HTTP/1.1 200 OK", (status, body)
    # the (chunked) response body
    assert b"10030 b'00-xxxxx' b'xxxxxxxx'" in body, body
    assert total >= 3.0 - 0.2, total
    assert probes >= 10, probes
    assert slowest < 0.5, slowest
