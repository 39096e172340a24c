"""The request object (spec 2.5): every attribute and method through a real
Apache, read/write rules, bad arguments, identity of main/prev/next, the
instance __dict__ across phases, expiry, body reading (chunked too), Basic
credentials, sendfile, conditional GET, allow_methods, writes after the
client closed, and the WSGI helpers (spec 3.4).  Handlers: test/htdocs/api/.
"""

import base64
import http.client
import json
import os
import socket
import time
from urllib.parse import quote

import pytest

API_PATH = "PythonPath \"sys.path + ['{htdocs}/api']\""


def files(name, *lines):
    return ("Files", f'"{name}"', *lines)


@pytest.fixture(scope="module")
def server(httpd):
    c = httpd.conf
    c.add("AddHandler python-program .PSX")

    def fb(name, *lines):
        return c.block("Files", f'"{name}"', *lines)

    c.directory(
        "{htdocs}/api", "SetHandler mod_python", "PythonDebug On",
        "PythonOption api.tmp {tmp}", "PythonOption api.a 1",
        'PythonOption api.empty ""',
        "PythonHandler api_attrs",
        fb("methods", "PythonHandler api_methods"),
        fb("allow", "PythonHandler api_allow"),
        fb("phases", "PythonFixupHandler api_phases",
           "PythonHandler api_phases"),
        fb("expired", "PythonHandler api_expired"),
        fb("body", "PythonHandler api_body"),
        fb("redir_from", "PythonHandler api_redirect::source"),
        fb("redir_to", "PythonHandler api_redirect::target"),
        fb("sendfile", "PythonHandler api_sendfile"),
        fb("writes", "PythonHandler api_writes"),
        fb("cond.txt", "PythonHandler api_cond"),
        fb("closed", "PythonHandler api_closed"),
        fb("wsgi_env", "PythonHandler api_wsgi::env"),
        fb("wsgi_respond", "PythonHandler api_wsgi::respond"),
        fb("wsgi_bad", "PythonHandler api_wsgi::badargs"),
        fb("wsgi_exc", "PythonHandler api_wsgi::excinfo"),
    )
    c.directory(
        "{htdocs}/api/dirindex", "SetHandler None",
        "DirectoryIndex index.mpy", "AddHandler mod_python .mpy",
        API_PATH, "PythonFixupHandler api_subreq",
        "PythonHandler api_subreq")
    for loc, extra in [("/api_auth", ['AuthType Basic',
                                      'AuthName "api realm"']),
                       ("/api_noauth", [])]:
        c.location(loc, "SetHandler mod_python", API_PATH, *extra,
                   "PythonHandler api_auth")
    # WSGI SCRIPT_NAME rules: Location path, base_uri, none
    c.location("/wsgiloc/", "SetHandler mod_python", API_PATH,
               "PythonHandler api_wsgi::env")
    c.location("/wsgibase", "SetHandler mod_python", API_PATH,
               "PythonOption mod_python.wsgi.base_uri /wsgibase/app",
               "PythonHandler api_wsgi::env")
    # A base_uri ending in '/' is refused by `apache2 -t` (MP0036, see
    # test_750_config_check.py), so it cannot reach build_wsgi_env.
    httpd.start()
    return httpd


# ---------------------------------------------------------------------------
# attributes
# ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def attrs(server):
    r = server.client().get("/api/attrs/more/path?q=1&r=2",
                            headers={"X-Test": "t"})
    assert r.status == 200, r.text
    return r.json()


def test_every_attribute_has_the_right_type(attrs, server):
    v = attrs["values"]
    expect = {
        "connection": "mp_conn", "server": "mp_server",
        "next": "NoneType", "prev": "NoneType", "main": "NoneType",
        "the_request": "str", "assbackwards": "int", "proxyreq": "int",
        "header_only": "int", "protocol": "str", "proto_num": "int",
        "hostname": "str", "request_time": "float", "status_line": "NoneType",
        "status": "int", "method": "str", "method_number": "int",
        "allowed": "int", "allowed_xmethods": "tuple",
        "allowed_methods": "tuple", "sent_bodyct": "int",
        "bytes_sent": "int", "mtime": "float", "chunked": "int",
        "range": "NoneType", "clength": "int", "remaining": "int",
        "read_length": "int", "read_body": "int", "read_chunked": "int",
        "expecting_100": "int", "content_type": "NoneType",
        "content_encoding": "NoneType", "content_languages": "tuple",
        "handler": "str", "vlist_validator": "NoneType", "user": "NoneType",
        "ap_auth_type": "NoneType", "no_cache": "int",
        "no_local_copy": "int", "unparsed_uri": "str", "uri": "str",
        "filename": "str", "canonical_filename": "str", "path_info": "str",
        "args": "str", "finfo": "mp_finfo", "parsed_uri": "tuple",
        "used_path_info": "int", "headers_in": "table",
        "headers_out": "table", "err_headers_out": "table",
        "subprocess_env": "table", "notes": "table", "eos_sent": "int",
        "useragent_ip": "str", "useragent_addr": "tuple",
        "interpreter": "str", "phase": "str", "extension": "NoneType",
        "hlist": "mp_hlist", "_content_type_set": "int",
        "_bytes_queued": "int", "_request_rec": "PyCapsule",
    }
    assert len(expect) == 64
    assert set(v) == set(expect)
    wrong = {k: v[k]["type"] for k in expect if v[k]["type"] != expect[k]}
    assert wrong == {}


def test_attribute_values(attrs, server):
    v = {k: d["value"] for k, d in attrs["values"].items()}
    htdocs = str(server.htdocs)
    assert v["the_request"] == "GET /api/attrs/more/path?q=1&r=2 HTTP/1.1"
    assert v["method"] == "GET" and v["method_number"] == 0
    assert v["protocol"] == "HTTP/1.1" and v["proto_num"] == 1001
    assert v["hostname"] == "127.0.0.1"
    assert abs(v["request_time"] - time.time()) < 60
    assert v["status"] == 200
    assert v["header_only"] == 0
    assert v["uri"] == "/api/attrs/more/path"
    assert v["unparsed_uri"] == "/api/attrs/more/path?q=1&r=2"
    assert v["args"] == "q=1&r=2"
    assert v["filename"] == htdocs + "/api/attrs"
    assert v["path_info"] == "/more/path"
    assert v["handler"] == "mod_python"
    assert v["parsed_uri"][6] == "/api/attrs/more/path"
    assert v["parsed_uri"][7] == "q=1&r=2"
    assert v["used_path_info"] == 2
    assert v["useragent_ip"] == "127.0.0.1"
    assert v["useragent_addr"][0] == "127.0.0.1"
    assert isinstance(v["useragent_addr"][1], int)
    assert v["interpreter"] == "localhost"
    assert v["phase"] == "PythonHandler"
    assert v["read_body"] == 0 and v["remaining"] == 0
    assert v["_content_type_set"] == 0 and v["_bytes_queued"] == 0
    assert v["bytes_sent"] == 0 and v["sent_bodyct"] == 0


def test_writable_attributes_round_trip(attrs):
    rw = attrs["rw"]
    assert rw["status"] == "200"
    assert rw["status_line"] == "'200 OK'"
    assert rw["chunked"] == "1" and rw["chunked0"] == "0"
    assert rw["user"] == repr("h\u00e9l\u00e8ne")
    assert rw["uri"] == "'/api/attrs/changed'"
    assert rw["filename"] == "'/tmp/changed'"
    assert rw["path_info"] == "'/pi'"
    assert rw["args"] == "None"
    assert rw["args_restored"] == "q=1&r=2"
    assert rw["no_cache"] == "1" and rw["no_cache_restored"] == 0
    assert rw["used_path_info"] == "0"
    assert rw["proxyreq"] == "0" and rw["assbackwards"] == "0"
    assert rw["handler"] == "'mod_python'"
    assert rw["ap_auth_type"] == "'Basic'"


def test_read_only_attributes_refuse_writes(attrs):
    assert attrs["ro"] and all(e == "AttributeError"
                               for e in attrs["ro"].values()), attrs["ro"]


def test_bad_attribute_values(attrs):
    assert attrs["bad"] == {
        "status=str": "TypeError", "status=float": "TypeError",
        "status=huge": "OverflowError", "chunked=str": "TypeError",
        "uri=None": "TypeError", "uri=int": "TypeError",
        "uri=nul": "TypeError", "del status": "TypeError",
        "del uri": "TypeError", "finfo=int": "TypeError",
        "content_type=int": "TypeError", "handler=None": None,
        "unknown": "AttributeError",
    }


def test_head_sets_header_only(server):
    r = server.client().request("HEAD", "/api/attrs")
    assert r.status == 200 and r.body == b""


# ---------------------------------------------------------------------------
# methods
# ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def methods(server):
    r = server.client().get("/api/methods/pi?x=1")
    assert r.status == 200, r.text
    assert r.headers["Content-Length"] == str(len(r.body))
    return r.json()


def test_get_config_and_options(methods):
    assert methods["config_type"] == "table"
    assert methods["config"]["PythonDebug"] == "1"
    opts = methods["options"]
    assert opts["api.a"] == "1"
    assert "api.empty" not in opts
    assert "api.tmp" in opts


def test_construct_url_document_root_remote_host(methods, server):
    assert methods["construct_url"] == \
        f"http://127.0.0.1:{server.port}/x/y?z"
    assert methods["document_root"] == str(server.htdocs)
    assert methods["remote_host"] == "127.0.0.1"
    assert methods["remote_nolookup"] == "127.0.0.1"
    assert methods["remote_host_only"] is None
    assert methods["remote_tuple"] == ["127.0.0.1", 1]


def test_add_cgi_vars(methods, server):
    cgi = methods["cgi"]
    assert cgi["GATEWAY_INTERFACE"] == "CGI/1.1"
    assert cgi["SERVER_PROTOCOL"] == "HTTP/1.1"
    assert cgi["REQUEST_METHOD"] == "GET"
    assert cgi["QUERY_STRING"] == "x=1"
    assert cgi["REQUEST_URI"] == "/api/methods/pi"
    assert cgi["SCRIPT_NAME"] == "/api/methods"
    assert cgi["PATH_INFO"] == "/pi"
    assert cgi["REMOTE_ADDR"] == "127.0.0.1"
    assert cgi["DOCUMENT_ROOT"] == str(server.htdocs)
    assert "PATH_TRANSLATED" not in cgi


def test_tls_auth_and_misc_methods(methods):
    assert methods["is_https"] == 0
    assert methods["ssl_var"] is None
    assert methods["auth_name"] is None and methods["auth_type"] is None
    assert methods["send_http_header"] is None
    assert methods["discard"] == 0
    assert methods["log_error"] is None
    assert methods["clength_after_set"] == 12345


def test_get_addhandler_exts_lists_applicable_addhandler_lines(methods,
                                                              server):
    # server-level "AddHandler python-program .PSX" applies everywhere; the
    # .mpy of <Directory api/dirindex> does not apply to api/methods
    assert methods["exts"] == "psx"
    d = server.client().get("/api/dirindex/").json()
    assert d["exts"] == "psx mpy"


def test_bad_arguments_raise_the_documented_exceptions(methods):
    assert methods["bad"] == {
        "set_content_length(-1)": "ValueError",
        "set_content_length('5')": "TypeError",
        "register_cleanup(5)": "ValueError",
        "add_handler(bogus)": "IndexError",
        "add_handler(cleanup)": "IndexError",
        "add_handler(int)": "TypeError",
        "write(5)": "TypeError",
        "write(flush=str)": "TypeError",
        "write(flush=float)": "TypeError",
        "write()": "TypeError",
        "write(3 args)": "TypeError",
        "write(bogus=)": "TypeError",
        "write(data=, flush=) ok": None,
        "update_mtime('x')": "TypeError",
        "allow_methods(5)": "TypeError",
        "allow_methods([5])": "TypeError",
        "internal_redirect(5)": "TypeError",
        "construct_url(5)": "TypeError",
        "get_remote_host('x')": "TypeError",
        "sendfile(5)": "TypeError",
        "sendfile(neg offset)": "ValueError",
        "ssl_var_lookup(5)": "TypeError",
        "log_error(5)": "TypeError",
        "read(neg len) ok": None,
        "readline(-3) ok": None,
        "get_config(1)": "TypeError",
        "build_wsgi_env(1)": "TypeError",
    }


def test_log_error_writes_with_request_context(server, expect_log):
    server.client().get("/api/methods")
    expect_log(r"\[python:notice\].*\[client 127\.0\.0\.1:\d+\] "
               r"api_methods: logged at notice")


def test_register_cleanup_runs_after_the_request(server):
    marker = server.tmp / "cleanup-c1"
    assert not marker.exists()
    server.client().get("/api/methods?c1")
    deadline = time.monotonic() + 5
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.read_text() == "cleaned"


def test_allow_methods_fills_allow_header_of_405(server):
    r = server.client().get("/api/allow")
    assert r.status == 405
    allow = {m.strip() for m in r.headers["Allow"].split(",")}
    assert {"GET", "POST", "BREW"} <= allow
    assert "PUT" not in allow
    assert set(r.headers["X-Allowed"].split(",")) >= {"GET", "POST", "BREW"}
    r = server.client().get("/api/allow?merge")
    allow = {m.strip() for m in r.headers["Allow"].split(",")}
    assert {"GET", "POST", "BREW", "PUT"} <= allow


# ---------------------------------------------------------------------------
# identity, __dict__, subclassing, expiry
# ---------------------------------------------------------------------------

def test_internal_redirect_prev_next_identity(server, expect_log):
    r = server.client().get("/api/redir_from")
    assert r.status == 200, r.text
    d = r.json()
    assert d == {"prev_marker": "source", "prev_uri": "/api/redir_from",
                 "prev_next_is_self": True, "prev_is_prev": True,
                 "main": True, "next": True, "args": "from"}
    expect_log(r"api_redirect: next ok")


def test_subrequest_main_identity(server):
    r = server.client().get("/api/dirindex/")
    assert r.status == 200, r.text
    d = r.json()
    assert d["fixups"] == ["main /api/dirindex/", "sub /api/dirindex/index.mpy"]
    assert d["role"] == "main"
    assert d["sub_saw"] == {"main_role": "main", "main_stable": True,
                            "main_main_is_none": True,
                            "sub_uri": "/api/dirindex/index.mpy",
                            "sub_is_main": False}


def test_instance_dict_shared_between_phases_and_subclassing(server):
    d = server.client().get("/api/phases").json()
    assert d["shared"] == {"fixup": "PythonFixupHandler"}
    assert d["same_object"] is True
    assert d["phase"] == "PythonHandler"
    assert {"shared", "fixup_obj"} <= set(d["dict_keys"])
    sub = d["subclass"]
    assert sub["is_subclass"] and sub["inherits_write"]
    assert sub["mro_name"] == "mp_request"
    assert sub["shout"] == "/API/PHASES"
    assert sub["base_method_via_sub"].endswith("/x")
    assert sub["direct_instantiation"] == "TypeError"


def test_request_kept_in_a_global_expires(server):
    with server.client().session() as s:
        first = s.get("/api/expired/one").json()
        second = s.get("/api/expired/two").json()
    assert first == {"first": True}
    expired = "RuntimeError: request has expired"
    assert second["attr"] == expired
    assert second["method"] == expired
    assert second["table"] == expired
    assert second["set"] == expired
    assert second["old_table"] == "RuntimeError: table has expired"
    assert second["dict"] == "kept /api/expired/one"


# ---------------------------------------------------------------------------
# request body
# ---------------------------------------------------------------------------

BODY = b"line one\nline two\n\nlast line without newline"


def test_read_whole_body(server):
    r = server.client().post("/api/body?all", BODY)
    assert r.body == BODY
    r = server.client().post("/api/body?neg", BODY)
    assert r.body == BODY


def test_read_sized_and_zero(server):
    d = server.client().post("/api/body?sized", b"abcdefgh").json()
    assert d["parts"] == ["", "abc", "defgh"]
    assert d["after_end"] == ""
    assert d["remaining_before"] == 0      # before the body is set up
    assert d["remaining_after_read0"] == 8
    assert d["read_length"] == 8


def test_readline_and_readlines(server):
    d = server.client().post("/api/body?lines", BODY).json()
    assert d["lines"] == ["line one\n", "line two\n", "\n",
                          "last line without newline"]
    d = server.client().post("/api/body?linelimit", BODY).json()
    assert d["first"] == "line" and d["second"] == " one"
    assert d["rest"] == ["\n", "line two\n", "\n",
                         "last line without newline"]
    d = server.client().post("/api/body?readlines", BODY).json()
    # the hint bounds the total: whole lines, stopping once >= 10 bytes
    assert d["hint"] == ["line one\n", "line two\n"]
    assert d["rest"] == ["\n", "last line without newline"]


def test_read_without_body_and_bad_lengths(server):
    d = server.client().get("/api/body?sized").json()
    assert d["parts"] == ["", "", ""]
    d = server.client().post("/api/body?badlen", b"xyz").json()
    assert d["read_str"] == "TypeError"
    assert d["readline_none"] == "TypeError"
    assert d["readlines_str"] == "TypeError"
    assert d["body"] == "xyz"


def test_chunked_request_body(server):
    chunks = [b"first-", b"second-" * 3000, b"third\n"]
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.request("POST", "/api/body?all", body=iter(chunks),
                     headers={"Transfer-Encoding": "chunked"},
                     encode_chunked=True)
        resp = conn.getresponse()
        assert resp.status == 200
        assert resp.read() == b"".join(chunks)
    finally:
        conn.close()
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.request("POST", "/api/body?lines", body=iter([b"a\nb", b"c\n"]),
                     headers={"Transfer-Encoding": "chunked"},
                     encode_chunked=True)
        d = json.loads(conn.getresponse().read())
        assert d["lines"] == ["a\n", "bc\n"]
        assert d["read_chunked"] == 1
    finally:
        conn.close()


# ---------------------------------------------------------------------------
# authentication
# ---------------------------------------------------------------------------

def basic(raw: bytes) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


def test_get_basic_auth_pw_ascii(server):
    d = server.client().get("/api_auth/x", headers=basic(b"alice:secret")).json()
    assert d["pw"] == "secret" and d["user"] == "alice"
    assert d["auth_name"] == "api realm" and d["auth_type"] == "Basic"


def test_get_basic_auth_pw_latin1_and_utf8(server):
    # The text rule (docs/migrating.md): UTF-8 with surrogate escapes, so
    # Latin-1 credentials read as the escapes of their own bytes.
    d = server.client().get(
        "/api_auth/x", headers=basic("j\u00f6rg:p\u00e4ss".encode("latin-1"))
    ).json()
    assert d["user"] == "j\udcf6rg" and d["pw"] == "p\udce4ss"
    assert d["user"].encode("utf-8", "surrogateescape") == b"j\xf6rg"
    d = server.client().get(
        "/api_auth/x", headers=basic("j\u00f6rg:p\u00e4ss\u20ac".encode())
    ).json()
    assert d["user"] == "j\u00f6rg" and d["pw"] == "p\u00e4ss\u20ac"


def test_get_basic_auth_pw_none_without_credentials_or_authtype(server):
    d = server.client().get("/api_auth/x").json()
    assert d["pw"] is None and d["user"] is None
    d = server.client().get("/api_noauth/x",
                            headers=basic(b"alice:secret")).json()
    assert d["pw"] is None and d["auth_type"] is None


# ---------------------------------------------------------------------------
# sendfile, conditional requests
# ---------------------------------------------------------------------------

DATA = b"0123456789abcdef\n"


def test_sendfile(server):
    c = server.client()
    assert c.get("/api/sendfile?whole").body == DATA
    assert c.get("/api/sendfile?part").body == DATA[3:7]
    assert c.get("/api/sendfile?tail").body == DATA[10:]
    r = c.get("/api/sendfile?missing")
    assert r.text == "OSError FileNotFoundError"
    r = c.get("/api/sendfile?queued")
    assert r.body == b"ab01|4"


def test_sendfile_follows_symlinks(server):
    link = server.htdocs / "api" / "sendfile_link.txt"
    if not link.exists():
        os.symlink(server.htdocs / "api" / "sendfile_data.txt", link)
    assert server.client().get("/api/sendfile?link").body == DATA


def test_conditional_get(server):
    c = server.client()
    r = c.get("/api/cond.txt")
    assert r.status == 200 and r.text == "fresh body"
    etag, lm = r.headers["ETag"], r.headers["Last-Modified"]
    mtime = (server.htdocs / "api" / "cond.txt").stat().st_mtime
    assert float(r.headers["X-Mtime"]) == float(int(mtime))
    assert c.get("/api/cond.txt", headers={"If-None-Match": etag}).status \
        == 304
    assert c.get("/api/cond.txt",
                 headers={"If-Modified-Since": lm}).status == 304
    assert c.get("/api/cond.txt",
                 headers={"If-None-Match": '"other"'}).status == 200
    # update_mtime only moves forward
    r = c.get("/api/cond.txt?older")
    assert float(r.headers["X-Mtime"]) == float(int(mtime))
    r = c.get("/api/cond.txt?newer")
    assert float(r.headers["X-Mtime"]) == float(int(mtime)) + 100
    assert r.headers["Last-Modified"] != lm


# ---------------------------------------------------------------------------
# client gone
# ---------------------------------------------------------------------------

def test_write_after_client_closed_raises_oserror(server, allow_log):
    allow_log(r"AH\d+")
    result = server.tmp / "closed-result"
    s = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    s.sendall(b"GET /api/closed HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    assert s.recv(64)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                 b"\x01\x00\x00\x00\x00\x00\x00\x00")
    s.close()
    deadline = time.monotonic() + 20
    while not result.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    outcome, after = result.read_text().splitlines()
    assert outcome == "OSError: Write failed, client closed connection."
    assert after == "OSError"


# ---------------------------------------------------------------------------
# WSGI helpers
# ---------------------------------------------------------------------------

def test_build_wsgi_env_without_location(server):
    d = server.client().get("/api/wsgi_env/a/b?x=1",
                            headers={"Authorization": "Basic eDp5"}).json()
    env = d["env"]
    assert env["SCRIPT_NAME"] == ""
    assert env["PATH_INFO"] == "/api/wsgi_env/a/b"
    assert d["path_info_after"] == "/api/wsgi_env/a/b"
    assert env["QUERY_STRING"] == "x=1"
    assert env["REQUEST_METHOD"] == "GET"
    assert env["HTTP_AUTHORIZATION"] == "Basic eDp5"
    assert env["wsgi.version"] == [1, 0]
    assert env["wsgi.url_scheme"] == "http"
    assert env["wsgi.run_once"] is False
    assert env["input_is_req"] is True and env["errors_is_stderr"] is True
    threaded = server.env.mpm != "prefork"
    assert env["wsgi.multithread"] is threaded
    assert env["wsgi.multiprocess"] is (not threaded)
    assert env["SERVER_PORT"] == str(server.port)


def test_build_wsgi_env_location_and_base_uri(server):
    c = server.client()
    env = c.get("/wsgiloc/bar/baz").json()["env"]
    assert (env["SCRIPT_NAME"], env["PATH_INFO"]) == ("/wsgiloc", "/bar/baz")
    env = c.get("/wsgiloc/").json()["env"]
    assert (env["SCRIPT_NAME"], env["PATH_INFO"]) == ("/wsgiloc", "/")
    env = c.get("/wsgibase/app/x").json()["env"]
    assert (env["SCRIPT_NAME"], env["PATH_INFO"]) == ("/wsgibase/app", "/x")
    env = c.get("/wsgibase/app").json()["env"]
    assert (env["SCRIPT_NAME"], env["PATH_INFO"]) == ("/wsgibase/app", "")
    assert c.get("/wsgibase/other").json()["env"] is None
    assert c.get("/wsgibase/application").json()["env"] is None


@pytest.mark.parametrize("status", ["404 Not Found", "201 Created",
                                    "299 Custom Thing", "503 Busy"])
def test_wsgi_start_response_sets_status(server, status):
    r = server.client().get("/api/wsgi_respond?" + quote(status))
    assert r.status == int(status[:3])
    assert r.headers["X-One"] == "1"
    assert r.headers.get_all("X-Dup") == ["a", "b"]
    assert r.headers["Content-Type"] == "text/x-wsgi"
    assert r.body == b"wsgi body: " + status.encode()


def test_wsgi_start_response_bad_arguments(server):
    r = server.client().get("/api/wsgi_bad")
    assert r.status == 201, r.text
    assert r.json() == {
        "status=int": "TypeError", "status=xyz": "ValueError",
        "status=20": "ValueError", "status=2000": "ValueError",
        "status=099": "ValueError", "headers=tuple": "TypeError",
        "headers=[str]": "TypeError", "headers=[(a,1)]": "TypeError",
        "headers=[(a,b,c)]": "TypeError", "exc_info=bad": "TypeError",
        # one start_response: the 3.5 API checks what mod_python.wsgi does
        "header CRLF": "ValueError", "status LF": "ValueError",
        "missing headers": "TypeError", "status_after": 200,
        "x_bad_set": None, "write_is_req_write": True,
    }


def test_wsgi_start_response_exc_info(server):
    r = server.client().get("/api/wsgi_exc")
    assert r.status == 500
    assert "X-Early" not in r.headers
    assert r.text == "replaced\nre-raised KeyError 'boom'\n"


def test_buffered_and_flushed_writes_arrive_in_order(server):
    r = server.client().get("/api/writes")
    assert r.status == 200
    expected = b"".join(
        (b"%05d\n" % i) * (2000 if i % 1000 == 999 and i % 700 and i % 333
                            else 1)
        for i in range(3000))
    assert r.body == expected
