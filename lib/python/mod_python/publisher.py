"""The publisher handler: maps URLs to objects in Python files.

Configuration::

    <Directory /srv/www/app>
        SetHandler mod_python
        PythonHandler mod_python.publisher
    </Directory>

``/app/hello/world?x=1`` loads ``/srv/www/app/hello.py`` and calls its
``world(x="1")``; see ``docs/api/publisher.md`` for the rules.  In short:

* only GET, POST and HEAD (405 with ``Allow`` otherwise);
* the module file is the directory of ``req.filename`` plus its base name
  without a known suffix (``.py``, the ``| .ext`` extension of the handler
  list, or any other extension when ``<stem>.py`` exists) plus ``.py``; a
  missing file falls back to ``index.py`` with the base name as the first
  step of the object path; a directory request uses ``index.py``;
* the object path is ``path_info`` (``/`` separated, one trailing ``/``
  dropped, empty means ``index``);
* names starting with ``_`` give 403; only modules (as the root) and
  instances of user classes are traversed into (403 otherwise); a missing
  name gives 404; modules, classes, builtins, code objects and other
  interpreter internals are never published (403);
* a callable is called with the form fields that match its parameters
  (``req`` is offered too; ``**kw`` takes everything); a missing required
  argument gives 400;
* ``__auth__``/``__access__``/``__auth_realm__`` are checked on the module
  and on every object reached, including hooks nested in a function;
* ``str`` results are encoded with the charset of ``req.content_type``
  (UTF-8 by default), ``bytes`` are written as they are; without a content
  type set by the code, ``text/html`` is used when the text ends with
  ``</html>`` and ``text/plain`` otherwise.

Pages are loaded by the publisher's own cache (not ``sys.modules``), keyed by
file name, and re-executed into a fresh module when the file changes
(unless ``PythonAutoReload Off``).

Error-log codes: ``MP0700`` (access to a private name refused),
``MP0701`` (a nested auth hook that cannot be evaluated).
"""

from __future__ import annotations

import base64
import binascii
import dis
import hmac
import os
import re
import stat
import threading
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple, NoReturn

from mod_python import apache, util

TYPE_CHECKING = False
if TYPE_CHECKING:
    from _apache import mp_request

__all__ = ["call_with_form", "handler", "publish_object", "resolve_object"]

ALLOWED_METHODS = ("GET", "POST", "HEAD")
HOOK_NAMES = ("__auth_realm__", "__auth__", "__access__")
DEFAULT_REALM = "unknown"

_NON_WORD = re.compile(r"\W")


def _raise(status: int) -> NoReturn:
    raise apache.SERVER_RETURN(status)


# ---------------------------------------------------------------------------
# page cache
# ---------------------------------------------------------------------------


#: Per-page analysis entries kept before the memo is reset (functions
#: created per request would otherwise grow it without bound).
MEMO_SIZE = 1024


@dataclass(frozen=True)
class _Page:
    module: types.ModuleType
    stamp: tuple[float, int]
    #: What the publisher learned about the page's callables (nested hooks,
    #: parameters), keyed by function; dropped with the page on reload.
    memo: dict[Any, Any] = field(default_factory=dict, compare=False)
    #: Object paths known to name a plain function of the page that has no
    #: auth hooks and takes no form field: path -> :class:`_Route`.
    routes: dict[str, Any] = field(default_factory=dict, compare=False)


class PageCache:
    """Publisher pages by file name, re-executed when the file changes.

    Each page is executed into a fresh module that is not put into
    ``sys.modules``; a reload that fails leaves the previous module in use
    for nobody (the error goes to the caller) and is retried next time.
    Thread-safe: loads of one file are serialised by a per-file lock; the
    lookup of a current page takes only a stat (none when the caller
    passes the file's stamp).
    """

    def __init__(self) -> None:
        self._pages: dict[str, _Page] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def _lock(self, path: str) -> threading.Lock:
        with self._guard:
            lock = self._locks.get(path)
            if lock is None:
                lock = self._locks[path] = threading.Lock()
            return lock

    @staticmethod
    def _stamp(path: str) -> tuple[float, int]:
        st = os.stat(path)
        return (st.st_mtime, st.st_size)

    def get(self, path: str, *, autoreload: bool = True,
            log: Any = None) -> types.ModuleType:
        return self.page(path, autoreload=autoreload, log=log).module

    def page(self, path: str, *, autoreload: bool = True, log: Any = None,
             stamp: tuple[float, int] | None = None) -> _Page:
        """The current page for ``path``; ``stamp`` is its (mtime, size)
        when the caller has just stat-ed it."""
        page = self._pages.get(path)
        if page is not None:
            if not autoreload:
                return page
            if stamp is None:
                stamp = self._stamp(path)
            if page.stamp == stamp:
                return page
        with self._lock(path):
            page = self._pages.get(path)
            stamp = self._stamp(path)
            if page is not None and page.stamp == stamp:
                return page
            module = self._exec(path)
            if log is not None:
                log(f"publisher: {'reloaded' if page else 'loaded'} {path}")
            page = self._pages[path] = _Page(module, stamp)
            return page

    @staticmethod
    def _exec(path: str) -> types.ModuleType:
        with open(path, "rb") as f:
            source = f.read()
        code = compile(source, path, "exec", dont_inherit=True)
        module = types.ModuleType(_NON_WORD.sub("_", path))
        module.__file__ = path
        exec(code, module.__dict__)  # noqa: S102 - the page is server-side code
        return module

    def clear(self) -> None:
        with self._guard:
            self._pages.clear()


page_cache = PageCache()


# ---------------------------------------------------------------------------
# URL -> module file and object path
# ---------------------------------------------------------------------------


def _strip_suffix(req: mp_request, directory: str, base: str) -> str:
    """The module name for ``base`` (a file name from the URL)."""
    if base.endswith(".py"):
        return base[:-3]
    ext = getattr(req, "extension", None)
    if ext and base.endswith(ext) and len(base) > len(ext):
        return base[: -len(ext)]
    stem, dot, _ = base.rpartition(".")
    if dot and stem and os.path.isfile(os.path.join(directory, stem + ".py")):
        return stem
    return base


def locate(req: mp_request) -> tuple[str, str]:
    """Return (module file, dotted object path) for ``req``; 404 if none."""
    module_file, func_path, _ = _locate(req)
    return module_file, func_path


def _locate(req: mp_request) -> tuple[str, str, tuple[float, int] | None]:
    """:func:`locate`, plus the module file's (mtime, size) when this
    already had to stat it (the usual ``/dir/page.py/func`` request)."""
    filename = req.filename or ""
    path_info = req.path_info or ""
    func_path = path_info.removeprefix("/").removesuffix("/")
    try:
        st: os.stat_result | None = os.stat(filename)
    except (OSError, ValueError):
        st = None
    if st is not None:
        if (stat.S_ISREG(st.st_mode) and filename.endswith(".py")
                and filename.rfind("/") < len(filename) - 4):
            # the request names the module file itself: no second stat
            return filename, func_path.replace("/", ".") or "index", (
                st.st_mtime, st.st_size)
        if stat.S_ISDIR(st.st_mode):
            return _locate_in(req, filename, "", func_path)
    directory, base = os.path.split(filename)
    return _locate_in(req, directory, base, func_path)


def _locate_in(req: mp_request, directory: str, base: str,
               func_path: str) -> tuple[str, str, None]:
    name = _strip_suffix(req, directory, base) if base else "index"
    module_file = os.path.join(directory, name + ".py")
    if not os.path.isfile(module_file):
        index = os.path.join(directory, "index.py")
        if not os.path.isfile(index):
            _raise(apache.HTTP_NOT_FOUND)
        module_file = index
        func_path = f"{name}/{func_path}" if func_path else name
    func_path = func_path.replace("/", ".") or "index"
    return module_file, func_path, None


# ---------------------------------------------------------------------------
# publishing rules
# ---------------------------------------------------------------------------

_NEVER_PUBLISHED: tuple[type, ...] = (
    types.ModuleType,
    type,
    types.CodeType,
    types.FrameType,
    types.TracebackType,
    types.BuiltinFunctionType,
    types.BuiltinMethodType,
    types.MethodWrapperType,
    types.WrapperDescriptorType,
    types.MethodDescriptorType,
    types.ClassMethodDescriptorType,
    types.GetSetDescriptorType,
    types.MemberDescriptorType,
    types.CellType,
    property,
    classmethod,
    staticmethod,
)


def traversable(obj: Any) -> bool:
    """Whether the publisher may look up attributes of ``obj``.

    Only instances of user (non-builtin) classes; modules, classes,
    functions, methods and instances of built-in types are not.
    """
    if isinstance(obj, (types.ModuleType, type)):
        return False
    return type(obj).__module__ != "builtins"


def publishable(obj: Any) -> bool:
    """Whether ``obj`` may be the final object of a URL."""
    if type(obj) is types.FunctionType:
        return True
    if isinstance(obj, _NEVER_PUBLISHED):
        return False
    if isinstance(obj, types.MethodType):
        return isinstance(obj.__func__, types.FunctionType) or publishable(obj.__func__)
    return True


class _Auth:
    """Authentication state of one request's traversal."""

    def __init__(self, req: mp_request) -> None:
        self.req = req
        self.realm = DEFAULT_REALM
        self.user: str | None = None
        self._creds: tuple[str, str] | None = None
        self._decoded = False

    def credentials(self) -> tuple[str, str] | None:
        """(user, password) from a Basic Authorization header; 400 if malformed."""
        if self._decoded:
            return self._creds
        self._decoded = True
        header = self.req.headers_in.get("Authorization")
        if not header:
            return None
        header = str(header)
        if header[:6].lower() != "basic ":
            return None  # Digest and others: not ours, never a 400
        try:
            raw = base64.b64decode(header[6:].strip(), validate=True)
        except (binascii.Error, ValueError):
            _raise(apache.HTTP_BAD_REQUEST)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("latin-1")
        user, sep, password = text.partition(":")
        if not sep:
            _raise(apache.HTTP_BAD_REQUEST)
        self._creds = (user, password)
        return self._creds

    def unauthorized(self) -> NoReturn:
        realm = self.realm.replace("\\", "\\\\").replace('"', '\\"')
        self.req.err_headers_out["WWW-Authenticate"] = f'Basic realm="{realm}"'
        _raise(apache.HTTP_UNAUTHORIZED)

    def check(self, hooks: dict[str, Any]) -> None:
        if "__auth_realm__" in hooks:
            self.realm = str(hooks["__auth_realm__"])
        if "__auth__" in hooks:
            auth = hooks["__auth__"]
            creds = self.credentials()
            if creds is None:
                self.unauthorized()
            user, password = creds
            if callable(auth):
                ok = auth(self.req, user, password)
            elif isinstance(auth, dict):
                expected = auth.get(user)
                ok = expected is not None and hmac.compare_digest(
                    str(expected).encode("utf-8"), password.encode("utf-8"))
            else:
                ok = auth
            if not ok:
                self.unauthorized()
            self.user = user
            self.req.user = user
        if "__access__" in hooks:
            access = hooks["__access__"]
            who = self.user if self.user is not None else self.req.user
            if callable(access):
                ok = access(self.req, who)
            elif isinstance(access, (list, tuple, set, frozenset)):
                ok = who is not None and who in access
            else:
                ok = access
            if not ok:
                _raise(apache.HTTP_FORBIDDEN)


class NestedHookError(Exception):
    """A hook defined inside a function that the publisher cannot evaluate."""


_CONST_LOADS = frozenset({"LOAD_CONST", "LOAD_SMALL_INT"})
_STORES = frozenset({"STORE_FAST", "STORE_NAME", "STORE_DEREF", "STORE_GLOBAL"})


def nested_hooks(func: types.FunctionType) -> dict[str, Any]:
    """Auth hooks defined *inside* ``func``, found without running it.

    * ``def __auth__(req, user, password): ...`` inside the function: the
      nested code object (a constant of the function's code, found by its
      ``co_name``) becomes a function with the outer function's globals.
      It must not use variables of the outer function (closures).
    * ``__auth_realm__ = "text"`` or ``__access__ = 0``: the constant
      stored into the name, read with :mod:`dis` (a store directly preceded
      by a constant load).
    * Anything else assigned to a hook name (a dict, a list, a call...)
      raises :class:`NestedHookError`: the page is refused rather than
      published without its check.

    No bytecode offsets are assumed; only ``co_consts``, ``co_varnames`` and
    the instruction names that :mod:`dis` reports.
    """
    code = func.__code__
    local_names = set(code.co_varnames) | set(code.co_cellvars)
    wanted = [name for name in HOOK_NAMES if name in local_names]
    if not wanted:
        return {}
    found: dict[str, Any] = {}
    for const in code.co_consts:
        if isinstance(const, types.CodeType) and const.co_name in wanted:
            if const.co_freevars:
                raise NestedHookError(
                    f"nested {const.co_name} in {func.__qualname__} uses "
                    f"variables of the enclosing function")
            found[const.co_name] = types.FunctionType(
                const, func.__globals__, const.co_name)
    previous: dis.Instruction | None = None
    for instr in dis.get_instructions(code):
        if (instr.opname in _STORES and instr.argval in wanted
                and instr.argval not in found and previous is not None
                and previous.opname in _CONST_LOADS):
            found[instr.argval] = previous.argval
        if instr.opname not in ("CACHE", "EXTENDED_ARG", "NOP"):
            previous = instr
    missing = [name for name in wanted if name not in found]
    if missing:
        raise NestedHookError(
            f"nested {', '.join(missing)} in {func.__qualname__} must be a "
            f"def or a constant (dict and list forms work only at module or "
            f"object level)")
    return found


class _Facts:
    """What the publisher learned about one function of a page: its nested
    hooks (or the :class:`NestedHookError` they raise) and its parameters
    (:func:`mod_python.util.call_info`, as a function and as a bound
    method).  Code objects never change, so this holds until the page is
    reloaded."""

    __slots__ = ("bound_call", "call", "nested")

    def __init__(self, func: types.FunctionType) -> None:
        self.nested: dict[str, Any] | NestedHookError
        try:
            self.nested = nested_hooks(func)
        except NestedHookError as exc:
            self.nested = exc
        self.call: Any = _MISSING
        self.bound_call: Any = _MISSING


def _facts(func: types.FunctionType, memo: dict[Any, _Facts]) -> _Facts:
    facts = memo.get(func)
    if facts is None:
        facts = _Facts(func)
        if len(memo) >= MEMO_SIZE:
            memo.clear()
        memo[func] = facts
    return facts


_MISSING: Any = object()


def _hooks(obj: Any, memo: dict[Any, _Facts] | None) -> dict[str, Any] | None:
    """The auth hooks that apply to ``obj``, or None when there are none."""
    func: Any = obj.__func__ if isinstance(obj, types.MethodType) else obj
    if isinstance(func, types.FunctionType):
        if memo is None:
            nested = nested_hooks(func)
        else:
            known = _facts(func, memo).nested
            if isinstance(known, NestedHookError):
                # a fresh exception: re-raising one object grows its traceback
                raise NestedHookError(str(known))
            nested = known
        attrs = func.__dict__
        if not attrs:
            return dict(nested) if nested else None
        hooks = dict(nested)
        for name in HOOK_NAMES:
            if name in attrs:
                hooks[name] = attrs[name]
        return hooks or None
    if isinstance(obj, types.ModuleType):
        namespace = obj.__dict__
        if "__getattr__" not in namespace:   # PEP 562 hooks need getattr
            if ("__auth__" not in namespace and "__access__" not in namespace
                    and "__auth_realm__" not in namespace):
                return None
            return {name: namespace[name] for name in HOOK_NAMES
                    if name in namespace}
    hooks = {}
    for name in HOOK_NAMES:
        value = getattr(obj, name, _MISSING)
        if value is not _MISSING:
            hooks[name] = value
    return hooks or None


def hooks_of(obj: Any) -> dict[str, Any]:
    """The auth hooks that apply to ``obj`` (attributes, then nested)."""
    return _hooks(obj, None) or {}


def resolve_object(req: mp_request, module: types.ModuleType, object_path: str,
                   auth: _Auth | None = None, *,
                   _memo: dict[Any, _Facts] | None = None) -> Any:
    """Walk ``object_path`` from ``module`` applying the rules and auth."""
    hooks = _hooks(module, _memo)
    if hooks is not None:
        auth = auth or _Auth(req)
        auth.check(hooks)
    obj: Any = module
    for step in object_path.split("."):
        if not step or step[0] == "_":
            req.log_error(
                f"MP0700: publisher: access to '{object_path}' refused "
                f"(name '{step}' is private) in {module.__file__}",
                apache.APLOG_WARNING)
            _raise(apache.HTTP_FORBIDDEN)
        if obj is not module and not traversable(obj):
            _raise(apache.HTTP_FORBIDDEN)
        try:
            obj = getattr(obj, step)
        except AttributeError:
            _raise(apache.HTTP_NOT_FOUND)
        try:
            hooks = _hooks(obj, _memo)
        except NestedHookError as exc:
            req.log_error(f"MP0701: publisher: {exc}", apache.APLOG_ERR)
            _raise(apache.HTTP_INTERNAL_SERVER_ERROR)
        if hooks is not None:
            # the realm of an earlier step carries over to a later __auth__
            auth = auth or _Auth(req)
            auth.check(hooks)
    if not publishable(obj):
        _raise(apache.HTTP_FORBIDDEN)
    return obj


# ---------------------------------------------------------------------------
# calling and output
# ---------------------------------------------------------------------------


def _missing_arguments(obj: Any, form: Any) -> list[str]:
    info = util.call_info(obj)
    if info is None or not info[0]:
        return []
    given = set(form.keys()) | {"req"}
    return [name for name in info[0] if name not in given]


def call_with_form(obj: Any, form: Any, req: mp_request) -> Any:
    """Call ``obj`` with matching form fields and ``req`` (400 if a required
    argument is missing)."""
    missing = _missing_arguments(obj, form)
    if missing:
        req.log_error(
            f"publisher: {req.uri}: missing argument(s) {', '.join(missing)}",
            apache.APLOG_INFO)
        _raise(apache.HTTP_BAD_REQUEST)
    return util.apply_fs_data(obj, form, req=req)


class _LazyForm(util.FieldStorage):
    """``req.form`` for a callable that takes no form fields, on a request
    without a body: the query string is parsed on first use.

    Reading any attribute that :class:`~mod_python.util.FieldStorage` sets
    in ``__init__`` (which every method does) runs the real constructor
    first, so the object behaves as the eagerly built form would.
    """

    _lazy_req: mp_request

    def __getattr__(self, name: str) -> Any:
        namespace = self.__dict__
        if name.startswith("__") or "_lazy_req" not in namespace:
            raise AttributeError(name)
        req = namespace.pop("_lazy_req")
        util.FieldStorage.__init__(self, req, keep_blank_values=1)
        return getattr(self, name)


def _lazy_form(req: mp_request) -> _LazyForm:
    form = _LazyForm.__new__(_LazyForm)
    form._lazy_req = req
    return form


def _call_info(obj: Any, memo: dict[Any, _Facts] | None) -> Any:
    """``util.call_info(obj)``, remembered in the page's memo."""
    if memo is not None:
        if type(obj) is types.FunctionType:
            facts = _facts(obj, memo)
            if facts.call is _MISSING:
                facts.call = util.call_info(obj)
            return facts.call
        if (type(obj) is types.MethodType
                and type(obj.__func__) is types.FunctionType):
            facts = _facts(obj.__func__, memo)
            if facts.bound_call is _MISSING:
                facts.bound_call = util.call_info(obj)
            return facts.bound_call
    return util.call_info(obj)


def _call(req: mp_request, obj: Any, memo: dict[Any, _Facts] | None) -> Any:
    """Call ``obj`` as 3.5 does: ``req.form`` set, form fields as
    arguments.  A callable that takes no form field (only ``req``, or
    nothing) on a bodiless request gets a ``req.form`` that is parsed only
    if it is used."""
    form = getattr(req, "form", None)
    if form is None:
        info = _call_info(obj, memo)
        if (info is not None and not info[2] and req.method != "POST"
                and info[1] <= _ONLY_REQ):
            req.form = _lazy_form(req)
            return obj(req=req) if "req" in info[1] else obj()
        form = req.form = util.FieldStorage(req, keep_blank_values=1)
    return call_with_form(obj, form, req)


_ONLY_REQ = frozenset({"req"})


def _charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip('"')
    return None


def _looks_like_html(tail: str) -> bool:
    return "</html>" in tail[-100:].lower()


def write_result(req: mp_request, result: Any) -> bool:
    """Write one published value; returns whether anything was written."""
    if result is None:
        return False
    if isinstance(result, (bytes, bytearray, memoryview)):
        data = bytes(result)
        if not req._content_type_set:
            html_ = _looks_like_html(data[-100:].decode("latin-1"))
            req.content_type = "text/html" if html_ else "text/plain"
    else:
        text = result if isinstance(result, str) else str(result)
        if not req._content_type_set:
            if _looks_like_html(text[-100:]):
                req.content_type = "text/html; charset=utf-8"
            else:
                req.content_type = "text/plain; charset=utf-8"
            charset = "utf-8"
        else:
            charset = _charset(str(req.content_type or "")) or "utf-8"
        data = text.encode(charset, "surrogateescape")  # the text rule
    if not data:
        return False
    req.write(data, 0)  # no flush: lets a Content-Length be computed
    return True


def publish_object(req: mp_request, obj: Any, _depth: int = 0, *,
                   _memo: dict[Any, _Facts] | None = None) -> bool:
    """Call (if callable) and write ``obj``; results are published again."""
    while callable(obj):
        if not publishable(obj) or _depth > 8:
            _raise(apache.HTTP_FORBIDDEN)
        obj = _call(req, obj, _memo)
        _depth += 1
    return write_result(req, obj)


class _Route(NamedTuple):
    """A URL the publisher resolved to a plain function of the page, with
    no auth hook on the way and no form field among its parameters."""

    target: Callable[..., Any]
    code: types.CodeType
    takes_req: bool


def _route(page: _Page, object_path: str, obj: Any) -> _Route | None:
    """A :class:`_Route` for ``obj``, found at ``object_path`` of ``page``,
    when later requests may call it without resolving it again."""
    if type(obj) is not types.FunctionType or "." in object_path:
        return None
    func: types.FunctionType = obj
    if (page.module.__dict__.get(object_path) is not func
            or _hooks(page.module, None) is not None or func.__dict__):
        return None
    facts = page.memo.get(func)
    if facts is None or facts.nested or facts.call is _MISSING:
        return None
    info = facts.call
    if info is None or info[2] or not info[1] <= _ONLY_REQ:
        return None
    return _Route(func, func.__code__, "req" in info[1])


def _routed(req: mp_request, page: _Page, object_path: str) -> _Route | None:
    """The function of a known route for this request, or None when the
    request has to be resolved (and checked) step by step.

    Everything :func:`resolve_object` would check is checked again, in a
    cheaper way: the page still binds the name to the same function with
    the same code and no attributes (auth hooks), and the module has no
    hook either; the request has no body and no ``req.form`` yet.
    """
    route: _Route | None = page.routes.get(object_path)
    if route is None:
        return None
    func = route.target
    namespace = page.module.__dict__
    if (namespace.get(object_path) is not func
            or getattr(func, "__code__", None) is not route.code
            or func.__dict__ or "__auth__" in namespace
            or "__access__" in namespace or "__auth_realm__" in namespace
            or "__getattr__" in namespace or req.method == "POST"
            or getattr(req, "form", None) is not None):
        return None
    return route


def handler(req: mp_request) -> int:
    """PythonHandler entry point."""
    if req.method not in ALLOWED_METHODS:
        req.allow_methods(list(ALLOWED_METHODS), 1)
        _raise(apache.HTTP_METHOD_NOT_ALLOWED)
    module_file, object_path, stamp = _locate(req)
    settings = req._settings()
    debug = settings.debug
    page = page_cache.page(
        module_file,
        autoreload=settings.autoreload,
        log=_notice_log(req) if debug else None,
        stamp=stamp,
    )
    route = _routed(req, page, object_path)
    if route is not None:
        # the usual request: a known function of the page, called as
        # _call() would call it
        req.form = _lazy_form(req)
        result = route.target(req=req) if route.takes_req else route.target()
        written = publish_object(req, result, 1, _memo=page.memo)
    else:
        memo = page.memo
        obj = resolve_object(req, page.module, object_path, _memo=memo)
        written = publish_object(req, obj, _memo=memo)
        if len(page.routes) < MEMO_SIZE:
            known = _route(page, object_path, obj)
            if known is not None:
                page.routes[object_path] = known
    if not written and debug and req.next is None and not req._bytes_queued:
        _notice_log(req)(f"publisher: nothing to publish for {req.uri}")
    return int(apache.OK)


def _notice_log(req: mp_request) -> Callable[[str], None]:
    def log(message: str) -> None:
        req.log_error(message, apache.APLOG_NOTICE)

    return log
