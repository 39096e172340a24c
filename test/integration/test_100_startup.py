"""Python start-up in the child (issue 2): a Python home that Apache's User
cannot read gives one clear error naming the path and the user, requests get
a 500 with a log line, and the parent keeps running."""

import os
import re
import sys

import pytest

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0, reason="needs root: children must run as another user")

LOG_ALLOW = [r"MP0002: "]


@pytest.fixture(scope="module")
def server(httpd, tmp_path_factory):
    # A Python "home" inside a directory only root may enter.
    locked = httpd.tmp / "locked"
    stdlib = locked / "home" / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}"
    stdlib.mkdir(parents=True)
    (stdlib / "os.py").write_text("# not a real standard library\n")
    os.chmod(locked, 0o700)
    c = httpd.conf
    c.add(f"PythonHome {locked / 'home'}")
    c.directory("{htdocs}/startup", "SetHandler mod_python",
                "PythonHandler st_hello")
    httpd.start()
    return httpd


def test_unreadable_home_is_named_with_the_user(server, expect_log):
    expect_log(r"MP0002: Python cannot start: .*/locked/home/lib/python3\.\d+/os\.py"
               r" is not readable by user www-data")
    r = server.client().get("/startup/x")
    assert r.status == 500


def test_requests_fail_cleanly_and_server_keeps_serving(server):
    # The start-up line (MP0002, once per child) said why: the requests
    # answer 500 without a line each (no MP0007 either).
    for _ in range(6):
        assert server.client().get("/startup/x").status == 500
    lines = server.log.read_from(0)
    assert not [line for line in lines if "MP0007" in line], lines
    mp02 = [line for line in lines if "MP0002: " in line]
    pids = [re.search(r"\[pid (\d+)", line).group(1) for line in mp02]
    assert mp02 and len(pids) == len(set(pids)), mp02
