"""mod_python.apache functions of spec 2.2 through Apache.

PythonHandler api_module -> JSON with the results of server_root(),
mpm_query(), exists_config_define(), config_tree() (searched for this
test's marker directives), table()/make_table(), stat(), log_error()
(to the main server and to req.server), and {case: exception name} for
bad arguments.
"""

import json

from mod_python import apache


def err(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        return type(e).__name__
    return None


def find(tree, name, parent=None, found=None):
    """(args, parent section) of each directive called name."""
    found = [] if found is None else found
    last = None
    for item in tree:
        if isinstance(item, list):
            find(item, name, last, found)
        else:
            directive, args = item
            if directive == name:
                found.append([args, parent[0] + " " + parent[1]
                              if parent else None])
            last = item
    return found


def handler(req):
    tree = apache.config_tree()
    q = apache.mpm_query
    out = {
        "server_root": apache.server_root(),
        "mpm": {
            "threaded": q(apache.AP_MPMQ_IS_THREADED),
            "forked": q(apache.AP_MPMQ_IS_FORKED),
            "max_daemons": q(apache.AP_MPMQ_MAX_DAEMONS),
            "max_threads": q(apache.AP_MPMQ_MAX_THREADS),
            "unknown": q(9999),
        },
        "defines": {
            "FOREGROUND": apache.exists_config_define("FOREGROUND"),
            "API_TEST_DEFINE": apache.exists_config_define("API_TEST_DEFINE"),
            "NOT_DEFINED": apache.exists_config_define("NOT_DEFINED"),
        },
        "tree_type": type(tree).__name__,
        "tree_first": list(tree[0]) if tree else None,
        "marker": find(tree, "PythonOption"),
        "table_is_make_table": apache.table is apache.make_table,
        "table_type": type(apache.table({"a": "1"})).__name__,
        "make_table": dict(apache.make_table([("k", "v")]).items()),
        "stat_type": type(apache.stat(__file__,
                                      apache.APR_FINFO_MIN)).__name__,
        "log_none": apache.log_error(None),
    }
    apache.log_error("api_module: main server notice", apache.APLOG_NOTICE)
    apache.log_error("api_module: vhost notice", apache.APLOG_NOTICE,
                     req.server)
    apache.log_error(b"api_module: bytes message", apache.APLOG_NOTICE)
    out["bad"] = {
        "mpm_query('x')": err(lambda: q("x")),
        "mpm_query()": err(lambda: q()),
        "exists_config_define(5)": err(
            lambda: apache.exists_config_define(5)),
        "log_error(level=str)": err(lambda: apache.log_error("m", "x")),
        "log_error(server=5)": err(
            lambda: apache.log_error("m", apache.APLOG_NOTICE, 5)),
        "server_root(1)": err(lambda: apache.server_root(1)),
        "config_tree(1)": err(lambda: apache.config_tree(1)),
        "table(5)": err(lambda: apache.table(5)),
    }
    req.content_type = "application/json"
    req.write(json.dumps(out))
    return apache.OK
