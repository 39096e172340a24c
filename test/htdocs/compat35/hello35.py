"""Handler of the mod_python 3.5-style configuration (test_700_httpdconf35.py).

Endpoints: /py35 (any path below) -> "hello35 <PythonOption greeting>".
It also does the 3.5 idiom `from mod_python.python22 import *`.
"""

from mod_python import apache
from mod_python.python22 import *  # noqa: F403 - 3.5 code did this


def handler(req):
    req.content_type = "text/plain"
    req.write("hello35 " + req.get_options().get("greeting", "?"))
    return apache.OK
