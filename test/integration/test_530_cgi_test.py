"""mod_python.cgihandler (CGI scripts in test/htdocs/cgi run in-process)
and mod_python.testhandler (the diagnostic page, which never shows the
error log)."""

import os
import uuid

import pytest


@pytest.fixture(scope="module")
def server(httpd):
    c = httpd.conf
    c.directory("{htdocs}/cgi", "SetHandler mod_python",
                "PythonHandler mod_python.cgihandler")
    c.location("/testhandler", "SetHandler mod_python",
               "PythonHandler mod_python.testhandler",
               "PythonOption test_option test_value")
    httpd.start()
    return httpd


def test_cgi_environment_and_headers(server):
    r = server.client().get("/cgi/hello.py?a=1", headers={"X-Test": "hdr"})
    assert r.status == 200, r
    assert r.headers["Content-Type"] == "application/json"
    assert r.headers["X-Cgi"] == "yes"
    d = r.json()
    cgi_dir = str(server.htdocs / "cgi")
    assert d["method"] == "GET"
    assert d["query"] == "a=1"
    assert d["x_test"] == "hdr"
    assert d["script_filename"] == cgi_dir + "/hello.py"
    assert d["cwd"] == cgi_dir
    assert d["argv0"] == cgi_dir + "/hello.py"
    assert d["name"] == "__main__"


def test_cgi_stdin_is_the_body(server):
    r = server.client().post("/cgi/hello.py", "caf\u00e9 body".encode(),
                             headers={"Content-Type": "text/plain"})
    assert r.json()["body"] == "caf\u00e9 body"


def test_cgi_status_header(server):
    r = server.client().get("/cgi/status.py")
    assert r.status == 404
    assert r.text == "cgi says not found\n"


def test_cgi_location_redirects(server):
    r = server.client().get("/cgi/redirect.py")
    assert r.status == 302
    assert r.headers["Location"] == "/cgi/hello.py"


def test_cgi_binary_output(server):
    r = server.client().get("/cgi/binary.py")
    assert r.body == bytes(range(256))


def test_cgi_sys_exit_is_normal_end(server):
    r = server.client().get("/cgi/exits.py")
    assert r.status == 200
    assert r.text == "before exit\n"


def test_cgi_missing_script_is_404(server):
    assert server.client().get("/cgi/nope.py").status == 404


def test_cgi_symlink_outside_directory_is_404(server):
    link = server.htdocs / "cgi" / "outside.py"
    if not link.exists():
        os.symlink(server.htdocs / "publisher" / "noauth.py", link)
    assert server.client().get("/cgi/outside.py").status == 404


def test_cgi_environment_does_not_leak(server):
    with server.client().session() as s:
        assert s.get("/cgi/environ_leak.py", headers={"X-Leak": "oops"}).text == "oops\n"
        assert s.get("/cgi/environ_leak.py").text == "no leak\n"


def test_cgi_helper_module_reimported(server):
    helper = server.htdocs / "cgi" / "cgi_helper.py"
    with server.client().session() as s:
        assert s.get("/cgi/hello.py").json()["helper"] == "helper v1"
        helper.write_text('VALUE = "helper v2"\n')
        assert s.get("/cgi/hello.py").json()["helper"] == "helper v2"


def test_testhandler_page(server):
    r = server.client().get("/testhandler", headers={"X-Diag": "diag-header"})
    assert r.status == 200, r
    assert r.headers["Content-Type"] == "text/html; charset=utf-8"
    for text in ("General information", "Python version", "sys.path",
                 "publisher importable", "psp importable", "Request input headers",
                 "diag-header", "test_option", "test_value", "Server configuration",
                 "Configuration tree", "Error log"):
        assert text in r.text, text
    assert "<td><code>yes</code></td>" in r.text


def test_testhandler_never_shows_the_error_log(server):
    token = "log-token-" + uuid.uuid4().hex
    server.client().get(f"/{token}")  # info line "File does not exist: ...token"
    assert server.log.wait_for(token, 0, 3.0)
    r = server.client().get("/testhandler?view_log=1")
    assert r.status == 200
    assert token not in r.text
