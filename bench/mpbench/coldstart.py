"""Cold start of a new child.

- fresh: launch Apache, poll connect() every millisecond; from the moment
  the port accepts, time one GET of the hello handler (so the time includes
  forking the child, starting Python in it and importing the handler).
- graceful: a running server gets SIGUSR1 (graceful restart); time from the
  signal to the first response that comes from a new-generation child
  (a pid handler), requests sent back to back on new connections.
- burst: launch Apache and, as soon as the port accepts, send 32
  simultaneous first requests; count the correct answers.

Cold-start servers use a small MPM setup (event: one child with 32 threads;
prefork: StartServers 1) so "a new child" is one process.
"""

from __future__ import annotations

import importlib.util
import socket
import statistics
import threading
import time
from pathlib import Path

from harness.env import TestEnv

from .impls import ALL
from .runner import Options, log
from .server import BenchServer, http_request

HELLO = b"Hello, World!"
TRIALS = 5
BURST_TRIALS = 3
BURST = 32

COLD_TUNING = {
    "event": ["StartServers 1", "ServerLimit 1", "ThreadsPerChild 32",
              "ThreadLimit 32", "MaxRequestWorkers 32", "MinSpareThreads 1",
              "MaxSpareThreads 64"],
    "prefork": ["StartServers 1", "MinSpareServers 1", "MaxSpareServers 40",
                "ServerLimit 40", "MaxRequestWorkers 40"],
}


def _server(env: TestEnv, mpm: str, impl: str, opts: Options) -> BenchServer:
    srv = BenchServer(env, mpm, f"cold-{impl}-{mpm}", work=opts.work,
                      tuning=COLD_TUNING.get(mpm))
    srv.conf.add(*ALL[impl].server_lines(env))
    srv.copy_handlers("cold")
    srv.conf.directory("{htdocs}/cold", "SetHandler mod_python",
                       "PythonHandler hello",
                       srv.conf.block("Files", '"pid.py"', "PythonHandler pid"))
    return srv


def _wait_accept(port: int, timeout: float = 30.0) -> socket.socket:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=30)
        except OSError:
            time.sleep(0.001)
    raise RuntimeError("port never accepted")


def _finish(srv: BenchServer, errors: list[str]) -> None:
    srv.stop()
    probs, _ = srv.problems()
    if probs:
        errors.append("error log: " + " | ".join(probs[:3]))
    srv.cleanup(keep=bool(probs))


def fresh(env: TestEnv, mpm: str, impl: str, opts: Options,
          errors: list[str]) -> float | None:
    srv = _server(env, mpm, impl, opts)
    try:
        srv.launch(cpu=opts.apache_cpu)
        sock = _wait_accept(srv.port)
        t0 = time.perf_counter()
        status, body, _ = http_request(srv.port, "/cold/hello.py", sock=sock,
                                       timeout=30)
        ms = (time.perf_counter() - t0) * 1000
        if status != 200 or body != HELLO:
            errors.append(f"fresh: {status} {body[:100]!r}")
            return None
        return ms
    except Exception as exc:  # noqa: BLE001
        errors.append(f"fresh: {exc}")
        return None
    finally:
        _finish(srv, errors)


def burst(env: TestEnv, mpm: str, impl: str, opts: Options,
          errors: list[str]) -> tuple[int, float]:
    srv = _server(env, mpm, impl, opts)
    ok = 0
    worst = 0.0
    try:
        srv.launch(cpu=opts.apache_cpu)
        _wait_accept(srv.port).close()
        barrier = threading.Barrier(BURST)
        results: list[tuple[bool, float]] = []
        lock = threading.Lock()

        def one() -> None:
            barrier.wait()
            t0 = time.perf_counter()
            try:
                status, body, _ = http_request(srv.port, "/cold/hello.py", timeout=30)
                good = status == 200 and body == HELLO
            except OSError:
                good = False
            with lock:
                results.append((good, (time.perf_counter() - t0) * 1000))

        threads = [threading.Thread(target=one) for _ in range(BURST)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        ok = sum(1 for good, _ in results if good)
        worst = max((ms for _, ms in results), default=0.0)
    except Exception as exc:  # noqa: BLE001
        errors.append(f"burst: {exc}")
    finally:
        _finish(srv, errors)
    return ok, worst


def graceful(env: TestEnv, mpm: str, impl: str, opts: Options,
             errors: list[str]) -> tuple[list[float], list[float]]:
    """([signal -> first new-generation answer], [new child appears in
    /proc -> its first answer]), in ms."""
    srv = _server(env, mpm, impl, opts)
    total, child = [], []
    try:
        srv.start(cpu=opts.apache_cpu)
        for _ in range(TRIALS):
            for _ in range(3):
                http_request(srv.port, "/cold/pid.py")
            old = set(srv.children())
            srv.graceful()
            t0 = time.perf_counter()
            deadline = t0 + 20
            t_fork = None
            while time.perf_counter() < deadline:
                if set(srv.children()) - old:
                    t_fork = time.perf_counter()
                    break
                time.sleep(0.0005)
            while t_fork is not None and time.perf_counter() < deadline:
                try:
                    status, body, _ = http_request(srv.port, "/cold/pid.py", timeout=20)
                except OSError:
                    continue
                if status == 200 and body.startswith(b"pid="):
                    if int(body[4:]) not in old:
                        t1 = time.perf_counter()
                        total.append((t1 - t0) * 1000)
                        child.append((t1 - t_fork) * 1000)
                        break
                else:
                    errors.append(f"graceful: {status} {body[:100]!r}")
                    break
            time.sleep(0.5)     # let the old generation go away
    except Exception as exc:  # noqa: BLE001
        errors.append(f"graceful: {exc}")
    finally:
        _finish(srv, errors)
    return total, child


def stale_bytecode(pkgdir: Path) -> list[str]:
    """Modules of our package without an up-to-date .pyc.  Apache's User
    cannot write __pycache__ in the tree, so every new child would compile
    them again and the cold start would measure the compiler (`make`
    compiles them)."""
    stale = []
    for src in sorted((pkgdir / "mod_python").glob("*.py")):
        pyc = Path(importlib.util.cache_from_source(str(src)))
        if not pyc.exists() or pyc.stat().st_mtime < src.stat().st_mtime:
            stale.append(src.name)
    return stale


def _stats(vals: list[float]) -> list[float] | None:
    if not vals:
        return None
    return [statistics.median(vals), min(vals), max(vals)]


def measure(env: TestEnv, mpm: str, impls: list[str],
            opts: Options) -> dict[str, object]:
    out: dict[str, object] = {}
    for impl in impls:
        errors: list[str] = []
        if impl == "ours" and (stale := stale_bytecode(Path(env.pkgdir))):
            log(f"warning: no fresh .pyc for {', '.join(stale)} in {env.pkgdir} "
                "(run make): the cold start includes compiling them")
        fr = [ms for ms in (fresh(env, mpm, impl, opts, errors) for _ in range(TRIALS))
              if ms is not None]
        gr, gc = graceful(env, mpm, impl, opts, errors)
        bursts = [burst(env, mpm, impl, opts, errors) for _ in range(BURST_TRIALS)]
        res = {
            "fresh_ms": _stats(fr),
            "graceful_ms": _stats(gr),
            "new_child_ms": _stats(gc),
            "burst": [min(b[0] for b in bursts), BURST],
            "burst_worst_ms": max(b[1] for b in bursts),
            "errors": errors,
        }
        out[impl] = res
        log(f"cold start {mpm:7} {impl:5}: fresh {res['fresh_ms']} ms, "
            f"graceful {res['graceful_ms']} ms, new child {res['new_child_ms']} ms, burst {res['burst']} "
            f"(slowest {res['burst_worst_ms']:.0f} ms){' ERRORS ' + str(errors) if errors else ''}")
    return out


def table(cold: dict[str, dict[str, object]]) -> str:
    def cell(v: object) -> str:
        if not v:
            return "n/a"
        med, lo, hi = v  # type: ignore[misc]
        return f"{med:.1f} ({lo:.1f}–{hi:.1f})"

    rows = [("| MPM | impl | fresh start: port accepts → first 200, ms "
             "| graceful: new child forked → its first 200, ms "
             "| graceful: signal → first new-generation 200, ms "
             "| 32-request burst to a fresh server | slowest burst answer, ms |"),
            "|---|---|---|---|---|---|---|"]
    for mpm, res in cold.items():
        for impl, r in res.items():
            assert isinstance(r, dict)
            label = "**ours**" if impl == "ours" else "3.5"
            b = r["burst"]
            err = f" (errors: {'; '.join(r['errors'])[:200]})" if r["errors"] else ""
            rows.append(f"| {mpm} | {label} | {cell(r['fresh_ms'])} | "
                        f"{cell(r['new_child_ms'])} | {cell(r['graceful_ms'])} | {b[0]}/{b[1]} correct{err} | "
                        f"{r['burst_worst_ms']:.0f} |")
    return "\n".join(rows)
