import os

from mod_python import apache


def handler(req):
    req.content_type = "text/plain"
    req.write(("pid=%d" % os.getpid()).encode())
    return apache.OK
