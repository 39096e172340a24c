"""mod_python.apache inside httpd: every constant of spec 2.3 with its
value, the public names of spec 2.2, apache.interpreter/main_server,
import_module, module_mtime, resolve_object, build_cgi_env, and the CGI
emulation (setup_cgi/restore_nocgi with CGIStdin/CGIStdout) on Python 3."""

import re
from pathlib import Path

import pytest

EXPECTED = {
    "OK": 0, "REQ_PROCEED": 0, "DECLINED": -1, "REQ_NOACTION": -1, "DONE": -2,
    "REQ_ABORTED": 500, "REQ_EXIT": "REQ_EXIT",
    "HTTP_CONTINUE": 100, "HTTP_SWITCHING_PROTOCOLS": 101, "HTTP_PROCESSING": 102,
    "HTTP_OK": 200, "HTTP_CREATED": 201, "HTTP_ACCEPTED": 202,
    "HTTP_NON_AUTHORITATIVE": 203, "HTTP_NO_CONTENT": 204,
    "HTTP_RESET_CONTENT": 205, "HTTP_PARTIAL_CONTENT": 206,
    "HTTP_MULTI_STATUS": 207, "HTTP_MULTIPLE_CHOICES": 300,
    "HTTP_MOVED_PERMANENTLY": 301, "HTTP_MOVED_TEMPORARILY": 302,
    "HTTP_SEE_OTHER": 303, "HTTP_NOT_MODIFIED": 304, "HTTP_USE_PROXY": 305,
    "HTTP_TEMPORARY_REDIRECT": 307, "HTTP_BAD_REQUEST": 400,
    "HTTP_UNAUTHORIZED": 401, "HTTP_PAYMENT_REQUIRED": 402,
    "HTTP_FORBIDDEN": 403, "HTTP_NOT_FOUND": 404,
    "HTTP_METHOD_NOT_ALLOWED": 405, "HTTP_NOT_ACCEPTABLE": 406,
    "HTTP_PROXY_AUTHENTICATION_REQUIRED": 407, "HTTP_REQUEST_TIME_OUT": 408,
    "HTTP_CONFLICT": 409, "HTTP_GONE": 410, "HTTP_LENGTH_REQUIRED": 411,
    "HTTP_PRECONDITION_FAILED": 412, "HTTP_REQUEST_ENTITY_TOO_LARGE": 413,
    "HTTP_REQUEST_URI_TOO_LARGE": 414, "HTTP_UNSUPPORTED_MEDIA_TYPE": 415,
    "HTTP_RANGE_NOT_SATISFIABLE": 416, "HTTP_EXPECTATION_FAILED": 417,
    "HTTP_IM_A_TEAPOT": 418, "HTTP_UNPROCESSABLE_ENTITY": 422,
    "HTTP_LOCKED": 423, "HTTP_FAILED_DEPENDENCY": 424,
    "HTTP_UPGRADE_REQUIRED": 426, "HTTP_INTERNAL_SERVER_ERROR": 500,
    "HTTP_NOT_IMPLEMENTED": 501, "HTTP_BAD_GATEWAY": 502,
    "HTTP_SERVICE_UNAVAILABLE": 503, "HTTP_GATEWAY_TIME_OUT": 504,
    "HTTP_VERSION_NOT_SUPPORTED": 505, "HTTP_VARIANT_ALSO_VARIES": 506,
    "HTTP_INSUFFICIENT_STORAGE": 507, "HTTP_NOT_EXTENDED": 510,
    "APLOG_EMERG": 0, "APLOG_ALERT": 1, "APLOG_CRIT": 2, "APLOG_ERR": 3,
    "APLOG_WARNING": 4, "APLOG_NOTICE": 5, "APLOG_INFO": 6, "APLOG_DEBUG": 7,
    "APLOG_NOERRNO": 0,
    "REMOTE_HOST": 0, "REMOTE_NAME": 1, "REMOTE_NOLOOKUP": 2,
    "REMOTE_DOUBLE_REV": 3,
    "FINFO_MODE": 0, "FINFO_INO": 1, "FINFO_DEV": 2, "FINFO_NLINK": 3,
    "FINFO_UID": 4, "FINFO_GID": 5, "FINFO_SIZE": 6, "FINFO_ATIME": 7,
    "FINFO_MTIME": 8, "FINFO_CTIME": 9, "FINFO_FNAME": 10, "FINFO_NAME": 11,
    "FINFO_FILETYPE": 12,
    "URI_SCHEME": 0, "URI_HOSTINFO": 1, "URI_USER": 2, "URI_PASSWORD": 3,
    "URI_HOSTNAME": 4, "URI_PORT": 5, "URI_PATH": 6, "URI_QUERY": 7,
    "URI_FRAGMENT": 8,
    "PROXYREQ_NONE": 0, "PROXYREQ_PROXY": 1, "PROXYREQ_REVERSE": 2,
    "PROXYREQ_RESPONSE": 3,
    "M_GET": 0, "M_PUT": 1, "M_POST": 2, "M_DELETE": 3, "M_CONNECT": 4,
    "M_OPTIONS": 5, "M_TRACE": 6, "M_PATCH": 7, "M_PROPFIND": 8,
    "M_PROPPATCH": 9, "M_MKCOL": 10, "M_COPY": 11, "M_MOVE": 12, "M_LOCK": 13,
    "M_UNLOCK": 14, "M_VERSION_CONTROL": 15, "M_CHECKOUT": 16,
    "M_UNCHECKOUT": 17, "M_CHECKIN": 18, "M_UPDATE": 19, "M_LABEL": 20,
    "M_REPORT": 21, "M_MKWORKSPACE": 22, "M_MKACTIVITY": 23,
    "M_BASELINE_CONTROL": 24, "M_MERGE": 25, "M_INVALID": 26,
    "AP_REQ_ACCEPT_PATH_INFO": 0, "AP_REQ_REJECT_PATH_INFO": 1,
    "AP_REQ_DEFAULT_PATH_INFO": 2,
    "AP_MPMQ_MAX_DAEMON_USED": 1, "AP_MPMQ_IS_THREADED": 2,
    "AP_MPMQ_IS_FORKED": 3, "AP_MPMQ_HARD_LIMIT_DAEMONS": 4,
    "AP_MPMQ_HARD_LIMIT_THREADS": 5, "AP_MPMQ_MAX_THREADS": 6,
    "AP_MPMQ_MIN_SPARE_DAEMONS": 7, "AP_MPMQ_MIN_SPARE_THREADS": 8,
    "AP_MPMQ_MAX_SPARE_DAEMONS": 9, "AP_MPMQ_MAX_SPARE_THREADS": 10,
    "AP_MPMQ_MAX_REQUESTS_DAEMON": 11, "AP_MPMQ_MAX_DAEMONS": 12,
    "AP_MPMQ_NOT_SUPPORTED": 0, "AP_MPMQ_STATIC": 1, "AP_MPMQ_DYNAMIC": 2,
    "CGI_MAGIC_TYPE": "application/x-httpd-cgi",
    "INCLUDES_MAGIC_TYPE": "text/x-server-parsed-html",
    "INCLUDES_MAGIC_TYPE3": "text/x-server-parsed-html3",
    "DIR_MAGIC_TYPE": "httpd/unix-directory",
    "REQUEST_NO_BODY": 0, "REQUEST_CHUNKED_ERROR": 1,
    "REQUEST_CHUNKED_DECHUNK": 2,
    # from httpd.h / apr_file_info.h through _apache
    "AP_CONN_UNKNOWN": 0, "AP_CONN_CLOSE": 1, "AP_CONN_KEEPALIVE": 2,
    "APR_NOFILE": 0, "APR_REG": 1, "APR_DIR": 2, "APR_CHR": 3, "APR_BLK": 4,
    "APR_PIPE": 5, "APR_LNK": 6, "APR_SOCK": 7, "APR_UNKFILE": 127,
    "APR_FINFO_LINK": 0x1, "APR_FINFO_MTIME": 0x10, "APR_FINFO_CTIME": 0x20,
    "APR_FINFO_ATIME": 0x40, "APR_FINFO_SIZE": 0x100, "APR_FINFO_CSIZE": 0x200,
    "APR_FINFO_DEV": 0x1000, "APR_FINFO_INODE": 0x2000,
    "APR_FINFO_NLINK": 0x4000, "APR_FINFO_TYPE": 0x8000,
    "APR_FINFO_USER": 0x10000, "APR_FINFO_GROUP": 0x20000,
    "APR_FINFO_UPROT": 0x100000, "APR_FINFO_GPROT": 0x200000,
    "APR_FINFO_WPROT": 0x400000, "APR_FINFO_ICASE": 0x1000000,
    "APR_FINFO_NAME": 0x2000000, "APR_FINFO_MIN": 0x8170,
    "APR_FINFO_IDENT": 0x3000, "APR_FINFO_OWNER": 0x30000,
    "APR_FINFO_PROT": 0x700000, "APR_FINFO_NORM": 0x73B170,
    "APR_FINFO_DIRENT": 0x2000000,
}


def module_magic(env):
    """MODULE_MAGIC_NUMBER_MAJOR/MINOR from the httpd headers."""
    import subprocess

    incdir = subprocess.run([env.apxs, "-q", "INCLUDEDIR"], capture_output=True,
                            text=True, check=False).stdout.strip()
    text = Path(incdir, "ap_mmn.h").read_text()
    major = re.search(r"#define MODULE_MAGIC_NUMBER_MAJOR (\d+)", text).group(1)
    minor = re.search(r"#define MODULE_MAGIC_NUMBER_MINOR (\d+)", text).group(1)
    return int(major), int(minor)


@pytest.fixture(scope="module")
def server(httpd):
    c = httpd.conf
    c.directory("{htdocs}/apachemod", "SetHandler mod_python",
                "PythonHandler am::constants",
                *[c.block("Files", f'"{n}"', f"PythonHandler am::{n}")
                  for n in ("names", "state", "cgienv", "cgi")])
    httpd.start()
    return httpd


def test_every_constant_of_spec_2_3(server, env):
    got = server.client().get("/apachemod/constants").json()
    missing = sorted(set(EXPECTED) - set(got))
    assert not missing
    wrong = {k: (got[k], v) for k, v in EXPECTED.items() if got[k] != v}
    assert not wrong
    assert (got["MODULE_MAGIC_NUMBER_MAJOR"],
            got["MODULE_MAGIC_NUMBER_MINOR"]) == module_magic(env)


def test_public_names(server):
    got = server.client().get("/apachemod/names").json()
    assert all(present for present, _ in got.values()), got
    for name in ("interpreter", "main_server"):
        assert got[name] == [True, False]
    for name, (_, is_callable) in got.items():
        if name not in ("interpreter", "main_server"):
            assert is_callable, name


def test_interpreter_main_server_import_resolve(server):
    d = server.client().get("/apachemod/state").json()
    assert d["interpreter"] == "localhost"
    assert d["main_server_type"] == "mp_server"
    assert d["main_server_hostname"] == "localhost"
    assert not d["main_server_is_virtual"]
    assert d["argv"] == ["mod_python"]
    assert d["helper_value"] == 42
    assert d["same_module"] is True
    assert d["helper_mtime"] == pytest.approx(d["helper_file_mtime"])
    assert d["resolved"] == "hello bob"
    assert d["silent_missing"] is None


def test_build_cgi_env(server):
    r = server.client().get("/apachemod/cgienv/extra/path?x=1",
                            auth=("user", "pw"), headers={"X-Thing": "t"})
    env = r.json()
    assert env["GATEWAY_INTERFACE"] == "Python-CGI/1.1"
    assert env["SCRIPT_NAME"] == "/apachemod/cgienv"
    assert env["PATH_INFO"] == "/extra/path"
    assert env["QUERY_STRING"] == "x=1"
    assert env["REQUEST_METHOD"] == "GET"
    assert env["HTTP_X_THING"] == "t"
    assert env["HTTP_AUTHORIZATION"].startswith("Basic ")
    assert env["SERVER_PORT"] == str(server.port)


def test_cgi_emulation(server):
    body = "first line\nrest of the body \u00e9".encode()
    r = server.client().post("/apachemod/cgi", body)
    assert r.status == 201
    assert r.headers["X-Cgi"] == "yes"
    assert r.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert r.body.decode() == (
        "gateway Python-CGI/1.1\n"
        "method POST\n"
        "script /apachemod/cgi\n"
        "argv0 cgi\n"
        "first first line True\n"
        "rest rest of the body \u00e9\n"
        "unicode \u00e9t\u00e9\n"
        "restored True\n")
