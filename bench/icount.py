#!/usr/bin/env python3
"""Instructions per request, counted by callgrind: a noise-free companion
to bench/run.py.

    python3 bench/icount.py hello api --impl ours,mp35 [-n 500]
    python3 bench/icount.py hello --impl ours --conf 'PythonMetrics On'

For each (scenario, implementation) it starts the scenario's Apache as one
process (`apache2 -X`, event MPM) under `valgrind --tool=callgrind`,
collecting only inside `ap_process_async_request` (one request's work,
from reading it to logging it), sends three warm-up requests and then N
requests one after another (counters zeroed in between with
callgrind_control), and prints instructions per request.  Startup,
the listener and idle time are not counted, so the figure is the CPU work
of one request on one thread: it ignores GIL hand-overs and the kernel.
Counts are deterministic within a few per cent, so two helpers can compare
builds on a busy machine where wrk's req/s cannot.

Needs valgrind (`apt-get install valgrind`).  Runs Apache as root (no
`User` switch) with the scenario's generated config.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent / "test"))
sys.path.insert(0, str(BENCH_DIR))

from harness.env import TestEnv
from mpbench.impls import ALL
from mpbench.scenarios import SCENARIOS
from mpbench.server import BenchServer

TOGGLE = "ap_process_async_request"


def _request(srv: BenchServer, sc, headers: dict[str, str]) -> None:
    status, body, hdrs = srv.request(sc.path, method=sc.method, body=sc.body,
                                     headers=headers, timeout=60)
    err = sc.check(status, body, hdrs)
    if err:
        raise RuntimeError(f"{sc.name}: {err}")


def count(env: TestEnv, scenario: str, impl_key: str, n: int,
          keep: bool = False, conf: tuple[str, ...] = ()) -> float:
    sc = SCENARIOS[scenario]
    impl = ALL[impl_key]
    srv = BenchServer(env, "event", f"icount-{scenario}-{impl_key}")
    srv.conf.add(*impl.server_lines(env))
    srv.conf.add(*conf)
    sc.setup(srv, impl)
    srv.conf.write(srv.conf_file)
    text = srv.conf_file.read_text()
    text = re.sub(r"(?m)^\s*(User|Group)\s.*$", "", text)
    srv.conf_file.write_text(text)
    out = srv.root / "callgrind.out"
    cmd = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
           f"--toggle-collect={TOGGLE}", env.httpd, "-X", "-f",
           str(srv.conf_file)]
    log = open(srv.root / "logs" / "valgrind", "wb")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                            env=srv.httpd_env(), start_new_session=True)
    srv.proc = proc
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if srv.request("/__alive.txt", timeout=5)[0] == 200:
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("httpd under valgrind did not start: "
                                   + srv.startup_output())
            time.sleep(0.2)
        if sc.prepare:
            sc.prepare(srv)
        headers = {**sc.headers, **srv.check_headers}
        for _ in range(3):      # warm-up: first-request set-up not counted
            _request(srv, sc, headers)
        subprocess.run(["callgrind_control", "--zero", str(proc.pid)],
                       check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        for _ in range(n):
            _request(srv, sc, headers)
    finally:
        subprocess.run([env.httpd, "-f", str(srv.conf_file), "-k", "stop"],
                       env=srv.httpd_env(), check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
    totals = [ln for ln in out.read_text(errors="replace").splitlines()
              if ln.startswith("totals:") or ln.startswith("summary:")]
    if not totals:
        raise RuntimeError(f"no totals in {out}")
    instructions = int(totals[0].split()[1])
    per_request = instructions / n
    if not keep:
        shutil.rmtree(srv.root, ignore_errors=True)
    else:
        print(f"  kept {srv.root}", file=sys.stderr)
    return per_request


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("scenarios", nargs="+", help=", ".join(SCENARIOS))
    ap.add_argument("--impl", default="ours",
                    help="comma list of ours, mp35, static, wsgi-emb")
    ap.add_argument("-n", type=int, default=300, help="requests per count")
    ap.add_argument("--keep", action="store_true",
                    help="keep the server root and callgrind.out")
    ap.add_argument("--conf", action="append", default=[], metavar="LINE",
                    help="server-level config line for every server, e.g. "
                    "--conf 'PythonMetrics On' (repeatable)")
    args = ap.parse_args()
    if shutil.which("valgrind") is None:
        print("icount: valgrind is missing: apt-get install -y valgrind",
              file=sys.stderr)
        return 2
    env = TestEnv()
    print(f"{'scenario':<12} {'impl':<10} {'instructions/request':>22}")
    for name in args.scenarios:
        for key in args.impl.split(","):
            if key not in SCENARIOS[name].impls:
                continue
            per = count(env, name, key, args.n, args.keep,
                        tuple(args.conf))
            print(f"{name:<12} {key:<10} {per:>22,.0f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
