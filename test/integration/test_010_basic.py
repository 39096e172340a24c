"""Basic content handling: hello, headers, request attributes, the handler
directory on sys.path, Location + PythonPath, the legacy python-program
handler name, the Server header."""

import pytest


@pytest.fixture(scope="module")
def server(httpd):
    c = httpd.conf
    c.directory("{htdocs}/basic", "SetHandler mod_python",
                "PythonHandler basic_hello",
                c.block("Files", '"attrs.txt"', "PythonHandler basic_attrs",
                        # own interpreter: the PythonPath of /attrs (which
                        # changes sys.path for good) never ran there
                        "PythonInterpreter basic_files"),
                c.block("Files", '"page.txt"',
                        "PythonHandler basic_class::Page.render"))
    c.location("/attrs", "SetHandler mod_python",
               "PythonPath \"sys.path + ['{htdocs}/basic']\"",
               "PythonHandler basic_attrs")
    c.location("/legacy", "SetHandler python-program",
               "PythonPath \"sys.path + ['{htdocs}/basic']\"",
               "PythonHandler basic_hello")
    httpd.start()
    return httpd


def test_hello(server):
    r = server.client().get("/basic/anything")
    assert r.status == 200
    assert r.text == "Hello, mod_python!\n"
    assert r.headers["Content-Type"].startswith("text/plain")


def test_hello_existing_file_goes_to_handler(server):
    # SetHandler: the static file is not served, the handler answers
    r = server.client().get("/basic/static.txt")
    assert r.status == 200
    assert r.text == "Hello, mod_python!\n"


def test_server_header_names_mod_python_and_python(server):
    r = server.client().get("/basic/x")
    assert "mod_python" in r.headers["Server"]
    assert "Python" in r.headers["Server"]


def test_request_attributes(server):
    r = server.client().get("/attrs/some/path?a=1&b=2",
                            headers={"X-Test": "hello header"})
    assert r.status == 200, r.text
    assert r.headers["X-Handler"] == "basic_attrs"
    assert r.headers["Content-Type"].startswith("application/json")
    d = r.json()
    assert d["method"] == "GET"
    assert d["uri"] == "/attrs/some/path"
    assert d["unparsed_uri"] == "/attrs/some/path?a=1&b=2"
    assert d["args"] == "a=1&b=2"
    assert d["protocol"] == "HTTP/1.1"
    assert d["hostname"] == "127.0.0.1"
    assert d["x_test"] == "hello header"
    # default interpreter: the (v)host's ServerName
    assert d["interpreter"] == "localhost"
    assert d["apache_interpreter"] == "localhost"


def test_location_pythonpath(server):
    d = server.client().get("/attrs/").json()
    assert str(server.htdocs / "basic") in d["sys_path"]


def test_directory_handler_dir_prepended_to_sys_path(server):
    # <Files> inside <Directory basic>: the handler directory is basic/,
    # which is put on sys.path (there is no PythonPath for it)
    r = server.client().get("/basic/attrs.txt")
    assert r.status == 200, r.text
    d = r.json()
    basic = str(server.htdocs / "basic")
    assert d["filename"] == basic + "/attrs.txt"
    assert d["module_file"].startswith(basic + "/")
    assert d["interpreter"] == "basic_files"
    assert basic in [p.rstrip("/") for p in d["sys_path"]]


def test_class_in_dotted_object_is_instantiated(server):
    r = server.client().get("/basic/page.txt")
    assert r.status == 200, r.text
    assert r.text == "rendered by Page for /basic/page.txt"


def test_legacy_python_program_handler_name(server):
    r = server.client().get("/legacy/x")
    assert r.status == 200
    assert r.text == "Hello, mod_python!\n"


def test_head_request(server):
    r = server.client().request("HEAD", "/basic/x")
    assert r.status == 200
    assert r.body == b""
