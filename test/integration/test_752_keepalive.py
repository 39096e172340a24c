"""req.connection.keepalive reads what mod_python 3.5 reads (issue 12
item 6).

Why 0 and 2: Apache sets c->keepalive in ap_set_keepalive(), called by the
HTTP header filter when the response headers go out; until then it is
AP_CONN_UNKNOWN (0) on every request, the first of a connection or not.
Both 3.5 and this module read the field live, so a handler sees 0 before
its first flushed output and AP_CONN_KEEPALIVE (2) after it on a keep-alive
HTTP/1.1 connection (AP_CONN_CLOSE, 1, when the client asked for close).
3.5's req.write(data) flushes by default, so "2 in a handler" is what a
handler printing the value after some output sees.  The one place we
differed: req.write("") sent the headers (so 2 afterwards, and a later
status was lost); 3.5 sends nothing for an empty write.

Every test also runs against Debian's mod_python 3.5 (the anchor) when it
is installed, to show the values are 3.5's.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import HttpdServer

ANCHOR_SO = Path("/usr/lib/apache2/modules/mod_python.so")
AP_CONN_UNKNOWN, AP_CONN_CLOSE, AP_CONN_KEEPALIVE = 0, 1, 2


@pytest.fixture(scope="module", params=["ours", "3.5"])
def server(request, env, httpd):
    if request.param == "ours":
        srv = httpd
    else:
        if not ANCHOR_SO.is_file():
            pytest.skip("Debian's libapache2-mod-python (3.5) is not installed")
        env35 = type(env).__new__(type(env))
        env35.__dict__.update(env.__dict__, module_so=ANCHOR_SO)
        base_env = env.httpd_env()
        # 3.5 finds its Python through PATH: Debian's, not a pyenv shim.
        env35.httpd_env = lambda: {**base_env, "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
        srv = HttpdServer(env35, "test_752_keepalive_35")
    srv.conf.directory("{htdocs}/keepalive", "SetHandler mod_python",
                       "PythonHandler ka_report", "PythonLogHandler ka_report")
    srv.start()
    if request.param == "3.5":
        banner = srv.client().get("/__alive.txt").headers.get("Server", "")
        if "mod_python/3.5" not in banner:
            srv.cleanup()
            pytest.skip(f"{ANCHOR_SO} is not mod_python 3.5 ({banner})")
    yield srv
    if srv is not httpd:
        srv.cleanup()


def parse(text: str) -> dict[str, int]:
    return {k: int(v) for k, v in (line.split("=", 1) for line in text.splitlines()
                                   if "=" in line)}


def test_keepalive_request_unknown_before_output_keepalive_after(server):
    with server.client().session() as s:
        first = parse(s.get("/keepalive/x").text)
        second = parse(s.get("/keepalive/x").text)
    for d in (first, second):
        assert d["before"] == AP_CONN_UNKNOWN
        assert d["after_unflushed"] == AP_CONN_UNKNOWN
        assert d["after_flush"] == AP_CONN_KEEPALIVE
    assert second["keepalives"] == first["keepalives"] + 1


def test_keepalive_after_a_default_write(server):
    with server.client().session() as s:
        d = parse(s.get("/keepalive/x?write").text)
    assert d["before"] == AP_CONN_UNKNOWN
    assert d["after_write"] == AP_CONN_KEEPALIVE


def test_connection_close_reads_close_after_output(server):
    d = parse(server.client().get("/keepalive/x").text)   # Connection: close
    assert d["before"] == AP_CONN_UNKNOWN
    assert d["after_flush"] == AP_CONN_CLOSE


def test_empty_write_sends_nothing(server):
    with server.client().session() as s:
        r = s.get("/keepalive/x?empty")
    assert parse(r.text)["after_empty"] == AP_CONN_UNKNOWN
    assert r.status == 201
    assert r.headers["X-After-Empty"] == "yes"


def test_log_phase_reads_keepalive(server):
    with server.client().session() as s:
        s.get("/keepalive/x?write")
    assert server.log.wait_for(r"ka_report log phase keepalive=2",
                               server.checked_offset, 5)
