"""Writing after the client closed the connection.

PythonHandler api_closed: writes one chunk, then keeps writing (flushing)
for up to 10 s until write() raises; the outcome ("OSError: <msg>" or
"no error") goes to <tmp>/closed-result (PythonOption api.tmp).
"""

import os
import time

from mod_python import apache


def handler(req):
    req.content_type = "text/plain"
    req.write("first chunk\n")
    deadline = time.monotonic() + 10
    outcome = "no error"
    try:
        while time.monotonic() < deadline:
            req.write("x" * 65536)
            time.sleep(0.05)
    except OSError as e:
        outcome = "OSError: " + str(e)
    try:
        req.write("again")
        after = "no error"
    except OSError:
        after = "OSError"
    path = os.path.join(req.get_options()["api.tmp"], "closed-result")
    with open(path + ".part", "w") as f:
        f.write(outcome + "\n" + after + "\n")
    os.rename(path + ".part", path)
    return apache.OK
