"""mod_python._cgi: the CGI emulation streams, with a stand-in request."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "lib" / "python"))

from mod_python._cgi import CGIStdin, CGIStdout, parse_header_block


class Headers(list):
    def add(self, name, value):
        self.append((name, value))


class FakeReq:
    def __init__(self, body=b""):
        self.body = body
        self.pos = 0
        self.out = []
        self.status = 200
        self.content_type = None
        self.headers_out = Headers()

    def read(self, n=-1):
        end = len(self.body) if n < 0 else self.pos + n
        data = self.body[self.pos:end]
        self.pos += len(data)
        return data

    def write(self, data, flush=1):
        assert isinstance(data, bytes)
        self.out.append(data)


def test_parse_header_block():
    assert parse_header_block(b"A: 1\r\nB:2\n continued\nnocolon\n") == [
        ("A", "1"), ("B", "2 continued")]


def test_stdout_headers_then_body():
    req = FakeReq()
    out = CGIStdout(req)
    print("Status: 404 Not Found", file=out)
    print("Content-Type: text/plain", file=out)
    out.write("X-One: 1\n")
    assert req.out == []
    out.write("\nbody \u00e9\n")
    out.buffer.write(b"bytes")
    out.finish()
    assert req.status == 404
    assert req.content_type == "text/plain"
    assert req.headers_out == [("X-One", "1")]
    assert b"".join(req.out) == "body \u00e9\nbytes".encode()


def test_stdout_crlf_and_location():
    req = FakeReq()
    out = CGIStdout(req)
    out.write("Location: /elsewhere\r\n\r\n")
    out.finish()
    assert req.status == 302
    assert req.headers_out == [("Location", "/elsewhere")]


def test_stdout_without_header_block_sends_text():
    req = FakeReq()
    out = CGIStdout(req)
    out.write("no blank line")
    out.finish()
    assert b"".join(req.out) == b"no blank line"


def test_stdin_text_and_bytes():
    assert CGIStdin(FakeReq(b"l1\nl2 \xc3\xa9")).readlines() == ["l1\n", "l2 \u00e9"]
    assert CGIStdin(FakeReq(b"\xff raw")).buffer.read() == b"\xff raw"
