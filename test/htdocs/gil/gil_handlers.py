"""Handlers for test_130_gil.py (directory gil/, default interpreter).

- probe        answers at once with the interpreter name and a sum computed
               in Python (a request that needs the GIL)
- echo_body    reads the request body with req.read() and answers with its
               length and its first and last bytes; the body comes through
               the GILIN input filter (and the slow ExtFilter below it)
- first        for the 64 first requests: imports, computes, and answers
               "<interpreter> <n>" where n is computed from the query
"""

from __future__ import annotations

from mod_python import apache


def probe(req):
    req.content_type = "text/plain"
    req.write(f"{req.interpreter} {sum(range(1000))}")
    return apache.OK


def echo_body(req):
    req.content_type = "text/plain"
    body = req.read()
    req.write(f"{len(body)} {body[:8]!r} {body[-8:]!r}")
    return apache.OK


def first(req):
    import json

    n = int(req.args or "0")
    req.content_type = "application/json"
    req.write(json.dumps({"interpreter": req.interpreter,
                          "square": n * n}))
    return apache.OK
