"""Unit tests for mod_python._parse (no Apache, no _apache)."""

from __future__ import annotations

import hashlib
import os
import random
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "lib" / "python"))

from mod_python import _parse
from mod_python._parse import (
    BodyTooLarge,
    FieldTooLarge,
    MalformedMultipart,
    MalformedQuery,
    MultipartParser,
    PartData,
    PartEnd,
    PartHeaderTooLarge,
    PartStart,
    TooManyFields,
    parse_cookie_header,
    parse_header,
    parse_multipart,
    parse_qs,
    parse_qsl,
)


def test_imports_without_apache() -> None:
    assert "_apache" not in sys.modules or _parse.__name__


# -- query strings -------------------------------------------------------------


def test_qsl_basic_separators_plus_and_escapes() -> None:
    assert parse_qsl("a=1&b=x+y;c=%41%2B") == [
        ("a", "1"), ("b", "x y"), ("c", "A+")]


def test_qsl_bytes_in_bytes_out() -> None:
    assert parse_qsl(b"a=%ff&b+c=d") == [(b"a", b"\xff"), (b"b c", b"d")]


def test_qsl_str_utf8() -> None:
    assert parse_qsl("n=%E2%82%AC") == [("n", "\u20ac")]


def test_qsl_blank_values() -> None:
    assert parse_qsl("a=&b=1&c") == [("b", "1")]
    assert parse_qsl("a=&b=1&c", keep_blank_values=1) == [
        ("a", ""), ("b", "1"), ("c", "")]


def test_qsl_strict() -> None:
    with pytest.raises(MalformedQuery):
        parse_qsl("a=1&broken", strict_parsing=True)


@pytest.mark.parametrize("qs, expected", [
    # Defect 4: 3.5 could hand back the value as the key.
    ("key=value", [("key", "value")]),
    ("=value", [("", "value")]),
    ("k==v", [("k", "=v")]),
    ("a=1&&b=2", [("a", "1"), ("b", "2")]),
    ("x=%3D&%3D=y", [("x", "="), ("=", "y")]),
])
def test_qsl_key_is_the_name(qs: str, expected: list[tuple[str, str]]) -> None:
    assert parse_qsl(qs) == expected


def test_qs_groups() -> None:
    assert parse_qs("a=1&b=2&a=3") == {"a": ["1", "3"], "b": ["2"]}
    assert parse_qs(b"a=1&a=2") == {b"a": [b"1", b"2"]}


def test_qsl_max_fields() -> None:
    assert len(parse_qsl("&".join(["a=1"] * 10), max_num_fields=10)) == 10
    with pytest.raises(TooManyFields):
        parse_qsl("&".join(["a=1"] * 11), max_num_fields=10)


# -- header options ----------------------------------------------------------------


def test_parse_header() -> None:
    assert parse_header('Form-Data; name="a;b"; filename="c\\"d.txt"') == (
        "form-data", {"name": "a;b", "filename": 'c"d.txt'})
    assert parse_header("text/plain;charset=UTF-8") == (
        "text/plain", {"charset": "UTF-8"})
    assert parse_header(b"multipart/form-data; boundary=----x") == (
        "multipart/form-data", {"boundary": "----x"})
    assert parse_header("attachment; filename*=UTF-8''%e2%82%ac.txt")[1] == {
        "filename": "\u20ac.txt"}
    assert parse_header("") == ("", {})


def test_parse_header_split_path_matches_regex() -> None:
    # Options without quotes or backslashes are split, not matched by the
    # regular expression: both must agree.
    rng = random.Random(99)
    alphabet = " \t;=aBc*-\n\u00e9"
    cases = ["a=b", " a = b ", "a", "a b=c", "=x", ";;", "a=b=c", "A=1;a=2",
             "x*=utf-8''%C3%A9", "b=1\n", "b=1\nc", "", " ; ", "a=;b"]
    cases += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
              for _ in range(5000)]
    for rest in cases:
        assert _parse._split_options(rest) == _parse._regex_options(rest), rest


# -- multipart ---------------------------------------------------------------------

BOUNDARY = b"----b0und4ry"
FILE_DATA = (b"line1\r\nline2\rCR alone\nLF alone\r\n\r\n--not-a-boundary\r\n"
             b"\r\n------b0und4r\x00\xff\r")


def build_body(boundary: bytes = BOUNDARY) -> bytes:
    d = b"--" + boundary
    return (
        b"preamble\r\n" + d + b"\r\n"
        b'Content-Disposition: form-data; name="text"\r\n\r\n'
        b"hello world\r\n" + d + b"\r\n"
        b'Content-Disposition: form-data; name="file"; filename="a b.bin"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n"
        + FILE_DATA + b"\r\n" + d + b"\r\n"
        b'Content-Disposition: form-data; name="empty"\r\n\r\n'
        b"\r\n" + d + b"--\r\nepilogue")


def collect(events: list[object]) -> list[tuple[str | None, str | None, bytes]]:
    out: list[tuple[str | None, str | None, bytes]] = []
    cur: list[object] | None = None
    for ev in events:
        if isinstance(ev, PartStart):
            cur = [ev.name, ev.filename, b""]
        elif isinstance(ev, PartData):
            assert cur is not None
            cur[2] += ev.data  # type: ignore[operator]
        elif isinstance(ev, PartEnd):
            assert cur is not None
            out.append((cur[0], cur[1], cur[2]))  # type: ignore[arg-type]
            cur = None
    return out


EXPECTED = [("text", None, b"hello world"), ("file", "a b.bin", FILE_DATA),
            ("empty", None, b"")]


def feed_all(body: bytes, *cuts: int, **kw: object) -> list[object]:
    p = MultipartParser(BOUNDARY, **kw)  # type: ignore[arg-type]
    events: list[object] = []
    last = 0
    for cut in [*cuts, len(body)]:
        events += p.feed(body[last:cut])
        last = cut
    events += p.close()
    return events


def test_multipart_whole() -> None:
    assert collect(feed_all(build_body())) == EXPECTED


def test_multipart_every_split_position() -> None:
    body = build_body()
    for i in range(len(body) + 1):
        assert collect(feed_all(body, i)) == EXPECTED, f"split at {i}"


def test_multipart_every_two_splits_near_boundaries() -> None:
    body = build_body()
    marks = [i for i in range(len(body)) if body[i:i + 2] == b"\r\n"]
    for m in marks:
        for i in range(max(0, m - 20), min(len(body), m + 20)):
            for j in (i + 1, i + 3, i + 17):
                if j <= len(body):
                    assert collect(feed_all(body, i, j)) == EXPECTED


def test_multipart_one_byte_at_a_time() -> None:
    body = build_body()
    assert collect(feed_all(body, *range(1, len(body)))) == EXPECTED


def test_multipart_part_headers() -> None:
    body = build_body()
    starts = [e for e in feed_all(body) if isinstance(e, PartStart)]
    f = starts[1]
    assert f.content_type == "application/octet-stream"
    assert f.disposition == "form-data"
    assert f.disposition_options == {"name": "file", "filename": "a b.bin"}
    assert ("content-type", "application/octet-stream") in f.headers
    assert starts[0].content_type == "text/plain"


def test_multipart_folded_header_and_bad_type() -> None:
    body = (b"--" + BOUNDARY + b"\r\nContent-Disposition: form-data;\r\n"
            b' name="x"\r\nContent-Type: garbage\r\n\r\nv\r\n--'
            + BOUNDARY + b"--")
    starts = [e for e in feed_all(body) if isinstance(e, PartStart)]
    assert starts[0].name == "x"
    assert starts[0].content_type == "application/octet-stream"


def test_multipart_large_random_binary() -> None:
    data = os.urandom(300_000) + b"\r\n--" + BOUNDARY[:-1] + b"\r"
    body = (b"--" + BOUNDARY + b'\r\nContent-Disposition: form-data; name="f"; '
            b'filename="r"\r\n\r\n' + data + b"\r\n--" + BOUNDARY + b"--\r\n")
    for step in (997, 4096, 65536):
        p = MultipartParser(BOUNDARY)
        h = hashlib.sha256()
        for i in range(0, len(body), step):
            for ev in p.feed(body[i:i + step]):
                if isinstance(ev, PartData):
                    h.update(ev.data)
        p.close()
        assert h.hexdigest() == hashlib.sha256(data).hexdigest()


def test_multipart_truncated_body() -> None:
    body = build_body()
    end = body.index(b"--" + BOUNDARY + b"--")
    for cut in (10, len(body) // 2, end, end + 5):
        p = MultipartParser(BOUNDARY)
        p.feed(body[:cut])
        with pytest.raises(MalformedMultipart):
            p.close()


def test_multipart_junk_after_boundary() -> None:
    body = b"--" + BOUNDARY + b"XX\r\n\r\n"
    with pytest.raises(MalformedMultipart):
        MultipartParser(BOUNDARY).feed(body)


def test_multipart_bad_header_line() -> None:
    body = b"--" + BOUNDARY + b"\r\nno colon here\r\n\r\nx\r\n--" + BOUNDARY + b"--"
    with pytest.raises(MalformedMultipart):
        MultipartParser(BOUNDARY).feed(body)


def test_multipart_huge_field_over_limit() -> None:
    big = b"x" * 5000
    body = (b"--" + BOUNDARY + b'\r\nContent-Disposition: form-data; name="t"'
            b"\r\n\r\n" + big + b"\r\n--" + BOUNDARY + b"--")
    with pytest.raises(FieldTooLarge):
        feed_all(body, 100, 2000, max_field_size=4096)
    # the same size as a file part is not a "field"
    fbody = body.replace(b'name="t"', b'name="t"; filename="t"')
    assert collect(feed_all(fbody, max_field_size=4096))[0][2] == big


def test_multipart_too_many_fields() -> None:
    part = (b"--" + BOUNDARY + b'\r\nContent-Disposition: form-data; name="a"'
            b"\r\n\r\n1\r\n")
    body = part * 11 + b"--" + BOUNDARY + b"--"
    assert len(collect(feed_all(part * 10 + b"--" + BOUNDARY + b"--",
                                max_parts=10))) == 10
    with pytest.raises(TooManyFields):
        feed_all(body, max_parts=10)


def test_multipart_header_too_large() -> None:
    body = (b"--" + BOUNDARY + b"\r\nX-Big: " + b"h" * 20000 + b"\r\n\r\nx\r\n--"
            + BOUNDARY + b"--")
    with pytest.raises(PartHeaderTooLarge):
        feed_all(body, 5000, max_header_size=16384)
    with pytest.raises(PartHeaderTooLarge):
        feed_all(body, max_header_size=16384)


def test_multipart_total_size() -> None:
    body = build_body()
    with pytest.raises(BodyTooLarge):
        feed_all(body, 50, max_body_size=len(body) - 1)
    assert collect(feed_all(body, max_body_size=len(body))) == EXPECTED


def test_multipart_limit_errors_are_parse_errors() -> None:
    for exc in (TooManyFields, FieldTooLarge, PartHeaderTooLarge, BodyTooLarge):
        assert issubclass(exc, _parse.LimitError)
        assert issubclass(exc, _parse.ParseError)
    assert not issubclass(MalformedMultipart, _parse.LimitError)


def test_multipart_empty_body_without_parts() -> None:
    assert collect(feed_all(b"--" + BOUNDARY + b"--\r\n")) == []


# -- parse_multipart (whole body in memory) -------------------------------------


def incremental(body: bytes, **kw: object) -> object:
    """What MultipartParser gives: [(PartStart, content)] or the error type."""
    try:
        events = feed_all(body, **kw)
    except _parse.ParseError as exc:
        return type(exc)
    out: list[tuple[PartStart, bytes]] = []
    for ev in events:
        if isinstance(ev, PartStart):
            out.append((ev, b""))
        elif isinstance(ev, PartData):
            out[-1] = (out[-1][0], out[-1][1] + ev.data)
    return out


def whole(body: bytes, **kw: object) -> object:
    try:
        return parse_multipart(body, BOUNDARY, **kw)  # type: ignore[arg-type]
    except _parse.ParseError as exc:
        return type(exc)


def simple_part(name: bytes, value: bytes, sep: bytes = b"; ") -> bytes:
    return (b"--" + BOUNDARY + b"\r\nContent-Disposition: form-data" + sep
            + b'name="' + name + b'"\r\n\r\n' + value + b"\r\n")


BROWSER_FORM = (simple_part(b"a", b"1") + simple_part(b"b", b"")
                + simple_part(b"c", b"x\r\n--" + BOUNDARY[:-1] + b"\r\n\r\n")
                + b"--" + BOUNDARY + b"--\r\n")

ODD_BODIES = [
    BROWSER_FORM,
    BROWSER_FORM + b"epilogue\r\n--" + BOUNDARY + b"--\r\n",
    b"--" + BOUNDARY + b"--\r\n--" + BOUNDARY + b"--",
    build_body(),
    build_body().replace(b"preamble\r\n", b""),
    b"--" + BOUNDARY + b"--\r\n",
    b"--" + BOUNDARY + b"--",
    b"",
    b"--" + BOUNDARY,
    b"--" + BOUNDARY + b"\r\n",
    b"--" + BOUNDARY + b"  \t\r\n\r\nno headers\r\n--" + BOUNDARY + b"--",
    b"--" + BOUNDARY + b"XX\r\n\r\n",
    b"--" + BOUNDARY + b"\r\nno colon here\r\n\r\nx\r\n--" + BOUNDARY + b"--",
    simple_part(b"a", b"1") + simple_part(b"b", b"")
    + b"--" + BOUNDARY + b"--\r\n" + simple_part(b"c", b"3"),
    simple_part(b"a", b"1") + simple_part(b"b", b"2"),          # truncated
    simple_part(b"a", b"1")[:-2] + b"--" + BOUNDARY + b"--",    # no CRLF
    simple_part("na\u00efve \u20ac".encode(), "v\u00e9".encode())
    + b"--" + BOUNDARY + b"--",
    simple_part(b"caf\xe9", b"x") + b"--" + BOUNDARY + b"--",     # latin-1
    simple_part(b"a", b"1", sep=b";") + simple_part(b"b", b"2", sep=b";   ")
    + b"--" + BOUNDARY + b"--",
    simple_part(b"a;b", b"1").replace(b"Content-Disposition", b"CONTENT-disposition")
    .replace(b"form-data", b"Form-Data") + b"--" + BOUNDARY + b"--",
    simple_part(b'a\\"b', b"1") + b"--" + BOUNDARY + b"--",
    simple_part(b"a", b"1").replace(b'"\r\n', b'"  \r\n') + b"--" + BOUNDARY + b"--",
    # a delimiter inside a header block
    b"--" + BOUNDARY + b"\r\nX-A: 1\r\n--" + BOUNDARY + b": 2\r\n\r\nv\r\n--"
    + BOUNDARY + b"--",
    # CRLF CRLF straddling a delimiter
    b"--" + BOUNDARY + b"\r\nX-A: 1\r\n\r\n--" + BOUNDARY + b"\r\n\r\nv\r\n--"
    + BOUNDARY + b"--",
    b"--" + BOUNDARY + b'\r\nContent-Disposition: form-data; name="a"\r\n'
    b"Content-Type: text/x; charset=latin-1\r\n\r\nv\r\n--" + BOUNDARY + b"--",
]


@pytest.mark.parametrize("body", ODD_BODIES)
def test_parse_multipart_matches_incremental(body: bytes) -> None:
    assert whole(body) == incremental(body)


def test_split_plain_form() -> None:
    names, contents = _parse.split_plain_form(BROWSER_FORM, BOUNDARY)  # type: ignore[misc]
    assert names == ["a", "b", "c"]
    assert contents == [b"1", b"", b"x\r\n--" + BOUNDARY[:-1] + b"\r\n\r\n"]
    # anything else is left to parse_multipart
    for body in (build_body(), b"pre\r\n" + BROWSER_FORM,
                 BROWSER_FORM.replace(b'name="b"', b'name="b"; filename="f"'),
                 BROWSER_FORM.replace(b"form-data;", b"form-data;  "),
                 BROWSER_FORM.replace(b'name="a"', "name=\"\u00e9\"".encode()),
                 BROWSER_FORM[:-4], b"--" + BOUNDARY + b"--"):
        assert _parse.split_plain_form(body, BOUNDARY) is None, body
    assert _parse.split_plain_form(BROWSER_FORM, BOUNDARY, max_parts=2) is None
    assert _parse.split_plain_form(BROWSER_FORM, BOUNDARY, max_field_size=1) is None
    assert _parse.split_plain_form(BROWSER_FORM, BOUNDARY, max_header_size=39) is None
    assert _parse.split_plain_form(BROWSER_FORM, BOUNDARY, max_header_size=40)


def test_parse_multipart_limits_match_incremental() -> None:
    fields = b"".join(simple_part(b"f%d" % i, b"v" * i) for i in range(12))
    body = fields + b"--" + BOUNDARY + b"--\r\n"
    for kw in ({"max_parts": 12}, {"max_parts": 11}, {"max_field_size": 11},
               {"max_field_size": 10}, {"max_header_size": 42},
               {"max_header_size": 41}):
        assert whole(body, **kw) == incremental(body, **kw), kw
    body = fields.replace(b"; name", b";name") + b"--" + BOUNDARY + b"--\r\n"
    for kw in ({"max_parts": 12}, {"max_parts": 11}, {"max_parts": 0},
               {"max_field_size": 11}, {"max_field_size": 10},
               {"max_header_size": 40}, {"max_header_size": 39},
               {"max_body_size": len(body)}, {"max_body_size": len(body) - 1}):
        assert whole(body, **kw) == incremental(body, **kw), kw
    huge = simple_part(b"t", b"x" * 5000) + b"--" + BOUNDARY + b"--"
    assert whole(huge, max_field_size=4096) is FieldTooLarge
    fhuge = huge.replace(b'name="t"', b'name="t"; filename="t"')
    assert whole(fhuge, max_field_size=4096) == incremental(fhuge)
    big_header = (b"--" + BOUNDARY + b"\r\nX-Big: " + b"h" * 20000
                  + b"\r\n\r\nx\r\n--" + BOUNDARY + b"--")
    assert whole(big_header, max_header_size=16384) is PartHeaderTooLarge
    assert whole(big_header[:200], max_header_size=100) is PartHeaderTooLarge


def test_parse_multipart_random_mutations_match_incremental() -> None:
    rng = random.Random(1234)
    base = [build_body(), ODD_BODIES[13], ODD_BODIES[18], BROWSER_FORM,
            BROWSER_FORM + b"epilogue\r\n--" + BOUNDARY + b"\r\n"]
    alphabet = b"\r\n- \t\"\\;=:aX" + BOUNDARY[:4]
    for _ in range(3000):
        body = bytearray(rng.choice(base))
        for _ in range(rng.randint(1, 3)):
            i = rng.randrange(len(body) + 1)
            op = rng.random()
            if op < 0.4:
                body[i:i] = bytes(rng.choice(alphabet) for _ in range(rng.randint(1, 3)))
            elif op < 0.8:
                del body[i:i + rng.randint(1, 4)]
            else:
                body[i:i] = b"\r\n--" + BOUNDARY
        data = bytes(body)
        assert whole(data) == incremental(data), data


def test_parse_multipart_str_boundary_and_bad_boundary() -> None:
    assert whole(build_body()) == incremental(build_body())
    first = parse_multipart(build_body(), BOUNDARY.decode())[0]
    assert (first[0].name, first[1]) == ("text", b"hello world")
    with pytest.raises(MalformedMultipart):
        parse_multipart(b"", b"")
    with pytest.raises(MalformedMultipart):
        parse_multipart(b"", b"x" * 201)


# -- cookie header -----------------------------------------------------------------


def test_cookie_header_tolerant() -> None:
    assert parse_cookie_header(
        ' ,a=1; $Path="/"; b="quoted value"; junk; =x; c=; d=e=f;x[1]=y') == [
        ("a", "1"), ("b", '"quoted value"'), ("c", ""), ("d", "e=f"),
        ("x[1]", "y")]


def test_cookie_header_bad_pair_does_not_hide_later_ones() -> None:
    # SimpleCookie stops at the first bad pair; we keep going.
    pairs = dict(parse_cookie_header('odd"cookie=\x01bad; pysid=abc'))
    assert pairs["pysid"] == "abc"


def test_cookie_header_joined_by_apache_with_commas() -> None:
    assert parse_cookie_header("a=1, b=2; c=x,y") == [
        ("a", "1"), ("b", "2"), ("c", "x,y")]
