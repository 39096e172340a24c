"""Prometheus metrics in shared memory (`PythonMetrics On`), served by
`SetHandler python-metrics` without Python (src/mp_metrics.c).

- The scrape parses with prometheus_client's parsers, in the 0.0.4 text
  format and in OpenMetrics (chosen by the Accept header).
- N requests spread over the children (several under prefork) add exactly
  N to the handler's counter, its histogram, its 2xx responses and the sum
  of the per-child request counters.
- Exceptions and status classes are counted for the handler that served
  the request; labels come from the configuration, never from the URL.
- A graceful restart keeps the counters (and counts itself); a hard
  restart starts them from zero; PythonMetricsResetOnRestart On starts
  them from zero on a graceful restart too.  Labels past the 255 slots go
  to "(other)" with MP0803.
"""

from __future__ import annotations

import http.client
import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from harness import HttpdServer
from prometheus_client.openmetrics.parser import (
    text_string_to_metric_families as parse_openmetrics,
)
from prometheus_client.parser import text_string_to_metric_families

SCRAPE = "/_metrics"
OM_ACCEPT = "application/openmetrics-text; version=1.0.0"
PHASE = "PythonHandler"
CONFIGURED = {
    "mx_handlers", "mx_handlers::count", "mx_handlers::boom",
    "mx_handlers::notfound", "mx_handlers::moved", "mx_handlers::add",
    "mx_handlers::upper", "(other)",
}


def metrics_conf(conf, *extra: str) -> None:
    conf.add("PythonMetrics On", *extra)
    conf.location(SCRAPE, "SetHandler python-metrics")
    files = [("count", "count"), ("boom", "boom"), ("nf", "notfound"),
             ("moved", "moved"), ("added", "add")]
    conf.directory(
        "{htdocs}/metrics", "SetHandler mod_python",
        "PythonHandler mx_handlers",
        "PythonOutputFilter mx_handlers::upper MXUPPER",
        conf.block("Files", '"static.up"', "SetHandler None",
                   "SetOutputFilter MXUPPER"),
        *[conf.block("Files", f'"{name}"', f"PythonHandler mx_handlers::{obj}")
          for name, obj in files])


@pytest.fixture(scope="module")
def server(httpd):
    metrics_conf(httpd.conf)
    httpd.start()
    return httpd


class Scrape:
    """One scrape, parsed by prometheus_client."""

    def __init__(self, server: HttpdServer, om: bool = False) -> None:
        headers = {"Accept": OM_ACCEPT} if om else {}
        r = server.client().get(SCRAPE, headers=headers)
        assert r.status == 200, r
        self.content_type = r.headers["Content-Type"]
        self.text = r.text
        parse = parse_openmetrics if om else text_string_to_metric_families
        self.families = {f.name: f for f in parse(self.text)}
        self.samples = {}
        for fam in self.families.values():
            for s in fam.samples:
                self.samples[(s.name, frozenset(s.labels.items()))] = s.value

    def value(self, name: str, **labels: str) -> float:
        return self.samples.get((name, frozenset(labels.items())), 0.0)

    def handler(self, name: str, handler: str, **labels: str) -> float:
        return self.value(name, handler=handler, phase=PHASE, **labels)

    def by_child(self, name: str) -> dict[str, float]:
        return {dict(k)["child"]: v for (n, k), v in self.samples.items()
                if n == name}


def settled(server: HttpdServer, done, timeout: float = 5.0) -> Scrape:
    """Scrape until done(scrape): responses are counted at log time and
    the in-flight gauge drops when the request's pool goes, both after the
    client has its response."""
    deadline = time.monotonic() + timeout
    while True:
        s = Scrape(server)
        if done(s) or time.monotonic() > deadline:
            return s
        time.sleep(0.02)


def in_flight(s: Scrape) -> float:
    return sum(s.by_child("mod_python_child_requests_in_flight").values())



def restart(server: HttpdServer, sig: int) -> None:
    """Send sig to the parent and wait until a new child answers."""
    old = server.children()
    os.kill(server.proc.pid, sig)
    client = server.client(timeout=10.0)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            r = client.get("/metrics/count")
            if r.status == 200 and int(r.text) not in old:
                return
        except (OSError, http.client.HTTPException):
            pass    # a hard restart cuts the connections it finds
        time.sleep(0.02)
    pytest.fail("no answer from a new child after the restart")


def test_scrape_parses_in_both_formats(server):
    assert server.client().get("/metrics/count").status == 200
    for om in (False, True):
        s = Scrape(server, om=om)
        if om:
            assert s.content_type.startswith("application/openmetrics-text")
            assert s.text.endswith("# EOF\n")
        else:
            assert s.content_type.startswith("text/plain; version=0.0.4")
        types = {name: f.type for name, f in s.families.items()}
        assert types["mod_python_handler_requests"] == "counter"
        assert types["mod_python_handler_exceptions"] == "counter"
        assert types["mod_python_handler_duration_seconds"] == "histogram"
        assert types["mod_python_responses"] == "counter"
        assert types["mod_python_child_requests_in_flight"] == "gauge"
        assert types["mod_python_child_gil_wait_seconds"] == "counter"
        assert types["mod_python_restarts"] == "counter"
        hist = s.families["mod_python_handler_duration_seconds"]
        names = {x.name for x in hist.samples}
        assert names == {"mod_python_handler_duration_seconds_bucket",
                         "mod_python_handler_duration_seconds_count",
                         "mod_python_handler_duration_seconds_sum"}
        assert s.handler("mod_python_handler_duration_seconds_bucket",
                         "mx_handlers::count", le="+Inf") >= 1
        for line in s.text.splitlines():
            if line.startswith("# "):
                assert line.split()[1] in ("HELP", "TYPE", "EOF"), line


def test_scrape_is_get_only_and_not_python(server):
    r = server.client().request("POST", SCRAPE, body=b"x")
    assert r.status == 405
    # Scraping is not a Python request: no child counter moves.
    before = Scrape(server)
    after = Scrape(server)
    assert (sum(after.by_child("mod_python_child_requests_total").values())
            == sum(before.by_child("mod_python_child_requests_total").values()))


def test_requests_over_children_sum_to_n(server):
    n, threads = 48, 8
    before = Scrape(server)
    client = server.client()

    def one(i: int) -> int:
        r = client.get("/metrics/count?slow")
        assert r.status == 200, r
        return int(r.text)

    with ThreadPoolExecutor(threads) as pool:
        pids = set(pool.map(one, range(n)))
    ok = {"class": "2xx"}
    after = settled(server, lambda s: in_flight(s) == 0 and (
        s.handler("mod_python_responses_total", "mx_handlers::count", **ok)
        - before.handler("mod_python_responses_total", "mx_handlers::count",
                         **ok)) >= n)

    def delta(name: str, **labels: str) -> float:
        return (after.handler(name, "mx_handlers::count", **labels)
                - before.handler(name, "mx_handlers::count", **labels))

    assert delta("mod_python_handler_requests_total") == n
    assert delta("mod_python_handler_duration_seconds_count") == n
    assert delta("mod_python_handler_duration_seconds_bucket", le="+Inf") == n
    assert delta("mod_python_handler_duration_seconds_bucket", le="0.01") == 0
    assert delta("mod_python_handler_duration_seconds_sum") >= n * 0.05
    assert delta("mod_python_responses_total", **{"class": "2xx"}) == n
    assert delta("mod_python_handler_exceptions_total") == 0
    b = before.by_child("mod_python_child_requests_total")
    a = after.by_child("mod_python_child_requests_total")
    grew = {c: a[c] - b.get(c, 0) for c in a if a[c] > b.get(c, 0)}
    assert sum(grew.values()) == n
    live = {int(v) for v in after.by_child("mod_python_child_pid").values()}
    assert pids <= live
    if server.env.mpm == "prefork":
        assert len(pids) >= 2, pids
        assert len(grew) >= 2, grew
    assert in_flight(after) == 0
    assert sum(after.by_child("mod_python_child_interpreters").values()) >= 1
    assert sum(after.by_child("mod_python_child_gil_acquires_total").values()) \
        > sum(before.by_child("mod_python_child_gil_acquires_total").values())


def test_in_flight_while_a_request_runs(server):
    with ThreadPoolExecutor(1) as pool:
        slow = pool.submit(server.client().get, "/metrics/count?hold")
        deadline = time.monotonic() + 5
        seen = 0.0
        while time.monotonic() < deadline and not seen:
            time.sleep(0.05)
            seen = in_flight(Scrape(server))
        assert slow.result().status == 200
    assert seen == 1
    assert in_flight(settled(server, lambda s: in_flight(s) == 0)) == 0


def test_exceptions_and_status_classes(server, expect_log):
    expect_log(r"MP0100: .*ValueError: boom from mx_handlers")
    before = Scrape(server)
    c = server.client()
    assert c.get("/metrics/boom").status == 500
    assert c.get("/metrics/nf").status == 404
    assert c.get("/metrics/moved").status == 302
    assert c.get("/metrics/nf").status == 404
    after = settled(server, lambda s: sum(
        s.value("mod_python_responses_total", **dict(k))
        - before.value("mod_python_responses_total", **dict(k))
        for (name, k) in s.samples
        if name == "mod_python_responses_total") >= 4)

    def delta(name: str, handler: str, **labels: str) -> float:
        return (after.handler(name, handler, **labels)
                - before.handler(name, handler, **labels))

    assert delta("mod_python_handler_exceptions_total", "mx_handlers::boom") == 1
    assert delta("mod_python_handler_requests_total", "mx_handlers::boom") == 1
    assert delta("mod_python_responses_total", "mx_handlers::boom",
                 **{"class": "5xx"}) == 1
    assert delta("mod_python_responses_total", "mx_handlers::notfound",
                 **{"class": "4xx"}) == 2
    assert delta("mod_python_responses_total", "mx_handlers::moved",
                 **{"class": "3xx"}) == 1
    assert delta("mod_python_handler_exceptions_total",
                 "mx_handlers::notfound") == 0


def test_labels_come_from_the_configuration(server):
    c = server.client()
    r = c.get("/metrics/zz-url-marker-7f3a?zz-query-marker")
    assert r.status == 200 and r.text == "default"
    r = c.get("/metrics/added")
    assert r.status == 200 and r.text == "added"
    s = settled(server, lambda s: s.handler(
        "mod_python_responses_total", "(other)", **{"class": "2xx"}) >= 1)
    assert "zz-url-marker" not in s.text and "zz-query-marker" not in s.text
    handlers = {dict(k).get("handler") for (_, k) in s.samples} - {None}
    assert handlers <= CONFIGURED, handlers - CONFIGURED
    assert s.handler("mod_python_handler_requests_total", "mx_handlers") >= 1
    # req.add_handler() entries are not configured: "(other)".
    assert s.handler("mod_python_handler_requests_total", "(other)") >= 1
    assert s.handler("mod_python_responses_total", "(other)",
                     **{"class": "2xx"}) >= 1


def test_filters_count_in_their_own_phase(server):
    before = Scrape(server)
    r = server.client().get("/metrics/static.up")
    assert r.status == 200 and r.text == "STATIC TEXT\n"
    after = settled(server, lambda s: in_flight(s) == 0)
    labels = {"handler": "mx_handlers::upper", "phase": "PythonOutputFilter"}
    assert (after.value("mod_python_handler_requests_total", **labels)
            > before.value("mod_python_handler_requests_total", **labels))
    # A filter takes part in the request but does not serve it.
    assert after.value("mod_python_responses_total", **labels,
                       **{"class": "2xx"}) == 0
    assert (sum(after.by_child("mod_python_child_requests_total").values())
            - sum(before.by_child("mod_python_child_requests_total").values())
            == 1)


def test_graceful_restart_keeps_the_counters(server):
    c = server.client()
    for _ in range(3):
        assert c.get("/metrics/count").status == 200
    before = Scrape(server)
    count = before.handler("mod_python_handler_requests_total",
                           "mx_handlers::count")
    assert count >= 3
    restart(server, signal.SIGUSR1)
    after = Scrape(server)
    assert after.value("mod_python_restarts_total") \
        == before.value("mod_python_restarts_total") + 1
    assert after.value("mod_python_generation") \
        > before.value("mod_python_generation")
    # The restart's own probe requests reached the new children.
    assert after.handler("mod_python_handler_requests_total",
                         "mx_handlers::count") >= count + 1
    starts = sum(after.by_child("mod_python_child_starts_total").values())
    assert starts > sum(before.by_child("mod_python_child_starts_total").values())
    assert (after.value("mod_python_metrics_start_time_seconds")
            == before.value("mod_python_metrics_start_time_seconds"))


def test_hard_restart_starts_from_zero(server):
    before = Scrape(server)
    assert before.value("mod_python_restarts_total") >= 1
    restart(server, signal.SIGHUP)
    after = Scrape(server)
    assert after.value("mod_python_restarts_total") == 0
    assert after.handler("mod_python_handler_requests_total",
                         "mx_handlers::boom") == 0
    # Only what happened since: the restart's probe requests.
    n = after.handler("mod_python_handler_requests_total", "mx_handlers::count")
    assert 1 <= n < before.handler("mod_python_handler_requests_total",
                                   "mx_handlers::count")


def test_reset_on_restart_and_label_overflow(env):
    srv = HttpdServer(env, "test_800_metrics_reset",
                      allow=(r"MP0803: ", r"MP0805: "))
    try:
        # 300 more distinct handler strings than label slots.
        metrics_conf(srv.conf, "PythonMetricsResetOnRestart On")
        srv.conf.directory(
            "{htdocs}/metrics/many",
            *[srv.conf.block("Files", f'"h{i}"',
                             f"PythonHandler mx_handlers::h{i}")
              for i in range(300)])
        srv.start()
        assert srv.log.wait_for(r"MP0803: PythonMetrics: \d+ handler labels")
        c = srv.client()
        for _ in range(4):
            assert c.get("/metrics/count").status == 200
        s = Scrape(srv)
        assert s.handler("mod_python_handler_requests_total",
                         "mx_handlers::count") == 4
        restart(srv, signal.SIGUSR1)
        assert srv.log.wait_for(r"MP0805: PythonMetricsResetOnRestart On")
        s = Scrape(srv)
        assert s.value("mod_python_restarts_total") == 0
        assert 1 <= s.handler("mod_python_handler_requests_total",
                              "mx_handlers::count") < 4
    finally:
        srv.stop()
        problems = srv.log.problems(0, srv.allow)
        srv.cleanup(keep=bool(problems))
        assert not problems, problems


def test_metrics_off_and_server_wide_directives(env):
    srv = HttpdServer(env, "test_800_metrics_off")
    try:
        srv.conf.location(SCRAPE, "SetHandler python-metrics")
        text = srv.conf.text()
        r = srv.configtest(text.replace(
            "SetHandler python-metrics",
            "SetHandler python-metrics\n    PythonMetrics On"))
        assert r.returncode != 0
        assert "PythonMetrics not allowed in <Location>" in r.stderr
        r = srv.configtest(
            text + f"<VirtualHost *:{srv.port}>\n  ServerName x.test\n"
            "  PythonMetricsResetOnRestart On\n</VirtualHost>\n")
        assert r.returncode != 0
        assert ("PythonMetricsResetOnRestart cannot occur within "
                "<VirtualHost>") in r.stderr
        srv.start()
        since = srv.log.offset()
        assert srv.client().get(SCRAPE).status == 404
        assert srv.log.wait_for(r"\[python:warn\].*MP0802: ", since)
    finally:
        srv.stop()
        problems = srv.log.problems(0, srv.allow)
        srv.cleanup(keep=bool(problems))
        assert not problems, problems
