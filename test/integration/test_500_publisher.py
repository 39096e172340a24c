"""mod_python.publisher: traversal, index fallback, argument matching, the
publishing rules, auth hooks in every form, 405, content types, bytes
results and reload of a changed page (handlers in test/htdocs/publisher)."""

import os

import pytest


@pytest.fixture(scope="module")
def server(httpd):
    c = httpd.conf
    c.directory("{htdocs}/publisher", "SetHandler mod_python",
                "PythonHandler mod_python.publisher",
                "PythonDebug On")
    httpd.start()
    return httpd


def get(server, path, **kw):
    return server.client().get("/publisher/" + path, **kw)


# -- locating the module and the object -----------------------------------

def test_directory_uses_index(server):
    r = get(server, "")
    assert r.status == 200, r
    assert r.text == "index of publisher"
    assert r.headers["Content-Type"] == "text/plain; charset=utf-8"


def test_index_fallback_first_name_is_function(server):
    assert get(server, "hello").text == "hello world"
    assert get(server, "hello?name=you").text == "hello you"


def test_module_with_and_without_py_suffix(server):
    assert get(server, "pages/func").text == "func"
    assert get(server, "pages.py/func").text == "func"
    assert get(server, "pages/func/").text == "func"


def test_other_extension_stripped_when_py_exists(server):
    assert get(server, "pages.html/func").text == "func"


def test_sub_directory_index(server):
    assert get(server, "sub/").text == "sub index"
    assert get(server, "sub/other").text == "sub other"


def test_missing_module_and_no_index_is_404(server):
    assert get(server, "noindex/missing").status == 404
    assert get(server, "noindex/only/page").text == "only page"


def test_missing_attribute_is_404(server):
    assert get(server, "pages/no_such_thing").status == 404
    assert get(server, "nothere").status == 404


# -- arguments --------------------------------------------------------------

def test_form_arguments_and_req(server):
    assert get(server, "index/args?a=1&b=2").text == "a=1 b=2 req=yes"
    assert get(server, "index/args?a=1&zzz=ignored").text == "a=1 b=B req=yes"


def test_post_arguments(server):
    r = server.client().post(
        "/publisher/index/args", b"a=posted&b=too",
        headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.text == "a=posted b=too req=yes"


def test_missing_required_argument_is_400(server):
    assert get(server, "index/args?b=2").status == 400


def test_kwargs_gets_the_rest(server):
    assert get(server, "pages/kwargs?a=1&x=2&y=3").text == "a=1 rest=x:2,y:3"


def test_repeated_field_is_a_list(server):
    assert get(server, "pages/multi?v=1&v=2").text == "['1', '2']"
    assert get(server, "pages/multi?v=1").text == "['1']"


def test_post_and_head_and_form_on_req(server):
    assert get(server, "pages/method_form?x=7").text == "GET:7"
    assert get(server, "pages/method_form").text == "GET:None"
    r = server.client().request(
        "POST", "/publisher/pages/method_form", body=b"x=8",
        headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.text == "POST:8"
    r = server.client().request("HEAD", "/publisher/pages/func")
    assert r.status == 200 and r.body == b""


def test_other_methods_are_405_with_allow(server):
    r = server.client().request("PUT", "/publisher/pages/func", body=b"x")
    assert r.status == 405
    allow = {m.strip() for m in r.headers["Allow"].split(",")}
    assert {"GET", "POST", "HEAD"} <= allow
    assert "PUT" not in allow


# -- traversal and publishing rules -----------------------------------------

def test_instance_hierarchy(server):
    assert get(server, "pages/hierarchy_root").text == "root"
    assert get(server, "pages/hierarchy_root/page1").text == "page page1"
    assert get(server, "pages/hierarchy_root/page1/subpage1").text == "page subpage1"
    assert get(server, "pages/hierarchy_root/page1/method?x=5").text == \
        "method of page1 x=5"


def test_string_constant_is_published(server):
    assert get(server, "pages/greeting").text == "a plain string constant"


@pytest.mark.parametrize("name", [
    "a_module",          # module
    "module_attr",       # module
    "AClass",            # class
    "code_object",       # code object
    "builtin",           # builtin function
    "dict_keys",         # bound builtin method
    "returns_class",     # a class returned by a call is not published
])
def test_not_publishable_is_403(server, name):
    assert get(server, f"pages/{name}").status == 403


@pytest.mark.parametrize("path", [
    "pages/func/__code__",          # function: not traversable (and private)
    "pages/numbers/append",         # list instance: not traversable
    "pages/mapping/keys",           # dict instance: not traversable
    "pages/a_module/path",          # module: not traversable
    "pages/AClass/method",          # class: not traversable
    "pages/func/x",                 # function: not traversable
])
def test_not_traversable_is_403(server, path):
    assert get(server, path).status == 403


def test_underscore_names_are_403_and_logged(server, expect_log):
    assert get(server, "pages/_private").status == 403
    assert get(server, "pages/hierarchy_root/page1/_hidden").status == 403
    expect_log(r"MP0700: publisher: access to 'hierarchy_root\.page1\._hidden' refused")


def test_imported_function_is_published(server):
    # as in 3.5: a plain function in the module's namespace is published
    r = get(server, "pages/imported_function?a=x&b=y")
    assert r.status == 200 and r.text == "x"  # os.path.join(a, *p)


# -- results and content types ----------------------------------------------

def test_html_guess(server):
    r = get(server, "pages/html")
    assert r.headers["Content-Type"] == "text/html; charset=utf-8"


def test_text_guess(server):
    r = get(server, "pages/text")
    assert r.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert r.text == "just text"


def test_bytes_are_written_as_bytes(server):
    r = get(server, "pages/as_bytes")
    assert r.body == b"\x00\x01binary\xff"
    assert r.headers["Content-Type"] == "text/plain"
    assert get(server, "pages/html_bytes").headers["Content-Type"] == "text/html"


def test_unicode_and_charset(server):
    assert get(server, "pages/unicode").body == "caf\u00e9 \u20ac".encode()
    r = get(server, "pages/latin1")
    assert r.body == b"caf\xe9"
    assert r.headers["Content-Type"] == "text/plain; charset=iso-8859-1"


def test_content_type_set_by_code_is_kept(server):
    r = get(server, "pages/own_type")
    assert r.headers["Content-Type"] == "application/json"
    assert r.json() == {"ok": True}


def test_content_length_computed(server):
    r = get(server, "pages/text")
    assert r.headers["Content-Length"] == str(len("just text"))


def test_none_and_direct_writes(server, expect_log):
    r = get(server, "pages/nothing")
    assert r.status == 200 and r.body == b""
    expect_log(r"publisher: nothing to publish for /publisher/pages/nothing")
    assert get(server, "pages/written").text == "written directly"


def test_returned_callable_is_published(server):
    assert get(server, "pages/returns_function").text == "just text"


def test_other_values_are_str(server):
    assert get(server, "pages/number").text == "42"
    assert get(server, "pages/generator").text.startswith("<generator object")


# -- authentication ---------------------------------------------------------

def test_auth_missing_credentials_gives_401_with_realm(server):
    r = get(server, "auth/public")
    assert r.status == 401
    assert r.headers["WWW-Authenticate"] == 'Basic realm="module realm"'


def test_auth_dict(server):
    assert get(server, "auth/public", auth=("alice", "wonderland")).text == "hello alice"
    assert get(server, "auth/public", auth=("alice", "wrong")).status == 401
    assert get(server, "auth/public", auth=("nobody", "x")).status == 401


def test_access_list(server):
    assert get(server, "auth/only_alice", auth=("alice", "wonderland")).status == 200
    assert get(server, "auth/only_alice", auth=("bob", "builder")).status == 403


def test_nested_auth_function_and_realm(server):
    # module dict passes for alice, nested __auth__ wants bob
    r = get(server, "auth/nested", auth=("alice", "wonderland"))
    assert r.status == 401
    assert r.headers["WWW-Authenticate"] == 'Basic realm="nested realm"'
    assert get(server, "auth/nested", auth=("bob", "builder")).text == "nested ok bob"


def test_nested_access_constant_and_function(server):
    assert get(server, "auth/nested_access", auth=("bob", "builder")).status == 403
    assert get(server, "auth/nested_access_fn", auth=("alice", "wonderland")).status == 200
    assert get(server, "auth/nested_access_fn", auth=("bob", "builder")).status == 403


def test_nested_dict_is_refused_not_ignored(server, expect_log):
    assert get(server, "auth/nested_dict", auth=("alice", "wonderland")).status == 500
    expect_log(r"MP0701: publisher: nested __auth__ in nested_dict must be a def")
    # the verdict is remembered per page: refused again, logged again
    assert get(server, "auth/nested_dict", auth=("alice", "wonderland")).status == 500


def test_object_auth_method_and_realm(server):
    r = get(server, "auth/protected/page", auth=("alice", "wonderland"))
    assert r.status == 401
    assert 'realm="object realm"' in r.headers["WWW-Authenticate"]
    assert get(server, "auth/protected/page", auth=("bob", "builder")).text == \
        "protected bob"


def test_constant_access_on_object(server):
    assert get(server, "auth/closed/page", auth=("alice", "wonderland")).status == 403


def test_callable_module_auth(server):
    assert get(server, "open_auth/page", auth=("joe", "pw-joe")).text == "authed joe"
    assert get(server, "open_auth/page", auth=("joe", "nope")).status == 401
    r = get(server, "open_auth/page")
    assert r.headers["WWW-Authenticate"] == 'Basic realm="unknown"'


def test_malformed_basic_is_400(server):
    r = get(server, "open_auth/page", headers={"Authorization": "Basic !!!notbase64"})
    assert r.status == 400
    r = get(server, "open_auth/page", headers={"Authorization": "Basic bm9jb2xvbg=="})
    assert r.status == 400  # "nocolon"


def test_digest_header_without_hooks_is_fine(server):
    r = get(server, "noauth/page",
            headers={"Authorization": 'Digest username="x", realm="y"'})
    assert r.status == 200
    r = get(server, "noauth/page", headers={"Authorization": "Basic !!!"})
    assert r.status == 200


# -- reload -------------------------------------------------------------------

def test_reload_on_change(server, expect_log):
    page = server.htdocs / "publisher" / "reloaded.py"
    page.write_text("def page(req):\n    return 'version 1'\n")
    os.chmod(page, 0o644)
    with server.client().session() as s:
        assert s.get("/publisher/reloaded/page").text == "version 1"
        page.write_text("def page(req):\n    return 'version two'\n")
        st = page.stat()
        os.utime(page, (st.st_atime, st.st_mtime + 2))
        assert s.get("/publisher/reloaded/page").text == "version two"
    expect_log(r"publisher: reloaded .*reloaded\.py")


def test_reload_on_change_by_file_name(server, expect_log):
    """/dir/page.py/func: the stat that finds the file is the cache stamp."""
    page = server.htdocs / "publisher" / "reloaded2.py"
    page.write_text("def page(req):\n    return 'first'\n")
    os.chmod(page, 0o644)
    with server.client().session() as s:
        assert s.get("/publisher/reloaded2.py/page").text == "first"
        assert s.get("/publisher/reloaded2.py/page").text == "first"
        page.write_text("def page(req):\n    return 'second!'\n")
        st = page.stat()
        os.utime(page, (st.st_atime, st.st_mtime + 2))
        assert s.get("/publisher/reloaded2.py/page").text == "second!"
    expect_log(r"publisher: reloaded .*reloaded2\.py")


# -- the route cache: later requests see every change ---------------------

def test_route_cache_sees_rebinding_and_new_hooks(server, allow_log):
    allow_log(r"publisher")
    with server.client().session() as s:    # one child under prefork too
        def page(path):
            return s.get("/publisher/routes.py/" + path)

        assert page("other").text == "other"
        assert page("other").text == "other"        # from the route cache
        assert page("swap_other").text == "swapped in"
        assert page("other").text == "swapped"
        assert page("hello").text == "hello"
        assert page("hello").text == "hello"
        assert page("lock_hello").text == "locked"
        assert page("hello").status == 401          # __auth__ added later
        assert page("takes_form?name=x").text == "name=x"
        assert page("takes_form?name=y").text == "name=y"
        assert page("lock_module").text == "module locked"
        assert page("other").status == 403          # module __access__ added


def test_routed_function_gets_a_form_on_post(server):
    with server.client().session() as s:
        assert s.get("/publisher/routes_form.py/takes_form").text == "name=nobody"
        r = s.request("POST", "/publisher/routes_form.py/takes_form",
                      body=b"name=posted", headers={
                          "Content-Type": "application/x-www-form-urlencoded"})
        assert r.text == "name=posted"
