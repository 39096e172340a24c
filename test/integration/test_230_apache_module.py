"""mod_python.apache functions of spec 2.2 that wrap _apache: stat, table,
make_table, log_error, mpm_query, exists_config_define, server_root,
config_tree; called from a handler (test/htdocs/api/api_module.py)."""

import pytest


@pytest.fixture(scope="module")
def server(httpd):
    c = httpd.conf
    c.add("Define API_TEST_DEFINE")
    c.location("/mod", "SetHandler mod_python",
               "PythonPath \"sys.path + ['{htdocs}/api']\"",
               "PythonOption api.marker here",
               "PythonHandler api_module")
    c.vhost("m.test", c.block("Location", "/mod", "SetHandler mod_python",
                              "PythonPath \"sys.path + ['{htdocs}/api']\"",
                              "PythonHandler api_module"))
    httpd.start()
    return httpd


@pytest.fixture(scope="module")
def data(server):
    r = server.client().get("/mod")
    assert r.status == 200, r.text
    return r.json()


def test_server_root(data, server):
    assert data["server_root"] == str(server.root)


def test_mpm_query(data, server):
    m = data["mpm"]
    if server.env.mpm == "prefork":
        assert m["threaded"] == 0            # AP_MPMQ_NOT_SUPPORTED
        assert m["forked"] == 2              # AP_MPMQ_DYNAMIC
        assert m["max_daemons"] == 16 and m["max_threads"] == 1
    else:
        assert m["threaded"] == 1            # AP_MPMQ_STATIC
        assert m["forked"] == 2
        assert m["max_threads"] == 16
    assert m["unknown"] == 0


def test_exists_config_define(data):
    assert data["defines"] == {"FOREGROUND": True, "API_TEST_DEFINE": True,
                               "NOT_DEFINED": False}


def test_config_tree(data):
    assert data["tree_type"] == "list"
    # (ServerRoot, LoadModule... run while reading and are not kept)
    assert data["tree_first"] == ["ServerName", "localhost"]
    # nested: the directive is found with its enclosing section
    assert ["api.marker here", "<Location /mod>"] in data["marker"]


def test_table_make_table_stat(data):
    assert data["table_is_make_table"] is True
    assert data["table_type"] == "table"
    assert data["make_table"] == {"k": "v"}
    assert data["stat_type"] == "mp_finfo"


def test_log_error(data, server, expect_log):
    assert data["log_none"] is None
    server.client().get("/mod", host="m.test")
    expect_log(r"\[python:notice\].*api_module: main server notice",
               r"\[python:notice\].*api_module: vhost notice",
               r"\[python:notice\].*api_module: bytes message")


def test_bad_arguments(data):
    assert data["bad"] == {
        "mpm_query('x')": "TypeError",
        "mpm_query()": "TypeError",
        "exists_config_define(5)": "TypeError",
        "log_error(level=str)": "TypeError",
        "log_error(server=5)": "TypeError",
        "server_root(1)": "TypeError",
        "config_tree(1)": "TypeError",
        "table(5)": "TypeError",
    }
