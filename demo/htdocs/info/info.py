"""The demo's request-information page.

Endpoints (see demo/httpd.conf.in):
  /info/       an HTML table of request, connection, server and Python facts
  /info/?a=1   the same, showing the parsed query string
"""
import os
import sys
from html import escape
from urllib.parse import parse_qsl

from mod_python import apache


def _get(obj, name):
    """An attribute's value, or the error that reading it raised."""
    try:
        value = getattr(obj, name)
    except Exception as exc:  # show the demo's reader what went wrong
        return "<%s: %s>" % (type(exc).__name__, exc)
    return value() if callable(value) else value


def _rows(title, pairs):
    out = ["<h2>%s</h2>\n<table>" % escape(title)]
    for key, value in pairs:
        out.append("<tr><th>%s</th><td><code>%s</code></td></tr>"
                   % (escape(str(key)), escape(repr(value))))
    out.append("</table>")
    return "\n".join(out)


def handler(req):
    req.content_type = "text/html; charset=utf-8"
    request = [(name, _get(req, name)) for name in (
        "method", "protocol", "hostname", "uri", "unparsed_uri", "args",
        "path_info", "filename", "interpreter", "user")]
    conn = req.connection
    connection = [(name, _get(conn, name)) for name in (
        "client_ip", "local_ip", "local_addr", "keepalives")]
    server = [(name, _get(req.server, name)) for name in (
        "server_hostname", "port", "is_virtual")]
    python = [("version", sys.version.split()[0]),
              ("executable", sys.executable),
              ("pid", os.getpid()),
              ("mod_python package", apache.__file__)]
    headers = list(req.headers_in.items())
    query = parse_qsl(req.args or "", keep_blank_values=True)
    req.write("<!doctype html>\n<title>Request information</title>\n"
              "<style>th{text-align:left;padding-right:1em}</style>\n"
              '<p><a href="/">back</a></p>\n')
    for title, pairs in (("Request", request), ("Query string", query),
                         ("Request headers", headers),
                         ("Connection", connection), ("Server", server),
                         ("Python", python)):
        req.write(_rows(title, pairs))
    return apache.OK
