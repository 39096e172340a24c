"""build_wsgi_env and wsgi_start_response (spec 3.4).

PythonHandler api_wsgi::env      -> JSON of the environ (str values, and
    type names for the objects) plus req.path_info after the call; a None
    result (URI outside base_uri) gives {"env": null}; a ValueError
    (bad base_uri) gives {"error": "ValueError"}.
PythonHandler api_wsgi::respond  -> an app-like response: status from the
    query string ("404 Not Found" by default, URL-encoded), headers
    X-One: 1, X-Dup: a, X-Dup: b, Content-Type: text/x-wsgi; body via the
    returned write.
PythonHandler api_wsgi::badargs  -> JSON {case: exception class name}.
PythonHandler api_wsgi::excinfo  -> start_response with exc_info before
    and after output: 500 page "replaced", then the re-raise is reported.
"""

import json
import sys
from urllib.parse import unquote

from mod_python import apache


def env(req):
    try:
        environ = req.build_wsgi_env()
    except ValueError:
        result = {"error": "ValueError"}
    else:
        if environ is None:
            result = {"env": None}
        else:
            out = {}
            for k, v in environ.items():
                out[k] = v if isinstance(v, (str, bool, int)) else repr(type(v))
            out["wsgi.version"] = list(environ["wsgi.version"])
            out["input_is_req"] = environ["wsgi.input"] is req
            out["errors_is_stderr"] = environ["wsgi.errors"] is sys.stderr
            result = {"env": out}
    result["path_info_after"] = req.path_info
    req.content_type = "application/json"
    req.write(json.dumps(result))
    return apache.OK


def respond(req):
    status = unquote(req.args) if req.args else "404 Not Found"
    write = req.wsgi_start_response(status, [
        ("X-One", "1"), ("X-Dup", "a"), ("X-Dup", "b"),
        ("Content-Type", "text/x-wsgi"),
    ])
    write(b"wsgi body: " + status.encode())
    return apache.OK


def err(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        return type(e).__name__
    return None


def badargs(req):
    sr = req.wsgi_start_response
    out = {
        "status=int": err(lambda: sr(200, [])),
        "status=xyz": err(lambda: sr("xyz", [])),
        "status=20": err(lambda: sr("20 Short", [])),
        "status=2000": err(lambda: sr("2000 Long", [])),
        "status=099": err(lambda: sr("099 Low", [])),
        "headers=tuple": err(lambda: sr("200 OK", (("a", "b"),))),
        "headers=[str]": err(lambda: sr("200 OK", ["a"])),
        "headers=[(a,1)]": err(lambda: sr("200 OK", [("a", 1)])),
        "headers=[(a,b,c)]": err(lambda: sr("200 OK", [("a", "b", "c")])),
        "header CRLF": err(lambda: sr("200 OK", [("a", "b\r\nX-Evil: 1")])),
        "status LF": err(lambda: sr("200 OK\nX-Evil: 1", [])),
        "exc_info=bad": err(lambda: sr("200 OK", [], "x")),
        "missing headers": err(lambda: sr("200 OK")),
    }
    out["status_after"] = req.status
    out["x_bad_set"] = req.headers_out.get("a")
    write = sr("201 Created", [("Content-Type", "application/json")])
    out["write_is_req_write"] = (write.__self__ is req
                                 and write.__name__ == "write")
    write(json.dumps(out))
    return apache.OK


def excinfo(req):
    req.wsgi_start_response("200 OK", [("X-Early", "1")])
    try:
        raise KeyError("boom")
    except KeyError:
        info = sys.exc_info()
    # no output yet: exc_info replaces status and headers (PEP 3333)
    write = req.wsgi_start_response(
        "500 Internal Server Error", [("Content-Type", "text/plain")], info)
    write(b"replaced\n")
    try:
        req.wsgi_start_response("200 OK", [], info)
        write(b"not re-raised\n")
    except KeyError as e:
        write(f"re-raised KeyError {e}\n".encode())
    return apache.OK
