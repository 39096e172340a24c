"""Pages whose functions change after their first request: the publisher's
route cache must see every change (test_500_publisher)."""


def hello(req):
    return "hello"


def other(req):
    return "other"


def lock_hello(req):
    hello.__auth__ = lambda req, user, passwd: False
    return "locked"


def lock_module(req):
    globals()["__access__"] = lambda req, user: False
    return "module locked"


def swap_other(req):
    globals()["other"] = lambda req: "swapped"
    return "swapped in"


def takes_form(name="nobody"):
    return f"name={name}"
