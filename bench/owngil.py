#!/usr/bin/env python3
"""Own-GIL interpreters against shared-GIL ones (issue 13 part 3).

    python3 bench/owngil.py [--duration 5] [--reps 3] [--loop 200000]

One private Apache (event MPM, one child, test harness config), four
virtual hosts: own-a.test and own-b.test declared `PythonInterpreterGIL
own`, shared-a.test and shared-b.test declared `shared`; each host's
interpreter runs the CPU-bound handler of test/htdocs/owngil (a pure-Python
loop of --loop iterations per request).  A pass keeps two client
connections busy, one per interpreter of a pair, for --duration seconds;
own and shared passes alternate, --reps times each.  Reported per mode:
requests per second (median of the passes), and the cores the Apache child
used (its utime+stime from /proc over the wall-clock time of the pass).
The ratio own/shared is the figure of docs/performance.md.  Needs Python
3.12+ in Apache (on 3.11 `own` is a configuration error).
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "test"))

from harness.env import HttpdServer, TestEnv  # noqa: E402

OWN = ("own-a.test", "own-b.test")
SHARED = ("shared-a.test", "shared-b.test")


def child_cpu(server: HttpdServer) -> float:
    """utime+stime (seconds) of every process of the server but the parent
    (the event MPM child does all the work)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    parent = server.proc.pid if server.proc else -1
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[1]) == parent:    # ppid
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def worker(port: int, host: str, path: str, stop: float, out: list[int]) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    n = 0
    while time.monotonic() < stop:
        conn.request("GET", path, headers={"Host": host})
        resp = conn.getresponse()
        resp.read()
        if resp.status != 200:
            raise RuntimeError(f"{host}: HTTP {resp.status}")
        n += 1
    conn.close()
    out.append(n)


def one_pass(server: HttpdServer, hosts: tuple[str, ...], path: str,
             duration: float) -> tuple[float, float]:
    counts: list[int] = []
    stop = time.monotonic() + duration
    cpu0, t0 = child_cpu(server), time.monotonic()
    threads = [threading.Thread(target=worker,
                                args=(server.port, h, path, stop, counts))
               for h in hosts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - t0
    return sum(counts) / wall, (child_cpu(server) - cpu0) / wall


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--duration", type=float, default=5.0)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--loop", type=int, default=200_000)
    args = ap.parse_args(argv)

    os.environ.pop("MP_TEST_GIL", None)
    env = TestEnv()
    env.mpm = "event"
    server = HttpdServer(env, "bench-owngil")
    c = server.conf
    c.log_level = "warn"
    c.add("PythonInterpreterGIL own " + " ".join(OWN))
    c.add("PythonInterpreterGIL shared " + " ".join(SHARED))
    o = "{htdocs}/owngil"
    c.directory(o, "SetHandler mod_python",
                f"PythonPath \"sys.path + ['{o}']\"",
                c.block("Files", '"cpu"', "PythonHandler owngil_handlers::cpu"))
    for name in OWN + SHARED:
        c.vhost(name)
    path = f"/owngil/cpu?{args.loop}"
    results: dict[str, list[tuple[float, float]]] = {"own": [], "shared": []}
    server.start()
    try:
        for h in OWN + SHARED:          # create the interpreters, warm up
            one_pass(server, (h,), path, 0.5)
        for _ in range(args.reps):
            for mode, hosts in (("own", OWN), ("shared", SHARED)):
                rps, cores = one_pass(server, hosts, path, args.duration)
                results[mode].append((rps, cores))
                print(f"{mode:6} {rps:8.1f} req/s  {cores:4.2f} cores",
                      flush=True)
    finally:
        server.stop()
        problems = server.log.problems(0, [])
        server.cleanup(keep=bool(problems))
    if problems:
        print("error log problems:\n" + "\n".join(map(str, problems)))
        return 1
    med = {m: (statistics.median(r for r, _ in v),
               statistics.median(c for _, c in v)) for m, v in results.items()}
    print(f"\nPython {env.python}, {os.cpu_count()} cores, loadavg "
          f"{os.getloadavg()[0]:.1f}, loop {args.loop}, {args.reps} x "
          f"{args.duration:g} s per mode")
    for m in ("own", "shared"):
        print(f"{m:6} median {med[m][0]:8.1f} req/s  {med[m][1]:4.2f} cores")
    print(f"own/shared throughput: {med['own'][0] / med['shared'][0]:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
