"""Stacked content handlers (PythonHandler continues on OK only).

- first: writes "first;", OK
- second: writes "second", OK
"""

from mod_python import apache


def first(req):
    req.content_type = "text/plain"
    req.write("first;")
    return apache.OK


def second(req):
    req.write("second")
    return apache.OK
