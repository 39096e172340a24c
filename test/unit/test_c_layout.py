"""The layout of the C sources (house style 3.1 and 3.6): every .c file but
mod_python.c has its header, and no two units include each other's headers
in a cycle.  A unit is x.c with x.h; build-aux/include-graph.py builds the
graph (and prints it for docs/design.md)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"
SCRIPT = ROOT / "build-aux" / "include-graph.py"


@pytest.fixture(scope="module")
def ig() -> ModuleType:
    spec = importlib.util.spec_from_file_location("include_graph", SCRIPT)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["include_graph"] = mod
    spec.loader.exec_module(mod)
    return mod


def test_every_c_file_has_a_header() -> None:
    sources = sorted(SRC.glob("*.c"))
    assert sources, f"no C sources in {SRC}"
    missing = [c.name for c in sources
               if c.name != "mod_python.c" and not c.with_suffix(".h").exists()]
    assert missing == [], "C files without a header: " + " ".join(missing)


def test_no_include_cycle(ig: ModuleType) -> None:
    graph = ig.unit_graph(SRC)
    assert "mp_util" in graph and "mod_python" in graph
    cycles = ig.strongly_connected(graph)
    assert cycles == [], "\n" + ig.describe_cycles(graph, ig.unit_edges(SRC))


# The checker itself, on small trees: it must find what it looks for.

def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return tmp_path


def test_graph_joins_c_and_h_and_ignores_foreign_headers(
        ig: ModuleType, tmp_path: Path) -> None:
    src = _tree(tmp_path, {
        "a.c": '#include "a.h"\n#include "b.h"\n#include "httpd.h"\n',
        "a.h": '#include <Python.h>\n#include "c.h"\n',
        "b.c": '#include "b.h"\n', "b.h": "",
        "c.h": "", "v.h.in": '#include "c.h"\n',
    })
    assert ig.unit_graph(src) == {"a": {"b", "c"}, "b": set(), "c": set(), "v": {"c"}}
    assert ig.strongly_connected(ig.unit_graph(src)) == []


def test_cycle_is_found_and_printed(ig: ModuleType, tmp_path: Path) -> None:
    src = _tree(tmp_path, {
        "a.c": '#include "a.h"\n', "a.h": '#include "b.h"\n',
        "b.c": '#  include "c.h"\n', "b.h": "",
        "c.c": '#include "a.h"\n', "c.h": "",
        "d.c": '#include "a.h"\n', "d.h": "",
    })
    graph = ig.unit_graph(src)
    assert ig.strongly_connected(graph) == [["a", "b", "c"]]
    assert ig.shortest_cycle(graph, ["a", "b", "c"]) == ["a", "b", "c", "a"]
    assert "a -> b -> c -> a" in ig.describe_cycles(graph)
    assert "    a -> b (a.h)\n" in ig.describe_cycles(graph, ig.unit_edges(src))
    assert ig.main([str(src)]) == 1
