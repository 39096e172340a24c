"""Python Server Pages: the ``mod_python.psp`` handler and the PSP class.

Configuration::

    AddHandler mod_python .psp .psp_
    PythonHandler mod_python.psp
    PythonDebug On          # only needed for the .psp_ source listing

The parser lives in :mod:`mod_python._psp_parse` (pure Python, no flex).
Compiled pages are cached in memory per interpreter, keyed by file name and
refreshed when the page or one of its included files changes (mtime and
size).  Pages given as strings have their own cache keyed by the text.

A request for ``page.psp_`` shows the page's source next to the generated
Python, but only with ``PythonDebug On``; otherwise it is a 404.

This module is an adapter: it imports ``mod_python.apache`` (and through it
``_apache``) lazily, so :func:`parse` and :func:`parsestring` work outside
httpd too.
"""

from __future__ import annotations

import builtins
import html
import os
import stat
import sys
import threading
from collections import OrderedDict
from dataclasses import dataclass
from types import CodeType, ModuleType
from typing import Any

from mod_python._psp_parse import (
    ParsedPage,
    PSPSyntaxError,
    compile_page,
    names_used,
)
from mod_python._psp_parse import parse as _parse_text
from mod_python._psp_parse import parse_file as _parse_file

TYPE_CHECKING = False
if TYPE_CHECKING:
    from _apache import mp_request

__all__ = [
    "PSP",
    "PSPInterface",
    "PSPSyntaxError",
    "handler",
    "parse",
    "parsestring",
]

#: Entries kept in each in-memory cache (files, strings).
CACHE_SIZE = 512
STRING_CACHE_SIZE = 128


_apache_module: ModuleType | None = None


def _apache() -> ModuleType:
    global _apache_module
    if _apache_module is None:
        from mod_python import apache

        _apache_module = apache
    return _apache_module


# ---------------------------------------------------------------------------
# compiled-page cache
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Compiled:
    code: CodeType
    page: ParsedPage
    stamps: tuple[tuple[str, float, int], ...]
    uses_session: bool
    uses_form: bool


def _stamp(path: str) -> tuple[str, float, int]:
    st = os.stat(path)
    return (path, st.st_mtime, st.st_size)


def _current(stamps: tuple[tuple[str, float, int], ...],
             first: os.stat_result | None = None) -> bool:
    """Whether every file of ``stamps`` is unchanged; ``first`` is a fresh
    stat of the page itself (``stamps[0]``) when the caller has one."""
    try:
        if first is not None:
            _, mtime, size = stamps[0]
            if first.st_mtime != mtime or first.st_size != size:
                return False
            stamps = stamps[1:]
        for stamp in stamps:
            if _stamp(stamp[0]) != stamp:
                return False
        return True
    except OSError:
        return False


def _build(page: ParsedPage, filename: str | None,
           stamps: tuple[tuple[str, float, int], ...]) -> _Compiled:
    code = compile_page(page, filename)
    used = names_used(code)
    return _Compiled(code, page, stamps, "session" in used, "form" in used)


class _PageCache:
    """Thread-safe LRU caches of compiled pages (one set per interpreter)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._files: OrderedDict[str, _Compiled] = OrderedDict()
        self._strings: OrderedDict[str, _Compiled] = OrderedDict()

    def file(self, filename: str, st: os.stat_result | None = None) -> _Compiled:
        """The compiled page of ``filename`` (``st``: its fresh stat)."""
        with self._lock:
            entry = self._files.get(filename)
            if entry is not None:
                self._files.move_to_end(filename)
        if entry is not None and _current(entry.stamps, st):
            return entry
        # stamp before reading: a change during the parse is seen next time
        stamps = [_stamp(filename)]
        page = _parse_file(filename)
        for inc in page.includes:
            try:
                stamps.append(_stamp(inc))
            except OSError:
                pass
        entry = _build(page, filename, tuple(stamps))
        with self._lock:
            self._files[filename] = entry
            self._files.move_to_end(filename)
            while len(self._files) > CACHE_SIZE:
                self._files.popitem(last=False)
        return entry

    def string(self, text: str) -> _Compiled:
        with self._lock:
            entry = self._strings.get(text)
            if entry is not None:
                self._strings.move_to_end(text)
                return entry
        entry = _build(_parse_text(text, None), "<psp string>", ())
        with self._lock:
            self._strings[text] = entry
            while len(self._strings) > STRING_CACHE_SIZE:
                self._strings.popitem(last=False)
        return entry

    def clear(self) -> None:
        with self._lock:
            self._files.clear()
            self._strings.clear()


_cache = _PageCache()


# ---------------------------------------------------------------------------
# low-level API (3.5 compatible)
# ---------------------------------------------------------------------------


def parse(filename: str, dir: str | None = None) -> str:
    """Return the Python source generated for a PSP file.

    ``dir`` is simply prepended to ``filename``, as in 3.5.
    """
    path = (dir or "") + filename
    return _parse_file(path).source


def parsestring(text: str) -> str:
    """Return the Python source generated for PSP ``text``."""
    return _parse_text(text, None).source


# ---------------------------------------------------------------------------
# PSP objects
# ---------------------------------------------------------------------------


class PSPInterface:
    """The ``psp`` object a page sees."""

    def __init__(self, req: mp_request, filename: str | None, pspinstance: PSP) -> None:
        self.req = req
        self.filename = filename
        self.pspinstance = pspinstance
        self.error_page: PSP | None = None

    def set_error_page(self, page: str) -> None:
        """Run ``page`` instead when this page raises.

        A leading ``/`` is relative to the document root, otherwise the path
        is relative to the current page.
        """
        if page.startswith("/"):
            path = os.path.join(self.req.document_root(), page.lstrip("/"))
        else:
            base = os.path.dirname(self.filename or self.req.filename or "")
            path = os.path.join(base, page)
        self.error_page = PSP(self.req, path)

    def apply_data(self, obj: Any) -> Any:
        """Call ``obj`` with the form fields that match its parameters
        (``util.apply_fs_data``; ``req`` is offered too)."""
        from mod_python import util

        form = getattr(self.req, "form", None)
        if form is None:
            form = self.req.form = util.FieldStorage(self.req, keep_blank_values=1)
        return util.apply_fs_data(obj, form, req=self.req)

    def redirect(self, location: str, permanent: bool | int = 0) -> None:
        """Redirect the client (``util.redirect``); must happen before any
        output was sent, else ``OSError``."""
        from mod_python import util

        util.redirect(self.req, location, permanent)


class PSP:
    """A page from a file or a string; ``run()`` executes it."""

    def __init__(self, req: mp_request, filename: str | None = None,
                 string: str | None = None,
                 vars: dict[str, Any] | None = None, *,
                 _stat: os.stat_result | None = None) -> None:
        if filename is not None and string is not None:
            raise ValueError("give either filename or string, not both")
        self.req = req
        self.vars: dict[str, Any] = dict(vars or {})
        self.string = string
        if string is not None:
            self.filename: str | None = None
            self._entry = _cache.string(string)
            return
        if filename is None:
            filename = req.filename
        elif not os.path.isabs(filename):
            filename = os.path.join(os.path.dirname(req.filename or ""), filename)
        if not filename or (_stat is None and not os.path.isfile(filename)):
            raise FileNotFoundError(f"PSP page not found: {filename}")
        self.filename = filename
        self._entry = _cache.file(filename, _stat)

    @property
    def code(self) -> CodeType:
        return self._entry.code

    def __str__(self) -> str:
        self.run()
        return ""

    def run(self, vars: dict[str, Any] | None = None,
            flush: bool | int = 0) -> None:
        """Execute the page, writing its output to the request."""
        apache = _apache()
        req = self.req
        entry = self._entry
        interface = PSPInterface(req, self.filename, self)
        g: dict[str, Any] = {
            "__builtins__": builtins,
            "__name__": "__psp__",
            "__file__": self.filename or "<psp string>",
            "apache": apache,
            "req": req,
            "psp": interface,
        }
        if entry.uses_form:
            form = getattr(req, "form", None)
            if form is None:
                from mod_python import util

                form = req.form = util.FieldStorage(req, keep_blank_values=1)
            g["form"] = form
        session = None
        created_session = False
        if entry.uses_session:
            session = getattr(req, "session", None)
            if session is None:
                from mod_python import Session

                session = req.session = Session.Session(req)
                created_session = True
            g["session"] = session
        g.update(self.vars)
        if vars:
            g.update(vars)
        try:
            try:
                exec(entry.code, g)  # noqa: S102 - the page is server-side code
            except apache.SERVER_RETURN:
                raise
            except Exception:
                if interface.error_page is None:
                    raise
                exc_info = sys.exc_info()
                interface.error_page.run({"exception": exc_info})
            else:
                if session is not None:
                    session.save()
            if flush:
                req.flush()
        finally:
            if created_session and session is not None:
                session.unlock()
                try:
                    del req.session
                except AttributeError:
                    pass

    def display_code(self) -> None:
        """Write the page source next to the generated Python, as HTML."""
        page = self._entry.page
        if self.filename is not None:
            with open(self.filename, encoding="utf-8", newline="") as f:
                source = f.read()
        else:
            source = self.string or ""
        gen_by_line: dict[int, list[str]] = {}
        for gen_text, gen_line in zip(page.source.split("\n"), page.line_map):
            gen_by_line.setdefault(gen_line, []).append(gen_text)
        rows = []
        for number, psp_text in enumerate(source.splitlines(), 1):
            python = "\n".join(gen_by_line.get(number, []))
            rows.append(
                f"<tr><td>{number}</td><td><pre>{html.escape(psp_text)}</pre></td>"
                f"<td><pre>{html.escape(python)}</pre></td></tr>"
            )
        title = html.escape(self.filename or "<psp string>")
        self.req.content_type = "text/html; charset=utf-8"
        self.req.write(
            f"<html><head><title>{title}</title></head><body>\n"
            f"<h1>{title}</h1>\n<table border=\"1\" cellpadding=\"2\">\n"
            "<tr><th>line</th><th>PSP</th><th>Python</th></tr>\n"
            + "\n".join(rows) + "\n</table></body></html>\n", 0)


# ---------------------------------------------------------------------------
# the handler
# ---------------------------------------------------------------------------


def _debug(req: mp_request) -> bool:
    return bool(req._settings().debug)


def handler(req: mp_request) -> int:
    """PythonHandler entry: run ``req.filename`` as a PSP page."""
    apache = _apache()
    req.content_type = "text/html"
    filename = req.filename or ""
    if filename.endswith("_") and _debug(req):
        source = filename[:-1]
        if not os.path.isfile(source):
            raise apache.SERVER_RETURN(apache.HTTP_NOT_FOUND)
        PSP(req, source).display_code()
        return int(apache.OK)
    try:
        st = os.stat(filename)
    except (OSError, ValueError):
        st = None
    if st is None or not stat.S_ISREG(st.st_mode):
        raise apache.SERVER_RETURN(apache.HTTP_NOT_FOUND)
    PSP(req, filename, _stat=st).run()
    return int(apache.OK)
