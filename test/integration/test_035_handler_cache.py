"""The resolved-handler cache of the request loop (src/mp_dispatch.c) never
serves a stale callable: rebinding or deleting the handler's name in its
module is seen by the next request of the same process, as when every
request looked the name up again."""

import pytest


@pytest.fixture(scope="module")
def server(httpd):
    c = httpd.conf
    c.directory("{htdocs}/hcache", "SetHandler mod_python")
    c.location("/hcache/rebind", "PythonHandler rebind")
    c.location("/hcache/vanish", "PythonHandler vanish")
    c.add('PythonPath "sys.path + [\'{htdocs}/hcache\']"')
    httpd.start()
    return httpd


def test_rebound_handler_is_called(server):
    # one keep-alive connection: the same child (prefork) serves both
    with server.client().session() as s:
        bodies = [s.get("/hcache/rebind").text for _ in range(3)]
    assert bodies[0] == "first"
    assert bodies[1:] == ["second", "second"]


def test_deleted_handler_is_an_error(server, expect_log):
    expect_log(r"MP0100: PythonHandler vanish: AttributeError: .*"
               r"contains no 'handler'")
    with server.client().session() as s:
        first = s.get("/hcache/vanish")
        second = s.get("/hcache/vanish")
    assert (first.status, first.text) == (200, "here")
    assert second.status == 500
