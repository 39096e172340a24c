import os

from mod_python import apache

DATA = b"0123456789abcdef" * 65536          # 1 MiB
PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "big1m.bin")


def handler(req):
    req.content_type = "application/octet-stream"
    req.write(DATA)
    return apache.OK


def sendfile(req):
    req.content_type = "application/octet-stream"
    req.sendfile(PATH)
    return apache.OK
