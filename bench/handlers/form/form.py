"""Form POST (multipart/form-data, ten fields) through util.FieldStorage."""
from mod_python import apache, util

NAMES = ["field%d" % i for i in range(10)]


def handler(req):
    fs = util.FieldStorage(req)
    out = []
    for name in NAMES:
        value = fs.getfirst(name)
        if isinstance(value, bytes):
            value = value.decode("utf-8")
        out.append("%s=%d" % (name, len(value) if value is not None else -1))
    req.content_type = "text/plain"
    req.write(("\n".join(out) + "\n").encode())
    return apache.OK
