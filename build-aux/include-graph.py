#!/usr/bin/env python3
"""Print the include graph between the C units of src/.

    build-aux/include-graph.py [--dot] [SRCDIR]

A unit is a file stem in SRCDIR (default: src/ next to this script): x.c and
x.h together are the unit x, a header without a .c (mp_common.h) is a unit
of its own, and mp_version.h counts when only mp_version.h.in exists (it is
generated).  Unit x depends on unit y when x.c or x.h has `#include "y.h"`.
Only quoted includes of headers in SRCDIR count: httpd's, APR's and
Python's headers are outside the graph.

The default output is one line per unit, `x -> y z`, in dependency order
(a unit after everything it includes) followed by the include cycles, if
any; the exit status is 1 when there is a cycle.  --dot prints the graph for
Graphviz (`dot -Tsvg`).  test/unit/test_c_layout.py uses the functions
below.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.MULTILINE)

DEFAULT_SRC = Path(__file__).resolve().parent.parent / "src"


def unit_files(src: Path) -> dict[str, list[Path]]:
    """unit name -> its files (x.c, x.h, or x.h.in for a generated header)."""
    units: dict[str, list[Path]] = {}
    for path in sorted(src.iterdir()):
        name = path.name
        if name.endswith(".h.in"):
            stem = name[: -len(".h.in")]
            if (src / (stem + ".h")).exists():
                continue  # generated copy present: read that one
        elif path.suffix in (".c", ".h"):
            stem = path.stem
        else:
            continue
        units.setdefault(stem, []).append(path)
    return units


def includes(path: Path) -> list[str]:
    """The quoted #include names of one file, in order."""
    return INCLUDE.findall(path.read_text(encoding="utf-8", errors="replace"))


def unit_edges(src: Path) -> dict[tuple[str, str], list[str]]:
    """(unit, included unit) -> the files of the first that include it."""
    units = unit_files(src)
    edges: dict[tuple[str, str], list[str]] = {}
    for name, files in units.items():
        for path in files:
            for inc in includes(path):
                if not inc.endswith(".h"):
                    continue
                target = Path(inc).name[: -len(".h")]
                if target in units and target != name:
                    edges.setdefault((name, target), []).append(path.name)
    return edges


def unit_graph(src: Path) -> dict[str, set[str]]:
    """unit -> the units it includes (edges to itself left out)."""
    graph: dict[str, set[str]] = {name: set() for name in unit_files(src)}
    for a, b in unit_edges(src):
        graph[a].add(b)
    return graph


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm: components of more than one unit (the cycles),
    each sorted, the list sorted by first member."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = 0

    def visit(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(out)


def shortest_cycle(graph: dict[str, set[str]], component: list[str]) -> list[str]:
    """One shortest cycle through the first unit of a component, as
    [a, b, ..., a]."""
    start = component[0]
    members = set(component)
    prev: dict[str, str] = {}
    queue = [start]
    seen = {start}
    while queue:
        nxt: list[str] = []
        for v in queue:
            for w in sorted(graph[v] & members):
                if w == start:
                    path = [v]
                    while path[-1] != start:
                        path.append(prev[path[-1]])
                    return [start, *reversed(path[:-1]), start]
                if w not in seen:
                    seen.add(w)
                    prev[w] = v
                    nxt.append(w)
        queue = nxt
    return [start]  # not reached for a real component


def dependency_order(graph: dict[str, set[str]]) -> list[str]:
    """Units with what they include first; units in a cycle are placed
    where the cycle is first entered."""
    done: list[str] = []
    seen: set[str] = set()

    def visit(v: str) -> None:
        if v in seen:
            return
        seen.add(v)
        for w in sorted(graph[v]):
            visit(w)
        done.append(v)

    for v in sorted(graph):
        visit(v)
    return done


def describe_cycles(graph: dict[str, set[str]],
                    edges: dict[tuple[str, str], list[str]] | None = None) -> str:
    """The cycles, each with one shortest example and every include between
    its units (with the including files when edges is given)."""
    lines = []
    for comp in strongly_connected(graph):
        lines.append(f"include cycle of {len(comp)} units: {' '.join(comp)}")
        lines.append("  e.g. " + " -> ".join(shortest_cycle(graph, comp)))
        lines.append("  includes inside the cycle:")
        members = set(comp)
        for unit in comp:
            deps = []
            for dep in sorted(graph[unit] & members):
                files = (edges or {}).get((unit, dep))
                deps.append(f"{dep} ({' '.join(files)})" if files else dep)
            lines.append(f"    {unit} -> {', '.join(deps)}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dot", action="store_true", help="print Graphviz input")
    ap.add_argument("src", nargs="?", type=Path, default=DEFAULT_SRC)
    args = ap.parse_args(argv)
    graph = unit_graph(args.src)
    cycles = strongly_connected(graph)
    if args.dot:
        in_cycle = {u for comp in cycles for u in comp}
        print("digraph includes {\n    rankdir=BT;\n    node [shape=box];")
        for unit in sorted(graph):
            style = ' [color=red]' if unit in in_cycle else ""
            print(f'    "{unit}"{style};')
            for dep in sorted(graph[unit]):
                print(f'    "{unit}" -> "{dep}";')
        print("}")
    else:
        width = max(map(len, graph), default=0)
        for unit in dependency_order(graph):
            deps = " ".join(sorted(graph[unit])) or "-"
            print(f"{unit:<{width}} -> {deps}")
        if cycles:
            print()
            print(describe_cycles(graph, unit_edges(args.src)))
    return 1 if cycles else 0


if __name__ == "__main__":
    sys.exit(main())
