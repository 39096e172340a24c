"""Handler configured in an .htaccess file.

PythonHandler cfg_htaccess -> "htaccess ok from_htaccess=<option value>".
"""

from mod_python import apache


def handler(req):
    req.content_type = "text/plain"
    value = req.get_options().get("from_htaccess")
    req.write(f"htaccess ok from_htaccess={value}")
    return apache.OK
