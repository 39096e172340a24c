"""req.main identity in a subrequest (mod_dir's DirectoryIndex lookup).

In a <Directory> with DirectoryIndex index.mpy and AddHandler mod_python
.mpy, GET /api/dirindex/ runs:
  PythonFixupHandler api_subreq  on the main request (main is None) and on
      the index.mpy subrequest, which records what it sees on req.main;
  PythonHandler api_subreq       -> JSON of those records.
"""

import json

from mod_python import apache


def fixuphandler(req):
    if req.main is None:
        req.role = "main"
        req.fixups = ["main " + req.uri]
        return apache.OK
    main = req.main
    main.fixups.append("sub " + req.uri)
    main.sub_saw = {
        "main_role": getattr(main, "role", None),
        "main_stable": req.main is main,
        "main_main_is_none": main.main is None,
        "sub_uri": req.uri,
        "sub_is_main": req is main,
    }
    return apache.OK


def handler(req):
    req.content_type = "application/json"
    req.write(json.dumps({
        "fixups": getattr(req, "fixups", None),
        "sub_saw": getattr(req, "sub_saw", None),
        "role": getattr(req, "role", None),
        "uri": req.uri,
        "exts": req.get_addhandler_exts(),
    }))
    return apache.OK
