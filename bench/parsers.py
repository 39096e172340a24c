#!/usr/bin/env python3
"""Parser cost on hostile shapes: 1 MB inputs, time per parse.

    python3 bench/parsers.py [--size BYTES] [--repeat N] [--markdown]

A benchmark, not a test: it runs the pure parsers of mod_python._parse,
Cookie, PSP and the text rule (no Apache) on inputs of about --size bytes
(default 1 MB) built to hit their worst paths (many tiny fields, one huge
field, runs of CR or of partial delimiters, unterminated quotes, every
byte escaped, ...), and prints the best of --repeat runs per shape in
milliseconds plus the throughput.  Parsers whose cost is linear in the
input stay well under a second for every shape; a quadratic path shows up
as seconds.  Error outcomes (a limit, a malformed body) are timed too: the
time to reject counts as much as the time to accept.  Figures are in
docs/security.md.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib" / "python"))

from mod_python import Cookie
from mod_python._parse import (
    MultipartParser,
    ParseError,
    parse_cookie_header,
    parse_header,
    parse_multipart,
    parse_qsl,
    parse_query,
    text_from_bytes,
    text_to_bytes,
)
from mod_python._psp_parse import compile_page, parse

B = b"----bench0boundary"


def fill(unit: bytes, size: int) -> bytes:
    return unit * max(1, size // len(unit))


def mp(parts: list[bytes], preamble: bytes = b"") -> bytes:
    body = preamble + b"".join(b"\r\n--" + B + b"\r\n" + p for p in parts)
    return (body if preamble else body[2:]) + b"\r\n--" + B + b"--\r\n"


def field(name: bytes, value: bytes) -> bytes:
    return b'Content-Disposition: form-data; name="' + name + b'"\r\n\r\n' + value


def file_part(value: bytes) -> bytes:
    return (b'Content-Disposition: form-data; name="f"; filename="x.bin"\r\n'
            b"Content-Type: application/octet-stream\r\n\r\n" + value)


def stream(body: bytes, read: int) -> None:
    p = MultipartParser(B, max_parts=None, max_header_size=None)
    for i in range(0, len(body), read):
        p.feed(body[i:i + read])
    p.close()


def outcome(fn: Callable[[], object]) -> str:
    try:
        fn()
    except ParseError as exc:
        return type(exc).__name__
    return "ok"


def shapes(size: int) -> list[tuple[str, Callable[[], object]]]:
    n_small = size // 10
    qs_small = fill(b"a=1&", size)
    qs_big = b"a=" + b"x" * size
    qs_esc = b"a=" + fill(b"%41", size)
    qs_seps = fill(b"&;", size)
    qs_utf8 = fill("k=caf\u00e9&".encode(), size)
    qs_text = text_from_bytes(qs_utf8 + b"&bad=\xff")
    small_fields = mp([field(b"f%d" % i, b"v") for i in range(n_small // 4)])
    one_file = mp([file_part(b"z" * size)])
    cr_run = mp([file_part(fill(b"\r", size))])
    partial_delims = mp([file_part(fill(b"\r\n--" + B[:-1] + b"x", size))])
    no_boundary = b"x" * size
    preamble = mp([field(b"a", b"1")], preamble=fill(b"--" + B[:-2] + b"\r\n",
                                                     size))
    header_block = mp([b"X-A: " + b"h" * (size - 100) + b"\r\n"
                       + field(b"a", b"1")])
    cookies = fill(b"name=value; ", size).decode()
    cookies_odd = fill(b"c[x]=1, ,=; $a=b; ", size).decode()
    ctype_opts = "multipart/form-data" + fill(b"; a=b", size).decode()
    ctype_quote = 'multipart/form-data; boundary="' + "x" * size
    ctype_escapes = 'text/plain; a="' + fill(b"\\\"", size).decode() + '"'
    psp_text = fill(b"<p>hello world</p>\n", size).decode()
    psp_exprs = fill(b"<%= 1 %>x", size).decode()
    raw_bytes = bytes(range(256)) * (size // 256)
    return [
        ("query: 1-byte fields (a=1&...)", lambda: parse_qsl(qs_small, True)),
        ("query: one 1 MB value", lambda: parse_qsl(qs_big)),
        ("query: every byte %-escaped", lambda: parse_qsl(qs_esc)),
        ("query: only separators", lambda: parse_qsl(qs_seps, True)),
        ("query: raw UTF-8, per-field decode", lambda: parse_query(qs_text)),
        ("urlencoded body (bytes)", lambda: parse_qsl(qs_small, True)),
        ("multipart one-shot: ~25k small fields",
         lambda: parse_multipart(small_fields, B, max_parts=None)),
        ("multipart stream 64K: ~25k small fields",
         lambda: stream(small_fields, 65536)),
        ("multipart one-shot: one 1 MB file", lambda: parse_multipart(
            one_file, B)),
        ("multipart stream 64K: one 1 MB file", lambda: stream(one_file, 65536)),
        ("multipart stream 1K: one 1 MB file", lambda: stream(one_file, 1024)),
        ("multipart one-shot: 1 MB of CR", lambda: parse_multipart(cr_run, B)),
        ("multipart stream 64K: 1 MB of CR", lambda: stream(cr_run, 65536)),
        ("multipart stream 64K: partial delimiters",
         lambda: stream(partial_delims, 65536)),
        ("multipart one-shot: partial delimiters",
         lambda: parse_multipart(partial_delims, B)),
        ("multipart stream 64K: no boundary at all",
         lambda: outcome(lambda: stream(no_boundary, 65536))),
        ("multipart stream 64K: 1 MB near-boundary preamble",
         lambda: stream(preamble, 65536)),
        ("multipart one-shot: 1 MB part header (no limit)",
         lambda: parse_multipart(header_block, B, max_header_size=None)),
        ("multipart stream 64K: 1 MB part header (16K limit)",
         lambda: outcome(lambda: MultipartParser(B).feed(header_block))),
        ("Cookie header: ~90k pairs", lambda: parse_cookie_header(cookies)),
        ("Cookie.parse: odd names and commas",
         lambda: Cookie.Cookie.parse(cookies_odd)),
        ("Content-Type: ~200k options", lambda: parse_header(ctype_opts)),
        ("Content-Type: unterminated 1 MB quote",
         lambda: parse_header(ctype_quote)),
        ("Content-Type: 1 MB of escapes", lambda: parse_header(ctype_escapes)),
        ("PSP: 1 MB of text", lambda: compile_page(parse(psp_text))),
        ("PSP: ~110k expressions", lambda: compile_page(parse(psp_exprs))),
        ("text rule: 1 MB every byte value, in and out",
         lambda: text_to_bytes(text_from_bytes(raw_bytes))),
    ]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args()
    rows = []
    for name, fn in shapes(args.size):
        best = float("inf")
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - t0)
            if best > 2.0:
                break       # one run is enough to show a slow shape
        rows.append((name, best))
    worst = max(t for _, t in rows)
    if args.markdown:
        print(f"| input (about {args.size} bytes) | ms per parse | MB/s |")
        print("|---|---:|---:|")
        for name, t in rows:
            print(f"| {name} | {t * 1000:.1f} | {args.size / t / 1e6:.0f} |")
    else:
        for name, t in rows:
            print(f"{name:55s} {t * 1000:9.1f} ms {args.size / t / 1e6:8.0f} MB/s")
    print(f"\nslowest: {worst * 1000:.1f} ms (Python {sys.version.split()[0]})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
