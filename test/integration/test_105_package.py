"""The module imports the mod_python package it is told to use
(`PythonOption mod_python.package_dir`), whatever else is on sys.path
(Debian's mod_python 3.5 package in dist-packages, for one), and warns once
(MP0004) when that package's version is not the module's."""

import re
import shutil

import pytest


@pytest.fixture(scope="module")
def server(httpd):
    # A copy of our package that claims another version.
    other = httpd.tmp / "otherpkg"
    shutil.copytree(httpd.pkgdir, other,
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    version_py = other / "mod_python" / "version.py"
    text = version_py.read_text()
    version_py.write_text(re.sub(r'(?m)^version = ".*"$',
                                 'version = "0.0.0-mismatch"', text))
    for path in [other, *other.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    httpd.conf.pkgdir = other
    httpd.conf.directory("{htdocs}/pkgver", "SetHandler mod_python",
                         "PythonHandler pv_where")
    httpd.start()
    return httpd, other


def test_configured_package_is_imported_with_a_warning(server, expect_log):
    httpd, other = server
    # logged once per process, when the interpreter imports the package
    expect_log(r"MP0004: mod_python version mismatch: the module is \S+, the "
               r"Python package \(.*otherpkg/mod_python/version\.py\) is "
               r"0\.0\.0-mismatch")
    r = httpd.client().get("/pkgver/x")
    assert r.status == 200
    where, version = r.text.split("\n")[:2]
    assert where == str(other / "mod_python" / "__init__.py")
    assert version == "0.0.0-mismatch"
