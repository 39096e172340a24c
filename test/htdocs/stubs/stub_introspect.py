"""Introspection of the real ``_apache`` module for test_120_stubs.py.

- handler    a JSON description of ``_apache``: every public module-level
             name (kind, type, signature) and, for every class, every
             attribute found in the class itself (kind, signature); for the
             objects a handler can reach (request, connection, server, table,
             finfo, hlist) also the type of each attribute's value and
             whether assigning it back is accepted (and for req._settings()).  The output filter
             ``outfilter`` (added by the handler) adds the same for the
             filter object and writes the whole JSON at end of stream.

The test compares it with lib/python/mod_python/_apache.pyi.
"""

from __future__ import annotations

import inspect
import json
import re
from typing import Any

import _apache
from mod_python import apache

METHOD_TYPES = ("method_descriptor", "builtin_function_or_method",
                "classmethod_descriptor", "wrapper_descriptor", "function",
                "method-wrapper")
ATTRIBUTE_TYPES = ("getset_descriptor", "member_descriptor", "property")


def _doc_signature(obj: Any) -> list[list[Any]] | None:
    """The parameters named by the docstring's signature line, for the
    signatures inspect cannot evaluate (defaults such as APLOG_ERR, or
    "add_output_filter(name) / add_input_filter(name)")."""
    text = getattr(obj, "__text_signature__", None)
    if text:  # "($self, message, level=APLOG_ERR)": CPython cut it from __doc__
        head = obj.__name__ + text
    else:
        head, sep, _ = (getattr(obj, "__doc__", None) or "").partition("\n--\n\n")
        if not sep:
            return None
    # a docstring shared by two methods names the other one first
    match = (re.search(re.escape(obj.__name__) + r"\(([^)]*)\)", head)
             or re.match(r"\w+\(([^)]*)\)", head))
    if match is None:
        return None
    params = match.group(1)
    out: list[list[Any]] = []
    kind = "POSITIONAL_OR_KEYWORD"
    for part in params.split(","):
        part = part.strip()
        if part in ("", "$self", "/"):
            continue
        if part == "*":
            kind = "KEYWORD_ONLY"
        elif part.startswith("**"):
            out.append([part[2:], "VAR_KEYWORD", False])
        elif part.startswith("*"):
            out.append([part[1:], "VAR_POSITIONAL", False])
            kind = "KEYWORD_ONLY"
        else:
            name, eq, _ = part.partition("=")
            out.append([name.strip(), kind, bool(eq)])
    return out


def _signature(obj: Any) -> list[list[Any]] | None:
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return _doc_signature(obj)
    return [[p.name, p.kind.name, p.default is not inspect.Parameter.empty]
            for p in sig.parameters.values()]


def _kind(value: Any) -> str:
    name = type(value).__name__
    if isinstance(value, type):
        return "class"
    if name in METHOD_TYPES:
        return "method"
    if name in ATTRIBUTE_TYPES:
        return "attribute"
    return "value"


def describe_module() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in sorted(dir(_apache)):
        if name.startswith("__"):
            continue
        value = getattr(_apache, name)
        kind = _kind(value)
        entry: dict[str, Any] = {"kind": "function" if kind == "method" else kind,
                                 "type": type(value).__name__}
        if kind == "class":
            entry["name"] = value.__name__
        elif kind == "method":
            entry["sig"] = _signature(value)
        out[name] = entry
    return out


def describe_class(cls: type) -> dict[str, Any]:
    members: dict[str, Any] = {}
    for name, value in vars(cls).items():
        entry: dict[str, Any] = {"kind": _kind(value), "type": type(value).__name__,
                                 "dunder": name.startswith("__")}
        if entry["kind"] == "method" and not entry["dunder"]:
            entry["sig"] = _signature(value)
        members[name] = entry
    return {"members": members, "all": sorted(dir(cls)),
            "bases": [b.__name__ for b in cls.__mro__[1:]]}


def describe_live(obj: Any, cls_info: dict[str, Any]) -> None:
    """Value types and writability of the attributes of a live object."""
    for name, entry in cls_info["members"].items():
        if entry["kind"] != "attribute" or entry["dunder"]:
            continue
        try:
            value = getattr(obj, name)
        except Exception as exc:  # noqa: BLE001 - reported
            entry["value_type"] = None
            entry["error"] = f"{type(exc).__name__}: {exc}"
            continue
        entry["value_type"] = type(value).__name__
        try:
            setattr(obj, name, value)
        except AttributeError:
            entry["writable"] = False
        except (TypeError, ValueError):
            entry["writable"] = True  # a setter exists but wants another value
        else:
            entry["writable"] = True


def handler(req: Any) -> int:
    classes: dict[str, Any] = {}
    for name in sorted(dir(_apache)):
        value = getattr(_apache, name)
        if isinstance(value, type) and not name.startswith("__"):
            classes[value.__name__] = describe_class(value)
    live = {"mp_request": req, "mp_conn": req.connection, "mp_server": req.server,
            "mp_finfo": req.finfo, "mp_hlist": req.hlist, "table": req.headers_in}
    if hasattr(type(req), "_settings"):  # the compiled settings (lead's branch)
        live["settings"] = req._settings()
    runtime_names = {}
    for cls_name, obj in live.items():
        runtime_names[cls_name] = type(obj).__name__
        describe_live(obj, classes[type(obj).__name__])
    data = {"module": describe_module(), "classes": classes, "live": runtime_names}
    req.register_output_filter("StubIntrospect", "stub_introspect::outfilter")
    req.add_output_filter("StubIntrospect")
    req.content_type = "application/json"
    req.write(json.dumps(data))
    return apache.OK


def outfilter(filt: Any) -> None:
    req = filt.req
    chunks = getattr(req, "stub_chunks", None)
    if chunks is None:
        chunks = req.stub_chunks = []
    data = filt.read()
    while data:
        chunks.append(data)
        data = filt.read()
    if data is not None:
        return
    result = json.loads(b"".join(chunks))
    result["live"]["mp_filter"] = type(filt).__name__
    describe_live(filt, result["classes"][type(filt).__name__])
    filt.write(json.dumps(result))
    filt.close()
