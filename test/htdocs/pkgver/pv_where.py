"""Reports which mod_python package this interpreter imported."""
import mod_python
from mod_python import apache, version


def handler(req):
    req.content_type = "text/plain"
    req.write(f"{mod_python.__file__}\n{version.version}\n")
    return apache.OK
