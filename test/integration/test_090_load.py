"""A small load test: 300 requests over 8 threads all answer 200 with the
right body, and the error log stays clean (checked after the test)."""

from concurrent.futures import ThreadPoolExecutor

import pytest

REQUESTS = 300
THREADS = 8


@pytest.fixture(scope="module")
def server(httpd):
    httpd.conf.directory("{htdocs}/load", "SetHandler mod_python",
                         "PythonHandler load_hello")
    httpd.start()
    return httpd


def test_concurrent_requests(server):
    client = server.client()

    def one(i):
        r = client.get(f"/load/x.txt?{i}")
        return r.status, r.text, i

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(one, range(REQUESTS)))
    bad = [(s, t, i) for s, t, i in results if s != 200 or t != f"hello {i}"]
    assert bad == []


def test_concurrent_keepalive_sessions(server):
    def session(n):
        with server.client().session() as s:
            return [s.get(f"/load/x.txt?{n}-{k}").text == f"hello {n}-{k}"
                    for k in range(REQUESTS // THREADS)]

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(session, range(THREADS)))
    assert all(all(r) for r in results)
