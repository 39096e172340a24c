"""The handler deletes its own name: the next request fails to resolve."""
from mod_python import apache


def handler(req):
    req.write("here")
    del globals()["handler"]
    return apache.OK
