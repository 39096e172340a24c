"""Request body reading (read/readline/readlines).

PythonHandler api_body, mode from the query string:
  ?all        -> body = req.read()
  ?neg        -> body = req.read(-7) (negative: the rest)
  ?sized      -> read(0), read(3), then read() for the rest: JSON parts
                 (remaining is only known once reading started)
  ?lines      -> readline() until b'' : JSON list of lines
  ?linelimit  -> readline(4) twice, then readlines(): JSON
  ?readlines  -> readlines(10) then readlines(): JSON
  ?badlen     -> read("x") / readline(None) errors: JSON
Bytes go out latin-1 decoded in JSON, or raw for all/neg.
"""

import json

from mod_python import apache


def lat(b):
    return b.decode("latin-1")


def err(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        return type(e).__name__
    return None


def handler(req):
    mode = req.args or "all"
    info = {"remaining_before": req.remaining}
    if mode == "all":
        req.content_type = "application/octet-stream"
        req.write(req.read())
        return apache.OK
    if mode == "neg":
        req.content_type = "application/octet-stream"
        req.write(req.read(-7))
        return apache.OK
    if mode == "sized":
        first = lat(req.read(0))
        info["remaining_after_read0"] = req.remaining
        info["parts"] = [first, lat(req.read(3)), lat(req.read())]
        info["after_end"] = lat(req.read())
    elif mode == "lines":
        lines = []
        while True:
            line = req.readline()
            if not line:
                break
            lines.append(lat(line))
        info["lines"] = lines
    elif mode == "linelimit":
        info["first"] = lat(req.readline(4))
        info["second"] = lat(req.readline(4))
        info["rest"] = [lat(x) for x in req.readlines()]
    elif mode == "readlines":
        info["hint"] = [lat(x) for x in req.readlines(10)]
        info["rest"] = [lat(x) for x in req.readlines()]
    elif mode == "badlen":
        info["read_str"] = err(lambda: req.read("x"))
        info["readline_none"] = err(lambda: req.readline(None))
        info["readlines_str"] = err(lambda: req.readlines("3"))
        info["body"] = lat(req.read())
    info["read_length"] = req.read_length
    info["read_chunked"] = req.read_chunked
    req.content_type = "application/json"
    req.write(json.dumps(info))
    return apache.OK
