"""Issue 11, defects 1-5: the pure parts (no Apache, no _apache).

Each test here failed on the code before the fix; the HTTP side of the same
defects is in test/integration/test_450_hostile.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "lib" / "python"))

from mod_python import Cookie
from mod_python._parse import (
    MalformedMultipart,
    MultipartParser,
    ParseError,
    PartData,
    PartEnd,
    PartStart,
    decode_field,
    decode_header_bytes,
    parse_multipart,
    parse_query,
    text_from_bytes,
    text_to_bytes,
)
from mod_python.util import Field

B = b"----b0und4ry"


def stream(body: bytes, boundary: bytes, sizes: list[int]) -> object:
    """Feed *body* in pieces of the given sizes (the last one repeats);
    the parts as (name, filename, data), or the exception class."""
    p = MultipartParser(boundary, max_parts=None, max_header_size=None)
    parts: list[list[object]] = []
    try:
        pos, i = 0, 0
        while pos < len(body):
            n = sizes[min(i, len(sizes) - 1)]
            for ev in p.feed(body[pos:pos + n]):
                if isinstance(ev, PartStart):
                    parts.append([ev.name, ev.filename, b""])
                elif isinstance(ev, PartData):
                    parts[-1][2] += ev.data  # type: ignore[operator]
                else:
                    assert isinstance(ev, PartEnd)
            pos += n
            i += 1
        p.close()
    except ParseError as exc:
        return type(exc)
    return [tuple(x) for x in parts]


def one_shot(body: bytes, boundary: bytes) -> object:
    try:
        return [(s.name, s.filename, d) for s, d in
                parse_multipart(body, boundary, max_parts=None,
                                max_header_size=None)]
    except ParseError as exc:
        return type(exc)


def field(name: str, value: bytes) -> bytes:
    return (b"Content-Disposition: form-data; name=\"" + name.encode()
            + b"\"\r\n\r\n" + value)


# -- defect 1: a boundary counts only at the start of a line -----------------


def test_boundary_mid_line_in_preamble_is_not_the_first_boundary() -> None:
    # The 64 KiB read ends one byte after "--BOUNDARY" in the middle of a
    # preamble line: the old parser kept that tail and took it for the
    # first boundary, so it saw a field the one-shot parser does not.
    head = b"x" * (65536 - len(B) - 3) + b"--" + B + b" "
    assert len(head) == 65536
    body = (head + b"\r\n" + field("injected", b"evil")
            + b"\r\n--" + B + b"\r\n" + field("a", b"1")
            + b"\r\n--" + B + b"--\r\n")
    expected = [("a", None, b"1")]
    assert one_shot(body, B) == expected
    assert stream(body, B, [65536]) == expected


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7, 8, 9])
def test_fuzzer_case_is_rejected_at_every_read_size(size: int) -> None:
    # "----XyZ--" with boundary "-XyZ": no boundary at a line start, so
    # the body is truncated however it is read (byte-wise reads used to
    # accept it as an empty form).
    body = b"----XyZ--"
    assert one_shot(body, b"-XyZ") is MalformedMultipart
    assert stream(body, b"-XyZ", [size]) is MalformedMultipart


def test_first_boundary_split_at_the_start_still_counts() -> None:
    body = b"--" + B + b"\r\n" + field("a", b"1") + b"\r\n--" + B + b"--"
    for n in range(1, len(B) + 4):
        assert stream(body, B, [n]) == [("a", None, b"1")], n


# -- defect 3: parts without Content-Disposition or with a broken name -------


@pytest.mark.parametrize("headers", [
    b"",                                            # no headers at all
    b"Content-Type: text/plain",                   # no Content-Disposition
    b"Content-Disposition: form-data",             # no name
    b'Content-Disposition: form-data; name="a',    # unterminated quote
    b'Content-Disposition: form-data; name="a; filename="f"',
])
def test_malformed_part_headers_are_rejected(headers: bytes) -> None:
    body = (b"--" + B + b"\r\n" + headers + b"\r\n\r\nv\r\n--" + B
            + b"--\r\n")
    assert one_shot(body, B) is MalformedMultipart
    for n in (1, 7, 64, len(body)):
        assert stream(body, B, [n]) is MalformedMultipart


def test_escaped_quote_in_a_name_is_not_unterminated() -> None:
    body = (b"--" + B + b'\r\nContent-Disposition: form-data; name="a\\"b"'
            b"\r\n\r\nv\r\n--" + B + b"--\r\n")
    assert one_shot(body, B) == [('a"b', None, b"v")]


# -- defect 4: the query is decoded field by field ---------------------------


def test_one_bad_byte_does_not_change_other_fields() -> None:
    # req.args as the C side gives it: raw UTF-8 and one stray byte.
    args = text_from_bytes(b"a=caf\xc3\xa9&b=\xff&c=%E9t%C3%A9&n\xe9=1")
    fields = parse_query(args, keep_blank_values=True)
    names = [n for n, _ in fields]
    values = {n: decode_field(v) for n, v in fields}
    assert names == ["a", "b", "c", "n\u00e9"]
    assert values["a"] == "caf\u00e9"          # not mojibake
    assert values["b"] == "\u00ff"             # the fallback, this field only
    assert values["c"] == "\u00e9t\u00c3\u00a9"  # not UTF-8 as a whole: Latin-1


def test_field_value_decoding_per_field() -> None:
    assert Field("a", data="caf\u00e9".encode()).value == "caf\u00e9"
    assert Field("b", data=b"caf\xe9").value == "caf\u00e9"


# -- defect 2: cookies --------------------------------------------------------


class Table(list[tuple[str, str]]):
    def items(self):  # type: ignore[override]
        return list(self)


class Req:
    def __init__(self, cookie: str) -> None:
        self.headers_in = Table([("Cookie", cookie)])


@pytest.mark.parametrize("odd", ["cart[items]=3", "x:y=2", "\u00e9=1",
                                 "a b=4", "{json}=5"])
def test_odd_cookie_names_do_not_break_reading(odd: str) -> None:
    req = Req(f"sid=abc; {odd}; last=z")
    cookies = Cookie.get_cookies(req)
    assert cookies["sid"].value == "abc" and cookies["last"].value == "z"
    assert Cookie.get_cookie(req, "sid").value == "abc"  # type: ignore[union-attr]
    signed = Cookie.get_cookies(req, Cookie.SignedCookie, secret="k")
    assert signed == {}                      # unsigned: dropped, no error


def test_non_token_names_are_kept_as_sent() -> None:
    cookies = Cookie.get_cookies(Req("cart[items]=3; x:y=2"))
    assert cookies["cart[items]"].value == "3"
    assert cookies["x:y"].value == "2"
    with pytest.raises(Cookie.CookieError):
        str(cookies["x:y"])                  # read, but never written


@pytest.mark.parametrize("name", ["sid\n", "sid\r\n", "a=b", "a;b", "",
                                  "caf\u00e9", "a b", "x:y"])
def test_writing_needs_a_token_name(name: str) -> None:
    assert not Cookie.valid_name(name)
    with pytest.raises(Cookie.CookieError):
        Cookie.Cookie(name, "v")


# -- defect 5: the text rule ---------------------------------------------------


@pytest.mark.parametrize("raw", [b"caf\xc3\xa9", b"caf\xe9", b"\xff\xfe",
                                 b"\xed\xa0\x80", b"a\xc3", b"plain"])
def test_text_rule_round_trips_bytes(raw: bytes) -> None:
    assert text_to_bytes(text_from_bytes(raw)) == raw
    assert decode_header_bytes is text_from_bytes


def test_text_rule_reads_utf8_as_text() -> None:
    assert text_from_bytes(b"caf\xc3\xa9") == "caf\u00e9"
    # written back as UTF-8, not as Latin-1 (the old writer sent caf\xe9)
    assert text_to_bytes("caf\u00e9") == b"caf\xc3\xa9"


def test_multipart_file_name_round_trips() -> None:
    body = (b"--" + B + b'\r\nContent-Disposition: form-data; name="f"; '
            b'filename="caf\xe9.txt"\r\n\r\nx\r\n--' + B + b"--\r\n")
    (start, _), = parse_multipart(body, B)
    assert start.filename is not None
    assert text_to_bytes(start.filename) == b"caf\xe9.txt"
