"""Reports what PythonImport left in this interpreter, without importing.

PythonHandler imp_report -> JSON {interpreter, pid, startup: {loaded,
imported_in, pid, calls} for imp_startup, named: {loaded, imported_in} for
imp_named}.
"""

import json
import os
import sys

from mod_python import apache


def _info(name):
    mod = sys.modules.get(name)
    if mod is None:
        return {"loaded": False}
    return {"loaded": True, "imported_in": getattr(mod, "IMPORTED_IN", None),
            "pid": getattr(mod, "PID", None), "calls": getattr(mod, "CALLS", None)}


def handler(req):
    req.content_type = "application/json"
    req.write(json.dumps({
        "interpreter": req.interpreter,
        "pid": os.getpid(),
        "startup": _info("imp_startup"),
        "named": _info("imp_named"),
    }))
    return apache.OK
