"""Hostile input, issue 11 (test_450_hostile.py and test_460_malformed_http.py).

Endpoints (SetHandler mod_python under /hostile/, by file name):

/hostile/echo       X-Echo request header copied to the X-Echo response
                    header as read (the text rule); JSON body: the value's
                    repr and its bytes by the text rule
/hostile/tables     JSON: keys written as bytes to req.notes,
                    req.subprocess_env and a new apache.table(), read back
                    by iteration and looked up again; plus a seeded random
                    round trip of 2000 byte strings through a table
/hostile/attrs      JSON: uri, unparsed_uri, args, path_info, filename and
                    the Cookie header as bytes by the text rule, after
                    writing each back to itself
/hostile/form       FieldStorage -> JSON [[name, value or file length], ...]
/hostile/cookies    Cookie.get_cookies -> JSON {name: value}
/hostile/session    MemorySession -> its Set-Cookie header (options from
                    the <Files> block)
/hostile/log        log_error() with the URI and a header, then "ok"
/hostile/raise/*    raises ValueError with the URI in its message (500)
/hostile/files/*    (PythonFixupHandler fixup) req.filename = req.filename,
                    X-Stat: "<apache.stat size> <open() read as many>",
                    then Apache's default handler serves the file
"""

import json
import os
import random

from mod_python import Cookie, Session, apache, util


def _tb(text):
    return list(text.encode("utf-8", "surrogateescape"))


def _json(req, obj):
    req.content_type = "application/json"
    req.write(json.dumps(obj))
    return apache.OK


def handler(req):
    name = os.path.basename(req.filename or "")
    func = _ROUTES.get(name)
    if func is None:
        return apache.HTTP_NOT_FOUND
    return func(req)


def echo(req):
    value = req.headers_in.get("X-Echo")
    if value is not None:
        req.headers_out["X-Echo"] = value
    return _json(req, {"repr": repr(value),
                       "bytes": _tb(value) if value is not None else None})


def _table_check(table):
    table[b"caf\xc3\xa9"] = b"utf8"
    table[b"x\xffy"] = b"v\xfe"
    table["na\u00efve"] = "\u20ac"
    out = {}
    for key in list(table.keys()):
        try:
            value = table[key]
            out[repr(key)] = [_tb(key), _tb(value), key in table]
        except KeyError:
            out[repr(key)] = "KeyError"
    return out


def _random_round_trip(table, n=2000):
    rnd = random.Random(11)
    bad = []
    for i in range(n):
        key = bytes(rnd.randrange(1, 256) for _ in range(rnd.randrange(1, 9)))
        value = bytes(rnd.randrange(1, 256) for _ in range(rnd.randrange(0, 9)))
        table.clear()
        table[key] = value
        (k,) = table.keys()
        if (k.encode("utf-8", "surrogateescape") != key
                or table[k].encode("utf-8", "surrogateescape") != value
                or table.get(k) != table[k]):
            bad.append([i, list(key), list(value)])
    return bad


def tables(req):
    return _json(req, {
        "notes": _table_check(req.notes),
        "subprocess_env": _table_check(req.subprocess_env),
        "table": _table_check(apache.table()),
        "random_bad": _random_round_trip(apache.table()),
    })


def attrs(req):
    out = {}
    for name in ("uri", "unparsed_uri", "args", "path_info", "filename"):
        value = getattr(req, name)
        if value is not None and name != "unparsed_uri":   # read-only
            setattr(req, name, value)       # write back what was read
            value = getattr(req, name)
        out[name] = _tb(value) if value is not None else None
    cookie = req.headers_in.get("Cookie")
    out["cookie"] = _tb(cookie) if cookie is not None else None
    return _json(req, out)


def form(req):
    fs = util.FieldStorage(req, keep_blank_values=True)
    items = []
    for f in fs.list:
        if f.filename is not None:
            items.append([f.name, f.filename, len(f.value)])
        else:
            items.append([f.name, str(f.value)])
    return _json(req, items)


def cookies(req):
    return _json(req, {k: v.value for k, v in Cookie.get_cookies(req).items()})


def session(req):
    sess = Session.MemorySession(req)
    sess.save()
    req.content_type = "text/plain"
    req.write("ok")
    return apache.OK


def log(req):
    req.log_error(f"hostile: uri {req.uri!s} agent "
                  f"{req.headers_in.get('User-Agent', '')!s}", apache.APLOG_INFO)
    apache.log_error(f"hostile: {req.unparsed_uri}", apache.APLOG_INFO)
    req.content_type = "text/plain"
    req.write("ok " + req.uri)               # surrogates go out as bytes
    return apache.OK


def raise_(req):
    raise ValueError(f"hostile {req.uri}")


def fixup(req):
    req.filename = req.filename
    if "/files/" in req.filename:
        # the same name reaches the file through apache.stat() and open()
        size = apache.stat(req.filename, apache.APR_FINFO_NORM).size
        with open(req.filename, "rb") as f:
            same = len(f.read()) == size
        req.headers_out["X-Stat"] = f"{size} {same}"
    return apache.OK


_ROUTES = {"echo": echo, "tables": tables, "attrs": attrs, "form": form,
           "cookies": cookies, "session": session, "session_strict": session,
           "session_off": session, "log": log, "raise": raise_}
