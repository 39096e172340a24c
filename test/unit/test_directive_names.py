"""Directive names are written once in the C sources: in the tables of
src/mp_config.h and src/mp_config.c (MP_PHASE_LIST, MP_FLAG_LIST,
MP_STRING_LIST, the command table).  Every other C file reads compiled
settings, never a directive name."""

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"
NAME = re.compile(r'"(Python[A-Z][A-Za-z]*)"')
TABLES = {"mp_config.h", "mp_config.c"}
COMMENT = re.compile(r"/\*.*?\*/", re.S)


def code(path: Path) -> str:
    """The file without its comments (which may name directives)."""
    return COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), path.read_text())


def test_no_directive_name_outside_the_tables() -> None:
    found = {
        f"{path.name}:{n}: {m.group(1)}"
        for path in sorted(SRC.glob("*.[ch]")) if path.name not in TABLES
        for n, line in enumerate(code(path).splitlines(), 1)
        for m in NAME.finditer(line)
    }
    assert not found, "\n".join(sorted(found))


def test_each_directive_name_is_written_once() -> None:
    names: dict[str, int] = {}
    for path in sorted(SRC.glob("*.[ch]")):
        if path.name in TABLES:
            for m in NAME.finditer(code(path)):
                names[m.group(1)] = names.get(m.group(1), 0) + 1
    assert len(names) >= 24, sorted(names)
    assert {n: c for n, c in names.items() if c != 1} == {}
