"""A diagnostic page: ``PythonHandler mod_python.testhandler``.

Shows the Apache and MPM details, the server and document roots, Python's
version, ``sys.path`` and interpreter name, whether ``mod_python.publisher``
and ``mod_python.psp`` import, the request's input headers,
``subprocess_env`` (after ``add_cgi_vars``), configuration and options,
notes, the server's configuration and options, and the configuration tree.

Never mount it where untrusted clients can reach it: it discloses the
server's configuration.  Unlike 3.5 it has no ``?view_log=1``: it never
shows the error log, which can hold other users' data (defect 35); the
log's *path* is listed.
"""

from __future__ import annotations

import html
import importlib
import sys
from collections.abc import Iterable
from typing import Any

from mod_python import apache

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

    from _apache import mp_request, table

__all__ = ["handler"]


def _e(value: Any) -> str:
    return html.escape(str(value))


def _table(title: str, rows: Iterable[tuple[Any, Any]]) -> str:
    body = "".join(
        f"<tr><th align=\"left\">{_e(k)}</th><td><code>{_e(v)}</code></td></tr>\n"
        for k, v in rows)
    return f"<h2>{_e(title)}</h2>\n<table border=\"1\" cellpadding=\"3\">\n{body}</table>\n"


def _items(table: table | Mapping[str, Any]) -> list[tuple[Any, Any]]:
    try:
        return sorted(((str(k), v) for k, v in table.items()), key=lambda kv: kv[0].lower())
    except Exception as exc:  # noqa: BLE001 - a diagnostic page shows the failure
        return [("(error)", repr(exc))]


def _importable(name: str) -> str:
    try:
        importlib.import_module(name)
    except Exception as exc:  # noqa: BLE001 - reported on the page
        return f"no: {type(exc).__name__}: {exc}"
    return "yes"


def _tree(nodes: Any, depth: int = 0) -> Iterable[str]:
    for node in nodes or []:
        if isinstance(node, (list, tuple)) and len(node) == 2 and isinstance(node[1], list):
            yield "    " * depth + str(node[0])
            yield from _tree(node[1], depth + 1)
        else:
            yield "    " * depth + str(node)


def handler(req: mp_request) -> int:
    """PythonHandler entry point."""
    req.content_type = "text/html; charset=utf-8"
    req.add_cgi_vars()
    server = req.server
    threaded = apache.mpm_query(apache.AP_MPMQ_IS_THREADED)
    forked = apache.mpm_query(apache.AP_MPMQ_IS_FORKED)
    general = [
        ("Apache version", getattr(sys.modules.get("_apache"), "version", "?")),
        ("MPM threaded", threaded),
        ("MPM forked", forked),
        ("Server root", apache.server_root()),
        ("Document root", req.document_root()),
        ("Error log", server.error_fname),
        ("Python version", sys.version),
        ("sys.path", "\n".join(sys.path)),
        ("Interpreter", req.interpreter),
        ("mod_python version", apache.mp_version),
        ("publisher importable", _importable("mod_python.publisher")),
        ("psp importable", _importable("mod_python.psp")),
    ]
    parts = [
        ("<!DOCTYPE html>\n<html><head><title>mod_python test page</title></head>"
         "<body>\n<h1>mod_python test page</h1>\n"),
        _table("General information", general),
        _table("Request input headers", _items(req.headers_in)),
        _table("Request environment (subprocess_env)", _items(req.subprocess_env)),
        _table("Request configuration", _items(req.get_config())),
        _table("Request options", _items(req.get_options())),
        _table("Request notes", _items(req.notes)),
        _table("Server configuration", _items(server.get_config())),
        _table("Server options", _items(server.get_options())),
    ]
    try:
        tree = "\n".join(_tree(apache.config_tree()))
    except Exception as exc:  # noqa: BLE001 - reported on the page
        tree = f"(not available: {exc})"
    parts.append(f"<h2>Configuration tree</h2>\n<pre>{_e(tree)}</pre>\n")
    parts.append("</body></html>\n")
    req.write("".join(parts), 0)
    return int(apache.OK)
