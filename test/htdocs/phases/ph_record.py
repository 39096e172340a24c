"""Phase recorder: one function per phase, each appends its phase name to
req.notes["phases"] (comma separated) and lets the request go on.

- postreadrequesthandler, inithandler, headerparserhandler, accesshandler,
  authzhandler, fixuphandler: record, return OK
- transhandler: record, return DECLINED (core translation goes on)
- authenhandler: record; alice/secret -> req.user set, OK; else 401
- typehandler: record, content_type = "text/x-phases", OK
- handler: record, write the phase list, OK
- loghandler / cleanuphandler: append "<phase> <args>" to the file named
  by PythonOption phases_log (the test reads it after the response)
"""

from mod_python import apache


def _record(req, name):
    seen = req.notes.get("phases")
    req.notes["phases"] = f"{seen},{name}" if seen else name


def _append(req, name):
    with open(req.get_options()["phases_log"], "a") as f:
        f.write(f"{name} {req.args}\n")


def postreadrequesthandler(req):
    _record(req, "postreadrequest")
    return apache.OK


def transhandler(req):
    _record(req, "trans")
    return apache.DECLINED


def inithandler(req):
    _record(req, "init")
    return apache.OK


def headerparserhandler(req):
    _record(req, "headerparser")
    return apache.OK


def accesshandler(req):
    _record(req, "access")
    return apache.OK


def authenhandler(req):
    _record(req, "authen")
    pw = req.get_basic_auth_pw()
    if req.user == "alice" and pw == "secret":
        return apache.OK
    return apache.HTTP_UNAUTHORIZED


def authzhandler(req):
    _record(req, "authz")
    return apache.OK


def typehandler(req):
    _record(req, "type")
    req.content_type = "text/x-phases"
    return apache.OK


def fixuphandler(req):
    _record(req, "fixup")
    return apache.OK


def handler(req):
    _record(req, "handler")
    req.write(req.notes["phases"] + f"\nuser={req.user}\n")
    return apache.OK


def loghandler(req):
    _append(req, "log")
    return apache.OK


def cleanuphandler(req):
    _append(req, "cleanup")
    return apache.OK
