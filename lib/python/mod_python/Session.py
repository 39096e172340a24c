# ruff: noqa: N999 - the 3.5 module name
"""mod_python.Session: server-side sessions keyed by a cookie.

``Session(req)`` returns a session for the request: a ``dict`` whose
content survives between requests once :meth:`BaseSession.save` is called.
The id travels in a cookie (``pysid`` unless configured); it is made by
:func:`secrets.token_hex` and must be exactly 32 lower-case hex digits, so
no client-supplied id ever reaches a file name or a dbm key unchecked.

Backends:

* :class:`FileSession` (the default) - one pickle per session under
  ``<dir>/mp_sess/<sid[:2]>/<sid>``; works across processes and threads.
* :class:`DbmSession` - one dbm file for all sessions, guarded by the
  cross-process mutex with index 0.
* :class:`MemorySession` - a dict in the process; fast, but each Apache
  child process has its own sessions.
* :class:`SocacheSession` - an Apache socache provider (shmcb, memcache,
  redis) declared with ``PythonSessionCache``; records carry an HMAC.

Concurrent requests on one session are serialised by the cross-process
mutex ``_apache._global_lock(req.server, sid)``, held from construction
until the end of the request (or :meth:`BaseSession.unlock`).

Pickle is used for File/Dbm storage only: these files are written by the
server alone and read back from a path derived from a validated id; client
data is never unpickled.

The id helpers (:func:`new_sid`, :func:`valid_sid`, :func:`session_path`)
import and work without ``_apache``.
"""

from __future__ import annotations

import contextlib
import dbm
import functools
import hashlib
import hmac
import importlib
import logging
import os
import pickle
import random
import re
import secrets
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any, ClassVar

from mod_python import Cookie

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

    from _apache import mp_request, table

__all__ = [
    "CLEANUP_CHANCE",
    "COOKIE_NAME",
    "DFT_TIMEOUT",
    "BaseSession",
    "DbmSession",
    "FileSession",
    "MemorySession",
    "Session",
    "SocacheSession",
    "new_sid",
    "session_path",
    "true_or_false",
    "valid_sid",
]

COOKIE_NAME = "pysid"
DFT_TIMEOUT = 30 * 60
CLEANUP_CHANCE = 1000  # cleanup runs on one request in this many

DFT_FAST_CLEANUP = True
DFT_VERIFY_CLEANUP = True
DFT_GRACE_PERIOD = 240
DFT_CLEANUP_TIME_LIMIT = 2

_log = logging.getLogger("mod_python.Session")
_SID_RE = re.compile(r"[0-9a-f]{32}")


# ---------------------------------------------------------------------------
# Pure helpers (no _apache)
# ---------------------------------------------------------------------------


def new_sid() -> str:
    """A new random session id: 32 lower-case hex digits (128 bits)."""
    return secrets.token_hex(16)


def valid_sid(sid: object) -> bool:
    """True only for exactly 32 lower-case hex digits."""
    return isinstance(sid, str) and _SID_RE.fullmatch(sid) is not None


def session_path(directory: str, sid: str) -> str:
    """The file of session *sid* under *directory*:
    ``<directory>/<sid[:2]>/<sid>``.  ValueError for an invalid id, so the
    result always stays inside *directory*."""
    if not valid_sid(sid):
        raise ValueError("invalid session id")
    return os.path.join(directory, sid[:2], sid)


def true_or_false(item: object) -> bool:
    """Parse an option: yes/true/on/1 or no/false/off/0/None."""
    if item is None:
        return False
    if isinstance(item, bool):
        return item
    text = str(item).strip().lower()
    if text in ("yes", "true", "on", "1"):
        return True
    if text in ("no", "false", "off", "0", "none", ""):
        return False
    raise ValueError(f"expected a boolean option, got {item!r}")


def _option(options: table | Mapping[str, Any], *names: str, default: Any = None) -> Any:
    """The first of *names* present in the PythonOption table."""
    for name in names:
        value = options.get(name)
        if value is not None:
            return str(value)
    return default


# ---------------------------------------------------------------------------
# BaseSession
# ---------------------------------------------------------------------------


@functools.cache
def _apache_module() -> Any:
    """The C module, imported on first use (only inside httpd)."""
    return importlib.import_module("_apache")


def _unlock_cleanup(session: BaseSession) -> None:
    session.unlock()


class BaseSession(dict[str, Any]):
    """The common session logic; subclasses implement ``do_load``,
    ``do_save``, ``do_delete`` and ``do_cleanup``.

    ``BaseSession(req, sid=None, secret=None, lock=1, timeout=0)`` (the
    positional order of the 3.5 code).  With *secret* the cookie is a
    :class:`~mod_python.Cookie.SignedCookie`; a cookie that fails the
    signature check or holds an invalid id is ignored and a new session
    starts.  An invalid explicit *sid* raises ValueError.
    """

    def __init__(self, req: mp_request, sid: str | None = None,
                 secret: str | bytes | None = None, lock: int | bool = 1,
                 timeout: float = 0) -> None:
        super().__init__()
        self._req = req
        self._server = req.server
        self._secret = secret
        self._lock = bool(lock)
        self._locked = False
        self._new = True
        self._invalid = False
        self._created = 0.0
        self._accessed = 0.0
        self._timeout = float(timeout or DFT_TIMEOUT)
        # A subclass that already read the options leaves them here.
        if getattr(self, "_options", None) is None:
            self._options = req.get_options()
        self._cookie_name = _option(
            self._options, "mod_python.session.cookie_name",
            "session_cookie_name", default=COOKIE_NAME)

        if sid:
            if not valid_sid(sid):
                raise ValueError("invalid session id")
            self._sid: str = sid
        else:
            self._sid = self._sid_from_cookie() or ""

        self.init_lock()
        if self._sid:
            self.lock()
            if self.load():
                self._new = False
        if self._new:
            if self._sid:
                self.unlock()
            self._sid = new_sid()
            self.lock()
            self.make_cookie()
            self._created = time.time()
            if timeout:
                self._timeout = float(timeout)
        self._accessed = time.time()
        if random.random() * CLEANUP_CHANCE < 1:    # one in CLEANUP_CHANCE
            self.cleanup()

    # -- id and cookie ------------------------------------------------------

    def _sid_from_cookie(self) -> str | None:
        try:
            if self._secret:
                cookie = Cookie.get_cookie(
                    self._req, self._cookie_name, Cookie.SignedCookie,
                    secret=self._secret, mismatch=Cookie.IGNORE)
            else:
                cookie = Cookie.get_cookie(self._req, self._cookie_name)
        except Cookie.CookieError:
            return None
        if cookie is None:
            return None
        value = cookie.value
        return value if valid_sid(value) else None

    def _cookie_path(self) -> str:
        path = _option(self._options, "mod_python.session.application_path",
                       "ApplicationPath")
        if path:
            return str(path)
        req = self._req
        uri = str(req.uri or "/")
        try:
            directory = req.hlist.directory if req.hlist is not None else None
            docroot = req.document_root()
        except (AttributeError, RuntimeError):
            return "/"
        if not directory or not docroot:
            return "/"
        docroot = str(docroot).rstrip("/")
        directory = str(directory)
        if not directory.startswith(docroot):
            return "/"
        path = directory[len(docroot):]
        if not path.startswith("/"):
            path = "/" + path
        return path if uri.startswith(path) else "/"

    def make_cookie(self) -> Cookie.Cookie:
        """Build the session cookie and add it to the response."""
        cookie: Cookie.Cookie
        if self._secret:
            cookie = Cookie.SignedCookie(self._cookie_name, self._sid,
                                         self._secret)
        else:
            cookie = Cookie.Cookie(self._cookie_name, self._sid)
        cookie.path = self._cookie_path()
        domain = _option(self._options,
                         "mod_python.session.application_domain")
        if domain:
            cookie.domain = domain
        self._cookie_flags(cookie)
        Cookie.add_cookie(self._req, cookie)
        return cookie

    def _cookie_flags(self, cookie: Cookie.Cookie) -> None:
        """HttpOnly always; SameSite and Secure from the options
        ``mod_python.session.cookie_samesite`` (``Lax`` by default,
        ``Strict``, ``None`` or ``off``) and
        ``mod_python.session.cookie_secure`` (``auto`` by default: on a
        HTTPS request only; ``on``, ``off``).  ``SameSite=None`` implies
        ``Secure``, as browsers require."""
        cookie.httponly = True
        samesite = _option(self._options, "mod_python.session.cookie_samesite",
                           default="Lax").strip()
        key = samesite.lower()
        if key in ("lax", "strict", "none"):
            cookie.samesite = key.capitalize()
        elif key not in ("off", ""):
            raise ValueError(
                "PythonOption mod_python.session.cookie_samesite must be "
                f"Lax, Strict, None or off, not {samesite!r}")
        secure = _option(self._options, "mod_python.session.cookie_secure",
                         default="auto").strip().lower()
        if secure == "auto":
            on = False
            with contextlib.suppress(AttributeError):
                on = bool(self._req.is_https())
        else:
            try:
                on = true_or_false(secure)
            except ValueError:
                raise ValueError(
                    "PythonOption mod_python.session.cookie_secure must be "
                    f"auto, on or off, not {secure!r}") from None
        if on or key == "none":
            cookie.secure = True

    # -- accessors ----------------------------------------------------------

    def id(self) -> str:
        return self._sid

    def is_new(self) -> bool:
        return self._new

    def created(self) -> float:
        return self._created

    def last_accessed(self) -> float:
        return self._accessed

    def timeout(self) -> float:
        return self._timeout

    def set_timeout(self, secs: float) -> None:
        self._timeout = float(secs)

    # -- storage ------------------------------------------------------------

    def load(self) -> bool:
        """Load the stored session; False if missing or expired."""
        record = self.do_load()
        if record is None:
            return False
        try:
            accessed = float(record["_accessed"])
            timeout = float(record["_timeout"])
            data = record["_data"]
            created = float(record["_created"])
        except (KeyError, TypeError, ValueError):
            return False
        if time.time() - accessed > timeout:
            self.do_delete()  # expired
            return False
        self._created, self._accessed, self._timeout = created, accessed, timeout
        self.update(data)
        return True

    def save(self) -> None:
        """Store the session (nothing after :meth:`invalidate`)."""
        if self._invalid:
            return
        self.do_save({
            "_data": dict(self),
            "_created": self._created,
            "_accessed": self._accessed,
            "_timeout": self._timeout,
        })

    def delete(self) -> None:
        """Remove the session from storage and empty it."""
        self.do_delete()
        self.clear()

    def invalidate(self) -> None:
        """Expire the cookie, delete the session and stop later saves."""
        cookie = Cookie.Cookie(self._cookie_name, "", path=self._cookie_path(),
                               max_age=0, expires=0)
        domain = _option(self._options,
                         "mod_python.session.application_domain")
        if domain:
            cookie.domain = domain
        self._cookie_flags(cookie)
        Cookie.add_cookie(self._req, cookie)
        self.delete()
        self._invalid = True

    def do_load(self) -> dict[str, Any] | None:
        raise NotImplementedError

    def do_save(self, record: dict[str, Any]) -> None:
        raise NotImplementedError

    def do_delete(self) -> None:
        raise NotImplementedError

    def make_cleanup(self) -> Callable[[], None]:
        """A callable (not bound to the request) that purges expired
        sessions of this store."""
        raise NotImplementedError

    def do_cleanup(self) -> None:
        """Purge expired sessions now."""
        self.make_cleanup()()

    def cleanup(self) -> None:
        """Purge expired sessions after the request has been answered."""
        purge = self.make_cleanup()

        def run(_data: Any = None) -> None:
            self.unlock()
            try:
                purge()
            except Exception:  # noqa: BLE001  # a failed purge must not break requests
                _log.exception("session cleanup failed")

        self._req.register_cleanup(run)

    # -- locking ------------------------------------------------------------

    def init_lock(self) -> None:
        """Hook for subclasses that need a lock set up before loading."""

    def lock(self) -> None:
        """Take the cross-process lock of this session id until the end of
        the request (or :meth:`unlock`); nothing when ``lock=0``."""
        if not self._lock or self._locked:
            return
        _apache = _apache_module()
        _apache._global_lock(self._server, self._sid)
        self._locked = True
        self._req.register_cleanup(_unlock_cleanup, self)

    def unlock(self) -> None:
        if not self._locked:
            return
        _apache = _apache_module()
        self._locked = False
        _apache._global_unlock(self._server, self._sid)

    @contextlib.contextmanager
    def _file_op_lock(self) -> Iterator[None]:
        """Without per-session locking, still lock around one store access."""
        if self._lock:
            yield
            return
        _apache = _apache_module()
        _apache._global_lock(self._server, self._sid)
        try:
            yield
        finally:
            _apache._global_unlock(self._server, self._sid)

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.unlock()


# ---------------------------------------------------------------------------
# MemorySession
# ---------------------------------------------------------------------------


class MemorySession(BaseSession):
    """Sessions in a dict of this process (lost on restart, not shared
    between Apache child processes)."""

    _store: ClassVar[dict[str, dict[str, Any]]] = {}
    _store_lock = threading.Lock()

    def __init__(self, req: mp_request, sid: str | None = None,
                 secret: str | bytes | None = None, timeout: float = 0,
                 lock: int | bool = 1) -> None:
        super().__init__(req, sid=sid, secret=secret, lock=lock,
                         timeout=timeout)

    def do_load(self) -> dict[str, Any] | None:
        with self._store_lock:
            record = self._store.get(self._sid)
            if record is None:
                return None
            return {**record, "_data": dict(record["_data"])}

    def do_save(self, record: dict[str, Any]) -> None:
        with self._store_lock:
            self._store[self._sid] = record

    def do_delete(self) -> None:
        with self._store_lock:
            self._store.pop(self._sid, None)

    def make_cleanup(self) -> Callable[[], None]:
        store, store_lock = self._store, self._store_lock

        def purge() -> None:
            now = time.time()
            with store_lock:
                for sid in [s for s, r in store.items()
                            if now - r["_accessed"] > r["_timeout"]]:
                    del store[sid]

        return purge


# ---------------------------------------------------------------------------
# DbmSession
# ---------------------------------------------------------------------------


class DbmSession(BaseSession):
    """All sessions in one dbm file (``mp_sess.dbm`` by default); every
    access holds the cross-process mutex with index 0."""

    def __init__(self, req: mp_request, dbm: str | None = None,
                 sid: str | None = None, secret: str | bytes | None = None,
                 dbmtype: ModuleType | None = None,
                 timeout: float = 0, lock: int | bool = 1) -> None:
        options = req.get_options()
        if not dbm:
            dbm = _option(options, "mod_python.dbm_session.database_filename",
                          "session_dbm")
        if not dbm:
            directory = _option(
                options, "mod_python.dbm_session.database_directory",
                "mod_python.session.database_directory", "session_directory",
                default=tempfile.gettempdir())
            dbm = os.path.join(str(directory), "mp_sess.dbm")
        self._dbmfile = str(dbm)
        self._dbmtype = dbmtype
        super().__init__(req, sid=sid, secret=secret, lock=lock,
                         timeout=timeout)

    @contextlib.contextmanager
    def _open(self, flag: str = "c") -> Iterator[Any]:
        _apache = _apache_module()
        server = self._server
        _apache._global_lock(server, None, 0)
        try:
            opener = self._dbmtype.open if self._dbmtype is not None else dbm.open
            db = opener(self._dbmfile, flag, 0o640)  # type: ignore[arg-type]
            try:
                yield db
            finally:
                db.close()
        finally:
            _apache._global_unlock(server, None, 0)

    def do_load(self) -> dict[str, Any] | None:
        with self._open() as db:
            raw = db.get(self._sid.encode("ascii"))
        if raw is None:
            return None
        try:
            record: dict[str, Any] = pickle.loads(raw)
        except Exception:  # noqa: BLE001  # a damaged record starts a new session
            _log.warning("damaged session record %s in %s", self._sid,
                         self._dbmfile)
            return None
        return record

    def do_save(self, record: dict[str, Any]) -> None:
        with self._open() as db:
            db[self._sid.encode("ascii")] = pickle.dumps(record, 4)

    def do_delete(self) -> None:
        with self._open() as db, contextlib.suppress(KeyError):
            del db[self._sid.encode("ascii")]

    def make_cleanup(self) -> Callable[[], None]:
        open_db = self._open

        def purge() -> None:
            now = time.time()
            with open_db() as db:
                for key in list(db.keys()):
                    try:
                        rec = pickle.loads(db[key])
                        expired = now - rec["_accessed"] > rec["_timeout"]
                    except Exception:  # noqa: BLE001
                        expired = True  # damaged: remove
                    if expired:
                        del db[key]

        return purge


# ---------------------------------------------------------------------------
# FileSession
# ---------------------------------------------------------------------------


class FileSession(BaseSession):
    """One pickle file per session in ``<directory>/mp_sess/<sid[:2]>/``."""

    def __init__(self, req: mp_request, sid: str | None = None,
                 secret: str | bytes | None = None, timeout: float = 0,
                 lock: int | bool = 1, fast_cleanup: int | bool = -1,
                 verify_cleanup: int | bool = -1) -> None:
        options = self._options = req.get_options()
        base = _option(options, "mod_python.file_session.database_directory",
                       "mod_python.session.database_directory",
                       "session_directory", default=tempfile.gettempdir())
        self._sessdir = os.path.join(str(base), "mp_sess")
        if fast_cleanup == -1:
            fast_cleanup = true_or_false(_option(
                options, "mod_python.file_session.enable_fast_cleanup",
                "session_fast_cleanup", default=DFT_FAST_CLEANUP))
        if verify_cleanup == -1:
            verify_cleanup = true_or_false(_option(
                options, "mod_python.file_session.verify_session_timeout",
                "session_verify_cleanup", default=DFT_VERIFY_CLEANUP))
        self._fast_cleanup = bool(fast_cleanup)
        self._verify_cleanup = bool(verify_cleanup)
        super().__init__(req, sid=sid, secret=secret, lock=lock,
                         timeout=timeout)

    def _path(self) -> str:
        return session_path(self._sessdir, self._sid)

    def do_load(self) -> dict[str, Any] | None:
        path = self._path()
        if self._lock:  # the session lock is held already
            raw = _read_session_file(path)
        else:
            with self._file_op_lock():
                raw = _read_session_file(path)
        if raw is None:
            return None
        try:
            record: dict[str, Any] = pickle.loads(raw)
        except Exception:  # noqa: BLE001  # damaged file: start a new session
            _log.warning("damaged session file %s", path)
            return None
        return record

    def do_save(self, record: dict[str, Any]) -> None:
        data = pickle.dumps(record, 4)
        path = self._path()
        if self._lock:
            _write_session_file(path, data)
        else:
            with self._file_op_lock():
                _write_session_file(path, data)

    def do_delete(self) -> None:
        with self._file_op_lock(), contextlib.suppress(FileNotFoundError):
            os.unlink(self._path())

    @property
    def _grace_period(self) -> int:
        return int(_option(
            self._options, "mod_python.file_session.cleanup_grace_period",
            "session_grace_period", default=DFT_GRACE_PERIOD))

    @property
    def _cleanup_time_limit(self) -> int:
        return int(_option(
            self._options, "mod_python.file_session.cleanup_time_limit",
            "session_cleanup_time_limit", default=DFT_CLEANUP_TIME_LIMIT))

    def make_cleanup(self) -> Callable[[], None]:
        return _FileCleanup(self._sessdir, self._timeout, self._fast_cleanup,
                            self._verify_cleanup, self._grace_period,
                            self._cleanup_time_limit)


# Session files are opened without following a symbolic link.
_O_READ = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
_O_WRITE = (os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
            | getattr(os, "O_CLOEXEC", 0))


def _read_session_file(path: str) -> bytes | None:
    """The content of a session file (None if there is none), marking it
    as used (mtime = now) for the cleanup.  Called with the session's lock
    held."""
    try:
        fd = os.open(path, _O_READ)
    except FileNotFoundError:
        return None
    except OSError as exc:
        _log.warning("cannot open session file %s: %s", path, exc)
        return None
    try:
        size = os.fstat(fd).st_size
        data = os.read(fd, size + 1)
        if len(data) > size:    # it grew: read the rest
            chunks = [data]
            while chunk := os.read(fd, 65536):
                chunks.append(chunk)
            data = b"".join(chunks)
        with contextlib.suppress(OSError):
            os.utime(fd)
        return data
    except OSError as exc:
        _log.warning("cannot read session file %s: %s", path, exc)
        return None
    finally:
        os.close(fd)


def _write_session_file(path: str, data: bytes) -> None:
    """Write *data* (a pickle) over the session file, creating it (and its
    directory) if needed.  Called with the session's lock held, so no
    reader sees it half-written.

    The file is overwritten in place and then cut to the new length,
    rather than replaced by a renamed temporary file or truncated first:
    on ext4 both of those make the kernel flush the data at once
    (``auto_da_alloc``), which cost ~130 us per request, against ~9 us for
    this.  A crash in the middle leaves a file that does not unpickle,
    which is read as a missing session (mod_python 3.5 truncated and
    rewrote the file, with the same outcome); while the old content is
    longer, a stale tail after the new pickle's STOP opcode is ignored
    by :func:`pickle.loads`.
    """
    try:
        fd = os.open(path, _O_WRITE, 0o640)
    except FileNotFoundError:
        os.makedirs(os.path.dirname(path), mode=0o750, exist_ok=True)
        fd = os.open(path, _O_WRITE, 0o640)
    try:
        n = os.write(fd, data)
        if n < len(data):
            view = memoryview(data)
            while n < len(data):
                n += os.write(fd, view[n:])
        os.ftruncate(fd, len(data))
    finally:
        os.close(fd)


class _FileCleanup:
    """Incremental purge of expired session files.

    One run at a time (lock file ``.mp_sess.lck``, removed when older than
    an hour); each run handles subdirectories from where the last one
    stopped (``fs_status.txt``) until *time_limit* seconds have passed.
    Fast mode only looks at files whose mtime is older than timeout + grace;
    verify mode reads each candidate (binary) and uses its own timeout.
    """

    STATUS = "fs_status.txt"
    LOCK = ".mp_sess.lck"

    def __init__(self, sessdir: str, timeout: float, fast: bool, verify: bool,
                 grace: int, time_limit: int) -> None:
        self.sessdir = sessdir
        self.timeout = timeout
        self.fast = fast
        self.verify = verify
        self.grace = grace
        self.time_limit = time_limit

    def __call__(self) -> None:
        if not os.path.isdir(self.sessdir):
            return
        lockfile = os.path.join(self.sessdir, self.LOCK)
        with contextlib.suppress(OSError):
            if time.time() - os.stat(lockfile).st_mtime > 3600:
                os.unlink(lockfile)
        try:
            fd = os.open(lockfile, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o640)
        except FileExistsError:
            return  # another cleanup is running
        os.close(fd)
        try:
            self._run()
        finally:
            with contextlib.suppress(OSError):
                os.unlink(lockfile)

    def _run(self) -> None:
        start = time.time()
        status = os.path.join(self.sessdir, self.STATUS)
        index = 0
        with contextlib.suppress(OSError, ValueError, IndexError), \
                open(status, encoding="ascii") as f:
            index = int(f.read().split()[1]) % 256
        expired = total = 0
        done = 0
        while done < 256:
            sub = os.path.join(self.sessdir, f"{index:02x}")
            e, t = self._purge_dir(sub)
            expired += e
            total += t
            index = (index + 1) % 256
            done += 1
            if self.time_limit and time.time() - start > self.time_limit:
                break
        with contextlib.suppress(OSError), \
                open(status, "w", encoding="ascii") as f:
            f.write(f"MPFS_3.2 {index} {expired} {total} "
                    f"{time.time() - start:.3f}\n")

    def _purge_dir(self, sub: str) -> tuple[int, int]:
        try:
            names = os.listdir(sub)
        except OSError:
            return 0, 0
        now = time.time()
        expired = 0
        for name in names:
            if not valid_sid(name):
                continue
            path = os.path.join(sub, name)
            try:
                mtime = os.stat(path).st_mtime
            except OSError:
                continue
            if self.fast and now - mtime < self.timeout + self.grace:
                continue
            if self.verify:
                try:
                    with open(path, "rb") as f:
                        rec = pickle.load(f)
                    if now - rec["_accessed"] < rec["_timeout"] + self.grace:
                        continue
                except FileNotFoundError:
                    continue
                except Exception:  # noqa: BLE001
                    # Files are rewritten in place (see _write_session_file):
                    # one that does not load may be being written right now.
                    if now - mtime < self.timeout + self.grace:
                        continue
                    _log.warning("removing damaged session file %s", path)
            elif not self.fast and now - mtime < self.timeout + self.grace:
                continue
            with contextlib.suppress(OSError):
                os.unlink(path)
                expired += 1
        return expired, len(names)


# ---------------------------------------------------------------------------
# SocacheSession
# ---------------------------------------------------------------------------

_SOCACHE_MAGIC = b"MPS1"
_SOCACHE_DFT_MAX_SIZE = 64 * 1024
_HTTP_SERVICE_UNAVAILABLE = 503
_APLOG_ERR = 3          # apache.APLOG_ERR, without importing _apache
_APLOG_WARNING = 4


def socache_seal(mac_key: bytes, key: bytes, payload: bytes) -> bytes:
    """The record stored for *payload* at *key*: ``MPS1``, then
    HMAC-SHA256(*mac_key*, ``MPS1`` + *key* + *payload*), then *payload*."""
    mac = hmac.new(mac_key, _SOCACHE_MAGIC + key + payload,
                   hashlib.sha256).digest()
    return _SOCACHE_MAGIC + mac + payload


def socache_unseal(mac_key: bytes, key: bytes, raw: bytes) -> bytes | None:
    """The payload of *raw* if it was sealed for *key* with *mac_key*, else
    None (wrong key or secret, foreign or truncated data)."""
    head = len(_SOCACHE_MAGIC)
    if len(raw) < head + 32 or raw[:head] != _SOCACHE_MAGIC:
        return None
    mac, payload = raw[head:head + 32], raw[head + 32:]
    expected = hmac.new(mac_key, _SOCACHE_MAGIC + key + payload,
                        hashlib.sha256).digest()
    return payload if hmac.compare_digest(mac, expected) else None


class SocacheSession(BaseSession):
    """Sessions in an Apache socache instance (shmcb, memcache, redis, ...)
    declared in the server configuration with ``PythonSessionCache NAME
    provider[:args]`` and chosen with ``PythonOption
    mod_python.session.socache NAME`` (or the *cache* argument).

    A record is ``MPS1`` + HMAC-SHA256(key, ``MPS1`` + store key + payload)
    + payload, the payload being the same pickle the file and dbm stores
    write.  It is unpickled only after the HMAC checks, so a store that other
    programs can write (memcache, redis) cannot make the server unpickle
    their data.  The key is ``PythonOption mod_python.session.socache_secret``,
    required for a store shared between servers; a store local to this server
    (shmcb, dbm: only this server's processes write it, as with session files)
    may go without.

    The store expires records itself (each save passes last access +
    timeout), so :meth:`cleanup` does nothing.  When the store fails, the
    request ends with 503 Service Unavailable and one MP0823 line.
    """

    def __init__(self, req: Any, sid: str | None = None,
                 secret: str | bytes | None = None, timeout: float = 0,
                 lock: int | bool = 1, cache: str | None = None) -> None:
        options = self._options = req.get_options()
        name = cache or _option(options, "mod_python.session.socache")
        if not name:
            raise ValueError(
                "MP0825: SocacheSession needs PythonOption "
                "mod_python.session.socache NAME (a PythonSessionCache name)")
        self._cache = str(name)
        try:
            provider, _args, shared = _apache_module().socache_info(
                self._cache)
        except KeyError:
            raise ValueError(
                f"MP0825: no PythonSessionCache named {self._cache!r} in the "
                "server configuration") from None
        self._provider = str(provider)
        mac_key = _option(options, "mod_python.session.socache_secret")
        if mac_key is None and shared:
            raise ValueError(
                f"MP0825: session cache {self._cache!r} ({provider}) is "
                "shared with other servers: set PythonOption "
                "mod_python.session.socache_secret")
        self._mac_key = str(mac_key or "").encode("utf-8")
        self._max_size = int(_option(
            options, "mod_python.session.socache_max_size",
            default=_SOCACHE_DFT_MAX_SIZE))
        super().__init__(req, sid=sid, secret=secret, lock=lock,
                         timeout=timeout)

    # -- record format (pure) -------------------------------------------------

    def _key(self) -> bytes:
        return b"mps:" + self._sid.encode("ascii")

    def _unseal(self, raw: bytes) -> bytes | None:
        """The payload of a record written by a server holding the same key,
        or None (an empty record is the store's own miss marker)."""
        if not raw:
            return None
        payload = socache_unseal(self._mac_key, self._key(), raw)
        if payload is None:
            self._req.log_error(
                f"MP0824: session {self._sid} in cache {self._cache!r}: "
                "record failed its integrity check (another "
                "mod_python.session.socache_secret?); starting a new session",
                _APLOG_WARNING)
        return payload

    # -- store access ---------------------------------------------------------

    def _unavailable(self, exc: OSError) -> BaseException:
        """Log the one MP0823 line; the exception that ends the request
        with 503."""
        detail = exc.strerror if exc.errno else str(exc)
        self._req.log_error(f"MP0823: {detail}; answering 503", _APLOG_ERR)
        exc_type: type[BaseException] = _apache_module().SERVER_RETURN
        return exc_type(_HTTP_SERVICE_UNAVAILABLE)

    def do_load(self) -> dict[str, Any] | None:
        try:
            raw = _apache_module().socache_retrieve(
                self._cache, self._key(), self._max_size + 36)
        except OSError as exc:
            raise self._unavailable(exc) from None
        payload = None if raw is None else self._unseal(raw)
        if payload is None:
            return None
        record: dict[str, Any] = pickle.loads(payload)  # HMAC checked above
        return record

    def do_save(self, record: dict[str, Any]) -> None:
        payload = pickle.dumps(record, 4)
        if len(payload) > self._max_size:
            raise ValueError(
                f"session {self._sid} is {len(payload)} bytes, more than "
                f"mod_python.session.socache_max_size ({self._max_size})")
        # memcache wants at least one second
        expiry = time.time() + max(float(record["_timeout"]), 1.0)
        try:
            _apache_module().socache_store(self._cache, self._key(),
                                           socache_seal(self._mac_key,
                                                        self._key(), payload),
                                           expiry)
        except OSError as exc:
            raise self._unavailable(exc) from None

    def do_delete(self) -> None:
        try:
            _apache_module().socache_remove(self._cache, self._key())
        except OSError as exc:
            raise self._unavailable(exc) from None

    def make_cleanup(self) -> Callable[[], None]:
        return _no_cleanup

    def cleanup(self) -> None:
        """Nothing: the store expires records by itself."""

    def do_cleanup(self) -> None:
        """Nothing: the store expires records by itself."""


def _no_cleanup() -> None:
    pass


# ---------------------------------------------------------------------------
# Factory
# ---------------------------------------------------------------------------

_TYPES: dict[str, type[BaseSession]] = {
    "FileSession": FileSession,
    "DbmSession": DbmSession,
    "MemorySession": MemorySession,
    "SocacheSession": SocacheSession,
}


def Session(req: mp_request, sid: str | None = None,
            secret: str | bytes | None = None, timeout: float = 0,
            lock: int | bool = 1) -> BaseSession:
    """The session of *req*, of the type named by ``PythonOption
    mod_python.session.session_type`` (legacy ``session``):
    FileSession (default), DbmSession, MemorySession or SocacheSession."""
    options = req.get_options()
    name = _option(options, "mod_python.session.session_type", "session",
                   default="FileSession")
    cls = _TYPES.get(str(name))
    if cls is None:
        raise ValueError(f"unknown session type {name!r}; expected one of "
                         + ", ".join(_TYPES))
    if cls is DbmSession:
        return DbmSession(req, sid=sid, secret=secret, timeout=timeout,
                          lock=lock)
    return cls(req, sid=sid, secret=secret, timeout=timeout, lock=lock)
