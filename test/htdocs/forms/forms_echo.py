"""util.FieldStorage and friends.  Endpoints (test_400_forms.py):

/forms/echo       JSON description of FieldStorage(req, keep_blank_values=1):
                  every field in order, files by size and SHA-256
/forms/limited    the same, with small limits set by PythonOption
/forms/redirect   util.redirect(req, ?to=, permanent=?perm)
/forms/late       redirect after the body has started -> OSError caught
/forms/apply      util.apply_fs_data on a function, a class and a method
"""

import hashlib
import json

from mod_python import apache, util


def _describe(value):
    if isinstance(value, util.Field):
        h = hashlib.sha256()
        size = 0
        while True:
            block = value.file.read(65536)
            if not block:
                break
            h.update(block)
            size += len(block)
        return {"kind": "file", "name": value.name, "filename": value.filename,
                "type": value.type, "size": size, "sha256": h.hexdigest(),
                "on_disk": bool(getattr(value.file, "_rolled", True)),
                "header_ct": value.headers.get("content-type")}
    return {"kind": type(value).__name__, "name": value.name,
            "is_str": isinstance(value, str), "value": value}


def handler(req):
    fs = util.FieldStorage(req, keep_blank_values=1)
    out = {
        "keys": fs.keys(),
        "key_types": sorted({type(k).__name__ for k in fs.keys()}),  # noqa: SIM118 - exercises keys()
        "len": len(fs),
        "list": [_describe(f.item()) for f in fs.list],
        "getfirst_a": fs.getfirst("a"),
        "getlist_a": fs.getlist("a"),
        "has_a": fs.has_key("a") and "a" in fs,
        "get_missing": fs.get("missing", "dflt"),
        "apache_parse_qsl": apache.parse_qsl(req.args or "", 1),
        "util_parse_qs": util.parse_qs(req.args or ""),
    }
    req.content_type = "application/json"
    req.write(json.dumps(out))
    return apache.OK


def redirect(req):
    fs = util.FieldStorage(req)
    util.redirect(req, fs.getfirst("to", "/"), permanent=int(fs.getfirst("perm", 0)))


def late(req):
    req.content_type = "text/plain"
    req.write("started ")
    try:
        util.redirect(req, "/elsewhere")
    except OSError as exc:
        req.write("refused: " + type(exc).__name__)
    return apache.OK


def _func(a, b="B", req=None):
    return {"a": a, "b": b, "has_req": req is not None}


class _Thing:
    def __init__(self, a, **kw):
        self.result = {"a": a, "kw": sorted(kw)}

    def method(self, b):
        return {"b": b}


def apply(req):
    fs = util.FieldStorage(req)
    out = {
        "func": util.apply_fs_data(_func, fs, req=req, unused=1),
        "class": util.apply_fs_data(_Thing, fs, extra=1).result,
        "method": util.apply_fs_data(_Thing("x").method, fs),
        "builtin": util.apply_fs_data(dict, fs) == {},
    }
    req.content_type = "application/json"
    req.write(json.dumps(out))
    return apache.OK
