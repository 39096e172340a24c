"""Start-up checks: a handler that only answers, to show whether Python
started in the child at all.

- handler: writes "started", returns OK
"""

from mod_python import apache


def handler(req):
    req.content_type = "text/plain"
    req.write("started")
    return apache.OK
