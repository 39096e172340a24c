"""Stacking recorder for non-content phases.

Each function appends its name to req.notes["stack"]:
- declined -> DECLINED, ok1/ok2/sub -> OK, forbid -> HTTP_FORBIDDEN
- handler (content): writes "<stack list>" and returns OK
"""

from mod_python import apache


def _record(req, name):
    seen = req.notes.get("stack")
    req.notes["stack"] = f"{seen},{name}" if seen else name


def declined(req):
    _record(req, "declined")
    return apache.DECLINED


def ok1(req):
    _record(req, "ok1")
    return apache.OK


def ok2(req):
    _record(req, "ok2")
    return apache.OK


def sub(req):
    _record(req, "sub")
    return apache.OK


def forbid(req):
    _record(req, "forbid")
    return apache.HTTP_FORBIDDEN


def handler(req):
    req.content_type = "text/plain"
    req.write(f"{req.notes.get('stack', '')}\nuser={req.user}\n")
    return apache.OK
