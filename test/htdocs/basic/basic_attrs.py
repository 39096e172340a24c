"""Request attributes as JSON.

PythonHandler basic_attrs -> application/json with method, uri, args,
filename, path_info, protocol, hostname, interpreter names, the X-Test
request header and sys.path; sets response header X-Handler: basic_attrs.
"""

import json
import sys

from mod_python import apache


def handler(req):
    data = {
        "method": req.method,
        "uri": req.uri,
        "unparsed_uri": req.unparsed_uri,
        "args": req.args,
        "filename": req.filename,
        "path_info": req.path_info,
        "protocol": req.protocol,
        "hostname": req.hostname,
        "interpreter": req.interpreter,
        "apache_interpreter": apache.interpreter,
        "x_test": req.headers_in.get("X-Test"),
        "sys_path": list(sys.path),
        "module_file": __file__,
    }
    req.headers_out["X-Handler"] = "basic_attrs"
    req.content_type = "application/json"
    req.write(json.dumps(data))
    return apache.OK
