"""Bridge between Python's :mod:`logging` / ``sys.std*`` and Apache's error log.

Pure module: it never imports ``_apache``.  The function that really writes to
the error log is handed in by the caller (``mod_python.apache.init`` passes
``_apache.log_error``), so everything here can be unit-tested without httpd.
"""

from __future__ import annotations

import contextlib
import io
import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

__all__ = [
    "NOTICE",
    "ApacheLogHandler",
    "LogFunction",
    "LogStream",
    "apache_level",
]

# Apache syslog-style levels (mirrors the APLOG_* constants of apache.py;
# repeated here so this module stays free of the adapter).
_APLOG_EMERG = 0
_APLOG_ALERT = 1
_APLOG_CRIT = 2
_APLOG_ERR = 3
_APLOG_WARNING = 4
_APLOG_NOTICE = 5
_APLOG_INFO = 6
_APLOG_DEBUG = 7

#: A logging level between INFO and WARNING, matching Apache's ``notice``.
NOTICE = 25
logging.addLevelName(NOTICE, "NOTICE")

#: ``log_error(message, level, server)`` as provided by ``_apache``.
LogFunction = Callable[[str, int, Any], Any]


def apache_level(levelno: int) -> int:
    """Map a :mod:`logging` level number to the closest ``APLOG_*`` level."""
    if levelno >= logging.CRITICAL:
        return _APLOG_CRIT
    if levelno >= logging.ERROR:
        return _APLOG_ERR
    if levelno >= logging.WARNING:
        return _APLOG_WARNING
    if levelno >= NOTICE:
        return _APLOG_NOTICE
    if levelno >= logging.INFO:
        return _APLOG_INFO
    return _APLOG_DEBUG


class ApacheLogHandler(logging.Handler):
    """A :class:`logging.Handler` that writes records to the Apache error log.

    Each line of the formatted record becomes one error-log entry.  A record
    may name the server whose log to use with ``extra={"server": server}``;
    otherwise the main server's log is used.  Apache's ``LogLevel`` does the
    final filtering, so the handler itself accepts every level by default.
    """

    def __init__(self, log_error: LogFunction, level: int = logging.NOTSET) -> None:
        super().__init__(level)
        self._log_error = log_error

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.format(record)
            server = getattr(record, "server", None)
            aplevel = apache_level(record.levelno)
            for line in text.splitlines() or [""]:
                self._log_error(line, aplevel, server)
        except Exception:  # noqa: BLE001 - logging must never raise
            self.handleError(record)


class LogStream(io.TextIOBase):
    """A write-only text stream that sends complete lines to the error log.

    Used in place of ``sys.stdout`` and ``sys.stderr`` inside httpd, where
    the real streams are not connected to anything useful.  Partial lines are
    buffered per thread, so output of concurrent requests does not mix within
    a line; :meth:`flush` writes out a pending partial line.
    """

    def __init__(self, log_error: LogFunction, level: int, name: str = "<log>") -> None:
        super().__init__()
        self._log_error = log_error
        self._level = level
        self._name = name
        self._local = threading.local()

    # -- io.TextIOBase interface ------------------------------------------
    @property
    def name(self) -> str:
        return self._name

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return "backslashreplace"

    def writable(self) -> bool:
        return True

    def readable(self) -> bool:
        return False

    def isatty(self) -> bool:
        return False

    def write(self, s: str) -> int:
        if not isinstance(s, str):
            raise TypeError(f"write() argument must be str, not {type(s).__name__}")
        pending: str = getattr(self._local, "pending", "") + s
        *lines, rest = pending.split("\n")
        self._local.pending = rest
        for line in lines:
            self._emit(line)
        return len(s)

    def writelines(self, lines: Iterable[str]) -> None:  # type: ignore[override]
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        pending: str = getattr(self._local, "pending", "")
        if pending:
            self._local.pending = ""
            self._emit(pending)

    def _emit(self, line: str) -> None:
        # A broken log must not break the code that prints.
        with contextlib.suppress(Exception):
            self._log_error(line.rstrip("\r"), self._level, None)
