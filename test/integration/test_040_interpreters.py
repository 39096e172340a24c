"""Interpreter selection (spec 5.2): default = vhost ServerName, separate
interpreters for two name-based vhosts (a module global differs),
PythonInterpreter, PythonInterpPerDirectory, PythonInterpPerDirective."""

import pytest

I = "{htdocs}/interp"


@pytest.fixture(scope="module")
def server(httpd):
    c = httpd.conf
    c.add(f"PythonPath \"sys.path + ['{I}']\"")
    for d in ("default", "forced_one", "forced_two", "perdir", "perdirective"):
        extra = {
            "forced_one": ["PythonInterpreter one"],
            "forced_two": ["PythonInterpreter two"],
            "perdir": ["PythonInterpPerDirectory On"],
            "perdirective": ["PythonInterpPerDirective On"],
        }.get(d, [])
        c.directory(f"{I}/{d}", "SetHandler mod_python",
                    "PythonHandler in_report", *extra)
    c.vhost("a.test")
    c.vhost("b.test")
    httpd.start()
    return httpd


def test_default_interpreter_is_server_name(server):
    d = server.client().get("/interp/default/x.txt").json()
    assert d["interpreter"] == "localhost"
    assert d["apache_interpreter"] == "localhost"


def test_vhosts_get_their_own_interpreter(server):
    c = server.client()
    assert c.get("/interp/default/x.txt", host="a.test").json()["interpreter"] == "a.test"
    assert c.get("/interp/default/x.txt", host="b.test").json()["interpreter"] == "b.test"


def test_vhost_module_globals_are_separate(server):
    # one keep-alive connection = one child process for all requests
    with server.client().session() as s:
        a1 = s.get("/interp/default/x.txt?mark=A1", host="a.test").json()
        b1 = s.get("/interp/default/x.txt?mark=B1", host="b.test").json()
        a2 = s.get("/interp/default/x.txt?mark=A2", host="a.test").json()
    assert a1["pid"] == b1["pid"] == a2["pid"]
    assert a2["seen"][-2:] == ["A1", "A2"]     # state kept in a.test
    assert "A1" not in b1["seen"] and "A2" not in b1["seen"]
    assert "B1" not in a2["seen"]
    assert b1["apache_interpreter"] == "b.test"


def test_python_interpreter_forces_name(server):
    with server.client().session() as s:
        one = s.get("/interp/forced_one/x.txt?mark=one").json()
        two = s.get("/interp/forced_two/x.txt?mark=two").json()
        one2 = s.get("/interp/forced_one/x.txt").json()
    assert one["interpreter"] == "one" and one["apache_interpreter"] == "one"
    assert two["interpreter"] == "two"
    assert "one" not in two["seen"]
    assert "one" in one2["seen"] and "two" not in one2["seen"]


def test_python_interpreter_applies_in_vhost_too(server):
    d = server.client().get("/interp/forced_one/x.txt", host="a.test").json()
    assert d["interpreter"] == "one"


def test_interp_per_directory(server):
    c = server.client()
    top = c.get("/interp/perdir/x.txt").json()
    sub = c.get("/interp/perdir/sub/x.txt").json()
    assert top["interpreter"] == f"{server.htdocs}/interp/perdir/"
    assert sub["interpreter"] == f"{server.htdocs}/interp/perdir/sub/"


def test_interp_per_directory_for_directory_request(server):
    c = server.client()
    d = c.get("/interp/perdir/sub/").json()
    assert d["interpreter"] == f"{server.htdocs}/interp/perdir/sub/"


def test_interp_per_directive(server):
    c = server.client()
    top = c.get("/interp/perdirective/x.txt").json()
    sub = c.get("/interp/perdirective/sub/x.txt").json()
    want = f"{server.htdocs}/interp/perdirective/"
    assert top["interpreter"] == want
    assert sub["interpreter"] == want
