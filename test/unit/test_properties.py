"""Property-based tests (hypothesis) for every request-data parser.

- query strings: parse_qsl equals urllib.parse.parse_qsl on valid input,
  and never raises anything but ParseError on any input;
- urlencoded forms and the per-field query decoding;
- multipart: the streaming parser equals the one-shot parser for random
  bodies, at every split point and read size;
- cookies: mixed valid and invalid names, as browsers send them;
- session ids, PSP, header options and the text rule.

Kept fast: every test has a bounded max_examples and no deadline (the
machine is shared); the file runs in a few seconds.
"""

from __future__ import annotations

import string
import sys
import urllib.parse
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "lib" / "python"))

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from mod_python import Cookie, Session
from mod_python._parse import (
    MultipartParser,
    ParseError,
    PartData,
    PartStart,
    decode_field,
    parse_cookie_header,
    parse_header,
    parse_multipart,
    parse_qsl,
    parse_query,
    split_plain_form,
    text_from_bytes,
    text_to_bytes,
)
from mod_python._psp_parse import PSPSyntaxError, compile_page, parse

FAST = settings(max_examples=100, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=100, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow,
                                       HealthCheck.data_too_large])

# -- the text rule --------------------------------------------------------------


@FAST
@given(st.binary(max_size=64))
def test_text_rule_bytes_round_trip(raw: bytes) -> None:
    assert text_to_bytes(text_from_bytes(raw)) == raw


@FAST
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)),
               max_size=64))
def test_text_rule_str_round_trip(text: str) -> None:
    assert text_from_bytes(text_to_bytes(text)) == text


# -- query strings ------------------------------------------------------------

# Characters a form encoder leaves alone or escapes; "valid input" is what
# urlencode produces.
_qs_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)),
                   max_size=12)


@FAST
@given(st.lists(st.tuples(_qs_text, _qs_text), max_size=8), st.booleans())
def test_parse_qsl_matches_urllib_on_valid_input(
        pairs: list[tuple[str, str]], keep: bool) -> None:
    qs = urllib.parse.urlencode(pairs)
    assert parse_qsl(qs, keep) == urllib.parse.parse_qsl(
        qs, keep_blank_values=keep, separator="&")
    # bytes in, bytes out: the UTF-8 of what urllib gives for the text
    assert parse_qsl(qs.encode("ascii"), keep) == [
        (n.encode(), v.encode()) for n, v in urllib.parse.parse_qsl(
            qs, keep_blank_values=keep, separator="&")]


@FAST
@given(st.text(alphabet="ab=&;%+2F\u00e9\udcff", max_size=40), st.booleans(),
       st.booleans())
def test_parse_qsl_never_fails_oddly(qs: str, keep: bool, strict: bool) -> None:
    try:
        out = parse_qsl(qs, keep, strict, 20)
    except ParseError:
        return
    assert all(isinstance(n, str) and isinstance(v, str) for n, v in out)


@FAST
@given(st.lists(st.tuples(st.binary(max_size=8), st.binary(max_size=8)),
                min_size=1, max_size=6))
def test_query_fields_decode_independently(
        pairs: list[tuple[bytes, bytes]]) -> None:
    qs = "&".join(urllib.parse.quote_from_bytes(n, safe="") + "="
                  + urllib.parse.quote_from_bytes(v, safe="")
                  for n, v in pairs)
    got = parse_query(qs, keep_blank_values=True)
    kept = pairs        # "name=value" is never an empty segment
    assert [(n, v) for n, v in got] == [(decode_field(n), v)
                                        for n, v in kept]
    # each name is what that field alone gives
    for (name, _), (n, _) in zip(got, kept):
        assert name == decode_field(n)
        if n.isascii():
            assert name == n.decode()


@FAST
@given(st.binary(max_size=60))
def test_urlencoded_body_as_raw_query_bytes(raw: bytes) -> None:
    # A raw (not %-encoded) query as the C side hands it over: splitting
    # the text or its bytes gives the same fields.
    assume(b"%" not in raw and b"+" not in raw)
    fields = parse_query(text_from_bytes(raw), keep_blank_values=True)
    direct = parse_qsl(raw, keep_blank_values=True)
    assert [v for _, v in fields] == [v for _, v in direct]


# -- multipart ------------------------------------------------------------------

BOUNDARY = b"xYz-42"
_name = st.text(alphabet=string.ascii_letters + string.digits + "_-\u00e9 ",
                min_size=1, max_size=8)
# Content that may contain pieces of the delimiter, CRs and LFs.
_content = st.lists(st.sampled_from([b"a", b"\r", b"\n", b"-", b"--",
                                     b"\r\n", b"\r\n--", BOUNDARY[:3],
                                     b"xYz", b"\x00", b"\xff", b" "]),
                    max_size=12).map(b"".join)


def _part(name: str, data: bytes, filename: str | None, ctype: bool) -> bytes:
    head = b'Content-Disposition: form-data; name="' + name.encode() + b'"'
    if filename is not None:
        head += b'; filename="' + filename.encode() + b'"'
    if ctype:
        head += b"\r\nContent-Type: application/octet-stream"
    return head + b"\r\n\r\n" + data


@st.composite
def multipart_bodies(draw: st.DrawFn) -> bytes:
    """Mostly well-formed bodies, with random damage now and then."""
    parts = draw(st.lists(st.tuples(_name, _content,
                                    st.none() | _name, st.booleans()),
                          max_size=4))
    preamble = draw(st.sampled_from([b"", b"junk\r\n", b"--" + BOUNDARY
                                     + b"x\r\n", b"a--" + BOUNDARY + b" ",
                                     b"\r\n"]))
    body = preamble + b"--" + BOUNDARY if preamble else b"--" + BOUNDARY
    if preamble and not preamble.endswith(b"\r\n"):
        body = preamble + b"\r\n--" + BOUNDARY
    for name, data, filename, ctype in parts:
        body += b"\r\n" + _part(name, data, filename, ctype)
        body += b"\r\n--" + BOUNDARY
    body += b"--" + draw(st.sampled_from([b"", b"\r\n", b"\r\nepilogue"]))
    damage = draw(st.integers(0, 4))
    if damage == 1 and body:                       # truncate
        body = body[:draw(st.integers(0, len(body) - 1))]
    elif damage == 2:                              # flip one byte
        i = draw(st.integers(0, max(0, len(body) - 1)))
        body = body[:i] + bytes([draw(st.integers(0, 255))]) + body[i + 1:]
    elif damage == 3:                              # insert a delimiter
        i = draw(st.integers(0, len(body)))
        body = body[:i] + draw(st.sampled_from(
            [b"--" + BOUNDARY, b"\r\n--" + BOUNDARY, b"\r\n--" + BOUNDARY
             + b"--", b"\r\n\r\n"])) + body[i:]
    return body


def _one_shot(body: bytes) -> object:
    try:
        return [(s.name, s.filename, s.content_type, d)
                for s, d in parse_multipart(body, BOUNDARY)]
    except ParseError as exc:
        return type(exc).__name__


def _streaming(body: bytes, cuts: list[int]) -> object:
    p = MultipartParser(BOUNDARY)
    out: list[list[object]] = []
    try:
        prev = 0
        for cut in [*cuts, len(body)]:
            for ev in p.feed(body[prev:cut]):
                if isinstance(ev, PartStart):
                    out.append([ev.name, ev.filename, ev.content_type, b""])
                elif isinstance(ev, PartData):
                    out[-1][3] += ev.data  # type: ignore[operator]
            prev = cut
        p.close()
    except ParseError as exc:
        return type(exc).__name__
    return [tuple(x) for x in out]


@SLOW
@given(multipart_bodies())
@example(b"----XyZ--")
@example(b"a--xYz-42 \r\n" + _part("injected", b"x", None, False)
         + b"\r\n--xYz-42\r\n" + _part("a", b"1", None, False)
         + b"\r\n--xYz-42--")
def test_streaming_equals_one_shot_at_every_split_point(body: bytes) -> None:
    expected = _one_shot(body)
    for cut in range(len(body) + 1):
        assert _streaming(body, [cut]) == expected, (cut, body)


@SLOW
@given(multipart_bodies(), st.integers(1, 17))
def test_streaming_equals_one_shot_at_every_read_size(body: bytes,
                                                      size: int) -> None:
    expected = _one_shot(body)
    assert _streaming(body, list(range(size, len(body), size))) == expected
    assert _streaming(body, list(range(1, len(body)))) == expected


@SLOW
@given(st.lists(st.tuples(st.text(alphabet=string.ascii_letters, min_size=1,
                                  max_size=6), _content), max_size=5))
def test_plain_form_fast_path_agrees(fields: list[tuple[str, bytes]]) -> None:
    body = b"--" + BOUNDARY
    for name, data in fields:
        body += b"\r\n" + _part(name, data, None, False) + b"\r\n--" + BOUNDARY
    body += b"--\r\n"
    plain = split_plain_form(body, BOUNDARY)
    parsed = _one_shot(body)
    if plain is not None:
        assert isinstance(parsed, list)
        assert list(zip(*plain)) == [(n, d) for n, _, _, d in parsed]
    assert _streaming(body, [len(body) // 2]) == parsed


@FAST
@given(st.binary(max_size=200))
def test_multipart_never_fails_oddly(body: bytes) -> None:
    # any bytes: a result or a ParseError, the same for both parsers
    assert _one_shot(body) == _streaming(body, [len(body) // 3])


# -- cookies --------------------------------------------------------------------

_token = st.text(alphabet=string.ascii_letters + string.digits + "!#$&'*+-.^_`|~",
                 min_size=1, max_size=8)
_odd_name = st.text(alphabet="[]{}:/?@()<>\u00e9\"\\" + string.ascii_letters,
                    min_size=1, max_size=8)
_cookie_value = st.text(alphabet=string.ascii_letters + string.digits
                        + "!#$%&'()*+-./:<>?@[]^_`{|}~\"", max_size=10)


@FAST
@given(st.lists(st.tuples(st.one_of(_token, _odd_name), _cookie_value),
                max_size=8))
def test_cookie_header_mixed_names(pairs: list[tuple[str, str]]) -> None:
    # What a browser sends: name=value pairs joined by "; ".  Every pair
    # with a name that has no separator or white space comes back, in
    # order; reading never raises, whatever the other names are.
    header = "; ".join(f"{n}={v}" for n, v in pairs)
    expected = [(n, v) for n, v in pairs
                if "=" not in n and ";" not in n and not n.startswith("$")]
    assert parse_cookie_header(header) == expected

    class Headers(list[tuple[str, str]]):
        def items(self) -> list[tuple[str, str]]:  # type: ignore[override]
            return list(self)

    class Req:
        headers_in = Headers([("Cookie", header)])

    cookies = Cookie.get_cookies(Req())
    assert {n: c.value for n, c in cookies.items()} == dict(expected)
    for name, cookie in cookies.items():
        if Cookie.valid_name(name):
            assert str(cookie).startswith(f"{name}=")
        else:
            with pytest.raises(Cookie.CookieError):
                str(cookie)


@FAST
@given(st.text(max_size=60))
def test_cookie_header_never_raises(header: str) -> None:
    for name, _value in parse_cookie_header(header):
        assert name and not name.startswith("$")


@FAST
@given(_token.filter(lambda n: not n.startswith("$")),
       _cookie_value.filter(lambda v: ";" not in v), st.text(
    min_size=1, max_size=8))
def test_signed_cookie_round_trip(name: str, value: str, secret: str) -> None:
    wire = str(Cookie.SignedCookie(name, value, secret)).split(";", 1)[0]
    got = Cookie.SignedCookie.parse(wire, secret=secret)
    assert got[name].value == value
    assert Cookie.SignedCookie.parse(wire, secret=secret + "x") == {}


# -- session ids ------------------------------------------------------------


@FAST
@given(st.text(max_size=40))
def test_session_id_validation(sid: str) -> None:
    ok = Session.valid_sid(sid)
    assert ok == (len(sid) == 32 and all(c in "0123456789abcdef" for c in sid))
    if ok:
        assert Session.session_path("/d", sid) == f"/d/{sid[:2]}/{sid}"
    else:
        with pytest.raises(ValueError):
            Session.session_path("/d", sid)


def test_new_session_ids_are_valid_and_distinct() -> None:
    ids = {Session.new_sid() for _ in range(500)}
    assert len(ids) == 500 and all(map(Session.valid_sid, ids))


# -- PSP --------------------------------------------------------------------


class _Out:
    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, data: str, flush: int = 1) -> None:
        self.parts.append(data)


@FAST
@given(st.text(max_size=80).filter(lambda t: "<%" not in t))
def test_psp_plain_text_renders_verbatim(text: str) -> None:
    req = _Out()
    exec(compile_page(parse(text)), {"req": req})  # noqa: S102
    assert "".join(req.parts) == text


@FAST
@given(st.lists(st.sampled_from(
    ["<%", "%>", "<%=", "<%!", "<%@", "<%--", "--%>", "x", " ", "\n", "\t",
     "if 1:", "pass", "'", '"', "\\", "%", "{", "}"]), max_size=12).map(
    "".join))
def test_psp_random_pages_parse_or_raise_syntax_error(text: str) -> None:
    try:
        compile_page(parse(text))
    except (PSPSyntaxError, SyntaxError):
        pass


# -- header options ---------------------------------------------------------

_opt_value = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")),
                     max_size=10)


@FAST
@given(st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=8),
       st.dictionaries(st.text(alphabet=string.ascii_lowercase, min_size=1,
                               max_size=6), _opt_value, max_size=4))
def test_parse_header_quoted_options_round_trip(
        main: str, opts: dict[str, str]) -> None:
    line = main + "/x" + "".join(
        f'; {k}="' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
        for k, v in opts.items())
    got_main, got = parse_header(line)
    assert got_main == main + "/x"
    assert got == {k: v for k, v in opts.items() if not k.endswith("*")}


@FAST
@given(st.text(max_size=60))
def test_parse_header_never_raises(line: str) -> None:
    main, opts = parse_header(line)
    assert main == main.strip().lower() or not main
    assert all(isinstance(k, str) and isinstance(v, str)
               for k, v in opts.items())
