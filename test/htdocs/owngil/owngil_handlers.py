"""Interpreters with a GIL of their own (test_170_owngil.py).

Endpoints (one <Files> each, in the interpreter of the virtual host):

- cpu?N       a CPU-bound loop of N iterations; JSON with the interpreter,
              the wall-clock start and end (time.time()), and the CPU time
              this thread spent (time.thread_time()), plus `isolated`:
              whether exec is refused here, which CPython does only in an
              interpreter with the isolated (own-GIL) configuration.
- meet?PATH&I  the rendezvous of test_170: with the GIL switch interval
              raised to 60 s (so that a thread waiting for this GIL cannot
              take it), sets byte I of the 2-byte file PATH (mmap) and spins
              in pure Python, never releasing the GIL, until the other byte
              is set or 5 s have passed.  JSON {"met": bool, "waited": s}.
              Two interpreters that share a GIL cannot meet; two with a GIL
              each meet at once, even on one free core.
- setopt?V    stores V as server option "owngil.mark" through
              req.server.get_options() (the live table).
- getopt      JSON: the value of "owngil.mark" in that table, or null.
- legacy      imports mp_legacy_ext, an extension module with single-phase
              init (built by the test), which an own-GIL interpreter must
              refuse.
"""

from __future__ import annotations

import json
import mmap
import os
import sys
import time

from mod_python import apache


def _exec_refused() -> bool:
    try:
        os.execv("/nonexistent/mod_python-owngil-probe", ["probe"])
    except RuntimeError:
        return True             # "exec not supported for isolated ..."
    except OSError:
        return False            # exec allowed; the file is missing
    return False


def cpu(req: apache.Request) -> int:
    n = int(req.args or "1000000")
    start = time.time()
    cpu0 = time.thread_time()
    x = 0
    for i in range(n):
        x = (x + i * i) % 1000003
    used = time.thread_time() - cpu0
    end = time.time()
    req.content_type = "application/json"
    req.write(json.dumps({
        "interpreter": req.interpreter, "start": start, "end": end,
        "cpu": used, "x": x, "isolated": _exec_refused(),
    }))
    return apache.OK


def meet(req: apache.Request) -> int:
    path, _, idx = (req.args or "").rpartition("&")
    me = int(idx)
    old = sys.getswitchinterval()
    with open(path, "r+b") as f, mmap.mmap(f.fileno(), 2) as m:
        sys.setswitchinterval(60.0)
        try:
            start = time.monotonic()
            deadline = start + 5.0
            m[me] = 1
            while m[1 - me] == 0 and time.monotonic() < deadline:
                pass
            met = m[1 - me] == 1
            waited = time.monotonic() - start
        finally:
            sys.setswitchinterval(old)
    req.content_type = "application/json"
    req.write(json.dumps({"met": met, "waited": waited,
                          "interpreter": req.interpreter}))
    return apache.OK


def setopt(req: apache.Request) -> int:
    req.server.get_options()["owngil.mark"] = req.args or ""
    req.write("ok")
    return apache.OK


def getopt(req: apache.Request) -> int:
    req.content_type = "application/json"
    req.write(json.dumps(req.server.get_options().get("owngil.mark")))
    return apache.OK


def legacy(req: apache.Request) -> int:
    import mp_legacy_ext  # noqa: F401  (refused with its own GIL)

    req.write("imported")
    return apache.OK
