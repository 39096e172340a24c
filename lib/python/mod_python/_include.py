"""Python in server-side includes: ``<!--#python exec|eval="..." -->``.

The C side (``src/mp_include.c``) checks the element's attributes, takes the
interpreter and calls :func:`run` with the request object, ``"exec"`` or
``"eval"`` and the attribute's (entity-decoded) text.  What :func:`run`
returns replaces the element in the page; an exception is logged by C
(``MP0601``) and replaced by mod_include's error string.

Namespace: every element of one request runs in the same dict,
``req.ssi_globals``, created on first use.  A handler that runs earlier in
the same interpreter (a fixup handler, say) may set ``req.ssi_globals`` to
pre-populate it.  Before each element the names ``filter`` (the output object
of that element, see :class:`SSIOutput`), ``req`` and ``__file__`` (the page)
are set in it.  ``print()`` inside the page writes to the element's output
too: the namespace gets its own ``__builtins__`` whose ``print`` defaults to
``file=filter``; nothing process-wide such as ``sys.stdout`` is touched, so
concurrent requests do not see each other's output.

Code: CRLF becomes LF, trailing whitespace and leading blank lines are
dropped and a common indentation is removed (so a block may be indented
like the HTML around it).  Code is compiled for each element; nothing is
cached between requests.

Pure module: it does not import ``_apache``; ``req`` is only used through
its attributes, so the functions can be tested with a stand-in object.
"""

from __future__ import annotations

import builtins
import html
import textwrap
import traceback
from collections.abc import Callable
from typing import Any

from mod_python._importer import default_path_manager

TYPE_CHECKING = False
if TYPE_CHECKING:
    from _apache import mp_request

__all__ = ["SSIOutput", "error_page", "prepare", "run", "ssi_globals"]

#: Output encoding of text written as str (the page itself is bytes).
ENCODING = "utf-8"

_KINDS = ("exec", "eval")


class SSIOutput:
    """Where one ``#python`` element writes; available as ``filter``.

    It has the writing half of a filter object (``write``, ``flush``,
    ``close``, ``req``, ``name``), so 3.x pages that call
    ``filter.write(...)`` keep working.  str is encoded as UTF-8, bytes are
    taken as they are.
    """

    name = "INCLUDES"

    def __init__(self, req: mp_request) -> None:
        self.req = req
        self.closed = False
        self._parts: list[str | bytes] = []

    def write(self, data: str | bytes) -> int:
        if self.closed:
            raise ValueError("I/O operation on closed filter")
        if isinstance(data, bytearray | memoryview):
            data = bytes(data)
        if not isinstance(data, str | bytes):
            raise TypeError(
                f"write() argument must be str or bytes, not {type(data).__name__}"
            )
        self._parts.append(data)
        return len(data)

    def flush(self) -> None:
        """Nothing to do: the output is inserted when the element ends."""

    def close(self) -> None:
        self.closed = True

    def writable(self) -> bool:
        return True

    def getvalue(self) -> str | bytes:
        """Everything written, as str unless some bytes were written."""
        if all(isinstance(p, str) for p in self._parts):
            return "".join(self._parts)  # type: ignore[arg-type]
        return b"".join(
            p.encode(ENCODING) if isinstance(p, str) else p for p in self._parts
        )


def prepare(code: str) -> str:
    """Normalise an attribute's code: newlines, indentation, trailing space."""
    code = code.replace("\r\n", "\n").replace("\r", "\n")
    lines = code.split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    return textwrap.dedent("\n".join(lines)).rstrip()


def ssi_globals(req: mp_request) -> dict[str, Any]:
    """The namespace shared by the elements of ``req`` (created on demand)."""
    namespace = getattr(req, "ssi_globals", None)
    if namespace is None:
        namespace = {}
        req.ssi_globals = namespace
    elif not isinstance(namespace, dict):
        raise TypeError(
            f"req.ssi_globals must be a dict, not {type(namespace).__name__}"
        )
    return namespace


def _page_builtins(namespace: dict[str, Any], out: SSIOutput) -> None:
    """Give the namespace its own builtins whose print() writes to ``out``."""
    own = namespace.get("__builtins__")
    if not (isinstance(own, dict) and own.get("__mp_ssi__")):
        own = dict(vars(builtins))
        own["__mp_ssi__"] = True
        namespace["__builtins__"] = own
    real_print: Callable[..., None] = builtins.print

    def ssi_print(*args: Any, **kwargs: Any) -> None:
        if kwargs.get("file") is None:
            kwargs["file"] = out
        real_print(*args, **kwargs)

    own["print"] = ssi_print


def _apply_python_path(req: mp_request) -> None:
    """Honour a PythonPath in effect for the page, as handlers do."""
    value = req._settings().python_path
    if value:
        default_path_manager.apply_python_path(value)


def run(req: mp_request, kind: str, code: str) -> str | bytes:
    """Run one element and return the text that replaces it.

    ``exec``: the output is what the code wrote with ``filter.write()`` or
    ``print()``.  ``eval``: that output followed by ``str(result)``, unless
    the result is None.  Exceptions propagate to the caller.
    """
    if kind not in _KINDS:
        raise ValueError(f"kind must be 'exec' or 'eval', not {kind!r}")
    _apply_python_path(req)
    namespace = ssi_globals(req)
    out = SSIOutput(req)
    filename = getattr(req, "filename", None) or "<ssi>"
    namespace["filter"] = out
    namespace["req"] = req
    namespace["__file__"] = filename
    _page_builtins(namespace, out)
    source = prepare(code)
    # Not the page's file name: a traceback would quote the page's lines.
    compiled = compile(
        source, f"<#python {kind} in {filename}>", kind, dont_inherit=True
    )
    if kind == "eval":
        result = eval(compiled, namespace)
        if result is not None:
            out.write(result if isinstance(result, bytes) else str(result))
    else:
        exec(compiled, namespace)  # noqa: S102 - the page's own code
    return out.getvalue()


def error_page(exc: BaseException) -> str:
    """Traceback of ``exc`` as an HTML ``<pre>`` block (PythonDebug On)."""
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return f"<pre>\n{html.escape(text)}</pre>\n"
