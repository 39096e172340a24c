"""Translation handler.

PythonTransHandler ph_trans: URIs under /translated/ are mapped to
<htdocs>/phases_static/static.txt (req.filename set, OK); others DECLINED.
"""

import os

from mod_python import apache

STATIC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                      "phases_static", "static.txt")


def transhandler(req):
    if req.uri.startswith("/translated/"):
        req.filename = STATIC
        return apache.OK
    return apache.DECLINED
