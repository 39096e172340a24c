"""Request attributes and their read/write rules (spec 2.5.2).

PythonHandler api_attrs -> application/json:
  {"values": {name: {"type": ..., "value": ...}},   every attribute
   "rw": {name: repr of the value read back after setting it},
   "ro": {name: exception class name raised by setting it},
   "bad": {case: exception class name raised by a bad value}}
"""

import json

from mod_python import apache

ATTRS = [
    "connection", "server", "next", "prev", "main", "the_request",
    "assbackwards", "proxyreq", "header_only", "protocol", "proto_num",
    "hostname", "request_time", "status_line", "status", "method",
    "method_number", "allowed", "allowed_xmethods", "allowed_methods",
    "sent_bodyct", "bytes_sent", "mtime", "chunked", "range", "clength",
    "remaining", "read_length", "read_body", "read_chunked",
    "expecting_100", "content_type", "content_encoding",
    "content_languages", "handler", "vlist_validator", "user",
    "ap_auth_type", "no_cache", "no_local_copy", "unparsed_uri", "uri",
    "filename", "canonical_filename", "path_info", "args", "finfo",
    "parsed_uri", "used_path_info", "headers_in", "headers_out",
    "err_headers_out", "subprocess_env", "notes", "eos_sent",
    "useragent_ip", "useragent_addr", "interpreter", "phase", "extension",
    "hlist", "_content_type_set", "_bytes_queued", "_request_rec",
]

READ_ONLY = [
    "connection", "server", "next", "prev", "main", "the_request",
    "header_only", "protocol", "proto_num", "hostname", "request_time",
    "method", "method_number", "allowed", "allowed_xmethods",
    "allowed_methods", "sent_bodyct", "bytes_sent", "mtime", "range",
    "clength", "remaining", "read_length", "read_body", "read_chunked",
    "expecting_100", "content_encoding", "content_languages",
    "vlist_validator", "unparsed_uri", "parsed_uri", "headers_in",
    "headers_out", "err_headers_out", "subprocess_env", "notes",
    "eos_sent", "useragent_ip", "useragent_addr", "interpreter", "phase",
    "extension", "hlist", "_content_type_set", "_bytes_queued",
    "_request_rec",
]

# name -> value to set (the old value is put back afterwards)
READ_WRITE = {
    "assbackwards": 0, "proxyreq": apache.PROXYREQ_NONE,
    "status_line": "200 OK", "status": 200, "chunked": 1,
    "handler": "mod_python", "user": "h\u00e9l\u00e8ne",
    "ap_auth_type": "Basic", "no_cache": 1, "no_local_copy": 1,
    "uri": "/api/attrs/changed", "filename": "/tmp/changed",
    "canonical_filename": "/tmp/changed", "path_info": "/pi",
    "args": None, "used_path_info": apache.AP_REQ_ACCEPT_PATH_INFO,
}


def jsonable(v):
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, (tuple, list)):
        return [jsonable(x) for x in v]
    return repr(v)


def err(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - reported to the test
        return type(e).__name__
    return None


def handler(req):
    values = {}
    for name in ATTRS:
        v = getattr(req, name)
        values[name] = {"type": type(v).__name__, "value": jsonable(v)}

    rw = {}
    for name, new in READ_WRITE.items():
        old = getattr(req, name)
        setattr(req, name, new)
        rw[name] = repr(getattr(req, name))
        if name == "chunked":
            req.chunked = 0
            rw["chunked0"] = repr(req.chunked)
        setattr(req, name, old)
    rw["args_restored"] = req.args
    rw["no_cache_restored"] = req.no_cache

    ro = {name: err(lambda name=name: setattr(req, name, 1))
          for name in READ_ONLY}

    bad = {
        "status=str": err(lambda: setattr(req, "status", "200")),
        "status=float": err(lambda: setattr(req, "status", 1.5)),
        "status=huge": err(lambda: setattr(req, "status", 2 ** 40)),
        "chunked=str": err(lambda: setattr(req, "chunked", "1")),
        "uri=None": err(lambda: setattr(req, "uri", None)),
        "uri=int": err(lambda: setattr(req, "uri", 5)),
        "uri=nul": err(lambda: setattr(req, "uri", "/a\0b")),
        "del status": err(lambda: delattr(req, "status")),
        "del uri": err(lambda: delattr(req, "uri")),
        "finfo=int": err(lambda: setattr(req, "finfo", 5)),
        "content_type=int": err(lambda: setattr(req, "content_type", 5)),
        "handler=None": err(lambda: setattr(req, "handler", None)),
        "unknown": err(lambda: req.no_such_attribute),
    }
    req.handler = "mod_python"

    req.content_type = "application/json"
    req.write(json.dumps({"values": values, "rw": rw, "ro": ro, "bad": bad}))
    return apache.OK
