"""Handlers for test_800_metrics.

/metrics/count   the pid of the child that answers (200); waits a little
                 when asked (?slow) so that concurrent requests need
                 several prefork children, or long (?hold)
/metrics/boom    raises ValueError (500, an exception in the metrics)
/metrics/nf      returns HTTP_NOT_FOUND (4xx)
/metrics/moved   redirects with HTTP_MOVED_TEMPORARILY (3xx)
/metrics/added   adds mx_handlers::added with req.add_handler(): a handler
                 not named in the configuration ("(other)" label)
/metrics/<other> (mx_handlers::handler, the directory's default) 200
/metrics/static.up  a static file through the output filter MXUPPER
                 (mx_handlers::upper)
"""

import os
import time

from mod_python import apache


def handler(req):
    req.content_type = "text/plain"
    req.write("default")
    return apache.OK


def count(req):
    if req.args == "slow":
        time.sleep(0.05)
    elif req.args == "hold":
        time.sleep(1.0)
    req.content_type = "text/plain"
    req.write(str(os.getpid()))
    return apache.OK


def boom(req):
    raise ValueError("boom from mx_handlers")


def notfound(req):
    return apache.HTTP_NOT_FOUND


def moved(req):
    req.headers_out["Location"] = "/metrics/count"
    return apache.HTTP_MOVED_TEMPORARILY


def add(req):
    req.add_handler("PythonHandler", "mx_handlers::added")
    return apache.OK


def added(req):
    req.content_type = "text/plain"
    req.write("added")
    return apache.OK


def upper(filt):
    data = filt.read()
    while data:
        filt.write(data.upper())
        data = filt.read()
    if data is None:
        filt.close()
