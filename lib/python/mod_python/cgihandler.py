"""Runs a CGI-style Python script inside httpd: ``mod_python.cgihandler``.

Configuration::

    <Directory /srv/cgi>
        SetHandler mod_python
        PythonHandler mod_python.cgihandler
    </Directory>

For each request the script named by ``req.filename`` is executed as
``__main__`` (``runpy.run_path``) with the CGI environment in
``os.environ``, the request body on ``sys.stdin`` (text, with ``.buffer``
for bytes) and ``sys.stdout`` parsing the ``Status:``/``Content-Type:``/...
header block the script prints, then sending the rest as the body.  This uses
``apache.setup_cgi()``/``apache.restore_nocgi()`` (the Python 3 streams of
``mod_python._cgi``), so it works on Python 3 (defect 16 of 3.5).

Process state.  CGI emulation changes process-wide state (``os.environ``,
``sys.stdin``/``sys.stdout``/``sys.argv``, the working directory, which is
the script's directory while it runs, and ``sys.path[0]``, the script's
directory).  All cgihandler requests of a process are therefore serialised
by one lock, and all of that is restored after each request.  In a threaded
MPM, other handlers running at the same time in the same process see that
state too: prefer a real handler (or mod_cgi) for anything busy.

Reloading.  Modules loaded from the script's directory (or below) are
dropped from ``sys.modules`` before each run, so helper modules next to the
script are re-imported, as with real CGI.  Other modules stay loaded (3.5
dropped every non-standard module imported after cgihandler, and replaced
``os.environ`` with a dict for the whole interpreter; neither is done here).

A missing script, or one whose real path lies outside its directory (a
symbolic link pointing elsewhere), gives 404.
"""

from __future__ import annotations

import contextlib
import os
import runpy
import sys
import threading

from mod_python import apache

TYPE_CHECKING = False
if TYPE_CHECKING:
    from _apache import mp_request

__all__ = ["handler"]

_lock = threading.Lock()


def _forget_modules_under(directory: str) -> None:
    prefix = os.path.join(os.path.realpath(directory), "")
    for name, module in list(sys.modules.items()):
        filename = getattr(module, "__file__", None)
        if isinstance(filename, str) and os.path.realpath(filename).startswith(prefix):
            sys.modules.pop(name, None)


def _script(req: mp_request) -> str:
    filename = req.filename or ""
    if not filename or not os.path.isfile(filename):
        raise apache.SERVER_RETURN(apache.HTTP_NOT_FOUND)
    directory = os.path.dirname(os.path.abspath(filename))
    real = os.path.realpath(filename)
    if os.path.dirname(real) != os.path.realpath(directory):
        raise apache.SERVER_RETURN(apache.HTTP_NOT_FOUND)
    return os.path.abspath(filename)


def handler(req: mp_request) -> int:
    """PythonHandler entry point."""
    script = _script(req)
    directory = os.path.dirname(script)
    with _lock:
        _forget_modules_under(directory)
        cwd = os.getcwd()
        saved = apache.setup_cgi(req)
        sys.argv = [script]
        sys.path.insert(0, directory)
        try:
            os.chdir(directory)
            try:
                runpy.run_path(script, run_name="__main__")
            except SystemExit as exc:
                if exc.code not in (None, 0):
                    req.log_error(f"cgihandler: {script} exited with {exc.code!r}",
                                  apache.APLOG_NOTICE)
        finally:
            with contextlib.suppress(ValueError):
                sys.path.remove(directory)
            apache.restore_nocgi(*saved)
            with contextlib.suppress(OSError):
                os.chdir(cwd)
    return int(apache.OK)
