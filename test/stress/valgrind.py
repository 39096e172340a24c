#!/usr/bin/env python3
"""make valgrind: `apache2 -X` under valgrind memcheck, a few requests of
each kind of the stress mix (test/stress/stress.py), then a stop.

The embedded Python runs with PYTHONMALLOC=malloc so that memcheck sees its
allocations (pymalloc's arenas otherwise give false reports).  Every error
memcheck reports is classified: "module" when a frame of its stack is in
mod_python.so, "other" otherwise (httpd, APR, libpython alone).  The run
fails when a module error is an invalid access (Invalid read/write/free,
use of uninitialised values, overlapping memcpy); leaks are not checked
(httpd exits with its pools alive).  The log stays in the server root.

    python3 test/stress/valgrind.py [--rounds 3] [--keep]
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import stress  # noqa: E402
from harness import conf as harness_conf  # noqa: E402
from harness.env import HttpdServer, TestEnv  # noqa: E402

KINDS = ["hello", "api", "form", "upload", "session", "filter", "publisher",
         "wsgi", "flush"]
ERROR_RE = re.compile(r"^==\d+== (Invalid (read|write|free)|Conditional jump|"
                      r"Use of uninitialised|Syscall param|Source and destination overlap|"
                      r"Mismatched free)")


MODULE_FRAME = re.compile(r"mod_python\.so|\((mp_\w+|mod_python)\.c:\d+\)")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3, help="requests of each kind")
    ap.add_argument("--mpm", default="event")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--track-origins", action="store_true")
    args = ap.parse_args()
    if not shutil.which("valgrind"):
        print("valgrind is not installed", file=sys.stderr)
        return 2
    env = TestEnv()
    env.mpm = args.mpm
    harness_conf.MPM_TUNING[args.mpm] = []
    srv = HttpdServer(env, f"valgrind-{args.mpm}")
    shutil.copytree(HERE / "htdocs", srv.htdocs / "stress")
    srv._make_readable(srv.htdocs / "stress")
    os.makedirs(srv.tmp / "sess", exist_ok=True)
    os.chmod(srv.tmp / "sess", 0o1777)
    stress.FILTERED = (HERE / "htdocs" / "filtered.up").read_text().upper()
    stress.configure(srv, 0)
    srv.conf.write(srv.conf_file)
    vlog = srv.root / "logs" / "valgrind.log"
    henv = env.httpd_env()
    henv["PYTHONMALLOC"] = "malloc"
    cmd = ["valgrind", "--tool=memcheck", "--error-limit=no", "--num-callers=30",
           f"--track-origins={'yes' if args.track_origins else 'no'}", "--leak-check=no", f"--log-file={vlog}",
           env.httpd, "-X", "-f", str(srv.conf_file), "-DFOREGROUND"]
    proc = subprocess.Popen(cmd, env=henv, stdin=subprocess.DEVNULL,
                            stdout=open(srv.root / "logs" / "stdout.vg", "wb"),
                            stderr=subprocess.STDOUT, start_new_session=True)
    rnd = random.Random(7)
    bad: list[str] = []
    done = 0
    try:
        if not stress.wait_answering(srv, timeout=180):
            print("httpd under valgrind did not answer in 180 s", file=sys.stderr)
            return 1
        for rnd_i in range(args.rounds):
            for kind in KINDS:
                method, path, body, headers, expect = stress.make_request(
                    kind, rnd, f"v{rnd_i}")
                c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=120)
                c.request(method, path, body=body, headers=headers)
                r = c.getresponse()
                text = r.read().decode("utf-8", "replace")
                c.close()
                done += 1
                ok = r.status == 200 and (expect is None or text == expect)
                if not ok:
                    bad.append(f"{kind}: {r.status} {text[:80]!r}")
    finally:
        stress.httpd_ctl(srv, "stop")
        try:
            proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()
    # classify memcheck errors: a block starts at an error line and ends at
    # an empty "==pid== " line.  "module": a frame of mod_python comes
    # before any frame of libpython (the module made the access);
    # "python": the access is inside libpython (the module may be a caller
    # further up); "other": neither.
    module_errors: list[str] = []
    python_sites: dict[str, int] = {}
    other = 0
    block: list[str] = []
    lines = vlog.read_text(errors="replace").splitlines() + ["==0== "]
    for line in lines:
        if ERROR_RE.match(line):
            block = [line]
            continue
        if not block:
            continue
        if not re.match(r"^==\d+== ?$", line):
            block.append(line)
            continue
        kind = "other"
        for frame in block[1:]:
            if MODULE_FRAME.search(frame):
                kind = "module"
                break
            if "libpython" in frame:
                kind = "python"
                break
        if kind == "module":
            module_errors.append("\n".join(block))
        elif kind == "python":
            site = re.sub(r"^==\d+== +(at|by) 0x[0-9A-F]+: ", "", block[1])
            caller = next((f for f in block if MODULE_FRAME.search(f)), "")
            caller = re.sub(r"^==\d+== +(at|by) 0x[0-9A-F]+: ", "", caller)
            key = f"{block[0].split('== ', 1)[1]} at {site} (module caller: {caller or '-'})"
            python_sites[key] = python_sites.get(key, 0) + 1
        else:
            other += 1
        block = []
    summary = re.findall(r"ERROR SUMMARY: (\d+) errors", "\n".join(lines))
    print(f"valgrind: {done} requests ({args.rounds} of each of {len(KINDS)} kinds), "
          f"{len(bad)} wrong answers; memcheck errors: {len(module_errors)} in the "
          f"module, {sum(python_sites.values())} inside libpython, {other} elsewhere; ERROR SUMMARY {summary[-1] if summary else '?'}; "
          f"log {vlog}")
    for b in bad:
        print("wrong answer:", b)
    for key, n in sorted(python_sites.items(), key=lambda kv: -kv[1]):
        print(f"  libpython x{n}: {key}")
    for e in module_errors[:10]:
        print(e, "\n")
    ok = not bad and not module_errors and done == args.rounds * len(KINDS)
    srv.cleanup(keep=args.keep or not ok)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
