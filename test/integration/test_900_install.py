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
import shutil
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


# ---------------------------------------------------------------- bootstrap

BUILD_PACKAGES = {"apache2", "apache2-dev", "autoconf", "gcc", "libc6-dev",
                  "make", "python3-dev"}

APT_GET_STUB = """#!/bin/sh
# Records its arguments; "installing" autoconf links the real one in.
echo "$*" >> {log}
case " $* " in *" install "*" autoconf "*) {ln} -sf {autoconf} {bindir}/autoconf ;; esac
exit 0
"""


def test_bootstrap_installs_build_dependencies_only(env: TestEnv, tmp_path: Path) -> None:
    """bootstrap, as root with apt-get, for a host that lacks autoconf and
    whose Python lacks Flask and Django: it installs autoconf and no test
    package (the old bootstrap also installed python3-flask and
    python3-django).  apt-get and id are stubs; autoconf is hidden from PATH;
    flask and django are made unimportable through PYTHONPATH."""
    real = {n: shutil.which(n) for n in
            ("sh", "dirname", "sed", "cat", "make", "autoconf", "apxs2",
             "apxs", "gcc", "cc")}
    cc = subprocess.run([env.apxs, "-q", "CC"], capture_output=True,
                        text=True, check=False).stdout.split()
    if cc:
        real[cc[0]] = shutil.which(cc[0])
    missing = [n for n in ("sh", "make", "autoconf", "gcc") if not real[n]]
    if missing or not (real["apxs2"] or real["apxs"]):
        _fail_or_skip(f"build tools missing: {missing or 'apxs'}")
    srcdir = env.srcdir
    if not (srcdir / "configure").is_file():
        _fail_or_skip("no generated configure in the source tree")

    tree = tmp_path / "tree"
    (tree / "build-aux").mkdir(parents=True)
    shutil.copy2(srcdir / "build-aux" / "bootstrap", tree / "build-aux")
    shutil.copy2(srcdir / "configure.ac", tree)
    shutil.copy2(srcdir / "configure", tree)
    os.utime(tree / "configure")      # newer than configure.ac: no autoconf run
    bindir = tmp_path / "bin"
    bindir.mkdir()
    for name, path in real.items():
        if path and name != "autoconf":
            (bindir / name).symlink_to(path)
    log = tmp_path / "apt-get.log"
    stub = bindir / "apt-get"
    stub.write_text(APT_GET_STUB.format(log=log, autoconf=real["autoconf"],
                                        bindir=bindir, ln=shutil.which("ln")))
    stub.chmod(0o755)
    (bindir / "id").write_text('#!/bin/sh\necho 0\n')
    (bindir / "id").chmod(0o755)
    poison = tmp_path / "poison"
    poison.mkdir()
    for m in ("flask", "django", "pytest", "requests"):
        (poison / f"{m}.py").write_text("raise ImportError('hidden by the test')\n")

    r = subprocess.run(["sh", str(tree / "build-aux" / "bootstrap"), "--no-configure"],
                       capture_output=True, text=True, check=False,
                       env={"PATH": str(bindir), "PYTHONPATH": str(poison),
                            "HOME": str(tmp_path), "LANG": "C"})
    calls = log.read_text().splitlines() if log.exists() else []
    assert r.returncode == 0, (r.stdout, r.stderr, calls)
    installs = [c.split() for c in calls if c.split()[:1] == ["install"]]
    assert installs, calls                # autoconf was installed
    for args in installs:
        packages = {a for a in args[1:] if not a.startswith("-")}
        assert packages <= BUILD_PACKAGES, calls
    assert "autoconf" in installs[0]
