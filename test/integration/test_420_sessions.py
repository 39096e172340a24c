"""mod_python.Session through Apache, for FileSession, DbmSession and
MemorySession: a counter kept across requests by the session cookie, the
cookie's attributes, forged ids starting a new session, timeout expiry,
invalidate(), cleanup, and concurrent requests on one session being
serialised by the cross-process lock."""

import os
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

TYPES = {"file": "FileSession", "dbm": "DbmSession", "mem": "MemorySession"}


@pytest.fixture(scope="module")
def server(httpd, env):
    c = httpd.conf
    if env.mpm == "prefork":
        c.add("StartServers 5", "MinSpareServers 5", "MaxSpareServers 10")
    files = []
    for short, cls in TYPES.items():
        opts = [f"PythonOption mod_python.session.session_type {cls}"]
        for suffix, func in (("", "counter"), ("_invalidate", "invalidate"),
                             ("_purge", "purge")):
            files.append(c.block("Files", f'"{short}{suffix}"',
                                 f"PythonHandler sessions_h::{func}", *opts))
    files.append(c.block(
        "Files", '"signed"', "PythonHandler sessions_h::counter",
        "PythonOption mod_python.session.session_type FileSession",
        "PythonOption test.secret s3cr3t",
        "PythonOption mod_python.session.cookie_name signedsid"))
    c.directory("{htdocs}/sessions", "SetHandler mod_python",
                "PythonHandler sessions_h::counter",
                "PythonOption mod_python.session.database_directory {tmp}/sess",
                "PythonOption mod_python.dbm_session.database_filename "
                "{tmp}/sess.dbm",
                "PythonOption mod_python.file_session.cleanup_grace_period 0",
                *files)
    os.makedirs(httpd.tmp / "sess", exist_ok=True)
    os.chmod(httpd.tmp / "sess", 0o1777)
    httpd.start()
    return httpd


def sid_cookie(r, name="pysid"):
    for value in r.headers.get_all("Set-Cookie") or []:
        if value.startswith(name + "="):
            return value
    return None


def first(server, path, keepalive=None, **kw):
    c = keepalive or server.client()
    r = c.get(path, **kw)
    assert r.status == 200, r.text
    return r


@pytest.fixture(params=list(TYPES))
def kind(request):
    return request.param


def test_counter_across_requests(server, kind):
    with server.client().session() as ka:
        r = first(server, f"/sessions/{kind}", ka)
        d = r.json()
        assert d["is_new"] and d["n"] == 1 and d["type"] == TYPES[kind]
        cookie = sid_cookie(r)
        assert cookie.startswith(f"pysid={d['id']}; Path=/sessions/;")
        assert "HttpOnly" in cookie
        header = {"Cookie": f"pysid={d['id']}"}
        for n in (2, 3):
            r = first(server, f"/sessions/{kind}", ka, headers=header)
            e = r.json()
            assert e["id"] == d["id"] and not e["is_new"] and e["n"] == n
            assert sid_cookie(r) is None


@pytest.mark.parametrize("forged", [
    "../../etc/passwd", "0" * 31, "A" * 32, "0" * 32 + "/x", "%2e%2e%2f",
    "00000000000000000000000000000000; pysid=../x"])
def test_forged_sid_gets_new_session(server, forged):
    r = first(server, "/sessions/file", headers={"Cookie": f"pysid={forged}"})
    d = r.json()
    assert d["is_new"] and d["n"] == 1
    assert d["id"] != forged and len(d["id"]) == 32
    assert sid_cookie(r).startswith(f"pysid={d['id']}")


def test_unknown_valid_sid_gets_new_session(server):
    r = first(server, "/sessions/file", headers={"Cookie": "pysid=" + "ab" * 16})
    assert r.json()["is_new"] and r.json()["id"] != "ab" * 16


def test_signed_session_cookie(server):
    r = first(server, "/sessions/signed")
    cookie = sid_cookie(r, "signedsid")
    wire = cookie.split(";", 1)[0].split("=", 1)[1]
    d = r.json()
    assert wire.endswith(d["id"]) and len(wire) == 64 + 32
    r = first(server, "/sessions/signed", headers={"Cookie": f"signedsid={wire}"})
    assert r.json()["n"] == 2
    # the bare id (unsigned) or a forged signature starts a new session
    for bad in (d["id"], "0" * 64 + d["id"]):
        r = first(server, "/sessions/signed", headers={"Cookie": f"signedsid={bad}"})
        assert r.json()["is_new"] and r.json()["id"] != d["id"]


def test_timeout_expiry(server, kind):
    with server.client().session() as ka:
        d = first(server, f"/sessions/{kind}?timeout=1", ka).json()
        assert d["timeout"] == 1
        header = {"Cookie": f"pysid={d['id']}"}
        assert first(server, f"/sessions/{kind}", ka,
                     headers=header).json()["n"] == 2
        time.sleep(1.3)
        e = first(server, f"/sessions/{kind}", ka, headers=header).json()
        assert e["is_new"] and e["id"] != d["id"] and e["n"] == 1


def test_invalidate(server, kind):
    with server.client().session() as ka:
        d = first(server, f"/sessions/{kind}", ka).json()
        header = {"Cookie": f"pysid={d['id']}"}
        r = first(server, f"/sessions/{kind}_invalidate", ka, headers=header)
        assert r.json()["id"] == d["id"]
        assert "Max-Age=0" in sid_cookie(r)
        e = first(server, f"/sessions/{kind}", ka, headers=header).json()
        assert e["is_new"] and e["id"] != d["id"]


def test_file_session_layout_and_cleanup(server):
    d = first(server, "/sessions/file?timeout=1").json()
    path = server.tmp / "sess" / "mp_sess" / d["id"][:2] / d["id"]
    assert path.is_file()
    assert (path.stat().st_mode & 0o777) == 0o640
    time.sleep(1.3)
    first(server, "/sessions/file_purge?timeout=1")
    assert not path.exists()


def test_dbm_cleanup(server):
    with server.client().session() as ka:
        d = first(server, "/sessions/dbm?timeout=1", ka).json()
        time.sleep(1.3)
        first(server, "/sessions/dbm_purge", ka)
        # purged: the id is unknown now (a new session), even without expiry
        e = first(server, "/sessions/dbm", ka,
                  headers={"Cookie": f"pysid={d['id']}"}).json()
        assert e["is_new"]


N = 4
HOLD = 0.3


def test_concurrent_requests_on_one_session_are_serialised(server, env, kind):
    if kind == "mem" and env.mpm == "prefork":
        pytest.skip("MemorySession is per process")
    d = first(server, f"/sessions/{kind}").json()
    header = {"Cookie": f"pysid={d['id']}"}

    def get(_):
        return server.client().get(f"/sessions/{kind}?sleep={HOLD}",
                                   headers=header)

    with ThreadPoolExecutor(N) as pool:
        rs = list(pool.map(get, range(N)))
    assert all(r.status == 200 for r in rs), [r.text for r in rs]
    data = [r.json() for r in rs]
    assert sorted(x["n"] for x in data) == list(range(2, N + 2))
    assert all(x["id"] == d["id"] for x in data)
    ends = sorted(x["end"] for x in data)
    assert ends[-1] - ends[0] >= (N - 1) * HOLD * 0.9
