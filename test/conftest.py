"""pytest fixtures that own Apache httpd (see test/harness/).

Fixtures:

- env (session)      TestEnv: httpd, MPM (MP_TEST_MPM), mod_python.so, ...
- httpd (module)     an HttpdServer with mod_python loaded, not started yet.
                     A test module adds its config and starts it in its own
                     module-scoped fixture:

                         @pytest.fixture(scope="module")
                         def server(httpd):
                             httpd.conf.directory("{htdocs}/basic", ...)
                             httpd.start()
                             return httpd

                     Module attribute LOG_ALLOW = [regex, ...] allows error
                     log lines for the whole module (e.g. a PythonImport that
                     fails in every child).  At teardown the server is
                     stopped and the log written during shutdown is checked.
- httpd_plain (module) the same without mod_python (harness self-test).
- expect_log(*regex)  the test must produce matching error-log lines, which
                      are then allowed (with their traceback lines).
- allow_log(*regex)   matching lines are allowed but not required.

After every test an autouse fixture reads what each running server added to
its error log and fails on crashes and unexpected [python:error|crit|...]
lines, printing them.  `pytest --print-log` prints the new lines of every
test.  MP_TEST_KEEP=1 keeps the server roots (they are kept anyway for a
module with a failure); MP_TEST_MPM=prefork switches the MPM.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import HttpdServer, TestEnv
from harness.errorlog import find_problems

EXPECT_TIMEOUT = 3.0


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--print-log", action="store_true", default=False,
                     help="print the error-log lines each test added")


def pytest_report_header(config: pytest.Config) -> str:
    return "mod_python harness: " + TestEnv().describe()


@pytest.fixture(scope="session")
def env() -> TestEnv:
    return TestEnv()


def _make_server(request: pytest.FixtureRequest, env: TestEnv,
                 with_python: bool) -> Iterator[HttpdServer]:
    if with_python and not env.have_mod_python():
        msg = f"mod_python.so not built: {env.module_so}"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    name = request.module.__name__.rsplit(".", 1)[-1]
    srv = HttpdServer(env, name, with_python=with_python,
                      allow=tuple(getattr(request.module, "LOG_ALLOW", ())))
    failed_before = request.session.testsfailed
    yield srv
    srv.stop()
    problems = srv.log.problems(srv.checked_offset, srv.allow)
    failed = problems or request.session.testsfailed > failed_before
    srv.cleanup(keep=bool(failed))
    if problems:
        pytest.fail(
            f"error log of {srv.name} has problems (after the last test or "
            f"at shutdown); root kept at {srv.root}:\n"
            + "\n".join(map(str, problems)), pytrace=False)


@pytest.fixture(scope="module")
def httpd(request: pytest.FixtureRequest, env: TestEnv) -> Iterator[HttpdServer]:
    yield from _make_server(request, env, with_python=True)


@pytest.fixture(scope="module")
def httpd_plain(request: pytest.FixtureRequest, env: TestEnv) -> Iterator[HttpdServer]:
    yield from _make_server(request, env, with_python=False)


class _LogCheck:
    def __init__(self) -> None:
        self.expected: list[str] = []
        self.allowed: list[str] = []

    def expect(self, *patterns: str) -> None:
        self.expected.extend(patterns)
        self.allowed.extend(patterns)

    def allow(self, *patterns: str) -> None:
        self.allowed.extend(patterns)


@pytest.fixture(autouse=True)
def _error_log_check(request: pytest.FixtureRequest) -> Iterator[_LogCheck]:
    state = _LogCheck()
    yield state
    failures: list[str] = []
    servers = list(HttpdServer.running)
    for pattern in state.expected:
        if not any(srv.log.wait_for(pattern, srv.checked_offset, EXPECT_TIMEOUT)
                   for srv in servers):
            failures.append(f"expected error-log line /{pattern}/ not found")
    for srv in servers:
        since = srv.checked_offset
        end = srv.log.offset()
        lines = srv.log.read_from(since, end)
        srv.checked_offset = end
        if request.config.getoption("--print-log") and lines:
            print(f"\n--- {srv.name} error_log ---\n" + "\n".join(lines))
        problems = find_problems(lines, [*srv.allow, *state.allowed])
        if problems:
            failures.append(
                f"error log of {srv.name} ({srv.root}) has problems:\n"
                + "\n".join(map(str, problems))
                + "\n--- new log lines ---\n" + "\n".join(lines[-60:]))
        elif failures:
            failures.append("--- new log lines ---\n" + "\n".join(lines[-60:]))
    if failures:
        pytest.fail("\n".join(failures), pytrace=False)


@pytest.fixture
def expect_log(_error_log_check: _LogCheck):
    """expect_log(r"MP0100: .*ValueError") : required and allowed."""
    return _error_log_check.expect


@pytest.fixture
def allow_log(_error_log_check: _LogCheck):
    """allow_log(r"MP\\d{4}: .*Traceback") : allowed, not required."""
    return _error_log_check.allow
