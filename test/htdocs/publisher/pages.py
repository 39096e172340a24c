"""Publisher test pages (test_500_publisher.py): traversal, publishing rules,
results and content types.

/publisher/pages/<name>, /publisher/pages.py/<name>
"""

import os
import os.path
from os.path import join as imported_function  # noqa: F401 - published

import mod_python

greeting = "a plain string constant"
numbers = [1, 2, 3]
mapping = {"a": 1}
_private = "secret"
a_module = os


class AClass:
    def method(self):
        return "unbound?"


class Page:
    def __init__(self, name):
        self.name = name

    def __call__(self, req):
        return f"page {self.name}"

    def method(self, x="0"):
        return f"method of {self.name} x={x}"

    def _hidden(self):
        return "hidden"


class Root:
    page1 = Page("page1")

    def __call__(self):
        return "root"


hierarchy_root = Root()
hierarchy_root.page1.subpage1 = Page("subpage1")


def func(req):
    return "func"


def kwargs(req, a, **kw):
    rest = ",".join(f"{k}:{kw[k]}" for k in sorted(kw))
    return f"a={a} rest={rest}"


def multi(req, v):
    return repr(v if isinstance(v, list) else [v])


def html(req):
    return "<html><body>hello</body></HTML>\n"


def text(req):
    return "just text"


def as_bytes(req):
    return b"\x00\x01binary\xff"


def html_bytes(req):
    return b"<html>x</html>"


def unicode(req):
    return "caf\u00e9 \u20ac"


def latin1(req):
    req.content_type = "text/plain; charset=iso-8859-1"
    return "caf\u00e9"


def own_type(req):
    req.content_type = "application/json"
    return '{"ok": true}'


def nothing(req):
    return None


def written(req):
    req.write("written directly", 0)


def returns_function(req):
    return text


def returns_class(req):
    return AClass


def number(req):
    return 42


def generator(req):
    return (i for i in range(3))


code_object = func.__code__
builtin = len
dict_keys = mapping.keys
module_attr = mod_python


def method_form(req):
    return req.method + ":" + str(req.form.getfirst("x"))
