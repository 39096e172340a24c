"""CGI emulation streams: ``sys.stdin``/``sys.stdout`` stand-ins over a request.

Pure module (no ``_apache``): the request is passed in, so the header
parsing can be unit-tested with a stand-in object.  ``mod_python.apache``
re-exports :class:`CGIStdin` and :class:`CGIStdout` and uses them in
``setup_cgi()``/``restore_nocgi()``.

Both are text streams (``io.TextIOWrapper``) with a binary ``buffer``, like
the real ``sys.stdin``/``sys.stdout`` of a CGI script on Python 3: text goes
through UTF-8 (undecodable bytes as surrogate escapes), ``.buffer`` gives
the bytes.  This fixes the original's Python 3 breakage, where ``CGIStdin``
mixed bytes and str (defect 16).
"""

from __future__ import annotations

import io

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds at interpreter start
    from typing import Any

    from _apache import mp_request

__all__ = ["CGIStdin", "CGIStdout", "parse_header_block"]

_ENCODING = "utf-8"
_ERRORS = "surrogateescape"


class _BodyReader(io.RawIOBase):
    """Raw reader over ``req.read``."""

    def __init__(self, req: mp_request) -> None:
        self._req = req

    def readable(self) -> bool:
        return True

    def readinto(self, buf: Any) -> int:
        data = self._req.read(len(buf))
        n = len(data)
        buf[:n] = data
        return n


class CGIStdin(io.TextIOWrapper):
    """``sys.stdin`` of a CGI script: the request body."""

    def __init__(self, req: mp_request) -> None:
        super().__init__(io.BufferedReader(_BodyReader(req)), encoding=_ENCODING,
                         errors=_ERRORS, newline="")
        self.req = req


def parse_header_block(block: bytes) -> list[tuple[str, str]]:
    """``b"Name: value\\r\\n..."`` (without the blank line) to pairs.

    Continuation lines (starting with a space or tab) are joined to the
    previous header; lines without a colon are ignored.
    """
    headers: list[tuple[str, str]] = []
    for raw in block.replace(b"\r\n", b"\n").split(b"\n"):
        line = raw.decode("latin-1")
        if not line.strip():
            continue
        if line[0] in " \t" and headers:
            name, value = headers[-1]
            headers[-1] = (name, value + " " + line.strip())
            continue
        name, sep, value = line.partition(":")
        if sep:
            headers.append((name.strip(), value.strip()))
    return headers


class _CGIWriter(io.RawIOBase):
    """Raw writer: collects the CGI header block, then writes the body."""

    def __init__(self, req: mp_request) -> None:
        self._req = req
        self._head = b""
        self.headers_sent = False

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        data = bytes(data)
        n = len(data)
        if not self.headers_sent:
            self._head += data
            end, skip = _header_end(self._head)
            if end < 0:
                return n
            head, data = self._head[:end], self._head[end + skip :]
            self._head = b""
            self._apply(parse_header_block(head))
        if data:
            self._req.write(data, 0)
        return n

    def _apply(self, headers: list[tuple[str, str]]) -> None:
        req = self._req
        self.headers_sent = True
        location = False
        status_set = False
        for name, value in headers:
            key = name.lower()
            if key == "status":
                code = value.split(None, 1)[0] if value else ""
                if code.isdigit():
                    req.status = int(code)
                    status_set = True
            elif key == "content-type":
                req.content_type = value
            else:
                if key == "location":
                    location = True
                req.headers_out.add(name, value)
        if location and not status_set:
            req.status = 302

    def finish(self) -> None:
        """End of output: a header block never ended is sent as the body."""
        if not self.headers_sent:
            head, self._head = self._head, b""
            self.headers_sent = True
            if head:
                self._req.write(head, 0)


def _header_end(buf: bytes) -> tuple[int, int]:
    """Offset and length of the blank line ending the header block."""
    best = (-1, 0)
    for sep in (b"\r\n\r\n", b"\n\n"):
        i = buf.find(sep)
        if i >= 0 and (best[0] < 0 or i < best[0]):
            best = (i, len(sep))
    return best


class CGIStdout(io.TextIOWrapper):
    """``sys.stdout`` of a CGI script: parses the header block (``Status``,
    ``Content-Type``, ``Location`` and other headers go to the request),
    then writes the rest as the response body."""

    def __init__(self, req: mp_request) -> None:
        self._writer = _CGIWriter(req)
        super().__init__(io.BufferedWriter(self._writer), encoding=_ENCODING,
                         errors=_ERRORS, newline="\n", write_through=True)
        self.req = req

    @property
    def headers_sent(self) -> bool:
        return self._writer.headers_sent

    def finish(self) -> None:
        """Flush everything to the request (called by restore_nocgi)."""
        self.flush()
        self._writer.finish()
