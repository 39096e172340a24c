"""PythonHome pointing at a virtualenv (issue 12 item 7).

A venv made with `python3 -m venv` by the Python the module was built for,
holding a package installed only there (pip, --no-index, from
test/htdocs/venv/pkg), serves a handler importing it; the venv's
site-packages (with its .pth files) come before the system's; a venv of
another Python version fails `apache2 -t` with file and line (MP0034) and,
if it changes after the server started, fails a new child with one line
(MP0031).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import HttpdServer, TestEnv

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0, reason="needs root: children must run as another user")

PKG = Path(__file__).resolve().parent.parent / "htdocs" / "venv" / "pkg"


def _built_for(env: TestEnv) -> str:
    out = subprocess.run(
        [env.python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
        capture_output=True, text=True, check=True)
    return out.stdout.strip()


@pytest.fixture(scope="module")
def venv(env: TestEnv) -> Iterator[Path]:
    probe = subprocess.run([env.python, "-c", "import ensurepip"],
                           capture_output=True, check=False)
    if probe.returncode != 0:
        msg = f"{env.python} has no venv/ensurepip (Debian: python3-venv)"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    top = Path(tempfile.mkdtemp(prefix="mp-venv-"))
    os.chmod(top, 0o755)
    path = top / "venv"
    subprocess.run([env.python, "-m", "venv", "--system-site-packages",
                    str(path)], check=True, capture_output=True, timeout=300)
    # A copy of the package source: pip writes build files next to it.
    src = top / "pkg"
    shutil.copytree(PKG, src, ignore=shutil.ignore_patterns("__pycache__"))
    pip = subprocess.run(
        [str(path / "bin" / "python"), "-m", "pip", "install", "--no-index",
         "--disable-pip-version-check", "-q", str(src)],
        capture_output=True, text=True, timeout=300, check=False)
    assert pip.returncode == 0, pip.stdout + pip.stderr
    for dirpath, _dirnames, filenames in os.walk(top):
        os.chmod(dirpath, 0o755)
        for f in filenames:
            p = os.path.join(dirpath, f)
            if not os.path.islink(p):
                os.chmod(p, os.stat(p).st_mode | 0o444)
    yield path
    shutil.rmtree(top, ignore_errors=True)


@pytest.fixture(scope="module")
def server(httpd: HttpdServer, venv: Path) -> HttpdServer:
    httpd.conf.add(f"PythonHome {venv}")
    httpd.conf.directory("{htdocs}/venv", "SetHandler mod_python",
                         "PythonHandler venv_info")
    httpd.start()
    return httpd


def test_handler_imports_a_package_installed_only_in_the_venv(server, venv):
    r = server.client().get("/venv/x")
    assert r.status == 200, r.text
    d = r.json()
    assert d["greeting"] == "hello from the venv"
    assert d["module"].startswith(str(venv) + "/")
    assert d["prefix"] == str(venv)
    assert d["base_prefix"] != str(venv)
    major, minor = d["version"]
    assert Path(d["base_prefix"], "lib", f"python{major}.{minor}",
                "os.py").is_file()


def test_venv_pth_files_are_processed(server):
    d = server.client().get("/venv/x").json()
    assert d["pth"] is True
    assert any(p.endswith("/site-packages/mpvenvdemo_extra") for p in d["path"])


def test_venv_site_packages_come_before_the_systems(server, venv):
    path = server.client().get("/venv/x").json()["path"]
    venv_sp = [i for i, p in enumerate(path) if p.startswith(str(venv) + "/")
               and p.endswith("site-packages")]
    system_sp = [i for i, p in enumerate(path)
                 if not p.startswith(str(venv) + "/")
                 and p.endswith(("site-packages", "dist-packages"))]
    assert venv_sp, path
    assert system_sp, path          # --system-site-packages: both are there
    assert max(venv_sp) < min(system_sp), path


def test_configtest_accepts_the_venv(server):
    res = server.configtest()
    assert res.returncode == 0, res.stderr
    assert "Syntax OK" in res.stderr


def _configtest_line(server: HttpdServer, line: str) -> tuple[subprocess.CompletedProcess[str], int]:
    text = server.conf.text().rstrip("\n") + "\n" + line + "\n"
    return server.configtest(text), text.count("\n")


def test_other_python_version_fails_configtest_with_file_and_line(server, env):
    bad = server.tmp / "venv-3.99"
    bad.mkdir()
    (bad / "pyvenv.cfg").write_text(
        "home = /usr/bin\ninclude-system-site-packages = false\n"
        "version = 3.99.1\n")
    res, lineno = _configtest_line(server, f"PythonHome {bad}")
    assert res.returncode != 0
    m = re.search(r"Syntax error on line (\d+) of (\S+):\s*MP0034: PythonHome "
                  + re.escape(str(bad)) + r" is a virtual environment of "
                  r"Python 3\.99 .* built for Python " + re.escape(_built_for(env)),
                  res.stderr)
    assert m, res.stderr
    assert int(m.group(1)) == lineno
    assert m.group(2).startswith(str(server.root / "conf"))


def test_venv_changed_after_start_fails_the_new_child_once(env, venv):
    """The venv is checked again when a child starts: one MP0031 line, then
    500s without further lines."""
    copy = Path(tempfile.mkdtemp(prefix="mp-venv-copy-"))
    os.chmod(copy, 0o755)
    moved = copy / "venv"
    shutil.copytree(venv, moved, symlinks=True)
    srv = HttpdServer(env, "test_753_venv_child",
                      allow=(r"MP0031: ",))
    srv.conf.add(f"PythonHome {moved}", "MaxConnectionsPerChild 1")
    srv.conf.directory("{htdocs}/venv", "SetHandler mod_python",
                       "PythonHandler venv_info")
    try:
        srv.start()
        assert srv.client().get("/venv/x").status == 200
        cfg = moved / "pyvenv.cfg"
        cfg.write_text(re.sub(r"(?m)^version\s*=.*$", "version = 3.99.1",
                              cfg.read_text()))
        deadline = time.monotonic() + 20
        status = 200
        while time.monotonic() < deadline and status == 200:
            time.sleep(0.2)
            status = srv.client().get("/venv/x").status
        assert status == 500
        line = srv.log.wait_for(r"MP0031: Python cannot start: PythonHome "
                                + re.escape(str(moved))
                                + r" is a virtual environment of Python 3\.99",
                                0, 5)
        assert line, srv.log.tail(20)
        srv.stop()
        problems = srv.log.problems(0, srv.allow)
        assert not problems, "\n".join(map(str, problems))
        assert "MP0007" not in srv.log.text_from(0)
    finally:
        srv.stop()
        srv.cleanup()
        shutil.rmtree(copy, ignore_errors=True)
