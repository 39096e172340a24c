"""lib/python/mod_python/_apache.pyi against the built module.

A handler (test/htdocs/stubs/stub_introspect.py) describes the real
``_apache`` inside Apache: every public module-level name, every member of
every class (``_wsgi_*`` included), the signatures the C docstrings give,
and for the live request, connection, server, table, finfo, hlist and
filter objects the type of each attribute's value and whether it can be
assigned.  The stub is parsed here with ``ast``.  Every runtime member must
be in the stub and every stub member must exist at run time, with the same
kind (class, function, method, read-only or writable attribute), parameter
names and value types.

Names that start with two underscores are compared only one way (a dunder
the stub declares must exist), except ``__getattr__``/``__setattr__``, the
stub's way of saying "has an instance __dict__".
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

STUB = Path(__file__).resolve().parents[2] / "lib" / "python" / "mod_python" / "_apache.pyi"

# the typing device for an instance __dict__, not a runtime member
STUB_ONLY_DUNDERS = {"__getattr__", "__setattr__"}
# what an annotation names -> runtime type names it allows
TYPE_NAMES = {"None": {"NoneType"}, "float": {"float", "int"}, "bool": {"bool"},
              "_Text": {"str", "bytes"}, "Any": None, "object": None}


@pytest.fixture(scope="module")
def runtime(httpd) -> dict[str, Any]:
    httpd.conf.directory("{htdocs}/stubs", "SetHandler mod_python",
                         "PythonHandler stub_introspect")
    httpd.start()
    r = httpd.client().get("/stubs/x?a=1")
    assert r.status == 200, r.text
    return r.json()


# ---------------------------------------------------------------- the stub

class StubMember:
    def __init__(self, node: ast.stmt) -> None:
        self.node = node
        if isinstance(node, ast.FunctionDef):
            decorators = {ast.unparse(d) for d in node.decorator_list}
            self.kind = "property" if "property" in decorators else "method"
            self.annotation = node.returns
        elif isinstance(node, ast.AnnAssign):
            self.kind = "attribute"
            self.annotation = node.annotation
        elif isinstance(node, ast.ClassDef):
            self.kind = "class"
            self.annotation = None
        else:
            self.kind = "alias"
            self.annotation = None

    def params(self) -> list[tuple[str, bool]]:
        """(name, has default) of a method, self included."""
        assert isinstance(self.node, ast.FunctionDef)
        a = self.node.args
        positional = a.posonlyargs + a.args
        defaults = [False] * (len(positional) - len(a.defaults)) + [True] * len(a.defaults)
        out = list(zip([p.arg for p in positional], defaults, strict=True))
        if a.vararg:
            out.append(("*" + a.vararg.arg, False))
        out += [(p.arg, d is not None) for p, d in zip(a.kwonlyargs, a.kw_defaults,
                                                        strict=True)]
        if a.kwarg:
            out.append(("**" + a.kwarg.arg, False))
        return out

    def type_names(self) -> set[str] | None:
        """Runtime type names the annotation allows; None when it allows anything."""
        if self.annotation is None:
            return None
        names: set[str] = set()

        def walk(node: ast.expr) -> bool:
            if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
                return walk(node.left) and walk(node.right)
            if isinstance(node, ast.Subscript):
                base = ast.unparse(node.value)
                if base == "Final":
                    return walk(node.slice)
                names.add(base)
                return True
            if isinstance(node, ast.Constant) and node.value is None:
                names.add("NoneType")
                return True
            text = ast.unparse(node)
            allowed = TYPE_NAMES.get(text, {text})
            if allowed is None:
                return False
            names.update(allowed)
            return True

        return names if walk(self.annotation) else None


def _members(body: list[ast.stmt]) -> dict[str, StubMember]:
    out: dict[str, StubMember] = {}
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            out[node.name] = StubMember(node)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            if ast.unparse(node.annotation) == "TypeAlias":
                continue  # a typing alias such as _Text, not a module member
            out[node.target.id] = StubMember(node)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    out[target.id] = StubMember(node)
    return out


@pytest.fixture(scope="module")
def stub() -> dict[str, StubMember]:
    return _members(ast.parse(STUB.read_text(), filename=str(STUB)).body)


def _stub_class(stub: dict[str, StubMember], name: str) -> dict[str, StubMember]:
    node = stub[name].node
    assert isinstance(node, ast.ClassDef), name
    return _members(node.body)


def _public(names: Any) -> set[str]:
    return {n for n in names if not n.startswith("__")}


def _sig_names(sig: list[list[Any]]) -> list[tuple[str, bool]]:
    out = []
    for name, kind, has_default in sig:
        prefix = {"VAR_POSITIONAL": "*", "VAR_KEYWORD": "**"}.get(kind, "")
        out.append((prefix + name, has_default))
    return out


# ------------------------------------------------------------ module level

def test_module_names_match(runtime: dict[str, Any], stub: dict[str, StubMember]) -> None:
    have = _public(runtime["module"])
    declared = _public(stub)
    assert not have - declared, f"in _apache, not in the stub: {sorted(have - declared)}"
    assert not declared - have, f"in the stub, not in _apache: {sorted(declared - have)}"


def test_module_member_kinds_and_types(runtime: dict[str, Any],
                                       stub: dict[str, StubMember]) -> None:
    wrong = []
    for name, info in sorted(runtime["module"].items()):
        member = stub.get(name)
        if member is None:
            continue  # reported by test_module_names_match
        if info["kind"] == "class":
            ok = member.kind == "class" or (
                member.kind == "alias" and isinstance(member.node, ast.Assign)
                and ast.unparse(member.node.value) == info["name"])
        elif info["kind"] == "function":
            ok = member.kind == "method"
        else:
            allowed = member.type_names()
            ok = member.kind == "attribute" and (allowed is None or info["type"] in allowed)
        if not ok:
            wrong.append(f"{name}: runtime {info['kind']} {info['type']}, stub {member.kind} "
                         f"{ast.unparse(member.annotation) if member.annotation else ''}")
    assert not wrong, "\n" + "\n".join(wrong)


def test_module_function_signatures(runtime: dict[str, Any],
                                    stub: dict[str, StubMember]) -> None:
    wrong = []
    for name, info in sorted(runtime["module"].items()):
        member = stub.get(name)
        if info["kind"] != "function" or member is None or member.kind != "method":
            continue
        if info["sig"] is None:
            wrong.append(f"{name}: no signature in the C docstring")
            continue
        have, declared = _sig_names(info["sig"]), member.params()
        if have != declared:
            wrong.append(f"{name}: runtime {have} stub {declared}")
    assert not wrong, "\n" + "\n".join(wrong)


# ------------------------------------------------------------------ classes
#
# Every class the module has at run time is checked (a new one needs a stub
# class before these pass); each test lists all its findings at once.

def _each_class(runtime: dict[str, Any], stub: dict[str, StubMember]
                ) -> list[tuple[str, dict[str, Any], dict[str, StubMember]]]:
    out = []
    for cls, info in sorted(runtime["classes"].items()):
        if cls in stub and stub[cls].kind == "class":
            out.append((cls, info, _stub_class(stub, cls)))
    return out


def test_every_class_has_a_stub_and_a_live_object(runtime: dict[str, Any],
                                                  stub: dict[str, StubMember]) -> None:
    assert {"mp_request", "mp_conn", "mp_server", "mp_filter", "table", "mp_finfo",
            "mp_hlist", "SERVER_RETURN"} <= set(runtime["classes"])
    missing = sorted(c for c in runtime["classes"]
                     if c not in stub or stub[c].kind != "class")
    assert not missing, f"classes without a stub class: {missing}"
    # all but the exception have a live object that the handler inspected
    not_live = sorted(set(runtime["classes"]) - set(runtime["live"]) - {"SERVER_RETURN"})
    assert not not_live, f"no live object inspected for {not_live}"
    assert all(runtime["live"][c] == c for c in runtime["live"])


def test_class_members_match(runtime: dict[str, Any], stub: dict[str, StubMember]) -> None:
    wrong = []
    for cls, info, declared in _each_class(runtime, stub):
        have = _public(info["members"])
        missing = sorted(have - _public(declared))
        if missing:
            wrong.append(f"_apache.{cls}: not in the stub: {missing}")
        extra = sorted(_public(declared) - have)
        if extra:
            wrong.append(f"_apache.{cls}: in the stub, not at run time: {extra}")
        dunders = {n for n in declared if n.startswith("__")} - STUB_ONLY_DUNDERS
        absent = sorted(dunders - set(info["all"]))
        if absent:
            wrong.append(f"_apache.{cls}: dunders in the stub, not at run time: {absent}")
        if "__getattr__" in declared and "__dict__" not in info["all"]:
            wrong.append(f"_apache.{cls}: the stub says it has an instance __dict__")
    assert not wrong, "\n" + "\n".join(wrong)


def test_class_member_kinds(runtime: dict[str, Any], stub: dict[str, StubMember]) -> None:
    wrong = []
    for cls, info, declared in _each_class(runtime, stub):
        for name, entry in sorted(info["members"].items()):
            member = declared.get(name)
            if member is None or entry["dunder"]:
                continue
            if entry["kind"] == "method":
                ok = member.kind == "method"
            elif entry["kind"] == "attribute":
                ok = member.kind in ("property", "attribute")
                if "writable" in entry:
                    ok = ok and (member.kind == "attribute") == entry["writable"]
            else:
                ok = member.kind in ("attribute", "alias")
            if not ok:
                state = {True: " writable", False: " read-only"}.get(entry.get("writable"), "")
                wrong.append(f"{cls}.{name}: runtime {entry['kind']}{state}, stub {member.kind}")
    assert not wrong, "\n" + "\n".join(wrong)


def test_method_signatures(runtime: dict[str, Any], stub: dict[str, StubMember]) -> None:
    wrong = []
    checked = 0
    for cls, info, declared in _each_class(runtime, stub):
        for name, entry in sorted(info["members"].items()):
            member = declared.get(name)
            if entry["kind"] != "method" or entry["dunder"] or member is None \
                    or member.kind != "method":
                continue
            if entry["sig"] is None:
                wrong.append(f"{cls}.{name}: no signature in the C docstring")
                continue
            checked += 1
            have = [p for p in _sig_names(entry["sig"]) if p[0] != "self"]
            stub_params = member.params()[1:]  # without self
            if have != stub_params:
                wrong.append(f"{cls}.{name}: runtime {have} stub {stub_params}")
    assert not wrong, "\n" + "\n".join(wrong)
    assert checked > 50


def test_attribute_value_types(runtime: dict[str, Any], stub: dict[str, StubMember]) -> None:
    wrong = []
    checked = 0
    for cls, info, declared in _each_class(runtime, stub):
        for name, entry in sorted(info["members"].items()):
            member = declared.get(name)
            if member is None or "value_type" not in entry:
                continue
            if entry["value_type"] is None:
                wrong.append(f"{cls}.{name}: reading it raised {entry['error']}")
                continue
            checked += 1
            allowed = member.type_names()
            if allowed is not None and entry["value_type"] not in allowed:
                wrong.append(f"{cls}.{name}: runtime {entry['value_type']}, stub "
                             f"{ast.unparse(member.annotation) if member.annotation else ''}")
    assert not wrong, "\n" + "\n".join(wrong)
    assert checked > 100
