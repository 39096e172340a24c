"""Request methods that need no special setup (spec 2.5.1).

PythonHandler api_methods -> JSON {name: result}, where bad-argument cases
report the exception class name.  Registers a cleanup that writes
"<tmp>/cleanup-<args>" (PythonOption api.tmp) when the request ends.
"""

import json
import os

from mod_python import apache


def err(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        return type(e).__name__
    return None


def write_marker(path):
    with open(path + ".part", "w") as f:
        f.write("cleaned")
    os.rename(path + ".part", path)     # the test polls for path


def handler(req):
    out = {}
    cfg = req.get_config()
    opts = req.get_options()
    out["config"] = dict(cfg)
    out["options"] = dict(opts)
    out["config_type"] = type(cfg).__name__
    out["construct_url"] = req.construct_url("/x/y?z")
    out["document_root"] = req.document_root()
    out["remote_host"] = req.get_remote_host()
    out["remote_nolookup"] = req.get_remote_host(apache.REMOTE_NOLOOKUP)
    out["remote_host_only"] = req.get_remote_host(apache.REMOTE_HOST)
    out["remote_tuple"] = list(req.get_remote_host(apache.REMOTE_NAME, 1))
    req.add_cgi_vars()
    out["cgi"] = dict(req.subprocess_env)
    req.add_common_vars()
    out["is_https"] = req.is_https()
    out["ssl_var"] = req.ssl_var_lookup("SSL_PROTOCOL")
    out["auth_name"] = req.auth_name()
    out["auth_type"] = req.auth_type()
    out["send_http_header"] = req.send_http_header()
    out["discard"] = req.discard_request_body()
    out["exts"] = req.get_addhandler_exts()
    out["log_error"] = req.log_error("api_methods: logged at notice",
                                     apache.APLOG_NOTICE)
    req.set_content_length(12345)
    out["clength_after_set"] = req.clength
    out["bad"] = {
        "set_content_length(-1)": err(lambda: req.set_content_length(-1)),
        "set_content_length('5')": err(lambda: req.set_content_length("5")),
        "register_cleanup(5)": err(lambda: req.register_cleanup(5)),
        "add_handler(bogus)": err(
            lambda: req.add_handler("PythonBogusHandler", "x")),
        "add_handler(cleanup)": err(
            lambda: req.add_handler("PythonCleanupHandler", "x")),
        "add_handler(int)": err(lambda: req.add_handler(5, "x")),
        "write(5)": err(lambda: req.write(5)),
        "write(flush=str)": err(lambda: req.write(b"", "x")),
        "write(flush=float)": err(lambda: req.write(b"", flush=1.5)),
        "write()": err(lambda: req.write()),
        "write(3 args)": err(lambda: req.write(b"", 0, 1)),
        "write(bogus=)": err(lambda: req.write(b"", bogus=1)),
        "write(data=, flush=) ok": err(lambda: req.write(data=b"", flush=0)),
        "update_mtime('x')": err(lambda: req.update_mtime("x")),
        "allow_methods(5)": err(lambda: req.allow_methods(5)),
        "allow_methods([5])": err(lambda: req.allow_methods([5])),
        "internal_redirect(5)": err(lambda: req.internal_redirect(5)),
        "construct_url(5)": err(lambda: req.construct_url(5)),
        "get_remote_host('x')": err(lambda: req.get_remote_host("x")),
        "sendfile(5)": err(lambda: req.sendfile(5)),
        "sendfile(neg offset)": err(
            lambda: req.sendfile(req.document_root() + "/__alive.txt", -1)),
        "ssl_var_lookup(5)": err(lambda: req.ssl_var_lookup(5)),
        "log_error(5)": err(lambda: req.log_error(5)),
        "read(neg len) ok": err(lambda: req.read(-5)),
        "readline(-3) ok": err(lambda: req.readline(-3)),
        "get_config(1)": err(lambda: req.get_config(1)),
        "build_wsgi_env(1)": err(lambda: req.build_wsgi_env(1)),
    }
    tmp = opts.get("api.tmp")
    if tmp and req.args:
        req.register_cleanup(write_marker,
                             os.path.join(tmp, "cleanup-" + req.args))
    req.content_type = "application/json"
    body = json.dumps(out).encode()
    req.set_content_length(len(body))
    req.write(body, 0)
    return apache.OK
