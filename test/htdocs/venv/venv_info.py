"""The embedded Python as seen from a handler run with PythonHome = a venv.

PythonHandler venv_info -> JSON: "greeting" (mpvenvdemo, installed only in
the venv), "pth" (mpvenvpth, reachable only through a .pth file in the
venv's site-packages), "prefix", "base_prefix", "path" (sys.path).
"""

import json
import sys

from mod_python import apache


def handler(req):
    import mpvenvdemo
    import mpvenvpth

    req.content_type = "application/json"
    req.write(json.dumps({
        "greeting": mpvenvdemo.GREETING,
        "module": mpvenvdemo.__file__,
        "pth": mpvenvpth.FOUND,
        "prefix": sys.prefix,
        "base_prefix": sys.base_prefix,
        "path": sys.path,
        "version": list(sys.version_info[:2]),
    }))
    return apache.OK
