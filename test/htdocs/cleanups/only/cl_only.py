"""PythonCleanupHandler cl_only, configured for a static file with no other
Python directive: it must still run (defect 23 of the original).  Appends
"<uri> <status>" to <ServerRoot>/tmp/only-<args>."""

import os

from mod_python import apache


def cleanuphandler(req):
    path = os.path.join(apache.server_root(), "tmp", "only-" + req.args)
    with open(path, "a") as f:
        f.write(f"{req.uri} {req.status}\n")
    return apache.OK
