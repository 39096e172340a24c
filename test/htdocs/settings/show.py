"""Endpoints: /settings/*/x - the compiled settings of the request's scope,
as req._settings() gives them and as req.get_config() shows them, as JSON."""
import json

from mod_python import apache


def handler(req):
    s = req._settings()
    config = req.get_config()
    req.content_type = "application/json"
    req.write(json.dumps({
        "settings": {
            "python_path": s.python_path,
            "interpreter": s.interpreter,
            "debug": s.debug,
            "pdb": s.pdb,
            "autoreload": s.autoreload,
        },
        "config": {k: config[k] for k in config},
        "interpreter_used": req.interpreter,
    }))
    return apache.OK
