"""scripts/mod_python run from the source tree uses the tree's package even
when another mod_python comes first on the path (Debian's 3.5 in
dist-packages has no cli module and used to hide ours)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "mod_python"


def test_launcher_prefers_the_tree_over_a_foreign_package(tmp_path: Path) -> None:
    foreign = tmp_path / "mod_python"
    foreign.mkdir()
    (foreign / "__init__.py").write_text("FOREIGN = True\n")
    res = subprocess.run(
        [sys.executable, str(SCRIPT), "--help"],
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert res.returncode == 0, res.stderr
    assert "usage" in res.stdout.lower()
