"""The Python half of the dispatcher: finding handlers and reporting errors.

The handler loop is C's (``src/mp_dispatch.c``): it runs every request
phase, every Python filter and the connection handler from the compiled
configuration, applies the stacking rules and turns ``SERVER_RETURN`` into
its code.  Python is asked for two things only, through the
:class:`Dispatcher` object each interpreter creates at start-up:

* :meth:`Dispatcher.resolve` imports a handler's module (``sys.path`` rules,
  auto-reload) and finds its callable, returning a :class:`Resolved`; C
  caches it while it stays valid;
* :meth:`Dispatcher.report` logs an exception a handler raised (header line
  plus traceback) and, with ``PythonDebug On``, sends the debug page.

:meth:`Dispatcher.import_dispatch` runs a ``PythonImport`` entry.

Pure module: it never imports ``_apache``.  What it needs from httpd
(``log_error``, ``exists_config_define``, the interpreter name) is handed
in as a :class:`DispatchEnv`, so it can be unit-tested with plain Python
stand-ins.

Error-log codes used here:

* ``MP0100`` a handler, filter or connection handler raised;
* ``MP0101`` a ``PythonImport`` entry failed;
* ``MP0108`` the client closed the connection (INFO).
"""

from __future__ import annotations

import os
from types import ModuleType

from mod_python._importer import (
    ModuleImporter,
    PythonPathManager,
    default_importer,
    default_path_manager,
    is_file_path,
)

# typing costs milliseconds at every interpreter's start: annotations only
# (they are strings), plain classes below.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from _apache import mp_conn, mp_filter, mp_request, mp_server, settings

    Target = mp_request | mp_conn | mp_filter
    LogCall = Callable[[str, int], Any]
    PageWriter = Callable[[str], Any]
    PageFactory = Callable[[Any], PageWriter]

__all__ = [
    "DispatchEnv",
    "Dispatcher",
    "Resolved",
    "client_gone",
    "resolve_object",
]

# Return codes (the public names live in mod_python.apache).
DONE = -2
HTTP_INTERNAL_SERVER_ERROR = 500
APLOG_ERR = 3
APLOG_INFO = 6

_PDB_DEFINE = "ONE_PROCESS"
_THIS_FILE = os.path.normcase(os.path.abspath(__file__))


def client_gone(exc: BaseException) -> bool:
    """Whether ``exc`` only says that the client closed the connection."""
    return isinstance(exc, OSError) and "client closed connection" in str(exc)


_MISSING = object()


def resolve_object(
    module: ModuleType, obj_str: str, arg: Any = None, silent: bool | int = False
) -> Any:
    """Find ``obj_str`` (``"a.b.c"``) in ``module``.

    The dotted name is walked left to right.  When the object a step is read
    from is a class and ``arg`` is not None, the class is first instantiated
    with ``arg`` as its only argument and the attribute is read from that
    instance.  A missing attribute raises :class:`AttributeError` ("...
    contains no '<name>'"), or returns None when ``silent`` is true.
    """
    obj: Any = module
    for step in obj_str.split("."):
        holder: Any = obj
        if arg is not None and isinstance(holder, type):
            factory: Callable[[Any], Any] = holder
            holder = factory(arg)
        obj = getattr(holder, step, _MISSING)
        if obj is _MISSING:
            if silent:
                return None
            if holder is module:
                where = f"module '{getattr(module, '__file__', None) or module.__name__}'"
            else:
                where = f"object {holder!r}"
            raise AttributeError(f"{where} contains no '{step}'")
    return obj


class Resolved:
    """A handler found by :meth:`Dispatcher.resolve`.

    ``callable`` is called with the request (or filter, or connection).
    When ``namespace`` is not None, it is the module ``__dict__`` that binds
    ``name`` to ``callable``, and C may reuse this resolution while that
    binding holds, ``PythonPath`` is still ``python_path`` and
    ``time.monotonic()`` is before ``deadline`` (the module's next
    auto-reload check).
    """

    __slots__ = ("callable", "deadline", "name", "namespace", "python_path")

    def __init__(
        self,
        callable: Callable[[Any], Any],
        namespace: dict[str, Any] | None,
        name: str,
        python_path: str | None,
        deadline: float,
    ) -> None:
        self.callable = callable
        self.namespace = namespace
        self.name = name
        self.python_path = python_path
        self.deadline = deadline

    def __repr__(self) -> str:
        return f"Resolved({self.callable!r}, name={self.name!r}, deadline={self.deadline!r})"


class DispatchEnv:
    """What the dispatcher needs from its host (httpd, or a test).

    A plain class rather than a dataclass: this module is imported by every
    interpreter when it starts, and ``dataclasses`` costs start-up time.
    """

    def __init__(
        self,
        interpreter: str,
        log_error: Callable[[str, int, Any], Any],
        exists_config_define: Callable[[str], Any] = lambda name: False,
        main_server: mp_server | None = None,
        importer: ModuleImporter | None = None,
        paths: PythonPathManager | None = None,
    ) -> None:
        self.interpreter = interpreter
        self.log_error = log_error
        self.exists_config_define = exists_config_define
        self.main_server = main_server
        self.importer = importer if importer is not None else default_importer
        self.paths = paths if paths is not None else default_path_manager


class Dispatcher:
    """Resolves handlers and reports their errors for C's handler loop."""

    def __init__(self, env: DispatchEnv) -> None:
        self.env = env

    # -- called by C ----------------------------------------------------------
    def resolve(
        self,
        target: Target,
        *,
        module: str,
        obj: str,
        directory: str | None,
        is_location: bool,
        silent: bool,
        python_path: str | None,
        autoreload: bool,
        debug: bool,
        pdb: bool,
    ) -> Resolved | None:
        """Import ``module`` and find ``obj`` in it for ``target``.

        ``sys.path`` first gets ``python_path`` (``PythonPath``) or else the
        handler's ``directory`` (not for ``<Location>`` handlers, spec 1.6);
        a relative file path module is taken from ``directory``.  A dotted
        ``obj`` is walked by :func:`resolve_object`, instantiating classes
        with ``target``.  Returns None when a ``silent`` entry
        (``PythonHandlerModule``) has no such object; raises otherwise.
        """
        mod = self._load(module, directory, is_location, python_path, autoreload, debug)
        namespace: dict[str, Any] | None = None
        if "." in obj:
            found = resolve_object(mod, obj, target, silent)
        else:
            # the common case: one name looked up in the module itself
            found = getattr(mod, obj, None)
            if found is None:
                found = resolve_object(mod, obj, target, silent)
            elif vars(mod).get(obj) is found:
                namespace = vars(mod)
        if found is None and silent:
            return None
        if not callable(found):
            raise TypeError(f"'{module}::{obj}' is not callable: {found!r}")
        if pdb and self.env.exists_config_define(_PDB_DEFINE):
            import functools
            import pdb as pdb_module  # noqa: T100 - PythonEnablePdb, -DONE_PROCESS only

            return Resolved(functools.partial(pdb_module.runcall, found), None, obj,
                            python_path, 0.0)
        deadline = 0.0
        if namespace is not None:
            importer = self.env.importer
            next_check = importer.next_check(mod) if autoreload else None
            deadline = (next_check if next_check is not None
                        else importer.clock() + importer.check_interval)
        return Resolved(found, namespace, obj, python_path, deadline)

    def report(self, target: Target, exc: BaseException, phase: str, handler: str,
               page: bool) -> int:
        """Report ``exc``, raised by ``handler`` in ``phase`` with ``target``.

        With ``page`` (PythonDebug On, and the response not yet sent), the
        traceback also goes to the client: as the response of a request, or
        written and closed on a filter.  Returns the phase result: 500, or
        DONE once a debug page was sent.  Never raises.
        """
        writer: PageFactory | None = None
        if page:
            writer = self._filter_page if hasattr(target, "is_input") else self._request_page
        log = getattr(target, "log_error", None)
        if not callable(log):
            req = getattr(target, "req", None)
            log = getattr(req, "log_error", None)
        return self.report_error(
            exc,
            phase=phase,
            handler=handler,
            log=log if callable(log) else self._server_log(None),
            page=writer,
            target=target,
        )

    def import_dispatch(self, spec: str, settings: settings | None = None) -> None:
        """Run one ``PythonImport`` entry: import, then call ``func()`` if named.

        ``settings`` are the main server's compiled directives (an
        ``_apache.settings``: ``python_path``, ``autoreload``, ``debug``),
        or None for the defaults.
        """
        phase = "PythonImport"
        server = self.env.main_server
        try:
            module_name, _, func_name = spec.strip().partition("::")
            module = self._load(
                module_name.strip(),
                None,
                False,
                getattr(settings, "python_path", None),
                getattr(settings, "autoreload", True),
                getattr(settings, "debug", False),
            )
            if func_name.strip():
                func = resolve_object(module, func_name.strip())
                func()
        except BaseException as exc:  # noqa: BLE001 - reported, never raised to C
            self.report_error(
                exc,
                phase=phase,
                handler=spec,
                log=self._server_log(server),
                page=None,
                code="MP0101",
            )

    def _load(self, name: str, directory: str | None, is_location: bool,
              python_path: str | None, autoreload: bool, debug: bool) -> ModuleType:
        """Apply the path rules for a handler and import its module ``name``."""
        if python_path:
            self.env.paths.apply_python_path(python_path)
        elif directory and not is_location:
            self.env.paths.add_directory(directory)
        if not name:
            raise ImportError("empty handler module name")
        if is_file_path(name) and not os.path.isabs(name) and directory:
            name = os.path.join(directory, name)
        return self.env.importer.import_module(
            name, autoreload=autoreload, log=debug,
            directory=None if is_location else directory,
        )

    # -- error reporting -------------------------------------------------------
    def report_error(
        self,
        exc: BaseException,
        *,
        phase: str,
        handler: str,
        log: LogCall,
        page: PageFactory | None,
        target: Any = None,
        code: str = "MP0100",
    ) -> int:
        """Log ``exc`` (header line plus traceback) and maybe send a debug page.

        Returns DONE when a debug page was written, else 500.  Never raises.
        A client that went away is not a server error: that is logged at
        INFO as MP0108, and no page is attempted.
        """
        prefix = f"{phase} {handler}"
        level = APLOG_ERR
        if client_gone(exc):
            code, level, page = "MP0108", APLOG_INFO, None
        try:
            message = " ".join(str(exc).split())
            tb_lines = self._traceback_lines(exc)
            log(
                f"{code}: {prefix}: {type(exc).__name__}: {message} "
                f"(interpreter '{self.env.interpreter}')",
                level,
            )
            for line in tb_lines:
                log(f"{prefix}: {line}", level)
        except Exception:  # noqa: BLE001 - the reporter must not fail
            self._last_resort(f"{code}: {prefix}: {type(exc).__name__} (logging failed)")
            return HTTP_INTERNAL_SERVER_ERROR
        if page is None:
            return HTTP_INTERNAL_SERVER_ERROR
        try:
            import html  # error path only: keeps interpreter start-up short

            escaped_tb = html.escape("\n".join(tb_lines))
            text = (
                "<pre>\n"
                f'Mod_python error: "{html.escape(prefix, quote=False)}"\n\n'
                f"{escaped_tb}\n"
                "</pre>\n"
            )
            page(target)(text)
        except OSError:
            # The client went away; there is nobody to show the page to.
            return HTTP_INTERNAL_SERVER_ERROR
        except Exception as page_exc:  # noqa: BLE001 - the reporter must not fail
            self._last_resort(
                f"{code}: {prefix}: could not send the debug page: "
                f"{type(page_exc).__name__}: {page_exc}"
            )
            return HTTP_INTERNAL_SERVER_ERROR
        return DONE

    @staticmethod
    def _traceback_lines(exc: BaseException) -> list[str]:
        """Formatted traceback of ``exc`` without the dispatcher's own frames."""
        import traceback  # error path only: keeps interpreter start-up short

        tb = exc.__traceback__
        while tb is not None and (
            os.path.normcase(os.path.abspath(tb.tb_frame.f_code.co_filename)) == _THIS_FILE
        ):
            tb = tb.tb_next
        text = "".join(traceback.format_exception(type(exc), exc, tb))
        return text.rstrip("\n").split("\n")

    @staticmethod
    def _request_page(req: mp_request) -> PageWriter:
        def write(text: str) -> None:
            req.status = HTTP_INTERNAL_SERVER_ERROR
            req.content_type = "text/html"
            req.write(text)

        return write

    @staticmethod
    def _filter_page(filt: mp_filter) -> PageWriter:
        def write(text: str) -> None:
            filt.write(text)
            filt.close()

        return write

    def _server_log(self, server: mp_server | None) -> LogCall:
        def log(message: str, level: int) -> None:
            self.env.log_error(message, level, server)

        return log

    def _last_resort(self, message: str) -> None:
        try:
            self.env.log_error(message, APLOG_ERR, None)
        except Exception:  # noqa: BLE001, S110 - nothing left to try
            pass
