"""The table object (spec 2.6).  The table wraps APR and needs Apache, so
one handler runs the long list of checks in one request and reports the
failures (test/htdocs/api/api_table.py); targeted tests follow: header bytes
that are not UTF-8, sent by a raw socket client, read back without an
exception (defect 14), and live request tables seen by the client.
"""

import json
import socket

import pytest


@pytest.fixture(scope="module")
def server(httpd):
    c = httpd.conf
    c.location("/table", "SetHandler mod_python",
               "PythonPath \"sys.path + ['{htdocs}/api']\"",
               "PythonHandler api_table")
    c.location("/echo", "SetHandler mod_python",
               "PythonPath \"sys.path + ['{htdocs}/api']\"",
               "PythonHandler api_table::echo_headers")
    httpd.start()
    return httpd


def test_table_behaviour(server):
    r = server.client().get("/table")
    assert r.status == 200, r.text
    d = r.json()
    assert d["failures"] == []
    assert d["checks"] >= 80     # the list ran to the end


def test_live_headers_out_reach_the_client(server):
    r = server.client().get("/table")
    assert r.headers["X-Live"] == "1"
    assert r.headers.get_all("X-Multi") == ["a", "b"]


def raw_get(port: int, path: str, extra: bytes) -> tuple[bytes, bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  + extra + b"Connection: close\r\n\r\n")
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return head, body


def test_invalid_utf8_header_bytes_read_cleanly(server):
    head, body = raw_get(server.port, "/echo",
                         b"X-Bin: caf\xe9 \xff\xfe end\r\n"
                         b"X-Utf8: caf\xc3\xa9\r\n")
    assert head.startswith(b"HTTP/1.1 200"), head
    if b"chunked" in head.lower():
        # de-chunk the small body
        size, _, rest = body.partition(b"\r\n")
        body = rest[:int(size, 16)]
    items = dict(json.loads(body))
    # not UTF-8: each such byte reads as its surrogate escape (the text
    # rule), which encodes back to the same byte
    assert items["X-Bin"] == "caf\udce9 \udcff\udcfe end"
    assert items["X-Bin"].encode("utf-8", "surrogateescape") == (
        b"caf\xe9 \xff\xfe end")
    # valid UTF-8 is decoded as UTF-8
    assert items["X-Utf8"] == "caf\u00e9"
