"""Unit tests for mod_python._dispatch and _logging (no Apache, no _apache).

The C objects (request, hlist, connection, filter, server) are replaced by
small Python stand-ins that follow the contract of the C side.
"""

from __future__ import annotations

import importlib
import logging
import sys
import textwrap
import types
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "lib" / "python"))

from mod_python import _dispatch
from mod_python._dispatch import (
    CONTINUE_ON,
    DispatchEnv,
    Dispatcher,
    continues,
    default_object_name,
    resolve_object,
)
from mod_python._importer import ModuleImporter, PythonPathManager
from mod_python._logging import NOTICE, ApacheLogHandler, LogStream

OK, DECLINED, DONE, SERVER_ERROR = 0, -1, -2, 500
APLOG_ERR = 3


class FakeServerReturn(Exception):
    pass


class FakeHList:
    def __init__(self, entries: list[tuple[str, str | None, int, int]]) -> None:
        self._entries = list(entries)
        self._pos = 0

    def _field(self, index: int) -> Any:
        if self._pos >= len(self._entries):
            return None
        return self._entries[self._pos][index]

    handler = property(lambda self: self._field(0))
    directory = property(lambda self: self._field(1))
    is_location = property(lambda self: self._field(2))
    silent = property(lambda self: self._field(3))

    def next(self) -> None:
        self._pos += 1

    def append(self, entry: tuple[str, str | None, int, int]) -> None:
        self._entries.append(entry)


class FakeRequest:
    def __init__(
        self,
        phase: str,
        handlers: list[str],
        directory: str | None,
        config: dict[str, str] | None = None,
        silent: int = 0,
        is_location: int = 0,
    ) -> None:
        self.phase = phase
        self.hlist = FakeHList([(h, directory, is_location, silent) for h in handlers])
        self.config = config or {}
        self.logged: list[tuple[str, int]] = []
        self.written: list[str] = []
        self.status = 200
        self.content_type: str | None = None
        self.calls: list[str] = []
        self.write_error: BaseException | None = None

    def get_config(self) -> dict[str, str]:
        return self.config

    def log_error(self, message: str, level: int = APLOG_ERR) -> None:
        self.logged.append((message, level))

    def write(self, data: str) -> None:
        if self.write_error is not None:
            raise self.write_error
        self.written.append(data)


class FakeServer:
    def __init__(self, config: dict[str, str] | None = None) -> None:
        self.config = config or {}

    def get_config(self) -> dict[str, str]:
        return self.config


class FakeConnection:
    def __init__(self, handlers: list[str], directory: str, config: dict[str, str]) -> None:
        self.hlist = FakeHList([(h, directory, 0, 0) for h in handlers])
        self.base_server = FakeServer(config)
        self.logged: list[tuple[str, int]] = []
        self.calls: list[str] = []

    def log_error(self, message: str, level: int = APLOG_ERR) -> None:
        self.logged.append((message, level))


class FakeFilter:
    def __init__(self, handler: str, directory: str, req: FakeRequest, is_input: bool) -> None:
        self.handler = handler
        self.dir = directory
        self.req = req
        self.is_input = is_input
        self.name = "myfilter"
        self.closed = False
        self.flushed = 0
        self.disabled = False
        self.written: list[str] = []

    def write(self, data: str) -> None:
        self.written.append(data)

    def flush(self) -> None:
        self.flushed += 1

    def close(self) -> None:
        self.closed = True

    def disable(self) -> None:
        self.disabled = True


HANDLERS = """
from types import SimpleNamespace

SERVER_RETURN = None  # set by the test

def _ret(value):
    def handler(obj):
        obj.calls.append(value)
        return value
    return handler

ok = _ret(0)
ok2 = _ret(0)
declined = _ret(-1)
declined2 = _ret(-1)
forbidden = _ret(403)
error500 = _ret(500)
true = _ret(True)

def handler(req):
    req.calls.append("handler")
    return 0

def fixuphandler(req):
    req.calls.append("fixuphandler")
    return 0

def text(req):
    return "not an int"

def boom(req):
    raise ValueError("broken <b>handler</b>")

def writer(req):
    req.write("hello")
    return 0

def raise_code(req):
    raise SERVER_RETURN(403)

def raise_tuple(req):
    raise SERVER_RETURN((0, 404))

def raise_two_args(req):
    raise SERVER_RETURN(-2, 410)

not_callable = None

class Page:
    def __init__(self, req):
        self.req = req

    def render(self, req):
        req.calls.append(("render", self.req is req))
        return 0

def connectionhandler(conn):
    conn.calls.append("connectionhandler")
    return 0

def other_conn(conn):
    conn.calls.append("other")
    return 0

def outputfilter(filt):
    filt.write("out")

def inputfilter(filt):
    filt.write("in")

def closing_filter(filt):
    filt.close()

def bad_filter(filt):
    raise RuntimeError("filter failed")

STARTED = []

def start():
    STARTED.append("started")

def start_fails():
    raise RuntimeError("cannot start")
"""


@pytest.fixture(autouse=True)
def _isolated_sys_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "path", list(sys.path))


@pytest.fixture
def handlers(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A handler module in its own directory: (module name, directory/)."""
    name = f"mp_handlers_{uuid.uuid4().hex[:12]}"
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(HANDLERS))
    importlib.invalidate_caches()
    yield name, str(tmp_path) + "/"
    sys.modules.pop(name, None)


@pytest.fixture
def env() -> DispatchEnv:
    return DispatchEnv(
        interpreter="test.example.com",
        server_return=FakeServerReturn,
        log_error=lambda message, level, server: None,
        importer=ModuleImporter(),
        paths=PythonPathManager(),
        main_server=FakeServer(),
    )


@pytest.fixture
def dispatcher(env: DispatchEnv, handlers: tuple[str, str]) -> Dispatcher:
    name, directory = handlers
    sys.path.insert(0, directory)
    module = importlib.import_module(name)
    module.SERVER_RETURN = FakeServerReturn
    sys.path.remove(directory)
    return Dispatcher(env)


def run(
    dispatcher: Dispatcher, handlers: tuple[str, str], phase: str, objs: list[str], **kwargs: Any
) -> tuple[int, FakeRequest]:
    name, directory = handlers
    req = FakeRequest(
        phase, [f"{name}::{obj}" if obj else name for obj in objs], directory, **kwargs
    )
    return dispatcher.handler_dispatch(req), req


# -- pure tables ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phase", "expected"),
    [
        ("PythonPostReadRequestHandler", "postreadrequesthandler"),
        ("PythonTransHandler", "transhandler"),
        ("PythonHeaderParserHandler", "headerparserhandler"),
        ("PythonInitHandler", "inithandler"),
        ("PythonAccessHandler", "accesshandler"),
        ("PythonAuthenHandler", "authenhandler"),
        ("PythonAuthzHandler", "authzhandler"),
        ("PythonTypeHandler", "typehandler"),
        ("PythonFixupHandler", "fixuphandler"),
        ("PythonHandler", "handler"),
        ("PythonLogHandler", "loghandler"),
        ("PythonCleanupHandler", "cleanuphandler"),
    ],
)
def test_default_object_name(phase: str, expected: str) -> None:
    assert default_object_name(phase) == expected
    assert phase in CONTINUE_ON


def test_continue_sets() -> None:
    both = [
        "PythonPostReadRequestHandler",
        "PythonHeaderParserHandler",
        "PythonInitHandler",
        "PythonAccessHandler",
        "PythonFixupHandler",
        "PythonLogHandler",
    ]
    declined_only = [
        "PythonTransHandler",
        "PythonAuthenHandler",
        "PythonAuthzHandler",
        "PythonTypeHandler",
    ]
    for phase in both:
        assert continues(phase, OK) and continues(phase, DECLINED)
        assert not continues(phase, 403) and not continues(phase, DONE)
    for phase in declined_only:
        assert continues(phase, DECLINED)
        assert not continues(phase, OK) and not continues(phase, 401)
    assert continues("PythonHandler", OK)
    assert not continues("PythonHandler", DECLINED)
    assert all(continues("PythonCleanupHandler", code) for code in (OK, DECLINED, 500))


# -- stacking -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phase", "objs", "ran", "result"),
    [
        # Verified examples of the spec (1.3).
        ("PythonAuthenHandler", ["declined", "ok", "ok2"], [-1, 0], OK),
        ("PythonFixupHandler", ["declined", "ok", "ok2"], [-1, 0, 0], OK),
        ("PythonFixupHandler", ["ok", "forbidden", "ok2"], [0, 403], 403),
        ("PythonTransHandler", ["declined", "declined2"], [-1, -1], DECLINED),
        ("PythonTransHandler", ["ok", "declined"], [0], OK),
        ("PythonHandler", ["ok", "ok2"], [0, 0], OK),
        ("PythonHandler", ["ok", "declined", "ok2"], [0, -1], DECLINED),
        ("PythonHandler", ["declined", "ok"], [-1], DECLINED),
        ("PythonAccessHandler", ["declined", "forbidden", "ok"], [-1, 403], 403),
        ("PythonCleanupHandler", ["error500", "declined", "ok"], [500, -1, 0], OK),
        ("PythonLogHandler", ["true"], [True], 1),
    ],
)
def test_stacking(
    dispatcher: Dispatcher,
    handlers: tuple[str, str],
    phase: str,
    objs: list[str],
    ran: list[int],
    result: int,
) -> None:
    code, req = run(dispatcher, handlers, phase, objs)
    assert req.calls == ran
    assert code == result
    assert not req.logged


def test_default_callable_is_used(dispatcher: Dispatcher, handlers: tuple[str, str]) -> None:
    code, req = run(dispatcher, handlers, "PythonFixupHandler", [""])
    assert (code, req.calls) == (OK, ["fixuphandler"])
    code, req = run(dispatcher, handlers, "PythonHandler", [""])
    assert (code, req.calls) == (OK, ["handler"])


def test_handler_appended_while_running(dispatcher: Dispatcher, handlers: tuple[str, str]) -> None:
    name, directory = handlers
    req = FakeRequest("PythonFixupHandler", [f"{name}::ok"], directory)
    req.hlist.append((f"{name}::declined", directory, 0, 0))
    assert dispatcher.handler_dispatch(req) == DECLINED
    assert req.calls == [0, -1]


# -- SERVER_RETURN and result checking -----------------------------------------------------


def test_server_return_code(dispatcher: Dispatcher, handlers: tuple[str, str]) -> None:
    code, req = run(dispatcher, handlers, "PythonHandler", ["raise_code", "ok"])
    assert code == 403
    assert req.calls == []


def test_server_return_tuple_sets_status(dispatcher: Dispatcher, handlers: tuple[str, str]) -> None:
    code, req = run(dispatcher, handlers, "PythonHandler", ["raise_tuple"])
    assert (code, req.status) == (OK, 404)
    code, req = run(dispatcher, handlers, "PythonHandler", ["raise_two_args"])
    assert (code, req.status) == (DONE, 410)


def test_non_int_result_is_500(dispatcher: Dispatcher, handlers: tuple[str, str]) -> None:
    code, req = run(dispatcher, handlers, "PythonHandler", ["text"])
    assert code == SERVER_ERROR
    header = req.logged[0][0]
    assert header.startswith("MP0100: PythonHandler ")
    assert "TypeError" in header and "::text" in header


def test_not_callable_is_500(dispatcher: Dispatcher, handlers: tuple[str, str]) -> None:
    code, req = run(dispatcher, handlers, "PythonHandler", ["not_callable"])
    assert code == SERVER_ERROR
    assert "not callable" in req.logged[0][0]


# -- object resolution -------------------------------------------------------------------------


def test_class_is_instantiated_with_the_request(
    dispatcher: Dispatcher, handlers: tuple[str, str]
) -> None:
    code, req = run(dispatcher, handlers, "PythonHandler", ["Page.render"])
    assert code == OK
    assert req.calls == [("render", True)]


def test_resolve_object_walk() -> None:
    module = types.ModuleType("fake")

    class Outer:
        def __init__(self, arg: object) -> None:
            self.arg = arg

        class_attr = "from class"

    module.Outer = Outer  # type: ignore[attr-defined]
    module.ns = types.SimpleNamespace(inner=types.SimpleNamespace(leaf=42))  # type: ignore[attr-defined]
    assert resolve_object(module, "ns.inner.leaf") == 42
    assert resolve_object(module, "Outer.arg", arg="req") == "req"
    assert resolve_object(module, "Outer.class_attr") == "from class"
    assert resolve_object(module, "Outer") is Outer


def test_missing_object(dispatcher: Dispatcher, handlers: tuple[str, str]) -> None:
    code, req = run(dispatcher, handlers, "PythonAuthenHandler", ["nothere"])
    assert code == SERVER_ERROR
    assert "AttributeError" in req.logged[0][0]
    assert "contains no 'nothere'" in req.logged[0][0]
    module = types.ModuleType("fake")
    with pytest.raises(AttributeError, match="contains no 'x'"):
        resolve_object(module, "x")
    assert resolve_object(module, "x.y", silent=True) is None


def test_silent_entries_are_skipped(dispatcher: Dispatcher, handlers: tuple[str, str]) -> None:
    # PythonHandlerModule: the module has no authenhandler, so nothing runs.
    code, req = run(dispatcher, handlers, "PythonAuthenHandler", ["", ""], silent=1)
    assert (code, req.calls, req.logged) == (DECLINED, [], [])
    # A silent entry that exists runs as usual.
    code, req = run(dispatcher, handlers, "PythonFixupHandler", ["", "declined"], silent=1)
    assert (code, req.calls) == (DECLINED, ["fixuphandler", -1])


# -- error reporting -----------------------------------------------------------------------------


def test_error_is_logged_with_header_and_traceback(
    dispatcher: Dispatcher, handlers: tuple[str, str]
) -> None:
    name = handlers[0]
    code, req = run(dispatcher, handlers, "PythonHandler", ["boom", "ok"])
    assert code == SERVER_ERROR
    assert req.calls == []
    assert not req.written
    header, level = req.logged[0]
    assert level == APLOG_ERR
    assert header == (
        f"MP0100: PythonHandler {name}::boom: ValueError: broken <b>handler</b> "
        "(interpreter 'test.example.com')"
    )
    lines = [message for message, _ in req.logged[1:]]
    prefix = f"PythonHandler {name}::boom: "
    assert lines and all(line.startswith(prefix) for line in lines)
    assert lines[0] == prefix + "Traceback (most recent call last):"
    assert lines[-1] == prefix + "ValueError: broken <b>handler</b>"
    assert not any("_dispatch.py" in line for line in lines), "dispatcher frames are hidden"


def test_debug_page(dispatcher: Dispatcher, handlers: tuple[str, str]) -> None:
    name = handlers[0]
    code, req = run(dispatcher, handlers, "PythonHandler", ["boom"], config={"PythonDebug": "1"})
    assert code == DONE
    assert (req.status, req.content_type) == (500, "text/html")
    [page] = req.written
    assert page.startswith("<pre>")
    assert f'Mod_python error: "PythonHandler {name}::boom"' in page
    assert "broken &lt;b&gt;handler&lt;/b&gt;" in page
    assert "<b>" not in page


def test_debug_page_to_a_gone_client(dispatcher: Dispatcher, handlers: tuple[str, str]) -> None:
    name, directory = handlers
    req = FakeRequest("PythonHandler", [f"{name}::boom"], directory, {"PythonDebug": "1"})
    req.write_error = OSError("Write failed, client closed connection.")
    assert dispatcher.handler_dispatch(req) == SERVER_ERROR
    assert req.logged


def test_client_gone_is_logged_at_info_not_as_an_error(
    dispatcher: Dispatcher, handlers: tuple[str, str]
) -> None:
    name, directory = handlers
    req = FakeRequest("PythonHandler", [f"{name}::writer"], directory, {"PythonDebug": "1"})
    req.write_error = OSError("Write failed, client closed connection.")
    assert dispatcher.handler_dispatch(req) == SERVER_ERROR
    header = req.logged[0][0]
    assert header.startswith(f"MP0108: PythonHandler {name}::writer: OSError")
    assert {level for _, level in req.logged} == {6}
    assert req.written == [], "no debug page to a client that is gone"


def test_failure_while_reporting_still_gives_500(
    dispatcher: Dispatcher, handlers: tuple[str, str]
) -> None:
    name, directory = handlers
    req = FakeRequest("PythonHandler", [f"{name}::boom"], directory, {"PythonDebug": "1"})

    def broken_log(message: str, level: int = APLOG_ERR) -> None:
        raise RuntimeError("log is gone")

    req.log_error = broken_log  # type: ignore[method-assign]
    assert dispatcher.handler_dispatch(req) == SERVER_ERROR


def test_broken_request_object_gives_500(dispatcher: Dispatcher) -> None:
    class Broken:
        phase = "PythonHandler"

        def get_config(self) -> None:
            raise RuntimeError("no config")

        def log_error(self, message: str, level: int = APLOG_ERR) -> None:
            pass

    assert dispatcher.handler_dispatch(Broken()) == SERVER_ERROR


@pytest.mark.parametrize("phase", ["PythonLogHandler", "PythonCleanupHandler"])
def test_no_debug_page_after_the_response(
    dispatcher: Dispatcher, handlers: tuple[str, str], phase: str
) -> None:
    code, req = run(dispatcher, handlers, phase, ["boom", "ok"], config={"PythonDebug": "1"})
    assert not req.written
    assert req.logged
    if phase == "PythonCleanupHandler":
        assert (code, req.calls) == (OK, [0]), "cleanup goes on after an error"
    else:
        assert (code, req.calls) == (SERVER_ERROR, [])


def test_pdb_only_with_one_process(
    env: DispatchEnv,
    dispatcher: Dispatcher,
    handlers: tuple[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import pdb  # noqa: T100 - the test patches pdb.runcall

    traced: list[object] = []

    def fake_runcall(func: Any, *args: Any) -> Any:
        traced.append(func)
        return func(*args)

    monkeypatch.setattr(pdb, "runcall", fake_runcall)
    config = {"PythonEnablePdb": "1"}
    assert run(dispatcher, handlers, "PythonHandler", ["ok"], config=config)[0] == OK
    assert traced == []
    env.exists_config_define = lambda name: name == "ONE_PROCESS"
    assert run(dispatcher, handlers, "PythonHandler", ["ok"], config=config)[0] == OK
    assert len(traced) == 1


# -- sys.path and import options ------------------------------------------------------------


def test_handler_directory_is_prepended(dispatcher: Dispatcher, handlers: tuple[str, str]) -> None:
    directory = handlers[1]
    assert directory not in sys.path
    run(dispatcher, handlers, "PythonHandler", ["ok"])
    assert sys.path[0] == directory
    run(dispatcher, handlers, "PythonHandler", ["ok"])
    assert sys.path.count(directory) == 1


def test_location_directory_is_not_added(dispatcher: Dispatcher, handlers: tuple[str, str]) -> None:
    name = handlers[0]
    sys.modules.pop(name, None)
    req = FakeRequest("PythonHandler", [f"{name}::ok"], "/loc", is_location=1)
    assert dispatcher.handler_dispatch(req) == SERVER_ERROR  # not importable
    assert "/loc" not in sys.path
    assert "ModuleNotFoundError" in req.logged[0][0]


def test_python_path_is_evaluated_with_only_sys(
    dispatcher: Dispatcher, handlers: tuple[str, str]
) -> None:
    directory = handlers[1]
    expression = (
        f"[{directory!r}, repr(sorted(n for n in globals() if n != '__builtins__'))] + sys.path"
    )
    code, _ = run(dispatcher, handlers, "PythonHandler", ["ok"], config={"PythonPath": expression})
    assert code == OK
    assert sys.path[:2] == [directory, "['sys']"]
    # Evaluated once: removing the entry is not undone by the next request.
    sys.path.remove("['sys']")
    run(dispatcher, handlers, "PythonHandler", ["ok"], config={"PythonPath": expression})
    assert "['sys']" not in sys.path


def test_python_path_type_error_is_reported(
    dispatcher: Dispatcher, handlers: tuple[str, str]
) -> None:
    code, req = run(
        dispatcher, handlers, "PythonHandler", ["ok"], config={"PythonPath": "'/not/a/list'"}
    )
    assert code == SERVER_ERROR
    assert "TypeError" in req.logged[0][0]


@pytest.mark.parametrize(("value", "autoreload"), [(None, True), ("1", True), ("0", False)])
def test_autoreload_and_log_flags(
    env: DispatchEnv, handlers: tuple[str, str], value: str | None, autoreload: bool
) -> None:
    seen: list[tuple[str, bool, bool, str | None]] = []

    class SpyImporter(ModuleImporter):
        def import_module(
            self, module_name: str, autoreload: Any = True, log: Any = False, path: Any = None,
            directory: str | None = None,
        ) -> types.ModuleType:
            seen.append((module_name, autoreload, log, directory))
            return super().import_module(module_name, autoreload, log, path, directory)

    env.importer = SpyImporter()
    config = {"PythonDebug": "1"}
    if value is not None:
        config["PythonAutoReload"] = value
    run(Dispatcher(env), handlers, "PythonHandler", ["ok"], config=config)
    assert seen == [(handlers[0], autoreload, True, handlers[1])]


# -- connection, filter and import dispatch -------------------------------------------------------


def test_connection_dispatch_runs_first_handler_only(
    dispatcher: Dispatcher, handlers: tuple[str, str]
) -> None:
    name, directory = handlers
    conn = FakeConnection([name, f"{name}::other_conn"], directory, {})
    assert dispatcher.connection_dispatch(conn) == OK
    assert conn.calls == ["connectionhandler"]


def test_connection_dispatch_error(dispatcher: Dispatcher, handlers: tuple[str, str]) -> None:
    name, directory = handlers
    conn = FakeConnection([f"{name}::boom"], directory, {"PythonDebug": "1"})
    assert dispatcher.connection_dispatch(conn) == SERVER_ERROR
    assert conn.logged[0][0].startswith(f"MP0100: PythonConnectionHandler {name}::boom: ")


@pytest.mark.parametrize(("is_input", "expected"), [(False, "out"), (True, "in")])
def test_filter_default_callable_and_flush(
    dispatcher: Dispatcher, handlers: tuple[str, str], is_input: bool, expected: str
) -> None:
    name, directory = handlers
    filt = FakeFilter(name, directory, FakeRequest("PythonHandler", [], None), is_input)
    assert dispatcher.filter_dispatch(filt) is None
    assert filt.written == [expected]
    assert filt.flushed == 1


def test_closed_filter_is_not_flushed(dispatcher: Dispatcher, handlers: tuple[str, str]) -> None:
    name, directory = handlers
    filt = FakeFilter(
        f"{name}::closing_filter", directory, FakeRequest("PythonHandler", [], None), False
    )
    dispatcher.filter_dispatch(filt)
    assert filt.closed and filt.flushed == 0


def test_filter_error_disables(dispatcher: Dispatcher, handlers: tuple[str, str]) -> None:
    name, directory = handlers
    req = FakeRequest("PythonHandler", [], None)
    filt = FakeFilter(f"{name}::bad_filter", directory, req, False)
    assert dispatcher.filter_dispatch(filt) is None
    assert filt.disabled and not filt.written and not filt.closed
    assert req.logged[0][0].startswith(
        f"MP0100: PythonOutputFilter {name}::bad_filter: RuntimeError: filter failed"
    )


def test_filter_error_debug_page(dispatcher: Dispatcher, handlers: tuple[str, str]) -> None:
    name, directory = handlers
    req = FakeRequest("PythonHandler", [], None, {"PythonDebug": "1"})
    filt = FakeFilter(f"{name}::bad_filter", directory, req, False)
    dispatcher.filter_dispatch(filt)
    [page] = filt.written
    assert f'Mod_python error: "PythonOutputFilter {name}::bad_filter"' in page
    assert filt.closed and not filt.disabled


def test_import_dispatch(
    env: DispatchEnv, dispatcher: Dispatcher, handlers: tuple[str, str]
) -> None:
    name, directory = handlers
    logged: list[tuple[str, int, object]] = []
    env.log_error = lambda message, level, server: logged.append((message, level, server))
    env.main_server = FakeServer({"PythonPath": f"[{directory!r}] + sys.path"})
    dispatcher.import_dispatch(f"{name}::start")
    assert sys.modules[name].STARTED == ["started"]
    assert not logged
    dispatcher.import_dispatch(name)  # module only
    dispatcher.import_dispatch(f"{name}::start_fails")
    assert logged[0][0].startswith(f"MP0101: PythonImport {name}::start_fails: RuntimeError")
    assert logged[0][2] is env.main_server
    dispatcher.import_dispatch("mp_no_such_module_xyz::f")
    assert any("ModuleNotFoundError" in message for message, _, _ in logged)


# -- logging bridge ------------------------------------------------------------


def test_apache_log_handler_levels() -> None:
    written: list[tuple[str, int, object]] = []
    handler = ApacheLogHandler(
        lambda message, level, server: written.append((message, level, server))
    )
    logger = logging.getLogger(f"mod_python.test.{uuid.uuid4().hex}")
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    logger.critical("c")
    logger.error("e")
    logger.warning("w")
    logger.log(NOTICE, "n")
    logger.info("i")
    logger.debug("d", extra={"server": "srv"})
    logger.error("two\nlines")
    assert written == [
        ("c", 2, None),
        ("e", 3, None),
        ("w", 4, None),
        ("n", 5, None),
        ("i", 6, None),
        ("d", 7, "srv"),
        ("two", 3, None),
        ("lines", 3, None),
    ]


def test_log_stream_sends_whole_lines() -> None:
    written: list[tuple[str, int]] = []
    stream = LogStream(lambda message, level, server: written.append((message, level)), 3)
    print("hello", "world", file=stream)
    stream.write("partial")
    assert written == [("hello world", 3)]
    stream.write(" line\nnext\r\n")
    assert written[1:] == [("partial line", 3), ("next", 3)]
    stream.write("tail")
    stream.flush()
    assert written[-1] == ("tail", 3)
    assert stream.writable() and not stream.readable() and not stream.isatty()


# -- the adapter with a stand-in _apache ----------------------------------------------------------


def test_apache_adapter_init(monkeypatch: pytest.MonkeyPatch) -> None:
    logged: list[tuple[str, int, object]] = []
    fake = types.ModuleType("_apache")
    fake.SERVER_RETURN = FakeServerReturn  # type: ignore[attr-defined]
    fake.table = dict  # type: ignore[attr-defined]
    fake.log_error = (  # type: ignore[attr-defined]
        lambda message, level=APLOG_ERR, server=None: logged.append((message, level, server))
    )
    fake.exists_config_define = lambda name: False  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "_apache", fake)
    monkeypatch.delitem(sys.modules, "mod_python.apache", raising=False)
    monkeypatch.setattr(sys, "argv", list(sys.argv))
    monkeypatch.setattr(sys, "stdout", sys.stdout)
    monkeypatch.setattr(sys, "stderr", sys.stderr)
    logger = logging.getLogger("mod_python")
    monkeypatch.setattr(logger, "handlers", [])
    monkeypatch.setattr(logger, "propagate", logger.propagate)
    monkeypatch.setattr(logger, "level", logger.level)
    try:
        apache = importlib.import_module("mod_python.apache")
        assert apache.interpreter is None, "no side effects at import"
        assert (apache.OK, apache.DECLINED, apache.DONE) == (0, -1, -2)
        assert apache.HTTP_NOT_EXTENDED == 510 and apache.APR_FINFO_NORM == 0x73B170
        assert apache.SERVER_RETURN is FakeServerReturn
        assert apache.make_table is dict
        with pytest.raises(NotImplementedError):
            apache.stat("/", 0)
        callback = apache.init("vhost.example", "main-server")
        assert (apache.interpreter, apache.main_server) == ("vhost.example", "main-server")
        assert sys.argv == ["mod_python"]
        for method in ("HandlerDispatch", "ConnectionDispatch", "FilterDispatch", "ImportDispatch"):
            assert callable(getattr(callback, method))
        print("to the log")
        sys.stderr.write("oops\n")
        logging.getLogger("mod_python.test").log(NOTICE, "notice")
        assert ("to the log", apache.APLOG_INFO, None) in logged
        assert ("oops", apache.APLOG_ERR, None) in logged
        assert ("mod_python.test: notice", apache.APLOG_NOTICE, None) in logged
    finally:
        sys.modules.pop("mod_python.apache", None)


def test_package_import_has_no_side_effects() -> None:
    import subprocess

    lib = str(Path(__file__).resolve().parents[2] / "lib" / "python")
    code = (
        "import sys; import mod_python; v = mod_python.mp_version; "
        "print(isinstance(v, str), 'mod_python.apache' in sys.modules, "
        "'_apache' in sys.modules, 'apache' in mod_python.__all__)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={"PYTHONPATH": lib, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out == ["True", "False", "False", "True"]
    assert _dispatch.DONE == DONE
