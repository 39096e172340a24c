"""Handler-module import, autoreload policy and ``PythonPath`` handling.

Pure module: it never imports ``_apache`` and can be unit-tested without
httpd.  One :class:`ModuleImporter` and one :class:`PythonPathManager` exist
per interpreter (module globals of this module, which every sub-interpreter
gets its own copy of); ``mod_python.apache`` re-exports :func:`import_module`
and :func:`module_mtime`.

Autoreload (spec 5.5, fixing defect 1 of spec 7): a module loaded through
:func:`import_module` is re-executed when its source file's mtime changes.
The file is looked at no more than once per ``check_interval`` seconds per
module, measured on a monotonic clock.  A reload compiles the *source* (never
a cached ``.pyc``, whose second-granularity stamp can hide quick edits) into a
**fresh module object**, which replaces the old one in ``sys.modules`` only
once it has executed completely.  So a thread that is still running code of the
old module keeps a consistent module, a thread that asks for the module never
gets a half-executed one, and a reload that fails leaves the old module in
place (the error is raised to the caller and the reload is retried on the next
call).  Module globals are therefore *not* carried over a reload.

Same-named handler modules (issue 12): a top-level module name asked for on
behalf of a handler directory (``directory=``), when that directory is on
``sys.path`` and holds ``NAME.py``, is loaded from that file and keyed by its
path (:func:`file_module_name`), as a file-path handler is, unless
``sys.modules[NAME]`` already is that file's module (imported by name, for
example by ``PythonImport``), which is then used.  Three
directories each with its own ``h.py`` and ``PythonHandler h`` thus get
three modules; before, whichever a process loaded first served all three.
Packages (``NAME/__init__.py``) keep their name, since their submodules are
imported through it.  Whether the file is there is looked at again once per
``check_interval``.

Locking (fixing defect 32): (re)imports of one module name are serialised by
a per-name re-entrant lock.  The common case, a module that was loaded and
checked less than ``check_interval`` ago, takes no lock at all: it reads a
record that is only published after a complete load.
"""

from __future__ import annotations

import _thread
import importlib
import importlib.machinery
import importlib.util
import os
import sys
import time
from collections.abc import Callable, Sequence
from types import CodeType, ModuleType

from mod_python._logging import NOTICE

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds at interpreter start
    from typing import Any

__all__ = [
    "ModuleImporter",
    "PythonPathManager",
    "default_importer",
    "default_path_manager",
    "file_module_name",
    "import_module",
    "is_file_path",
    "module_mtime",
]



def _log_import(name: str) -> None:
    """The NOTICE of a (re)import.  ``logging`` is imported here, on first
    use, not when every interpreter starts (it costs milliseconds)."""
    import logging

    logging.getLogger("mod_python.importer").log(
        NOTICE, "(Re)importing module '%s'", name)


def module_mtime(module: ModuleType) -> float:
    """Return the newest mtime of the files ``module`` was loaded from.

    Looks at ``__file__`` and, for a legacy ``.pyc``/``.pyo`` ``__file__``,
    the source file named by dropping its last character.  Returns ``0.0``
    when the module has no file or none of them can be stat'ed.
    """
    filename = getattr(module, "__file__", None)
    if not isinstance(filename, str) or not filename:
        return 0.0
    candidates = [filename]
    if filename.endswith((".pyc", ".pyo")):
        candidates.append(filename[:-1])
    mtime = 0.0
    for candidate in candidates:
        try:
            mtime = max(mtime, os.stat(candidate).st_mtime)
        except OSError:
            continue
    return mtime


def is_file_path(name: str) -> bool:
    """Whether a handler's module part names a file rather than a module."""
    return name.endswith(".py") or "/" in name or (os.sep != "/" and os.sep in name)


def file_module_name(path: str) -> str:
    """Stable synthetic ``sys.modules`` key for a module loaded from ``path``.

    The same absolute path always gives the same name, and different paths
    give different names, so two ``handler.py`` files in different
    directories never collide.
    """
    path = os.path.abspath(path)
    stem = os.path.splitext(os.path.basename(path))[0]
    import re  # only for file-path handlers

    stem = re.sub(r"\W", "_", stem) or "module"
    import hashlib  # only for file-path handlers; OpenSSL is slow to load

    digest = hashlib.sha256(path.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return f"_mp_file_{digest}_{stem}"


class _SourceOnlyLoader(importlib.machinery.SourceFileLoader):
    """A source loader that always compiles the ``.py`` file.

    Cached bytecode is validated by a whole-second mtime and the file size, so
    an edit within the same second that keeps the size would be missed.  A
    reload must see the file as it is now.
    """

    def get_code(self, fullname: str) -> CodeType:
        path = self.get_filename(fullname)
        data = self.get_data(path)
        return compile(data, path, "exec", dont_inherit=True)


def _is_foreign(module: ModuleType, path: Sequence[str] | None) -> bool:
    """Whether ``module`` was loaded from outside every directory in ``path``."""
    if not path:
        return False
    filename = getattr(module, "__file__", None)
    if not isinstance(filename, str):
        return False
    return not any(filename.startswith(entry) for entry in path if entry)


class _Record:
    """What the importer knows about one module it loaded."""

    __slots__ = ("checked", "module", "mtime")

    def __init__(self, module: ModuleType, mtime: float, checked: float) -> None:
        self.module = module
        self.mtime = mtime
        self.checked = checked  # clock() value of the last mtime check


class ModuleImporter:
    """Imports handler modules and reloads them when their source changes."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        check_interval: float = 1.0,
    ) -> None:
        self._clock = clock
        self._interval = check_interval
        self._records: dict[str, _Record] = {}
        self._locks: dict[str, Any] = {}
        self._locks_guard = _thread.allocate_lock()
        # (directory, name) -> ((NAME.py path, its key) or None, clock() of
        # the check)
        self._dir_files: dict[
            tuple[str, str], tuple[tuple[str, str] | None, float]] = {}

    # -- public -------------------------------------------------------------
    def import_module(
        self,
        module_name: str,
        autoreload: bool | int = True,
        log: bool | int = False,
        path: Sequence[str] | None = None,
        directory: str | None = None,
    ) -> ModuleType:
        """Return the module ``module_name``, importing or reloading it as needed.

        ``module_name`` is a dotted module name, or a file path (ending in
        ``.py`` or containing a ``/``) that is loaded under the name given by
        :func:`file_module_name`.  With ``autoreload`` the module is
        re-executed when its source file changed (checked at most once per
        interval).  With ``log`` each (re)import is logged at NOTICE level on
        the ``mod_python.importer`` logger.  ``path`` is a list of
        directories: a cached module whose file lies outside all of them is
        imported again, searching only those directories for a top-level name.
        ``directory`` is the directory of the handler that asks: a top-level
        name found there as a ``.py`` file is loaded from that file, under its
        :func:`file_module_name` (see the module docstring).
        """
        filename: str | None = None
        key = module_name
        if directory is not None and "." not in module_name:
            hit = self._file_in(directory, module_name)
            if hit is not None:
                loaded = sys.modules.get(module_name)
                loaded_file = getattr(loaded, "__file__", None)
                # a module of that name from this very file (a plain import,
                # PythonImport) is used as it is, under its name
                if not (isinstance(loaded_file, str) and (
                        loaded_file == hit[0]
                        or os.path.normpath(loaded_file) == hit[0])):
                    filename, key = hit
        if filename is None and is_file_path(module_name):
            filename = os.path.abspath(module_name)
            key = file_module_name(filename)

        record = self._records.get(key)
        if (
            record is not None
            and sys.modules.get(key) is record.module
            and not (autoreload and self._clock() - record.checked >= self._interval)
            and not _is_foreign(record.module, path)
        ):
            return record.module

        with self._lock_for(key):
            return self._import_locked(key, filename, bool(autoreload), bool(log), path)

    @property
    def check_interval(self) -> float:
        """Seconds between two mtime checks of one module."""
        return self._interval

    def clock(self) -> float:
        """The clock the check times are read from (``time.monotonic``)."""
        return self._clock()

    def next_check(self, module: ModuleType) -> float | None:
        """When ``module``'s source is next checked for changes (on the
        :meth:`clock`), or None when this importer did not load it.

        Until then :meth:`import_module` returns the same module object
        without looking at the file, so a caller may cache what it found in it.
        """
        record = self._records.get(module.__name__)
        if record is None or record.module is not module:
            return None
        return record.checked + self._interval

    def _file_in(self, directory: str, name: str) -> tuple[str, str] | None:
        """``(path, key)`` of ``directory/name.py`` when that file exists and
        ``directory`` is on ``sys.path`` (so a plain import could have found
        it there), else None.  ``key`` is its :func:`file_module_name`.
        What is on disk is cached for ``check_interval``."""
        if is_file_path(name):
            return None
        now = self._clock()
        cached = self._dir_files.get((directory, name))
        if cached is None or now - cached[1] >= self._interval:
            candidate = os.path.normpath(
                os.path.join(os.path.abspath(directory), name + ".py"))
            hit = None
            if os.path.isfile(candidate):
                hit = (candidate, file_module_name(candidate))
            if len(self._dir_files) > 4096:
                self._dir_files.clear()
            cached = self._dir_files[(directory, name)] = (hit, now)
        hit = cached[0]
        if hit is None:
            return None
        if directory not in sys.path:
            stripped = directory.rstrip("/") or "/"
            if stripped not in sys.path and stripped + "/" not in sys.path:
                return None
        return hit

    def forget(self, module_name: str) -> None:
        """Drop what is known about ``module_name`` (the module stays loaded)."""
        self._records.pop(module_name, None)

    # -- internals ----------------------------------------------------------
    def _lock_for(self, key: str) -> Any:
        with self._locks_guard:
            lock = self._locks.get(key)
            if lock is None:
                lock = self._locks[key] = _thread.RLock()
            return lock

    def _import_locked(
        self,
        key: str,
        filename: str | None,
        autoreload: bool,
        log: bool,
        path: Sequence[str] | None,
    ) -> ModuleType:
        now = self._clock()
        current = sys.modules.get(key)
        record = self._records.get(key)

        if current is None:
            module = self._first_import(key, filename, log, path)
            self._publish(key, module, now)
            return module

        if _is_foreign(current, path):
            module = self._fresh_import(key, current, log, path)
            self._publish(key, module, now)
            return module

        if record is None or record.module is not current:
            # Loaded by a plain import (or replaced behind our back): adopt it
            # as it is.  Re-executing arbitrary modules such as ``os`` would
            # do more harm than good.
            self._publish(key, current, now)
            return current

        if not autoreload or now - record.checked < self._interval:
            return current

        mtime = module_mtime(current)
        if mtime == 0.0 or mtime == record.mtime:
            # Unchanged, or the file vanished: keep serving what we have.
            record.checked = now
            return current

        module = self._fresh_import(key, current, log, path)
        self._publish(key, module, now)
        return module

    def _publish(self, key: str, module: ModuleType, now: float) -> None:
        mtime = module_mtime(module)
        # Compatibility attributes of the original import_module.
        try:
            module.__dict__["__mtime__"] = mtime
            module.__dict__["__mtime_check__"] = time.time()
        except (AttributeError, TypeError):
            pass
        self._records[key] = _Record(module=module, mtime=mtime, checked=now)

    def _first_import(
        self,
        key: str,
        filename: str | None,
        log: bool,
        path: Sequence[str] | None,
    ) -> ModuleType:
        if log:
            _log_import(filename or key)
        if filename is not None:
            return self._exec_new(key, filename, None, install_first=True)
        if path is not None and "." not in key:
            spec = importlib.machinery.PathFinder.find_spec(key, list(path))
            if spec is None:
                raise ModuleNotFoundError(f"No module named '{key}' in {list(path)!r}", name=key)
            return self._exec_spec(key, spec, install_first=True)
        try:
            return importlib.import_module(key)
        except ModuleNotFoundError as exc:
            # The path finders cache directory listings; a handler file
            # created a moment ago may not be in them yet.
            if exc.name is None or not (key == exc.name or key.startswith(exc.name + ".")):
                raise
            importlib.invalidate_caches()
            return importlib.import_module(key)

    def _fresh_import(
        self,
        key: str,
        old: ModuleType,
        log: bool,
        path: Sequence[str] | None,
    ) -> ModuleType:
        """Execute ``key`` again into a new module object and install it."""
        if log:
            _log_import(getattr(old, "__file__", None) or key)
        if path and _is_foreign(old, path) and "." not in key:
            spec = importlib.machinery.PathFinder.find_spec(key, list(path))
            if spec is None:
                raise ModuleNotFoundError(f"No module named '{key}' in {list(path)!r}", name=key)
            return self._exec_spec(key, spec, install_first=False)
        filename = getattr(old, "__file__", None)
        if not isinstance(filename, str) or not filename.endswith(".py"):
            # Extension modules, zip imports, ...: nothing better than reload.
            return importlib.reload(old)
        old_spec = getattr(old, "__spec__", None)
        search = getattr(old_spec, "submodule_search_locations", None)
        return self._exec_new(key, filename, search, install_first=False)

    def _exec_new(
        self,
        key: str,
        filename: str,
        search_locations: list[str] | None,
        install_first: bool,
    ) -> ModuleType:
        loader = _SourceOnlyLoader(key, filename)
        spec = importlib.util.spec_from_file_location(
            key, filename, loader=loader, submodule_search_locations=search_locations
        )
        if spec is None:  # pragma: no cover - only for unknown suffixes
            raise ImportError(f"cannot load '{filename}'", name=key, path=filename)
        return self._exec_spec(key, spec, install_first=install_first)

    @staticmethod
    def _exec_spec(
        key: str, spec: importlib.machinery.ModuleSpec, install_first: bool
    ) -> ModuleType:
        """Create a module from ``spec``, execute it and put it in sys.modules.

        ``install_first`` follows the normal import protocol (the module is in
        ``sys.modules`` while it runs, and removed again on failure).  Without
        it the previous module stays visible until the new one is complete.
        """
        if spec.loader is None:
            raise ImportError(f"no loader for '{key}'", name=key)
        if isinstance(spec.loader, importlib.machinery.SourceFileLoader) and not isinstance(
            spec.loader, _SourceOnlyLoader
        ):
            spec.loader = _SourceOnlyLoader(key, spec.loader.path)
        module = importlib.util.module_from_spec(spec)
        previous = sys.modules.get(key)
        if install_first:
            sys.modules[key] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            if install_first:
                if previous is None:
                    sys.modules.pop(key, None)
                else:
                    sys.modules[key] = previous
            raise
        sys.modules[key] = module
        parent_name, _, child = key.rpartition(".")
        parent = sys.modules.get(parent_name) if parent_name else None
        if parent is not None:
            setattr(parent, child, module)
        return module


class PythonPathManager:
    """Applies ``PythonPath`` and handler directories to ``sys.path``.

    A ``PythonPath`` expression comes from ``httpd.conf`` or, where
    ``AllowOverride`` lets it and ``PythonHtaccess Off`` does not refuse it,
    from an ``.htaccess`` file: it is Python code with the power of a
    handler, not a sandbox.  It is evaluated once per distinct string (per
    interpreter), in a namespace whose only name is ``sys`` (builtins stay
    reachable, as in any ``eval``), and must produce a list, which replaces the contents of
    ``sys.path``.  Later changes made to ``sys.path`` by code are not undone.
    """

    def __init__(self) -> None:
        self._seen: set[str] = set()
        self._lock = _thread.allocate_lock()

    def apply_python_path(self, expression: str) -> bool:
        """Evaluate ``expression`` unless seen before; return whether it ran.

        Raises whatever the evaluation raises, or :class:`TypeError` when the
        result is not a list of strings; the expression is then retried the
        next time.
        """
        if expression in self._seen:
            return False
        with self._lock:
            if expression in self._seen:
                return False
            code = compile(expression, "<PythonPath>", "eval", dont_inherit=True)
            value = eval(code, {"sys": sys})
            if not isinstance(value, list):
                raise TypeError(
                    f"PythonPath {expression!r} must evaluate to a list, not {type(value).__name__}"
                )
            if not all(isinstance(entry, str) for entry in value):
                raise TypeError(f"PythonPath {expression!r} must evaluate to a list of str")
            sys.path[:] = value
            self._seen.add(expression)
            return True

    def add_directory(self, directory: str) -> bool:
        """Put ``directory`` first in ``sys.path`` if absent; return whether added."""
        if directory in sys.path:
            return False
        with self._lock:
            if directory in sys.path:
                return False
            sys.path.insert(0, directory)
            return True


#: The importer and path manager of this interpreter.
default_importer = ModuleImporter()
default_path_manager = PythonPathManager()


def import_module(
    module_name: str,
    autoreload: bool | int = True,
    log: bool | int = False,
    path: Sequence[str] | None = None,
    directory: str | None = None,
) -> ModuleType:
    """Import ``module_name`` through this interpreter's :class:`ModuleImporter`."""
    return default_importer.import_module(module_name, autoreload, log, path, directory)
