"""Content handlers for the filter tests (test_300_filters.py).

- handler      a small body in one write (text/plain)
- stream       ?n=N chunks "chunk-<i> abcdef...\\n", each written with
               req.write(flush=1), so the filters see many brigades
- echo_post    reads the request body with req.read() and writes it back
- dyn_out      registers and adds a per-request output filter
- dyn_in       registers and adds a per-request input filter, then echoes
               the body read with req.read()
- bad_register register_output_filter without a handler -> TypeError shown
"""

from mod_python import apache

CHUNK = "abcdefghijklmnopqrstuvwxyz" * 4


def handler(req):
    req.content_type = "text/plain"
    req.write("hello filters\n")
    return apache.OK


def _n(req, default):
    for part in (req.args or "").split("&"):
        if part.startswith("n="):
            return int(part[2:])
    return default


def stream(req):
    req.content_type = "text/plain"
    for i in range(_n(req, 50)):
        req.write(f"chunk-{i} {CHUNK}\n", 1)
    return apache.OK


def echo_post(req):
    req.content_type = "application/octet-stream"
    data = req.read()
    req.write(data)
    return apache.OK


def dyn_out(req):
    req.register_output_filter("DynUpper", "flt_filters::upper")
    req.add_output_filter("DynUpper")
    req.content_type = "text/plain"
    req.write("dynamic output ", 1)
    req.write("filtered\n")
    return apache.OK


def dyn_in(req):
    req.register_input_filter("DynIn", "flt_filters::in_upper", req.hlist.directory)
    req.add_input_filter("DynIn")
    req.content_type = "application/octet-stream"
    req.write(req.read())
    return apache.OK
