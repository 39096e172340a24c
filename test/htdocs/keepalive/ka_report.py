"""req.connection.keepalive at points of a response (issue 12 item 6).

Written to run unchanged under mod_python 3.5 too (the anchor).

PythonHandler ka_report -> "key=value" lines, by query string:
  (none)    before: before any output; after_unflushed: after
            req.write(data, 0); after_flush: after req.flush(); keepalives
  write     before; after_write: after req.write(data) (which flushes)
  empty     after_empty: after req.write(""); the status (201) and a header
            (X-After-Empty) set afterwards still reach the client
PythonLogHandler ka_report logs "ka_report log phase keepalive=N" (notice).
"""

from mod_python import apache


def handler(req):
    c = req.connection
    q = req.args or ""
    req.content_type = "text/plain"
    lines = [f"before={c.keepalive}"]
    if q == "write":
        req.write("start\n")
        lines.append(f"after_write={c.keepalive}")
    elif q == "empty":
        req.write("")
        lines.append(f"after_empty={c.keepalive}")
        req.status = 201
        req.headers_out["X-After-Empty"] = "yes"
    else:
        req.write("start\n", 0)
        lines.append(f"after_unflushed={c.keepalive}")
        req.flush()
        lines.append(f"after_flush={c.keepalive}")
    lines.append(f"keepalives={c.keepalives}")
    req.write("\n".join(lines) + "\n")
    return apache.OK


def loghandler(req):
    req.log_error(f"ka_report log phase keepalive={req.connection.keepalive}",
                  apache.APLOG_NOTICE)
    return apache.OK
