"""PythonHandler load_hello -> 200 "hello <args>" (for the load test)."""

from mod_python import apache


def handler(req):
    req.content_type = "text/plain"
    req.write(f"hello {req.args}")
    return apache.OK
