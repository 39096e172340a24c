"""Publisher test pages (test_500_publisher.py).

/publisher/              -> index()
/publisher/hello         -> index.py's hello() (fallback: no hello.py)
/publisher/index/args    -> args(a, b) with form fields
"""


def index(req):
    return "index of publisher"


def hello(req, name="world"):
    return f"hello {name}"


def args(a, b="B", req=None):
    return f"a={a} b={b} req={'yes' if req is not None else 'no'}"
