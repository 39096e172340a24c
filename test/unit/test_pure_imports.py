"""The pure modules of the package import without ``_apache`` (house style
3.3): their types for the C objects come from ``_apache.pyi`` under
``TYPE_CHECKING`` only.  Each import runs in a fresh interpreter without
site-packages, so neither an earlier test nor another mod_python can help."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

LIB = Path(__file__).resolve().parents[2] / "lib" / "python"

# adapters over _apache: importing them outside httpd fails on _apache.
# Every other module (a new one too) must be pure.
ADAPTERS = ["apache", "cgihandler", "publisher", "testhandler", "wsgi"]
PURE = sorted({p.stem for p in (LIB / "mod_python").glob("*.py")}
              - {"__init__", "version"} - set(ADAPTERS))


def _import(module: str) -> subprocess.CompletedProcess[str]:
    code = f"import sys; import mod_python.{module}; print('_apache' in sys.modules)"
    return subprocess.run([sys.executable, "-S", "-c", code],
                          env={"PYTHONPATH": str(LIB), "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True, timeout=60, check=False)


@pytest.mark.parametrize("module", PURE)
def test_pure_module_imports_without_apache(module: str) -> None:
    res = _import(module)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "False"


@pytest.mark.parametrize("module", ADAPTERS)
def test_adapter_needs_apache(module: str) -> None:
    res = _import(module)
    assert res.returncode != 0
    assert "No module named '_apache'" in res.stderr


def test_the_lists_are_not_empty() -> None:
    assert "_parse" in PURE and "Cookie" in PURE
