"""Unit tests for mod_python._dispatch and _logging (no Apache, no _apache).

C's handler loop (``src/mp_dispatch.c``) asks Python for two things:
``Dispatcher.resolve`` and ``Dispatcher.report``; ``import_dispatch`` runs
``PythonImport``.  Those are tested here with small Python stand-ins for the
C objects (request, filter, server).  Stacking, SERVER_RETURN, result
checking, filters and connection handlers are C's now and are covered by
the integration tests (test_030, test_080, test_300, test_310).
"""

from __future__ import annotations

import functools
import importlib
import logging
import os
import sys
import textwrap
import types
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "lib" / "python"))

from mod_python import _dispatch
from mod_python._dispatch import (
    DispatchEnv,
    Dispatcher,
    Resolved,
    client_gone,
    resolve_object,
)
from mod_python._importer import ModuleImporter, PythonPathManager, file_module_name
from mod_python._logging import NOTICE, ApacheLogHandler, LogStream

DONE, SERVER_ERROR = -2, 500
APLOG_ERR, APLOG_INFO = 3, 6
INTERVAL = 5.0
GONE = "Write failed, client closed connection."


class FakeServerReturn(Exception):
    pass


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self, now: float = 100.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class FakeRequest:
    """The parts of the C request object that report() uses."""

    def __init__(self) -> None:
        self.logged: list[tuple[str, int]] = []
        self.written: list[str] = []
        self.status = 200
        self.content_type: str | None = None
        self.write_error: BaseException | None = None

    def log_error(self, message: str, level: int = APLOG_ERR) -> None:
        self.logged.append((message, level))

    def write(self, data: str) -> None:
        if self.write_error is not None:
            raise self.write_error
        self.written.append(data)


class FakeFilter:
    """A filter: no log_error of its own (report() logs through filt.req)."""

    def __init__(self, req: FakeRequest, is_input: bool = False) -> None:
        self.req = req
        self.is_input = is_input
        self.events: list[tuple[str, str | None]] = []

    def write(self, data: str) -> None:
        self.events.append(("write", data))

    def close(self) -> None:
        self.events.append(("close", None))


class FakeServer:
    pass


class SpyImporter(ModuleImporter):
    """Records the arguments of every import_module() call."""

    def __init__(self, clock: Callable[[], float]) -> None:
        super().__init__(clock=clock, check_interval=INTERVAL)
        self.seen: list[tuple[str, bool, bool]] = []
        self.directories: list[str | None] = []

    def import_module(
        self, module_name: str, autoreload: Any = True, log: Any = False, path: Any = None,
        directory: str | None = None,
    ) -> types.ModuleType:
        self.seen.append((module_name, autoreload, log))
        self.directories.append(directory)
        return super().import_module(module_name, autoreload, log, path, directory)


class StubImporter:
    """Returns one module whatever is asked; next_check() says None."""

    check_interval = INTERVAL

    def __init__(self, module: types.ModuleType, now: float = 100.0) -> None:
        self.module = module
        self.now = now
        self.seen: list[str] = []

    def import_module(self, module_name: str, autoreload: Any = True, log: Any = False,
                      path: Any = None, directory: str | None = None) -> types.ModuleType:
        self.seen.append(module_name)
        return self.module

    def clock(self) -> float:
        return self.now

    def next_check(self, module: types.ModuleType) -> float | None:
        return None


HANDLERS = """
from types import SimpleNamespace

def handler(req):
    return 0

def boom(req):
    raise ValueError("broken\\n   <b>handler</b> & more")

NUMBER = 42
NOTHING = None

class Page:
    def __init__(self, req):
        self.req = req

    def render(self, req):
        return ("render", self.req is req)

ns = SimpleNamespace(inner=SimpleNamespace(leaf=handler))

def __getattr__(name):
    if name == "dynamic":
        return handler
    raise AttributeError(name)

STARTED = []

def start():
    STARTED.append("started")

def start_fails():
    raise RuntimeError("cannot start")

def exits():
    raise SystemExit(3)
"""

BROKEN = """
def helper():
    raise RuntimeError("cannot load <this>")

helper()
"""


@pytest.fixture(autouse=True)
def _isolated_sys_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "path", list(sys.path))


@pytest.fixture
def handlers(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A handler module in its own directory: (module name, directory/).

    The directory also holds ``<name>_broken``, whose import raises."""
    name = f"mp_handlers_{uuid.uuid4().hex[:12]}"
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(HANDLERS))
    (tmp_path / f"{name}_broken.py").write_text(textwrap.dedent(BROKEN))
    importlib.invalidate_caches()
    yield name, str(tmp_path) + "/"
    for module in (name, f"{name}_broken"):
        sys.modules.pop(module, None)
        sys.modules.pop(file_module_name(str(tmp_path / f"{module}.py")), None)


def loaded(name: str, directory: str) -> types.ModuleType:
    """The handler module ``name`` as resolve() imported it: found through
    its own directory, it is keyed by its file (same-named handlers of other
    directories stay apart); otherwise by its name."""
    by_file = sys.modules.get(file_module_name(os.path.join(directory, name + ".py")))
    return by_file if by_file is not None else loaded(name, directory)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def logged() -> list[tuple[str, int, object]]:
    """What the dispatcher sent to env.log_error (the server log)."""
    return []


@pytest.fixture
def env(clock: FakeClock, logged: list[tuple[str, int, object]]) -> DispatchEnv:
    return DispatchEnv(
        interpreter="test.example.com",
        log_error=lambda message, level, server: logged.append((message, level, server)),
        importer=SpyImporter(clock),
        paths=PythonPathManager(),
        main_server=FakeServer(),
    )


@pytest.fixture
def dispatcher(env: DispatchEnv) -> Dispatcher:
    return Dispatcher(env)


def resolve(
    dispatcher: Dispatcher,
    module: str,
    obj: str,
    *,
    target: Any = None,
    directory: str | None = None,
    is_location: bool = False,
    silent: bool = False,
    python_path: str | None = None,
    autoreload: bool = True,
    debug: bool = False,
    pdb: bool = False,
) -> Resolved | None:
    """Call resolve() as C does, with defaults for what a test leaves out."""
    return dispatcher.resolve(
        target if target is not None else FakeRequest(),
        module=module,
        obj=obj,
        directory=directory,
        is_location=is_location,
        silent=silent,
        python_path=python_path,
        autoreload=autoreload,
        debug=debug,
        pdb=pdb,
    )


def resolved(dispatcher: Dispatcher, module: str, obj: str, **kwargs: Any) -> Resolved:
    """resolve() for an entry that must be found."""
    found = resolve(dispatcher, module, obj, **kwargs)
    assert isinstance(found, Resolved)
    return found


def raised_by(func: Callable[..., Any], *args: Any) -> BaseException:
    """The exception ``func(*args)`` raises, with its traceback starting at
    ``func``'s frame, as when C calls it directly."""
    try:
        func(*args)
    except BaseException as exc:  # noqa: BLE001 - any exception is the result
        assert exc.__traceback__ is not None
        return exc.with_traceback(exc.__traceback__.tb_next)
    pytest.fail(f"{func!r} did not raise")


# -- resolve: finding the callable ---------------------------------------------------------------


def test_plain_name_binds_namespace_and_deadline(
    dispatcher: Dispatcher, handlers: tuple[str, str], clock: FakeClock
) -> None:
    name, directory = handlers
    found = resolved(dispatcher, name, "handler", directory=directory)
    module = loaded(name, directory)
    assert found.callable is module.handler
    assert found.namespace is vars(module)
    assert (found.name, found.python_path) == ("handler", None)
    assert found.deadline == 100.0 + INTERVAL, "the importer's next check"
    clock.now = 103.0  # before the next check: the module was not looked at again
    assert resolved(dispatcher, name, "handler", directory=directory).deadline == 105.0
    clock.now = 106.0  # checked again (unchanged): the next check moves on
    assert resolved(dispatcher, name, "handler", directory=directory).deadline == 111.0


def test_deadline_without_autoreload_is_clock_plus_interval(
    dispatcher: Dispatcher, handlers: tuple[str, str], clock: FakeClock
) -> None:
    name, directory = handlers
    assert resolved(dispatcher, name, "handler", directory=directory,
                    autoreload=False).deadline == 105.0
    clock.now = 103.0
    assert resolved(dispatcher, name, "handler", directory=directory,
                    autoreload=False).deadline == 108.0


def test_deadline_when_the_importer_has_no_next_check(env: DispatchEnv) -> None:
    module = types.ModuleType("stub")
    module.handler = lambda req: 0  # type: ignore[attr-defined]
    env.importer = StubImporter(module, now=50.0)  # type: ignore[assignment]
    found = resolved(Dispatcher(env), "stub", "handler")
    assert (found.namespace, found.deadline) == (vars(module), 50.0 + INTERVAL)


def test_name_not_bound_in_the_module_dict_is_not_cacheable(
    dispatcher: Dispatcher, handlers: tuple[str, str]
) -> None:
    # Found through the module's __getattr__: C must not cache it.
    name, directory = handlers
    found = resolved(dispatcher, name, "dynamic", directory=directory)
    assert found.callable is loaded(name, directory).handler
    assert (found.namespace, found.deadline) == (None, 0.0)


def test_dotted_path_instantiates_classes_with_the_target(
    dispatcher: Dispatcher, handlers: tuple[str, str]
) -> None:
    name, directory = handlers
    req = FakeRequest()
    found = resolved(dispatcher, name, "Page.render", target=req, directory=directory)
    assert isinstance(found.callable.__self__, loaded(name, directory).Page)
    assert found.callable(req) == ("render", True)
    assert (found.name, found.namespace, found.deadline) == ("Page.render", None, 0.0)
    found = resolved(dispatcher, name, "ns.inner.leaf", directory=directory)
    assert found.callable is loaded(name, directory).handler
    assert found.namespace is None


def test_missing_object_raises(dispatcher: Dispatcher, handlers: tuple[str, str]) -> None:
    name, directory = handlers
    with pytest.raises(AttributeError) as info:
        resolve(dispatcher, name, "nothere", directory=directory)
    assert str(info.value) == f"module '{directory}{name}.py' contains no 'nothere'"
    with pytest.raises(AttributeError, match=r"^object <.*Page object at .*> contains no 'nope'$"):
        resolve(dispatcher, name, "Page.nope", directory=directory)


def test_silent_entry_without_object_gives_none(
    dispatcher: Dispatcher, handlers: tuple[str, str]
) -> None:
    name, directory = handlers
    assert resolve(dispatcher, name, "authenhandler", directory=directory, silent=True) is None
    assert resolve(dispatcher, name, "Page.nope", directory=directory, silent=True) is None
    found = resolved(dispatcher, name, "handler", directory=directory, silent=True)
    assert found.callable is loaded(name, directory).handler


@pytest.mark.parametrize(("obj", "shown"), [("NUMBER", "42"), ("NOTHING", "None")])
def test_not_callable_raises(
    dispatcher: Dispatcher, handlers: tuple[str, str], obj: str, shown: str
) -> None:
    name, directory = handlers
    with pytest.raises(TypeError) as info:
        resolve(dispatcher, name, obj, directory=directory)
    assert str(info.value) == f"'{name}::{obj}' is not callable: {shown}"


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
    with pytest.raises(AttributeError, match="^module 'fake' contains no 'x'$"):
        resolve_object(module, "x")
    assert resolve_object(module, "x.y", silent=True) is None


def test_pdb_only_with_one_process(
    env: DispatchEnv, handlers: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import pdb  # noqa: T100 - the test patches pdb.runcall

    name, directory = handlers
    defines: list[str] = []
    one_process = False

    def exists_config_define(define: str) -> bool:
        defines.append(define)
        return one_process

    env.exists_config_define = exists_config_define
    dispatcher = Dispatcher(env)
    found = resolved(dispatcher, name, "handler", directory=directory, pdb=True)
    assert found.callable is loaded(name, directory).handler
    assert defines == ["ONE_PROCESS"]

    one_process = True
    assert resolved(dispatcher, name, "handler", directory=directory).callable is (
        loaded(name, directory).handler
    ), "no pdb without PythonEnablePdb"
    found = resolved(dispatcher, name, "handler", directory=directory, pdb=True)
    assert isinstance(found.callable, functools.partial)
    assert found.callable.func is pdb.runcall
    assert found.callable.args == (loaded(name, directory).handler,)
    assert (found.namespace, found.deadline) == (None, 0.0), "never cached"
    traced: list[tuple[object, tuple[object, ...]]] = []
    monkeypatch.setattr(pdb, "runcall", lambda func, *args: traced.append((func, args)))
    resolved(dispatcher, name, "handler", directory=directory, pdb=True).callable("req")
    assert traced == [(loaded(name, directory).handler, ("req",))]


# -- resolve: sys.path and import options --------------------------------------------------------


def test_handler_directory_is_prepended_once(
    dispatcher: Dispatcher, handlers: tuple[str, str]
) -> None:
    name, directory = handlers
    assert directory not in sys.path
    resolved(dispatcher, name, "handler", directory=directory)
    assert sys.path[0] == directory
    sys.path.insert(0, "/elsewhere")
    resolved(dispatcher, name, "handler", directory=directory)
    assert sys.path.count(directory) == 1
    assert sys.path[:2] == ["/elsewhere", directory]


def test_location_directory_is_not_added(
    dispatcher: Dispatcher, handlers: tuple[str, str]
) -> None:
    name, directory = handlers
    with pytest.raises(ModuleNotFoundError):
        resolve(dispatcher, name, "handler", directory=directory, is_location=True)
    assert directory not in sys.path


def test_python_path_is_evaluated_with_only_sys(
    dispatcher: Dispatcher, handlers: tuple[str, str]
) -> None:
    name, directory = handlers
    expression = (
        f"[{directory!r}, repr(sorted(n for n in globals() if n != '__builtins__'))] + sys.path"
    )
    found = resolved(dispatcher, name, "handler", directory="/handler/dir/",
                     python_path=expression)
    assert found.python_path == expression
    assert sys.path[:2] == [directory, "['sys']"]
    assert "/handler/dir/" not in sys.path, "PythonPath replaces the directory rule"
    # Evaluated once: removing the entry is not undone by the next call.
    sys.path.remove("['sys']")
    resolved(dispatcher, name, "handler", python_path=expression)
    assert "['sys']" not in sys.path


@pytest.mark.parametrize(
    ("expression", "error"),
    [
        ("'/not/a/list'", TypeError),
        ("[1, 2]", TypeError),
        ("[os.getcwd()] + sys.path", NameError),  # only sys is there
    ],
)
def test_bad_python_path_raises(
    dispatcher: Dispatcher, handlers: tuple[str, str], expression: str, error: type[Exception]
) -> None:
    name, directory = handlers
    before = list(sys.path)
    with pytest.raises(error):
        resolve(dispatcher, name, "handler", directory=directory, python_path=expression)
    assert sys.path == before


def test_relative_file_module_is_taken_from_the_directory(
    dispatcher: Dispatcher, env: DispatchEnv, tmp_path: Path
) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "page.py").write_text("def handler(req):\n    return 0\n")
    directory = str(tmp_path) + "/"
    path = os.path.join(directory, "sub/page.py")
    try:
        found = resolved(dispatcher, "sub/page.py", "handler", directory=directory)
        assert found.callable is sys.modules[file_module_name(path)].handler
    finally:
        sys.modules.pop(file_module_name(path), None)
    assert env.importer.seen == [(path, True, False)]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("module", "directory", "imported"),
    [
        ("/abs/page.py", "/dir/", "/abs/page.py"),  # absolute: as it is
        ("page.py", None, "page.py"),  # no directory to join with
        ("pkg.page", "/dir/", "pkg.page"),  # a module name, not a file
    ],
)
def test_module_names_not_joined(
    env: DispatchEnv, module: str, directory: str | None, imported: str
) -> None:
    stub = types.ModuleType("stub")
    stub.handler = lambda req: 0  # type: ignore[attr-defined]
    env.importer = importer = StubImporter(stub)  # type: ignore[assignment]
    resolved(Dispatcher(env), module, "handler", directory=directory)
    assert importer.seen == [imported]


def test_empty_module_name_raises(dispatcher: Dispatcher) -> None:
    with pytest.raises(ImportError, match="empty handler module name"):
        resolve(dispatcher, "", "handler", directory="/dir/")


@pytest.mark.parametrize(("autoreload", "debug"), [(True, False), (False, True), (False, False)])
def test_autoreload_and_debug_reach_the_importer(
    dispatcher: Dispatcher, env: DispatchEnv, handlers: tuple[str, str],
    autoreload: bool, debug: bool
) -> None:
    name, directory = handlers
    resolved(dispatcher, name, "handler", directory=directory, autoreload=autoreload, debug=debug)
    assert env.importer.seen == [(name, autoreload, debug)]  # type: ignore[attr-defined]
    # the handler's own directory keys a same-named module by its file
    assert env.importer.directories == [directory]  # type: ignore[attr-defined]


def test_location_handler_imports_without_a_directory(
    dispatcher: Dispatcher, env: DispatchEnv, handlers: tuple[str, str]
) -> None:
    name, directory = handlers
    sys.path.insert(0, directory)
    resolved(dispatcher, name, "handler", directory=directory, is_location=True)
    assert env.importer.directories == [None]  # type: ignore[attr-defined]


# -- report: log lines ---------------------------------------------------------------------------


def handler_error(handlers: tuple[str, str]) -> BaseException:
    """The exception the handlers' ``boom`` raises, as C catches it."""
    name, directory = handlers
    sys.path.insert(0, directory)
    module = importlib.import_module(name)
    return raised_by(module.boom, FakeRequest())


def test_report_header_and_traceback(dispatcher: Dispatcher, handlers: tuple[str, str]) -> None:
    name = handlers[0]
    req = FakeRequest()
    exc = handler_error(handlers)
    assert dispatcher.report(req, exc, "PythonHandler", f"{name}::boom", False) == SERVER_ERROR
    header = req.logged[0][0]
    assert header == (
        f"MP0100: PythonHandler {name}::boom: ValueError: broken <b>handler</b> & more "
        "(interpreter 'test.example.com')"
    )
    prefix = f"PythonHandler {name}::boom: "
    lines = [message for message, _ in req.logged[1:]]
    assert {level for _, level in req.logged} == {APLOG_ERR}
    assert lines[0] == prefix + "Traceback (most recent call last):"
    assert any(f"{name}.py" in line and "in boom" in line for line in lines)
    assert lines[-2:] == [prefix + "ValueError: broken", prefix + "   <b>handler</b> & more"]
    assert all(line.startswith(prefix) for line in lines)
    assert not req.written and req.status == 200


def test_report_hides_dispatcher_frames(
    dispatcher: Dispatcher, handlers: tuple[str, str]
) -> None:
    # An error while importing: resolve() and _load() are the first frames.
    name, directory = handlers
    call = functools.partial(
        dispatcher.resolve, FakeRequest(), module=f"{name}_broken", obj="handler",
        directory=directory, is_location=False, silent=False, python_path=None,
        autoreload=True, debug=False, pdb=False,
    )
    exc = raised_by(call)
    assert exc.__traceback__ is not None
    assert exc.__traceback__.tb_frame.f_code.co_filename == _dispatch.__file__
    req = FakeRequest()
    dispatcher.report(req, exc, "PythonFixupHandler", f"{name}_broken", False)
    lines = [message for message, _ in req.logged[1:]]
    assert lines[0].endswith(": Traceback (most recent call last):")
    assert not any("_dispatch.py" in line for line in lines), lines
    assert any("_importer.py" in line for line in lines)
    assert any(f"{name}_broken.py" in line and "in helper" in line for line in lines)
    assert lines[-1].endswith(": RuntimeError: cannot load <this>")


def test_report_logs_through_the_request_of_a_filter(dispatcher: Dispatcher) -> None:
    req = FakeRequest()
    filt = FakeFilter(req)
    assert dispatcher.report(filt, ValueError("x"), "PythonOutputFilter", "m::f", False) == 500
    assert req.logged[0] == (
        "MP0100: PythonOutputFilter m::f: ValueError: x (interpreter 'test.example.com')",
        APLOG_ERR,
    )
    assert filt.events == []


def test_report_without_a_log_uses_the_server_log(
    dispatcher: Dispatcher, logged: list[tuple[str, int, object]]
) -> None:
    target = types.SimpleNamespace(log_error="not callable")
    assert dispatcher.report(target, KeyError("k"), "PythonHandler", "m", False) == 500
    assert logged == [
        ("MP0100: PythonHandler m: KeyError: 'k' (interpreter 'test.example.com')", APLOG_ERR, None),
        ("PythonHandler m: KeyError: 'k'", APLOG_ERR, None),  # no traceback: the last line only
    ]


def test_client_gone() -> None:
    assert client_gone(OSError(GONE))
    assert client_gone(ConnectionResetError(GONE))
    assert not client_gone(OSError("disk full"))
    assert not client_gone(RuntimeError(GONE))


def test_client_gone_is_logged_at_info_without_a_page(dispatcher: Dispatcher) -> None:
    req = FakeRequest()
    req.write_error = OSError(GONE)
    exc = raised_by(req.write, "x")
    assert dispatcher.report(req, exc, "PythonHandler", "m::writer", True) == SERVER_ERROR
    assert req.logged[0][0].startswith(f"MP0108: PythonHandler m::writer: OSError: {GONE} ")
    assert {level for _, level in req.logged} == {APLOG_INFO}
    assert (req.written, req.status, req.content_type) == ([], 200, None)


# -- report: the debug page ----------------------------------------------------------------------


def test_debug_page_for_a_request(dispatcher: Dispatcher, handlers: tuple[str, str]) -> None:
    name = handlers[0]
    req = FakeRequest()
    exc = handler_error(handlers)
    assert dispatcher.report(req, exc, "PythonHandler", f"{name}::boom", True) == DONE
    assert (req.status, req.content_type) == (500, "text/html")
    [page] = req.written
    assert page.startswith("<pre>\n") and page.endswith("</pre>\n")
    assert f'Mod_python error: "PythonHandler {name}::boom"' in page
    assert "Traceback (most recent call last):" in page
    assert "&lt;b&gt;handler&lt;/b&gt; &amp; more" in page
    assert "<b>" not in page
    assert req.logged[0][0].startswith("MP0100: "), "logged as well"


def test_debug_page_escapes_the_handler_name(dispatcher: Dispatcher) -> None:
    req = FakeRequest()
    dispatcher.report(req, ValueError("x"), "PythonHandler", "<m>::f&g", True)
    assert 'Mod_python error: "PythonHandler &lt;m&gt;::f&amp;g"' in req.written[0]


def test_no_page_when_not_asked(dispatcher: Dispatcher, handlers: tuple[str, str]) -> None:
    req = FakeRequest()
    assert dispatcher.report(req, handler_error(handlers), "PythonHandler", "m", False) == 500
    assert (req.written, req.status, req.content_type) == ([], 200, None)
    assert req.logged


@pytest.mark.parametrize("error", [OSError("broken pipe"), RuntimeError("request is gone")])
def test_failing_page_write_still_gives_500(
    dispatcher: Dispatcher, logged: list[tuple[str, int, object]], error: Exception
) -> None:
    req = FakeRequest()
    req.write_error = error
    assert dispatcher.report(req, ValueError("x"), "PythonHandler", "m::f", True) == SERVER_ERROR
    assert req.logged[0][0].startswith("MP0100: PythonHandler m::f: ValueError: x")
    if isinstance(error, OSError):
        assert logged == [], "a client that went away is not worth a line"
    else:
        message = (
            "MP0100: PythonHandler m::f: could not send the debug page: "
            "RuntimeError: request is gone"
        )
        assert logged == [(message, APLOG_ERR, None)]


def test_failing_log_still_gives_500(
    dispatcher: Dispatcher, logged: list[tuple[str, int, object]]
) -> None:
    req = FakeRequest()

    def broken_log(message: str, level: int = APLOG_ERR) -> None:
        raise RuntimeError("log is gone")

    req.log_error = broken_log  # type: ignore[method-assign]
    assert dispatcher.report(req, ValueError("x"), "PythonHandler", "m::f", True) == SERVER_ERROR
    assert req.written == [], "no page after a failed log"
    assert logged == [("MP0100: PythonHandler m::f: ValueError (logging failed)", APLOG_ERR, None)]


@pytest.mark.parametrize("is_input", [False, True])
def test_debug_page_for_a_filter_is_written_then_closed(
    dispatcher: Dispatcher, is_input: bool
) -> None:
    req = FakeRequest()
    filt = FakeFilter(req, is_input)
    code = dispatcher.report(filt, RuntimeError("filter <failed>"), "PythonOutputFilter",
                             "m::f", True)
    assert code == DONE
    [(action, page), closed] = filt.events
    assert (action, closed) == ("write", ("close", None))
    assert page is not None and 'Mod_python error: "PythonOutputFilter m::f"' in page
    assert "RuntimeError: filter &lt;failed&gt;" in page
    assert (req.written, req.status, req.content_type) == ([], 200, None)
    assert req.logged[0][0].startswith("MP0100: PythonOutputFilter m::f: RuntimeError")


# -- import_dispatch (PythonImport) --------------------------------------------------------------


def import_settings(directory: str, **kwargs: Any) -> types.SimpleNamespace:
    return types.SimpleNamespace(python_path=f"[{directory!r}] + sys.path", **kwargs)


def test_import_dispatch_module_and_function(
    dispatcher: Dispatcher,
    env: DispatchEnv,
    handlers: tuple[str, str],
    logged: list[tuple[str, int, object]],
) -> None:
    name, directory = handlers
    settings = import_settings(directory)
    dispatcher.import_dispatch(name, settings)
    assert sys.modules[name].STARTED == [], "module only: nothing called"
    dispatcher.import_dispatch(f" {name} :: start ", settings)
    assert sys.modules[name].STARTED == ["started"]
    assert sys.path[0] == directory
    assert logged == []
    assert env.importer.seen == [(name, True, False)] * 2  # type: ignore[attr-defined]


def test_import_dispatch_passes_the_settings(
    dispatcher: Dispatcher, env: DispatchEnv, handlers: tuple[str, str]
) -> None:
    name, directory = handlers
    dispatcher.import_dispatch(name, import_settings(directory, autoreload=False, debug=True))
    assert env.importer.seen == [(name, False, True)]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("entry", "error"),
    [
        ("::start_fails", "RuntimeError: cannot start"),
        ("::exits", "SystemExit: 3"),
        ("::nothere", "AttributeError: module "),
        ("_broken", "RuntimeError: cannot load <this>"),
    ],
)
def test_import_dispatch_failure_is_logged(
    dispatcher: Dispatcher,
    env: DispatchEnv,
    handlers: tuple[str, str],
    logged: list[tuple[str, int, object]],
    entry: str,
    error: str,
) -> None:
    name, directory = handlers
    dispatcher.import_dispatch(name + entry, import_settings(directory))  # does not raise
    header, level, server = logged[0]
    assert header.startswith(f"MP0101: PythonImport {name}{entry}: {error}")
    assert header.endswith(" (interpreter 'test.example.com')")
    assert (level, server) == (APLOG_ERR, env.main_server)
    assert all(line.startswith(f"PythonImport {name}{entry}: ") for line, _, _ in logged[1:])


def test_import_dispatch_missing_module(
    dispatcher: Dispatcher, logged: list[tuple[str, int, object]]
) -> None:
    dispatcher.import_dispatch("mp_no_such_module_xyz::f")
    assert logged[0][0].startswith(
        "MP0101: PythonImport mp_no_such_module_xyz::f: ModuleNotFoundError: "
    )


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
        assert isinstance(callback.dispatcher, Dispatcher)
        assert callback.resolve == callback.dispatcher.resolve
        assert callback.report == callback.dispatcher.report
        assert callback.ImportDispatch == callback.dispatcher.import_dispatch
        assert callback.dispatcher.env.interpreter == "vhost.example"
        assert callback.dispatcher.env.main_server == "main-server"
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
