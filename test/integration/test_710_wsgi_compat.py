"""mod_python.wsgi compatibility (issue 12 items 3 and 4).

- An application yielding str is served (3.5 did), each str encoded as
  req.write() encodes text (UTF-8), with one MP0720 warning per application
  per child; PythonOption mod_python.wsgi.strict_bytes On keeps PEP 3333's
  rule (500, as any non-bytes item).
- wsgi.input_terminated is True, so a Flask application reads a chunked PUT.
Apps in test/htdocs/wsgi_compat.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import re
import subprocess

import pytest

PATH = "PythonPath \"sys.path + ['{htdocs}/wsgi_compat']\""
APPS = {
    "/str/list": "str_apps::listing",
    "/str/gen": "str_apps::generating",
    "/str/write": "str_apps::writing",
    "/str/number": "str_apps::number",
}


def _embedded_has(env, module):
    r = subprocess.run([env.python, "-c", f"import {module}"],
                       capture_output=True, check=False)
    return r.returncode == 0


@pytest.fixture(scope="module")
def server(httpd):
    c = httpd.conf
    for loc, spec in APPS.items():
        c.location(loc, "SetHandler mod_python", PATH,
                   "PythonHandler mod_python.wsgi",
                   f"PythonOption mod_python.wsgi.application {spec}")
    c.location("/strict/list", "SetHandler mod_python", PATH,
               "PythonHandler mod_python.wsgi",
               "PythonOption mod_python.wsgi.application str_apps::listing",
               "PythonOption mod_python.wsgi.strict_bytes On")
    c.location("/script", "SetHandler mod_python",
               "PythonHandler mod_python.wsgi",
               "PythonOption mod_python.wsgi.application "
               "{htdocs}/wsgi_compat/script.wsgi::application")
    if _embedded_has(httpd.env, "flask"):
        c.location("/flaskput", "SetHandler mod_python", PATH,
                   "PythonInterpreter flaskput",
                   "PythonHandler mod_python.wsgi",
                   "PythonOption mod_python.wsgi.application flask_put::app")
    httpd.start()
    return httpd


def _warnings(server, path_spec):
    lines = [line for line in server.log.read_from(0)
             if "MP0720" in line and path_spec in line]
    return lines


def _pid(line):
    m = re.search(r"\[pid (\d+)", line)
    return m.group(1) if m else line


def test_str_list_is_served_utf8(server):
    for _ in range(3):
        r = server.client().get("/str/list")
        assert r.status == 200, r
        assert r.body == "h\u00e9llo w\u00f6rld \u20ac".encode()


def test_str_generator_and_write_callable(server):
    r = server.client().get("/str/gen")
    assert r.status == 200, r
    assert r.body == "bytes+str\u00e9".encode()
    r = server.client().get("/str/write")
    assert r.status == 200, r
    assert r.body == b"written returned"


def test_one_warning_per_application_per_child(server):
    for _ in range(4):
        assert server.client().get("/str/list").status == 200
        assert server.client().get("/str/gen").status == 200
    server.log.wait_for(r"MP0720.*str_apps::generating")
    for spec in ("str_apps::listing", "str_apps::generating"):
        lines = _warnings(server, spec)
        assert lines, f"no MP0720 warning for {spec}"
        pids = [_pid(line) for line in lines]
        assert len(pids) == len(set(pids)), lines  # once per child
        assert "[python:warn]" in lines[0]
        if server.env.mpm != "prefork":
            assert len(lines) == 1, lines


def test_strict_option_keeps_pep3333(server, expect_log):
    expect_log(r"TypeError: WSGI body data must be bytes, not str")
    r = server.client().get("/strict/list")
    assert r.status == 500


def test_other_types_still_refused(server, expect_log):
    expect_log(r"TypeError: WSGI body data must be bytes, not int")
    r = server.client().get("/str/number")
    assert r.status == 500


def test_input_terminated_in_environ(server):
    # build_wsgi_env() (3.5 API) and the handler's environ both carry it
    r = server.client().get("/str/list")
    assert r.status == 200
    env_py = server.htdocs / "wsgi_compat" / "envcheck.py"
    env_py.write_text(
        "from mod_python import apache\n"
        "def handler(req):\n"
        "    env = req.build_wsgi_env()\n"
        "    req.content_type = 'text/plain'\n"
        "    req.write(repr(env.get('wsgi.input_terminated')))\n"
        "    return apache.OK\n")
    os.chmod(env_py, 0o644)
    server.stop()
    server.conf.location("/envcheck", "SetHandler mod_python", PATH,
                         "PythonHandler envcheck")
    server.start()
    r = server.client().get("/envcheck")
    assert r.status == 200, r
    assert r.text == "True"


def test_wsgi_script_file_as_with_wsgiscriptalias(server):
    # docs/mod_wsgi.md: the equivalent of WSGIScriptAlias /script file.wsgi
    r = server.client().get("/script/a/b")
    assert (r.status, r.text) == (200, "/script|/a/b")


def test_flask_reads_a_chunked_put(server):
    if "/flaskput" not in server.conf.text():
        msg = "python3-flask is not installed for the embedded Python"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    payload = os.urandom(70000) + b"end"

    def chunks():
        for i in range(0, len(payload), 8192):
            yield payload[i:i + 8192]

    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.putrequest("PUT", "/flaskput/upload")
        conn.putheader("Transfer-Encoding", "chunked")
        conn.putheader("Content-Type", "application/octet-stream")
        conn.endheaders()
        for chunk in chunks():
            conn.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        conn.send(b"0\r\n\r\n")
        resp = conn.getresponse()
        body = resp.read()
    finally:
        conn.close()
    assert resp.status == 200, body
    import json
    d = json.loads(body)
    assert d["terminated"] is True
    assert d["content_length"] in (None, "")
    assert d["length"] == len(payload)
    assert d["sha256"] == hashlib.sha256(payload).hexdigest()
