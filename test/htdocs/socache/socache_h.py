"""SocacheSession through Apache (test_820).  The <Files> name picks the
session cache with PythonOption mod_python.session.socache; PythonOption
test.label names the server that answered.

Endpoints (query ?op=...):
  op=put&k=K&v=V   session[K] = V, save; answer the session as JSON
                   (&timeout=T: a session timeout of T seconds)
  op=get           answer the session as JSON (nothing saved)
  op=del           invalidate the session
"""

import json
from urllib.parse import parse_qsl

from mod_python import Session, apache


def handler(req):
    args = dict(parse_qsl(req.args or ""))
    op = args.get("op", "get")
    sess = Session.Session(req, timeout=float(args.get("timeout", 0)))
    if not isinstance(sess, Session.SocacheSession):
        raise TypeError(f"expected a SocacheSession, got {type(sess)}")
    if op == "put":
        sess[args["k"]] = args["v"]
        sess.save()
    elif op == "del":
        sess.invalidate()
    req.content_type = "application/json"
    req.write(json.dumps({
        "sid": sess.id(),
        "new": sess.is_new(),
        "data": dict(sess),
        "label": req.get_options().get("test.label"),
        "pid": __import__("os").getpid(),
    }))
    return apache.OK
