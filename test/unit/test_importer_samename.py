"""ModuleImporter keys a module found in the handler's own directory by its
file path (issue 12 item 8); no Apache."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "lib" / "python"))

from mod_python._importer import ModuleImporter, file_module_name


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def dirs(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "path", list(sys.path))
    out = []
    for d in ("a", "b", "c"):
        p = tmp_path / d
        p.mkdir()
        (p / "samename_h.py").write_text(f"WHO = {d!r}\n")
        sys.path.insert(0, str(p) + "/")
        out.append(str(p) + "/")
    yield out
    for key in [k for k in sys.modules if k.endswith("samename_h")]:
        del sys.modules[key]


def test_three_directories_three_modules(dirs):
    imp = ModuleImporter(clock=Clock())
    mods = [imp.import_module("samename_h", directory=d) for d in dirs]
    assert [m.WHO for m in mods] == ["a", "b", "c"]
    for d, m in zip(dirs, mods):
        path = os.path.normpath(d + "samename_h.py")
        assert m.__name__ == file_module_name(path)
        assert sys.modules[m.__name__] is m
        assert imp.import_module("samename_h", directory=d) is m


def test_module_already_imported_from_that_file_is_used(dirs):
    import importlib

    plain = importlib.import_module("samename_h")   # first on sys.path: c
    assert plain.WHO == "c"
    imp = ModuleImporter(clock=Clock())
    assert imp.import_module("samename_h", directory=dirs[2]) is plain
    assert imp.import_module("samename_h", directory=dirs[0]).WHO == "a"


def test_directory_not_on_sys_path_or_no_file(dirs, tmp_path):
    imp = ModuleImporter(clock=Clock())
    sys.path.remove(dirs[1])
    # b is not on sys.path: a plain import by name (finds c, first on the path)
    assert imp.import_module("samename_h", directory=dirs[1]).WHO == "c"
    assert "samename_h" in sys.modules
    empty = tmp_path / "empty"
    empty.mkdir()
    sys.path.insert(0, str(empty))
    assert imp.import_module("samename_h", directory=str(empty)).WHO == "c"


def test_reload_by_file_key(dirs):
    clock = Clock()
    imp = ModuleImporter(clock=clock)
    m = imp.import_module("samename_h", directory=dirs[0])
    f = Path(dirs[0]) / "samename_h.py"
    f.write_text("WHO = 'a2'\n")
    t = time.time() + 5
    os.utime(f, (t, t))
    clock.now += 2
    m2 = imp.import_module("samename_h", autoreload=True, directory=dirs[0])
    assert m2 is not m and m2.WHO == "a2"
    assert imp.import_module("samename_h", directory=dirs[1]).WHO == "b"


def test_file_appearing_later_is_found_after_the_interval(dirs, tmp_path):
    clock = Clock()
    imp = ModuleImporter(clock=clock)
    late = tmp_path / "late"
    late.mkdir()
    sys.path.insert(0, str(late))
    assert imp.import_module("samename_h", directory=str(late)).WHO in "abc"
    (late / "samename_h.py").write_text("WHO = 'late'\n")
    assert imp.import_module("samename_h", directory=str(late)).WHO != "late"
    clock.now += 2
    assert imp.import_module("samename_h", directory=str(late)).WHO == "late"
