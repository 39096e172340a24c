"""Errors and return codes of content handlers: exception -> 500 + MP0100
log line; a module that fails to import (SyntaxError, missing module,
missing object) -> 500 and a log line, the server keeps serving;
SERVER_RETURN; HTTP_* results; a non-int result; custom status; DONE."""

import pytest

FILES = {
    "raise": "err_raise",
    "syntax": "err_syntax",
    "good": "err_good",
    "nomodule": "err_does_not_exist",
    "noobject": "err_good::no_such_object",
    "forbidden": "err_results::forbidden",
    "server_return_ok": "err_results::server_return_ok",
    "not_found": "err_results::not_found",
    "not_int": "err_results::not_int",
    "custom": "err_results::custom",
    "done": "err_results::done",
}


# Written at setup, not kept in htdocs/, so that linters of the tree pass.
ERR_SYNTAX = '''"""A handler module that does not compile (SyntaxError on import)."""


def handler(req)
    return 0
'''


@pytest.fixture(scope="module")
def server(httpd):
    httpd.write_file("errors/err_syntax.py", ERR_SYNTAX)
    blocks = [httpd.conf.block("Files", f'"{name}"', f"PythonHandler {handler}")
              for name, handler in FILES.items()]
    httpd.conf.directory("{htdocs}/errors", "SetHandler mod_python", *blocks)
    httpd.start()
    return httpd


def get(server, name):
    return server.client().get("/errors/" + name)


def assert_still_serving(server):
    r = get(server, "good")
    assert (r.status, r.text) == (200, "good")


def test_good(server):
    assert_still_serving(server)


def test_exception_gives_500_and_mp0100(server, expect_log):
    expect_log(r"MP0100: PythonHandler err_raise.*ValueError: boom from err_raise"
               r".*interpreter 'localhost'")
    r = get(server, "raise")
    assert r.status == 500
    assert "boom" not in r.text     # PythonDebug is Off
    line = server.log.wait_for(r"err_raise\.py", server.checked_offset)
    assert line is not None, "traceback lines missing from the log"
    assert_still_serving(server)


def test_syntax_error_on_import(server, expect_log):
    expect_log(r"MP0100: .*err_syntax.*SyntaxError")
    assert get(server, "syntax").status == 500
    assert_still_serving(server)
    # a second attempt fails the same way (nothing half-imported is cached)
    assert get(server, "syntax").status == 500


def test_missing_module(server, expect_log):
    expect_log(r"MP0100: .*err_does_not_exist.*(ModuleNotFoundError|ImportError)")
    assert get(server, "nomodule").status == 500
    assert_still_serving(server)


def test_missing_object(server, expect_log):
    expect_log(r"MP0100: .*no_such_object")
    assert get(server, "noobject").status == 500
    assert_still_serving(server)


def test_server_return_forbidden(server):
    assert get(server, "forbidden").status == 403


def test_server_return_ok_keeps_body(server):
    r = get(server, "server_return_ok")
    assert (r.status, r.text) == (200, "after server return")


def test_http_status_result(server):
    assert get(server, "not_found").status == 404


def test_non_int_result_gives_500(server, allow_log):
    allow_log(r"MP\d{4}: .*(not_int|not an int|int)")
    assert get(server, "not_int").status == 500
    assert server.log.wait_for(r"\[python:error\].*not_int",
                               server.checked_offset) is not None
    assert_still_serving(server)


def test_custom_status_with_body(server):
    r = get(server, "custom")
    assert (r.status, r.text) == (410, "custom gone")


def test_done_result(server):
    r = get(server, "done")
    assert (r.status, r.text) == (200, "done body")
