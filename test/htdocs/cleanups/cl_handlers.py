"""Handlers for test_320_cleanups.py.  Cleanups record what they do by
appending lines to <ServerRoot>/tmp/<file>.

- handler         ?TAG: registers three request cleanups (one raises) and
                  answers with the message of register_cleanup(42)
- cleanuphandler  PythonCleanupHandler: appends "cleanuphandler" to cl-TAG
- child           ?TAG: registers child-exit cleanups with
                  apache.register_cleanup and req.server.register_cleanup
"""

import os

from mod_python import apache


def _append(name, line):
    path = os.path.join(apache.server_root(), "tmp", name)
    with open(path, "a") as f:
        f.write(line + "\n")


def _record(data):
    name, line = data
    _append(name, line)


def _record_req(req):
    # data may be the request itself: it is still alive in its cleanups
    _append("cl-" + req.args, "req " + req.uri)


def _raise(data):
    raise RuntimeError("cleanup failed on purpose")


def handler(req):
    tag = req.args
    req.register_cleanup(_record, ("cl-" + tag, "first"))
    req.register_cleanup(_raise, tag)
    req.register_cleanup(_record_req, req)
    try:
        req.register_cleanup(42)
        msg = "no error"
    except ValueError as exc:
        msg = "ValueError: " + str(exc)
    req.content_type = "text/plain"
    req.write(msg)
    return apache.OK


def cleanuphandler(req):
    _append("cl-" + req.args, "cleanuphandler")
    return apache.OK


def child(req):
    tag = req.args
    pid = os.getpid()
    apache.register_cleanup(_record, ("child-apache-" + tag, f"{pid} {apache.interpreter}"))
    req.server.register_cleanup(req, _record, ("child-server-" + tag, f"{pid}"))
    req.content_type = "text/plain"
    req.write(str(pid))
    return apache.OK
