"""Unit tests for mod_python._importer (no Apache, no _apache)."""

from __future__ import annotations

import logging
import os
import sys
import textwrap
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "lib" / "python"))

from mod_python import _importer
from mod_python._importer import (
    ModuleImporter,
    PythonPathManager,
    file_module_name,
    is_file_path,
    module_mtime,
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def importer(clock: FakeClock) -> ModuleImporter:
    return ModuleImporter(clock=clock)


@pytest.fixture
def modname() -> Iterator[str]:
    name = f"mp_test_{uuid.uuid4().hex[:12]}"
    yield name
    for key in [k for k in sys.modules if k == name or k.startswith(name + ".")]:
        del sys.modules[key]


@pytest.fixture(autouse=True)
def _isolated_sys_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "path", list(sys.path))


def write_module(path: Path, body: str, bump: float = 0.0) -> None:
    """Write ``body`` to ``path`` and move its mtime ``bump`` seconds ahead."""
    path.write_text(textwrap.dedent(body))
    if bump:
        st = path.stat()
        os.utime(path, (st.st_atime + bump, st.st_mtime + bump))


# -- basic import -------------------------------------------------------------


def test_first_import_records_mtime(tmp_path: Path, importer: ModuleImporter, modname: str) -> None:
    write_module(tmp_path / f"{modname}.py", "VALUE = 1\n")
    sys.path.insert(0, str(tmp_path))
    module = importer.import_module(modname)
    assert module.VALUE == 1
    assert sys.modules[modname] is module
    assert module.__mtime__ == module_mtime(module) > 0
    assert isinstance(module.__mtime_check__, float)


def test_missing_module_raises(importer: ModuleImporter) -> None:
    with pytest.raises(ModuleNotFoundError):
        importer.import_module(f"mp_test_missing_{uuid.uuid4().hex}")


def test_module_created_after_a_failed_lookup(
    tmp_path: Path, importer: ModuleImporter, modname: str
) -> None:
    sys.path.insert(0, str(tmp_path))
    with pytest.raises(ModuleNotFoundError):
        importer.import_module(modname)
    write_module(tmp_path / f"{modname}.py", "VALUE = 'late'\n")
    assert importer.import_module(modname).VALUE == "late"


# -- autoreload -----------------------------------------------------------------


def test_reload_reexecutes_changed_source(
    tmp_path: Path, importer: ModuleImporter, clock: FakeClock, modname: str
) -> None:
    source = tmp_path / f"{modname}.py"
    write_module(source, "VALUE = 1\n")
    sys.path.insert(0, str(tmp_path))
    old = importer.import_module(modname)
    assert old.VALUE == 1

    # Same size, so only the mtime tells the versions apart (a cached .pyc
    # with a whole-second stamp would be wrongly accepted by importlib).
    write_module(source, "VALUE = 2\n", bump=5)
    clock.advance(1.5)
    new = importer.import_module(modname)
    assert new.VALUE == 2
    assert new is not old, "a reload builds a fresh module object"
    assert old.VALUE == 1, "the old module is left intact for running code"
    assert sys.modules[modname] is new


def test_mtime_checked_at_most_once_per_second(
    tmp_path: Path, importer: ModuleImporter, clock: FakeClock, modname: str
) -> None:
    source = tmp_path / f"{modname}.py"
    write_module(source, "VALUE = 1\n")
    sys.path.insert(0, str(tmp_path))
    importer.import_module(modname)

    write_module(source, "VALUE = 2\n", bump=5)
    clock.advance(0.5)
    assert importer.import_module(modname).VALUE == 1, "checked too early"
    clock.advance(0.4)
    assert importer.import_module(modname).VALUE == 1, "still within one second"
    clock.advance(0.2)
    assert importer.import_module(modname).VALUE == 2


def test_unchanged_file_is_not_reexecuted(
    tmp_path: Path, importer: ModuleImporter, clock: FakeClock, modname: str
) -> None:
    write_module(tmp_path / f"{modname}.py", "import itertools\nRUN = next(itertools.count())\n")
    sys.path.insert(0, str(tmp_path))
    first = importer.import_module(modname)
    clock.advance(10)
    assert importer.import_module(modname) is first


def test_autoreload_off_keeps_module(
    tmp_path: Path, importer: ModuleImporter, clock: FakeClock, modname: str
) -> None:
    source = tmp_path / f"{modname}.py"
    write_module(source, "VALUE = 1\n")
    sys.path.insert(0, str(tmp_path))
    importer.import_module(modname, autoreload=False)
    write_module(source, "VALUE = 2\n", bump=5)
    clock.advance(60)
    assert importer.import_module(modname, autoreload=False).VALUE == 1
    assert importer.import_module(modname, autoreload=True).VALUE == 2


def test_failed_reload_keeps_old_module_and_retries(
    tmp_path: Path, importer: ModuleImporter, clock: FakeClock, modname: str
) -> None:
    source = tmp_path / f"{modname}.py"
    write_module(source, "VALUE = 1\n")
    sys.path.insert(0, str(tmp_path))
    old = importer.import_module(modname)

    write_module(source, "VALUE = (\n", bump=5)
    clock.advance(2)
    with pytest.raises(SyntaxError):
        importer.import_module(modname)
    assert sys.modules[modname] is old
    # Retried on the very next call (no one-second grace for a broken file).
    with pytest.raises(SyntaxError):
        importer.import_module(modname)

    write_module(source, "VALUE = 3\n", bump=10)
    assert importer.import_module(modname).VALUE == 3


def test_reload_of_submodule_updates_parent_attribute(
    tmp_path: Path, importer: ModuleImporter, clock: FakeClock, modname: str
) -> None:
    package = tmp_path / modname
    package.mkdir()
    (package / "__init__.py").write_text("")
    write_module(package / "handlers.py", "VALUE = 1\n")
    sys.path.insert(0, str(tmp_path))
    assert importer.import_module(f"{modname}.handlers").VALUE == 1
    write_module(package / "handlers.py", "VALUE = 2\n", bump=5)
    clock.advance(2)
    new = importer.import_module(f"{modname}.handlers")
    assert new.VALUE == 2
    assert sys.modules[modname].handlers is new


def test_reload_is_logged_at_notice(
    tmp_path: Path,
    importer: ModuleImporter,
    clock: FakeClock,
    modname: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    source = tmp_path / f"{modname}.py"
    write_module(source, "VALUE = 1\n")
    sys.path.insert(0, str(tmp_path))
    caplog.set_level(logging.DEBUG, logger="mod_python.importer")
    importer.import_module(modname, log=False)
    assert not caplog.records
    write_module(source, "VALUE = 2\n", bump=5)
    clock.advance(2)
    importer.import_module(modname, log=True)
    [record] = caplog.records
    assert record.levelno == _importer.NOTICE
    assert record.getMessage().startswith("(Re)importing module '")
    assert modname in record.getMessage()


def test_adopts_module_imported_elsewhere(importer: ModuleImporter) -> None:
    import json

    assert importer.import_module("json") is json


# -- file paths and the path argument --------------------------------------------


def test_is_file_path() -> None:
    assert is_file_path("/srv/app/handler.py")
    assert is_file_path("handler.py")
    assert is_file_path("sub/handler")
    assert not is_file_path("mod_python.publisher")


def test_file_path_modules_do_not_collide(tmp_path: Path, importer: ModuleImporter) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    write_module(tmp_path / "a" / "handler.py", "WHERE = 'a'\n")
    write_module(tmp_path / "b" / "handler.py", "WHERE = 'b'\n")
    mod_a = importer.import_module(str(tmp_path / "a" / "handler.py"))
    mod_b = importer.import_module(str(tmp_path / "b" / "handler.py"))
    try:
        assert (mod_a.WHERE, mod_b.WHERE) == ("a", "b")
        assert mod_a.__name__ == file_module_name(str(tmp_path / "a" / "handler.py"))
        assert mod_a.__name__ != mod_b.__name__
        assert sys.modules[mod_a.__name__] is mod_a
        assert importer.import_module(str(tmp_path / "a" / "handler.py")) is mod_a
    finally:
        sys.modules.pop(mod_a.__name__, None)
        sys.modules.pop(mod_b.__name__, None)


def test_file_path_module_reloads(
    tmp_path: Path, importer: ModuleImporter, clock: FakeClock
) -> None:
    source = tmp_path / "page.py"
    write_module(source, "VALUE = 1\n")
    try:
        assert importer.import_module(str(source)).VALUE == 1
        write_module(source, "VALUE = 2\n", bump=5)
        clock.advance(2)
        assert importer.import_module(str(source)).VALUE == 2
    finally:
        sys.modules.pop(file_module_name(str(source)), None)


def test_file_module_name_is_stable_and_valid() -> None:
    name = file_module_name("/srv/www/my-page.py")
    assert name == file_module_name("/srv/www/../www/my-page.py")
    assert name.isidentifier()
    assert name.endswith("_my_page")


def test_foreign_module_is_reimported_from_path(
    tmp_path: Path, importer: ModuleImporter, modname: str
) -> None:
    dir_a, dir_b = tmp_path / "a", tmp_path / "b"
    dir_a.mkdir()
    dir_b.mkdir()
    write_module(dir_a / f"{modname}.py", "WHERE = 'a'\n")
    write_module(dir_b / f"{modname}.py", "WHERE = 'b'\n")
    sys.path.insert(0, str(dir_a))
    assert importer.import_module(modname).WHERE == "a"
    assert importer.import_module(modname, path=[str(dir_b)]).WHERE == "b"
    assert importer.import_module(modname, path=[str(dir_b)]).WHERE == "b"
    assert importer.import_module(modname, path=[str(dir_a)]).WHERE == "a"


def test_first_import_searches_only_path(
    tmp_path: Path, importer: ModuleImporter, modname: str
) -> None:
    write_module(tmp_path / f"{modname}.py", "WHERE = 'tmp'\n")
    assert importer.import_module(modname, path=[str(tmp_path)]).WHERE == "tmp"


# -- module_mtime -------------------------------------------------------------------


def test_module_mtime_uses_newest_of_pyc_and_source(tmp_path: Path) -> None:
    source = tmp_path / "legacy.py"
    compiled = tmp_path / "legacy.pyc"
    source.write_text("")
    compiled.write_bytes(b"")
    os.utime(compiled, (100, 100))
    os.utime(source, (200, 200))

    class Legacy:
        __file__ = str(compiled)

    assert module_mtime(Legacy()) == 200  # type: ignore[arg-type]


def test_module_mtime_without_file() -> None:
    assert module_mtime(sys) == 0.0


# -- concurrency (defect 32) -------------------------------------------------------------

SLOW_MODULE = """
import time
A = {v}
time.sleep(0.2)
B = {v}
"""


def test_concurrent_first_import_never_sees_partial_module(tmp_path: Path, modname: str) -> None:
    write_module(tmp_path / f"{modname}.py", SLOW_MODULE.format(v=1))
    sys.path.insert(0, str(tmp_path))
    importer = ModuleImporter()
    seen: list[tuple[int, int] | str] = []

    def worker() -> None:
        module = importer.import_module(modname)
        seen.append((module.A, getattr(module, "B", "partial")))  # type: ignore[arg-type]

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == [(1, 1)] * 6


def test_concurrent_reload_never_sees_partial_module(
    tmp_path: Path, clock: FakeClock, modname: str
) -> None:
    source = tmp_path / f"{modname}.py"
    write_module(source, SLOW_MODULE.format(v=1))
    sys.path.insert(0, str(tmp_path))
    importer = ModuleImporter(clock=clock)
    importer.import_module(modname)
    write_module(source, SLOW_MODULE.format(v=2), bump=5)
    clock.advance(2)

    seen: list[tuple[object, object]] = []
    lock = threading.Lock()
    stop = time.monotonic() + 0.6

    def worker() -> None:
        while time.monotonic() < stop:
            module = importer.import_module(modname)
            with lock:
                seen.append((module.A, getattr(module, "B", "partial")))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen
    assert set(seen) <= {(1, 1), (2, 2)}
    assert seen[-1] == (2, 2)


# -- PythonPath ----------------------------------------------------------------------


def test_python_path_replaces_sys_path() -> None:
    manager = PythonPathManager()
    original = sys.path
    assert manager.apply_python_path("['/srv/app'] + sys.path")
    assert sys.path is original, "the list object is updated in place"
    assert sys.path[0] == "/srv/app"


def test_python_path_evaluated_once_per_string() -> None:
    manager = PythonPathManager()
    expression = "sys.path + ['/srv/once']"
    assert manager.apply_python_path(expression) is True
    assert manager.apply_python_path(expression) is False
    assert sys.path.count("/srv/once") == 1
    # Changes made later by code are not undone by the cached expression.
    sys.path.remove("/srv/once")
    manager.apply_python_path(expression)
    assert "/srv/once" not in sys.path
    # A different string is evaluated.
    assert manager.apply_python_path("sys.path + ['/srv/two']") is True
    assert sys.path[-1] == "/srv/two"


def test_python_path_namespace_holds_only_sys() -> None:
    manager = PythonPathManager()
    manager.apply_python_path(
        "[repr(sorted(name for name in globals() if name != '__builtins__'))]"
    )
    assert sys.path == ["['sys']"]
    with pytest.raises(NameError):
        PythonPathManager().apply_python_path("os.path")
    with pytest.raises(NameError):
        PythonPathManager().apply_python_path("apache.interpreter")


def test_python_path_must_be_a_list_and_is_retried() -> None:
    manager = PythonPathManager()
    before = list(sys.path)
    with pytest.raises(TypeError, match="must evaluate to a list"):
        manager.apply_python_path("tuple(sys.path)")
    with pytest.raises(TypeError):
        manager.apply_python_path("tuple(sys.path)")
    with pytest.raises(TypeError, match="list of str"):
        manager.apply_python_path("[1, 2]")
    assert sys.path == before


def test_add_directory_prepends_once() -> None:
    manager = PythonPathManager()
    assert manager.add_directory("/srv/htdocs/")
    assert sys.path[0] == "/srv/htdocs/"
    assert not manager.add_directory("/srv/htdocs/")
    assert sys.path.count("/srv/htdocs/") == 1
