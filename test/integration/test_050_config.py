"""Configuration: PythonPath, PythonOption merge and removal, PythonDebug
On/Off, a handler in .htaccess, and config errors found by `httpd -t`."""

import pytest

C = "{htdocs}/config"


@pytest.fixture(scope="module")
def server(httpd):
    c = httpd.conf
    c.add("PythonOption srv_opt S")
    c.location("/cfgpath", "SetHandler mod_python",
               f"PythonPath \"sys.path + ['{C}/lib']\"",
               "PythonHandler cfg_pathmod")
    c.directory(f"{C}/opts", "SetHandler mod_python", "PythonHandler cfg_opts",
                "PythonOption a 1", "PythonOption b 2")
    c.directory(f"{C}/opts/sub", "PythonOption b", "PythonOption c 3",
                "PythonOption A override")
    c.directory(f"{C}/debug", "SetHandler mod_python", "PythonHandler cfg_raise",
                "PythonDebug On")
    c.directory(f"{C}/debug/off", "PythonDebug Off")
    c.directory(f"{C}/htaccess", "AllowOverride All")
    httpd.start()
    return httpd


def test_pythonpath_finds_module_outside_handler_dirs(server):
    r = server.client().get("/cfgpath/x")
    assert r.status == 200, r.text
    assert r.text == f"pathmod {server.htdocs}/config/lib"


def test_options_merge_with_server_level(server):
    d = server.client().get("/config/opts/x.txt").json()
    assert d["options"] == {"srv_opt": "S", "a": "1", "b": "2"}
    assert d["upper_a"] == "1"      # keys are case-insensitive
    assert d["has_b"] is True


def test_option_without_value_removes_it_in_subsection(server):
    d = server.client().get("/config/opts/sub/x.txt").json()
    opts = {k.lower(): v for k, v in d["options"].items()}
    assert opts == {"srv_opt": "S", "a": "override", "c": "3"}
    assert d["has_b"] is False
    assert d["upper_a"] == "override"


def test_debug_on_shows_escaped_traceback(server, expect_log):
    expect_log(r"MP0100: .*ValueError: boom <&> debug")
    r = server.client().get("/config/debug/x.txt")
    assert r.status == 500
    assert r.headers["Content-Type"].startswith("text/html")
    assert "<pre>" in r.text
    assert "Mod_python error:" in r.text
    assert "ValueError: boom &lt;&amp;&gt; debug" in r.text
    assert "boom <&>" not in r.text
    assert "Traceback" in r.text


def test_debug_off_gives_plain_500(server, expect_log):
    expect_log(r"MP0100: .*ValueError: boom <&> debug")
    r = server.client().get("/config/debug/off/x.txt")
    assert r.status == 500
    assert "Traceback" not in r.text
    assert "boom" not in r.text
    assert "Mod_python error" not in r.text


def test_handler_in_htaccess(server):
    r = server.client().get("/config/htaccess/x.txt")
    assert r.status == 200, r.text
    assert r.text == "htaccess ok from_htaccess=yes"


def _configtest(server, *lines):
    text = server.conf.text() + "\n".join(server.fmt(ln) for ln in lines) + "\n"
    return server.configtest(text)


def test_config_is_valid(server):
    res = _configtest(server)
    assert res.returncode == 0, res.stderr


@pytest.mark.parametrize("directive", [
    "PythonPostReadRequestHandler", "PythonTransHandler"])
def test_ext_list_rejected_for_server_only_phases(server, directive):
    res = _configtest(server, f"{directive} mod | .py")
    assert res.returncode != 0
    assert directive in res.stderr or ".py" in res.stderr, res.stderr


@pytest.mark.parametrize("directive", [
    "PythonPostReadRequestHandler mod", "PythonTransHandler mod",
    "PythonImport mod some_interp"])
def test_server_only_directives_rejected_in_directory(server, directive):
    res = _configtest(server, '<Directory "{htdocs}/config">', directive,
                      "</Directory>")
    assert res.returncode != 0
    assert "not allowed" in res.stderr, res.stderr


def test_debug_takes_on_off(server):
    res = _configtest(server, "PythonDebug Maybe")
    assert res.returncode != 0
    assert "PythonDebug" in res.stderr
