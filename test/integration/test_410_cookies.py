"""mod_python.Cookie through Apache: Set-Cookie headers (attributes,
Max-Age, several cookies, Cache-Control), reading plain, signed and
marshal cookies, and tampered signed cookies being dropped (no 500)."""

import pytest


@pytest.fixture(scope="module")
def server(httpd):
    c = httpd.conf
    c.directory("{htdocs}/cookies", "SetHandler mod_python",
                "PythonHandler cookies_h::read",
                c.block("Files", '"set"', "PythonHandler cookies_h::set"))
    httpd.start()
    return httpd


def set_cookies(server):
    r = server.client().get("/cookies/set")
    assert r.status == 200, r.text
    return r.headers.get_all("Set-Cookie"), r


def test_set_cookie_headers(server):
    cookies, r = set_cookies(server)
    assert len(cookies) == 4
    plain = cookies[0]
    assert plain.startswith("plain=hello; Path=/cookies; Expires=")
    assert "; Max-Age=3600; SameSite=Lax; HttpOnly" in plain
    assert "max_age" not in plain
    assert cookies[1].startswith("signed=") and len(
        cookies[1].split("=", 1)[1]) == 64 + len("alice")
    assert cookies[3] == "byname=v; Path=/"
    assert r.headers["Cache-Control"] == 'no-cache="set-cookie"'


def cookie_header(cookies):
    return "; ".join(c.split(";", 1)[0] for c in cookies)


def test_roundtrip(server):
    cookies, _ = set_cookies(server)
    d = server.client().get("/cookies/read", headers={
        "Cookie": cookie_header(cookies)}).json()
    assert d["plain"]["plain"] == "hello"
    assert d["signed"] == "alice"
    assert d["marshal"] == {"user": "alice", "ids": [1, 2]}


def test_tampered_cookies_are_dropped(server):
    cookies, _ = set_cookies(server)
    pairs = dict(c.split(";", 1)[0].split("=", 1) for c in cookies)
    signed = pairs["signed"][:64] + "admin"
    marshal = pairs["marshal"][:64] + "eyJ1c2VyIjoiYWRtaW4ifQ=="
    r = server.client().get("/cookies/read", headers={
        "Cookie": f"signed={signed}; marshal={marshal}; other=1"})
    assert r.status == 200, r.text
    d = r.json()
    assert d["signed"] is None and d["marshal"] is None
    assert d["plain"]["other"] == "1"


def test_odd_cookie_header_is_tolerated(server):
    r = server.client().get("/cookies/read", headers={
        "Cookie": 'junk; $Version=1; x="q"; =bad; signed=short'})
    assert r.status == 200, r.text
    d = r.json()
    assert d["plain"]["x"] == '"q"'
    assert d["signed"] is None


def test_multiple_cookie_headers_are_joined(server):
    # http.client sends repeated headers when given a list via putheader
    import http.client
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.putrequest("GET", "/cookies/read")
        conn.putheader("Cookie", "a=1")
        conn.putheader("Cookie", "b=2")
        conn.putheader("Connection", "close")
        conn.endheaders()
        import json
        d = json.loads(conn.getresponse().read())
    finally:
        conn.close()
    assert d["plain"] == {"a": "1", "b": "2"}
