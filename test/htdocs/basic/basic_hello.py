"""Hello handler.

PythonHandler basic_hello -> 200 text/plain "Hello, mod_python!\n".
"""

from mod_python import apache


def handler(req):
    req.content_type = "text/plain"
    req.write("Hello, mod_python!\n")
    return apache.OK
