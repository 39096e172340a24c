"""server.get_options() as a live per-child table (issue 12 item 5).

PythonHandler srvopts_report -> JSON, by query string:
  (none)        {"pid", "interpreter", "stored", "conf", "main_stored",
                 "main_conf", "type"}: what req.server.get_options() and
                apache.main_server.get_options() hold
  set=K&v=V     stores K=V through req.server.get_options(), then as above
  get=K         {"pid", "value", "main_value"} for key K
  hammer=N&t=T  writes and reads back N keys "srvopts.T.i" (threads race on
                the same table): {"pid", "ok": count read back equal}
"""

import json
import os
from urllib.parse import parse_qs

from mod_python import apache


def handler(req):
    q = {k: v[0] for k, v in parse_qs(req.args or "", keep_blank_values=True).items()}
    opts = req.server.get_options()
    main = apache.main_server.get_options()
    out = {"pid": os.getpid(), "interpreter": apache.interpreter}
    if "set" in q:
        opts[q["set"]] = q.get("v", "")
    if "get" in q:
        out["value"] = opts.get(q["get"])
        out["main_value"] = main.get(q["get"])
    elif "hammer" in q:
        ok = 0
        for i in range(int(q["hammer"])):
            key = f"srvopts.{q['t']}.{i}"
            req.server.get_options()[key] = str(i)
            if req.server.get_options().get(key) == str(i):
                ok += 1
        out["ok"] = ok
    else:
        out.update(stored=opts.get("srvopts.stored"), conf=opts.get("srvopts.conf"),
                   main_stored=main.get("srvopts.stored"),
                   main_conf=main.get("srvopts.conf"), type=type(opts).__name__)
    req.content_type = "application/json"
    req.write(json.dumps(out))
    return apache.OK
