"""Handlers for test_340_apache.py (mod_python.apache inside httpd).

- constants   every upper-case name of mod_python.apache with its value
- names       which public names exist and whether they are callable
- state       apache.interpreter, apache.main_server, import_module,
              module_mtime, resolve_object
- cgienv      build_cgi_env(req) as JSON
- cgi         a CGI script run between setup_cgi and restore_nocgi: reads
              stdin (text and bytes), prints a header block and a body
"""

import json
import os
import sys

from mod_python import apache

PUBLIC = [
    "log_error", "import_module", "module_mtime", "resolve_object",
    "build_cgi_env", "setup_cgi", "restore_nocgi", "register_cleanup", "init",
    "table", "make_table", "config_tree", "server_root", "mpm_query",
    "exists_config_define", "stat", "interpreter", "main_server",
    "SERVER_RETURN", "CallBack", "NullIO", "CGIStdin", "CGIStdout",
]


def _json(req, data):
    req.content_type = "application/json"
    req.write(json.dumps(data))
    return apache.OK


def constants(req):
    return _json(req, {k: v for k, v in vars(apache).items()
                       if k.isupper() and isinstance(v, (int, str))})


def names(req):
    return _json(req, {n: [hasattr(apache, n), callable(getattr(apache, n, None))]
                       for n in PUBLIC})


class Greeter:
    def __init__(self, arg):
        self.arg = arg

    def hello(self):
        return f"hello {self.arg}"


def state(req):
    here = os.path.dirname(__file__)
    mod = apache.import_module("am_helper", path=[here])
    again = apache.import_module("am_helper", path=[here])
    greet = apache.resolve_object(sys.modules[__name__], "Greeter.hello", arg="bob")
    return _json(req, {
        "interpreter": apache.interpreter,
        "main_server_type": type(apache.main_server).__name__,
        "main_server_hostname": apache.main_server.server_hostname,
        "main_server_is_virtual": apache.main_server.is_virtual,
        "argv": sys.argv,
        "helper_value": mod.VALUE,
        "same_module": mod is again,
        "helper_mtime": apache.module_mtime(mod),
        "helper_file_mtime": os.path.getmtime(mod.__file__),
        "resolved": greet(),
        "silent_missing": apache.resolve_object(mod, "nope.deeper", silent=1),
    })


def cgienv(req):
    env = apache.build_cgi_env(req)
    return _json(req, env)


def cgi(req):
    saved = apache.setup_cgi(req)
    try:
        first = sys.stdin.readline()
        rest = sys.stdin.read().encode()   # (text and .buffer reads do not mix)
        has_buffer = hasattr(sys.stdin, "buffer")
        print("Status: 201 Created")
        print("Content-Type: text/plain; charset=utf-8")
        print("X-Cgi: yes")
        print()
        print("gateway", os.environ["GATEWAY_INTERFACE"])
        print("method", os.environ["REQUEST_METHOD"])
        print("script", os.environ["SCRIPT_NAME"])
        print("argv0", os.path.basename(sys.argv[0]))
        print("first", first.rstrip("\n"), has_buffer)
        sys.stdout.flush()
        sys.stdout.buffer.write(b"rest " + rest + b"\n")
        print("unicode", "\u00e9t\u00e9")
    finally:
        cgi_stdout = sys.stdout
        apache.restore_nocgi(*saved)
    ok = (sys.stdout is saved[2] and sys.stdin is saved[1]
          and "GATEWAY_INTERFACE" not in os.environ and cgi_stdout is not saved[2])
    req.write(f"restored {ok}\n")
    return apache.OK
