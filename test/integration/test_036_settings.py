"""Scalar Python* directives are compiled into typed settings when they are
read (httpd.conf and .htaccess alike) and merged field by field: what the
dispatcher uses (req._settings()) always agrees with what req.get_config()
shows, in every scope."""

import pytest

S = "{htdocs}/settings"


@pytest.fixture(scope="module")
def server(httpd):
    c = httpd.conf
    c.directory(S, "SetHandler mod_python", "PythonHandler show",
                "PythonDebug On", "PythonAutoReload Off",
                f"PythonPath \"sys.path + ['{S}']\"")
    c.directory(f"{S}/sub", "PythonDebug Off", "PythonEnablePdb On",
                "PythonInterpreter sub_interp")
    c.directory(f"{S}/ht", "AllowOverride All")
    httpd.start()
    return httpd


def test_section_settings(server):
    d = server.client().get("/settings/x").json()
    assert d["settings"] == {
        "python_path": f"sys.path + ['{server.htdocs}/settings']",
        "interpreter": None, "debug": True, "pdb": False,
        "autoreload": False,
    }
    assert d["config"]["PythonDebug"] == "1"
    assert d["config"]["PythonAutoReload"] == "0"


def test_nested_section_overrides_field_by_field(server):
    d = server.client().get("/settings/sub/x").json()
    s = d["settings"]
    # set here
    assert (s["debug"], s["pdb"], s["interpreter"]) == (False, True,
                                                          "sub_interp")
    # inherited from the enclosing section
    assert s["autoreload"] is False
    assert s["python_path"] == f"sys.path + ['{server.htdocs}/settings']"
    assert d["interpreter_used"] == "sub_interp"
    assert d["config"]["PythonInterpreter"] == "sub_interp"
    assert d["config"]["PythonEnablePdb"] == "1"


def test_htaccess_compiles_through_the_same_table(server):
    d = server.client().get("/settings/ht/x").json()
    s = d["settings"]
    assert (s["debug"], s["autoreload"], s["interpreter"]) == (
        False, True, "from_htaccess")
    assert d["interpreter_used"] == "from_htaccess"
    assert d["config"]["PythonAutoReload"] == "1"
    assert d["config"]["PythonDebug"] == "0"
