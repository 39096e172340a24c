"""Cleanups in the order of spec 5.4: req.register_cleanup callbacks (last
registered first) run before PythonCleanupHandler; a raising cleanup is
logged (MP0106) and the others still run; a non-callable is refused with
ValueError; PythonCleanupHandler runs even when it is the only Python
directive of the request; apache.register_cleanup and
req.server.register_cleanup run when the child exits."""

import time

import pytest


@pytest.fixture(scope="module")
def server(httpd):
    c = httpd.conf
    c.directory("{htdocs}/cleanups", "SetHandler mod_python",
                "PythonHandler cl_handlers",
                "PythonCleanupHandler cl_handlers::cleanuphandler",
                c.block("Files", '"child"', "PythonHandler cl_handlers::child"))
    c.directory("{htdocs}/cleanups/only", "SetHandler None",
                "PythonCleanupHandler cl_only")
    httpd.start()
    return httpd


def wait_lines(path, n, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists():
            lines = path.read_text().splitlines()
            if len(lines) >= n:
                return lines
        time.sleep(0.02)
    return path.read_text().splitlines() if path.exists() else None


def test_register_cleanup_order_and_errors(server, expect_log):
    expect_log(r"MP0106: .*Error calling cleanup object.*RuntimeError: "
               r"cleanup failed on purpose")
    r = server.client().get("/cleanups/x?t1")
    assert r.status == 200
    assert r.text.startswith("ValueError: ")
    lines = wait_lines(server.root / "tmp" / "cl-t1", 3)
    # LIFO, the raising one in the middle did not stop the others, and
    # PythonCleanupHandler comes last
    assert lines == ["req /cleanups/x", "first", "cleanuphandler"]


def test_cleanup_handler_alone_runs(server):
    r = server.client().get("/cleanups/only/static.txt?t2")
    assert (r.status, r.text) == (200, "static content\n")
    assert wait_lines(server.root / "tmp" / "only-t2", 1) == [
        "/cleanups/only/static.txt 200"]


def test_cleanup_handler_alone_runs_for_errors_too(server):
    r = server.client().get("/cleanups/only/missing.txt?t3")
    assert r.status == 404
    assert wait_lines(server.root / "tmp" / "only-t3", 1) == [
        "/cleanups/only/missing.txt 404"]


def test_child_exit_cleanups(server):
    # must be the last test: it stops the server
    r = server.client().get("/cleanups/child?t4")
    assert r.status == 200
    pid = r.text
    tmp = server.root / "tmp"
    assert not (tmp / "child-apache-t4").exists()
    server.stop()
    assert (tmp / "child-apache-t4").read_text() == f"{pid} localhost\n"
    assert (tmp / "child-server-t4").read_text() == f"{pid}\n"
