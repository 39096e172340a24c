"""mod_python.Session through Apache.  The session type comes from
PythonOption mod_python.session.session_type (set per <Files> by
test_420_sessions.py).  Endpoints, for each of file/dbm/mem (and signed):

/sessions/<type>?sleep=S&timeout=T   count requests in the session; JSON
                                     {id, n, is_new, pid, start, end}
/sessions/<type>_invalidate          invalidate the session
/sessions/<type>_purge?timeout=T     run the store's cleanup now
"""

import json
import os
import time

from mod_python import Session, apache, util


def _out(req, data):
    req.content_type = "application/json"
    req.write(json.dumps(data))
    return apache.OK


def counter(req):
    fs = util.FieldStorage(req)
    timeout = float(fs.getfirst("timeout", 0))
    secret = req.get_options().get("test.secret")
    start = time.time()
    sess = Session.Session(req, secret=secret, timeout=timeout)
    sess["n"] = sess.get("n", 0) + 1
    time.sleep(float(fs.getfirst("sleep", 0)))
    sess.save()
    return _out(req, {"id": sess.id(), "n": sess["n"], "is_new": sess.is_new(),
                      "pid": os.getpid(), "start": start, "end": time.time(),
                      "type": type(sess).__name__,
                      "timeout": sess.timeout()})


def invalidate(req):
    sess = Session.Session(req)
    sess.invalidate()
    return _out(req, {"id": sess.id()})


def purge(req):
    # fast cleanup only looks at files older than this session's timeout
    fs = util.FieldStorage(req)
    sess = Session.Session(req, timeout=float(fs.getfirst("timeout", 0)))
    sess.do_cleanup()
    sess.delete()
    return _out(req, {"id": sess.id()})
