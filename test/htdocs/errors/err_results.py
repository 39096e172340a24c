"""Return-code semantics of a content handler.

- forbidden: raise apache.SERVER_RETURN(apache.HTTP_FORBIDDEN) -> 403
- server_return_ok: writes "after server return", raises
  SERVER_RETURN(apache.OK) -> 200 with that body
- not_found: return apache.HTTP_NOT_FOUND -> 404
- not_int: return "not an int" -> 500 (logged)
- custom: req.status = 410, writes "custom gone", return OK -> 410
- done: writes "done body", return apache.DONE -> 200 with that body
"""

from mod_python import apache


def forbidden(req):
    raise apache.SERVER_RETURN(apache.HTTP_FORBIDDEN)


def server_return_ok(req):
    req.content_type = "text/plain"
    req.write("after server return")
    raise apache.SERVER_RETURN(apache.OK)


def not_found(req):
    return apache.HTTP_NOT_FOUND


def not_int(req):
    return "not an int"


def custom(req):
    req.status = 410
    req.content_type = "text/plain"
    req.write("custom gone")
    return apache.OK


def done(req):
    req.content_type = "text/plain"
    req.write("done body")
    return apache.DONE
