"""PSP (Python Server Pages) parser and compiler, in pure Python.

Pure module: it never imports ``_apache``, so it can be unit-tested without
httpd.  It replaces the flex scanner (``_psp``) of mod_python 3.5.

Syntax::

    text               sent as is (req.write(text, 0))
    <% code %>         Python statements
    <%= expr %>        writes str(expr)
    <%! code %>        declarations: run once, before the page body, at the
                       top level (whatever the indentation where they appear)
    <%@ include file="path" %>
                       the file's text is included at parse time
    <%-- comment --%>  removed

Indentation.  A code block's first line (the text right after ``<%``) is
placed at the *current indentation*; its other lines keep the indentation
they have in the file.  After the block, the indentation of its last
non-blank line (a comment counts) becomes the current indentation for the
text and ``<%= %>`` that follow, plus one level (four spaces) when that line
ends with ``:``.  A block with no code at all (``<% %>``) sets the current
indentation back to the top level.  So::

    <% for n in range(3): %>
    <p>repeated</p>
    <% %>
    shown once

and the multi-line form::

    <%
    for n in range(3):
        # this indent carries over
    %>
    <p>repeated</p>
    <%
    # back to the top level
    %>

An empty body (``<% if x: %><% %>``) gets a ``pass``.

Text is turned into Python string literals with :func:`repr`, so every
character, backslashes included, reaches the client literally (3.5 let
backslash escapes other than ``\\n``, ``\\r``, ``\\t`` be interpreted).

Line numbers.  The generated source is one statement per line, and every
generated line remembers the line of the page it came from.
:func:`compile_page` rewrites the line numbers of the syntax tree with that
map before compiling, so tracebacks and ``SyntaxError``s name lines of the
``.psp`` file (a line of an included file is reported as the line of its
``include`` directive, except in :class:`PSPSyntaxError`, which names the
included file).  ``\\r\\n`` and a lone ``\\r`` count as line ends.

Limitation (as in 3.5): a ``%>`` inside a Python string in a code block ends
the block.
"""

from __future__ import annotations

import ast
import bisect
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from types import CodeType

__all__ = [
    "MAX_INCLUDE_DEPTH",
    "PSPSyntaxError",
    "ParsedPage",
    "compile_page",
    "names_used",
    "parse",
    "parse_file",
]

#: Include nesting limit (protects against include cycles).
MAX_INCLUDE_DEPTH = 16

_INDENT_STEP = "    "
_INCLUDE_RE = re.compile(
    r"""^\s*include\s+file\s*=\s*(?:"([^"]*)"|'([^']*)')\s*$""", re.DOTALL
)
_LINE_BREAK_RE = re.compile(r"\r\n|\r|\n")


class PSPSyntaxError(SyntaxError):
    """A page that cannot be parsed or compiled.

    ``filename`` and ``lineno`` name the PSP source (or included file) line;
    ``str()`` gives ``"<file>:<line>: <message>"``.
    """

    def __init__(self, msg: str, filename: str | None, lineno: int,
                 text: str | None = None) -> None:
        super().__init__(msg, (filename or "<string>", lineno, None, text))
        self.psp_msg = msg

    def __str__(self) -> str:
        return f"{self.filename}:{self.lineno}: {self.psp_msg}"


@dataclass
class ParsedPage:
    """Result of :func:`parse`.

    ``source`` is the generated Python; ``line_map[i]`` is the page line of
    generated line ``i + 1`` (for an included file: the ``include`` line);
    ``origins[i]`` is the real (file, line) it came from.  ``includes`` lists
    the files read through ``include`` (for cache invalidation).
    """

    source: str
    filename: str | None
    line_map: list[int] = field(default_factory=list)
    origins: list[tuple[str | None, int]] = field(default_factory=list)
    includes: list[str] = field(default_factory=list)

    def origin(self, generated_line: int) -> tuple[str | None, int]:
        """(file, line) for a 1-based generated line (clamped)."""
        if not self.origins:
            return (self.filename, 1)
        index = min(max(generated_line, 1), len(self.origins)) - 1
        return self.origins[index]

    def page_line(self, generated_line: int) -> int:
        if not self.line_map:
            return 1
        index = min(max(generated_line, 1), len(self.line_map)) - 1
        return self.line_map[index]


class _Lines:
    """Maps offsets of a text to 1-based line numbers (any line ending)."""

    def __init__(self, text: str) -> None:
        self.ends = [m.end() for m in _LINE_BREAK_RE.finditer(text)]

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.ends, offset) + 1


def _split_lines(text: str) -> list[str]:
    return _LINE_BREAK_RE.split(text)


def _leading_ws(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


class _Emitter:
    """Collects generated lines with their origins and tracks indentation."""

    def __init__(self) -> None:
        self.decls: list[tuple[str, str | None, int, int]] = []
        self.body: list[tuple[str, str | None, int, int]] = []
        self.indent = ""
        # indentation of a line ending in ':' whose body is still empty
        self.open_block: str | None = None
        self.open_origin: tuple[str | None, int, int] = (None, 0, 0)

    def _close_empty(self, indent: str) -> None:
        if self.open_block is not None and len(indent) <= len(self.open_block):
            fname, line, page_line = self.open_origin
            self.body.append(
                (self.open_block + _INDENT_STEP + "pass", fname, line, page_line))
        self.open_block = None

    def line(self, text: str, fname: str | None, line: int, page_line: int) -> None:
        """Add one generated line (with its full indentation)."""
        stripped = text.strip()
        if stripped and not stripped.startswith("#"):
            self._close_empty(_leading_ws(text))
            if _ends_block(stripped):
                self.open_block = _leading_ws(text)
                self.open_origin = (fname, line, page_line)
        self.body.append((text, fname, line, page_line))

    def finish(self) -> None:
        self._close_empty("")


def _ends_block(stripped: str) -> bool:
    """Whether a code line opens a block (ends with ':', ignoring a comment)."""
    code = stripped
    if "#" in code:
        # a '#' inside a string would confuse this; good enough for the rule
        code = code.split("#", 1)[0].rstrip() if not _has_quote(code) else code
    return code.endswith(":")


def _has_quote(text: str) -> bool:
    return "'" in text or '"' in text


class _Parser:
    def __init__(self, loader: Callable[[str], str]) -> None:
        self.out = _Emitter()
        self.loader = loader
        self.includes: list[str] = []

    # -- emitters ---------------------------------------------------------
    def text(self, chunk: str, fname: str | None, first_line: int,
             page_line: Callable[[int], int]) -> None:
        if not chunk:
            return
        self.out.line(f"{self.out.indent}req.write({chunk!r}, 0)",
                      fname, first_line, page_line(first_line))

    def expression(self, expr: str, fname: str | None, first_line: int,
                   page_line: Callable[[int], int]) -> None:
        offset = _first_code_line_offset(expr)
        lines = _split_lines(expr.strip())
        if not "".join(lines).strip():
            raise PSPSyntaxError("empty expression in <%= %>", fname, first_line)
        if len(lines) == 1 and "#" not in lines[0]:
            self.out.line(f"{self.out.indent}req.write(str({lines[0]}), 0)",
                          fname, first_line + offset, page_line(first_line + offset))
            return
        for i, text in enumerate(lines):
            prefix = f"{self.out.indent}req.write(str((" if i == 0 else ""
            self.out.line(prefix + text, fname, first_line + offset + i,
                          page_line(first_line + offset + i))
        last = first_line + offset + len(lines) - 1
        self.out.line(f"{self.out.indent}    )), 0)", fname, last, page_line(last))

    def code(self, code: str, fname: str | None, first_line: int,
             page_line: Callable[[int], int]) -> None:
        lines = _split_lines(code)
        last_indent: str | None = None
        last_opens = False
        for i, raw in enumerate(lines):
            lineno = first_line + i
            if i == 0:
                text = raw.strip()
                if not text:
                    continue
                full = self.out.indent + text
            else:
                full = raw.rstrip()
                if not full.strip():
                    continue
            self.out.line(full, fname, lineno, page_line(lineno))
            last_indent = _leading_ws(full)
            last_opens = _ends_block(full.strip()) and not full.strip().startswith("#")
        if last_indent is None:
            # "<% %>": back to the top level
            self.out.indent = ""
            return
        self.out.indent = last_indent + (_INDENT_STEP if last_opens else "")

    def declaration(self, code: str, fname: str | None, first_line: int,
                    page_line: Callable[[int], int]) -> None:
        lines = _split_lines(code)
        # dedent the block as a whole (the first line counts as unindented)
        rest = [ln for ln in lines[1:] if ln.strip()]
        common = min((len(_leading_ws(ln)) for ln in rest), default=0)
        if lines and lines[0].strip():
            common = 0 if not rest else min(common, len(_leading_ws(rest[0])))
        for i, raw in enumerate(lines):
            text = raw.strip() if i == 0 else raw[common:].rstrip()
            if not text.strip():
                continue
            lineno = first_line + i
            self.out.decls.append((text, fname, lineno, page_line(lineno)))

    # -- the scanner -------------------------------------------------------
    def run(self, text: str, fname: str | None, depth: int,
            page_line: Callable[[int], int] | None) -> None:
        lines = _Lines(text)
        if page_line is None:
            def page_line(n: int) -> int:
                return n
        pos = 0
        length = len(text)
        while pos < length:
            start = text.find("<%", pos)
            if start < 0:
                self.text(text[pos:], fname, lines.line_of(pos), page_line)
                break
            self.text(text[pos:start], fname, lines.line_of(pos), page_line)
            open_line = lines.line_of(start)
            if text.startswith("<%--", start):
                end = text.find("--%>", start + 4)
                if end < 0:
                    raise PSPSyntaxError("unterminated comment '<%--'", fname, open_line)
                pos = end + 4
                continue
            end = text.find("%>", start + 2)
            if end < 0:
                raise PSPSyntaxError("'<%' without a closing '%>'", fname, open_line)
            kind = text[start + 2: start + 3]
            if kind in ("=", "@", "!"):
                body = text[start + 3: end]
            else:
                kind = ""
                body = text[start + 2: end]
            if kind == "=":
                self.expression(body, fname, open_line, page_line)
            elif kind == "@":
                self.directive(body, fname, open_line, depth, page_line)
            elif kind == "!":
                self.declaration(body, fname, open_line, page_line)
            else:
                self.code(body, fname, open_line, page_line)
            pos = end + 2

    def directive(self, body: str, fname: str | None, lineno: int, depth: int,
                  page_line: Callable[[int], int]) -> None:
        match = _INCLUDE_RE.match(body)
        if not match:
            raise PSPSyntaxError(
                f"unsupported directive '<%@{body}%>' (only include file=\"...\")",
                fname, lineno)
        path = match.group(1) if match.group(1) is not None else match.group(2)
        if not path:
            raise PSPSyntaxError("include with an empty file name", fname, lineno)
        if fname and not os.path.isabs(path):
            path = os.path.join(os.path.dirname(fname), path)
        if depth >= MAX_INCLUDE_DEPTH:
            raise PSPSyntaxError(
                f"includes nested deeper than {MAX_INCLUDE_DEPTH} (a cycle?)",
                fname, lineno)
        try:
            included = self.loader(path)
        except OSError as exc:
            raise PSPSyntaxError(f"cannot include {path!r}: {exc.strerror or exc}",
                                 fname, lineno) from exc
        self.includes.append(path)
        outer = page_line(lineno)
        self.run(included, path, depth + 1, lambda _n: outer)


def _first_code_line_offset(expr: str) -> int:
    """Number of blank lines before the first non-blank one in ``expr``."""
    for i, line in enumerate(_split_lines(expr)):
        if line.strip():
            return i
    return 0


def _read_text(path: str) -> str:
    with open(path, encoding="utf-8", newline="") as f:
        return f.read()


def parse(text: str, filename: str | None = None,
          loader: Callable[[str], str] = _read_text) -> ParsedPage:
    """Parse PSP ``text`` into Python source (see the module docstring).

    ``filename`` names the page in errors and is the base for relative
    includes; ``loader(path)`` reads an included file.  Raises
    :class:`PSPSyntaxError` for malformed markup.
    """
    parser = _Parser(loader)
    parser.run(text, filename, 0, None)
    parser.out.finish()
    entries = parser.out.decls + parser.out.body
    source_lines: list[str] = []
    line_map: list[int] = []
    origins: list[tuple[str | None, int]] = []
    for gen, fname, line, page_line in entries:
        source_lines.append(gen)
        line_map.append(page_line)
        origins.append((fname, line))
    return ParsedPage(
        source="\n".join(source_lines) + ("\n" if source_lines else ""),
        filename=filename,
        line_map=line_map,
        origins=origins,
        includes=parser.includes,
    )


def parse_file(filename: str, loader: Callable[[str], str] = _read_text) -> ParsedPage:
    """Read and parse a PSP file (UTF-8)."""
    return parse(loader(filename), filename, loader)


def compile_page(page: ParsedPage, filename: str | None = None) -> CodeType:
    """Compile ``page`` so that line numbers point into the PSP source.

    A ``SyntaxError`` of the generated Python becomes a
    :class:`PSPSyntaxError` naming the PSP file and line.
    """
    name = filename or page.filename or "<psp string>"
    try:
        tree = ast.parse(page.source, filename=name)
    except SyntaxError as exc:
        gen_line = exc.lineno or 1
        fname, line = page.origin(gen_line)
        raise PSPSyntaxError(
            f"{exc.msg} (generated code: {_gen_line(page, gen_line)!r})",
            fname or name, line) from None
    for node in ast.walk(tree):
        lineno = getattr(node, "lineno", None)
        if lineno is None:
            continue
        new_line = page.page_line(lineno)
        setattr(node, "lineno", new_line)  # noqa: B010 - not every AST has it
        end = getattr(node, "end_lineno", None)
        if end is not None:
            setattr(node, "end_lineno", max(page.page_line(end), new_line))  # noqa: B010
    merge_writes(tree)
    ast.fix_missing_locations(tree)
    try:
        return compile(tree, name, "exec", dont_inherit=True)
    except SyntaxError as exc:  # e.g. 'return' outside function
        gen_line = exc.lineno or 1
        raise PSPSyntaxError(str(exc.msg), name, gen_line) from None


def _gen_line(page: ParsedPage, gen_line: int) -> str:
    lines = page.source.split("\n")
    if 1 <= gen_line <= len(lines):
        return lines[gen_line - 1].strip()
    return ""


def names_used(code: CodeType) -> set[str]:
    """All global/local names referenced by ``code`` and its nested code."""
    names = set(code.co_names) | set(code.co_varnames)
    for const in code.co_consts:
        if isinstance(const, CodeType):
            names |= names_used(const)
    return names


# ---------------------------------------------------------------------------
# merging consecutive writes (compile time only; the source stays as is)
# ---------------------------------------------------------------------------

#: Node types an expression may contain to take part in a merged write:
#: nothing that calls code on purpose (no calls, formatting, lambdas,
#: comprehensions, assignments, await/yield).
_SIMPLE_NODES = (
    ast.Name, ast.Attribute, ast.Subscript, ast.Slice, ast.Constant,
    ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.IfExp,
    ast.Tuple, ast.List, ast.expr_context, ast.operator, ast.unaryop,
    ast.boolop, ast.cmpop,
)
_TEMP = "__psp_{}__"


def _write_part(stmt: ast.stmt) -> ast.expr | None:
    """For a generated ``req.write(<text>, 0)`` or ``req.write(str(<expr>),
    0)`` statement: the Constant or the expression; None for anything else."""
    if not isinstance(stmt, ast.Expr):
        return None
    call = stmt.value
    if not (isinstance(call, ast.Call) and not call.keywords
            and len(call.args) == 2
            and isinstance(call.func, ast.Attribute) and call.func.attr == "write"
            and isinstance(call.func.value, ast.Name) and call.func.value.id == "req"
            and isinstance(call.args[1], ast.Constant) and call.args[1].value == 0):
        return None
    data = call.args[0]
    if isinstance(data, ast.Constant) and isinstance(data.value, str):
        return data
    if (isinstance(data, ast.Call) and not data.keywords and len(data.args) == 1
            and isinstance(data.func, ast.Name) and data.func.id == "str"
            and all(isinstance(n, _SIMPLE_NODES) for n in ast.walk(data.args[0]))):
        return data.args[0]
    return None


def _merged(run: list[ast.stmt], parts: list[ast.expr]) -> list[ast.stmt]:
    """The statements that replace ``run`` (two or more writes).

    Texts only: one write of the joined text.  With expressions: each is
    evaluated once, in order, into a temporary; when all are exactly
    ``str`` or ``int`` one write sends the whole run, otherwise the parts
    are written one by one from the temporaries (so ``str()`` with side
    effects, as ``<%= other_psp %>`` running that page, happens in page
    order).  When an expression raised, the original statements run
    instead, so the text before it is sent and the exception comes from
    the same place as in the unmerged page.
    """
    first = run[0]
    exprs = [p for p in parts if not isinstance(p, ast.Constant)]
    if not exprs:
        text = "".join(str(p.value) for p in parts if isinstance(p, ast.Constant))
        return [_write(ast.Constant(text), first)]
    names = [_TEMP.format(i) for i in range(len(exprs))]
    failed = _TEMP.format("failed")
    assign: list[ast.stmt] = [
        ast.copy_location(ast.Assign([ast.Name(n, ast.Store())], e), e)
        for n, e in zip(names, exprs)]
    start = ast.Assign([ast.Name(failed, ast.Store())], ast.Constant(False))
    guard = ast.Try(body=assign, handlers=[ast.ExceptHandler(
        ast.Name("Exception", ast.Load()), None,
        [ast.Assign([ast.Name(failed, ast.Store())], ast.Constant(True))])],
        orelse=[], finalbody=[])
    checks: list[ast.expr] = []
    for n in names:
        cls = ast.Attribute(ast.Name(n, ast.Load()), "__class__", ast.Load())
        checks.append(ast.BoolOp(ast.Or(), [
            ast.Compare(cls, [ast.Is()], [ast.Name("str", ast.Load())]),
            ast.Compare(cls, [ast.Is()], [ast.Name("int", ast.Load())])]))
    values: list[ast.expr] = []
    one_by_one: list[ast.stmt] = []
    temps = iter(names)
    for p, stmt in zip(parts, run):
        if isinstance(p, ast.Constant):
            values.append(p)
            one_by_one.append(stmt)
        else:
            temp = next(temps)
            values.append(ast.FormattedValue(ast.Name(temp, ast.Load()), ord("s"), None))
            one_by_one.append(_write(ast.Call(ast.Name("str", ast.Load()),
                                              [ast.Name(temp, ast.Load())], []), stmt))
    fast = _write(ast.JoinedStr(values), first)
    test = checks[0] if len(checks) == 1 else ast.BoolOp(ast.And(), checks)
    chosen = ast.If(ast.Name(failed, ast.Load()), list(run),
                    [ast.If(test, [fast], one_by_one)])
    for node in (start, guard, chosen, *chosen.orelse):
        ast.copy_location(node, first)
    return [start, guard, chosen]


def _write(data: ast.expr, where: ast.stmt) -> ast.stmt:
    call = ast.Call(ast.Attribute(ast.Name("req", ast.Load()), "write", ast.Load()),
                    [data, ast.Constant(0)], [])
    return ast.copy_location(ast.Expr(call), where)


def _merge_block(body: list[ast.stmt]) -> list[ast.stmt]:
    out: list[ast.stmt] = []
    run: list[ast.stmt] = []
    parts: list[ast.expr] = []

    def close() -> None:
        if len(run) > 1:
            out.extend(_merged(run, parts))
        else:
            out.extend(run)
        run.clear()
        parts.clear()

    for stmt in body:
        part = _write_part(stmt)
        if part is None:
            close()
            out.append(stmt)
        else:
            run.append(stmt)
            parts.append(part)
    close()
    return out


def _rebinds(tree: ast.AST, names: frozenset[str]) -> bool:
    """Whether the page may rebind one of ``names`` (then nothing is merged)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            if node.id in names:
                return True
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if node.name in names:
                return True
        elif isinstance(node, ast.alias):
            if (node.asname or node.name).split(".")[0] in names or node.name == "*":
                return True
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            if names.intersection(node.names):
                return True
        elif isinstance(node, ast.arg) and node.arg in names:
            return True
    return False


_MERGE_GUARDED = frozenset({"req", "str", "int", "Exception"})


def merge_writes(tree: ast.Module) -> ast.Module:
    """Merge runs of generated ``req.write`` statements in ``tree`` (see
    :func:`_merged`): a page's text and ``<%= %>`` output between two code
    blocks goes out in one ``req.write`` call.  Left alone when the page
    rebinds ``req``, ``str``, ``int`` or ``Exception`` anywhere."""
    if _rebinds(tree, _MERGE_GUARDED):
        return tree
    for node in ast.walk(tree):
        for name, value in ast.iter_fields(node):
            if (isinstance(value, list) and value
                    and isinstance(value[0], ast.stmt)):
                setattr(node, name, _merge_block(value))
    return tree
