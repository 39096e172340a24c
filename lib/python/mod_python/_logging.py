"""Bridge between Python's :mod:`logging` / ``sys.std*`` and Apache's error log.

Pure module: it never imports ``_apache``.  The function that really writes to
the error log is handed in by the caller (``mod_python.apache.init`` passes
``_apache.log_error``), so everything here can be unit-tested without httpd.

Importing it is cheap on purpose: it does not import :mod:`logging`, whose
own imports (``re``, ``traceback``, ``threading``, ``string``...) cost about a
third of a new child's start-up.  :func:`install` redirects ``sys.stdout`` and
``sys.stderr`` at once, but attaches :class:`ApacheLogHandler` to the
``mod_python`` logger only when :mod:`logging` is imported, by whoever imports
it first.  :class:`ApacheLogHandler` itself is created on first access.
"""

from __future__ import annotations

import io
import sys
from _thread import _local as _ThreadLocal  # threading.local, without threading

TYPE_CHECKING = False
if TYPE_CHECKING:
    import logging
    from collections.abc import Callable, Iterable, Sequence
    from importlib.machinery import ModuleSpec
    from types import ModuleType
    from typing import Any, TypeAlias

    #: ``log_error(message, level, server)`` as provided by ``_apache``.
    LogFunction: TypeAlias = Callable[[str, int, Any], Any]

__all__ = [
    "NOTICE",
    "ApacheLogHandler",
    "LogStream",
    "apache_level",
    "install",
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

# The numbers of logging.CRITICAL, ERROR, WARNING, INFO (fixed by logging).
_CRITICAL, _ERROR, _WARNING, _INFO = 50, 40, 30, 20

#: The name of the logger that :func:`install` routes to the error log.
LOGGER_NAME = "mod_python"


def apache_level(levelno: int) -> int:
    """Map a :mod:`logging` level number to the closest ``APLOG_*`` level."""
    if levelno >= _CRITICAL:
        return _APLOG_CRIT
    if levelno >= _ERROR:
        return _APLOG_ERR
    if levelno >= _WARNING:
        return _APLOG_WARNING
    if levelno >= NOTICE:
        return _APLOG_NOTICE
    if levelno >= _INFO:
        return _APLOG_INFO
    return _APLOG_DEBUG


_classes: dict[str, Any] = {}


def _handler_class() -> Any:
    """:class:`ApacheLogHandler`, created (importing :mod:`logging`) on first use."""
    cls = _classes.get("ApacheLogHandler")
    if cls is not None:
        return cls
    import logging

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

    ApacheLogHandler.__module__ = __name__
    ApacheLogHandler.__qualname__ = "ApacheLogHandler"
    _classes["ApacheLogHandler"] = ApacheLogHandler
    return ApacheLogHandler


if TYPE_CHECKING:
    # What _handler_class() builds, for the type checker.
    class ApacheLogHandler(logging.Handler):
        def __init__(self, log_error: LogFunction, level: int = 0) -> None: ...

else:

    def __getattr__(name: str) -> Any:
        if name == "ApacheLogHandler":
            return _handler_class()
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
        self._local = _ThreadLocal()

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
        try:
            self._log_error(line.rstrip("\r"), self._level, None)
        except Exception:  # noqa: BLE001, S110 - printing must never raise
            pass


# -- installation ---------------------------------------------------------------


def attach_handler(logging_module: ModuleType, log_error: LogFunction) -> None:
    """Route the ``mod_python`` logger of ``logging_module`` to ``log_error``.

    Replaces an :class:`ApacheLogHandler` attached before, lets every level
    through (Apache's ``LogLevel`` filters) and stops propagation to the root
    logger.  Also names the :data:`NOTICE` level.
    """
    handler_class = _handler_class()
    logging_module.addLevelName(NOTICE, "NOTICE")
    logger = logging_module.getLogger(LOGGER_NAME)
    for old in list(logger.handlers):
        if isinstance(old, handler_class):
            logger.removeHandler(old)
    handler = handler_class(log_error)
    handler.setFormatter(logging_module.Formatter("%(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging_module.DEBUG)
    logger.propagate = False


class _AttachOnLoad:
    """Loader wrapper: runs the real loader, then :func:`attach_handler`."""

    def __init__(self, loader: Any, log_error: LogFunction) -> None:
        self._loader = loader
        self._log_error = log_error

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        create = getattr(self._loader, "create_module", None)
        return create(spec) if create is not None else None

    def exec_module(self, module: ModuleType) -> None:
        self._loader.exec_module(module)
        # The module keeps its real loader (linecache, inspect use it).
        module.__loader__ = self._loader
        if module.__spec__ is not None:
            module.__spec__.loader = self._loader
        _remove_hooks()
        try:
            attach_handler(module, self._log_error)
        except Exception:  # noqa: BLE001, S110 - never break `import logging`
            pass


class LoggingImportHook:
    """A :data:`sys.meta_path` entry that waits for ``import logging``.

    It finds nothing itself; for ``logging`` it asks the finders after it
    and wraps the loader so that the handler is attached as soon as the
    module has run.  It then removes itself.
    """

    def __init__(self, log_error: LogFunction) -> None:
        self._log_error = log_error

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname != "logging":
            return None
        for finder in list(sys.meta_path):
            find = getattr(finder, "find_spec", None)
            if finder is self or isinstance(finder, LoggingImportHook) or find is None:
                continue
            spec: ModuleSpec | None = find(fullname, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _AttachOnLoad(spec.loader, self._log_error)  # type: ignore[assignment]
                return spec
        return None


def _remove_hooks() -> None:
    # A new list, never a change to the old one: another thread's import may
    # be walking it (importlib iterates sys.meta_path as it was when that
    # import began), and removing an entry in place under that walk made it
    # skip a finder, PathFinder included: "No module named 'tempfile'" for
    # a request at a child's start while another one imported logging.
    sys.meta_path = [f for f in sys.meta_path if not isinstance(f, LoggingImportHook)]


def install(log_error: LogFunction, stdout_level: int, stderr_level: int) -> None:
    """Send ``sys.stdout``/``sys.stderr`` and the ``mod_python`` logger to
    ``log_error``: the streams now, the logger when :mod:`logging` is first
    imported (now if it already is)."""
    sys.stdout = LogStream(log_error, stdout_level, "<stdout>")
    sys.stderr = LogStream(log_error, stderr_level, "<stderr>")
    _remove_hooks()
    logging_module = sys.modules.get("logging")
    if logging_module is not None:
        attach_handler(logging_module, log_error)
    else:
        sys.meta_path = [LoggingImportHook(log_error), *sys.meta_path]
