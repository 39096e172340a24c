"""Server, connection and finfo objects (spec 2.7, 2.8, 2.10).

PythonHandler api_server -> JSON:
  "server" / "main": attributes of req.server / apache.main_server,
  "server_config", "server_options", "main_config", "main_options",
  "conn": connection attributes, "finfo": req.finfo as attributes and as a
  sequence, "stat": apache.stat results, "bad": {case: exception name}.
"""

import json
import os

from mod_python import apache

SERVER_ATTRS = [
    "defn_name", "defn_line_number", "server_admin", "server_hostname",
    "port", "error_fname", "loglevel", "is_virtual", "timeout",
    "keep_alive_timeout", "keep_alive_max", "keep_alive", "path", "pathlen",
    "names", "wild_names", "limit_req_line", "limit_req_fieldsize",
    "limit_req_fields", "next", "my_generation", "restart_time",
    "_server_rec",
]
CONN_ATTRS = [
    "base_server", "local_addr", "client_addr", "client_ip", "remote_ip",
    "remote_addr", "remote_host", "remote_logname", "aborted", "keepalive",
    "double_reverse", "keepalives", "local_ip", "local_host", "id", "notes",
    "hlist", "_conn_rec",
]
FINFO_ATTRS = [
    "fname", "name", "filetype", "valid", "protection", "user", "group",
    "inode", "device", "nlink", "size", "atime", "mtime", "ctime",
]


def jsonable(v):
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, (tuple, list)):
        return [jsonable(x) for x in v]
    return type(v).__name__


def attrs(obj, names):
    return {n: jsonable(getattr(obj, n)) for n in names}


def err(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        return type(e).__name__
    return None


def finfo_dict(fi):
    d = attrs(fi, FINFO_ATTRS)
    d["seq"] = [jsonable(fi[i]) for i in range(len(fi))]
    d["len"] = len(fi)
    d["by_const"] = {
        "FILETYPE": fi[apache.FINFO_FILETYPE], "SIZE": fi[apache.FINFO_SIZE],
        "FNAME": fi[apache.FINFO_FNAME], "MTIME": fi[apache.FINFO_MTIME],
        "MODE": fi[apache.FINFO_MODE], "INO": fi[apache.FINFO_INO],
    }
    d["repr_ok"] = repr(fi).startswith("{") and "'size'" in repr(fi)
    return d


def handler(req):
    srv = req.server
    conn = req.connection
    out = {
        "server": attrs(srv, SERVER_ATTRS),
        "main": attrs(apache.main_server, SERVER_ATTRS),
        "server_config": dict(srv.get_config()),
        "server_options": dict(srv.get_options()),
        "main_config": dict(apache.main_server.get_config()),
        "main_options": dict(apache.main_server.get_options()),
        "server_type": type(srv).__name__,
        "server_cached": req.server is srv,
        "conn": attrs(conn, CONN_ATTRS),
        "conn_cached": req.connection is conn,
        "conn_base_is_server_type": type(conn.base_server) is type(srv),
    }
    chain, s = [], apache.main_server.next
    while s is not None:
        chain.append(s.server_hostname)
        s = s.next
    out["vhost_chain"] = chain

    # server: __dict__, log_error, register_cleanup
    srv.custom = "attached"
    out["server_dict"] = req.server.custom
    srv.log_error("api_server: server log line", apache.APLOG_NOTICE)
    out["server_cleanup"] = srv.register_cleanup(req, lambda d: None, 1)

    # connection: log_error, notes, keepalive is writable
    conn.log_error("api_server: conn log line", apache.APLOG_NOTICE)
    conn.notes["seen"] = "yes"
    out["conn_notes"] = conn.notes["seen"]
    old = conn.keepalive
    conn.keepalive = apache.AP_CONN_CLOSE
    out["keepalive_set"] = conn.keepalive
    conn.keepalive = old
    out["keepalive_restored"] = conn.keepalive

    # finfo of the request, and apache.stat
    out["finfo"] = finfo_dict(req.finfo)
    here = os.path.dirname(__file__)
    out["stat_file"] = finfo_dict(apache.stat(__file__, apache.APR_FINFO_NORM))
    out["stat_dir"] = apache.stat(here, apache.APR_FINFO_TYPE).filetype
    out["stat_missing"] = finfo_dict(
        apache.stat(os.path.join(here, "no-such-file"), apache.APR_FINFO_NORM))
    out["stat_notdir"] = apache.stat(__file__ + "/below",
                                     apache.APR_FINFO_MIN).filetype
    other = apache.stat(os.path.join(here, "cond.txt"), apache.APR_FINFO_NORM)
    req.finfo = other
    out["finfo_after_set"] = req.finfo.fname
    out["os_stat"] = {"size": os.stat(__file__).st_size,
                      "mtime": int(os.stat(__file__).st_mtime),
                      "ino": os.stat(__file__).st_ino}

    out["bad"] = {
        "server.port=1": err(lambda: setattr(srv, "port", 1)),
        "server.timeout=1": err(lambda: setattr(srv, "timeout", 1)),
        "server.log_error(5)": err(lambda: srv.log_error(5)),
        "server.get_config(1)": err(lambda: srv.get_config(1)),
        "server.register_cleanup(req, 5)": err(
            lambda: srv.register_cleanup(req, 5)),
        "conn.keepalive='x'": err(lambda: setattr(conn, "keepalive", "x")),
        "conn.client_ip='x'": err(lambda: setattr(conn, "client_ip", "x")),
        "conn.write(5)": err(lambda: conn.write(5)),
        "conn.read('x')": err(lambda: conn.read("x")),
        "conn.readline('x')": err(lambda: conn.readline("x")),
        "conn.log_error(5)": err(lambda: conn.log_error(5)),
        "finfo[13]": err(lambda: req.finfo[13]),
        "finfo[-20]": err(lambda: req.finfo[-20]),
        "finfo.size=1": err(lambda: setattr(req.finfo, "size", 1)),
        "stat(5, 1)": err(lambda: apache.stat(5, 1)),
        "stat('x')": err(lambda: apache.stat("x")),
        "stat('x', 'y')": err(lambda: apache.stat("x", "y")),
        "stat(nul)": err(lambda: apache.stat("a\0b", 1)),
        "stat(too long)": err(lambda: apache.stat("/" + "a" * 5000, 1)),
        "finfo=None": err(lambda: setattr(req, "finfo", None)),
    }
    req.content_type = "application/json"
    req.write(json.dumps(out))
    return apache.OK
