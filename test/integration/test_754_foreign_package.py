"""A foreign mod_python package (3.5's) found instead of ours (issue 12
item 10): the child logs one MP0030 line naming the package it found and
the directory where ours should be, and requests answer 500 without
further lines; the command-line tool says the same
(MP0038) instead of "No module named 'mod_python.cli'"."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from harness import HttpdServer
from harness.env import SRC_DIR

DEBIAN_35 = Path("/usr/lib/python3/dist-packages/mod_python")
SCRIPT = SRC_DIR / "scripts" / "mod_python"


def fake_35(top: Path) -> Path:
    """A package that looks like mod_python 3.5 (no _dispatch, no cli)."""
    pkg = top / "mod_python"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("from . import version\n")
    (pkg / "version.py").write_text('version = "3.5.0-fake"\n')
    (pkg / "apache.py").write_text("def init(name, server):\n    return None\n")
    for p in (top, pkg):
        os.chmod(p, 0o755)
    for f in pkg.iterdir():
        os.chmod(f, 0o644)
    return top


def serve_and_check(env, pkgdir: Path, found: str, version: str) -> None:
    srv = HttpdServer(env, "test_754_foreign", allow=(r"MP0030: ",))
    srv.conf.pkgdir = pkgdir
    srv.conf.directory("{htdocs}/basic", "SetHandler mod_python",
                       "PythonHandler basic_hello")
    try:
        srv.start()
        statuses = [srv.client().get("/basic/x").status for _ in range(10)]
        assert statuses == [500] * 10
        srv.stop()
        lines = srv.log.read_from(0)
        mp30 = [line for line in lines if "MP0030: " in line]
        assert mp30, srv.log.tail(30)
        text = mp30[0]
        assert re.search(r"Python would import the wrong mod_python package: "
                         + re.escape(found) + r" \(mod_python "
                         + re.escape(version) + r"\) is not the package of "
                         r"this module \(mod_python [^)]*\), which is not in "
                         + re.escape(str(pkgdir)) + r" \(PythonOption "
                         r"mod_python\.package_dir\)", text), text
        children = {re.search(r"\[pid (\d+)", line).group(1) for line in mp30}
        # one line per child, nothing per request: no MP0007, no
        # dispatcher errors, no tracebacks
        assert len(mp30) == len(children)
        assert not [line for line in lines
                    if re.search(r"MP0007|MP01\d\d|MP0006|Traceback", line)], \
            srv.log.tail(30)
        problems = srv.log.problems(0, srv.allow)
        assert not problems, "\n".join(map(str, problems))
    finally:
        srv.cleanup()


@pytest.mark.skipif(not DEBIAN_35.is_dir(),
                    reason="Debian's libapache2-mod-python (3.5) is not installed")
def test_debian_35_package_on_the_path(env, httpd):
    """package_dir names an empty directory: site's dist-packages holds
    Debian's 3.5 package, which Python would import."""
    empty = httpd.tmp / "empty-pkgdir"
    empty.mkdir()
    version = re.search(r'version = "([^"]*)"',
                        (DEBIAN_35 / "version.py").read_text()).group(1)
    serve_and_check(env, empty, str(DEBIAN_35), version)


def test_fake_35_package_in_package_dir(env, httpd):
    top = fake_35(httpd.tmp / "fake35")
    serve_and_check(env, top, str(top / "mod_python"), "3.5.0-fake")


# -- the command-line tool ----------------------------------------------------

def run(python: str, script: Path, *args: str,
        pythonpath: str | None = None) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    if pythonpath:
        environ["PYTHONPATH"] = pythonpath
    return subprocess.run([python, str(script), *args], capture_output=True,
                          text=True, timeout=60, env=environ, check=False)


def installed_copy(tmp: Path, package_dir: Path) -> Path:
    """The script as `make install` writes it (same sed expressions)."""
    text = SCRIPT.read_text()
    assert re.search(r"(?m)^PACKAGE_DIR = None$", text)
    text = re.sub(r"(?m)^PACKAGE_DIR = None$", f'PACKAGE_DIR = "{package_dir}"', text)
    out = tmp / "bin" / "mod_python"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    return out


def test_cli_from_source_tree_ignores_a_foreign_package_first_on_the_path(env, tmp_path):
    fake = fake_35(tmp_path / "fake")
    r = run(env.python, SCRIPT, "--help", pythonpath=str(fake))
    assert r.returncode == 0, r.stderr
    assert "usage: mod_python" in r.stdout


def test_installed_cli_uses_its_package_dir_first(env, tmp_path):
    fake = fake_35(tmp_path / "fake")
    script = installed_copy(tmp_path, SRC_DIR / "lib" / "python")
    r = run(env.python, script, "--help", pythonpath=str(fake))
    assert r.returncode == 0, r.stderr
    assert "usage: mod_python" in r.stdout


def test_installed_cli_without_its_package_names_both_paths(env, tmp_path):
    fake = fake_35(tmp_path / "fake")
    missing = tmp_path / "not-installed"
    script = installed_copy(tmp_path, missing)
    r = run(env.python, script, "--help", pythonpath=str(fake))
    assert r.returncode == 1
    assert "No module named" not in r.stderr
    assert r.stderr.strip() == (
        f"mod_python: MP0038: the mod_python package found first is "
        f"{fake / 'mod_python'} (mod_python 3.5.0-fake), which is not this "
        f"tool's; this tool expects its own package in {missing}: run "
        f"`make install`, or run the tool from its source tree")


@pytest.mark.skipif(not DEBIAN_35.is_dir(),
                    reason="Debian's libapache2-mod-python (3.5) is not installed")
def test_installed_cli_with_debian_35_on_the_path(tmp_path):
    script = installed_copy(tmp_path, tmp_path / "not-installed")
    r = run("/usr/bin/python3", script, "--help")
    assert r.returncode == 1
    assert f"found first is {DEBIAN_35} (mod_python 3.5" in r.stderr
