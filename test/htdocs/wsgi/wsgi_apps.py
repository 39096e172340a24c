"""Plain WSGI applications for test_520_wsgi.py (PythonOption
mod_python.wsgi.application wsgi_apps::<name>).

env        JSON of selected environ keys
echo       validator-wrapped: echoes the body read with read(n)/readline
lines      validator-wrapped: iterates wsgi.input, readlines
status404  '404 Not Found' with a body
stream     a generator of chunks, headers with duplicates
writer     uses the write callable
filewrap   wsgi.file_wrapper around a real file (served by sendfile)
fakefile   wsgi.file_wrapper around BytesIO (iterated)
late_error exc_info before any output: replaces the headers
closing    records that close() was called; closed reports it
errors     writes to wsgi.errors
"""

import io
import json
import os
import warnings
from wsgiref.validate import WSGIWarning, validator

warnings.simplefilter("error", WSGIWarning)

ENV_KEYS = ("REQUEST_METHOD", "SCRIPT_NAME", "PATH_INFO", "QUERY_STRING",
            "CONTENT_TYPE", "CONTENT_LENGTH", "SERVER_NAME", "SERVER_PORT",
            "SERVER_PROTOCOL", "HTTP_X_TEST", "HTTP_AUTHORIZATION",
            "wsgi.url_scheme", "wsgi.version", "wsgi.multithread",
            "wsgi.multiprocess", "wsgi.run_once")


def env(environ, start_response):
    data = {k: environ.get(k) for k in ENV_KEYS}
    data["input_type"] = type(environ["wsgi.input"]).__name__
    body = json.dumps(data).encode()
    start_response("200 OK", [("Content-Type", "application/json"),
                              ("Content-Length", str(len(body)))])
    return [body]


def _echo(environ, start_response):
    length = int(environ.get("CONTENT_LENGTH") or 0)
    stream = environ["wsgi.input"]
    first = stream.readline(length) if length else b""
    rest = stream.read(length - len(first)) if length > len(first) else b""
    body = b"first=" + first + b"|rest=" + rest
    start_response("201 Created", [("Content-Type", "text/plain"),
                                   ("X-Echo", "yes")])
    return [body]


echo = validator(_echo)


def _lines(environ, start_response):
    stream = environ["wsgi.input"]
    first = stream.readline()
    two = stream.readlines(1)
    rest = list(stream)
    body = json.dumps([first.decode(), [x.decode() for x in two],
                       [x.decode() for x in rest]]).encode()
    start_response("200 OK", [("Content-Type", "application/json")])
    return [body]


lines = validator(_lines)


def status404(environ, start_response):
    start_response("404 Not Found", [("Content-Type", "text/plain")])
    return [b"no such thing"]


def stream(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"),
                              ("X-Dup", "a"), ("X-Dup", "b")])

    def gen():
        for i in range(3):
            yield f"chunk{i};".encode()
    return gen()


def writer(environ, start_response):
    write = start_response("200 OK", [("Content-Type", "text/plain")])
    write(b"written;")
    return [b"returned"]


def filewrap(environ, start_response):
    path = os.path.join(os.path.dirname(__file__), "static.bin")
    f = open(path, "rb")  # noqa: SIM115 - closed by the server
    f.seek(2)
    start_response("200 OK", [("Content-Type", "application/octet-stream")])
    return environ["wsgi.file_wrapper"](f)


def fakefile(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return environ["wsgi.file_wrapper"](io.BytesIO(b"from a BytesIO"), 4)


def late_error(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    try:
        raise RuntimeError("changed my mind")
    except RuntimeError:
        import sys
        start_response("503 Service Unavailable",
                       [("Content-Type", "text/plain")], sys.exc_info())
    return [b"sorry"]


CLOSED = []


class _Closing:
    def __iter__(self):
        yield b"closing body"

    def close(self):
        CLOSED.append(1)


def closing(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return _Closing()


def closed(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [str(len(CLOSED)).encode()]


def errors(environ, start_response):
    environ["wsgi.errors"].write("wsgi-errors-line one\nwsgi-errors-line two")
    environ["wsgi.errors"].flush()
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"logged"]


def keys(environ, start_response):
    """JSON: the sorted environ keys and the type names of the values."""
    body = json.dumps({k: type(v).__name__ for k, v in sorted(environ.items())}).encode()
    start_response("200 OK", [("Content-Type", "application/json")])
    return [body]


def badheaders(environ, start_response):
    """start_response with the header case named in QUERY_STRING; JSON of
    the exception class name (None if it passed) and of a second call."""
    cases = {
        "crlf": [("X-A", "a\r\nInjected: 1")],
        "nul": [("X-A", "a\0b")],
        "notuple": [["X-A", "a"]],
        "bytes": [(b"X-A", "a")],
        "length": [("Content-Length", "12x")],
        "ok": [("X-A", "a")],
    }
    result = {}
    try:
        start_response("200 OK", cases[environ["QUERY_STRING"]])
        result["first"] = None
    except Exception as e:  # noqa: BLE001
        result["first"] = type(e).__name__
    try:
        start_response("200 OK", [("Content-Type", "application/json")])
        result["second"] = None
    except Exception as e:  # noqa: BLE001
        result["second"] = type(e).__name__
    if result["second"] is not None:
        start_response("200 OK", [("Content-Type", "application/json")],
                       (RuntimeError, RuntimeError("again"), None))
    return [json.dumps(result).encode()]


def nostart(environ, start_response):
    return []
