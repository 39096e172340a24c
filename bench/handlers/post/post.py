from mod_python import apache


def handler(req):
    data = req.read()
    req.content_type = "text/plain"
    req.write(("read %d bytes" % len(data)).encode())
    return apache.OK
