"""Handlers for test_130_gil.py (directory gil/, default interpreter).

- probe        answers at once with the interpreter name and a sum computed
               in Python (a request that needs the GIL)
- echo_body    reads the request body with req.read() and answers with its
               length and its first and last bytes; the body comes through
               the GILIN input filter (and the slow ExtFilter below it)
- first        for the 64 first requests: imports, computes, and answers
               {"interpreter", "square" of the query, "pid"}
- hold         keeps an object on the request object that records when it
               is freed
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
    import os

    n = int(req.args or "0")
    req.content_type = "application/json"
    req.write(json.dumps({"interpreter": req.interpreter,
                          "square": n * n, "pid": os.getpid()}))
    return apache.OK


class Tracker:
    """Stands for what a request holds (an upload, a database connection):
    writes <ServerRoot>/tmp/released-<mark> when it is freed."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __del__(self) -> None:
        with open(self.path, "w") as f:
            f.write("released")


def hold(req):
    """Keeps a Tracker on the request object for the test to see freed at
    the end of this request (no later request enters this interpreter)."""
    import os

    root = os.path.dirname(req.document_root().rstrip("/"))
    req.tracker = Tracker(os.path.join(root, "tmp", f"released-{req.args}"))
    req.content_type = "text/plain"
    req.write("held")
    return apache.OK
