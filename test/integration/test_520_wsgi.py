"""mod_python.wsgi: environ, status codes (defect 3), wsgi.input streaming,
the write callable, close(), wsgi.file_wrapper, wsgi.errors, base_uri,
wsgiref.validate, and real Flask and Django applications serving a page, a
form POST and a file upload (apps in test/htdocs/wsgi)."""

import os
import subprocess
import uuid

import pytest

APPS = {
    "env": "wsgi_apps::env",
    "echo": "wsgi_apps::echo",
    "lines": "wsgi_apps::lines",
    "status": "wsgi_apps::status404",
    "stream": "wsgi_apps::stream",
    "writer": "wsgi_apps::writer",
    "filewrap": "wsgi_apps::filewrap",
    "fakefile": "wsgi_apps::fakefile",
    "late": "wsgi_apps::late_error",
    "closing": "wsgi_apps::closing",
    "closed": "wsgi_apps::closed",
    "errors": "wsgi_apps::errors",
    "nocallable": "wsgi_apps::no_such_app",
    "keys": "wsgi_apps::keys",
    "badheaders": "wsgi_apps::badheaders",
    "nostart": "wsgi_apps::nostart",
}


def _embedded_has(env, module):
    r = subprocess.run([env.python, "-c", f"import {module}"],
                       capture_output=True, check=False)
    return r.returncode == 0


@pytest.fixture(scope="module")
def frameworks(env):
    return {m: _embedded_has(env, m) for m in ("flask", "django")}


def need(frameworks, name):
    if not frameworks[name]:
        msg = f"python3-{name} is not installed for the embedded Python"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)


@pytest.fixture(scope="module")
def server(httpd, frameworks):
    c = httpd.conf
    path = "PythonPath \"sys.path + ['{htdocs}/wsgi']\""
    for name, spec in APPS.items():
        c.location(f"/wsgi/{name}", "SetHandler mod_python", path,
                   "PythonHandler mod_python.wsgi",
                   f"PythonOption mod_python.wsgi.application {spec}")
    c.location("/based", "SetHandler mod_python", path,
               "PythonHandler mod_python.wsgi",
               "PythonOption mod_python.wsgi.application wsgi_apps::env",
               "PythonOption mod_python.wsgi.base_uri /based/app")
    if frameworks["flask"]:
        c.location("/flask", "SetHandler mod_python", path,
                   "PythonInterpreter flask",
                   "PythonHandler mod_python.wsgi",
                   "PythonOption mod_python.wsgi.application flask_app::app")
    if frameworks["django"]:
        c.location("/django", "SetHandler mod_python", path,
                   "PythonInterpreter django",
                   "PythonHandler mod_python.wsgi",
                   "PythonOption mod_python.wsgi.application djsite.wsgi")
    httpd.start()
    return httpd


def multipart(fields, files):
    boundary = uuid.uuid4().hex
    out = []
    for name, value in fields:
        out.append(f"--{boundary}\r\nContent-Disposition: form-data; "
                   f'name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, filename, data in files:
        out.append(f"--{boundary}\r\nContent-Disposition: form-data; "
                   f'name="{name}"; filename="{filename}"\r\n'
                   "Content-Type: application/octet-stream\r\n\r\n".encode()
                   + data + b"\r\n")
    out.append(f"--{boundary}--\r\n".encode())
    return b"".join(out), f"multipart/form-data; boundary={boundary}"


# -- environ -----------------------------------------------------------------

def test_environ(server):
    r = server.client().get("/wsgi/env/some/path?a=1",
                            headers={"X-Test": "hdr"}, auth=("u", "p"))
    assert r.status == 200, r
    d = r.json()
    assert d["SCRIPT_NAME"] == "/wsgi/env"
    assert d["PATH_INFO"] == "/some/path"
    assert d["QUERY_STRING"] == "a=1"
    assert d["REQUEST_METHOD"] == "GET"
    assert d["HTTP_X_TEST"] == "hdr"
    assert d["HTTP_AUTHORIZATION"].startswith("Basic ")
    assert d["SERVER_PORT"] == str(server.port)
    assert d["wsgi.url_scheme"] == "http"
    assert d["wsgi.version"] == [1, 0]
    assert d["wsgi.run_once"] is False
    threaded = server.env.mpm != "prefork"
    assert d["wsgi.multithread"] is threaded
    # One rule for both environ builders (mod_wsgi's): true when the MPM
    # forks and may run more than one child; the harness gives event
    # ServerLimit 1 and prefork 16.
    assert d["wsgi.multiprocess"] is (server.env.mpm == "prefork")
    assert d["input_type"] == "InputStream"


def test_environ_keys_follow_each_request(server):
    # The environ is built from a per-interpreter template of recent keys:
    # a header of one request must not show up in the next.
    many = {f"X-Many-{i}": str(i) for i in range(90)}  # > TEMPLATE_MAX keys
    sequence = [{"X-Only-Once": "1"}, {}, {"Cookie": "a=b"}, many, {},
                {"X-Only-Once": "2"}, {}]
    with server.client().session() as s:
        for headers in sequence:
            d = s.get("/wsgi/keys", headers=headers).json()
            http = {k for k in d if k.startswith("HTTP_")}
            want = {"HTTP_" + h.upper().replace("-", "_") for h in headers}
            assert want <= http
            assert not {k for k in http - want
                        if "ONLY_ONCE" in k or "MANY" in k or "COOKIE" in k}
            assert d["wsgi.input"] == "InputStream"
            assert d["wsgi.errors"] == "ErrorStream"
            assert d["mod_python.request"] == "mp_request"
            assert all(t == "str" for k, t in d.items() if k.isupper())


@pytest.mark.parametrize("case, first", [
    ("crlf", "ValueError"), ("nul", "ValueError"), ("notuple", "TypeError"),
    ("bytes", "TypeError"), ("length", "ValueError"), ("ok", None)])
def test_start_response_checks(server, case, first):
    r = server.client().get(f"/wsgi/badheaders?{case}")
    assert r.status == 200, r.text
    second = None if first else "RuntimeError"
    assert r.json() == {"first": first, "second": second}
    assert "Injected" not in r.headers


def test_start_response_missing(server, expect_log):
    r = server.client().get("/wsgi/nostart")
    assert r.status == 500
    expect_log(r"did not call start_response")


def test_location_root_gives_empty_path_info(server):
    d = server.client().get("/wsgi/env").json()
    assert d["SCRIPT_NAME"] == "/wsgi/env"
    assert d["PATH_INFO"] == ""


def test_base_uri(server, expect_log):
    d = server.client().get("/based/app/x/y").json()
    assert d["SCRIPT_NAME"] == "/based/app"
    assert d["PATH_INFO"] == "/x/y"
    r = server.client().get("/based/other")
    assert r.status == 404
    expect_log(r"MP0711: mod_python\.wsgi: /based/other is outside")


def test_missing_callable_declines(server, expect_log):
    r = server.client().get("/wsgi/nocallable")
    assert r.status == 404
    expect_log(r"MP0710: mod_python\.wsgi: wsgi_apps has no callable 'no_such_app'")


# -- responses -----------------------------------------------------------------

def test_status_code_is_kept(server):
    r = server.client().get("/wsgi/status")
    assert r.status == 404
    assert r.reason == "Not Found"
    assert r.text == "no such thing"


def test_validated_echo_reads_body(server):
    r = server.client().post("/wsgi/echo", b"line one\nand the rest",
                             headers={"Content-Type": "text/plain"})
    assert r.status == 201, r
    assert r.headers["X-Echo"] == "yes"
    assert r.text == "first=line one\n|rest=and the rest"


def test_validated_input_iteration(server):
    r = server.client().post("/wsgi/lines", b"a\nb\nc\nd\n",
                             headers={"Content-Type": "text/plain"})
    assert r.status == 200, r
    assert r.json() == ["a\n", ["b\n"], ["c\n", "d\n"]]


def test_large_body_streams(server):
    body = os.urandom(300_000).hex().encode()  # 600 kB, one line
    r = server.client().post("/wsgi/echo", body,
                             headers={"Content-Type": "text/plain"})
    assert r.status == 201
    assert r.body == b"first=" + body + b"|rest="


def test_generator_and_duplicate_headers(server):
    r = server.client().get("/wsgi/stream")
    assert r.text == "chunk0;chunk1;chunk2;"
    assert r.headers.get_all("X-Dup") == ["a", "b"]


def test_write_callable(server):
    assert server.client().get("/wsgi/writer").text == "written;returned"


def test_file_wrapper_real_file(server):
    r = server.client().get("/wsgi/filewrap")
    assert r.status == 200
    assert r.body == b"23456789abcdef"
    assert r.headers["Content-Type"] == "application/octet-stream"


def test_file_wrapper_fake_file(server):
    assert server.client().get("/wsgi/fakefile").text == "from a BytesIO"


def test_exc_info_before_output_replaces_status(server):
    r = server.client().get("/wsgi/late")
    assert r.status == 503
    assert r.text == "sorry"


def test_close_is_called(server):
    with server.client().session() as s:
        before = int(s.get("/wsgi/closed").text)
        assert s.get("/wsgi/closing").text == "closing body"
        assert int(s.get("/wsgi/closed").text) == before + 1


def test_wsgi_errors_go_to_error_log(server, expect_log):
    assert server.client().get("/wsgi/errors").text == "logged"
    expect_log(r"wsgi-errors-line one", r"wsgi-errors-line two")


def test_head(server):
    r = server.client().request("HEAD", "/wsgi/stream")
    assert r.status == 200 and r.body == b""


# -- frameworks -------------------------------------------------------------------

@pytest.mark.parametrize("fw", ["flask", "django"])
def test_framework_page(server, frameworks, fw):
    need(frameworks, fw)
    r = server.client().get(f"/{fw}/")
    assert r.status == 200, r.text[-2000:]
    assert f"{fw.capitalize()} index" in r.text
    assert r.headers["Content-Type"].startswith("text/html")
    if fw == "django":
        assert "script=/django" in r.text


@pytest.mark.parametrize("fw", ["flask", "django"])
def test_framework_404(server, frameworks, fw):
    need(frameworks, fw)
    r = server.client().get(f"/{fw}/missing")
    assert r.status == 404
    assert r.text == "not here"


@pytest.mark.parametrize("fw", ["flask", "django"])
def test_framework_form_post(server, frameworks, fw):
    need(frameworks, fw)
    r = server.client().post(
        f"/{fw}/form", b"name=J%C3%BCrgen&n=1&n=2",
        headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status == 200, r.text[-2000:]
    assert r.text == "name=J\u00fcrgen n=['1', '2']"


@pytest.mark.parametrize("fw", ["flask", "django"])
def test_framework_upload(server, frameworks, fw):
    need(frameworks, fw)
    data = b"HELLO" + os.urandom(100_000)
    body, ctype = multipart([("note", "a note")], [("file", "up.bin", data)])
    r = server.client().post(f"/{fw}/upload", body,
                             headers={"Content-Type": ctype})
    assert r.status == 200, r.text[-2000:]
    assert r.text == f"up.bin:{len(data)}:HELLO:a note"

