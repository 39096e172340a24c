"""Interpreter report.

PythonHandler in_report -> JSON: req.interpreter, apache.interpreter, pid,
and SEEN, a module global list to which each request appends its
?mark=... value (so state shared inside one interpreter is visible, and
state of another interpreter is not).
"""

import json
import os

from mod_python import apache

SEEN = []


def handler(req):
    if req.args and req.args.startswith("mark="):
        SEEN.append(req.args[5:])
    req.content_type = "application/json"
    req.write(json.dumps({
        "interpreter": req.interpreter,
        "apache_interpreter": apache.interpreter,
        "pid": os.getpid(),
        "seen": SEEN,
    }))
    return apache.OK
