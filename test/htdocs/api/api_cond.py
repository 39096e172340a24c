"""Conditional GET: update_mtime, set_last_modified, set_etag,
meets_conditions.

PythonHandler api_cond: takes mtime from req.finfo (the file cond.txt),
sets Last-Modified and ETag, and returns meets_conditions() when it is not
OK (304 for a matching If-None-Match / If-Modified-Since); otherwise writes
"fresh body" and X-Mtime (req.mtime).  ?older first calls update_mtime
with an older time (no effect), ?newer with mtime + 100.
"""

from mod_python import apache


def handler(req):
    mt = float(req.finfo.mtime)
    req.update_mtime(mt)
    if req.args == "older":
        req.update_mtime(mt - 1000)
    elif req.args == "newer":
        req.update_mtime(mt + 100)
    req.set_last_modified()
    req.set_etag()
    status = req.meets_conditions()
    if status != apache.OK:
        return status
    req.content_type = "text/plain"
    req.headers_out["X-Mtime"] = repr(req.mtime)
    req.write("fresh body")
    return apache.OK
