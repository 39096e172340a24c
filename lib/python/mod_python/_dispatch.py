"""The dispatcher: runs handler lists for requests, connections, filters, imports.

Pure module: it never imports ``_apache``.  What it needs from httpd (the
``SERVER_RETURN`` class, ``log_error``, ``exists_config_define``, the
interpreter name) is handed in as a :class:`DispatchEnv`, so the whole
dispatch logic can be unit-tested with plain Python stand-ins.

Every entry point resolves a handler the same way, in
:meth:`Dispatcher._resolve`: ``sys.path`` set-up (spec 1.6), import/reload
through the importer, object resolution (spec 1.2) and the optional pdb
wrapper.  Request phases are run by C (``src/mp_dispatch.c``), which calls
:meth:`Dispatcher.resolve_entry` only when its cache of resolved handlers
misses, and :meth:`Dispatcher.entry_failed` when a handler raised or
returned a non-int; :meth:`Dispatcher.handler_dispatch` is the same loop in
Python.  The per-phase stacking rule (spec 1.3) is :data:`CONTINUE_ON`, which
C reads too.  Exceptions go through one reporter,
:meth:`Dispatcher.report_error`.

Error-log codes used here:

* ``MP0100`` a handler, filter or connection handler raised;
* ``MP0101`` a ``PythonImport`` entry failed.
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

# typing, contextlib and dataclasses cost milliseconds at every interpreter's
# start: annotations only (they are strings), plain classes below.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import Any

    LogCall = Callable[[str, int], Any]
    PageWriter = Callable[[str], Any]
    PageFactory = Callable[[Any], PageWriter]

__all__ = [
    "CONTINUE_ON",
    "DispatchEnv",
    "Dispatcher",
    "Entry",
    "continues",
    "default_object_name",
    "resolve_object",
]

# Return codes (the public names live in mod_python.apache).
OK = 0
DECLINED = -1
DONE = -2
HTTP_INTERNAL_SERVER_ERROR = 500
APLOG_ERR = 3
APLOG_INFO = 6

#: Results that let the next stacked handler of a phase run (spec 1.3).
#: ``None`` means every handler runs and results are ignored.
CONTINUE_ON: dict[str, frozenset[int] | None] = {
    "PythonPostReadRequestHandler": frozenset({DECLINED, OK}),
    "PythonTransHandler": frozenset({DECLINED}),
    "PythonHeaderParserHandler": frozenset({DECLINED, OK}),
    "PythonInitHandler": frozenset({DECLINED, OK}),
    "PythonAccessHandler": frozenset({DECLINED, OK}),
    "PythonAuthenHandler": frozenset({DECLINED}),
    "PythonAuthzHandler": frozenset({DECLINED}),
    "PythonTypeHandler": frozenset({DECLINED}),
    "PythonFixupHandler": frozenset({DECLINED, OK}),
    "PythonHandler": frozenset({OK}),
    "PythonLogHandler": frozenset({DECLINED, OK}),
    "PythonCleanupHandler": None,
}
#: Rule for a phase name not in the table (should not happen).
_DEFAULT_CONTINUE: frozenset[int] = frozenset({OK})

#: Phases after the response was sent: errors are only logged there, even
#: with PythonDebug On, since a debug page can no longer reach the client.
_LOG_ONLY_PHASES = frozenset({"PythonLogHandler", "PythonCleanupHandler"})

_PDB_DEFINE = "ONE_PROCESS"
_THIS_FILE = os.path.normcase(os.path.abspath(__file__))


def continues(phase: str, result: int) -> bool:
    """Whether ``result`` lets the next stacked handler of ``phase`` run."""
    rule = CONTINUE_ON.get(phase, _DEFAULT_CONTINUE)
    return rule is None or result in rule


def client_gone(exc: BaseException) -> bool:
    """Whether ``exc`` only says that the client closed the connection."""
    return isinstance(exc, OSError) and "client closed connection" in str(exc)


def default_object_name(phase: str) -> str:
    """Callable name used when a handler gives no ``::object`` part.

    ``PythonFixupHandler`` gives ``fixuphandler``, ``PythonHandler`` gives
    ``handler``, and so on; filters and connection handlers pass their own
    defaults.
    """
    name = phase.removeprefix("Python")
    return name.lower()


#: Default callable per phase, computed once.
_DEFAULT_NAMES: dict[str, str] = {phase: default_object_name(phase) for phase in CONTINUE_ON}

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


class Entry:
    """One handler of a list, as the C ``mp_hlist`` describes it."""

    __slots__ = ("directory", "handler", "is_location", "silent")

    def __init__(self, handler: str, directory: str | None = None,
                 is_location: bool = False, silent: bool = False) -> None:
        self.handler = handler
        self.directory = directory
        self.is_location = is_location
        self.silent = silent

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Entry) and (
            (self.handler, self.directory, self.is_location, self.silent)
            == (other.handler, other.directory, other.is_location, other.silent))

    def __repr__(self) -> str:
        return (f"Entry({self.handler!r}, {self.directory!r}, "
                f"{self.is_location!r}, {self.silent!r})")


def iter_hlist(hlist: Any) -> Iterator[Entry]:
    """Yield the entries of a C handler list, advancing it as it goes.

    The list is read lazily, so handlers that ``req.add_handler()`` appends to
    the running phase are seen too.
    """
    while True:
        handler = hlist.handler
        if handler is None:
            return
        yield Entry(
            str(handler),
            hlist.directory or None,
            bool(hlist.is_location),
            bool(hlist.silent),
        )
        hlist.next()


def config_value(config: Any, key: str) -> str | None:
    """Read ``key`` from a directives table (or dict); None when absent."""
    if config is None:
        return None
    try:
        value = config.get(key)
    except (AttributeError, TypeError):
        return None
    if isinstance(value, list):
        value = value[-1] if value else None
    return None if value is None else str(value)


class Settings:
    """The directives the dispatcher reads, taken from the table once per call."""

    __slots__ = ("autoreload", "debug", "pdb", "python_path")

    def __init__(self, python_path: str | None, debug: bool, autoreload: bool,
                 pdb: bool) -> None:
        self.python_path = python_path
        self.debug = debug
        self.autoreload = autoreload
        self.pdb = pdb


_NO_SETTINGS = Settings(None, False, True, False)


def read_settings(config: Any) -> Settings:
    """:class:`Settings` from a directives table (or dict, or None).

    Runs for every phase, so it reads each key once with ``get`` (the
    directives table holds one value per key).
    """
    if config is None:
        return _NO_SETTINGS
    get = config.get
    return Settings(
        get("PythonPath") or None,
        get("PythonDebug") == "1",
        get("PythonAutoReload") != "0",
        get("PythonEnablePdb") == "1",
    )




class DispatchEnv:
    """What the dispatcher needs from its host (httpd, or a test).

    A plain class rather than a dataclass: this module is imported by every
    interpreter when it starts, and ``dataclasses`` costs start-up time.
    """

    def __init__(
        self,
        interpreter: str,
        server_return: type[BaseException],
        log_error: Callable[[str, int, Any], Any],
        exists_config_define: Callable[[str], Any] = lambda name: False,
        main_server: Any = None,
        importer: ModuleImporter | None = None,
        paths: PythonPathManager | None = None,
    ) -> None:
        self.interpreter = interpreter
        self.server_return = server_return
        self.log_error = log_error
        self.exists_config_define = exists_config_define
        self.main_server = main_server
        self.importer = importer if importer is not None else default_importer
        self.paths = paths if paths is not None else default_path_manager


class Dispatcher:
    """Runs handler lists; the four ``*_dispatch`` methods are C's entry points."""

    def __init__(self, env: DispatchEnv) -> None:
        self.env = env
        # "module::object" -> ("module", "object"), parsed once per string
        self._parsed: dict[str, tuple[str, str]] = {}

    # -- entry points ---------------------------------------------------------
    def handler_dispatch(self, req: Any) -> int:
        """Run ``req.hlist`` for ``req.phase`` and return the phase result.

        httpd does not call this: its request phases run the same loop in C
        (``src/mp_dispatch.c``), on the same two halves, :meth:`resolve_entry`
        and :meth:`entry_failed`, with a cache of resolved handlers in front
        of the first.  This is the loop in Python, for ``CallBack`` users and
        for tests without httpd.
        """
        phase = "PythonHandler"
        try:
            phase = str(req.phase)
            rule = CONTINUE_ON.get(phase, _DEFAULT_CONTINUE)
            hlist = req.hlist
            result: int | None = None
            while hlist.handler is not None:
                outcome = self.resolve_entry(req)
                failed = False
                if outcome is None:             # silently skipped
                    hlist.next()
                    continue
                if isinstance(outcome, int):    # resolving failed, reported
                    value, failed = outcome, True
                else:
                    try:
                        value = outcome[0](req)
                    except BaseException as exc:  # noqa: BLE001 - reported below
                        value, failed = self.entry_failed(req, exc, None)
                    else:
                        if isinstance(value, int):
                            value = int(value)
                        else:
                            value, failed = self.entry_failed(req, None, value)
                hlist.next()
                if rule is None:                # cleanup: run all, ignore results
                    if not failed:
                        result = OK
                    continue
                if failed:
                    return value
                result = value
                if value not in rule:
                    return value
            return DECLINED if result is None else result
        except BaseException as exc:  # noqa: BLE001 - reported, never raised to C
            return self._report_fallback(exc, phase, req)

    def resolve_entry(self, req: Any) -> tuple[Any, ...] | int | None:
        """Import and resolve the current entry of ``req.hlist``.

        Returns ``(callable, namespace, name, python_path, deadline)``;
        ``namespace`` is the module ``__dict__`` the callable was found in
        under ``name`` when the resolution may be cached (else None), and the
        cache holds until ``deadline`` (``time.monotonic()``), the module's
        next auto-reload check, and while ``PythonPath`` stays
        ``python_path``.  Returns None for an entry that is silently skipped
        (``PythonHandlerModule``), or the phase result of an error that was
        raised and reported here (import error, missing object...).
        """
        phase = str(req.phase)
        hlist = req.hlist
        handler = "(unknown)"
        settings = _NO_SETTINGS
        try:
            handler = str(hlist.handler)
            entry = Entry(handler, hlist.directory or None,
                          bool(hlist.is_location), bool(hlist.silent))
            settings = read_settings(req.get_config())
            resolved = self._resolve(phase, entry, req, settings,
                                     _DEFAULT_NAMES.get(phase) or default_object_name(phase))
        except BaseException as exc:  # noqa: BLE001 - reported, never raised to C
            return self._report_request_error(req, exc, phase, handler, settings)
        if resolved is None:
            return None
        obj, namespace, name, module = resolved
        if namespace is not None:
            importer = self.env.importer
            deadline = importer.next_check(module) if settings.autoreload else None
            if deadline is None:
                deadline = importer.clock() + importer.check_interval
            return obj, namespace, name, settings.python_path, deadline
        return obj, None, name, settings.python_path, 0.0

    def entry_failed(self, req: Any, exc: BaseException | None, result: Any) -> tuple[int, bool]:
        """Finish the current entry of ``req.hlist`` when its call raised
        ``exc`` or returned ``result``, which is not an int.

        ``SERVER_RETURN`` gives its code as the entry's result:
        ``(code, False)``.  Anything else is reported and gives ``(code,
        True)``, the phase result of an error (500, or DONE once a debug
        page was sent).
        """
        phase = str(req.phase)
        handler = "(unknown)"
        settings = _NO_SETTINGS
        try:
            handler = str(req.hlist.handler)
            settings = read_settings(req.get_config())
            if exc is None:
                raise TypeError(
                    f"{phase} '{handler}' returned {type(result).__name__} "
                    f"{result!r}; a handler must return an int"
                )
            if not isinstance(exc, self.env.server_return):
                raise exc
            value = self._server_return_code(exc, req)
            if not isinstance(value, int):
                raise TypeError(
                    f"{phase} '{handler}' returned {type(value).__name__} "
                    f"{value!r}; a handler must return an int"
                )
            return int(value), False
        except BaseException as error:  # noqa: BLE001 - reported, never raised to C
            return self._report_request_error(req, error, phase, handler, settings), True

    def _report_request_error(
        self, req: Any, exc: BaseException, phase: str, handler: str, settings: Settings
    ) -> int:
        page = None if phase in _LOG_ONLY_PHASES or not settings.debug else self._request_page
        return self.report_error(
            exc, phase=phase, handler=handler, log=req.log_error, page=page, target=req
        )

    def connection_dispatch(self, conn: Any) -> int:
        """Run the first handler of ``conn.hlist`` with the connection."""
        phase = "PythonConnectionHandler"
        try:
            hlist = conn.hlist
            config = conn.base_server.get_config()
            entries = iter_hlist(hlist)
            first = next(entries, None)
            if first is None:
                return DECLINED
            return self.run_handler_list(
                phase,
                conn,
                iter([first]),
                config,
                default_name="connectionhandler",
                log=conn.log_error,
                page=None,
                rule=frozenset(),
            )
        except BaseException as exc:  # noqa: BLE001 - reported, never raised to C
            return self._report_fallback(exc, phase, conn)

    def filter_dispatch(self, filt: Any) -> None:
        """Call the filter's handler once, then flush unless it closed."""
        phase = "PythonOutputFilter"
        handler = "(filter)"
        log: LogCall = self._server_log(None)
        debug = False
        try:
            if filt.is_input:
                phase = "PythonInputFilter"
            handler = str(filt.handler)
            req = filt.req
            if req is not None:
                log = req.log_error
            settings = read_settings(req.get_config() if req is not None else None)
            debug = settings.debug
            entry = Entry(handler, filt.dir or None, False, False)
            self._call_entry(
                phase,
                entry,
                filt,
                settings,
                default_name="inputfilter" if filt.is_input else "outputfilter",
                require_int=False,
            )
            if not filt.closed:
                filt.flush()
        except BaseException as exc:  # noqa: BLE001 - reported, never raised to C
            self.report_error(
                exc,
                phase=phase,
                handler=handler,
                log=log,
                page=self._filter_page if debug else None,
                target=filt,
            )
            if not debug:
                # Already reporting an error; a second one would hide it.
                try:
                    filt.disable()
                except Exception:  # noqa: BLE001, S110 - already reporting one
                    pass

    def import_dispatch(self, spec: str) -> None:
        """Run one ``PythonImport`` entry: import, then call ``func()`` if named."""
        phase = "PythonImport"
        server = self.env.main_server
        try:
            settings = read_settings(server.get_config() if server is not None else None)
            module_name, _, func_name = spec.strip().partition("::")
            module = self._load(module_name.strip(), Entry(module_name.strip()), settings)
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

    # -- the one dispatcher -----------------------------------------------------
    def run_handler_list(
        self,
        phase: str,
        target: Any,
        entries: Iterator[Entry],
        config: Any,
        *,
        default_name: str,
        log: LogCall,
        page: PageFactory | None,
        rule: frozenset[int] | None,
    ) -> int:
        """Run ``entries`` for ``phase`` with ``target`` and return the result.

        The next entry runs only when the result is in ``rule``, the phase's
        continue set (:data:`CONTINUE_ON`); ``None`` runs every entry and
        ignores results (the phase gives OK).  The phase result is the value that stopped
        the list, or the last value.  Silently skipped entries do not count;
        a list of nothing but skipped entries gives DECLINED.  An exception is
        reported and gives 500 (DONE once a debug page was sent); in the
        cleanup phase it is only logged and the list goes on.
        """
        run_all = rule is None
        settings = read_settings(config)
        result: int | None = None
        for entry in entries:
            try:
                value = self._call_entry(phase, entry, target, settings, default_name)
            except BaseException as exc:  # noqa: BLE001 - reported, never raised to C
                code = self.report_error(
                    exc,
                    phase=phase,
                    handler=entry.handler,
                    log=log,
                    page=page if settings.debug else None,
                    target=target,
                )
                if run_all:
                    continue
                return code
            if value is None:
                continue
            result = value
            if rule is not None and value not in rule:
                return value
        if result is None:
            return DECLINED
        return OK if run_all else result

    def _call_entry(
        self,
        phase: str,
        entry: Entry,
        target: Any,
        settings: Settings,
        default_name: str,
        require_int: bool = True,
    ) -> int | None:
        """Set up, resolve and call one entry; None if silently skipped."""
        resolved = self._resolve(phase, entry, target, settings, default_name)
        if resolved is None:
            return None
        try:
            result = resolved[0](target)
        except self.env.server_return as exc:
            result = self._server_return_code(exc, target)
        if not require_int:
            return None
        if not isinstance(result, int):
            raise TypeError(
                f"{phase} '{entry.handler}' returned {type(result).__name__} "
                f"{result!r}; a handler must return an int"
            )
        return int(result)

    def _resolve(
        self,
        phase: str,
        entry: Entry,
        target: Any,
        settings: Settings,
        default_name: str,
    ) -> tuple[Callable[[Any], Any], dict[str, Any] | None, str, ModuleType] | None:
        """Import ``entry``'s module and find its callable.

        Returns ``(callable, namespace, name, module)``, where ``namespace``
        is the module ``__dict__`` holding the callable under ``name`` when
        looking it up again would give the same object (a plain name, no
        class instantiated, no pdb wrapper), else None.  Returns None when a
        silent entry has no such object.
        """
        parsed = self._parsed.get(entry.handler)
        if parsed is None:
            if len(self._parsed) > 4096:  # add_handler() strings made by code
                self._parsed.clear()
            module_name, _, obj_str = entry.handler.partition("::")
            parsed = self._parsed[entry.handler] = (module_name.strip(), obj_str.strip())
        module = self._load(parsed[0], entry, settings)
        obj_str = parsed[1] or default_name
        namespace: dict[str, Any] | None = None
        if "." in obj_str:
            obj = resolve_object(module, obj_str, target, entry.silent)
        else:
            # the common case: one name looked up in the module itself
            obj = getattr(module, obj_str, None)
            if obj is None:
                obj = resolve_object(module, obj_str, target, entry.silent)
            elif vars(module).get(obj_str) is obj:
                namespace = vars(module)
        if obj is None and entry.silent:
            return None
        if not callable(obj):
            raise TypeError(f"{phase} '{entry.handler}' is not callable: {obj!r}")
        if settings.pdb and self.env.exists_config_define(_PDB_DEFINE):
            import functools
            import pdb  # noqa: T100 - PythonEnablePdb, single-process debugging only

            return functools.partial(pdb.runcall, obj), None, obj_str, module
        return obj, namespace, obj_str, module

    def _load(self, name: str, entry: Entry, settings: Settings) -> ModuleType:
        """Apply the path rules for ``entry`` and import its module ``name``."""
        if settings.python_path:
            self.env.paths.apply_python_path(settings.python_path)
        elif entry.directory and not entry.is_location:
            self.env.paths.add_directory(entry.directory)
        if not name:
            raise ImportError("empty handler module name")
        if is_file_path(name) and not os.path.isabs(name) and entry.directory:
            name = os.path.join(entry.directory, name)
        return self.env.importer.import_module(
            name, autoreload=settings.autoreload, log=settings.debug,
            directory=None if entry.is_location else entry.directory,
        )

    @staticmethod
    def _server_return_code(exc: BaseException, target: Any) -> Any:
        """Turn ``SERVER_RETURN(code)`` / ``SERVER_RETURN((code, status))`` into code."""
        args: tuple[Any, ...] = exc.args
        if len(args) == 1 and isinstance(args[0], tuple):
            args = args[0]
        if not args:
            raise TypeError("SERVER_RETURN raised without a return code") from exc
        if len(args) > 1 and args[1]:
            target.status = args[1]
        return args[0]

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
    def _request_page(req: Any) -> PageWriter:
        def write(text: str) -> None:
            req.status = HTTP_INTERNAL_SERVER_ERROR
            req.content_type = "text/html"
            req.write(text)

        return write

    @staticmethod
    def _filter_page(filt: Any) -> PageWriter:
        def write(text: str) -> None:
            filt.write(text)
            filt.close()

        return write

    def _server_log(self, server: Any) -> LogCall:
        def log(message: str, level: int) -> None:
            self.env.log_error(message, level, server)

        return log

    def _last_resort(self, message: str) -> None:
        try:
            self.env.log_error(message, APLOG_ERR, None)
        except Exception:  # noqa: BLE001, S110 - nothing left to try
            pass

    def _report_fallback(self, exc: BaseException, phase: str, obj: Any) -> int:
        """Report an error raised outside any handler (bad object from C...)."""
        log = getattr(obj, "log_error", None)
        return self.report_error(
            exc,
            phase=phase,
            handler="(dispatcher)",
            log=log if callable(log) else self._server_log(None),
            page=None,
        )
