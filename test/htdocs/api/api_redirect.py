"""internal_redirect and the identity of req.prev / req.next.

PythonHandler api_redirect::source  (/api/redir_from) marks req and
    redirects to /api/redir_to?from; afterwards it checks req.next and logs
    "api_redirect: next mismatch ..." at APLOG_ERR if the objects differ.
PythonHandler api_redirect::target  (/api/redir_to) -> JSON about req.prev.
"""

import json

from mod_python import apache


def source(req):
    req.marker = "source"
    req.internal_redirect("/api/redir_to?from")
    nxt = req.next
    ok = (nxt is not None and getattr(nxt, "marker", None) == "target"
          and nxt.prev is req and nxt.uri == "/api/redir_to")
    if not ok:
        req.log_error(f"api_redirect: next mismatch {nxt!r}",
                      apache.APLOG_ERR)
    else:
        req.log_error("api_redirect: next ok", apache.APLOG_NOTICE)
    return apache.OK


def target(req):
    req.marker = "target"
    prev = req.prev
    req.content_type = "application/json"
    req.write(json.dumps({
        "prev_marker": getattr(prev, "marker", None),
        "prev_uri": prev.uri if prev is not None else None,
        "prev_next_is_self": prev is not None and prev.next is req,
        "prev_is_prev": req.prev is prev,
        "main": req.main is None,
        "next": req.next is None,
        "args": req.args,
    }))
    return apache.OK
