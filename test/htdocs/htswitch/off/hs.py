"""Endpoint: any file below /htswitch/ whose .htaccess names this handler
answers "ran <directory>"."""
import os

from mod_python import apache


def handler(req):
    req.content_type = "text/plain"
    req.write("ran " + os.path.basename(os.path.dirname(req.filename)))
    return apache.OK
