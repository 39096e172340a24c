"""Global cross-process mutexes (_apache._global_lock/_trylock/_unlock):
concurrent requests holding lock 1 are serialised (across processes under
prefork, across threads under event), trylock fails while another process
or thread holds the lock, a key maps to the same lock in every process
(stable hash), indexes out of range raise ValueError."""

import itertools
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

N = 4
HOLD = 0.5


@pytest.fixture(scope="module")
def server(httpd, env):
    c = httpd.conf
    if env.mpm == "prefork":
        # enough idle children that N concurrent requests really run in
        # N different processes
        c.add("StartServers 6", "MinSpareServers 6", "MaxSpareServers 10")
    c.directory("{htdocs}/locks", "SetHandler mod_python",
                "PythonHandler lk::hold",
                *[c.block("Files", f'"{name}"', f"PythonHandler lk::{func}")
                  for name, func in (("nolock", "nolock"), ("try", "try_"),
                                     ("errors", "errors"))])
    httpd.start()
    return httpd


def concurrent(server, paths):
    def get(path):
        return server.client().get(path)

    with ThreadPoolExecutor(len(paths)) as pool:
        return list(pool.map(get, paths))


def test_control_without_lock_runs_concurrently(server):
    t0 = time.monotonic()
    rs = concurrent(server, [f"/locks/nolock?secs={HOLD}"] * N)
    assert all(r.status == 200 for r in rs)
    assert time.monotonic() - t0 < N * HOLD * 0.75


def test_lock_serialises_requests(server, env):
    t0 = time.monotonic()
    rs = concurrent(server, [f"/locks/hold?idx=1&secs={HOLD}"] * N)
    elapsed = time.monotonic() - t0
    assert all(r.status == 200 for r in rs), [r.text for r in rs]
    spans = sorted((d["start"], d["end"]) for d in (r.json() for r in rs))
    assert elapsed >= N * HOLD
    for (_, end), (start, _) in itertools.pairwise(spans):
        assert start >= end - 0.01, spans        # never two holders at once
    pids = {r.json()["pid"] for r in rs}
    if env.mpm == "prefork":
        assert len(pids) == N       # really across processes
    else:
        assert len(pids) == 1       # threads of the one child


def test_different_locks_do_not_serialise(server):
    t0 = time.monotonic()
    rs = concurrent(server, [f"/locks/hold?idx={i}&secs={HOLD}" for i in (1, 2, 3)])
    assert all(r.status == 200 for r in rs)
    assert time.monotonic() - t0 < 3 * HOLD * 0.75


@pytest.mark.parametrize("which", ["idx=2", "key=session-abc"])
def test_trylock_false_while_held(server, which):
    with ThreadPoolExecutor(1) as pool:
        holder = pool.submit(server.client().get, f"/locks/hold?{which}&secs=1.0")
        time.sleep(0.4)
        busy = [server.client().get(f"/locks/try?{which}").json() for _ in range(3)]
        held = holder.result()
    assert held.status == 200
    assert [d["got"] for d in busy] == [False, False, False]
    # free again
    assert server.client().get(f"/locks/try?{which}").json()["got"] is True


def test_index_out_of_range(server):
    d = server.client().get("/locks/errors").json()
    for idx in (-2, 8, 1000):
        for name in ("_global_lock", "_global_trylock", "_global_unlock"):
            assert d[f"{name} {idx}"] == f"mutex index {idx} out of range 0..7"
    assert d["trylock 0"] is True
    assert d["trylock 7"] is True
