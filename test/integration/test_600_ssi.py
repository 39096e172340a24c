"""Python in server-side includes (spec 3.6): <!--#python exec|eval -->
through mod_include, pages under test/htdocs/ssi/ (see its README)."""

import re

import pytest

ERROR_STR = "[an error occurred while processing this directive]"


@pytest.fixture(scope="module")
def server(httpd):
    c = httpd.conf
    c.load_module("include")
    c.directory("{htdocs}/ssi", "Options +Includes",
                "AddType text/html .shtml",
                "AddOutputFilter INCLUDES .shtml")
    c.directory("{htdocs}/ssi/noexec", "Options IncludesNOEXEC")
    c.directory("{htdocs}/ssi/debug", "PythonDebug On")
    c.directory("{htdocs}/ssi/pre", "PythonFixupHandler ssi_fixup")
    c.directory("{htdocs}/ssi/handler", "SetHandler mod_python",
                "PythonHandler ssi_handler")
    httpd.start()
    return httpd


def element(text, ident):
    m = re.search(rf'<p id="{ident}">(.*?)</p>', text, re.DOTALL)
    assert m, f"no element {ident} in {text!r}"
    return m.group(1)


def test_exec_and_eval_share_globals(server):
    r = server.client().get("/ssi/basic.shtml")
    assert r.status == 200, r.text
    assert r.headers["Content-Type"].startswith("text/html")
    t = r.text
    assert element(t, "eval") == "eval: 42"
    assert element(t, "loop") == "012printed"
    assert element(t, "none") == "[]"
    assert element(t, "file") == "True"
    # a function defined by one element, called by a later one, prints
    # into the later element's output
    assert element(t, "func") == "LATER TAG"
    assert element(t, "end") == "end"
    assert "not printing" not in t and ERROR_STR not in t


def test_attribute_entities_are_decoded(server):
    t = server.client().get("/ssi/basic.shtml").text
    assert element(t, "entity") == "ab"


def test_str_output_is_utf8(server):
    r = server.client().get("/ssi/basic.shtml")
    assert '<p id="utf8">\u00e9</p>'.encode() in r.body


def test_req_is_the_request(server):
    t = server.client().get("/ssi/basic.shtml").text
    assert element(t, "req") == "/ssi/basic.shtml"


def test_globals_do_not_outlive_the_request(server):
    with server.client().session() as s:   # same child, same interpreter
        for _ in range(3):
            t = s.get("/ssi/basic.shtml").text
            assert element(t, "count") == "1"


def test_globals_prepopulated_by_a_handler(server):
    r = server.client().get("/ssi/pre/page.shtml")
    assert r.status == 200, r.text
    assert element(r.text, "greeting") == "hello from fixup"


def test_exception_gives_error_string_and_log(server, expect_log):
    expect_log(r"MP0601: <!--#python eval --> in .*error\.shtml: "
               r"ZeroDivisionError")
    r = server.client().get("/ssi/error.shtml")
    assert r.status == 200
    assert element(r.text, "before") == "before"
    assert element(r.text, "err") == ERROR_STR
    assert element(r.text, "after") == "still runs"
    assert "Traceback" not in r.text


def test_syntax_error(server, expect_log):
    expect_log(r"MP0601: <!--#python exec --> .*SyntaxError")
    r = server.client().get("/ssi/syntax.shtml")
    assert element(r.text, "err") == ERROR_STR


def test_bad_attributes(server, expect_log):
    expect_log(r'MP0600: .*badattr\.shtml: unknown attribute "code"',
               r"MP0600: .*only one exec or eval attribute",
               r"MP0600: .*empty eval attribute")
    t = server.client().get("/ssi/badattr.shtml").text
    assert element(t, "unknown") == ERROR_STR
    assert element(t, "two") == ERROR_STR
    assert element(t, "empty") == ERROR_STR
    assert element(t, "ok") == "9"


def test_includes_noexec_refuses(server, expect_log):
    expect_log(r"MP0600: .*IncludesNOEXEC")
    t = server.client().get("/ssi/noexec/page.shtml").text
    assert element(t, "echo") == "page.shtml"
    assert element(t, "py") == ERROR_STR


def test_debug_shows_traceback(server, expect_log):
    expect_log(r"MP0601: .*ValueError: shown in debug")
    t = server.client().get("/ssi/debug/page.shtml").text
    err = element(t, "err")
    assert "<pre>" in err and "Traceback" in err
    assert "ValueError: shown in debug" in err
    assert err.endswith(ERROR_STR)


def test_filter_added_by_a_handler(server):
    # req.write() passes the markup through INCLUDES while the handler runs
    r = server.client().get("/ssi/handler/x")
    assert r.status == 200, r.text
    assert element(r.text, "who") == "handler"
    assert element(r.text, "same") == "True"
    assert element(r.text, "set") == ""
    assert element(r.text, "after") == "page"


def test_concurrent_requests_keep_their_output(server):
    from concurrent.futures import ThreadPoolExecutor

    def fetch(i):
        return i, server.client().get(f"/ssi/concurrent.shtml?r{i}").text

    with ThreadPoolExecutor(8) as pool:
        for i, text in pool.map(fetch, range(24)):
            assert element(text, "out") == f"r{i}/r{i}"
