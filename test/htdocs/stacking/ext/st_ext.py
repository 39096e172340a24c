"""`| .ext` handler lists.

PythonHandler st_ext::ext | .py  -> "ext handler" for *.py files
PythonHandler st_ext::plain      -> "plain handler" for everything else
"""

from mod_python import apache


def ext(req):
    req.content_type = "text/plain"
    req.write("ext handler")
    return apache.OK


def plain(req):
    req.content_type = "text/plain"
    req.write("plain handler")
    return apache.OK
