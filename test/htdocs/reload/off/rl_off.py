"""Auto-reload Off subject (the test rewrites this file with VERSION = 2).

PythonHandler rl_off -> "v<VERSION> <pid>".
"""

import os

from mod_python import apache

VERSION = 1


def handler(req):
    req.content_type = "text/plain"
    req.write(f"v{VERSION} {os.getpid()}")
    return apache.OK
