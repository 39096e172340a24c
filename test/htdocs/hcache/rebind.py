"""The handler rebinds its own name: the next request must see the change
(the C handler cache checks the module namespace on every hit)."""
from mod_python import apache


def second(req):
    req.write("second")
    return apache.OK


def handler(req):
    req.write("first")
    globals()["handler"] = second
    return apache.OK
