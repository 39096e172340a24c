"""PythonHtaccess Off: an administrator keeps Python directives out of the
.htaccess files of a directory tree.  A request whose configuration took
a Python directive from such a file gets 500 and one MP0130 line, as Apache
answers a directive an .htaccess may not hold; other .htaccess directives
keep working, and PythonHtaccess On below re-allows Python."""

import pytest

H = "{htdocs}/htswitch"


@pytest.fixture(scope="module")
def server(httpd):
    c = httpd.conf
    c.directory(H, "AllowOverride All", "PythonHtaccess Off")
    c.directory(f"{H}/off/on", "PythonHtaccess On")
    httpd.start()
    return httpd


def test_python_handler_in_htaccess_is_refused(server, expect_log):
    expect_log(r"MP0130: .*/htswitch/off/\.htaccess: Python directives are "
               r"not allowed here \(PythonHtaccess Off\)")
    r = server.client().get("/htswitch/off/x")
    assert r.status == 500
    assert "ran" not in r.text


def test_python_path_alone_is_refused(server, expect_log):
    # not even an expression that would only be evaluated later
    expect_log(r"MP0130: .*/htswitch/pathonly/\.htaccess")
    assert server.client().get("/htswitch/pathonly/x.txt").status == 500


def test_other_htaccess_directives_still_apply(server):
    r = server.client().get("/htswitch/plain/x.txt")
    assert (r.status, r.text) == (200, "static\n")
    assert r.headers["Content-Type"].startswith("text/x-plain-test")


def test_python_htaccess_on_below_reallows(server):
    r = server.client().get("/htswitch/off/on/x")
    assert (r.status, r.text) == (200, "ran on")


def test_the_switch_itself_cannot_be_set_in_htaccess(server):
    # PythonHtaccess is an httpd.conf directive: an .htaccess that turns it
    # back on is refused by Apache itself, and its handler never runs.
    since = server.log.offset()
    r = server.client().get("/htswitch/sneaky/x")
    assert r.status == 500
    assert "ran" not in r.text
    assert server.log.wait_for(r"PythonHtaccess not allowed here", since)
