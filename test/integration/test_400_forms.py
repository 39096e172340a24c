"""util.FieldStorage through Apache: query strings, urlencoded and multipart
POST bodies (a 3 MB upload checked by hash, a chunked body), limits giving
413 and malformed bodies giving 400 with exactly one log line, redirect()
and apply_fs_data()."""

import hashlib
import http.client
import os
from urllib.parse import quote

import pytest


@pytest.fixture(scope="module")
def server(httpd):
    c = httpd.conf
    c.directory("{htdocs}/forms", "SetHandler mod_python",
                "PythonHandler forms_echo",
                c.block("Files", '"limited"',
                        "PythonOption mod_python.form.max_body_size 100000",
                        "PythonOption mod_python.form.max_fields 5",
                        "PythonOption mod_python.form.max_field_size 1000"),
                *[c.block("Files", f'"{n}"', f"PythonHandler forms_echo::{n}")
                  for n in ("redirect", "late", "apply")])
    httpd.start()
    return httpd


def multipart(fields, boundary="----mpTestB0undary"):
    out = []
    for name, value in fields:
        if isinstance(value, tuple):
            filename, data = value
            out.append(f'--{boundary}\r\nContent-Disposition: form-data; '
                       f'name="{name}"; filename="{filename}"\r\n'
                       "Content-Type: application/octet-stream\r\n\r\n"
                       .encode() + data + b"\r\n")
        else:
            out.append(f'--{boundary}\r\nContent-Disposition: form-data; '
                       f'name="{name}"\r\n\r\n'.encode() + value.encode()
                       + b"\r\n")
    out.append(f"--{boundary}--\r\n".encode())
    return b"".join(out), f"multipart/form-data; boundary={boundary}"


def log_count(server, since, pattern):
    import re
    return sum(1 for line in server.log.read_from(since)
               if re.search(pattern, line))


def test_get_query_string(server):
    r = server.client().get(
        "/forms/echo?a=1&a=2;b=x+y&c=&%C3%A9=%E2%82%AC&=v&k==w")
    assert r.status == 200, r.text
    d = r.json()
    assert d["keys"] == ["a", "b", "c", "\u00e9", "", "k"]
    assert d["key_types"] == ["str"]
    assert d["getfirst_a"] == "1"
    assert d["getlist_a"] == ["1", "2"]
    assert d["has_a"] is True and d["get_missing"] == "dflt"
    assert d["list"][2] == {"kind": "StringField", "name": "b", "is_str": True,
                            "value": "x y"}
    assert d["list"][3]["value"] == ""
    assert d["list"][4]["value"] == "\u20ac"
    assert d["list"][6]["value"] == "=w"
    assert d["apache_parse_qsl"][0] == ["a", "1"]
    assert d["util_parse_qs"]["a"] == ["1", "2"]


def test_urlencoded_post(server):
    body = b"a=p1&name=J%C3%BCrgen&text=line1%0D%0Aline2&empty="
    r = server.client().post(
        "/forms/echo?a=q", body,
        headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status == 200, r.text
    d = r.json()
    assert d["getlist_a"] == ["q", "p1"]      # query string first
    assert [f["value"] for f in d["list"]] == [
        "q", "p1", "J\u00fcrgen", "line1\r\nline2", ""]
    assert d["key_types"] == ["str"]


def test_post_without_content_type_is_urlencoded(server):
    r = server.client().post("/forms/echo", b"a=1")
    assert r.json()["getfirst_a"] == "1"


def test_multipart_upload_3mb(server):
    data = os.urandom(3 * 1024 * 1024) + b"\r\n--" + b"\r" * 3
    body, ctype = multipart([("a", "first"), ("upload", ("big.bin", data)),
                             ("n\u00e4me", "v\u00e4lue")])
    r = server.client().post("/forms/echo", body,
                             headers={"Content-Type": ctype})
    assert r.status == 200, r.text
    d = r.json()
    assert d["keys"] == ["a", "upload", "n\u00e4me"]
    assert d["key_types"] == ["str"]
    f = d["list"][1]
    assert f["kind"] == "file" and f["filename"] == "big.bin"
    assert f["size"] == len(data)
    assert f["sha256"] == hashlib.sha256(data).hexdigest()
    assert f["on_disk"] is True
    assert f["type"] == "application/octet-stream"
    assert f["header_ct"] == "application/octet-stream"
    assert d["list"][2]["value"] == "v\u00e4lue"
    assert d["list"][0] == {"kind": "StringField", "name": "a",
                            "is_str": True, "value": "first"}


def test_chunked_post(server):
    data = os.urandom(200_000)
    body, ctype = multipart([("a", "chunked"), ("f", ("c.bin", data))])

    def chunks():
        for i in range(0, len(body), 7001):
            yield body[i:i + 7001]

    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.request("POST", "/forms/echo", body=chunks(),
                     headers={"Content-Type": ctype, "Connection": "close"},
                     encode_chunked=True)
        resp = conn.getresponse()
        import json
        d = json.loads(resp.read())
    finally:
        conn.close()
    assert resp.status == 200
    assert d["getfirst_a"] == "chunked"
    assert d["list"][1]["sha256"] == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("what", ["body", "fields", "field", "query"])
def test_limits_give_413_and_one_log_line(server, what):
    if what == "body":
        body, ctype = multipart([("f", ("x", b"x" * 200_000))])
        path = "/forms/limited"
    elif what == "fields":
        body, ctype = b"&".join(b"a=%d" % i for i in range(6)), \
            "application/x-www-form-urlencoded"
        path = "/forms/limited"
    elif what == "field":
        body, ctype = multipart([("t", "y" * 5000)])
        path = "/forms/limited"
    else:
        body, ctype = b"", "application/x-www-form-urlencoded"
        path = "/forms/limited?" + "&".join(f"q{i}=1" for i in range(6))
    since = server.log.offset()
    r = server.client().post(path, body, headers={"Content-Type": ctype})
    assert r.status == 413
    assert server.log.wait_for(r"MP0400: form data too large", since)
    assert log_count(server, since, "MP0400") == 1


@pytest.mark.parametrize("body, ctype", [
    (b"--xyz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nunfinished",
     "multipart/form-data; boundary=xyz"),
    (b"--xyz\r\nno header colon\r\n\r\nv\r\n--xyz--\r\n",
     "multipart/form-data; boundary=xyz"),
    (b"--xyz--\r\n", "multipart/form-data"),
])
def test_malformed_multipart_gives_400_and_one_log_line(server, body, ctype):
    since = server.log.offset()
    r = server.client().post("/forms/echo", body,
                             headers={"Content-Type": ctype})
    assert r.status == 400
    assert server.log.wait_for(r"MP0401: form data malformed", since)
    assert log_count(server, since, "MP0401") == 1


def test_unsupported_content_type_501(server):
    r = server.client().post("/forms/echo", b"{}",
                             headers={"Content-Type": "application/json"})
    assert r.status == 501


def test_redirect_temporary_and_permanent(server):
    r = server.client().get("/forms/redirect?to=" + quote("/target?x=1"))
    assert r.status == 302
    assert r.headers["Location"].endswith("/target?x=1")
    assert "/target?x=1" in r.text
    r = server.client().get("/forms/redirect?to=/p&perm=1")
    assert r.status == 301
    assert r.headers["Location"].endswith("/p")


def test_redirect_refused_after_body_started(server):
    r = server.client().get("/forms/late")
    assert r.status == 200
    assert r.text == "started refused: OSError"


def test_apply_fs_data(server):
    d = server.client().get("/forms/apply?a=1&b=2&zz=3").json()
    assert d["func"] == {"a": "1", "b": "2", "has_req": True}
    assert d["class"] == {"a": "1", "kw": ["b", "extra", "zz"]}
    assert d["method"] == {"b": "2"}
    assert d["builtin"] is True
