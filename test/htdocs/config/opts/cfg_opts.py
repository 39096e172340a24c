"""PythonOption report.

PythonHandler cfg_opts -> JSON {"options": req.get_options() without the
reserved mod_python.* keys, "upper_a": value looked up as "A" (keys are
case-insensitive), "has_b": whether "b" is present}.
"""

import json

from mod_python import apache


def handler(req):
    opts = req.get_options()
    req.content_type = "application/json"
    req.write(json.dumps({
        "options": {k: v for k, v in opts.items()
                    if not k.startswith("mod_python.")},
        "upper_a": opts.get("A"),
        "has_b": "b" in opts,
    }))
    return apache.OK
