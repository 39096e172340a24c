"""Unit tests for mod_python.Cookie (no Apache, no _apache)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "lib" / "python"))

from mod_python import Cookie
from mod_python.Cookie import (
    DOWNGRADE,
    EXCEPTION,
    CookieError,
    MarshalCookie,
    SignedCookie,
    add_cookie,
    get_cookie,
    get_cookies,
    parse_cookie,
)


def test_format_attributes_in_order() -> None:
    c = Cookie.Cookie("sid", "abc", path="/app", domain="example.org",
                      secure=True, httponly=True, max_age=60,
                      samesite="Strict", comment="hi", version=1)
    assert str(c) == ("sid=abc; Version=1; Path=/app; Domain=example.org; "
                      "Secure; Comment=hi; Max-Age=60; SameSite=Strict; "
                      "HttpOnly")
    assert repr(c) == f"<Cookie: {c}>"


def test_max_age_spellings() -> None:
    for key in ("max_age", "Max-Age", "MAX_AGE", "max-age"):
        assert "Max-Age=5" in str(Cookie.Cookie("a", "b", **{key: 5}))
    assert "max_age" not in str(Cookie.Cookie("a", "b", max_age=5))


def test_unknown_attribute() -> None:
    with pytest.raises(AttributeError):
        Cookie.Cookie("a", "b", colour="red")


def test_expires_number_and_string() -> None:
    c = Cookie.Cookie("a", "b", expires=0)
    assert c.expires == "Thu, 01 Jan 1970 00:00:00 GMT"
    c.expires = "Wed, 09-Jun-2021 10:18:14 GMT"
    assert "Expires=Wed, 09-Jun-2021 10:18:14 GMT" in str(c)
    c.expires = time.time() + 3600
    assert c.expires is not None and c.expires.endswith("GMT")
    with pytest.raises(ValueError):
        c.expires = "tomorrow"


def test_header_injection_refused() -> None:
    with pytest.raises(CookieError):
        str(Cookie.Cookie("a", "x\r\nSet-Cookie: evil=1"))
    with pytest.raises(CookieError):
        str(Cookie.Cookie("a", "x; Domain=evil"))
    with pytest.raises(CookieError):
        Cookie.Cookie("bad name", "x")


def test_parse() -> None:
    d = Cookie.Cookie.parse("a=1; b=two; a=3; $Version=1")
    assert set(d) == {"a", "b"}
    assert d["a"].value == "3"
    assert isinstance(d["b"], Cookie.Cookie)
    assert parse_cookie("x=1; y=2", names=["y"]).keys() == {"y"}


def test_signed_roundtrip() -> None:
    for secret in ("s3cret", b"s3cret"):
        c = SignedCookie("sid", "value 1", secret)
        name, wire = str(c).split("=", 1)
        assert len(wire) == 64 + len("value 1")
        d = SignedCookie.parse(f"{name}={wire}", secret="s3cret")
        assert isinstance(d["sid"], SignedCookie)
        assert d["sid"].value == "value 1"


def test_signed_tampered_dropped_by_default() -> None:
    wire = str(SignedCookie("sid", "alice", "k")).split("=", 1)[1]
    forged = wire[:64] + "admin"
    assert SignedCookie.parse(f"sid={forged}", secret="k") == {}
    assert SignedCookie.parse(f"sid={wire}", secret="other") == {}
    assert SignedCookie.parse("sid=short", secret="k") == {}
    # the signature covers the name too
    assert SignedCookie.parse(f"other={wire}", secret="k") == {}


def test_signed_mismatch_policies() -> None:
    d = SignedCookie.parse("sid=plain", secret="k", mismatch=DOWNGRADE)
    assert type(d["sid"]) is Cookie.Cookie and d["sid"].value == "plain"
    with pytest.raises(CookieError):
        SignedCookie.parse("sid=plain", secret="k", mismatch=EXCEPTION)


def test_unsign() -> None:
    wire = str(SignedCookie("sid", "v", "k")).split("=", 1)[1]
    c = SignedCookie("sid", wire, "k")
    c.unsign("k")
    assert c.value == "v"
    with pytest.raises(CookieError):
        SignedCookie("sid", "x" * 70, "k").unsign("k")


def test_marshal_roundtrip() -> None:
    value = {"user": "\u00e9l\u00e8ve", "n": [1, 2.5, None, True]}
    c = MarshalCookie("m", value, "k")
    d = MarshalCookie.parse(str(c), secret="k")
    assert d["m"].value == value
    assert isinstance(d["m"], MarshalCookie)


def test_marshal_tampered_never_decoded() -> None:
    wire = str(MarshalCookie("m", {"admin": False}, "k")).split("=", 1)[1]
    import base64
    forged = wire[:64] + base64.urlsafe_b64encode(b'{"admin":true}').decode()
    assert MarshalCookie.parse(f"m={forged}", secret="k") == {}
    # signed correctly but not JSON: dropped, not an exception
    bad = SignedCookie("m", "!!notbase64", "k")
    assert MarshalCookie.parse(str(bad), secret="k") == {}


class FakeTable(list[tuple[str, str]]):
    def add(self, k: str, v: str) -> None:
        self.append((k, v))

    def items(self) -> list[tuple[str, str]]:  # type: ignore[override]
        return list(self)

    def __contains__(self, key: object) -> bool:
        return any(k.lower() == str(key).lower() for k, _ in self)


class FakeReq:
    def __init__(self, *cookie_headers: str) -> None:
        self.headers_in = FakeTable(("Cookie", h) for h in cookie_headers)
        self.headers_out = FakeTable()


def test_request_helpers() -> None:
    signed = str(SignedCookie("s", "v", "k"))
    req = FakeReq("a=1; b=2", "c=3; " + signed)
    assert set(get_cookies(req)) == {"a", "b", "c", "s"}
    assert get_cookie(req, "c").value == "3"  # type: ignore[union-attr]
    assert get_cookie(req, "zzz") is None
    s = get_cookie(req, "s", SignedCookie, secret="k")
    assert s is not None and s.value == "v"
    assert get_cookie(req, "a", SignedCookie, secret="k") is None
    assert get_cookies(FakeReq()) == {}


def test_add_cookie() -> None:
    req = FakeReq()
    add_cookie(req, "a", "1", path="/")
    add_cookie(req, Cookie.Cookie("b", "2"))
    assert req.headers_out == [
        ("Cache-Control", 'no-cache="set-cookie"'),
        ("Set-Cookie", "a=1; Path=/"),
        ("Set-Cookie", "b=2"),
    ]
