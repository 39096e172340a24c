"""The demo's hello handler.

Endpoints (see demo/httpd.conf.in):
  /          a greeting with a link to the request-information page
  /anything  the same: PythonHandler hello answers every URL but /info/
"""
from html import escape

from mod_python import apache


def handler(req):
    req.content_type = "text/html; charset=utf-8"
    try:
        from mod_python import version
        release = version.version
    except (ImportError, AttributeError):
        release = "?"
    req.write(
        "<!doctype html>\n<title>Hello from mod_python</title>\n"
        "<h1>Hello from mod_python %s</h1>\n"
        "<p>This page was written by <code>hello.py</code> for "
        "<code>%s</code>.</p>\n"
        '<p>See <a href="/info/?a=1&amp;b=two">what the request looks like</a>.'
        "</p>\n" % (escape(release), escape(req.uri))
    )
    return apache.OK
