"""Handlers for test_101_restart.

/restart/pid   the pid of the child that answers
/restart/log   logs "via logging" on the mod_python.restart logger (WARNING)
               and NOTICE, then answers whether `logging` was imported
               before this request
/restart/site  whether site ran: in the default and (site_main) the main
               interpreter
"""

import os
import sys

from mod_python import apache


def pid(req):
    req.content_type = "text/plain"
    req.write(str(os.getpid()))
    return apache.OK


def log(req):
    had_logging = "logging" in sys.modules
    import logging

    logger = logging.getLogger("mod_python.restart")
    logger.warning("via logging %s", req.args)
    logger.log(25, "notice via logging %s", req.args)
    req.content_type = "text/plain"
    req.write(f"had_logging={had_logging}")
    return apache.OK


def site(req):
    """site ran in this interpreter: site-packages on sys.path, quit()."""
    import builtins

    on_path = any(p.endswith(("site-packages", "dist-packages")) for p in sys.path)
    req.content_type = "text/plain"
    req.write(f"{req.interpreter} site={'site' in sys.modules} path={on_path} "
              f"quit={hasattr(builtins, 'quit')}")
    return apache.OK
