"""A request object kept after its request ended.

PythonHandler api_expired  -> JSON: what touching the request kept by the
previous call of this handler (in this process) raised, or "first" on the
first call.  The kept object's __dict__ survives.
"""

import json

from mod_python import apache

_kept = []


def handler(req):
    result = {}
    if _kept:
        old = _kept.pop()
        for name, fn in [("attr", lambda: old.uri),
                         ("method", lambda: old.write("x")),
                         ("table", lambda: old.headers_in),
                         ("old_table", lambda: old.saved_table["a"]),
                         ("set", lambda: setattr(old, "status", 200))]:
            try:
                fn()
                result[name] = "no error"
            except RuntimeError as e:
                result[name] = "RuntimeError: " + str(e)
            except Exception as e:  # noqa: BLE001
                result[name] = type(e).__name__ + ": " + str(e)
        result["dict"] = old.note
    else:
        result["first"] = True
    req.note = "kept " + req.uri
    req.saved_table = req.headers_in
    _kept.append(req)
    req.content_type = "application/json"
    req.write(json.dumps(result))
    return apache.OK
