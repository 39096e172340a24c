"""get_basic_auth_pw, auth_name and auth_type.

PythonHandler api_auth -> JSON {"pw", "user", "auth_name", "auth_type",
"ap_auth_type"}.  Under AuthType Basic the password is decoded (UTF-8, or
Latin-1 when not valid UTF-8) and req.user is set; without AuthType Basic
get_basic_auth_pw() returns None.
"""

import json

from mod_python import apache


def handler(req):
    pw = req.get_basic_auth_pw()
    req.content_type = "application/json"
    req.write(json.dumps({
        "pw": pw,
        "user": req.user,
        "auth_name": req.auth_name(),
        "auth_type": req.auth_type(),
        "ap_auth_type": req.ap_auth_type,
    }))
    return apache.OK
