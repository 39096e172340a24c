# ruff: noqa: N999 - the 3.5 module name
"""mod_python.Cookie: reading and setting HTTP cookies.

* :class:`Cookie` is a plain cookie with its ``Set-Cookie`` attributes.
* :class:`SignedCookie` carries an HMAC-SHA256 signature (keyed by a
  secret, checked with :func:`hmac.compare_digest`) so the client cannot
  change its value unnoticed.
* :class:`MarshalCookie` keeps its 3.5 name but serialises the value as
  JSON (not :mod:`marshal`), and the payload is only decoded after the
  signature has been verified.  Values are therefore limited to JSON types
  (dict, list, str, int, float, bool, None; tuples come back as lists).

Cookies that fail verification are dropped by default (``mismatch=IGNORE``)
instead of raising, so a tampered cookie never turns into a 500.

Names: reading is tolerant, writing is strict.  A ``Cookie`` header may
carry cookies that other applications on the same host set with names that
are not RFC 6265 tokens (PHP's ``cart[items]``, ``x:y``, ``é``); they are
read and kept under their own name, never making the whole header fail.
Building a cookie to send (``Cookie(name, ...)``, ``str(cookie)``) accepts
only a token name.

This module imports without ``_apache``; the request helpers only use the
``headers_in`` / ``headers_out`` tables of the request they are given.
"""

from __future__ import annotations

import base64
import binascii
import email.utils
import hashlib
import hmac
import json
import re
import time
from typing import Any, ClassVar

from mod_python._parse import parse_cookie_header, text_to_bytes

TYPE_CHECKING = False
if TYPE_CHECKING:
    from _apache import mp_request

__all__ = [
    "DOWNGRADE",
    "EXCEPTION",
    "IGNORE",
    "Cookie",
    "CookieError",
    "MarshalCookie",
    "SignedCookie",
    "add_cookie",
    "get_cookie",
    "get_cookies",
    "parse_cookie",
    "valid_name",
]

#: Mismatch policies for signed cookies.
DOWNGRADE = 0   # return a plain Cookie holding the raw (unverified) value
IGNORE = 1      # drop the cookie (default)
EXCEPTION = 3   # raise CookieError


class CookieError(Exception):
    """A cookie could not be built, or failed verification with
    ``mismatch=EXCEPTION``."""



# name -> attribute name as written in Set-Cookie; bare flags have None.
_ATTRS: dict[str, str] = {
    "version": "Version",
    "path": "Path",
    "domain": "Domain",
    "secure": "Secure",
    "comment": "Comment",
    "expires": "Expires",
    "max_age": "Max-Age",
    "samesite": "SameSite",
    "commentURL": "CommentURL",
    "discard": "Discard",
    "port": "Port",
    "httponly": "HttpOnly",
}
_FLAGS = frozenset({"secure", "discard", "httponly"})
# slots that read as None until set
_UNSET_NONE = frozenset({"_expires", *(k for k in _ATTRS if k != "expires")})
# accepted spellings (lower-cased) -> attribute
_ALIASES = {k.lower(): k for k in _ATTRS}
_ALIASES.update({v.lower(): k for k, v in _ATTRS.items()})

_TOKEN_RE = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


def valid_name(name: object) -> bool:
    """True for a cookie name that may be sent: an RFC 6265 token (the
    whole string; a trailing newline is not allowed)."""
    return isinstance(name, str) and _TOKEN_RE.fullmatch(name) is not None
_BAD_VALUE_RE = re.compile(r"[\x00-\x1f\x7f;]")
_EXPIRES_RE = re.compile(
    r"^[A-Z][a-z]{2}, \d{2}[- ][A-Z][a-z]{2}[- ]\d{4} \d{2}:\d{2}:\d{2} GMT$")


class Cookie:
    """A cookie: ``Cookie(name, value, path="/", httponly=True, ...)``.

    Attribute names are case-insensitive (``max_age``, ``Max-Age`` and
    ``max-age`` are the same); unknown ones raise ``AttributeError``.
    ``str(cookie)`` is the ``Set-Cookie`` value.  ``__data__`` is a free
    dict for application use.
    """

    __slots__ = (
        "__data__",
        "_expires",
        "comment",
        "commentURL",
        "discard",
        "domain",
        "httponly",
        "max_age",
        "name",
        "path",
        "port",
        "samesite",
        "secure",
        "value",
        "version",
    )

    name: str
    value: Any
    version: Any
    path: Any
    domain: Any
    secure: Any
    comment: Any
    _expires: str | None
    max_age: Any
    samesite: Any
    commentURL: Any
    discard: Any
    port: Any
    httponly: Any
    __data__: dict[str, Any]

    def __init__(self, name: str, value: Any, **kw: Any) -> None:
        # _wire: the name comes from a request header (read, not sent).
        if not kw.pop("_wire", False) and not valid_name(name):
            raise CookieError(f"invalid cookie name: {name!r}")
        self.name = name
        self.value = value
        self.__data__ = {}
        # Attributes not set read as None (__getattr__), so a cookie read
        # from a header costs three stores, not one per attribute.
        for key, val in kw.items():
            attr = (_ALIASES.get(key.lower().replace("-", "_"))
                    or _ALIASES.get(key.lower()))
            if attr is None:
                raise AttributeError(f"invalid cookie attribute: {key!r}")
            setattr(self, attr, val)

    def __getattr__(self, name: str) -> Any:
        # Only called for a slot never set: an attribute left at None.
        if name in _UNSET_NONE:
            return None
        raise AttributeError(
            f"{type(self).__name__!r} object has no attribute {name!r}")

    # Expires accepts epoch seconds or an HTTP date string.
    @property
    def expires(self) -> str | None:
        return self._expires

    @expires.setter
    def expires(self, value: float | str | None) -> None:
        if value is None:
            self._expires = None
        elif isinstance(value, (int, float)):
            self._expires = email.utils.formatdate(value, usegmt=True)
        elif isinstance(value, str):
            value = value.strip()
            if not _EXPIRES_RE.match(value):
                raise ValueError(
                    "expires must be epoch seconds or like "
                    "'Wdy, DD Mon YYYY HH:MM:SS GMT'")
            self._expires = value
        else:
            raise TypeError("expires must be a number or a str")

    # -- output -------------------------------------------------------------

    def _text_value(self) -> str:
        return "" if self.value is None else str(self.value)

    def __str__(self) -> str:
        if not valid_name(self.name):
            raise CookieError(f"invalid cookie name: {self.name!r}")
        value = self._text_value()
        if _BAD_VALUE_RE.search(value):
            raise CookieError(f"cookie {self.name}: value contains ';' or a "
                              "control character")
        parts = [f"{self.name}={value}"]
        for attr, label in _ATTRS.items():
            val = self.expires if attr == "expires" else getattr(self, attr)
            if attr in _FLAGS:
                if val:
                    parts.append(label)
                continue
            if val is None:
                continue
            text = str(val)
            if _BAD_VALUE_RE.search(text):
                raise CookieError(f"cookie {self.name}: bad {label} {text!r}")
            parts.append(f"{label}={text}")
        return "; ".join(parts)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self}>"

    # -- input --------------------------------------------------------------

    @classmethod
    def parse(cls, s: str, names: Any = None,
              **kw: Any) -> dict[str, Cookie]:
        """Parse a ``Cookie`` request header into ``{name: cookie}``.

        A repeated name keeps the last value; *names* (a collection) keeps
        only those names.  Names that are not tokens are kept as they are
        (see the module docstring); a cookie that cannot be represented is
        skipped, never failing the other cookies.
        """
        out: dict[str, Cookie] = {}
        for name, value in parse_cookie_header(s):
            if names is not None and name not in names:
                continue
            try:
                cookie = cls._from_wire(name, value, **kw)
            except CookieError:
                raise
            except (ValueError, TypeError):
                continue  # a cookie we cannot represent is ignored
            if cookie is not None:
                out[name] = cookie
        return out

    @classmethod
    def _from_wire(cls, name: str, value: str, **kw: Any) -> Cookie | None:
        return cls(name, value, _wire=True)


def _key(secret: str | bytes) -> bytes:
    if isinstance(secret, str):
        return secret.encode("utf-8")
    if isinstance(secret, (bytes, bytearray)):
        return bytes(secret)
    raise TypeError("secret must be str or bytes")


class SignedCookie(Cookie):
    """A cookie whose value is prefixed with an HMAC-SHA256 signature.

    ``SignedCookie(name, value, secret)``.  The wire value is
    ``<64 hex digits><value>``, where the digest covers ``name=value``.
    ``value`` is always the plain (unsigned) value.
    """

    __slots__ = ("__secret",)
    SIG_LEN: ClassVar[int] = 64

    def __init__(self, name: str, value: Any, secret: str | bytes | None = None,
                 **kw: Any) -> None:
        if secret is None:
            raise CookieError("SignedCookie needs a secret")
        self.__secret = _key(secret)
        super().__init__(name, value, **kw)

    @staticmethod
    def _sign(key: bytes, name: str, text: str) -> str:
        msg = text_to_bytes(f"{name}={text}")
        return hmac.new(key, msg, hashlib.sha256).hexdigest()

    def hexdigest(self, text: str) -> str:
        """The signature of *text* as this cookie's value."""
        return self._sign(self.__secret, self.name, text)

    def _text_value(self) -> str:
        text = super()._text_value()
        return self.hexdigest(text) + text

    def unsign(self, secret: str | bytes) -> None:
        """Verify a value that still carries its signature and strip it
        (for a cookie built from a raw wire value); CookieError if wrong."""
        raw = super()._text_value()
        plain = _verify(_key(secret), self.name, raw)
        if plain is None:
            raise CookieError(f"cookie {self.name}: bad signature")
        self.value = plain

    @classmethod
    def parse(cls, s: str, names: Any = None, secret: str | bytes | None = None,
              mismatch: int = IGNORE, **kw: Any) -> dict[str, Cookie]:
        """Parse and verify; see the module docstring for *mismatch*."""
        if secret is None:
            raise CookieError(f"{cls.__name__}.parse needs a secret")
        return super().parse(s, names, secret=secret, mismatch=mismatch,
                             **kw)

    @classmethod
    def _from_wire(cls, name: str, value: str, **kw: Any) -> Cookie | None:
        secret: str | bytes = kw["secret"]
        mismatch: int = kw.get("mismatch", IGNORE)
        plain = _verify(_key(secret), name, value)
        if plain is not None:
            try:
                return cls._decoded(name, plain, secret)
            except ValueError:
                pass  # verified but undecodable: treated as a mismatch
        if mismatch == EXCEPTION:
            raise CookieError(f"cookie {name}: bad signature")
        if mismatch == DOWNGRADE:
            return Cookie(name, value, _wire=True)
        return None

    @classmethod
    def _decoded(cls, name: str, plain: str, secret: str | bytes) -> Cookie:
        return cls(name, plain, secret, _wire=True)


def _verify(key: bytes, name: str, wire: str) -> str | None:
    """The value without its signature, or None if the signature is bad."""
    n = SignedCookie.SIG_LEN
    if len(wire) < n:
        return None
    sig, text = wire[:n], wire[n:]
    expected = SignedCookie._sign(key, name, text)
    if not hmac.compare_digest(sig.encode("ascii", "replace"),
                               expected.encode("ascii")):
        return None
    return text


class MarshalCookie(SignedCookie):
    """A signed cookie holding any JSON-serialisable value.

    The name is kept from 3.5, where the value was :mod:`marshal`-ed; here
    it is JSON, base64url-encoded, then signed.  Parsing verifies the
    signature before decoding anything.
    """

    __slots__ = ()

    def _text_value(self) -> str:
        payload = json.dumps(self.value, separators=(",", ":"))
        text = base64.urlsafe_b64encode(payload.encode("utf-8")).decode("ascii")
        return self.hexdigest(text) + text

    @classmethod
    def _decoded(cls, name: str, plain: str, secret: str | bytes) -> Cookie:
        try:
            raw = base64.urlsafe_b64decode(plain.encode("ascii"))
            value = json.loads(raw.decode("utf-8"))
        except (binascii.Error, UnicodeError, json.JSONDecodeError) as exc:
            raise ValueError(str(exc)) from exc
        return cls(name, value, secret, _wire=True)

    def unsign(self, secret: str | bytes) -> None:
        raw = Cookie._text_value(self)
        plain = _verify(_key(secret), self.name, raw)
        if plain is None:
            raise CookieError(f"cookie {self.name}: bad signature")
        try:
            self.value = type(self)._decoded(self.name, plain, secret).value
        except ValueError as exc:
            raise CookieError(f"cookie {self.name}: bad payload") from exc


# ---------------------------------------------------------------------------
# Request helpers
# ---------------------------------------------------------------------------


def parse_cookie(s: str, Class: type[Cookie] = Cookie,
                 names: Any = None, **kw: Any) -> dict[str, Cookie]:
    """Parse a ``Cookie`` header value with *Class* (see Cookie.parse)."""
    return Class.parse(s, names, **kw)


def _cookie_header(req: mp_request) -> str:
    headers = req.headers_in
    if type(headers).__module__ == "_apache":
        # An Apache table looks the name up case-insensitively and gives a
        # str, or a list when the header is repeated.
        try:
            value = headers["Cookie"]
        except KeyError:
            return ""
        if isinstance(value, str):
            return value
        return "; ".join(str(v) for v in value)
    return "; ".join(str(v) for k, v in headers.items()
                     if str(k).lower() == "cookie")


def get_cookies(req: mp_request, Class: type[Cookie] = Cookie,
                **kw: Any) -> dict[str, Cookie]:
    """All cookies of the request (several Cookie headers are joined)."""
    header = _cookie_header(req)
    if not header:
        return {}
    return Class.parse(header, **kw)


def get_cookie(req: mp_request, name: str, Class: type[Cookie] = Cookie,
               **kw: Any) -> Cookie | None:
    """The cookie *name* of the request, or None."""
    header = _cookie_header(req)
    if not header:
        return None
    return Class.parse(header, names=(name,), **kw).get(name)


def add_cookie(req: mp_request, cookie: Cookie | str, value: Any = "",
               **kw: Any) -> None:
    """Add a ``Set-Cookie`` header; *cookie* is a Cookie or a name (then a
    plain Cookie is made from *value* and *kw*).  The first cookie of a
    response also adds ``Cache-Control: no-cache="set-cookie"`` so caches do
    not share it."""
    if isinstance(cookie, str):
        cookie = Cookie(cookie, value, **kw)
    text = str(cookie)
    headers = req.headers_out
    if "Set-Cookie" not in headers:
        headers.add("Cache-Control", 'no-cache="set-cookie"')
    headers.add("Set-Cookie", text)


def expire_time(seconds_from_now: float) -> str:
    """An ``Expires`` value *seconds_from_now* in the future."""
    return email.utils.formatdate(time.time() + seconds_from_now, usegmt=True)
