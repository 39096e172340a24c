"""server.get_options() is the child's live options table, as in 3.5
(issue 12 item 5): a PythonImport function stores a value that later
requests in that child see, from any interpreter; a value a handler stores
stays for later requests; a virtual host's table is its own; threads of a
threaded MPM write and read it concurrently without harm."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest


@pytest.fixture(scope="module")
def server(httpd):
    c = httpd.conf
    c.add("PythonPath \"sys.path + ['{htdocs}/srvopts']\"",
          "PythonOption srvopts.conf C",
          "PythonImport srvopts_import::store importer",
          # 3.5's one live table for every interpreter is a shared-GIL
          # feature (own-GIL ones get their own copy: test_170_owngil);
          # keep these shared when MP_TEST_GIL=own declares all own.
          "PythonInterpreterGIL shared importer localhost v.test")
    c.directory("{htdocs}/srvopts", "SetHandler mod_python",
                "PythonHandler srvopts_report")
    c.vhost("v.test", "PythonPath \"sys.path + ['{htdocs}/srvopts']\"")
    httpd.start()
    return httpd


def test_value_stored_by_pythonimport_is_seen_by_requests(server):
    d = server.client().get("/srvopts/x").json()
    assert d["interpreter"] == "localhost"      # not the importer's
    assert d["stored"] == f"by-import-{d['pid']}"
    assert d["main_stored"] == d["stored"]
    assert d["conf"] == "C" and d["type"] == "table"


def test_value_stored_by_a_handler_is_seen_by_later_requests(server):
    with server.client().session() as s:        # one child (prefork too)
        first = s.get("/srvopts/x?set=srvopts.k&v=one").json()
        later = s.get("/srvopts/x?get=srvopts.k").json()
        s.get("/srvopts/x?set=srvopts.k&v=two")
        again = s.get("/srvopts/x?get=srvopts.k").json()
    assert later["pid"] == first["pid"]
    assert later["value"] == "one" and later["main_value"] == "one"
    assert again["value"] == "two"


def test_virtual_host_table_is_its_own(server):
    """The vhost has no PythonOption of its own (its merged table was the
    main server's); a value stored through it stays with it."""
    with server.client().session() as s:
        v = s.get("/srvopts/x?set=srvopts.vonly&v=V", host="v.test").json()
        read = s.get("/srvopts/x?get=srvopts.vonly", host="v.test").json()
        main = s.get("/srvopts/x?get=srvopts.vonly").json()
    assert v["conf"] == "C"                       # inherited configuration
    assert read["value"] == "V"
    assert read["main_value"] is None             # not in the main server's
    if main["pid"] == read["pid"]:
        assert main["value"] is None


def test_concurrent_writers_and_readers(server):
    n, threads = 300, 8

    def run(t):
        return server.client().get(f"/srvopts/x?hammer={n}&t={t}").json()

    with ThreadPoolExecutor(threads) as pool:
        results = list(pool.map(run, range(threads * 2)))
    assert [r["ok"] for r in results] == [n] * (threads * 2)
    # the server is still fine
    assert server.client().get("/srvopts/x").json()["conf"] == "C"
