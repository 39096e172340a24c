"""PythonHandlerModule target: defines only some phase callables; the
others must be skipped silently.

- fixuphandler: records "fixup" in req.notes, returns OK
- handler: writes the recorded phases and sys.flags.optimize, returns OK
(no inithandler, accesshandler, authzhandler, ...: skipped)
"""

import sys

from mod_python import apache


def fixuphandler(req):
    req.notes["dm"] = "fixup"
    return apache.OK


def handler(req):
    req.content_type = "text/plain"
    req.write(f"{req.notes.get('dm')} optimize={sys.flags.optimize}")
    return apache.OK
