"""req.sendfile.

PythonHandler api_sendfile, by query string (file: sendfile_data.txt next
to this module, or sendfile_link.txt, a symlink the test may create):
  ?whole    sendfile(path)            header X-Sent: bytes sent
  ?part     sendfile(path, 3, 4)
  ?tail     sendfile(path, 10)        (len=-1: the rest)
  ?link     sendfile(<symlink>)
  ?missing  sendfile(<no such file>)  -> text "OSError <errno class>"
  ?queued   write("ab") + sendfile(path, 0, 2), then "|" + _bytes_queued
"""

import os

from mod_python import apache

HERE = os.path.dirname(__file__)
DATA = os.path.join(HERE, "sendfile_data.txt")


def handler(req):
    mode = req.args or "whole"
    req.content_type = "text/plain"
    if mode == "missing":
        try:
            req.sendfile(os.path.join(HERE, "no-such-file"))
        except OSError as e:
            req.write("OSError " + type(e).__name__)
        return apache.OK
    if mode == "queued":
        req.write("ab", 0)
        req.sendfile(DATA, 0, 2)
        req.write(f"|{req._bytes_queued}")
        return apache.OK
    args = {"whole": (DATA,), "part": (DATA, 3, 4), "tail": (DATA, 10),
            "link": (os.path.join(HERE, "sendfile_link.txt"),)}[mode]
    # headers go out with the first body bytes: compute first
    size = os.stat(args[0]).st_size
    start = args[1] if len(args) > 1 else 0
    length = args[2] if len(args) > 2 else size - start
    req.headers_out["X-Expect"] = str(length)
    sent = req.sendfile(*args)
    if sent != length:
        req.log_error(f"api_sendfile: sent {sent}, expected {length}")
    return apache.OK
