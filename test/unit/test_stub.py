"""The typing stub lib/python/mod_python/_apache.pyi must list every member
the spec (sections 2.4-2.10) gives the C module, so it cannot silently miss
one.  The lists below are written from the spec, not from the stub."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

STUB = Path(__file__).resolve().parents[2] / "lib/python/mod_python/_apache.pyi"
PY_TYPED = STUB.parent / "py.typed"


def _words(text: str) -> list[str]:
    return text.split()


REQUEST = _words("""
write flush read readline readlines discard_request_body get_basic_auth_pw
auth_name auth_type get_config get_options get_remote_host
get_addhandler_exts document_root construct_url internal_redirect log_error
meets_conditions set_content_length set_etag set_last_modified update_mtime
allow_methods sendfile register_cleanup add_handler add_input_filter
add_output_filter register_input_filter register_output_filter add_cgi_vars
add_common_vars is_https ssl_var_lookup send_http_header build_wsgi_env
wsgi_start_response
connection server next prev main the_request assbackwards proxyreq
header_only protocol proto_num hostname request_time status_line status
method method_number allowed allowed_xmethods allowed_methods sent_bodyct
bytes_sent mtime chunked range clength remaining read_length read_body
read_chunked expecting_100 content_type content_encoding content_languages
handler vlist_validator user ap_auth_type no_cache no_local_copy
unparsed_uri uri filename canonical_filename path_info args finfo
parsed_uri used_path_info headers_in headers_out err_headers_out
subprocess_env notes eos_sent useragent_ip useragent_addr interpreter phase
extension hlist _content_type_set _bytes_queued _request_rec
""")

# attributes a handler may assign (spec 2.5.2 "RW")
REQUEST_WRITABLE = _words("""
assbackwards proxyreq status_line status chunked content_type handler user
ap_auth_type no_cache no_local_copy uri filename canonical_filename
path_info args finfo used_path_info
""")

TABLE = _words("""
__getitem__ __setitem__ __delitem__ __contains__ __iter__ __len__ __eq__
get add setdefault update keys values items iterkeys itervalues iteritems
has_key copy clear popitem
""")

CONN = _words("""
log_error read readline write base_server local_addr client_addr client_ip
remote_ip remote_addr remote_host remote_logname aborted keepalive
double_reverse keepalives local_ip local_host id notes hlist _conn_rec
""")

SERVER = _words("""
get_config get_options log_error register_cleanup defn_name
defn_line_number server_admin server_hostname port error_fname loglevel
is_virtual timeout keep_alive_timeout keep_alive_max keep_alive path pathlen
names wild_names limit_req_line limit_req_fieldsize limit_req_fields next
my_generation restart_time _server_rec
""")

FILTER = _words("""
read readline write flush close pass_on disable closed name req is_input
handler dir softspace
""")

FINFO = _words("""
fname name filetype valid protection user group inode device nlink size
atime mtime ctime __len__ __getitem__
""")

HLIST = _words("handler directory is_location silent next")

MODULE = _words("""
log_error config_tree server_root mpm_query exists_config_define stat
register_cleanup _global_lock _global_trylock _global_unlock SERVER_RETURN
table make_table mp_request mp_conn mp_server mp_filter mp_finfo mp_hlist
AP_CONN_UNKNOWN AP_CONN_CLOSE AP_CONN_KEEPALIVE APR_NOFILE APR_REG APR_DIR
APR_CHR APR_BLK APR_PIPE APR_LNK APR_SOCK APR_UNKFILE
MODULE_MAGIC_NUMBER_MAJOR MODULE_MAGIC_NUMBER_MINOR
""")


def _names(body: list[ast.stmt]) -> dict[str, ast.stmt]:
    out: dict[str, ast.stmt] = {}
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            out[node.name] = node
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            out[node.target.id] = node
        elif isinstance(node, ast.Assign):
            for t in node.targets:
                if isinstance(t, ast.Name):
                    out[t.id] = node
    return out


@pytest.fixture(scope="module")
def tree() -> ast.Module:
    return ast.parse(STUB.read_text(), filename=str(STUB))


@pytest.fixture(scope="module")
def module_names(tree: ast.Module) -> dict[str, ast.stmt]:
    return _names(tree.body)


def _class(module_names: dict[str, ast.stmt], name: str) -> ast.ClassDef:
    node = module_names[name]
    assert isinstance(node, ast.ClassDef), name
    return node


def test_py_typed_is_shipped() -> None:
    assert PY_TYPED.is_file()


def test_module_level_names(module_names: dict[str, ast.stmt]) -> None:
    assert sorted(set(MODULE) - set(module_names)) == []


@pytest.mark.parametrize("cls, members", [
    ("mp_request", REQUEST), ("table", TABLE), ("mp_conn", CONN),
    ("mp_server", SERVER), ("mp_filter", FILTER), ("mp_finfo", FINFO),
    ("mp_hlist", HLIST),
])
def test_class_members(module_names: dict[str, ast.stmt], cls: str,
                       members: list[str]) -> None:
    have = _names(_class(module_names, cls).body)
    assert sorted(set(members) - set(have)) == []


def test_request_member_counts() -> None:
    # spec 2.5: 38 methods less requires() (absent on httpd 2.4), and 64
    # attributes
    assert len(set(REQUEST)) == len(REQUEST) == 37 + 64


def test_writable_request_attributes_are_not_properties(
        module_names: dict[str, ast.stmt]) -> None:
    have = _names(_class(module_names, "mp_request").body)
    for name in REQUEST_WRITABLE:
        assert isinstance(have[name], ast.AnnAssign), name
    for name in set(REQUEST) - set(REQUEST_WRITABLE):
        node = have[name]
        assert isinstance(node, ast.FunctionDef), name


def test_make_table_is_an_alias(module_names: dict[str, ast.stmt]) -> None:
    node = module_names["make_table"]
    assert isinstance(node, ast.Assign)
    assert isinstance(node.value, ast.Name) and node.value.id == "table"
