"""PythonHandler err_good -> 200 "good"."""

from mod_python import apache


def handler(req):
    req.content_type = "text/plain"
    req.write("good")
    return apache.OK
