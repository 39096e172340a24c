#!/usr/bin/env python3
"""mod_python benchmark: wrk against private Apache servers (see
docs/performance.md and bench/mpbench/).

    make bench                                   # full run (~15-20 min)
    make bench BENCH_ARGS='--quick --scenario hello'
    python3 bench/run.py --list
    python3 bench/run.py --scenario hello,api --mpm event --reps 3 --duration 5

Every measured pass starts a fresh Apache (pinned to CPU 0) for one
(scenario, implementation, MPM), runs a wrk warm-up, then the measured wrk
pass (pinned to CPU 1, 2 threads, 32 connections).  Repetitions are
interleaved.  The static anchor and 3.5 run whenever a scenario runs, so
that ratios always come from the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
sys.path.insert(0, str(REPO / "test"))
sys.path.insert(0, str(BENCH_DIR))

from harness.env import TestEnv  # noqa: E402

from mpbench import coldstart, report, runner  # noqa: E402
from mpbench.impls import ALL, PACKAGES  # noqa: E402
from mpbench.scenarios import SCENARIOS, STATIC_ANCHOR  # noqa: E402

DEFAULT_OUT = REPO / "build" / "bench"


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--list", action="store_true", help="list scenarios and exit")
    p.add_argument("--quick", action="store_true",
                   help="one repetition, event MPM, 2 s passes, scenarios "
                        "hello and api unless --scenario is given, no cold start")
    p.add_argument("--scenario", action="append", default=[],
                   help="scenario(s) to run, comma-separated or repeated "
                        "(default: all); the static anchor is always added")
    p.add_argument("--impl", default="",
                   help="implementations, comma-separated (default: all of "
                        "static,ours,mp35,wsgi-emb,wsgi-daemon)")
    p.add_argument("--mpm", default=None,
                   help="MPMs, comma-separated (default event,prefork; quick: event)")
    p.add_argument("--reps", type=int, default=None, help="repetitions (default 3; quick 1)")
    p.add_argument("--duration", type=float, default=None,
                   help="measured seconds per pass (default 4; quick 2)")
    p.add_argument("--warmup", type=float, default=None,
                   help="warm-up seconds per pass (default 1.5; quick 1)")
    p.add_argument("--connections", type=int, default=32)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--no-pin", action="store_true", help="do not use taskset")
    p.add_argument("--cold-start", dest="cold", action="store_true", default=None,
                   help="measure cold start (default: on, off with --quick)")
    p.add_argument("--no-cold-start", dest="cold", action="store_false")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT,
                   help=f"directory for results.json and results.md ({DEFAULT_OUT})")
    p.add_argument("--write-doc", type=Path, default=None,
                   help="also write the full report to this markdown file")
    p.add_argument("--no-install", action="store_true",
                   help="never run apt-get, only print the command")
    p.add_argument("--keep", action="store_true", help="keep every server root")
    p.add_argument("-v", "--verbose", action="store_true", help="print wrk output")
    args = p.parse_args(argv)
    if args.mpm is None:
        args.mpm = "event" if args.quick else "event,prefork"
    if args.reps is None:
        args.reps = 1 if args.quick else 3
    if args.duration is None:
        args.duration = 2.0 if args.quick else 4.0
    if args.warmup is None:
        args.warmup = 1.0 if args.quick else 1.5
    if args.cold is None:
        args.cold = not args.quick
    return args


def ensure_packages(env: TestEnv, no_install: bool) -> None:
    missing = []
    if not shutil.which("wrk"):
        missing.append(PACKAGES["wrk"])
    for path, pkg in PACKAGES.items():
        if path.startswith("/") and not os.path.isfile(path):
            missing.append(pkg)
    if not missing:
        return
    cmd = ["apt-get", "install", "-y", "--no-install-recommends", *missing]
    if os.geteuid() == 0 and not no_install:
        runner.log("installing: " + " ".join(cmd))
        envv = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        rc = subprocess.run(cmd, env=envv, check=False).returncode
        if rc != 0:
            subprocess.run(["apt-get", "update"], env=envv, check=False)
            subprocess.run(cmd, env=envv, check=False)
    else:
        runner.log("missing Debian packages; install them with:\n    sudo "
                   + " ".join(cmd))
    if not shutil.which("wrk"):
        sys.exit("wrk is required")


def machine() -> dict[str, str]:
    cpu = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    env = TestEnv()

    def out(cmd: list[str]) -> str:
        try:
            return subprocess.run(cmd, capture_output=True, text=True,
                                  check=False).stdout.strip()
        except OSError:
            return "?"
    httpd = out([env.httpd, "-v"]).splitlines()
    wrkv = out(["sh", "-c", "wrk -v 2>&1 | head -1"])
    deb = out(["dpkg-query", "-W", "-f", "${Package} ${Version}\\n",
               "libapache2-mod-python", "libapache2-mod-wsgi-py3", "wrk"])
    return {
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "kernel": platform.release(),
        "httpd": httpd[0].split(":", 1)[1].strip() if httpd else "?",
        "python": out([env.python, "-V"]),
        "wrk": wrkv,
        "debian packages": deb.replace("\n", ", "),
        "mod_python (ours)": f"{env.module_so} (git {out(['git', '-C', str(REPO), 'rev-parse', '--short', 'HEAD'])})",
    }


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if args.list:
        for sc in SCENARIOS.values():
            print(f"{sc.name:11} {sc.title}  [{', '.join(sc.impls)}]")
        return 0
    names = [n.strip() for item in args.scenario for n in item.split(",") if n.strip()]
    if not names:
        names = ["hello", "api"] if args.quick else list(SCENARIOS)
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        sys.exit(f"unknown scenario(s) {unknown}; --list shows them")
    if STATIC_ANCHOR not in names:
        names.insert(0, STATIC_ANCHOR)
    mpms = [m.strip() for m in args.mpm.split(",") if m.strip()]
    env = TestEnv()
    if not env.have_mod_python():
        sys.exit(f"{env.module_so} not built (run make)")
    ensure_packages(env, args.no_install)
    wanted = [k.strip() for k in args.impl.split(",") if k.strip()] or list(ALL)
    impls = {}
    for k in wanted:
        if k not in ALL:
            sys.exit(f"unknown implementation {k}; one of {list(ALL)}")
        if ALL[k].available(env):
            impls[k] = ALL[k]
        else:
            runner.log(f"{k}: {ALL[k].module_file(env)} missing: reported n/a")
    if "static" not in impls and "static" in ALL:
        impls["static"] = ALL["static"]

    pin = not args.no_pin and shutil.which("taskset") and (os.cpu_count() or 1) >= 2
    opts = runner.Options(duration=args.duration, warmup=args.warmup,
                          threads=args.threads, connections=args.connections,
                          apache_cpu=0 if pin else None, wrk_cpu=1 if pin else None,
                          keep=args.keep, verbose=args.verbose)
    scenarios = [SCENARIOS[n] for n in names]
    runs = runner.plan(scenarios, impls, mpms, args.reps)
    est = len(runs) * (args.duration + args.warmup + 2.5)
    runner.log(f"{len(runs)} passes ({', '.join(names)}; {', '.join(mpms)}; "
               f"{args.reps} reps), about {est / 60:.0f} min")
    t_start = time.monotonic()
    samples = runner.run_all(env, runs, opts)
    cold: dict[str, dict[str, object]] = {}
    if args.cold:
        for mpm in mpms:
            cold[mpm] = coldstart.measure(env, mpm, [k for k in ("ours", "mp35") if k in impls],
                                          opts)
    elapsed = time.monotonic() - t_start

    summ = runner.summarize(samples)
    cmdline = "python3 bench/run.py " + " ".join(shlex.quote(a) for a in argv)
    info = machine()
    text = render(summ, names, mpms, cold, info, args, cmdline, elapsed)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps({
        "argv": argv, "machine": info, "samples": runner.samples_json(samples),
        "cold": cold, "elapsed_s": elapsed}, indent=1))
    (args.out / "results.md").write_text(text)
    if args.write_doc:
        args.write_doc.write_text(text)
    print(text)
    runner.log(f"results in {args.out}/results.md and results.json "
               f"({elapsed / 60:.1f} min)")
    failed = [s for s in samples if s.error]
    return 1 if failed else 0


def render(summ: dict[tuple[str, str, str], runner.Summary], names: list[str],
           mpms: list[str], cold: dict[str, dict[str, object]],
           info: dict[str, str], args: argparse.Namespace, cmdline: str,
           elapsed: float) -> str:
    parts = [f"## Results ({time.strftime('%Y-%m-%d %H:%M')}, "
             f"{elapsed / 60:.1f} min)", "",
             f"Command: `{cmdline}` — {args.reps} interleaved repetitions, "
             f"{args.warmup:g} s warm-up + {args.duration:g} s measured per pass, "
             f"wrk -t{args.threads} -c{args.connections}.", "",
             "Ratio cells are `req/s ratio / CPU ratio` (CPU ratio = the "
             "other's CPU µs per request ÷ this one's; above 1 is better). "
             "`× static` compares with the 13-byte static file of the same "
             "run and MPM.", ""]
    for mpm in mpms:
        parts += [f"### {mpm} MPM", "", report.table(summ, mpm, names), ""]
    if cold:
        parts += ["### Cold start", "", coldstart.table(cold), ""]
    tgt, misses = report.targets(summ, mpms, cold)
    parts += ["### Targets", "", tgt, ""]
    if misses:
        parts += ["Missed: " + "; ".join(misses) + ".", ""]
    parts += ["### Machine", ""]
    parts += [f"- {k}: {v}" for k, v in info.items()]
    return "\n".join(parts) + "\n"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
