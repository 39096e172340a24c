"""Reachable only through PythonPath (it lives outside every handler dir).

PythonHandler cfg_pathmod -> "pathmod " + the directory of this module.
"""

import os

from mod_python import apache


def handler(req):
    req.content_type = "text/plain"
    req.write("pathmod " + os.path.dirname(os.path.abspath(__file__)))
    return apache.OK
