"""PSP through Apache: a page with form and loop, include, the session
variable, the error page, syntax and runtime errors (500 and a log line
naming the PSP line), the debug listing only with PythonDebug On, reload of
a changed page (pages in test/htdocs/psp)."""

import os
import re

import pytest


@pytest.fixture(scope="module")
def server(httpd):
    c = httpd.conf
    c.directory("{htdocs}/psp",
                "AddHandler mod_python .psp .psp_",
                "PythonHandler mod_python.psp",
                "PythonDebug On",
                "PythonOption mod_python.session.database_directory {tmp}")
    c.directory("{htdocs}/psp/nodebug", "PythonDebug Off")
    c.location("/pspstring", "SetHandler mod_python",
               "PythonPath \"sys.path + ['{htdocs}/psp']\"",
               "PythonHandler psp_string")
    httpd.start()
    return httpd


def get(server, path, **kw):
    return server.client().get("/psp/" + path, **kw)


def test_page_with_form_and_loop(server):
    r = get(server, "hello.psp?name=Ann")
    assert r.status == 200, r
    assert r.headers["Content-Type"].startswith("text/html")
    assert "<h1>Hello Ann</h1>" in r.text
    assert r.text.count("<li>item") == 3
    assert "<li>item 2</li>" in r.text
    assert r'backslashes stay: \d \n \\ "quoted"' in r.text


def test_include(server):
    r = get(server, "include.psp")
    assert r.status == 200
    assert "<h1>Included page</h1>" in r.text
    assert "<p>body</p>" in r.text


def test_content_type_set_by_page(server):
    r = get(server, "type.psp")
    assert r.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert r.text.strip() == "plain GET"


def test_session_variable_creates_and_saves_session(server):
    r1 = get(server, "session.psp")
    assert r1.status == 200, r1
    assert r1.text.strip() == "count=1 new=True"
    cookie = r1.headers["Set-Cookie"]
    assert "pysid=" in cookie
    sid = re.search(r"pysid=([0-9a-f]+)", cookie).group(1)
    r2 = get(server, "session.psp", headers={"Cookie": f"pysid={sid}"})
    assert r2.text.strip() == "count=2 new=False"


def test_error_page_gets_exception(server):
    r = get(server, "error.psp")
    assert r.status == 200
    assert "error page: ValueError: page failed" in r.text


def test_syntax_error_is_500_with_log_line(server, expect_log):
    r = get(server, "syntax.psp")
    assert r.status == 500
    expect_log(r"MP0100: PythonHandler mod_python\.psp: PSPSyntaxError: "
               r".*syntax\.psp:2: invalid syntax")


def test_runtime_error_traceback_names_psp_line(server, expect_log):
    r = get(server, "runtime.psp")
    assert r.status == 500
    expect_log(r"MP0100: PythonHandler mod_python\.psp: NameError",
               r'File ".*runtime\.psp", line 3')


def test_missing_page_is_404(server):
    assert get(server, "missing.psp").status == 404


def test_redirect(server):
    r = get(server, "redirect.psp")
    assert r.status == 302
    assert r.headers["Location"] == "/psp/hello.psp"


def test_debug_listing_with_debug_on(server):
    r = get(server, "hello.psp_")
    assert r.status == 200
    assert "<table" in r.text
    assert "req.write(" in r.text         # the generated Python
    assert "form.getfirst" in r.text      # the PSP source


def test_no_listing_without_debug(server):
    r = get(server, "nodebug/page.psp_")
    assert r.status == 404
    assert "secret source" not in r.text
    assert get(server, "nodebug/page.psp").text.strip() == "secret source 2"


def test_psp_from_string_with_vars(server):
    r = server.client().get("/pspstring")
    assert r.status == 200, r
    assert r.text == "hi, there!"


def test_reload_on_change(server):
    page = server.htdocs / "psp" / "changing.psp"
    page.write_text("version <%= 1 %>")
    os.chmod(page, 0o644)
    with server.client().session() as s:
        assert s.get("/psp/changing.psp").text == "version 1"
        page.write_text("version <%= 1 + 1 %>")
        st = page.stat()
        os.utime(page, (st.st_atime, st.st_mtime + 2))
        assert s.get("/psp/changing.psp").text == "version 2"


def test_reload_when_include_changes(server):
    inc = server.htdocs / "psp" / "inc" / "part.psp"
    page = server.htdocs / "psp" / "withpart.psp"
    inc.write_text("part A")
    page.write_text('[<%@ include file="inc/part.psp" %>]')
    for p in (inc, page):
        os.chmod(p, 0o644)
    with server.client().session() as s:
        assert s.get("/psp/withpart.psp").text == "[part A]"
        inc.write_text("part B")
        st = inc.stat()
        os.utime(inc, (st.st_atime, st.st_mtime + 2))
        assert s.get("/psp/withpart.psp").text == "[part B]"
