"""A content handler that declines: Apache falls back to the static file.

- handler: DECLINED
- never: writes "never" (listed after handler, must not run)
"""

from mod_python import apache


def handler(req):
    return apache.DECLINED


def never(req):
    req.write("never")
    return apache.OK
