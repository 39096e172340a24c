"""mod_python.cache: small thread-safe caches with optional LRU eviction.

:class:`Cache` implements the protocol; subclasses say how to name an
entry (:meth:`Cache.key`), how to tell whether it is stale
(:meth:`Cache.check`, which returns ``None`` when the cached value is still
good, otherwise an opened resource) and how to build the value from that
resource (:meth:`Cache.build`).

* :class:`FileCache` - file contents, reloaded when the mtime changes;
* :class:`ModuleCache` - a Python file executed into a fresh module object
  (not registered in ``sys.modules``), reloaded when it changes;
* :class:`HTTPCache` / :class:`HttpModuleCache` - URLs fetched with
  :mod:`urllib.request`, honouring ``Cache-Control: max-age``, ``Expires``
  and revalidating with ``ETag`` / ``Last-Modified``;
* :class:`FunctionCache` - memoises a function by its arguments;
* :class:`WeakCache` - values held by weak reference.
"""

from __future__ import annotations

import email.utils
import os
import re
import threading
import time
import types
import urllib.error
import urllib.request
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

__all__ = [
    "NOT_INITIALIZED",
    "Cache",
    "Entry",
    "FileCache",
    "FunctionCache",
    "HTTPCache",
    "HttpModuleCache",
    "ModuleCache",
    "WeakCache",
]


class _NotInitialized:
    def __repr__(self) -> str:
        return "NOT_INITIALIZED"


NOT_INITIALIZED: Any = _NotInitialized()


class Entry:
    """One cache slot: its value, a lock that serialises (re)building, and
    whatever the subclass wants to remember (mtime, ETag...)."""

    def __init__(self, key: Hashable) -> None:
        self.key = key
        self._value: Any = NOT_INITIALIZED
        self._lock = threading.RLock()
        self.timestamp: Any = None
        self.extra: dict[str, Any] = {}

    def get_value(self) -> Any:
        return self._value

    def set_value(self, value: Any) -> None:
        self._value = value

    def _get_lock(self) -> threading.RLock:
        return self._lock


class Cache:
    """A thread-safe cache: one global lock for the table and one lock per
    entry, so two threads never build the same entry at once.  With
    ``max_size > 0`` the least recently used entries are evicted."""

    entry_class: type[Entry] = Entry

    def __init__(self, max_size: int = 0) -> None:
        self._max_size = max_size
        self._dict: OrderedDict[Hashable, Entry] = OrderedDict()
        self._lock = threading.RLock()

    # -- protocol for subclasses ---------------------------------------------

    def key(self, name: Any) -> Hashable:
        """The cache key for *name* (default: *name* itself)."""
        return name  # type: ignore[no-any-return]

    def check(self, key: Hashable, name: Any, entry: Entry) -> Any:
        """None if *entry* is fresh, else a resource passed to build()."""
        return name if entry.get_value() is NOT_INITIALIZED else None

    def build(self, key: Hashable, name: Any, opened: Any, entry: Entry) -> Any:
        """Build the value for *name* from what check() returned."""
        raise NotImplementedError

    def commit(self) -> None:
        """Called after every lookup (hook for persistent caches)."""

    # -- mapping interface ----------------------------------------------------

    def __getitem__(self, name: Any) -> Any:
        key = self.key(name)
        with self._lock:
            entry = self._dict.get(key)
            if entry is None:
                entry = self.entry_class(key)
                self._dict[key] = entry
                self._evict()
            self._dict.move_to_end(key)
        with entry._get_lock():
            try:
                opened = self.check(key, name, entry)
                if opened is not None:
                    entry.set_value(self.build(key, name, opened, entry))
            except BaseException:
                if entry.get_value() is NOT_INITIALIZED:
                    with self._lock:
                        if self._dict.get(key) is entry:
                            del self._dict[key]
                raise
            value = entry.get_value()
        self.commit()
        return value

    def __setitem__(self, name: Any, value: Any) -> None:
        key = self.key(name)
        with self._lock:
            entry = self._dict.get(key)
            if entry is None:
                entry = self.entry_class(key)
                self._dict[key] = entry
            self._dict.move_to_end(key)
            entry.set_value(value)
            self._evict()

    def __delitem__(self, name: Any) -> None:
        with self._lock:
            del self._dict[self.key(name)]

    def __contains__(self, name: Any) -> bool:
        with self._lock:
            return self.key(name) in self._dict

    def __len__(self) -> int:
        return len(self._dict)

    def clear(self) -> None:
        with self._lock:
            self._dict.clear()

    def mru(self) -> Hashable | None:
        """The most recently used key, or None."""
        with self._lock:
            return next(reversed(self._dict), None)

    def lru(self) -> Hashable | None:
        """The least recently used key, or None."""
        with self._lock:
            return next(iter(self._dict), None)

    def get_max_size(self) -> int:
        return self._max_size

    def set_max_size(self, max_size: int) -> None:
        with self._lock:
            self._max_size = max_size
            self._evict()

    def _evict(self) -> None:
        while self._max_size > 0 and len(self._dict) > self._max_size:
            self._dict.popitem(last=False)


class _WeakEntry(Entry):
    def get_value(self) -> Any:
        ref = self._value
        if ref is NOT_INITIALIZED:
            return ref
        value = ref()
        return NOT_INITIALIZED if value is None else value

    def set_value(self, value: Any) -> None:
        self._value = weakref.ref(value)


class WeakCache(Cache):
    """A cache whose values are held by weak reference (they vanish when
    nothing else uses them); values must support weak references."""

    entry_class = _WeakEntry


class FileCache(Cache):
    """File contents by path, re-read when the file's mtime changes."""

    def __init__(self, max_size: int = 0, mode: str = "rb") -> None:
        super().__init__(max_size)
        self.mode = mode

    def key(self, name: Any) -> Hashable:
        return os.path.abspath(str(name))

    def check(self, key: Hashable, name: Any, entry: Entry) -> Any:
        mtime = os.stat(str(key)).st_mtime
        if entry.get_value() is not NOT_INITIALIZED and entry.timestamp == mtime:
            return None
        entry.timestamp = mtime
        return open(str(key), self.mode)

    def build(self, key: Hashable, name: Any, opened: Any, entry: Entry) -> Any:
        with opened:
            return opened.read()


class ModuleCache(FileCache):
    """A Python source file executed into a new module object (not put in
    ``sys.modules``); re-executed when the file changes."""

    def __init__(self, max_size: int = 0) -> None:
        super().__init__(max_size, "rb")

    def build(self, key: Hashable, name: Any, opened: Any, entry: Entry) -> Any:
        with opened:
            source = opened.read()
        path = str(key)
        modname = re.sub(r"\W", "_", os.path.splitext(os.path.basename(path))[0])
        module = types.ModuleType(modname)
        module.__file__ = path
        code = compile(source, path, "exec")
        exec(code, module.__dict__)  # noqa: S102 - server-side source file
        return module


def _parse_http_date(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError):
        return None


class HTTPCache(Cache):
    """Documents fetched by URL with :mod:`urllib.request`.

    A cached copy is used while it is fresh (``Cache-Control: max-age`` or
    ``Expires``); after that it is revalidated with ``If-None-Match`` /
    ``If-Modified-Since`` and kept on ``304 Not Modified``.
    """

    timeout: float = 30.0

    def check(self, key: Hashable, name: Any, entry: Entry) -> Any:
        now = time.time()
        extra = entry.extra
        if (entry.get_value() is not NOT_INITIALIZED
                and extra.get("expires") is not None
                and now < extra["expires"]):
            return None
        request = urllib.request.Request(str(name))
        if entry.get_value() is not NOT_INITIALIZED:
            if extra.get("etag"):
                request.add_header("If-None-Match", extra["etag"])
            if extra.get("last_modified"):
                request.add_header("If-Modified-Since", extra["last_modified"])
        try:
            response = urllib.request.urlopen(request, timeout=self.timeout)
        except urllib.error.HTTPError as exc:
            if exc.code == 304 and entry.get_value() is not NOT_INITIALIZED:
                self._remember(entry, exc.headers, now)
                return None
            raise
        self._remember(entry, response.headers, now)
        return response

    def _remember(self, entry: Entry, headers: Any, now: float) -> None:
        extra = entry.extra
        extra["etag"] = headers.get("ETag") or extra.get("etag")
        extra["last_modified"] = (headers.get("Last-Modified")
                                  or extra.get("last_modified"))
        expires = None
        m = re.search(r"max-age\s*=\s*(\d+)", headers.get("Cache-Control") or "")
        if m:
            expires = now + int(m.group(1))
        else:
            expires = _parse_http_date(headers.get("Expires"))
        extra["expires"] = expires

    def build(self, key: Hashable, name: Any, opened: Any, entry: Entry) -> Any:
        with opened:
            return self.build_content(key, name, opened.read(), entry)

    def build_content(self, key: Hashable, name: Any, content: bytes,
                      entry: Entry) -> Any:
        """Turn the fetched bytes into the cached value (default: bytes)."""
        return content


class HttpModuleCache(HTTPCache):
    """Python modules fetched by URL (the code runs in this server: only use
    URLs you control)."""

    def build_content(self, key: Hashable, name: Any, content: bytes,
                      entry: Entry) -> Any:
        module = types.ModuleType(re.sub(r"\W", "_", str(name)))
        module.__file__ = str(name)
        exec(compile(content, str(name), "exec"), module.__dict__)  # noqa: S102
        return module


class FunctionCache(Cache):
    """Memoises ``function(*args)``: ``FunctionCache(f)[args_tuple]``, or
    call the cache object itself."""

    def __init__(self, function: Callable[..., Any], max_size: int = 0) -> None:
        super().__init__(max_size)
        self.function = function

    def build(self, key: Hashable, name: Any, opened: Any, entry: Entry) -> Any:
        args = name if isinstance(name, tuple) else (name,)
        return self.function(*args)

    def __call__(self, *args: Any) -> Any:
        return self[args]
