"""Instance __dict__ shared between phases, and subclassing.

PythonFixupHandler api_phases  sets req.shared = {"fixup": <phase>} and
                               req.fixup_obj = id(req)
PythonHandler api_phases       -> JSON {"shared", "same_object", "phase",
                               "dict_keys", "subclass": {...}}
"""

import json

from mod_python import apache


def fixuphandler(req):
    req.shared = {"fixup": req.phase}
    req.fixup_obj = id(req)
    return apache.OK


def handler(req):
    tp = type(req)

    class MyRequest(tp):
        """A subclass adds behaviour; the base keeps working."""

        def shout(self):
            return self.uri.upper()

    sub = {
        "is_subclass": issubclass(MyRequest, tp),
        "mro_name": MyRequest.__mro__[1].__name__,
        "inherits_write": MyRequest.write is tp.write,
        "shout": MyRequest.shout(req),
        "base_method_via_sub": MyRequest.construct_url(req, "/x"),
    }
    try:
        tp()
        sub["direct_instantiation"] = "allowed"
    except TypeError:
        sub["direct_instantiation"] = "TypeError"
    req.content_type = "application/json"
    req.write(json.dumps({
        "shared": req.shared,
        "same_object": req.fixup_obj == id(req),
        "phase": req.phase,
        "dict_keys": sorted(req.__dict__),
        "subclass": sub,
    }))
    return apache.OK
