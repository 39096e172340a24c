"""The `mod_python` command-line tool end to end: `create` an instance,
`start` it (httpd -k start, daemonised), fetch the generated hello page,
`restart` it, `stop` it.  The instance lives under a 0755 temp dir so that
the server's User can read it when the tests run as root."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from harness.client import Client
from harness.env import SRC_DIR, free_port, readable_by_others
from harness.errorlog import find_problems

SCRIPT = SRC_DIR / "scripts" / "mod_python"
TIMEOUT = 20


def run_cli(env, *args: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--httpd", env.httpd, *args],
        capture_output=True, text=True, timeout=TIMEOUT + 10, env=environ, check=False,
    )


def get(port: int, path: str = "/"):
    deadline = time.monotonic() + 10
    while True:
        try:
            return Client("127.0.0.1", port, timeout=5).get(path)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.fixture(scope="module")
def instance(env):
    if not env.have_mod_python():
        pytest.skip(f"mod_python.so not built: {env.module_so}")
    top = Path(tempfile.mkdtemp(prefix="mp-test_610_cli-"))
    os.chmod(top, 0o755)
    pkgdir = env.pkgdir
    if env.user and not readable_by_others(pkgdir / "mod_python" / "apache.py"):
        pkgdir = top / "python"
        shutil.copytree(env.pkgdir, pkgdir,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        for d, _, files in os.walk(pkgdir):
            os.chmod(d, 0o755)
            for f in files:
                os.chmod(os.path.join(d, f), 0o644)
    root = top / "inst"
    port = free_port()
    res = run_cli(env, "create", str(root), "--listen", f"127.0.0.1:{port}",
                  "--module", str(env.module_so), "--package-dir", str(pkgdir),
                  "--mpm", env.mpm)
    assert res.returncode == 0, res.stderr
    yield root, port
    pidfile = root / "run" / "httpd.pid"
    if pidfile.exists():            # a failed test left it running
        run_cli(env, "stop", str(root), "--timeout", str(TIMEOUT))
        with contextlib.suppress(OSError, ValueError):
            os.kill(int(pidfile.read_text()), signal.SIGKILL)
    shutil.rmtree(top, ignore_errors=True)


def test_start_fetch_restart_stop(env, instance):
    root, port = instance
    res = run_cli(env, "start", str(root), "--timeout", str(TIMEOUT))
    assert res.returncode == 0, res.stdout + res.stderr
    assert "started" in res.stdout
    assert (root / "run" / "httpd.pid").exists()

    r = get(port, "/")
    assert r.status == 200, r.text
    assert r.text == "Hello from mod_python!\n"
    assert "mod_python/" in r.headers["Server"]

    res = run_cli(env, "start", str(root))
    assert res.returncode == 1 and "already running" in res.stderr

    res = run_cli(env, "restart", str(root), "--timeout", str(TIMEOUT))
    assert res.returncode == 0, res.stderr
    assert get(port, "/again").text == "Hello from mod_python!\n"

    pid = int((root / "run" / "httpd.pid").read_text())
    res = run_cli(env, "stop", str(root), "--timeout", str(TIMEOUT))
    assert res.returncode == 0, res.stdout + res.stderr
    assert "stopped" in res.stdout
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)

    log = (root / "logs" / "error_log").read_text().splitlines()
    assert not find_problems(log), "\n".join(log)
