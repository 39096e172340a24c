"""Markdown tables: per MPM, every (scenario, implementation) with median
(min-max) and ratios against the static anchor and against 3.5."""

from __future__ import annotations

from .runner import Summary
from .scenarios import SCENARIOS, STATIC_ANCHOR

LABEL = {"static": "static", "ours": "**ours**", "mp35": "3.5",
         "wsgi-emb": "mod_wsgi emb", "wsgi-daemon": "mod_wsgi daemon"}

# (scenario, compared against, minimum ratio, what is compared)
TARGETS = [
    ("hello", "static", 0.95),
    ("hello", "mp35", 1.0),
    ("api", "mp35", 1.3),
    ("publisher", "static", 0.8),
    ("wsgi", "wsgi-emb", 1.5),
    ("form", "mp35", 1.5),
    ("session", "mp35", 1.5),
    ("psp", "mp35", 1.5),
    ("post64k", "mp35", 1.2),
    ("write1m", "mp35", 1.2),
    ("sendfile1m", "mp35", 1.2),
]


def _fmt(v: float, digits: int = 0) -> str:
    return f"{v:,.{digits}f}"


def _range(t: tuple[float, float, float], digits: int = 0, scale: float = 1.0) -> str:
    med, lo, hi = (x * scale for x in t)
    return f"{_fmt(med, digits)} ({_fmt(lo, digits)}–{_fmt(hi, digits)})"


def _anchor(summ: dict[tuple[str, str, str], Summary], mpm: str, scenario: str,
            impl: str) -> Summary | None:
    s = summ.get((mpm, scenario, impl))
    return s if s and s.n else None


def ratios(summ: dict[tuple[str, str, str], Summary], mpm: str, scenario: str,
           impl: str, against: str) -> tuple[float, float] | None:
    """(req/s ratio, CPU ratio) of impl against an anchor; CPU ratio > 1
    means fewer CPU microseconds per request than the anchor."""
    me = _anchor(summ, mpm, scenario, impl)
    other = _anchor(summ, mpm, STATIC_ANCHOR if against == "static" else scenario,
                    against)
    if not me or not other:
        return None
    return me.rps[0] / other.rps[0], other.cpu_us[0] / me.cpu_us[0]


def _ratio_cell(r: tuple[float, float] | None) -> str:
    if r is None:
        return ""
    return f"{r[0]:.2f} / {r[1]:.2f}"


def table(summ: dict[tuple[str, str, str], Summary], mpm: str,
          scenario_order: list[str]) -> str:
    rows = [
        "| scenario | impl | req/s median (min–max) | p99 ms | CPU µs/req | "
        "RSS MB | × static | × 3.5 | × mod_wsgi emb |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name in scenario_order:
        sc = SCENARIOS[name]
        for impl in sc.impls:
            s = summ.get((mpm, name, impl))
            if s is None:
                rows.append(f"| {name} | {LABEL[impl]} | n/a (not run) ||||||||")
                continue
            if not s.n:
                err = s.errors[0] if s.errors else "no sample"
                err = err.replace("|", "/")[:160]
                rows.append(f"| {name} | {LABEL[impl]} | n/a: {err} ||||||||")
                continue
            x_static = ratios(summ, mpm, name, impl, "static") if impl != "static" else None
            x_35 = ratios(summ, mpm, name, impl, "mp35") if impl not in ("mp35", "static") else None
            x_wsgi = ratios(summ, mpm, name, impl, "wsgi-emb") \
                if name == "wsgi" and impl != "wsgi-emb" else None
            rows.append(
                f"| {name} | {LABEL[impl]} | {_range(s.rps)} | "
                f"{_fmt(s.p99_ms[0], 2)} | {_fmt(s.cpu_us[0], 1)} | "
                f"{_fmt(s.rss_kb[0] / 1024, 1)} | {_ratio_cell(x_static)} | "
                f"{_ratio_cell(x_35)} | {_ratio_cell(x_wsgi)} |")
    notes = sorted({f"{LABEL[s.impl].strip('*')} ({s.scenario}): {n}"
                    for (m, _sc, _i), s in summ.items() if m == mpm for n in s.notes})
    notes += [f"{LABEL[s.impl].strip('*')} ({s.scenario}): {len(s.errors)} of "
              f"{len(s.errors) + s.n} passes FAILED (numbers from the others): "
              f"{s.errors[0][:300]}"
              for (m, _sc, _i), s in sorted(summ.items()) if m == mpm and s.errors and s.n]
    if notes:
        rows += [""] + [f"Note: {n}." for n in notes]
    return "\n".join(rows)


def targets(summ: dict[tuple[str, str, str], Summary], mpms: list[str],
            cold: dict[str, dict[str, object]] | None = None) -> tuple[str, list[str]]:
    """Markdown table of the issue's targets and the list of misses."""
    rows = ["| target | MPM | req/s ratio | CPU ratio | verdict |",
            "|---|---|---|---|---|"]
    misses = []
    for scenario, against, minimum in TARGETS:
        for mpm in mpms:
            if (mpm, scenario, "ours") not in summ:
                continue
            name = f"{scenario} ≥ {minimum}× {LABEL[against].strip('*')}"
            r = ratios(summ, mpm, scenario, "ours", against)
            if r is None:
                rows.append(f"| {name} | {mpm} | n/a | n/a | not measured |")
                continue
            if r[0] >= minimum:
                verdict = "met"
            elif r[1] >= minimum:
                verdict = "missed on req/s, met on CPU/request"
            else:
                verdict = "**missed**"
            if verdict != "met":
                misses.append(f"{name} ({mpm}): req/s {r[0]:.2f}, CPU {r[1]:.2f}")
            rows.append(f"| {name} | {mpm} | {r[0]:.2f} | {r[1]:.2f} | {verdict} |")
    for mpm in mpms:
        ours = _anchor(summ, mpm, "wsgi", "ours")
        emb = _anchor(summ, mpm, "wsgi", "wsgi-emb")
        if ours and emb:
            a, b = ours.rss_kb[0] / 1024, emb.rss_kb[0] / 1024
            ok = a <= b
            rows.append(f"| RSS ≤ mod_wsgi embedded (wsgi scenario) | {mpm} | "
                        f"{a:.1f} MB vs {b:.1f} MB | | {'met' if ok else '**missed**'} |")
            if not ok:
                misses.append(f"RSS ({mpm}): ours {a:.1f} MB > mod_wsgi embedded {b:.1f} MB")
    for mpm, res in (cold or {}).items():
        ours = res.get("ours")
        if not isinstance(ours, dict):
            continue
        fresh = ours.get("fresh_ms")
        grace = ours.get("new_child_ms")
        burst = ours.get("burst")
        if fresh is not None:
            worst = max(fresh[0], grace[0] if grace else 0.0)
            ok = worst <= 30.0
            rows.append(f"| cold start ≤ 30 ms (median; fresh start / new child after graceful) | {mpm} | "
                        f"{fresh[0]:.1f} / {grace[0] if grace else float('nan'):.1f} ms"
                        f" | | {'met' if ok else '**missed**'} |")
            if not ok:
                misses.append(f"cold start ({mpm}): {worst:.1f} ms")
        if burst is not None:
            ok = burst[0] == burst[1]
            rows.append(f"| 32 simultaneous first requests | {mpm} | "
                        f"{burst[0]}/{burst[1]} correct (worst trial) | | "
                        f"{'met' if ok else '**missed**'} |")
            if not ok:
                misses.append(f"burst ({mpm}): {burst[0]}/{burst[1]}")
    return "\n".join(rows), misses
