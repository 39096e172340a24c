"""mod_python.apache: the public API inside httpd, and the dispatcher entry.

This module is the adapter over the C built-in module ``_apache`` and can
only be imported inside httpd (or with a stand-in ``_apache``).  Importing it
only defines names; the C side then calls :func:`init` once per interpreter,
which installs logging and returns the :class:`CallBack` whose bound methods
C calls for every request phase, connection, filter and ``PythonImport``.

The dispatch logic itself lives in the pure module ``mod_python._dispatch``,
the importer in ``mod_python._importer``.
"""

from __future__ import annotations

import io
import os
import sys

import _apache

from mod_python import mp_version
from mod_python._cgi import CGIStdin, CGIStdout
from mod_python._dispatch import DispatchEnv, Dispatcher, resolve_object
from mod_python._importer import (
    default_importer,
    default_path_manager,
    import_module,
    module_mtime,
)
from mod_python._logging import install as _install_log_bridge

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import Any, NoReturn

    from _apache import mp_request, mp_server

__all__ = [
    "SERVER_RETURN",
    "CGIStdin",
    "CGIStdout",
    "CallBack",
    "NullIO",
    "build_cgi_env",
    "config_tree",
    "exists_config_define",
    "import_module",
    "init",
    "interpreter",
    "log_error",
    "main_server",
    "make_table",
    "module_mtime",
    "mp_version",
    "mpm_query",
    "parse_qs",
    "parse_qsl",
    "register_cleanup",
    "resolve_object",
    "restore_nocgi",
    "server_root",
    "setup_cgi",
    "stat",
    "table",
]

# ---------------------------------------------------------------------------
# Constants (spec 2.3)
# ---------------------------------------------------------------------------

# Handler return codes.
OK = REQ_PROCEED = 0
DECLINED = REQ_NOACTION = -1
DONE = -2
REQ_ABORTED = 500
REQ_EXIT = "REQ_EXIT"  # legacy

# HTTP status codes.
HTTP_CONTINUE = 100
HTTP_SWITCHING_PROTOCOLS = 101
HTTP_PROCESSING = 102
HTTP_OK = 200
HTTP_CREATED = 201
HTTP_ACCEPTED = 202
HTTP_NON_AUTHORITATIVE = 203
HTTP_NO_CONTENT = 204
HTTP_RESET_CONTENT = 205
HTTP_PARTIAL_CONTENT = 206
HTTP_MULTI_STATUS = 207
HTTP_MULTIPLE_CHOICES = 300
HTTP_MOVED_PERMANENTLY = 301
HTTP_MOVED_TEMPORARILY = 302
HTTP_SEE_OTHER = 303
HTTP_NOT_MODIFIED = 304
HTTP_USE_PROXY = 305
HTTP_TEMPORARY_REDIRECT = 307
HTTP_BAD_REQUEST = 400
HTTP_UNAUTHORIZED = 401
HTTP_PAYMENT_REQUIRED = 402
HTTP_FORBIDDEN = 403
HTTP_NOT_FOUND = 404
HTTP_METHOD_NOT_ALLOWED = 405
HTTP_NOT_ACCEPTABLE = 406
HTTP_PROXY_AUTHENTICATION_REQUIRED = 407
HTTP_REQUEST_TIME_OUT = 408
HTTP_CONFLICT = 409
HTTP_GONE = 410
HTTP_LENGTH_REQUIRED = 411
HTTP_PRECONDITION_FAILED = 412
HTTP_REQUEST_ENTITY_TOO_LARGE = 413
HTTP_REQUEST_URI_TOO_LARGE = 414
HTTP_UNSUPPORTED_MEDIA_TYPE = 415
HTTP_RANGE_NOT_SATISFIABLE = 416
HTTP_EXPECTATION_FAILED = 417
HTTP_IM_A_TEAPOT = 418
HTTP_UNPROCESSABLE_ENTITY = 422
HTTP_LOCKED = 423
HTTP_FAILED_DEPENDENCY = 424
HTTP_UPGRADE_REQUIRED = 426
HTTP_INTERNAL_SERVER_ERROR = 500
HTTP_NOT_IMPLEMENTED = 501
HTTP_BAD_GATEWAY = 502
HTTP_SERVICE_UNAVAILABLE = 503
HTTP_GATEWAY_TIME_OUT = 504
HTTP_VERSION_NOT_SUPPORTED = 505
HTTP_VARIANT_ALSO_VARIES = 506
HTTP_INSUFFICIENT_STORAGE = 507
HTTP_NOT_EXTENDED = 510

# Log levels (syslog numbering).
APLOG_EMERG = 0
APLOG_ALERT = 1
APLOG_CRIT = 2
APLOG_ERR = 3
APLOG_WARNING = 4
APLOG_NOTICE = 5
APLOG_INFO = 6
APLOG_DEBUG = 7
APLOG_NOERRNO = 0  # deprecated, kept for old code

# req.get_remote_host() lookup types.
REMOTE_HOST = 0
REMOTE_NAME = 1
REMOTE_NOLOOKUP = 2
REMOTE_DOUBLE_REV = 3

# Indexes into req.finfo.
FINFO_MODE = 0
FINFO_INO = 1
FINFO_DEV = 2
FINFO_NLINK = 3
FINFO_UID = 4
FINFO_GID = 5
FINFO_SIZE = 6
FINFO_ATIME = 7
FINFO_MTIME = 8
FINFO_CTIME = 9
FINFO_FNAME = 10
FINFO_NAME = 11
FINFO_FILETYPE = 12

# Indexes into req.parsed_uri.
URI_SCHEME = 0
URI_HOSTINFO = 1
URI_USER = 2
URI_PASSWORD = 3
URI_HOSTNAME = 4
URI_PORT = 5
URI_PATH = 6
URI_QUERY = 7
URI_FRAGMENT = 8

# req.proxyreq values.
PROXYREQ_NONE = 0
PROXYREQ_PROXY = 1
PROXYREQ_REVERSE = 2
PROXYREQ_RESPONSE = 3

# Method numbers (req.method_number, allowed bits).
M_GET = 0
M_PUT = 1
M_POST = 2
M_DELETE = 3
M_CONNECT = 4
M_OPTIONS = 5
M_TRACE = 6
M_PATCH = 7
M_PROPFIND = 8
M_PROPPATCH = 9
M_MKCOL = 10
M_COPY = 11
M_MOVE = 12
M_LOCK = 13
M_UNLOCK = 14
M_VERSION_CONTROL = 15
M_CHECKOUT = 16
M_UNCHECKOUT = 17
M_CHECKIN = 18
M_UPDATE = 19
M_LABEL = 20
M_REPORT = 21
M_MKWORKSPACE = 22
M_MKACTIVITY = 23
M_BASELINE_CONTROL = 24
M_MERGE = 25
M_INVALID = 26

# req.used_path_info values.
AP_REQ_ACCEPT_PATH_INFO = 0
AP_REQ_REJECT_PATH_INFO = 1
AP_REQ_DEFAULT_PATH_INFO = 2

# mpm_query() codes and results.
AP_MPMQ_NOT_SUPPORTED = 0
AP_MPMQ_STATIC = 1
AP_MPMQ_DYNAMIC = 2
AP_MPMQ_MAX_DAEMON_USED = 1
AP_MPMQ_IS_THREADED = 2
AP_MPMQ_IS_FORKED = 3
AP_MPMQ_HARD_LIMIT_DAEMONS = 4
AP_MPMQ_HARD_LIMIT_THREADS = 5
AP_MPMQ_MAX_THREADS = 6
AP_MPMQ_MIN_SPARE_DAEMONS = 7
AP_MPMQ_MIN_SPARE_THREADS = 8
AP_MPMQ_MAX_SPARE_DAEMONS = 9
AP_MPMQ_MAX_SPARE_THREADS = 10
AP_MPMQ_MAX_REQUESTS_DAEMON = 11
AP_MPMQ_MAX_DAEMONS = 12

# Magic MIME types.
CGI_MAGIC_TYPE = "application/x-httpd-cgi"
INCLUDES_MAGIC_TYPE = "text/x-server-parsed-html"
INCLUDES_MAGIC_TYPE3 = "text/x-server-parsed-html3"
DIR_MAGIC_TYPE = "httpd/unix-directory"

# req.setup_client_block / read_body policies.
REQUEST_NO_BODY = 0
REQUEST_CHUNKED_ERROR = 1
REQUEST_CHUNKED_DECHUNK = 2

# stat() "wanted" flags (apr_finfo_t fields).
APR_FINFO_LINK = 0x00000001
APR_FINFO_MTIME = 0x00000010
APR_FINFO_CTIME = 0x00000020
APR_FINFO_ATIME = 0x00000040
APR_FINFO_SIZE = 0x00000100
APR_FINFO_CSIZE = 0x00000200
APR_FINFO_DEV = 0x00001000
APR_FINFO_INODE = 0x00002000
APR_FINFO_NLINK = 0x00004000
APR_FINFO_TYPE = 0x00008000
APR_FINFO_USER = 0x00010000
APR_FINFO_GROUP = 0x00020000
APR_FINFO_UPROT = 0x00100000
APR_FINFO_GPROT = 0x00200000
APR_FINFO_WPROT = 0x00400000
APR_FINFO_ICASE = 0x01000000
APR_FINFO_NAME = 0x02000000
APR_FINFO_MIN = 0x00008170
APR_FINFO_IDENT = 0x00003000
APR_FINFO_OWNER = 0x00030000
APR_FINFO_PROT = 0x00700000
APR_FINFO_NORM = 0x0073B170
APR_FINFO_DIRENT = 0x02000000

# Constants that come from httpd/APR headers through the C module.
AP_CONN_UNKNOWN: int = getattr(_apache, "AP_CONN_UNKNOWN", 0)
AP_CONN_CLOSE: int = getattr(_apache, "AP_CONN_CLOSE", 1)
AP_CONN_KEEPALIVE: int = getattr(_apache, "AP_CONN_KEEPALIVE", 2)
APR_NOFILE: int = getattr(_apache, "APR_NOFILE", 0)
APR_REG: int = getattr(_apache, "APR_REG", 1)
APR_DIR: int = getattr(_apache, "APR_DIR", 2)
APR_CHR: int = getattr(_apache, "APR_CHR", 3)
APR_BLK: int = getattr(_apache, "APR_BLK", 4)
APR_PIPE: int = getattr(_apache, "APR_PIPE", 5)
APR_LNK: int = getattr(_apache, "APR_LNK", 6)
APR_SOCK: int = getattr(_apache, "APR_SOCK", 7)
APR_UNKFILE: int = getattr(_apache, "APR_UNKFILE", 127)
MODULE_MAGIC_NUMBER_MAJOR: int = getattr(_apache, "MODULE_MAGIC_NUMBER_MAJOR", 0)
MODULE_MAGIC_NUMBER_MINOR: int = getattr(_apache, "MODULE_MAGIC_NUMBER_MINOR", 0)

# ---------------------------------------------------------------------------
# Re-exports from _apache
# ---------------------------------------------------------------------------


def _missing(name: str) -> Callable[..., NoReturn]:
    def unavailable(*args: Any, **kwargs: Any) -> NoReturn:
        raise NotImplementedError(f"_apache.{name} is not available in this build")

    unavailable.__name__ = name
    return unavailable


SERVER_RETURN: type[Exception] = _apache.SERVER_RETURN
table: type[_apache.table] = _apache.table
make_table: type[_apache.table] = getattr(_apache, "make_table", table)  # obsolete alias
log_error: Callable[..., None] = _apache.log_error
server_root: Callable[[], str] = getattr(_apache, "server_root", None) or _missing("server_root")
mpm_query: Callable[[int], int] = getattr(_apache, "mpm_query", None) or _missing("mpm_query")
exists_config_define: Callable[[str], bool] = getattr(
    _apache, "exists_config_define", None
) or _missing("exists_config_define")
config_tree: Callable[[], list[Any]] = getattr(_apache, "config_tree", None) or _missing(
    "config_tree"
)
stat: Callable[[str, int], Any] = getattr(_apache, "stat", None) or _missing("stat")

# ---------------------------------------------------------------------------
# Per-interpreter state, set by init()
# ---------------------------------------------------------------------------

#: Name of the interpreter this module lives in.
interpreter: str | None = None
#: The main server object of the process.
main_server: mp_server | None = None

_STDOUT_LEVEL = APLOG_INFO
_STDERR_LEVEL = APLOG_ERR


def _log3(message: str, level: int, server: mp_server | None) -> None:
    log_error(message, level, server)


class CallBack:
    """The object C keeps per interpreter, created by :func:`init`.

    C's handler loop (``src/mp_dispatch.c``) runs every phase, filter and
    connection handler; it takes ``resolve`` and ``report`` from here once,
    at interpreter start.  ``ImportDispatch`` runs a ``PythonImport`` entry.
    """

    def __init__(self, dispatcher: Dispatcher) -> None:
        self.dispatcher = dispatcher
        self.resolve = dispatcher.resolve
        self.report = dispatcher.report
        self.ImportDispatch = dispatcher.import_dispatch


def _install_logging() -> None:
    """Route sys.stdout/stderr and the ``mod_python`` logger to the error log.

    The logger is set up when :mod:`logging` is first imported: start-up
    does not pay for that import (see ``mod_python._logging``)."""
    _install_log_bridge(_log3, _STDOUT_LEVEL, _STDERR_LEVEL)


def init(name: str, server: mp_server) -> CallBack:
    """Set up this interpreter; called once by C right after the import."""
    global interpreter, main_server
    interpreter = name
    main_server = server
    sys.argv = ["mod_python"]
    _install_logging()
    env = DispatchEnv(
        interpreter=name,
        log_error=_log3,
        exists_config_define=exists_config_define,
        main_server=server,
        importer=default_importer,
        paths=default_path_manager,
    )
    return CallBack(Dispatcher(env))


def register_cleanup(callable: Callable[..., Any], data: Any = None) -> None:
    """Call ``callable(data)`` when this child process exits, in this interpreter."""
    _apache.register_cleanup(interpreter, main_server, callable, data)


def parse_qs(qs: Any, keep_blank_values: Any = 0, strict_parsing: Any = 0,
             max_num_fields: int | None = None) -> Any:
    """Query string to ``{name: [values]}``; see ``mod_python._parse``."""
    from mod_python._parse import parse_qs as _parse_qs

    return _parse_qs(qs, keep_blank_values, strict_parsing, max_num_fields)


def parse_qsl(qs: Any, keep_blank_values: Any = 0, strict_parsing: Any = 0,
              max_num_fields: int | None = None) -> Any:
    """Query string to ``[(name, value), ...]``; see ``mod_python._parse``."""
    from mod_python._parse import parse_qsl as _parse_qsl

    return _parse_qsl(qs, keep_blank_values, strict_parsing, max_num_fields)


def build_cgi_env(req: mp_request) -> dict[str, str]:
    """Return a CGI/1.1 environment dictionary for ``req``."""
    req.add_cgi_vars()
    env: dict[str, str] = {}
    for key, value in req.subprocess_env.items():
        env[str(key)] = str(value)
    path_info = req.path_info or ""
    uri = req.uri or ""
    if path_info and uri.endswith(path_info):
        env["SCRIPT_NAME"] = uri[: -len(path_info)]
    else:
        env["SCRIPT_NAME"] = uri
    env["GATEWAY_INTERFACE"] = "Python-CGI/1.1"
    # Apache keeps Authorization out of the CGI variables; pass it on.
    authorization = req.headers_in.get("Authorization")
    if authorization:
        env["HTTP_AUTHORIZATION"] = str(authorization)
    return env


def setup_cgi(req: mp_request) -> tuple[dict[str, str], Any, Any]:
    """Switch this process to CGI emulation for ``req``.

    ``os.environ`` becomes :func:`build_cgi_env`, ``sys.stdin`` a
    :class:`CGIStdin` over the request body, ``sys.stdout`` a
    :class:`CGIStdout` that parses the script's header block, and
    ``sys.argv`` names the script.  Returns what :func:`restore_nocgi`
    needs to undo it: ``(saved environ, saved stdin, saved stdout)``.
    These are process globals: callers serialise CGI requests.
    """
    saved = (dict(os.environ), sys.stdin, sys.stdout)
    env = build_cgi_env(req)
    os.environ.clear()
    os.environ.update(env)
    sys.argv = [str(req.filename or "")]
    sys.stdin = CGIStdin(req)
    sys.stdout = CGIStdout(req)
    return saved


def restore_nocgi(env: dict[str, str], si: Any, so: Any) -> None:
    """Undo :func:`setup_cgi`: finish the CGI output, then put back
    ``os.environ``, ``sys.stdin`` (``si``) and ``sys.stdout`` (``so``)."""
    out = sys.stdout
    if isinstance(out, CGIStdout):
        out.finish()
    os.environ.clear()
    os.environ.update(env)
    sys.stdout = so
    sys.stdin = si
    sys.argv = ["mod_python"]


class NullIO(io.TextIOBase):
    """A text stream that reads nothing and discards everything written."""

    def readable(self) -> bool:
        return True

    def writable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> str:
        return ""

    def readline(self, size: int | None = -1) -> str:  # type: ignore[override]
        return ""

    def readlines(self, hint: int | None = -1) -> list[str]:  # type: ignore[override]
        return []

    def write(self, s: str) -> int:
        return len(s)

    def writelines(self, lines: Iterable[str]) -> None:  # type: ignore[override]
        for _ in lines:
            pass

    def isatty(self) -> bool:
        return False
