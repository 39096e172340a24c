"""Publisher page for test_450_hostile.py: /hostile/pub.py/echo returns
req.args (the text rule: bytes that are not UTF-8 read as surrogate escapes
and must go out as the same bytes)."""


def echo(req):
    return req.args or ""
