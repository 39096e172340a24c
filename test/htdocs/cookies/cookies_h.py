"""mod_python.Cookie through Apache.  Endpoints (test_410_cookies.py):

/cookies/set      add_cookie: a plain cookie with attributes, a signed one
                  and a marshal (JSON) one, plus one by name
/cookies/read     JSON: plain cookies, verified signed/marshal values
"""

import json
import time

from mod_python import Cookie, apache

SECRET = "test-secret"


def set(req):
    Cookie.add_cookie(req, Cookie.Cookie(
        "plain", "hello", path="/cookies", max_age=3600, httponly=True,
        samesite="Lax", expires=time.time() + 3600))
    Cookie.add_cookie(req, Cookie.SignedCookie("signed", "alice", SECRET))
    Cookie.add_cookie(req, Cookie.MarshalCookie(
        "marshal", {"user": "alice", "ids": [1, 2]}, SECRET))
    Cookie.add_cookie(req, "byname", "v", path="/")
    req.content_type = "text/plain"
    req.write("set")
    return apache.OK


def read(req):
    plain = Cookie.get_cookies(req)
    signed = Cookie.get_cookie(req, "signed", Cookie.SignedCookie,
                               secret=SECRET)
    marshal = Cookie.get_cookie(req, "marshal", Cookie.MarshalCookie,
                                secret=SECRET)
    out = {
        "plain": {k: v.value for k, v in plain.items()},
        "signed": signed.value if signed is not None else None,
        "marshal": marshal.value if marshal is not None else None,
    }
    req.content_type = "application/json"
    req.write(json.dumps(out))
    return apache.OK
