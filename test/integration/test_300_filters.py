"""Python filters: PythonOutputFilter/PythonInputFilter activated with
SetOutputFilter/AddOutputFilter/SetInputFilter, per-request filters
(req.register_*_filter + req.add_*_filter), the mp_filter object, streamed
responses (many brigades, flush buckets, end of stream), gzip, errors in
filters with PythonDebug Off and On, filters in sub-requests (mod_include).
"""

import json
import socket
import zlib

import pytest

CHUNK = "abcdefghijklmnopqrstuvwxyz" * 4


def stream_body(n):
    return "".join(f"chunk-{i} {CHUNK}\n" for i in range(n))


@pytest.fixture(scope="module")
def server(httpd):
    c = httpd.conf
    c.load_module("include")
    files = {
        "plain": ["PythonHandler flt_content"],
        "upper": ["SetOutputFilter UPPER", "PythonHandler flt_content::stream"],
        "gzip": ["SetOutputFilter GZIP", "PythonHandler flt_content::stream"],
        "upper_gzip": ["SetOutputFilter UPPER;GZIP",
                       "PythonHandler flt_content::stream"],
        "count": ["SetOutputFilter COUNT", "PythonHandler flt_content::stream"],
        "count_one": ["SetOutputFilter COUNT"],
        "attrs": ["SetOutputFilter AttrsFilter"],
        "partial": ["SetOutputFilter PARTIAL", "PythonHandler flt_content::stream"],
        "broken": ["SetOutputFilter BROKEN"],
        "broken_debug": ["SetOutputFilter BROKEN", "PythonDebug On"],
        "in_upper": ["SetInputFilter INUPPER",
                     "PythonHandler flt_content::echo_post"],
        "echo": ["PythonHandler flt_content::echo_post"],
        "dyn_out": ["PythonHandler flt_content::dyn_out"],
        "dyn_in": ["PythonHandler flt_content::dyn_in"],
    }
    blocks = [c.block("Files", f'"{name}"', *lines) for name, lines in files.items()]
    c.directory(
        "{htdocs}/filters",
        "SetHandler mod_python",
        "PythonHandler flt_content",
        "PythonOutputFilter flt_filters::upper UPPER",
        "PythonOutputFilter flt_filters::gzip GZIP",
        "PythonOutputFilter flt_filters::count COUNT",
        "PythonOutputFilter flt_filters::attrs AttrsFilter",
        "PythonOutputFilter flt_filters::broken BROKEN",
        "PythonOutputFilter flt_filters::partial PARTIAL",
        "PythonOutputFilter flt_filters::wrap WRAP",
        "PythonInputFilter flt_filters::in_upper INUPPER",
        "AddOutputFilter UPPER .up",
        c.block("Files", '"*.up"', "SetHandler None"),
        *blocks,
    )
    c.directory(
        "{htdocs}/filters/ssi",
        "SetHandler None",
        "Options +Includes",
        "SetOutputFilter WRAP",
        c.block("Files", '"*.shtml"', "SetOutputFilter INCLUDES;WRAP"),
    )
    httpd.start()
    return httpd


def get(server, path, **kw):
    return server.client().get("/filters/" + path, **kw)


def test_no_filter_baseline(server):
    r = get(server, "plain")
    assert (r.status, r.text) == (200, "hello filters\n")


def test_upper_filter_on_streamed_response(server):
    r = get(server, "upper?n=200")
    assert r.status == 200
    assert r.text == stream_body(200).upper()
    # streamed through flushes: chunked, no Content-Length
    assert r.headers.get("Transfer-Encoding") == "chunked"


def test_gzip_filter_on_streamed_response(server):
    r = get(server, "gzip?n=300")
    assert r.status == 200
    assert r.headers["Content-Encoding"] == "gzip"
    assert "Content-Length" not in r.headers
    assert zlib.decompress(r.body, 31).decode() == stream_body(300)
    assert len(r.body) < len(stream_body(300)) // 5


def test_two_python_filters_chained(server):
    r = get(server, "upper_gzip?n=40")
    assert r.headers["Content-Encoding"] == "gzip"
    assert zlib.decompress(r.body, 31).decode() == stream_body(40).upper()


def test_filter_called_many_times_on_streamed_response(server):
    r = get(server, "count?n=20")
    body, _, tail = r.text.rpartition("[calls=")
    assert body == stream_body(20)
    calls = int(tail.rstrip("]"))
    assert calls > 1


def test_filter_on_unflushed_response(server):
    r = get(server, "count_one")
    assert r.text.startswith("hello filters\n[calls=")


def test_add_output_filter_on_static_file(server):
    r = get(server, "static.up")
    assert (r.status, r.text) == (200, "STATIC FILE THROUGH A PYTHON FILTER\n")


def test_filter_object_attributes_and_closed_io(server):
    r = get(server, "attrs?t1")
    assert r.status == 200, r.text
    d = r.json()
    assert d == {
        "name": "attrsfilter",          # lower-cased by Apache
        "handler": "flt_filters::attrs",
        "dir": str(server.htdocs / "filters") + "/",
        "is_input": False,
        "closed_before": False,
        "softspace": 5,
        "req_uri": "/filters/attrs",
        "type": "mp_filter",
        "seen": "hello filters\n",
    }
    closed = json.loads((server.root / "tmp" / "closed-t1").read_text())
    msg = "I/O operation on closed filter"
    assert closed == {"closed_after": True, "write": msg, "read": msg,
                      "readline": msg, "flush": msg, "pass_on": msg}


def test_partial_reads_keep_the_rest(server):
    # the filter reads 7 bytes per call; nothing may be lost or reordered
    r = get(server, "partial?n=30")
    assert r.status == 200
    assert r.text == stream_body(30).upper()


def test_exception_in_filter_without_debug(server, expect_log):
    expect_log(r"MP0100: PythonOutputFilter flt_filters::broken.*"
               r"RuntimeError: filter exploded")
    r = get(server, "broken")
    # the filter is disabled and the body passes through untouched
    assert (r.status, r.text) == (200, "hello filters\n")


def test_exception_in_filter_with_debug(server, expect_log):
    expect_log(r"MP0100: PythonOutputFilter flt_filters::broken")
    r = get(server, "broken_debug")
    assert "Mod_python error" in r.text
    assert "RuntimeError: filter exploded" in r.text
    assert "Traceback" in r.text


def test_input_filter_upper_cases_post_body(server):
    body = b"post body, read by req.read()\n" * 500
    r = server.client().post("/filters/in_upper", body)
    assert r.status == 200
    assert r.body == body.upper()


def test_no_input_filter_baseline(server):
    body = b"unchanged body"
    assert server.client().post("/filters/echo", body).body == body


def test_per_request_output_filter(server):
    r = get(server, "dyn_out")
    assert (r.status, r.text) == (200, "DYNAMIC OUTPUT FILTERED\n")


def test_per_request_input_filter(server):
    body = b"lower case body " * 100
    r = server.client().post("/filters/dyn_in", body)
    assert (r.status, r.body) == (200, body.upper())


def test_filters_in_subrequest_do_not_double_process(server):
    r = server.client().get("/filters/ssi/page.shtml")
    assert r.status == 200, r.text
    # the included part passes the sub-request's WRAP untouched and is
    # wrapped once, by the main request's WRAP
    assert r.text == ("<<main-start Included part.\n main-end\n>>"
                      "[sub=/filters/ssi/part.txt]")


def test_subrequest_target_alone_is_wrapped(server):
    r = server.client().get("/filters/ssi/part.txt")
    assert r.text == "<<Included part.\n>>[sub=]"


def test_client_going_away_mid_stream(server, allow_log):
    # the filter's pass fails, then the handler's write: both are logged
    allow_log(r"MP0100: PythonOutputFilter flt_filters::upper",
              r"MP0100: PythonHandler flt_content::stream")
    since = server.log.offset()
    with socket.create_connection(("127.0.0.1", server.port)) as s:
        s.sendall(b"GET /filters/upper?n=20000 HTTP/1.1\r\nHost: localhost\r\n\r\n")
        s.recv(100)
    # wait for the last traceback line of the handler, so that the whole
    # report is judged with this test
    assert server.log.wait_for(r"\] PythonHandler flt_content::stream: OSError",
                               since, timeout=10)
    # the server is still fine
    assert get(server, "upper?n=2").text == stream_body(2).upper()
