"""Many small unflushed writes (kept in the output buffer without a GIL
hand-over), flushed writes and explicit flushes, interleaved: the client
gets every byte in order."""
from mod_python import apache


def handler(req):
    req.content_type = "text/plain"
    for i in range(3000):
        line = b"%05d\n" % i
        if i % 700 == 0:
            req.write(line)             # flushed
        elif i % 333 == 0:
            req.write(line, 0)
            req.flush()
        elif i % 1000 == 999:
            req.write(line * 2000, 0)   # a big unflushed write
        else:
            req.write(line, 0)
    return apache.OK
