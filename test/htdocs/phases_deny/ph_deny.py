"""Access handler.

PythonAccessHandler ph_deny: HTTP_FORBIDDEN unless the query string is
"allow", then OK (the static file is served).
"""

from mod_python import apache


def accesshandler(req):
    if req.args == "allow":
        return apache.OK
    return apache.HTTP_FORBIDDEN
