"""Issue 11 over HTTP: the defects a hostile (or merely unusual) client
found, and the session cookie flags.

1. a multipart boundary in the middle of a preamble line, read by the
   streaming parser, is not a boundary (365 KB body, 64 KiB reads);
2. cookies with names that are not tokens do not break cookie reading;
3. parts without Content-Disposition or with an unterminated quoted name
   are answered 400 with one MP line;
4. the query string is decoded field by field;
5. the text rule: header values, table keys, uri/args/path_info/filename
   and log messages go back out as the bytes that came in.

Each of these tests failed before the fix.  Handlers:
test/htdocs/hostile/hostile_h.py.
"""

from __future__ import annotations

import json
import socket

import pytest

BOUNDARY = b"----b0und4ry"


@pytest.fixture(scope="module")
def server(httpd):
    c = httpd.conf
    c.directory(
        "{htdocs}/hostile", "SetHandler mod_python",
        "PythonHandler hostile_h", "PythonFixupHandler hostile_h::fixup",
        c.block("Files", '"session_strict"',
                "PythonOption mod_python.session.cookie_samesite Strict",
                "PythonOption mod_python.session.cookie_secure on"),
        c.block("Files", '"session_off"',
                "PythonOption mod_python.session.cookie_samesite off"),
        c.block("Files", '"pub.py"', "PythonHandler mod_python.publisher"))
    c.directory("{htdocs}/hostile/files", "SetHandler None")
    path = httpd.htdocs / "hostile" / "files" / "caf\u00e9.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"the caf\xc3\xa9 file\n")
    path.chmod(0o644)
    path.parent.chmod(0o755)
    # a name that is not UTF-8: it reads as a surrogate escape
    latin = bytes(path.parent) + b"/caf\xe9.txt"
    with open(latin, "wb") as f:
        f.write(b"the latin-1 file\n")
    __import__("os").chmod(latin, 0o644)
    httpd.start()
    return httpd


def raw(server, request: bytes) -> tuple[int, dict[bytes, bytes], bytes]:
    """Send *request* as it is; (status, headers, de-chunked body)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=20) as s:
        s.sendall(request)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    headers: dict[bytes, bytes] = {}
    for line in lines[1:]:
        k, _, v = line.partition(b":")
        headers[k.strip().lower()] = v.strip()
    if headers.get(b"transfer-encoding", b"").lower() == b"chunked":
        out = b""
        while True:
            size, _, body = body.partition(b"\r\n")
            n = int(size.split(b";")[0], 16)
            if n == 0:
                break
            out += body[:n]
            body = body[n + 2:]
        body = out
    return status, headers, body


def get(server, target: bytes, extra: bytes = b""):
    return raw(server, b"GET " + target + b" HTTP/1.1\r\nHost: localhost\r\n"
               + extra + b"Connection: close\r\n\r\n")


def post(server, target: bytes, body: bytes, ctype: bytes):
    return raw(server, b"POST " + target + b" HTTP/1.1\r\nHost: localhost\r\n"
               b"Content-Type: " + ctype + b"\r\nContent-Length: "
               + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n"
               + body)


def field(name: bytes, value: bytes) -> bytes:
    return (b'Content-Disposition: form-data; name="' + name + b'"\r\n\r\n'
            + value)


def multipart(server, body: bytes):
    return post(server, b"/hostile/form", body,
                b"multipart/form-data; boundary=" + BOUNDARY)


# -- defect 1 -----------------------------------------------------------------


def test_boundary_mid_line_in_a_large_preamble_is_ignored(server):
    # The first 64 KiB read ends one byte after "--BOUNDARY" in the middle
    # of a preamble line.  Bigger than 256 KiB: the streaming parser.
    head = b"x" * (65536 - len(BOUNDARY) - 3) + b"--" + BOUNDARY + b" "
    body = (head + b"\r\n" + field(b"injected", b"evil")
            + b"\r\n--" + BOUNDARY + b"\r\n" + field(b"a", b"y" * 300000)
            + b"\r\n--" + BOUNDARY + b"--\r\n")
    assert 360_000 < len(body) < 370_000
    status, _, out = multipart(server, body)
    assert status == 200, out
    assert [f[0] for f in json.loads(out)] == ["a"]


def test_small_body_same_answer(server):
    # the same shape below 256 KiB goes to the one-shot parser
    body = (b"x--" + BOUNDARY + b" \r\n" + field(b"injected", b"evil")
            + b"\r\n--" + BOUNDARY + b"\r\n" + field(b"a", b"1")
            + b"\r\n--" + BOUNDARY + b"--\r\n")
    status, _, out = multipart(server, body)
    assert status == 200 and json.loads(out) == [["a", "1"]]


# -- defect 2 -----------------------------------------------------------------


def test_odd_cookie_names_do_not_break_cookie_reading(server):
    status, _, out = get(server, b"/hostile/cookies",
                         b"Cookie: sid=abc; cart[items]=3; x:y=2; "
                         b"\xc3\xa9=1; last=z\r\n")
    assert status == 200, out
    d = json.loads(out)
    assert d["sid"] == "abc" and d["last"] == "z"
    assert d["cart[items]"] == "3" and d["x:y"] == "2" and d["\u00e9"] == "1"


# -- defect 3 -----------------------------------------------------------------


@pytest.mark.parametrize("headers", [
    b"Content-Type: text/plain",
    b'Content-Disposition: form-data; name="a',
    b"Content-Disposition: form-data",
])
def test_malformed_part_is_400_with_one_line(server, expect_log, headers):
    expect_log(r"MP0401: form data malformed \(400\): "
               r"(part without|unterminated)")
    body = (b"--" + BOUNDARY + b"\r\n" + headers + b"\r\n\r\nv\r\n--"
            + BOUNDARY + b"--\r\n")
    before = server.log.offset()
    status, _, _ = multipart(server, body)
    assert status == 400
    new = [ln for ln in server.log.read_from(before, server.log.offset())
           if "MP0" in ln]
    assert len(new) == 1, new


# -- defect 4 -----------------------------------------------------------------


def test_query_decoded_field_by_field(server):
    status, _, out = get(server, b"/hostile/form?a=caf\xc3\xa9&b=\xff&"
                         b"c=na%C3%AFve&d=%E9t%E9")
    assert status == 200, out
    assert json.loads(out) == [["a", "caf\u00e9"], ["b", "\u00ff"],
                               ["c", "na\u00efve"], ["d", "\u00e9t\u00e9"]]


# -- defect 5: the text rule ----------------------------------------------------


@pytest.mark.parametrize("value", [b"caf\xc3\xa9", b"caf\xe9 \xff\xfe",
                                   b"\xe2\x82\xac 1", b"plain"])
def test_header_value_echoed_back_is_the_same_bytes(server, value):
    status, headers, out = get(server, b"/hostile/echo",
                               b"X-Echo: " + value + b"\r\n")
    assert status == 200, out
    assert headers[b"x-echo"] == value
    assert bytes(json.loads(out)["bytes"]) == value


def test_table_keys_read_back_look_up_again(server):
    status, _, out = get(server, b"/hostile/tables")
    assert status == 200, out
    d = json.loads(out)
    for name in ("notes", "subprocess_env", "table"):
        got = {bytes(k): (bytes(v), found)
               for k, v, found in d[name].values()}
        assert got == {b"caf\xc3\xa9": (b"utf8", True),
                       b"x\xffy": (b"v\xfe", True),
                       "na\u00efve".encode(): ("\u20ac".encode(), True)}, name
    assert d["random_bad"] == []


def test_request_attributes_write_back_unchanged(server):
    target = b"/hostile/attrs/p\xc3\xa4th/\xff?q=caf\xc3\xa9&r=\xfe"
    status, _, out = get(server, target, b"Cookie: a=\xe9; b=\xc3\xa9\r\n")
    assert status == 200, out
    d = {k: bytes(v) if v is not None else None
         for k, v in json.loads(out).items()}
    assert d["unparsed_uri"] == target
    assert d["uri"] == b"/hostile/attrs/p\xc3\xa4th/\xff"
    assert d["path_info"] == b"/p\xc3\xa4th/\xff"
    assert d["args"] == b"q=caf\xc3\xa9&r=\xfe"
    assert d["filename"].endswith(b"/hostile/attrs")
    assert d["cookie"] == b"a=\xe9; b=\xc3\xa9"


@pytest.mark.parametrize("target,content", [
    (b"/hostile/files/caf%C3%A9.txt", b"the caf\xc3\xa9 file\n"),
    (b"/hostile/files/caf\xc3\xa9.txt", b"the caf\xc3\xa9 file\n"),
    (b"/hostile/files/caf%E9.txt", b"the latin-1 file\n"),
])
def test_filename_written_back_still_serves_the_file(server, target, content):
    # PythonFixupHandler does req.filename = req.filename, then
    # apache.stat(req.filename) and open(req.filename) (os.fsencode).
    status, headers, out = get(server, target)
    assert status == 200
    assert out == content
    assert headers[b"x-stat"] == b"%d True" % len(content)


@pytest.mark.parametrize("boundary", [b"b\xc3\xa9x", b"b\xffx"])
def test_non_ascii_boundary_is_matched_byte_for_byte(server, boundary):
    # Not RFC 2046, but the Content-Type value is turned back into its own
    # bytes by the text rule, so it matches the body whatever the bytes.
    body = (b"--" + boundary + b"\r\n" + field(b"a", b"1") + b"\r\n--"
            + boundary + b"--\r\n")
    status, _, out = post(server, b"/hostile/form", body,
                          b"multipart/form-data; boundary=" + boundary)
    assert status == 200, out
    assert json.loads(out) == [["a", "1"]]


def test_publisher_echo_of_hostile_bytes(server):
    status, _, out = get(server, b"/hostile/pub.py/echo?a=\xff\xc3\xa9")
    assert status == 200, out
    assert out == b"a=\xff\xc3\xa9"


def test_handler_error_with_hostile_bytes_is_logged(server, expect_log):
    # The exception message holds a surrogate escape: the error log still
    # gets the coded line, with the byte written as \udcff (which httpd's
    # own escaping turns into \\udcff in the file).
    expect_log(r"MP0100: .*ValueError: hostile /hostile/raise/x\\\\udcff")
    status, _, out = get(server, b"/hostile/raise/x\xff")
    assert status == 500
    assert b"Traceback" not in out and b"hostile" not in out


def test_log_error_with_hostile_bytes(server):
    status, _, out = get(server, b"/hostile/log?\xff",
                         b"User-Agent: \xff\xfe\r\n")
    assert status == 200, out
    assert out == b"ok /hostile/log"
    status, _, out = get(server, b"/hostile/log/x\xff")
    assert status == 200 and out == b"ok /hostile/log/x\xff"


# -- session cookie flags -------------------------------------------------------


def session_cookie(server, name: bytes) -> bytes:
    status, headers, out = get(server, b"/hostile/" + name)
    assert status == 200, out
    return headers[b"set-cookie"]


def test_session_cookie_samesite_lax_by_default(server):
    cookie = session_cookie(server, b"session")
    assert b"; SameSite=Lax" in cookie and b"; HttpOnly" in cookie
    assert b"Secure" not in cookie          # plain HTTP, secure=auto


def test_session_cookie_options(server):
    strict = session_cookie(server, b"session_strict")
    assert b"; SameSite=Strict" in strict and b"; Secure" in strict
    off = session_cookie(server, b"session_off")
    assert b"SameSite" not in off and b"Secure" not in off
