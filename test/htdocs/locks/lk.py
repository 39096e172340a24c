"""Global-lock handlers for test_330_locks.py.  Query: key=value pairs.

- hold     ?idx=N&secs=S (or key=K): holds _global_lock for S seconds;
           answers {"pid", "start", "end"} (time.time() inside the lock)
- nolock   ?secs=S: the same sleep without a lock (the control)
- try      ?idx=N (or key=K): _global_trylock; releases it again when it
           got it; answers {"pid", "got"}
- errors   the ValueError messages for indexes out of range
"""

import json
import os
import time
from urllib.parse import parse_qsl

import _apache
from mod_python import apache


def _args(req):
    return dict(parse_qsl(req.args or ""))


def _which(args):
    if "key" in args:
        return args["key"], -1
    return None, int(args.get("idx", "1"))


def _answer(req, data):
    req.content_type = "application/json"
    req.write(json.dumps(data))
    return apache.OK


def hold(req):
    args = _args(req)
    key, idx = _which(args)
    _apache._global_lock(req.server, key, idx)
    try:
        start = time.time()
        time.sleep(float(args.get("secs", "0.5")))
        end = time.time()
    finally:
        _apache._global_unlock(req.server, key, idx)
    return _answer(req, {"pid": os.getpid(), "start": start, "end": end})


def nolock(req):
    start = time.time()
    time.sleep(float(_args(req).get("secs", "0.5")))
    return _answer(req, {"pid": os.getpid(), "start": start, "end": time.time()})


def try_(req):
    key, idx = _which(_args(req))
    got = _apache._global_trylock(req.server, key, idx)
    if got:
        _apache._global_unlock(req.server, key, idx)
    return _answer(req, {"pid": os.getpid(), "got": got})


def errors(req):
    out = {}
    for idx in (-2, 8, 1000):
        for name in ("_global_lock", "_global_trylock", "_global_unlock"):
            try:
                getattr(_apache, name)(req.server, None, idx)
                out[f"{name} {idx}"] = "no error"
            except ValueError as exc:
                out[f"{name} {idx}"] = str(exc)
    # index 0 (reserved for dbm files) and the last one are usable
    for idx in (0, 7):
        out[f"trylock {idx}"] = _apache._global_trylock(req.server, None, idx)
        _apache._global_unlock(req.server, None, idx)
    return _answer(req, out)
