"""The whole mp_table behaviour (spec 2.6), checked in one request.

PythonHandler api_table  -> JSON {"checks": n, "failures": [...]}: each
    failure names the check and what was seen.  Standalone tables and the
    live request tables (headers_out, notes, subprocess_env) are covered.
PythonHandler api_table::echo_headers -> JSON [[name, value], ...] of
    req.headers_in.items() (for raw header bytes sent by a socket client).
"""

import json

from mod_python import apache

_results = []


def check(name, got, want):
    _results.append(name)
    if got != want:
        _failures.append(f"{name}: got {got!r}, want {want!r}")


def raises(name, exc, fn):
    _results.append(name)
    try:
        fn()
    except exc:
        return
    except Exception as e:  # noqa: BLE001
        _failures.append(f"{name}: raised {type(e).__name__}: {e}")
        return
    _failures.append(f"{name}: did not raise {exc.__name__}")


_failures = []


def standalone():
    T = apache.table
    check("make_table alias", apache.make_table, T)
    t = T()
    check("empty len", len(t), 0)
    check("empty repr", repr(t), "{}")
    t["Key"] = "v1"
    check("get exact", t["Key"], "v1")
    check("case-insensitive get", t["KEY"], "v1")
    check("case-insensitive in", "kEy" in t, True)
    check("has_key int", t.has_key("key"), 1)
    check("has_key missing", t.has_key("nope"), 0)
    check("not in", "nope" in t, False)
    raises("missing KeyError", KeyError, lambda: t["nope"])
    t.add("key", "v2")
    check("multi value list", t["Key"], ["v1", "v2"])
    check("get first only", t.get("KEY"), "v1")
    check("get default", t.get("nope", "d"), "d")
    check("get default None", t.get("nope"), None)
    check("len counts duplicates", len(t), 2)
    check("keys with duplicates", t.keys(), ["Key", "key"])
    check("values", t.values(), ["v1", "v2"])
    check("items", t.items(), [("Key", "v1"), ("key", "v2")])
    check("iter", list(t), ["Key", "key"])
    check("iterkeys", list(t.iterkeys()), ["Key", "key"])
    check("itervalues", list(t.itervalues()), ["v1", "v2"])
    check("iteritems", list(t.iteritems()),
          [("Key", "v1"), ("key", "v2")])
    t["KEY"] = "only"
    check("set replaces all", (t["key"], len(t)), ("only", 1))
    del t["key"]
    check("del removes", len(t), 0)
    del t["absent"]          # no error, like mod_python 3.5
    check("del absent ok", len(t), 0)

    # insertion order, several keys
    t = T([("b", "2"), ("a", "1"), ("c", "3"), ("A", "4")])
    check("seq ctor order", t.items(),
          [("b", "2"), ("a", "1"), ("c", "3"), ("A", "4")])
    check("seq ctor dup", t["a"], ["1", "4"])
    check("dict view", dict(t.items()), {"b": "2", "a": "1", "c": "3",
                                         "A": "4"})
    check("ctor dict", T({"x": "1", "y": "2"}).items(),
          [("x", "1"), ("y", "2")])
    check("ctor items kw", T(items={"x": "1"})["x"], "1")
    check("ctor str() conversion", T({1: 2, "f": 1.5}).items(),
          [("1", "2"), ("f", "1.5")])
    check("ctor from table", T(t).items(), t.items())
    check("ctor None", len(T(None)), 0)
    raises("ctor bad pair", ValueError, lambda: T([("a", "b", "c")]))
    raises("ctor not iterable", TypeError, lambda: T(5))
    raises("ctor two args", TypeError, lambda: T({}, {}))

    # setdefault / update / copy / clear / popitem
    t = T()
    check("setdefault no default", t.setdefault("k"), "")
    check("setdefault stored", t["k"], "")
    check("setdefault existing", t.setdefault("K", "x"), "")
    check("setdefault new", t.setdefault("n", "v"), "v")
    t.update({"k": "1", "z": "9"})
    check("update overwrites", (t["k"], t["z"]), ("1", "9"))
    t.add("z", "10")
    t.update(T([("z", "11")]))
    check("update from table replaces dups", t["z"], "11")
    t.update([("p", "q")], extra="e")
    check("update pairs + kw", (t["p"], t["extra"]), ("q", "e"))
    raises("update int", TypeError, lambda: t.update(5))
    raises("update typed values", TypeError, lambda: t.update({"a": 1}))
    c = t.copy()
    check("copy type", type(c), T)
    check("copy equal", c == t, True)
    c["new"] = "x"
    check("copy independent", "new" in t, False)
    t.clear()
    check("clear", (len(t), t.items()), (0, []))
    t = T([("a", "1"), ("b", "2"), ("a", "3")])
    check("popitem returns last", t.popitem(), ("a", "3"))
    check("popitem removed that one", t.items(), [("a", "1"), ("b", "2")])
    check("popitem next", t.popitem(), ("b", "2"))
    check("popitem last", t.popitem(), ("a", "1"))
    raises("popitem empty", KeyError, t.popitem)

    # comparison, hashing, repr
    a = T([("X", "1"), ("y", "2")])
    check("eq dict", a == {"X": "1", "y": "2"}, True)
    check("ne dict", a != {"X": "1"}, True)
    check("eq table", a == T({"X": "1", "y": "2"}), True)
    check("eq other type", a == 5, False)
    raises("ordering unsupported", TypeError, lambda: a < T())
    raises("unhashable", TypeError, lambda: hash(a))
    check("repr", repr(a), "{'X': '1', 'y': '2'}")
    check("repr multi", repr(T([("a", "1"), ("A", "2")])),
          "{'a': ['1', '2']}")

    # iteration guard
    t = T([("a", "1"), ("b", "2")])

    def mutate():
        for k in t:
            t["new" + k] = "x"
    raises("changed size during iteration", RuntimeError, mutate)

    # key/value types
    t = T()
    t[b"bytes-key"] = b"bytes-value"
    check("bytes in, str out", t["bytes-key"], "bytes-value")
    t["lat"] = "caf\u00e9"
    check("latin-1 round trip", t["lat"], "caf\u00e9")
    t["euro"] = "\u20ac"
    check("non-latin-1 str round trip (UTF-8)", t["euro"], "\u20ac")
    raises("int value", TypeError, lambda: t.__setitem__("a", 1))
    raises("int key", TypeError, lambda: t.__setitem__(1, "a"))
    raises("None value", TypeError, lambda: t.__setitem__("a", None))
    raises("nul in key", TypeError, lambda: t.__setitem__("a\0b", "v"))
    raises("nul in value", TypeError, lambda: t.__setitem__("a", "v\0"))
    raises("int lookup", TypeError, lambda: t[1])
    raises("add int", TypeError, lambda: t.add("a", 1))
    raises("get int key", TypeError, lambda: t.get(1))
    raises("get three arguments", TypeError, lambda: t.get("a", "b", "c"))
    raises("in int", TypeError, lambda: 1 in t)
    raises("add one arg", TypeError, lambda: t.add("a"))
    raises("get no arg", TypeError, lambda: t.get())

    # subclassing
    class MyTable(T):
        def first_key(self):
            return self.keys()[0]
    m = MyTable({"q": "r"})
    check("subclass works", (m.first_key(), m["Q"], isinstance(m, T)),
          ("q", "r", True))


def live(req):
    T = apache.table
    ho = req.headers_out
    check("headers_out type", type(ho), T)
    check("headers_out cached", req.headers_out is ho, True)
    ho["X-Live"] = "1"
    ho.add("X-Multi", "a")
    ho.add("x-multi", "b")
    check("live multi", req.headers_out["X-MULTI"], ["a", "b"])
    req.notes["note"] = "n"
    check("notes", req.notes.get("NOTE"), "n")
    req.subprocess_env["MY_VAR"] = "mv"
    check("subprocess_env", dict(req.subprocess_env.items()).get("MY_VAR"),
          "mv")
    check("headers_in host", req.headers_in["host"].startswith("127.0.0.1"),
          True)
    # a copy of a live table is standalone
    c = req.headers_in.copy()
    c["X-Only-Copy"] = "1"
    check("copy of live independent", "X-Only-Copy" in req.headers_in,
          False)
    check("live == dict", req.notes == {"note": "n"}, True)


def handler(req):
    del _failures[:]
    del _results[:]
    for part in (standalone, lambda: live(req)):
        try:
            part()
        except Exception as e:  # noqa: BLE001 - report, do not 500
            _failures.append(f"unexpected {type(e).__name__}: {e}")
    req.content_type = "application/json"
    req.write(json.dumps({"checks": len(_results), "failures": _failures}))
    return apache.OK


def echo_headers(req):
    req.content_type = "application/json"
    req.write(json.dumps([[k, v] for k, v in req.headers_in.items()]))
    return apache.OK
