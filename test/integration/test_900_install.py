"""`make install DESTDIR=...` and `make uninstall DESTDIR=...` (issue 12,
item 12).  Install puts the module, the package, python.load and the
command-line tool under DESTDIR; uninstall removes each of them, and the
bytecode that an install without DESTDIR compiles, so that no file is left
under DESTDIR.  Uninstall keeps files it did not install, and refuses while
a2enmod's link to python.load exists.  Runs make in the configured build
tree; no server is started."""

from __future__ import annotations

import configparser
import os
import subprocess
from pathlib import Path

import pytest
from harness import TestEnv


def _fail_or_skip(msg: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(msg)
    pytest.skip(msg)


@pytest.fixture(scope="module")
def builddir(env: TestEnv) -> Path:
    if env.config_ini is None:
        _fail_or_skip("the tree is not configured (no test/harness/config.ini)")
    cp = configparser.ConfigParser(interpolation=None)
    cp.read(env.config_ini)
    path = Path(cp.get("global", "builddir", fallback=""))
    if not (path / "Makefile").is_file():
        _fail_or_skip(f"no Makefile in the build tree {path}")
    if not env.module_so.is_file():
        _fail_or_skip(f"mod_python.so not built: {env.module_so}")
    return path


def make(builddir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    # A clean make: not a child of the jobserver of an outer `make test`.
    environ = {k: v for k, v in os.environ.items()
               if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")}
    r = subprocess.run(["make", "--no-print-directory", "-C", str(builddir), *args],
                       capture_output=True, text=True, env=environ, check=False)
    if check and r.returncode != 0:
        pytest.fail(f"make {' '.join(args)} failed ({r.returncode}):\n"
                    f"{r.stdout}\n{r.stderr}")
    return r


def files_under(root: Path) -> list[str]:
    """Every non-directory (files and links) under root, relative."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*")
                  if p.is_symlink() or not p.is_dir())


class Installed:
    def __init__(self, env: TestEnv, destdir: Path) -> None:
        self.destdir = destdir
        self.module = destdir / env.libexecdir.lstrip("/") / "mod_python.so"
        loads = list((destdir / env.sysconfdir.lstrip("/")).glob("*/python.load"))
        assert len(loads) == 1, files_under(destdir)
        self.loadfile = loads[0]
        inits = list(destdir.rglob("mod_python/__init__.py"))
        assert len(inits) == 1, files_under(destdir)
        self.package = inits[0].parent
        tools = [p for p in destdir.rglob("bin/mod_python") if p.is_file()]
        assert len(tools) == 1, files_under(destdir)
        self.tool = tools[0]


@pytest.fixture
def installed(env: TestEnv, builddir: Path, tmp_path: Path) -> Installed:
    destdir = tmp_path / "stage"
    make(builddir, "install", f"DESTDIR={destdir}")
    inst = Installed(env, destdir)
    # `make install` without DESTDIR compiles the package; do the same here
    # so that uninstall has bytecode to remove.
    subprocess.run([env.python, "-m", "compileall", "-q", "-o", "0", "-o", "2",
                    str(inst.package)], check=True, capture_output=True)
    assert list((inst.package / "__pycache__").glob("apache.*.pyc"))
    return inst


def test_install_puts_the_four_parts(env: TestEnv, installed: Installed) -> None:
    assert installed.module.stat().st_size > 0
    assert installed.loadfile.read_text().split() == [
        "LoadModule", "python_module", f"{env.libexecdir}/mod_python.so"]
    for name in ("__init__.py", "apache.py", "version.py", "wsgi.py"):
        assert (installed.package / name).is_file(), name
    assert os.access(installed.tool, os.X_OK)


def test_uninstall_leaves_no_file(builddir: Path, installed: Installed) -> None:
    assert files_under(installed.destdir)
    make(builddir, "uninstall", f"DESTDIR={installed.destdir}")
    assert files_under(installed.destdir) == []
    assert not installed.package.exists()


def test_uninstall_keeps_foreign_files(builddir: Path, installed: Installed) -> None:
    mine = installed.package / "site_local.py"
    mine.write_text("# not installed by make install\n")
    r = make(builddir, "uninstall", f"DESTDIR={installed.destdir}")
    assert files_under(installed.destdir) == [
        str(mine.relative_to(installed.destdir))]
    assert f"kept {installed.package}" in r.stdout


def test_uninstall_refuses_while_enabled(builddir: Path, installed: Installed) -> None:
    if installed.loadfile.parent.name != "mods-available":
        pytest.skip("not a Debian layout (no a2enmod)")
    enabled = installed.loadfile.parent.parent / "mods-enabled"
    enabled.mkdir()
    (enabled / "python.load").symlink_to("../mods-available/python.load")
    r = make(builddir, "uninstall", f"DESTDIR={installed.destdir}", check=False)
    assert r.returncode != 0
    assert "a2dismod python" in r.stderr
    assert installed.module.is_file()
    assert (installed.package / "apache.py").is_file()
