"""The WSGI bridge: runs a PEP 3333 application as a mod_python handler.

Configuration::

    <Location /app>
        SetHandler mod_python
        PythonPath "sys.path + ['/srv/app']"
        PythonHandler mod_python.wsgi
        PythonOption mod_python.wsgi.application myapp.wsgi::application
        # PythonOption mod_python.wsgi.base_uri /app   (optional)
    </Location>

``module::callable`` (default callable ``application``) is imported with
``apache.import_module`` (so ``PythonAutoReload`` and ``PythonDebug`` apply).

``SCRIPT_NAME`` is ``mod_python.wsgi.base_uri`` when set (it must not end
with ``/``; a request outside it is DECLINED with a warning), otherwise the
path of the enclosing ``<Location>`` without its trailing ``/``, otherwise
``''``.  ``PATH_INFO`` is the rest of ``req.uri``.

The environment is built here, in Python, from the request: the CGI
variables (``req.add_cgi_vars()`` then ``req.subprocess_env``, which holds
the ``HTTP_*`` headers), ``HTTP_AUTHORIZATION``, and the ``wsgi.*`` keys.
``wsgi.input`` is an :class:`InputStream` over ``req.read``/``readline``,
``wsgi.errors`` an :class:`ErrorStream` that logs each line to the error log
(``APLOG_ERR``, tagged with the request).

``start_response`` sets ``req.status`` from the status line (so ``404 Not
Found`` is sent as 404, fixing defect 3 of 3.5) and ``req.status_line``;
``Content-Type`` goes to ``req.content_type``, ``Content-Length`` to
``req.set_content_length``, other headers are added to ``req.headers_out``
(duplicates kept).  Headers are applied when the first body data is
written, as PEP 3333 wants, so a later ``start_response`` with ``exc_info``
can still replace them; once data was sent, ``exc_info`` is re-raised.

The body: each item of the iterable is written as it comes and flushed,
except when the iterable is a list or tuple (all of it is there at once).
``close()`` of the iterable is always called.  A :class:`FileWrapper`
(``wsgi.file_wrapper``) around a real file is sent with ``req.sendfile``.

Error-log codes: ``MP0710`` (application callable missing: DECLINED),
``MP0711`` (request outside ``base_uri``: DECLINED).
"""

from __future__ import annotations

import os
import stat
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from types import ModuleType
from typing import IO, Any

from mod_python import apache

TYPE_CHECKING = False
if TYPE_CHECKING:
    from _apache import mp_request

__all__ = ["ErrorStream", "FileWrapper", "InputStream", "build_environ", "handler"]

APPLICATION_OPTION = "mod_python.wsgi.application"
BASE_URI_OPTION = "mod_python.wsgi.base_uri"

_READ_CHUNK = 65536

# apache.import_module checks a module file at most once per second.
_RECHECK = 1.0
_monotonic = time.monotonic
_modules = sys.modules

OK = int(apache.OK)
DECLINED = int(apache.DECLINED)


class InputStream:
    """``wsgi.input``: the request body, read from ``req`` as needed."""

    __slots__ = ("_req",)

    def __init__(self, req: mp_request) -> None:
        self._req = req

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            chunks = []
            while True:
                data = self._req.read(_READ_CHUNK)
                if not data:
                    break
                chunks.append(data)
            return b"".join(chunks)
        parts: list[bytes] = []
        left = size
        while left > 0:
            data = self._req.read(left)
            if not data:
                break
            parts.append(data)
            left -= len(data)
        return b"".join(parts)

    def readline(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            return bytes(self._req.readline())
        return bytes(self._req.readline(size))

    def readlines(self, hint: int | None = -1) -> list[bytes]:
        lines: list[bytes] = []
        total = 0
        while True:
            line = self.readline()
            if not line:
                break
            lines.append(line)
            total += len(line)
            if hint is not None and 0 < hint <= total:
                break
        return lines

    def __iter__(self) -> Iterator[bytes]:
        while True:
            line = self.readline()
            if not line:
                return
            yield line


class ErrorStream:
    """``wsgi.errors``: text written is logged line by line (APLOG_ERR)."""

    __slots__ = ("_buffer", "_req")

    # One lock for all streams: writes to wsgi.errors are rare, and a lock
    # per request would be made for every request.
    _lock = threading.Lock()

    def __init__(self, req: mp_request) -> None:
        self._req = req
        self._buffer = ""

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError("wsgi.errors takes str")
        with self._lock:
            self._buffer += text
            *lines, self._buffer = self._buffer.split("\n")
        for line in lines:
            self._req.log_error(line, apache.APLOG_ERR)
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        with self._lock:
            rest, self._buffer = self._buffer, ""
        if rest:
            self._req.log_error(rest, apache.APLOG_ERR)


class FileWrapper:
    """``wsgi.file_wrapper``: iterates a file in blocks, or is sent with
    ``req.sendfile`` by the handler when it wraps a real file."""

    def __init__(self, filelike: IO[bytes], blksize: int = 8192) -> None:
        self.filelike = filelike
        self.blksize = blksize
        close = getattr(filelike, "close", None)
        if close is not None:
            self.close = close

    def __iter__(self) -> Iterator[bytes]:
        while True:
            data = self.filelike.read(self.blksize)
            if not data:
                return
            yield data

    def real_path(self) -> str | None:
        """Path of the wrapped file when it is a regular file on disk."""
        try:
            fileno = self.filelike.fileno()
            name = self.filelike.name
        except (AttributeError, OSError, ValueError):
            return None
        if not isinstance(name, str):
            return None
        try:
            fst = os.fstat(fileno)
            pst = os.stat(name)
        except OSError:
            return None
        if (fst.st_dev, fst.st_ino) != (pst.st_dev, pst.st_ino):
            return None
        return os.path.abspath(name) if stat.S_ISREG(fst.st_mode) else None


def _option(req: mp_request, name: str) -> str | None:
    options = req.get_options()
    if name not in options:
        return None
    value = options[name]
    return None if value is None else str(value)


_base: dict[str, Any] = {}
# str objects of common environ keys and their last values, kept for
# req._wsgi_environ() (which fills it); one per interpreter.
_cache: list[Any] = []


def _base_environ(req: mp_request) -> dict[str, Any]:
    """The ``wsgi.*`` keys that are the same for every request."""
    if not _base:
        multithread, multiprocess = req._wsgi_flags()
        _base.update({
            "wsgi.version": (1, 0),
            "wsgi.multithread": multithread,
            "wsgi.multiprocess": multiprocess,
            "wsgi.run_once": False,
            "wsgi.file_wrapper": FileWrapper,
        })
    return _base


def build_environ(req: mp_request, script: str) -> dict[str, Any]:
    """The WSGI environ for ``req`` with ``SCRIPT_NAME`` ``script``."""
    environ: dict[str, Any] = req._wsgi_environ(_base_environ(req), _cache, script)
    environ["wsgi.input"] = InputStream(req)
    environ["wsgi.errors"] = ErrorStream(req)
    return environ


def _send_file(req: mp_request, wrapper: FileWrapper) -> None:
    """Send a FileWrapper result: with sendfile when it wraps a real file."""
    path = wrapper.real_path()
    if path is None:
        req._wsgi_send(wrapper)
        return
    offset = wrapper.filelike.tell()
    length = req._wsgi_headers()
    req.sendfile(path, offset, length)


class _AppRef:
    """Where the application of one configuration was found."""

    __slots__ = ("callable_name", "key", "module", "module_name", "recheck")

    def __init__(self, module: ModuleType, module_name: str, callable_name: str,
                 recheck: float) -> None:
        self.module = module
        self.key = module.__name__  # its sys.modules key
        self.module_name = module_name  # as configured
        self.callable_name = callable_name
        self.recheck = recheck


# req._wsgi_options() -> _AppRef, for this interpreter
_apps: dict[tuple[str | None, bool, bool], _AppRef] = {}


def _import_application(options: tuple[str | None, bool, bool]) -> _AppRef:
    """Import the module of ``options`` with ``apache.import_module``."""
    spec, autoreload, debug = options
    if spec is None:
        raise KeyError(f"PythonOption {APPLICATION_OPTION} is not set")
    module_name, _, callable_name = spec.partition("::")
    module_name = module_name.strip()
    module = apache.import_module(module_name, autoreload, debug)
    ref = _AppRef(module, module_name, callable_name.strip() or "application",
                  _monotonic() + _RECHECK)
    _apps[options] = ref
    return ref


def _application(req: mp_request) -> Callable[..., Any] | None:
    """The application callable for ``req``, or None (logged) if missing.

    ``apache.import_module`` is asked again when the module it gave was
    replaced in ``sys.modules`` or, with ``PythonAutoReload``, once its
    check interval has passed, so that changed files are reloaded as with
    a direct call; in between, the cached module is used.
    """
    options = req._wsgi_options()
    ref = _apps.get(options)
    if (ref is None or _modules.get(ref.key) is not ref.module
            or (options[1] and _monotonic() >= ref.recheck)):
        ref = _import_application(options)
    app: Callable[..., Any] | None = getattr(ref.module, ref.callable_name, None)
    if app is None:
        req.log_error(
            f"MP0710: mod_python.wsgi: {ref.module_name} has no callable "
            f"{ref.callable_name!r}; declining", apache.APLOG_WARNING)
    return app


def handler(req: mp_request) -> int:
    """PythonHandler entry point."""
    app = _application(req)
    if app is None:
        return DECLINED
    environ = req._wsgi_environ(_base or _base_environ(req), _cache)
    if environ is None:
        req.log_error(
            f"MP0711: mod_python.wsgi: {req.uri} is outside "
            f"{BASE_URI_OPTION} {_option(req, BASE_URI_OPTION)}; declining",
            apache.APLOG_WARNING)
        return DECLINED
    environ["wsgi.input"] = InputStream(req)
    environ["wsgi.errors"] = errors = ErrorStream(req)
    result = app(environ, req._wsgi_start_response)
    try:
        if isinstance(result, FileWrapper):
            _send_file(req, result)
        else:
            req._wsgi_send(result)
    finally:
        if type(result) is not list:
            close = getattr(result, "close", None)
            if close is not None:
                close()
    if errors._buffer:
        errors.flush()
    return OK
