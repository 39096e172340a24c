"""Handlers of the stress run (test/stress/stress.py); each answers a body
the driver can check exactly from what it sent.

/stress/hello?K          "hello K"
/stress/api?K            API-heavy: tables, notes, options, server and
                         connection attributes, a sub-request-free
                         internal round trip; "api K <n> <digest>"
/stress/form   (POST)    urlencoded a=..&b=..; "form <a+b> <len(c)>"
/stress/upload (POST)    multipart file; "upload <size> <md5>"
/stress/session          FileSession counter: "session <n>"
/stress/flush?N          N lines "line i", one write and one flush each
/stress/hang?S           sleeps S seconds (a wedged handler)
/stress/spin?S           spins in Python for S seconds (a spinning handler)
/stress/filtered.up      static file through the Python output filter
"""

from __future__ import annotations

import hashlib
import time

from mod_python import Session, apache, util


def _text(req, body: str) -> int:
    req.content_type = "text/plain"
    req.write(body)
    return apache.OK


def hello(req) -> int:
    return _text(req, f"hello {req.args}")


def api(req) -> int:
    """Many small calls into the C API; the body depends only on the key:
    "api K <sha1 of K twenty times>"."""
    key = req.args or ""
    for i in range(20):
        req.headers_out.add("X-Stress", f"{key}-{i}")
        req.notes[f"k{i}"] = key
    h = hashlib.sha1()
    for i in range(20):
        h.update(req.notes[f"k{i}"].encode())
    assert len([k for k, _ in req.headers_out.items() if k == "X-Stress"]) == 20
    del req.headers_out["X-Stress"]
    _ = (req.uri, req.server.port, req.server.server_hostname,
         req.connection.local_ip, req.hostname, req.method, req.the_request,
         req.get_options().get("stress.tag"), req.get_config())
    for k in list(req.headers_in.keys()):
        req.notes["h-" + k] = req.headers_in.get(k, "")
    req.subprocess_env["STRESS"] = key
    assert req.subprocess_env["STRESS"] == key
    return _text(req, f"api {key} {h.hexdigest()}")


def form(req) -> int:
    fs = util.FieldStorage(req)
    a = int(fs.getfirst("a", "0"))
    b = int(fs.getfirst("b", "0"))
    c = fs.getfirst("c", "")
    return _text(req, f"form {a + b} {len(c)}")


def upload(req) -> int:
    fs = util.FieldStorage(req)
    f = fs["file"]
    data = f.file.read() if hasattr(f, "file") and f.file else f.value
    if isinstance(data, str):
        data = data.encode("latin-1")
    return _text(req, f"upload {len(data)} {hashlib.md5(data).hexdigest()}")


def session(req) -> int:
    sess = Session.FileSession(req)
    sess["n"] = sess.get("n", 0) + 1
    sess.save()
    return _text(req, f"session {sess['n']}")


def flush(req) -> int:
    req.content_type = "text/plain"
    for i in range(int(req.args or "1000")):
        req.write(f"line {i}\n")
        req.flush()
    return apache.OK


def hang(req) -> int:
    time.sleep(float(req.args or "10"))
    return _text(req, "hang done")


def spin(req) -> int:
    end = time.monotonic() + float(req.args or "10")
    x = 0
    while time.monotonic() < end:
        x += 1
    return _text(req, "spin done")
