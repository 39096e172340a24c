"""Dotted handler objects (spec 1.2): a class on the path is instantiated
with the request, and the attribute is read from the instance.

PythonHandler basic_class::Page.render -> "rendered by Page for <uri>"
PythonHandler basic_class::Page.missing -> AttributeError (500)
"""

from mod_python import apache


class Page:
    def __init__(self, req):
        self.uri = req.uri

    def render(self, req):
        req.content_type = "text/plain"
        req.write(f"rendered by Page for {self.uri}")
        return apache.OK
