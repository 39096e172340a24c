"""Stacked PythonAuthenHandler (continues on DECLINED only).

- declined: record, DECLINED
- ok: record, read Basic credentials, set req.user, OK
- never: record, OK (must not run after ok)
- nouser: OK without setting req.user (a 500, spec 1.4)
Records go to req.notes["stack"]; st_notes.handler reports them.
"""

from mod_python import apache


def _record(req, name):
    seen = req.notes.get("stack")
    req.notes["stack"] = f"{seen},{name}" if seen else name


def declined(req):
    _record(req, "declined")
    return apache.DECLINED


def ok(req):
    _record(req, "ok")
    req.get_basic_auth_pw()
    req.user = "stacked-user"
    return apache.OK


def never(req):
    _record(req, "never")
    return apache.OK


def nouser(req):
    _record(req, "nouser")
    return apache.OK
