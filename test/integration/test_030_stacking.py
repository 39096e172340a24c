"""Stacked handler lists (spec 1.2, 1.3): continue/stop per phase, the
result of a stopped list, appending within a section, replacement in a more
specific section, DECLINED content handler -> static file, `| .ext`."""

import pytest

S = "{htdocs}/stacking"


@pytest.fixture(scope="module")
def server(httpd):
    c = httpd.conf
    c.add(f"PythonPath \"sys.path + ['{S}', '{S}/decline', '{S}/ext']\"")
    c.directory(f"{S}/fixup", "SetHandler mod_python",
                "PythonFixupHandler st_notes::declined st_notes::ok1 st_notes::ok2",
                "PythonHandler st_notes")
    c.directory(f"{S}/fixup/sub", "PythonFixupHandler st_notes::sub")
    c.directory(f"{S}/fixup_append", "SetHandler mod_python",
                "PythonFixupHandler st_notes::ok1",
                "PythonFixupHandler st_notes::ok2",
                "PythonHandler st_notes")
    c.directory(f"{S}/fixup_stop", "SetHandler mod_python",
                "PythonFixupHandler st_notes::declined st_notes::forbid st_notes::ok2",
                "PythonHandler st_notes")
    c.directory(f"{S}/authen", "SetHandler mod_python",
                "AuthType Basic", 'AuthName "stack"', "Require valid-user",
                "PythonAuthenHandler st_authen::declined st_authen::ok st_authen::never",
                "PythonHandler st_notes")
    c.directory(f"{S}/authen_nouser", "SetHandler mod_python",
                "AuthType Basic", 'AuthName "stack"', "Require valid-user",
                "PythonAuthenHandler st_authen::nouser",
                "PythonHandler st_notes")
    c.directory(f"{S}/content", "SetHandler mod_python",
                "PythonHandler st_content::first st_content::second")
    c.directory(f"{S}/decline", "AddHandler mod_python .html",
                "PythonHandler st_decline st_decline::never")
    c.directory(f"{S}/ext", "SetHandler mod_python",
                "PythonHandler st_ext::ext | .py",
                "PythonHandler st_ext::plain")
    httpd.start()
    return httpd


def get(server, path, **kw):
    return server.client().get("/stacking/" + path, **kw)


def test_fixup_declined_ok_ok_all_run(server):
    r = get(server, "fixup/x.txt")
    assert r.status == 200, r.text
    assert r.text.splitlines()[0] == "declined,ok1,ok2"


def test_fixup_list_replaced_in_subdirectory(server):
    r = get(server, "fixup/sub/x.txt")
    assert r.status == 200, r.text
    assert r.text.splitlines()[0] == "sub"


def test_repeated_directive_in_one_section_appends(server):
    r = get(server, "fixup_append/x.txt")
    assert r.status == 200, r.text
    assert r.text.splitlines()[0] == "ok1,ok2"


def test_error_result_stops_list_and_is_the_phase_result(server):
    assert get(server, "fixup_stop/x.txt").status == 403


def test_authen_declined_ok_stops_before_third(server):
    r = get(server, "authen/x.txt", auth=("bob", "pw"))
    assert r.status == 200, r.text
    assert r.text.splitlines() == ["declined,ok", "user=stacked-user"]


def test_authen_ok_without_user_is_500(server, expect_log):
    expect_log(r"MP\d{4}: PythonAuthenHandler .*req\.user")
    # no Authorization header: the handler cannot have a user to set
    r = get(server, "authen_nouser/x.txt")
    assert r.status == 500


def test_content_handlers_continue_on_ok(server):
    r = get(server, "content/x.txt")
    assert r.status == 200
    assert r.text == "first;second"


def test_declined_content_handler_falls_back_to_static_file(server):
    r = get(server, "decline/page.html")
    assert r.status == 200, r.text
    assert r.text == "STATIC PAGE\n"
    assert r.headers["Content-Type"].startswith("text/html")


def test_ext_list_used_for_matching_extension(server):
    r = get(server, "ext/data.py")
    assert r.status == 200
    assert r.text == "ext handler"


def test_plain_list_used_otherwise(server):
    r = get(server, "ext/data.txt")
    assert r.status == 200
    assert r.text == "plain handler"
