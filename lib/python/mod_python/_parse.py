"""Sans-IO parsers for request data: query strings, multipart bodies,
header options and the Cookie header.

Nothing here does I/O or imports ``_apache``: the adapters in
:mod:`mod_python.util`, :mod:`mod_python.Cookie` and
:mod:`mod_python.Session` feed these parsers, so they can be tested without a
server.

Text and bytes: functions that take ``str`` return ``str`` and functions that
take ``bytes`` return ``bytes``.  The text rule of the whole package (the C
side is ``mp_str_from_c``/``mp_text_bytes`` in ``src/mp_util.c``): bytes
become ``str`` by :func:`text_from_bytes` (UTF-8 with ``surrogateescape``)
and ``str`` becomes bytes by :func:`text_to_bytes` (the inverse), so text
read from the request and written back is the same bytes.  Multipart part
headers are decoded by the same function.  Form field *values* are user
text, not a crossing: :func:`decode_field` decodes them one field at a time,
as UTF-8 or, for a field that is not valid UTF-8, as Latin-1.

Every limit violation raises a subclass of :class:`ParseError` (a
``ValueError``), so a caller can map it to an HTTP status in one place:
:class:`LimitError` subclasses mean "too large" (413), the others mean
"malformed" (400).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import AnyStr, Final
from urllib.parse import unquote, unquote_to_bytes

__all__ = [
    "BodyTooLarge",
    "FieldTooLarge",
    "LimitError",
    "MalformedMultipart",
    "MalformedQuery",
    "MultipartParser",
    "ParseError",
    "PartData",
    "PartEnd",
    "PartHeaderTooLarge",
    "PartStart",
    "TooManyFields",
    "decode_field",
    "decode_header_bytes",
    "parse_cookie_header",
    "parse_header",
    "parse_multipart",
    "parse_qs",
    "parse_qsl",
    "parse_query",
    "split_plain_form",
    "text_from_bytes",
    "text_to_bytes",
]

#: Default limits (callers usually pass their own).
DEFAULT_MAX_FIELDS: Final = 1000
DEFAULT_MAX_HEADER_SIZE: Final = 16 * 1024


# ---------------------------------------------------------------------------
# Exceptions
# ---------------------------------------------------------------------------


class ParseError(ValueError):
    """Request data could not be parsed (maps to 400 Bad Request)."""


class MalformedQuery(ParseError):
    """A query string field has no ``=`` while strict parsing is on."""


class MalformedMultipart(ParseError):
    """A multipart body does not follow RFC 7578/2046 (or is truncated)."""


class LimitError(ParseError):
    """A configured limit was exceeded (maps to 413 Content Too Large)."""


class TooManyFields(LimitError):
    """More fields (or parts) than ``max_fields``."""


class FieldTooLarge(LimitError):
    """A non-file field is larger than ``max_field_size``."""


class PartHeaderTooLarge(LimitError):
    """The header block of one multipart part exceeds ``max_header_size``."""


class BodyTooLarge(LimitError):
    """The body is larger than ``max_body_size``."""


# ---------------------------------------------------------------------------
# Query strings
# ---------------------------------------------------------------------------

_UNESCAPE = re.compile(r"\\(.)", re.DOTALL)
_first_group = operator.itemgetter(1)
_QS_SEP_STR = re.compile(r"[&;]")
_QS_SEP_BYTES = re.compile(rb"[&;]")


def _unquote_plus(value: AnyStr, encoding: str, errors: str) -> AnyStr:
    if isinstance(value, bytes):
        return unquote_to_bytes(value.replace(b"+", b" "))
    return unquote(value.replace("+", " "), encoding=encoding, errors=errors)


def parse_qsl(
    qs: AnyStr,
    keep_blank_values: bool | int = False,
    strict_parsing: bool | int = False,
    max_num_fields: int | None = None,
    *,
    encoding: str = "utf-8",
    errors: str = "replace",
) -> list[tuple[AnyStr, AnyStr]]:
    """Split a query string into ``(name, value)`` pairs, in order.

    Fields are separated by ``&`` or ``;``; ``+`` means a space and
    ``%XX`` escapes are decoded (with *encoding*/*errors* for ``str`` input;
    ``bytes`` input gives raw bytes).  Fields with an empty value are
    dropped unless *keep_blank_values*; a field without ``=`` counts as a
    blank value, or raises :class:`MalformedQuery` with *strict_parsing*.
    More than *max_num_fields* fields raise :class:`TooManyFields`.
    """
    if isinstance(qs, bytes):
        parts: list[AnyStr] = _QS_SEP_BYTES.split(qs)
        eq: AnyStr = b"="
        empty: AnyStr = b""
    else:
        parts = _QS_SEP_STR.split(qs)
        eq = "="
        empty = ""
    if max_num_fields is not None:
        count = sum(1 for p in parts if p)
        if count > max_num_fields:
            raise TooManyFields(
                f"{count} query fields, at most {max_num_fields} allowed")
    out: list[tuple[AnyStr, AnyStr]] = []
    for part in parts:
        if not part:
            continue
        name, sep, value = part.partition(eq)
        if not sep:
            if strict_parsing:
                raise MalformedQuery(f"bad query field: {part!r}")
            value = empty
        if not value and not keep_blank_values:
            continue
        # The name is the part before '=' (3.5's C parser could return the
        # value as the key for some inputs; spec 7, defect 4).
        out.append((_unquote_plus(name, encoding, errors),
                    _unquote_plus(value, encoding, errors)))
    return out


def parse_qs(
    qs: AnyStr,
    keep_blank_values: bool | int = False,
    strict_parsing: bool | int = False,
    max_num_fields: int | None = None,
    *,
    encoding: str = "utf-8",
    errors: str = "replace",
) -> dict[AnyStr, list[AnyStr]]:
    """Like :func:`parse_qsl`, grouped: ``{name: [value, ...]}``."""
    result: dict[AnyStr, list[AnyStr]] = {}
    for name, value in parse_qsl(qs, keep_blank_values, strict_parsing,
                                 max_num_fields, encoding=encoding,
                                 errors=errors):
        result.setdefault(name, []).append(value)
    return result


def parse_query(
    qs: str | bytes,
    keep_blank_values: bool | int = False,
    strict_parsing: bool | int = False,
    max_num_fields: int | None = None,
    encoding: str = "utf-8",
) -> list[tuple[str, bytes]]:
    """The fields of a query string as ``(name, value bytes)``.

    A ``str`` *qs* (``req.args``) is first turned back into its own bytes
    by the text rule; the query is split and %-decoded as bytes, and each
    name is decoded by :func:`decode_field` on its own, so one field that
    is not valid UTF-8 (raw or %-escaped) leaves the others as they are.
    Values stay bytes (``Field`` decodes them the same way, per field).
    """
    raw = text_to_bytes(qs) if isinstance(qs, str) else bytes(qs)
    return [(decode_field(name, encoding), value)
            for name, value in parse_qsl(raw, keep_blank_values,
                                         strict_parsing, max_num_fields)]


# ---------------------------------------------------------------------------
# Header options (Content-Type, Content-Disposition)
# ---------------------------------------------------------------------------

_OPTION_RE = re.compile(
    r"""
    ;\s*
    (?P<key>[^\s;=]+)              # option name
    \s*
    (?:=\s*
       (?:"(?P<quoted>[^"\\]*(?:\\.[^"\\]*)*)"   # quoted-string, escapes
        |(?P<token>[^;]*?)                 # or a bare token
       )
    )?
    \s*(?=;|$)
    """,
    re.VERBOSE | re.DOTALL,
)


def _decode_ext_value(value: str) -> str:
    """RFC 5987/2231 ``charset'lang'%XX..`` (e.g. ``filename*``)."""
    charset, _, rest = value.partition("'")
    _, _, encoded = rest.partition("'")
    try:
        return unquote(encoded, encoding=charset or "utf-8", errors="strict")
    except (LookupError, UnicodeDecodeError):
        return unquote(encoded, encoding="latin-1")


def parse_header(line: str | bytes) -> tuple[str, dict[str, str]]:
    """Split ``text/plain; charset="utf-8"`` into ``("text/plain", {...})``.

    The main value is lower-cased, option names too.  Quoted values may
    contain ``;`` and backslash escapes; ``name*=utf-8''...`` (RFC 5987) is
    decoded and stored under ``name``, taking precedence.  Broken options are
    skipped rather than fatal.
    """
    if isinstance(line, bytes):
        line = decode_header_bytes(line)
    main, sep, rest = line.partition(";")
    options: dict[str, str] = {}
    if sep:
        pairs = (_split_options(rest) if '"' not in rest and "\\" not in rest
                 else _regex_options(rest))
        extended: dict[str, str] = {}
        for key, value in pairs:
            if key.endswith("*"):
                extended[key[:-1]] = _decode_ext_value(value)
            else:
                options[key] = value
        options.update(extended)
    return main.strip().lower(), options


def _regex_options(rest: str) -> list[tuple[str, str]]:
    """The ``(name, value)`` options after the first ``;`` of a header."""
    out = []
    for m in _OPTION_RE.finditer(";" + rest):
        if m["quoted"] is not None:
            quoted = m["quoted"]
            # a function, not the template r"\1": 3x faster on long runs
            value = (_UNESCAPE.sub(_first_group, quoted) if "\\" in quoted
                     else quoted)
        else:
            value = (m["token"] or "").strip()
        out.append((m["key"].lower(), value))
    return out


def _split_options(rest: str) -> list[tuple[str, str]]:
    """:func:`_regex_options` for options without quotes or backslashes
    (the usual ``boundary=...``, ``charset=...``), by splitting: the
    regular expression backtracks over every character of a value."""
    out = []
    for item in rest.split(";"):
        key, _, value = item.partition("=")
        words = key.split()
        if len(words) == 1:     # a name without white space inside
            out.append((words[0].lower(), value.strip()))
    return out


#: The text rule: the codec and error handler of every str/bytes crossing.
TEXT_ENCODING: Final = "utf-8"
TEXT_ERRORS: Final = "surrogateescape"


def text_from_bytes(raw: bytes) -> str:
    """Bytes to str by the text rule: UTF-8, each byte that is not part of
    valid UTF-8 as a lone surrogate U+DC80..U+DCFF (PEP 383).  Never
    fails, and :func:`text_to_bytes` gives *raw* back exactly."""
    return raw.decode(TEXT_ENCODING, TEXT_ERRORS)


def text_to_bytes(text: str) -> bytes:
    """Str to bytes by the text rule (the inverse of
    :func:`text_from_bytes`).  Raises ``UnicodeEncodeError`` only for a
    surrogate that no read can produce."""
    return text.encode(TEXT_ENCODING, TEXT_ERRORS)


#: Multipart part headers (names, file names) follow the text rule.
decode_header_bytes = text_from_bytes


def decode_field(raw: bytes, encoding: str = "utf-8") -> str:
    """The text of one form field name or value: *raw* decoded as
    *encoding*, or as Latin-1 when it is not valid in *encoding* (the
    documented fallback, applied to this field only)."""
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError:
        return raw.decode("latin-1")
    except LookupError:
        return raw.decode("utf-8", "replace")


# ---------------------------------------------------------------------------
# Multipart
# ---------------------------------------------------------------------------


@dataclass(slots=True)
class PartStart:
    """A part begins; ``headers`` in order, names lower-cased."""

    headers: list[tuple[str, str]]
    name: str
    filename: str | None
    content_type: str
    type_options: dict[str, str]
    disposition: str
    disposition_options: dict[str, str]


@dataclass(slots=True)
class PartData:
    """Some bytes of the current part's content (any size, may be empty)."""

    data: bytes


@dataclass
class PartEnd:
    """The current part is complete."""


Event = PartStart | PartData | PartEnd

_PREAMBLE, _AFTER_FIRST, _HEADERS, _DATA, _AFTER_DELIM, _END = range(6)


@dataclass
class MultipartParser:
    """Incremental ``multipart/form-data`` parser.

    Feed body chunks of any size with :meth:`feed`, which returns the
    events they complete (:class:`PartStart`, :class:`PartData`,
    :class:`PartEnd`); call :meth:`close` at the end of the body, which
    raises :class:`MalformedMultipart` if the closing boundary was not seen.
    Memory use is bounded by the chunk size plus the part-header limit: part
    content is passed on as it arrives, holding back only the bytes that
    could be the start of a split delimiter.

    Limits: *max_parts* parts (:class:`TooManyFields`), *max_header_size*
    bytes per part header block (:class:`PartHeaderTooLarge`),
    *max_body_size* bytes in total (:class:`BodyTooLarge`) and
    *max_field_size* bytes of content for a part without a ``filename``
    (:class:`FieldTooLarge`).  ``None`` disables a limit.
    """

    boundary: bytes
    max_parts: int | None = DEFAULT_MAX_FIELDS
    max_header_size: int | None = DEFAULT_MAX_HEADER_SIZE
    max_body_size: int | None = None
    max_field_size: int | None = None
    parts: int = field(default=0, init=False)
    received: int = field(default=0, init=False)
    _buf: bytearray = field(default_factory=bytearray, init=False, repr=False)
    _state: int = field(default=_PREAMBLE, init=False, repr=False)
    _field_size: int = field(default=0, init=False, repr=False)
    _is_file: bool = field(default=False, init=False, repr=False)
    # True until the first bytes of the body have been looked at: only
    # there may the first boundary come without a CRLF before it.
    _body_start: bool = field(default=True, init=False, repr=False)

    def __post_init__(self) -> None:
        if isinstance(self.boundary, str):
            self.boundary = text_to_bytes(self.boundary)
        if not self.boundary or len(self.boundary) > 200:
            raise MalformedMultipart("bad multipart boundary")
        self._dash_boundary = b"--" + self.boundary
        self._delimiter = b"\r\n--" + self.boundary

    @property
    def complete(self) -> bool:
        """True once the closing delimiter has been seen."""
        return self._state == _END

    def feed(self, data: bytes) -> list[Event]:
        """Consume *data*; return the events it completes."""
        self.received += len(data)
        if self.max_body_size is not None and self.received > self.max_body_size:
            raise BodyTooLarge(
                f"body larger than {self.max_body_size} bytes")
        if self._state == _END:
            return []  # the epilogue is ignored
        self._buf += data
        return list(self._run())

    def close(self) -> list[Event]:
        """Signal the end of the body; raise if it was truncated."""
        if self._state != _END:
            raise MalformedMultipart("multipart body is truncated "
                                     "(no closing boundary)")
        return []

    # -- state machine ----------------------------------------------------

    def _run(self) -> Iterator[Event]:
        buf = self._buf
        while True:
            if self._state == _PREAMBLE:
                if not self._skip_preamble():
                    return
            elif self._state == _AFTER_FIRST:
                if not self._after_first():
                    return
            elif self._state == _HEADERS:
                start = self._parse_headers()
                if start is None:
                    return
                yield start
            elif self._state == _DATA:
                data, done = self._take_data()
                if data:
                    yield PartData(data)
                if not done:
                    return
            elif self._state == _AFTER_DELIM:
                if len(buf) < 2:
                    return
                if buf[:2] == b"--":
                    del buf[:]
                    self._state = _END
                    yield PartEnd()
                    return
                # transport padding, then CRLF
                i = 0
                while i < len(buf) and buf[i] in b" \t":
                    i += 1
                if len(buf) - i < 2:
                    if i > 1024:
                        raise MalformedMultipart("junk after boundary")
                    return
                if buf[i:i + 2] != b"\r\n":
                    raise MalformedMultipart("junk after boundary")
                del buf[:i + 2]
                self._state = _HEADERS
                yield PartEnd()
            else:  # _END
                del buf[:]
                return

    def _skip_preamble(self) -> bool:
        # RFC 2046: a boundary counts only at the start of a line, i.e. at
        # the start of the body or after CRLF, whatever the read sizes.
        buf = self._buf
        dash = self._dash_boundary
        if self._body_start:
            if len(buf) < len(dash) and dash.startswith(buf):
                return False    # could still be the first boundary
            self._body_start = False
            if buf.startswith(dash):
                del buf[:len(dash)]
                self._state = _AFTER_FIRST
                return True
        pos = buf.find(self._delimiter)
        if pos < 0:
            # keep what could be the start of a split delimiter; it is no
            # longer at the start of the body, so it needs its CRLF
            keep = len(self._delimiter) - 1
            if len(buf) > keep:
                del buf[:len(buf) - keep]
            return False
        del buf[:pos + len(self._delimiter)]
        self._state = _AFTER_FIRST
        return True

    def _after_first(self) -> bool:
        # After the first boundary: "--" (an empty body) or CRLF.
        buf = self._buf
        if len(buf) < 2:
            return False
        if buf[:2] == b"--":
            del buf[:]
            self._state = _END  # a body without parts
            return False
        i = 0
        while i < len(buf) and buf[i] in b" \t":
            i += 1
        if len(buf) - i < 2:
            return False
        if buf[i:i + 2] != b"\r\n":
            raise MalformedMultipart("junk after the first boundary")
        del buf[:i + 2]
        self._state = _HEADERS
        return True

    def _parse_headers(self) -> PartStart | None:
        buf = self._buf
        if buf.startswith(b"\r\n"):
            end, skip = 0, 2  # no headers at all
        else:
            end = buf.find(b"\r\n\r\n")
            skip = 4
            if end < 0:
                if (self.max_header_size is not None
                        and len(buf) > self.max_header_size):
                    raise PartHeaderTooLarge(
                        f"part header larger than {self.max_header_size} "
                        "bytes")
                return None
        if self.max_header_size is not None and end > self.max_header_size:
            raise PartHeaderTooLarge(
                f"part header larger than {self.max_header_size} bytes")
        raw = bytes(buf[:end])
        del buf[:end + skip]
        self.parts += 1
        if self.max_parts is not None and self.parts > self.max_parts:
            raise TooManyFields(
                f"more than {self.max_parts} multipart parts")
        start = _part_start(raw)
        self._is_file = start.filename is not None
        self._field_size = 0
        self._state = _DATA
        return start

    def _take_data(self) -> tuple[bytes, bool]:
        """Return (content bytes, delimiter found)."""
        buf = self._buf
        pos = buf.find(self._delimiter)
        if pos >= 0:
            data = bytes(buf[:pos])
            del buf[:pos + len(self._delimiter)]
            self._state = _AFTER_DELIM
            done = True
        else:
            # Everything except a tail that might begin a split delimiter.
            cut = len(buf)
            cr = buf.find(b"\r", max(0, len(buf) - len(self._delimiter) + 1))
            while cr >= 0:
                if self._delimiter.startswith(bytes(buf[cr:])):
                    cut = cr
                    break
                cr = buf.find(b"\r", cr + 1)
            data = bytes(buf[:cut])
            del buf[:cut]
            done = False
        if not self._is_file and self.max_field_size is not None:
            self._field_size += len(data)
            if self._field_size > self.max_field_size:
                raise FieldTooLarge(
                    f"form field larger than {self.max_field_size} bytes")
        return data, done


# The part header block that browsers send for a plain field, matched as a
# whole: ``Content-Disposition: form-data; name="..."`` and nothing else.
# The result is the same as the general path below gives; everything else
# (file parts, extra headers, escapes, odd spacing) takes that path.
_SIMPLE_PART_RE = re.compile(
    rb'content-disposition:[ \t]*form-data;[ \t]?name="([^"\\\r\n]*)"[ \t]*',
    re.IGNORECASE)
_CD_LEN = len(b"content-disposition:")


def _part_start(raw: bytes) -> PartStart:
    m = _SIMPLE_PART_RE.fullmatch(raw)
    if m is not None:
        # Decoding the value decodes the name the same way (the rest of
        # the line is ASCII).
        value = decode_header_bytes(raw[_CD_LEN:].strip())
        name = decode_header_bytes(m[1])
        return PartStart([("content-disposition", value)], name, None,
                         "text/plain", {}, "form-data", {"name": name})
    headers: list[tuple[str, str]] = []
    for line in raw.split(b"\r\n"):
        if line[:1] in (b" ", b"\t") and headers:
            # obsolete line folding: continue the previous header
            name, value = headers[-1]
            headers[-1] = (name, value + " " + decode_header_bytes(line.strip()))
            continue
        name_b, sep, value_b = line.partition(b":")
        if not sep or not name_b.strip():
            raise MalformedMultipart(f"bad part header line: {line[:80]!r}")
        headers.append((decode_header_bytes(name_b.strip()).lower(),
                        decode_header_bytes(value_b.strip())))
    hmap = dict(headers)
    cd_raw = hmap.get("content-disposition")
    if cd_raw is None:
        raise MalformedMultipart("part without Content-Disposition")
    if _open_quote(cd_raw):
        raise MalformedMultipart(
            f"unterminated quoted string in Content-Disposition: "
            f"{cd_raw[:80]!r}")
    disposition, disp_opts = parse_header(cd_raw)
    part_name = disp_opts.get("name")
    if part_name is None:
        raise MalformedMultipart("part without a name in Content-Disposition")
    ctype_raw = hmap.get("content-type")
    if ctype_raw:
        ctype, type_opts = parse_header(ctype_raw)
        if "/" not in ctype:
            ctype = "application/octet-stream"
    else:
        ctype, type_opts = "text/plain", {}
    return PartStart(
        headers=headers,
        name=part_name,
        filename=disp_opts.get("filename"),
        content_type=ctype,
        type_options=type_opts,
        disposition=disposition,
        disposition_options=disp_opts,
    )


def _open_quote(value: str) -> bool:
    """True when *value* ends inside a quoted string (``name="a``)."""
    quoted = escaped = False
    for c in value:
        if escaped:
            escaped = False
        elif quoted and c == "\\":
            escaped = True
        elif c == '"':
            quoted = not quoted
    return quoted


def _skip_padding(body: bytes, pos: int, what: str) -> int:
    """After a boundary: transport padding (spaces, tabs), then CRLF.
    The position after the CRLF."""
    end = len(body)
    while pos < end and body[pos] in b" \t":
        pos += 1
    if pos + 2 > end:
        raise MalformedMultipart("multipart body is truncated "
                                 "(no closing boundary)")
    if body[pos:pos + 2] != b"\r\n":
        raise MalformedMultipart(f"junk after {what}")
    return pos + 2


def parse_multipart(
    body: bytes,
    boundary: bytes | str,
    *,
    max_parts: int | None = DEFAULT_MAX_FIELDS,
    max_header_size: int | None = DEFAULT_MAX_HEADER_SIZE,
    max_body_size: int | None = None,
    max_field_size: int | None = None,
) -> list[tuple[PartStart, bytes]]:
    """Parse a complete ``multipart/form-data`` body held in memory.

    Returns ``(part start, content)`` for every part, in order.  The result
    and the errors are those of feeding *body* to a :class:`MultipartParser`
    with the same limits and closing it, but without an event loop: the
    body is split at the delimiters in one call and each plain field is
    recognised by one regular expression.  Anything unusual (a truncated
    body, a limit reached, a delimiter inside a header block) is left to a
    part-by-part scan that reports the exact error.  (For a truncated body the error may be
    :class:`MalformedMultipart` where the incremental parser, which sees the
    content as it arrives, would first report :class:`FieldTooLarge`.)
    """
    if isinstance(boundary, str):
        boundary = text_to_bytes(boundary)
    if not boundary or len(boundary) > 200:
        raise MalformedMultipart("bad multipart boundary")
    if max_body_size is not None and len(body) > max_body_size:
        raise BodyTooLarge(f"body larger than {max_body_size} bytes")
    plain = split_plain_form(body, boundary, max_parts, max_header_size,
                             max_field_size)
    if plain is not None:
        return [(PartStart([("content-disposition",
                             f'form-data; name="{name}"')],
                           name, None, "text/plain", {}, "form-data",
                           {"name": name}), data)
                for name, data in zip(*plain)]
    parts = _split_multipart(body, boundary, max_parts, max_header_size,
                             max_field_size)
    if parts is None:
        parts = _parse_multipart_seq(body, boundary, max_parts,
                                     max_header_size, max_field_size)
    return parts


# A segment between two delimiters that is a plain field as browsers send
# it; groups: the name, the content.
_BROWSER_FIELD_RE = re.compile(
    rb'\r\nContent-Disposition: form-data; name="([^"\\\r\n]*)"\r\n\r\n(.*)',
    re.DOTALL)
_BROWSER_FIELD_HEADER = len(b'Content-Disposition: form-data; name=""')


def split_plain_form(
    body: bytes,
    boundary: bytes,
    max_parts: int | None = DEFAULT_MAX_FIELDS,
    max_header_size: int | None = DEFAULT_MAX_HEADER_SIZE,
    max_field_size: int | None = None,
) -> tuple[list[str], list[bytes]] | None:
    """``(names, contents)`` of a body made only of plain fields with the
    exact header browsers send (``Content-Disposition: form-data;
    name="..."``, ASCII name), no preamble and no limit reached; None for
    any other body, which :func:`parse_multipart` then handles.

    The result is what :func:`parse_multipart` gives for such a body (its
    fast path uses this), but the per-part work is done by C loops
    (``bytes.split``, ``map`` over a compiled pattern), not by Python code.
    """
    dash_boundary = b"--" + boundary
    if not body.startswith(dash_boundary):
        return None
    segments = body[len(dash_boundary):].split(b"\r\n" + dash_boundary)
    # The last segment is the closing "--" (and the epilogue); a delimiter
    # in the epilogue makes a segment that does not match below.
    if len(segments) < 2 or not segments[-1].startswith(b"--"):
        return None
    del segments[-1]
    if max_parts is not None and len(segments) > max_parts:
        return None
    matches = list(map(_BROWSER_FIELD_RE.fullmatch, segments))
    if None in matches:
        return None
    pairs = list(map(re.Match.groups, matches))  # type: ignore[arg-type]
    names_b: tuple[bytes, ...]
    contents: tuple[bytes, ...]
    names_b, contents = zip(*pairs)
    if not b"".join(names_b).isascii():
        return None
    if (max_header_size is not None and max(map(len, names_b))
            + _BROWSER_FIELD_HEADER > max_header_size):
        return None
    if (max_field_size is not None
            and max(map(len, contents)) > max_field_size):
        return None
    return list(map(bytes.decode, names_b)), list(contents)


# After a delimiter: padding, CRLF, a plain field's header block, CRLFCRLF.
# Groups: the Content-Disposition value, the name.
_SIMPLE_SEGMENT_RE = re.compile(
    rb'[ \t]*\r\ncontent-disposition:[ \t]*(form-data;[ \t]?'
    rb'name="([^"\\\r\n]*)")[ \t]*\r\n\r\n',
    re.IGNORECASE)
_PADDED_CRLF_RE = re.compile(rb"[ \t]*\r\n")


def _split_multipart(
    body: bytes,
    boundary: bytes,
    max_parts: int | None,
    max_header_size: int | None,
    max_field_size: int | None,
) -> list[tuple[PartStart, bytes]] | None:
    """The fast path of :func:`parse_multipart`; None when the body needs
    the part-by-part scan (it is malformed, truncated or over a limit)."""
    dash_boundary = b"--" + boundary
    if body.startswith(dash_boundary):
        segments = body[len(dash_boundary):].split(b"\r\n" + dash_boundary)
    else:
        segments = body.split(b"\r\n" + dash_boundary)
        del segments[0]     # the preamble
    # Limits that the whole body cannot reach need no check per part.
    if max_parts is not None and len(segments) <= max_parts:
        max_parts = None
    if max_field_size is not None and len(body) <= max_field_size:
        max_field_size = None
    if max_header_size is not None and len(body) <= max_header_size:
        max_header_size = None
    out: list[tuple[PartStart, bytes]] = []
    append = out.append
    match = _SIMPLE_SEGMENT_RE.match
    for seg in segments:
        if seg.startswith(b"--"):
            return out      # the closing delimiter; the epilogue is ignored
        if max_parts is not None and len(out) >= max_parts:
            return None
        m = match(seg)
        if m is not None and m[0].isascii():
            start = m.end()
            if (max_header_size is not None
                    and start - seg.index(b"\r\n") - 6 > max_header_size):
                return None
            name = m[2].decode("ascii")
            part = PartStart([("content-disposition", m[1].decode("ascii"))],
                             name, None, "text/plain", {}, "form-data",
                             {"name": name})
        else:
            pm = _PADDED_CRLF_RE.match(seg)
            if pm is None:
                return None
            pos = pm.end()
            if seg.startswith(b"\r\n", pos):
                raw = b""
                start = pos + 2
            else:
                end = seg.find(b"\r\n\r\n", pos)
                if end < 0 or (max_header_size is not None
                               and end - pos > max_header_size):
                    return None
                raw = seg[pos:end]
                start = end + 4
            part = _part_start(raw)
        data = seg[start:]
        if (max_field_size is not None and part.filename is None
                and len(data) > max_field_size):
            return None
        append((part, data))
    return None             # no closing delimiter: truncated


def _parse_multipart_seq(
    body: bytes,
    boundary: bytes,
    max_parts: int | None,
    max_header_size: int | None,
    max_field_size: int | None,
) -> list[tuple[PartStart, bytes]]:
    """:func:`parse_multipart`, one part after the other."""
    dash_boundary = b"--" + boundary
    delimiter = b"\r\n" + dash_boundary
    dlen = len(delimiter)
    if body.startswith(dash_boundary):
        pos = len(dash_boundary)
    else:
        pos = body.find(delimiter)
        if pos < 0:
            raise MalformedMultipart("multipart body is truncated "
                                     "(no closing boundary)")
        pos += dlen
    out: list[tuple[PartStart, bytes]] = []
    if body.startswith(b"--", pos):
        return out  # a body without parts
    pos = _skip_padding(body, pos, "the first boundary")
    find = body.find
    while True:
        # part headers
        if body.startswith(b"\r\n", pos):
            raw = b""
            start = pos + 2
        else:
            end = find(b"\r\n\r\n", pos)
            if end < 0:
                if (max_header_size is not None
                        and len(body) - pos > max_header_size):
                    raise PartHeaderTooLarge(
                        f"part header larger than {max_header_size} bytes")
                raise MalformedMultipart("multipart body is truncated "
                                         "(no closing boundary)")
            if max_header_size is not None and end - pos > max_header_size:
                raise PartHeaderTooLarge(
                    f"part header larger than {max_header_size} bytes")
            raw = body[pos:end]
            start = end + 4
        if max_parts is not None and len(out) >= max_parts:
            raise TooManyFields(f"more than {max_parts} multipart parts")
        part = _part_start(raw)
        check = max_field_size is not None and part.filename is None
        # content
        end = find(delimiter, start)
        if end < 0:
            if check and len(body) - start - dlen + 1 > max_field_size:  # type: ignore[operator]
                raise FieldTooLarge(
                    f"form field larger than {max_field_size} bytes")
            raise MalformedMultipart("multipart body is truncated "
                                     "(no closing boundary)")
        if check and end - start > max_field_size:  # type: ignore[operator]
            raise FieldTooLarge(
                f"form field larger than {max_field_size} bytes")
        out.append((part, body[start:end]))
        pos = end + dlen
        if body.startswith(b"--", pos):
            return out  # the epilogue is ignored
        pos = _skip_padding(body, pos, "boundary")


# ---------------------------------------------------------------------------
# Cookie header
# ---------------------------------------------------------------------------


_COOKIE_SPLIT = re.compile(r";|,(?=\s*[^\s=;,]+=)")
_BAD_COOKIE_NAME = re.compile(r"[ \t\r\n\0,]")


def parse_cookie_header(header: str) -> list[tuple[str, str]]:
    """Split a ``Cookie`` request header into ``(name, value)`` pairs.

    Tolerant on purpose, like browsers and Werkzeug, and unlike
    :class:`http.cookies.SimpleCookie`: SimpleCookie stops at the first
    pair it considers invalid and silently drops every cookie after it (so
    one odd cookie set by another application on the same domain hides the
    session cookie), rejects names with characters such as ``:`` or ``[``
    that real sites use, and rewrites values with its own octal unquoting.
    Here each ``;``-separated ``name=value`` is taken as it is:
    surrounding white space and stray leading commas are removed, quoted
    values are kept verbatim, pairs without ``=`` or with an empty name are
    skipped, and names starting with ``$`` (RFC 2109 attributes such as
    ``$Path``) are ignored.  Order is kept; the caller decides what a
    repeated name means.

    Apache joins repeated ``Cookie`` request headers with ``", "``, so a
    comma followed by ``name=`` also separates pairs (RFC 6265 values
    cannot contain commas).
    """
    out: list[tuple[str, str]] = []
    append = out.append
    bad_name = _BAD_COOKIE_NAME.search
    for item in _COOKIE_SPLIT.split(header):
        name, sep, value = item.partition("=")
        if not sep:
            continue
        name = name.strip().lstrip(",").strip()
        if not name or name[0] == "$" or bad_name(name):
            continue
        append((name, value.strip()))
    return out
