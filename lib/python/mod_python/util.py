"""mod_python.util: form parsing, redirects and small request helpers.

This is the I/O side: :class:`FieldStorage` reads the request body through
``req.read`` in chunks and feeds the sans-IO parsers of
:mod:`mod_python._parse`.  ``mod_python.apache`` is imported lazily, so the
module itself imports without ``_apache``.

Limits (per request; keyword arguments of :class:`FieldStorage`, else the
``PythonOption`` named in brackets, else the class attribute):

* ``max_fields`` [``mod_python.form.max_fields``], default 1000: number of
  query and body fields together;
* ``max_field_size`` [``mod_python.form.max_field_size``], default 1 MiB:
  size of one non-file field (kept in memory);
* ``max_body_size`` [``mod_python.form.max_body_size``], default 0 = no
  limit of our own (Apache's ``LimitRequestBody`` still applies);
* ``max_header_size`` [``mod_python.form.max_header_size``], default
  16 KiB: header block of one multipart part.

A violated limit is logged once (``MP0400``) and answered with
``413 Content Too Large``; a malformed body with ``400 Bad Request``
(``MP0401``).
"""

from __future__ import annotations

import inspect
import io
import tempfile
import types
import weakref
from collections.abc import Callable, Iterator, Mapping
from typing import IO, Any, NoReturn, Self

from mod_python._parse import (
    DEFAULT_MAX_HEADER_SIZE,
    BodyTooLarge,
    FieldTooLarge,
    LimitError,
    MalformedMultipart,
    MultipartParser,
    ParseError,
    PartData,
    PartEnd,
    PartStart,
    decode_field,
    parse_header,
    parse_multipart,
    parse_qs,
    parse_qsl,
    parse_query,
    split_plain_form,
    text_to_bytes,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from _apache import mp_request, table

__all__ = [
    "Field",
    "FieldList",
    "FieldStorage",
    "StringField",
    "apply_fs_data",
    "parse_header",
    "parse_qs",
    "parse_qsl",
    "redirect",
]

READ_BLOCK_SIZE = 64 * 1024
#: Backwards-compatible name of :data:`READ_BLOCK_SIZE`.
readBlockSize = READ_BLOCK_SIZE
#: A body with a Content-Length up to this size is read with one
#: ``req.read`` and parsed in one pass; bigger or chunked bodies are read
#: in :data:`READ_BLOCK_SIZE` blocks and parsed as they arrive.
WHOLE_BODY_SIZE = 256 * 1024

# Status codes used here (the same values as mod_python.apache).
_HTTP_MOVED_PERMANENTLY = 301
_HTTP_MOVED_TEMPORARILY = 302
_HTTP_BAD_REQUEST = 400
_HTTP_LENGTH_REQUIRED = 411
_HTTP_REQUEST_ENTITY_TOO_LARGE = 413
_HTTP_NOT_IMPLEMENTED = 501
_DONE = -2
_APLOG_WARNING = 4
_APLOG_INFO = 6


def _server_return(code: int) -> NoReturn:
    from mod_python import apache

    raise apache.SERVER_RETURN(code)


# ---------------------------------------------------------------------------
# Field values
# ---------------------------------------------------------------------------


class _FromField:
    """A :class:`StringField` attribute that reads through to the
    :class:`Field` it was made from, unless it was set on the string."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        self.key = "_" + name

    def __get__(self, obj: Any, objtype: Any = None) -> Any:
        if obj is None:
            return None
        value = obj.__dict__.get(self.key, _FromField)
        if value is not _FromField:
            return value
        field = obj._field
        return getattr(field, self.name) if field is not None else None

    def __set__(self, obj: Any, value: Any) -> None:
        obj.__dict__[self.key] = value


class StringField(str):
    """The value of a simple (non-file) form field: a ``str`` with
    ``name``, ``value`` and a lazy binary ``file`` (as in 3.5)."""

    name: str | None = None
    filename: None = None
    disposition = _FromField()
    disposition_options = _FromField()
    type = _FromField()
    type_options = _FromField()
    _field: Field | None = None     # the Field this string was made from
    _headers: Any = None

    def __new__(cls, value: str | bytes = "", encoding: str = "utf-8",
                errors: str = "replace") -> Self:
        if isinstance(value, bytes):
            value = value.decode(encoding, errors)
        return super().__new__(cls, value)

    @property
    def value(self) -> str:
        return str(self)

    @property
    def headers(self) -> Any:
        """The part's headers (a table), made when first asked for."""
        if self._headers is None and self._field is not None:
            return self._field.headers
        return self._headers

    @headers.setter
    def headers(self, value: Any) -> None:
        self._headers = value

    @property
    def file(self) -> IO[bytes]:
        return io.BytesIO(self.encode("utf-8"))


_str_new = str.__new__


class Field:
    """One form field as parsed: used for file uploads (``fs[name]`` returns
    the :class:`Field` itself when it has a ``filename``) and stored in
    :attr:`FieldStorage.list` for every field.

    A field parsed in memory keeps its content as bytes; ``file`` is then a
    ``BytesIO`` over them, made when first asked for."""

    def __init__(self, name: str | None, *, filename: str | None = None,
                 file: IO[bytes] | None = None, type: str | None = None,
                 type_options: dict[str, str] | None = None,
                 disposition: str | None = None,
                 disposition_options: dict[str, str] | None = None,
                 headers: Any = None,
                 raw_headers: list[tuple[str, str]] | None = None,
                 data: bytes | None = None) -> None:
        self.name = name
        self.filename = filename
        self._file = file
        self._data = data if file is None else None
        self.type = type
        self.type_options = type_options or {}
        self.disposition = disposition
        self.disposition_options = disposition_options or {}
        self._headers = headers
        self._raw_headers = raw_headers or []
        self._string: StringField | None = None

    @property
    def file(self) -> IO[bytes]:
        """The content as a binary file, positioned at the start."""
        f = self._file
        if f is None:
            f = self._file = io.BytesIO(self._data or b"")
            self._data = None   # from now on the file is the content
        return f

    @file.setter
    def file(self, value: IO[bytes]) -> None:
        self._file = value
        self._data = None

    @property
    def headers(self) -> Any:
        """The part's headers as a table.  Made on first use: a table costs
        an APR pool, and most handlers never look at part headers."""
        if self._headers is None:
            self._headers = _headers_table(self._raw_headers)
        return self._headers

    @headers.setter
    def headers(self, value: Any) -> None:
        self._headers = value

    @property
    def value(self) -> Any:
        """The whole content: ``bytes`` for a file, ``str`` otherwise."""
        if self.filename is None:
            return self.as_string()
        return self._read_all()

    def _read_all(self) -> bytes:
        if self._data is not None:
            return self._data
        file = self.file
        file.seek(0)
        data = file.read()
        file.seek(0)
        return data if isinstance(data, bytes) else bytes(data)

    def as_string(self) -> StringField:
        """The field's value as a :class:`StringField`: decoded as UTF-8,
        or as Latin-1 when this field is not valid UTF-8."""
        sf = self._string
        if sf is None:
            # type, disposition and their options read through _field.
            sf = _str_new(StringField, decode_field(self._read_all()))
            sf.name = self.name
            sf._field = self
            self._string = sf
        return sf

    def item(self) -> Field | StringField:
        """What the mapping API returns for this field."""
        return self if self.filename is not None else self.as_string()

    def __repr__(self) -> str:
        return f"Field({self.name!r}, {self.value!r})"


class FieldList(list[Field]):
    """The flat list of fields in submission order (:attr:`FieldStorage.list`)."""

    def __str__(self) -> str:
        return str([f.item() for f in self])


# ---------------------------------------------------------------------------
# FieldStorage
# ---------------------------------------------------------------------------


def _headers_table(headers: list[tuple[str, str]]) -> table | dict[str, str]:
    try:
        from mod_python import apache

        table = apache.table()
    except ImportError:  # outside httpd
        return dict(headers)
    for name, value in headers:
        table.add(name, value)
    return table


def _int_option(options: Mapping[str, Any] | table, name: str, default: int) -> int:
    raw = options.get(name)
    if raw is None:
        return default
    try:
        return int(str(raw))
    except ValueError:
        return default


class FieldStorage:
    """The fields of the query string and, for POST, of the request body.

    Create at most one per request (it consumes the body); by convention it
    is kept as ``req.form``.  See the module docstring for the limits.
    """

    max_fields: int = 1000
    max_field_size: int = 1024 * 1024
    max_body_size: int = 0
    max_header_size: int = DEFAULT_MAX_HEADER_SIZE
    #: File parts up to this size stay in memory, bigger ones go to disk.
    spool_threshold: int = 256 * 1024

    def __init__(self, req: mp_request, keep_blank_values: int | bool = 0,
                 strict_parsing: int | bool = 0,
                 file_callback: Callable[[str], IO[bytes]] | None = None,
                 field_callback: Callable[[], IO[bytes]] | None = None, *,
                 max_fields: int | None = None,
                 max_field_size: int | None = None,
                 max_body_size: int | None = None,
                 max_header_size: int | None = None,
                 encoding: str = "utf-8") -> None:
        self.req = req
        self.list: FieldList = FieldList()
        self.keep_blank_values = bool(keep_blank_values)
        self.strict_parsing = bool(strict_parsing)
        self.file_callback = file_callback
        self.field_callback = field_callback
        self.encoding = encoding
        try:
            options: Mapping[str, Any] | table = req.get_options()
        except AttributeError:
            options = {}
        self.max_fields = (max_fields if max_fields is not None else
                           _int_option(options, "mod_python.form.max_fields",
                                       self.max_fields))
        self.max_field_size = (
            max_field_size if max_field_size is not None else
            _int_option(options, "mod_python.form.max_field_size",
                        self.max_field_size))
        self.max_body_size = (
            max_body_size if max_body_size is not None else
            _int_option(options, "mod_python.form.max_body_size",
                        self.max_body_size))
        self.max_header_size = (
            max_header_size if max_header_size is not None else
            _int_option(options, "mod_python.form.max_header_size",
                        self.max_header_size))
        try:
            if req.args:
                self._add_query(req.args)
            if req.method == "POST":
                self._read_body()
        except LimitError as exc:
            self._reject(_HTTP_REQUEST_ENTITY_TOO_LARGE, exc)
        except ParseError as exc:
            self._reject(_HTTP_BAD_REQUEST, exc)

    # -- reading ----------------------------------------------------------

    def _reject(self, status: int, exc: Exception) -> NoReturn:
        code = "MP0400" if status == _HTTP_REQUEST_ENTITY_TOO_LARGE else "MP0401"
        what = "too large" if status == _HTTP_REQUEST_ENTITY_TOO_LARGE else "malformed"
        self.req.log_error(f"{code}: form data {what} ({status}): {exc}",
                           _APLOG_WARNING)
        _server_return(status)

    def _limit(self, value: int) -> int | None:
        return value if value > 0 else None

    def _remaining_fields(self) -> int | None:
        if self.max_fields <= 0:
            return None
        return max(0, self.max_fields - len(self.list))

    def _add_query(self, qs: str | bytes) -> None:
        # Decoded one field at a time (defect 4 of issue 11): see
        # _parse.parse_query.
        for name, value in parse_query(qs, self.keep_blank_values,
                                       self.strict_parsing,
                                       self._remaining_fields(),
                                       self.encoding):
            self.list.append(self._simple(name, value))

    def _simple(self, name: str, value: str | bytes) -> Field:
        if isinstance(value, str):
            value = value.encode(self.encoding, "surrogateescape")
        return Field(name, type="text/plain", disposition="inline",
                     data=value)

    def _read(self, size: int) -> bytes:
        try:
            data: bytes = self.req.read(size)
        except OSError as exc:
            self.req.log_error(
                f"MP0402: reading the request body failed: {exc}",
                _APLOG_INFO)
            _server_return(_HTTP_BAD_REQUEST)
        return data

    def _chunks(self) -> Iterator[bytes]:
        limit = self._limit(self.max_body_size)
        total = 0
        while True:
            chunk = self._read(READ_BLOCK_SIZE)
            if not chunk:
                return
            total += len(chunk)
            if limit is not None and total > limit:
                raise BodyTooLarge(f"body larger than {limit} bytes")
            yield chunk

    def _read_body(self) -> None:
        req = self.req
        headers_in = req.headers_in
        chunked = bool(getattr(req, "read_chunked", 0)) or "chunked" in str(
            headers_in.get("Transfer-Encoding", "")).lower()
        length = headers_in.get("Content-Length")
        clen = -1
        if not chunked:
            try:
                clen = int(str(length))
                if clen < 0:
                    raise ValueError(length)
            except (TypeError, ValueError):
                req.log_error(
                    f"MP0403: POST without a valid Content-Length ({length!r})",
                    _APLOG_INFO)
                _server_return(_HTTP_LENGTH_REQUIRED)
            limit = self._limit(self.max_body_size)
            if limit is not None and clen > limit:
                raise BodyTooLarge(
                    f"Content-Length {clen} larger than {limit} bytes")
        ctype_raw = headers_in.get("Content-Type")
        ctype, options = parse_header(str(ctype_raw or ""))
        # A small body of known length is read at once.
        whole = 0 <= clen <= WHOLE_BODY_SIZE
        if not ctype or ctype == "application/x-www-form-urlencoded":
            self._read_urlencoded(clen if whole else -1)
        elif ctype.startswith("multipart/"):
            boundary = options.get("boundary")
            if not boundary:
                raise MalformedMultipart("multipart Content-Type without "
                                         "a boundary")
            if whole:
                self._parse_multipart(boundary, self._read(clen) if clen else b"")
            else:
                self._read_multipart(boundary)
        else:
            req.log_error(f"MP0404: unsupported form Content-Type {ctype!r}",
                          _APLOG_INFO)
            _server_return(_HTTP_NOT_IMPLEMENTED)

    def _read_urlencoded(self, clen: int) -> None:
        """*clen*: the body size when it is to be read at once, else -1."""
        # An urlencoded body is kept in memory: cap it by the field limits.
        cap = None
        if self.max_field_size > 0 and self.max_fields > 0:
            cap = self.max_field_size + self.max_fields * 4 * 1024
        if clen >= 0:
            if cap is not None and clen > cap:
                raise BodyTooLarge(
                    f"urlencoded body larger than {cap} bytes")
            body = self._read(clen) if clen else b""
        else:
            buf = bytearray()
            for chunk in self._chunks():
                buf += chunk
                if cap is not None and len(buf) > cap:
                    raise BodyTooLarge(
                        f"urlencoded body larger than {cap} bytes")
            body = bytes(buf)
        pairs = parse_qsl(body, self.keep_blank_values,
                          self.strict_parsing, self._remaining_fields())
        for name, value in pairs:
            if self.max_field_size > 0 and len(value) > self.max_field_size:
                raise FieldTooLarge(
                    f"form field larger than {self.max_field_size} bytes")
            self.list.append(self._simple(
                decode_field(name, self.encoding), value))

    def _parse_multipart(self, boundary: str, body: bytes) -> None:
        """A whole multipart body, in memory."""
        bboundary = text_to_bytes(boundary)
        max_parts = self._remaining_fields()
        max_header_size = self._limit(self.max_header_size)
        max_field_size = self._limit(self.max_field_size)
        append = self.list.append
        new = object.__new__
        if self.field_callback is None:
            plain = split_plain_form(body, bboundary, max_parts,
                                     max_header_size, max_field_size)
            if plain is not None:
                # The usual form: plain fields only.  Field(name, ...,
                # data=data) without the call.
                for name, data in zip(*plain):
                    field = new(Field)
                    field.__dict__.update(
                        name=name, filename=None, _file=None, _data=data,
                        type="text/plain", type_options={},
                        disposition="form-data",
                        disposition_options={"name": name}, _headers=None,
                        _raw_headers=[("content-disposition",
                                       f'form-data; name="{name}"')],
                        _string=None)
                    append(field)
                return
        parts = parse_multipart(
            body, bboundary, max_parts=max_parts,
            max_header_size=max_header_size,
            max_body_size=self._limit(self.max_body_size),
            max_field_size=max_field_size)
        plain_parts = self.field_callback is None
        for start, data in parts:
            if start.filename is None and plain_parts:
                field = new(Field)
                field.__dict__.update(
                    name=start.name, filename=None, _file=None, _data=data,
                    type=start.content_type, type_options=start.type_options,
                    disposition=start.disposition,
                    disposition_options=start.disposition_options,
                    _headers=None, _raw_headers=start.headers, _string=None)
                append(field)
            else:
                field = self._start_part(start)
                if data:
                    field.file.write(data)
                field.file.seek(0)
                append(field)

    def _read_multipart(self, boundary: str) -> None:
        parser = MultipartParser(
            text_to_bytes(boundary),
            max_parts=self._remaining_fields(),
            max_header_size=self._limit(self.max_header_size),
            max_body_size=self._limit(self.max_body_size),
            max_field_size=self._limit(self.max_field_size))
        current: Field | None = None
        for chunk in self._chunks():
            for event in parser.feed(chunk):
                if isinstance(event, PartStart):
                    current = self._start_part(event)
                elif isinstance(event, PartData):
                    if current is not None and event.data:
                        current.file.write(event.data)
                elif isinstance(event, PartEnd) and current is not None:
                    current.file.seek(0)
                    self.list.append(current)
                    current = None
        parser.close()

    def _start_part(self, ev: PartStart) -> Field:
        if ev.filename is not None:
            if self.file_callback is not None:
                file = self.file_callback(ev.filename)
            else:
                file = tempfile.SpooledTemporaryFile(  # noqa: SIM115 - kept
                    max_size=self.spool_threshold)
        elif self.field_callback is not None:
            file = self.field_callback()
        else:
            file = io.BytesIO()
        return Field(ev.name, filename=ev.filename, file=file,
                     type=ev.content_type, type_options=ev.type_options,
                     disposition=ev.disposition,
                     disposition_options=ev.disposition_options,
                     raw_headers=ev.headers)

    # -- mapping API --------------------------------------------------------

    def _items_for(self, key: str) -> list[Field | StringField]:
        return [f.item() for f in self.list if f.name == key]

    def __getitem__(self, key: str) -> Any:
        found = self._items_for(key)
        if not found:
            raise KeyError(key)
        return found[0] if len(found) == 1 else found

    def __setitem__(self, key: str, value: str | bytes) -> None:
        self.list[:] = [f for f in self.list if f.name != key]
        self.add_field(key, value)

    def __delitem__(self, key: str) -> None:
        kept = [f for f in self.list if f.name != key]
        if len(kept) == len(self.list):
            raise KeyError(key)
        self.list[:] = kept

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default

    def getfirst(self, key: str, default: Any = None) -> Any:
        for f in self.list:
            if f.name == key:
                return f.item()
        return default

    def getlist(self, key: str) -> list[Field | StringField]:
        return self._items_for(key)

    def keys(self) -> list[str]:
        seen: dict[str, None] = {}
        for f in self.list:
            if f.name is not None:
                seen.setdefault(f.name, None)
        return list(seen)

    def has_key(self, key: str) -> bool:
        return any(f.name == key for f in self.list)

    def __contains__(self, key: object) -> bool:
        return any(f.name == key for f in self.list)

    def __len__(self) -> int:
        return len(self.keys())

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def items(self) -> list[tuple[str | None, Field | StringField]]:
        """``(name, value)`` for every field, in submission order."""
        return [(f.name, f.item()) for f in self.list]

    def values(self) -> list[Field | StringField]:
        return [f.item() for f in self.list]

    def add_field(self, key: str, value: str | bytes) -> Field:
        """Append a simple field (as if it had been submitted)."""
        field = self._simple(key, value)
        self.list.append(field)
        return field

    def clear(self) -> None:
        self.list[:] = []

    def __repr__(self) -> str:
        return f"FieldStorage({self.list!r})"


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def redirect(req: mp_request, location: str, permanent: int | bool = 0,
             text: str | None = None) -> NoReturn:
    """Answer with a redirect to *location* and stop the request.

    Sets ``Location`` (in ``err_headers_out``, so it survives the error
    path), status 301 (*permanent*) or 302, writes *text* or a short HTML
    note, and raises ``SERVER_RETURN(DONE)``, so it works from any phase.
    Raises ``OSError`` when the response body has already started.
    """
    if not isinstance(location, str):
        raise TypeError("location must be a str")
    if any(c in location for c in "\r\n\0"):
        raise ValueError("location contains a control character")
    if getattr(req, "sent_bodyct", 0):
        raise OSError("cannot redirect after the response body has started")
    req.err_headers_out["Location"] = location
    req.status = _HTTP_MOVED_PERMANENTLY if permanent else _HTTP_MOVED_TEMPORARILY
    if text is None:
        from html import escape

        text = ('<!DOCTYPE html>\n<html><head><title>Moved</title></head>'
                f'<body><p>The document has moved <a href="'
                f'{escape(location)}">here</a>.</p></body></html>\n')
        req.content_type = "text/html; charset=utf-8"
    req.write(text)
    _server_return(_DONE)


#: What a callable takes: (required names in order, accepted names, whether
#: it has ``**kwargs``).
CallInfo = tuple[tuple[str, ...], frozenset[str], bool]

_NAMED = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
# inspect.signature() is slow and the publisher asks on every request: the
# answer is kept per function (weakly, so reloaded code drops out).
_FUNCTION_INFO: weakref.WeakKeyDictionary[Any, CallInfo] = weakref.WeakKeyDictionary()
_METHOD_INFO: weakref.WeakKeyDictionary[Any, CallInfo] = weakref.WeakKeyDictionary()


def call_info(obj: Any) -> CallInfo | None:
    """The parameters *obj* takes, or None when it has no inspectable
    signature (builtins).  Cached for functions and bound methods."""
    cache: weakref.WeakKeyDictionary[Any, CallInfo] | None = None
    key: Any = None
    if isinstance(obj, types.FunctionType):
        cache, key = _FUNCTION_INFO, obj
    elif isinstance(obj, types.MethodType) and isinstance(obj.__func__, types.FunctionType):
        cache, key = _METHOD_INFO, obj.__func__
    if cache is not None:
        info = cache.get(key)
        if info is not None:
            return info
    try:
        params = inspect.signature(obj).parameters
    except (TypeError, ValueError):
        return None
    info = (
        tuple(name for name, p in params.items()
              if p.kind in _NAMED and p.default is inspect.Parameter.empty),
        frozenset(name for name, p in params.items() if p.kind in _NAMED),
        any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()),
    )
    if cache is not None:
        cache[key] = info
    return info


def apply_fs_data(object: Any, fs: Any, **args: Any) -> Any:
    """Call *object* with the form fields that match its parameters.

    Works for functions, methods, classes (their constructor) and callable
    instances.  Fields and *args* that the callable does not accept are
    dropped, unless it takes ``**kwargs``; *args* win over form fields of
    the same name.  Objects without an inspectable signature (builtins) are
    called without arguments.
    """
    info = call_info(object)
    if info is None:
        return object()
    _, accepted, var_kw = info
    kwargs: dict[str, Any] = {}
    if fs is not None:
        for name in list(fs.keys()):
            if var_kw or name in accepted:
                kwargs[name] = fs[name]
    for name, value in args.items():
        if var_kw or name in accepted:
            kwargs[name] = value
    return object(**kwargs)
