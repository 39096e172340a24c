"""Same-named handler modules in different directories coexist (issue 12
item 8): samename/a, /b and /c each have an h.py and `PythonHandler h`;
every directory is served by its own module, in the same process, and a
changed h.py is still reloaded."""

import re
import time

import pytest

POLL_TIMEOUT = 6.0
DIRS = ("a", "b", "c")


@pytest.fixture(scope="module")
def server(httpd):
    for d in DIRS:
        httpd.conf.directory(f"{{htdocs}}/samename/{d}", "SetHandler mod_python",
                             "PythonHandler h", "PythonDebug On")
    httpd.start()
    return httpd


def fetch(s, d):
    text = s.get(f"/samename/{d}/x").text
    name, version, pid, modname = text.split()
    assert name == d, text
    return version, pid, modname


def test_each_directory_runs_its_own_h(server):
    with server.client().session() as s:
        for _round in range(3):
            for d in ("b", "a", "c"):   # not in configuration order
                version, _pid, _ = fetch(s, d)
                assert version == "v1"
        pids = {fetch(s, d)[1] for d in DIRS}
        assert len(pids) == 1       # one process served all three
        names = {fetch(s, d)[2] for d in DIRS}
        assert len(names) == 3      # three modules, three sys.modules keys


def test_autoreload_still_works(server):
    rel = "samename/b/h.py"
    text = (server.htdocs / rel).read_text()
    server.write_file(rel, re.sub(r"VERSION = \d+", "VERSION = 2", text),
                      mtime_bump=2.0)
    with server.client().session() as s:
        deadline = time.monotonic() + POLL_TIMEOUT
        while True:
            version = fetch(s, "b")[0]
            if version == "v2" or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert version == "v2"
        assert fetch(s, "a")[0] == "v1"
        assert fetch(s, "c")[0] == "v1"
