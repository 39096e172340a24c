"""PythonHandler h of directory a (test_720_samename.py): each of
samename/a, samename/b and samename/c has its own h.py.

Any URL below /samename/a/ answers "a VERSION pid __name__".
"""

import os

from mod_python import apache

VERSION = 1


def handler(req):
    req.content_type = "text/plain"
    req.write(f"a v{VERSION} {os.getpid()} {__name__}")
    return apache.OK
