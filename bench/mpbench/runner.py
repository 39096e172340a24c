"""Measured passes: one fresh Apache per (scenario, implementation, MPM,
repetition), a wrk warm-up, then the measured wrk pass with Apache's CPU
time read from /proc before and after."""

from __future__ import annotations

import statistics
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from harness.env import TestEnv

from . import wrk
from .impls import Impl
from .scenarios import Scenario
from .server import CLK_TCK, BenchServer

# Error-log lines that are not problems.  wrk closes its connections when
# its time is up, in the middle of 1 MiB responses: a handler's write then
# fails (both implementations log that with a traceback).
LOG_ALLOW: tuple[str, ...] = (
    r"Write failed, client closed connection",
)
# Tolerated for the anchors only, but reported: mod_wsgi's embedded child
# and 3.5's prefork children sometimes do not stop in time on `httpd -k stop`
# (the parent then kills them); not a crash during the run.  Never for ours.
TOLERATE = {"mp35": (r"AH00045", r"AH00046"),
            "wsgi-emb": (r"AH00045", r"AH00046"),
            "wsgi-daemon": (r"AH00045", r"AH00046")}


@dataclass
class Options:
    duration: float = 4.0
    warmup: float = 1.5
    threads: int = 2
    connections: int = 32
    apache_cpu: int | None = 0
    wrk_cpu: int | None = 1
    keep: bool = False
    verbose: bool = False
    work: Path | None = None


@dataclass
class Sample:
    scenario: str
    impl: str
    mpm: str
    rep: int
    rps: float = 0.0
    p99_ms: float = 0.0
    cpu_us: float = 0.0          # Apache CPU time per request, microseconds
    rss_kb: int = 0              # children's RSS after the measured pass
    requests: int = 0
    socket_errors: int = 0
    error: str | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class Summary:
    scenario: str
    impl: str
    mpm: str
    n: int
    rps: tuple[float, float, float] = (0.0, 0.0, 0.0)       # median, min, max
    p99_ms: tuple[float, float, float] = (0.0, 0.0, 0.0)
    cpu_us: tuple[float, float, float] = (0.0, 0.0, 0.0)
    rss_kb: tuple[float, float, float] = (0.0, 0.0, 0.0)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def run_pass(env: TestEnv, sc: Scenario, impl: Impl, mpm: str, rep: int,
             opts: Options) -> Sample:
    sample = Sample(sc.name, impl.key, mpm, rep)
    srv = BenchServer(env, mpm, f"{sc.name}-{impl.key}-{mpm}", work=opts.work)
    failed = False
    try:
        srv.conf.add(*impl.server_lines(env))
        sc.setup(srv, impl)
        srv.start(cpu=opts.apache_cpu)
        script = sc.prepare(srv) if sc.prepare else sc.wrk_script()
        headers = {**sc.headers, **srv.check_headers}

        def check(when: str) -> None:
            status, body, hdrs = srv.request(sc.path, method=sc.method,
                                             body=sc.body, headers=headers)
            err = sc.check(status, body, hdrs)
            if err:
                raise RuntimeError(f"check {when}: {err}")

        check("before load")
        url = f"http://127.0.0.1:{srv.port}{sc.path}"
        wrk_headers = {k: v for k, v in sc.headers.items()
                       if not (script and k == "Content-Type")}

        def cmd(duration: float) -> list[str]:
            return wrk.command(url, duration=duration, threads=opts.threads,
                               connections=opts.connections, cpu=opts.wrk_cpu,
                               headers=wrk_headers, script=script)

        if mpm == "prefork":
            srv.touch_children(sc.path, method=sc.method, body=sc.body,
                               headers=headers)
        if opts.warmup > 0:
            wrk.run(cmd(opts.warmup), timeout=opts.warmup + 60)
        if opts.apache_cpu is not None:
            srv.pin(opts.apache_cpu)      # children spawned since start
        t0 = srv.cpu_ticks()
        res = wrk.run(cmd(opts.duration), timeout=opts.duration + 60)
        t1 = srv.cpu_ticks()
        sample.rss_kb = srv.children_rss_kb()
        check("after load")
        if opts.verbose:
            log(res.output)
        sample.requests = res.requests
        sample.rps = res.rps
        sample.p99_ms = res.p99_ms
        sample.socket_errors = res.socket_errors
        sample.cpu_us = (t1 - t0) / CLK_TCK * 1e6 / max(res.requests, 1)
        if res.non2xx:
            raise RuntimeError(f"{res.non2xx} non-2xx responses")
        if res.socket_errors > max(10, res.requests // 1000):
            raise RuntimeError(f"{res.socket_errors} socket errors")
    except Exception as exc:  # noqa: BLE001 - reported per scenario
        sample.error = f"{type(exc).__name__}: {exc}"
        failed = True
    finally:
        srv.stop()
        problems, tolerated = srv.problems(LOG_ALLOW, TOLERATE.get(impl.key, ()))
        if tolerated:
            sample.notes.append("a child did not exit in time on `httpd -k stop` "
                                "and was killed by the parent (AH00045/AH00046)")
        if problems:
            msg = "error log: " + " | ".join(problems[:5])
            sample.error = f"{sample.error}; {msg}" if sample.error else msg
            failed = True
        if failed:
            log(f"    kept server root {srv.root}")
        srv.cleanup(keep=failed or opts.keep)
    return sample


def summarize(samples: list[Sample]) -> dict[tuple[str, str, str], Summary]:
    groups: dict[tuple[str, str, str], list[Sample]] = {}
    for s in samples:
        groups.setdefault((s.mpm, s.scenario, s.impl), []).append(s)
    out = {}
    for key, group in groups.items():
        good = [s for s in group if s.error is None]
        summ = Summary(scenario=key[1], impl=key[2], mpm=key[0], n=len(good),
                       errors=[s.error for s in group if s.error],
                       notes=sorted({n for s in group for n in s.notes}))
        if good:    # a failed pass is reported next to the others' numbers
            def stat(attr: str, good: list[Sample] = good) -> tuple[float, float, float]:
                vals = [float(getattr(s, attr)) for s in good]
                return statistics.median(vals), min(vals), max(vals)
            summ.rps = stat("rps")
            summ.p99_ms = stat("p99_ms")
            summ.cpu_us = stat("cpu_us")
            summ.rss_kb = stat("rss_kb")
        out[key] = summ
    return out


def plan(scenarios: list[Scenario], impls: dict[str, Impl], mpms: list[str],
         reps: int) -> list[tuple[int, str, Scenario, Impl]]:
    """Interleaved: every repetition runs every (MPM, scenario, impl) once;
    the implementation order rotates between repetitions."""
    runs = []
    for rep in range(reps):
        for mpm in mpms:
            for sc in scenarios:
                keys = [k for k in sc.impls if k in impls]
                if keys:
                    r = rep % len(keys)
                    keys = keys[r:] + keys[:r]
                for k in keys:
                    runs.append((rep, mpm, sc, impls[k]))
    return runs


def run_all(env: TestEnv, runs: list[tuple[int, str, Scenario, Impl]],
            opts: Options) -> list[Sample]:
    samples = []
    start = time.monotonic()
    for i, (rep, mpm, sc, impl) in enumerate(runs, 1):
        s = run_pass(env, sc, impl, mpm, rep, opts)
        samples.append(s)
        elapsed = time.monotonic() - start
        eta = elapsed / i * (len(runs) - i)
        if s.error:
            log(f"[{i}/{len(runs)}] {mpm:7} {sc.name:10} {impl.key:11} rep {rep + 1}: "
                f"FAILED {s.error}")
        else:
            log(f"[{i}/{len(runs)}] {mpm:7} {sc.name:10} {impl.key:11} rep {rep + 1}: "
                f"{s.rps:9.0f} req/s  p99 {s.p99_ms:7.2f} ms  "
                f"{s.cpu_us:7.1f} us CPU/req  RSS {s.rss_kb / 1024:6.1f} MB"
                f"   (eta {eta / 60:.1f} min)")
    return samples


def samples_json(samples: list[Sample]) -> list[dict[str, object]]:
    return [asdict(s) for s in samples]
