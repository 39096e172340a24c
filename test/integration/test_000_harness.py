"""The harness itself, on an httpd without mod_python: start, static file,
Host header, keep-alive, restart, `httpd -t`, and the error-log judge."""

import pytest
from harness.errorlog import find_problems


@pytest.fixture(scope="module")
def server(httpd_plain):
    httpd_plain.write_file("plain/hello.txt", "static hello\n")
    httpd_plain.conf.vhost("other.test", "Alias /other {htdocs}/plain")
    httpd_plain.start()
    return httpd_plain


def test_static_file(server):
    r = server.client().get("/plain/hello.txt")
    assert r.status == 200
    assert r.text == "static hello\n"
    assert r.headers["Content-Type"].startswith("text/plain")


def test_vhost_by_host_header(server):
    c = server.client()
    assert c.get("/other/hello.txt", host="other.test").status == 200
    # the default vhost (the main server's name) does not have the alias
    assert c.get("/other/hello.txt").status == 404


def test_keepalive_session(server):
    with server.client().session() as s:
        for _ in range(3):
            assert s.get("/plain/hello.txt").status == 200


def test_restart(server):
    gen = server.generation
    server.restart()
    assert server.generation > gen
    assert server.client().get("/plain/hello.txt").status == 200


def test_configtest_reports_errors(server):
    ok = server.configtest()
    assert ok.returncode == 0, ok.stderr
    bad = server.configtest(server.conf.text() + "NoSuchDirective on\n")
    assert bad.returncode != 0
    assert "NoSuchDirective" in bad.stderr


def test_log_judge():
    head = "[Sun Nov 23 22:00:00.000001 2025] "
    lines = [
        head + "[python:error] [pid 1:tid 2] [client 127.0.0.1:9] "
        "MP0100: PythonHandler m: ValueError: boom (interpreter 'x')",
        head + "[python:error] [pid 1:tid 2] [client 127.0.0.1:9] "
        "  File \"/x/m.py\", line 3, in handler",
        head + "[python:info] [pid 1:tid 2] harmless",
        head + "[core:notice] [pid 7] AH00052: child pid 9 exit signal "
        "Segmentation fault (11)",
        head + "[python:crit] [pid 3:tid 4] MP0001: something else",
    ]
    # no allowlist: both python lines, the traceback line, and the crash
    assert [p.kind for p in find_problems(lines)] == [
        "python", "python", "crash", "python"]
    # MP0100 allowed: its traceback line goes with it; crash never allowed
    assert [p.kind for p in find_problems(lines, ["MP0100"])] == [
        "crash", "python"]
    assert find_problems(lines[:3], [r"MP0100: .*ValueError"]) == []


def test_log_is_clean(server):
    assert server.log.problems(0) == []
