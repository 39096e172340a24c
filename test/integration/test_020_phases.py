"""Every request-phase directive is invoked, in Apache's order, with the
phase's default callable; PostReadRequest/Trans at vhost level; Init in a
<Directory> (defect 2 of the original fixed); Access returning 403; Authen
with 401; Type setting the content type; Log and Cleanup after the
response."""

import time
import uuid

import pytest

ALL_PHASES = [
    "PythonInitHandler", "PythonHeaderParserHandler", "PythonAccessHandler",
    "PythonAuthenHandler", "PythonAuthzHandler", "PythonTypeHandler",
    "PythonFixupHandler", "PythonHandler", "PythonLogHandler",
    "PythonCleanupHandler",
]
AUTH = ("alice", "secret")
DIR_ORDER = "init,headerparser,access,authen,authz,type,fixup,handler"


@pytest.fixture(scope="module")
def server(httpd):
    c = httpd.conf
    c.directory("{htdocs}/phases",
                "SetHandler mod_python",
                "AuthType Basic", 'AuthName "phases"', "Require valid-user",
                "PythonOption phases_log {tmp}/phases.log",
                *[f"{d} ph_record" for d in ALL_PHASES])
    c.directory("{htdocs}/phases_deny", "PythonAccessHandler ph_deny")
    c.vhost("early.test",
            "PythonPath \"sys.path + ['{htdocs}/phases']\"",
            "PythonPostReadRequestHandler ph_record",
            "PythonTransHandler ph_record ph_trans")
    httpd.start()
    return httpd


def read_phase_log(server, marker, want, timeout=5.0):
    """Lines "<phase> <marker>" from the log/cleanup handlers' file, polled
    until all phases in want are there or timeout."""
    path = server.tmp / "phases.log"
    deadline = time.monotonic() + timeout
    while True:
        lines = path.read_text().splitlines() if path.exists() else []
        got = [ln.split()[0] for ln in lines if ln.endswith(" " + marker)]
        if set(want) <= set(got) or time.monotonic() > deadline:
            return got
        time.sleep(0.05)


def test_directory_phases_in_order(server):
    r = server.client().get("/phases/x.txt?m1", auth=AUTH)
    assert r.status == 200, r.text
    phases, user = r.text.splitlines()
    assert phases == DIR_ORDER
    assert user == "user=alice"


def test_type_handler_sets_content_type(server):
    r = server.client().get("/phases/x.txt", auth=AUTH)
    assert r.status == 200
    assert r.headers["Content-Type"].startswith("text/x-phases")


def test_log_and_cleanup_handlers_run_after_response(server):
    marker = uuid.uuid4().hex
    r = server.client().get(f"/phases/x.txt?{marker}", auth=AUTH)
    assert r.status == 200
    got = read_phase_log(server, marker, ["log", "cleanup"])
    assert got == ["log", "cleanup"]


def test_authen_handler_rejects_without_credentials(server):
    r = server.client().get("/phases/x.txt")
    assert r.status == 401
    assert r.headers["WWW-Authenticate"].startswith("Basic")
    assert 'realm="phases"' in r.headers["WWW-Authenticate"]


def test_authen_handler_rejects_bad_password(server):
    r = server.client().get("/phases/x.txt", auth=("alice", "wrong"))
    assert r.status == 401


def test_log_handler_runs_for_rejected_request(server):
    marker = uuid.uuid4().hex
    r = server.client().get(f"/phases/x.txt?{marker}")
    assert r.status == 401
    assert "log" in read_phase_log(server, marker, ["log"])


def test_access_handler_forbidden(server):
    r = server.client().get("/phases_deny/secret.txt")
    assert r.status == 403
    assert "secret static file" not in r.text


def test_access_handler_ok_lets_static_file_through(server):
    r = server.client().get("/phases_deny/secret.txt?allow")
    assert r.status == 200
    assert r.text == "secret static file\n"


def test_postread_and_trans_in_vhost(server):
    r = server.client().get("/phases/x.txt", host="early.test", auth=AUTH)
    assert r.status == 200, r.text
    phases = r.text.splitlines()[0]
    assert phases == "postreadrequest,trans," + DIR_ORDER


def test_trans_handler_sets_filename(server):
    r = server.client().get("/translated/anything", host="early.test")
    assert r.status == 200, r.text
    assert r.text == "translated static file\n"


def test_trans_handler_declines_elsewhere(server):
    r = server.client().get("/phases_static/static.txt", host="early.test")
    assert r.status == 200
    assert r.text == "translated static file\n"
    assert server.client().get("/translated/anything").status == 404
