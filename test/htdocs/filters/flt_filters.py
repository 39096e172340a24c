"""Python filters for test_300_filters.py.

Output filters:
- upper       upper-cases everything
- gzip        gzip-compresses the stream; sets Content-Encoding, removes
              Content-Length
- count       passes data unchanged and appends "[calls=N]" at the end,
              N being how many times it was called for this request
- attrs       replaces the body by a JSON object describing the filter
              object; then checks that I/O after close() raises ValueError
              and writes that message to <ServerRoot>/tmp/closed-<args>
- broken      raises RuntimeError on its first call
- wrap        wraps the data of a main request in "<<" ">>" and lets
              sub-requests through untouched (the req.main check of the
              spec), noting each sub-request it saw in X-Sub-Seen
- partial     reads at most 7 bytes per read() and only one read per call
              (what it leaves is kept for the next call)
Input filter:
- in_upper    upper-cases the request body
"""

from __future__ import annotations

import json
import os
import zlib

from mod_python import apache


def upper(filt):
    data = filt.read()
    while data:
        filt.write(data.upper())
        data = filt.read()
    if data is None:
        filt.close()


def in_upper(filt):
    data = filt.read()
    while data:
        filt.write(data.upper())
        data = filt.read()
    if data is None:
        filt.close()


def gzip(filt):
    req = filt.req
    state = getattr(req, "gzip_state", None)
    if state is None:
        state = req.gzip_state = zlib.compressobj(9, zlib.DEFLATED, 31)
        req.headers_out["Content-Encoding"] = "gzip"
        if "Content-Length" in req.headers_out:
            del req.headers_out["Content-Length"]
    data = filt.read()
    while data:
        out = state.compress(data)
        if out:
            filt.write(out)
        data = filt.read()
    if data is None:
        filt.write(state.flush())
        filt.close()
    else:
        filt.write(state.flush(zlib.Z_SYNC_FLUSH))


def count(filt):
    req = filt.req
    req.count_calls = getattr(req, "count_calls", 0) + 1
    data = filt.read()
    while data:
        filt.write(data)
        data = filt.read()
    if data is None:
        filt.write(f"[calls={req.count_calls}]")
        filt.close()


def attrs(filt):
    req = filt.req
    body = getattr(req, "attrs_body", b"")
    data = filt.read()
    while data:
        body += data
        data = filt.read()
    req.attrs_body = body
    if data is not None:
        return
    filt.softspace = 5
    info = {
        "name": filt.name,
        "handler": filt.handler,
        "dir": filt.dir,
        "is_input": filt.is_input,
        "closed_before": filt.closed,
        "softspace": filt.softspace,
        "req_uri": filt.req.uri,
        "type": type(filt).__name__,
        "seen": body.decode(),
    }
    filt.write(json.dumps(info))
    filt.close()
    results = {"closed_after": filt.closed}
    for what, call in (
        ("write", lambda: filt.write(b"x")),
        ("read", filt.read),
        ("readline", filt.readline),
        ("flush", filt.flush),
        ("pass_on", filt.pass_on),
    ):
        try:
            call()
            results[what] = "no error"
        except ValueError as exc:
            results[what] = str(exc)
    path = os.path.join(apache.server_root(), "tmp", f"closed-{req.args}")
    with open(path, "w") as f:
        json.dump(results, f)


def broken(filt):
    raise RuntimeError("filter exploded")


def wrap(filt):
    req = filt.req
    if req.main is not None:
        # A sub-request: its output reaches the main request's instance of
        # this filter anyway; processing it here too would do it twice.
        req.main.notes["sub_seen"] = req.uri
        filt.pass_on()
        return
    if not getattr(req, "wrap_started", False):
        req.wrap_started = True
        filt.write(b"<<")
    data = filt.read()
    while data:
        filt.write(data)
        data = filt.read()
    if data is None:
        filt.write(b">>")
        filt.write(f"[sub={req.notes.get('sub_seen', '')}]".encode())
        filt.close()


def partial(filt):
    data = filt.read(7)
    if data:
        filt.write(data.upper())
    elif data is None:
        filt.close()
