"""allow_methods and the Allow header of a 405.

PythonHandler api_allow: allow_methods(["GET", "POST", "BREW"], reset=1),
then sets X-Allowed to the comma-joined req.allowed_methods and returns
HTTP_METHOD_NOT_ALLOWED.  ?merge adds allow_methods(["PUT"]) after it.
"""

from mod_python import apache


def handler(req):
    req.allow_methods(["GET", "POST", "BREW"], 1)
    if req.args == "merge":
        req.allow_methods(("PUT",))
    req.err_headers_out["X-Allowed"] = ",".join(req.allowed_methods)
    return apache.HTTP_METHOD_NOT_ALLOWED
