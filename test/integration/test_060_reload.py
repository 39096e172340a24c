"""Auto-reload of a changed handler module (spec 5.5; defect 1 of the
original fixed): the same child runs the new code after the file changes,
and keeps the old code with PythonAutoReload Off."""

import re
import time

import pytest

POLL_TIMEOUT = 6.0


@pytest.fixture(scope="module")
def server(httpd):
    c = httpd.conf
    c.directory("{htdocs}/reload", "SetHandler mod_python", "PythonHandler rl_mod")
    c.directory("{htdocs}/reload/off", "PythonHandler rl_off",
                "PythonAutoReload Off")
    httpd.start()
    return httpd


def bump_version(server, rel, new):
    path = server.htdocs / rel
    text = path.read_text()
    assert "VERSION = " in text
    server.write_file(rel, re.sub(r"VERSION = \d+", f"VERSION = {new}", text),
                      mtime_bump=2.0)


def test_changed_module_is_reloaded(server):
    with server.client().session() as s:
        v, pid = s.get("/reload/x.txt").text.split()
        assert v == "v1"
        bump_version(server, "reload/rl_mod.py", 2)
        deadline = time.monotonic() + POLL_TIMEOUT
        while True:
            v2, pid2 = s.get("/reload/x.txt").text.split()
            assert pid2 == pid      # same child: it reloaded, not a new one
            if v2 == "v2" or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert v2 == "v2"
        # and again, to check a second change is picked up as well
        bump_version(server, "reload/rl_mod.py", 3)
        deadline = time.monotonic() + POLL_TIMEOUT
        while True:
            v3 = s.get("/reload/x.txt").text.split()[0]
            if v3 == "v3" or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert v3 == "v3"


def test_no_reload_when_autoreload_off(server):
    with server.client().session() as s:
        v, pid = s.get("/reload/off/x.txt").text.split()
        assert v == "v1"
        bump_version(server, "reload/off/rl_off.py", 2)
        time.sleep(1.5)     # longer than the once-per-second mtime check
        v2, pid2 = s.get("/reload/off/x.txt").text.split()
        assert pid2 == pid
        assert v2 == "v1"
