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
import threading
from collections.abc import Callable, Iterable, Iterator
from types import TracebackType
from typing import IO, Any

from mod_python import apache

__all__ = ["ErrorStream", "FileWrapper", "InputStream", "build_environ", "handler"]

APPLICATION_OPTION = "mod_python.wsgi.application"
BASE_URI_OPTION = "mod_python.wsgi.base_uri"

_READ_CHUNK = 65536

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


class InputStream:
    """``wsgi.input``: the request body, read from ``req`` as needed."""

    def __init__(self, req: Any) -> None:
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

    def __init__(self, req: Any) -> None:
        self._req = req
        self._buffer = ""
        self._lock = threading.Lock()

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


def _native(value: Any) -> str:
    """A PEP 3333 native string: bytes-as-latin-1 text.

    Table values arrive decoded from UTF-8; they are re-encoded so that the
    application sees the raw bytes as latin-1 characters.
    """
    text = str(value)
    if text.isascii():
        return text
    return text.encode("utf-8", "surrogateescape").decode("latin-1")


def _option(req: Any, name: str) -> str | None:
    options = req.get_options()
    if name not in options:
        return None
    value = options[name]
    return None if value is None else str(value)


def script_name(req: Any) -> str | None:
    """The SCRIPT_NAME for ``req``, or None when outside ``base_uri``."""
    base = _option(req, BASE_URI_OPTION)
    uri = str(req.uri or "")
    if base is not None:
        if base.endswith("/"):
            raise ValueError(f"{BASE_URI_OPTION} must not end with '/': {base!r}")
        if not (uri == base or uri.startswith(base + "/")):
            return None
        return base
    hlist = req.hlist
    if hlist is not None and hlist.is_location and hlist.directory:
        location = str(hlist.directory).rstrip("/")
        if uri == location or uri.startswith(location + "/"):
            return location
    return ""


def build_environ(req: Any, script: str) -> dict[str, Any]:
    """The WSGI environ for ``req`` with ``SCRIPT_NAME`` ``script``."""
    req.add_cgi_vars()
    environ: dict[str, Any] = {
        str(key): _native(value) for key, value in req.subprocess_env.items()
    }
    authorization = req.headers_in.get("Authorization")
    if authorization:
        environ["HTTP_AUTHORIZATION"] = _native(authorization)
    uri = str(req.uri or "")
    environ["SCRIPT_NAME"] = _native(script)
    environ["PATH_INFO"] = _native(uri[len(script):])
    environ["REQUEST_METHOD"] = str(req.method)
    environ.setdefault("QUERY_STRING", _native(req.args or ""))
    environ.setdefault("SERVER_PROTOCOL", str(req.protocol))
    for key in ("HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"):
        environ.pop(key, None)
    https = environ.get("HTTPS", "")
    threaded = bool(apache.mpm_query(apache.AP_MPMQ_IS_THREADED))
    forked = bool(apache.mpm_query(apache.AP_MPMQ_IS_FORKED))
    environ.update({
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "https" if https and https.lower() != "off" else "http",
        "wsgi.input": InputStream(req),
        "wsgi.errors": ErrorStream(req),
        "wsgi.multithread": threaded,
        "wsgi.multiprocess": forked,
        "wsgi.run_once": False,
        "wsgi.file_wrapper": FileWrapper,
        "mod_python.request": req,
    })
    return environ


class _Response:
    """State of one response: start_response, header application, writes."""

    def __init__(self, req: Any) -> None:
        self.req = req
        self.status: str | None = None
        self.headers: list[tuple[str, str]] = []
        self.headers_sent = False
        self.content_length: int | None = None

    def start_response(self, status: str, headers: list[tuple[str, str]],
                       exc_info: ExcInfo | None = None) -> Callable[[bytes], None]:
        if exc_info is not None:
            try:
                if self.headers_sent:
                    raise exc_info[1].with_traceback(exc_info[2])
            finally:
                exc_info = None  # no reference cycle
        elif self.status is not None:
            raise RuntimeError("start_response() called twice without exc_info")
        if not isinstance(status, str):
            raise TypeError(f"status must be str, not {type(status).__name__}")
        code = status.split(" ", 1)[0]
        if len(code) != 3 or not code.isdigit() or not 100 <= int(code) <= 999:
            raise ValueError(f"invalid status {status!r}")
        checked: list[tuple[str, str]] = []
        for item in headers:
            if (not isinstance(item, tuple) or len(item) != 2
                    or not all(isinstance(x, str) for x in item)):
                raise TypeError(f"headers must be (str, str) tuples: {item!r}")
            name, value = item
            if any(c in name + value for c in "\r\n\0"):
                raise ValueError(f"control character in header {name!r}")
            checked.append((name, value))
        self.status = status
        self.headers = checked
        return self.write

    def send_headers(self) -> None:
        if self.headers_sent:
            return
        if self.status is None:
            raise RuntimeError("the application did not call start_response()")
        req = self.req
        req.status = int(self.status[:3])
        req.status_line = self.status
        for name, value in self.headers:
            lname = name.lower()
            if lname == "content-type":
                req.content_type = value
            elif lname == "content-length":
                try:
                    self.content_length = int(value)
                except ValueError:
                    raise ValueError(f"bad Content-Length {value!r}") from None
                req.set_content_length(self.content_length)
            else:
                req.headers_out.add(name, value)
        self.headers_sent = True

    def write(self, data: bytes) -> None:
        """The write callable of start_response (flushes)."""
        self._write(data, True)

    def _write(self, data: bytes, flush: bool) -> None:
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"WSGI body data must be bytes, not {type(data).__name__}")
        self.send_headers()
        if data:
            self.req.write(data, 1 if flush else 0)

    def sendfile(self, path: str, offset: int) -> None:
        self.send_headers()
        length = -1
        if self.content_length is not None:
            length = self.content_length
        self.req.sendfile(path, offset, length)


def _load_application(req: Any) -> Callable[..., Any] | None:
    spec = _option(req, APPLICATION_OPTION)
    if spec is None:
        raise KeyError(f"PythonOption {APPLICATION_OPTION} is not set")
    module_name, _, callable_name = spec.partition("::")
    callable_name = callable_name.strip() or "application"
    config = req.get_config()
    autoreload = not ("PythonAutoReload" in config and str(config["PythonAutoReload"]) == "0")
    debug = "PythonDebug" in config and str(config["PythonDebug"]) == "1"
    module = apache.import_module(module_name.strip(), autoreload=autoreload, log=debug)
    app = getattr(module, callable_name, None)
    if app is None:
        req.log_error(
            f"MP0710: mod_python.wsgi: {module_name.strip()} has no callable "
            f"{callable_name!r}; declining", apache.APLOG_WARNING)
    return app


def handler(req: Any) -> int:
    """PythonHandler entry point."""
    app = _load_application(req)
    if app is None:
        return int(apache.DECLINED)
    script = script_name(req)
    if script is None:
        req.log_error(
            f"MP0711: mod_python.wsgi: {req.uri} is outside "
            f"{BASE_URI_OPTION} {_option(req, BASE_URI_OPTION)}; declining",
            apache.APLOG_WARNING)
        return int(apache.DECLINED)
    environ = build_environ(req, script)
    response = _Response(req)
    result = app(environ, response.start_response)
    try:
        path = result.real_path() if isinstance(result, FileWrapper) else None
        if path is not None:
            response.sendfile(path, result.filelike.tell())
        else:
            flush = not isinstance(result, (list, tuple))
            for data in result:
                response._write(data, flush)
            response.send_headers()
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    environ["wsgi.errors"].flush()
    return int(apache.OK)
