"""PythonImport (spec 1.9): modules imported at child start in the named
interpreter, `module::func` called, other interpreters untouched, and a
failing import logged without stopping the server."""

import pytest

# imp_broken fails in every child at start (and prefork starts children
# during the tests too)
LOG_ALLOW = [r"imp_broken"]


@pytest.fixture(scope="module")
def server(httpd):
    c = httpd.conf
    c.add("PythonPath \"sys.path + ['{htdocs}/import']\"",
          "PythonImport imp_broken localhost",
          "PythonImport imp_startup localhost",
          "PythonImport imp_startup::init localhost",
          "PythonImport imp_named named_interp")
    c.directory("{htdocs}/import", "SetHandler mod_python",
                "PythonHandler imp_report")
    c.directory("{htdocs}/import/named", "PythonInterpreter named_interp")
    httpd.start()
    return httpd


def test_module_imported_at_child_start(server):
    d = server.client().get("/import/x.txt").json()
    assert d["interpreter"] == "localhost"
    assert d["startup"]["loaded"] is True
    assert d["startup"]["imported_in"] == "localhost"
    assert d["startup"]["pid"] == d["pid"]


def test_function_called_once(server):
    d = server.client().get("/import/x.txt").json()
    assert d["startup"]["calls"] == ["init"]


def test_named_interpreter_gets_its_import_only(server):
    c = server.client()
    main = c.get("/import/x.txt").json()
    named = c.get("/import/named/x.txt").json()
    assert named["interpreter"] == "named_interp"
    assert named["named"] == {"loaded": True, "imported_in": "named_interp",
                              "pid": None, "calls": None}
    assert named["startup"] == {"loaded": False}
    assert main["named"] == {"loaded": False}


def test_failed_import_is_logged_and_server_serves(server):
    assert server.log.wait_for(r"imp_broken.*RuntimeError|RuntimeError.*imp_broken",
                               0, timeout=3) is not None, server.log.tail()
    assert server.client().get("/import/x.txt").status == 200
