"""Directives not covered elsewhere: PythonHandlerModule (silent entries
for every phase; defect 11 of the original fixed) and PythonOptimize."""

import pytest


@pytest.fixture(scope="module")
def server(httpd):
    c = httpd.conf
    c.add("PythonOptimize On")
    c.directory("{htdocs}/directives", "SetHandler mod_python",
                "PythonHandlerModule dm_module")
    httpd.start()
    return httpd


def test_handler_module_runs_defined_phases_and_skips_the_rest(server):
    r = server.client().get("/directives/x")
    assert r.status == 200, r.text
    assert r.text.startswith("fixup ")


def test_python_optimize_sets_level_2(server):
    r = server.client().get("/directives/x")
    assert r.text.endswith("optimize=2")
