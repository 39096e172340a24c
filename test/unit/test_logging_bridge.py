"""mod_python._logging: importing it and installing the bridge do not import
`logging`; the handler is attached when `logging` is first imported."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

LIB = str(Path(__file__).resolve().parents[2] / "lib" / "python")

SCRIPT = r"""
import sys
assert "logging" not in sys.modules, "logging imported at start-up"
from mod_python import _logging
written = []
_logging.install(lambda msg, level, server: written.append((msg, level, server)), 6, 3)
assert "logging" not in sys.modules, "import or install imported logging"
print("out line")
sys.stderr.write("err line\n")
assert written == [("out line", 6, None), ("err line", 3, None)], written
import logging
assert not any(isinstance(f, _logging.LoggingImportHook) for f in sys.meta_path)
assert type(logging.__loader__).__name__ == "SourceFileLoader", logging.__loader__
assert logging.__spec__.loader is logging.__loader__
logger = logging.getLogger("mod_python.sub")
logger.warning("w %d", 1)
logger.log(_logging.NOTICE, "n")
logger.debug("d", extra={"server": "srv"})
logging.getLogger("other").warning("not ours")
assert written[2:] == [
    ("mod_python.sub: w 1", 4, None),
    ("mod_python.sub: n", 5, None),
    ("mod_python.sub: d", 7, "srv"),
    ("not ours", 3, None),
], written
assert logging.getLevelName(_logging.NOTICE) == "NOTICE"
# installing again replaces the handler instead of adding a second one
_logging.install(lambda msg, level, server: written.append((msg, level, server)), 6, 3)
handlers = logging.getLogger("mod_python").handlers
assert len(handlers) == 1 and isinstance(handlers[0], _logging.ApacheLogHandler)
sys.__stdout__.write("ok\n")
"""


def run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-S", "-c", code],
        env={"PYTHONPATH": LIB, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )


def test_handler_attached_on_first_import_of_logging() -> None:
    proc = run(SCRIPT)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "ok\n"


def test_install_when_logging_is_already_imported() -> None:
    proc = run(
        "import logging, sys\n"
        "from mod_python import _logging\n"
        "w = []\n"
        "_logging.install(lambda m, l, s: w.append((m, l)), 6, 3)\n"
        "assert not any(isinstance(f, _logging.LoggingImportHook) for f in sys.meta_path)\n"
        "logging.getLogger('mod_python').error('e')\n"
        "assert w == [('mod_python: e', 3)], w\n"
        "assert logging.getLogger('mod_python').propagate is False\n"
    )
    assert proc.returncode == 0, proc.stderr


def test_hook_removal_leaves_a_walked_meta_path_alone() -> None:
    """importlib walks the list sys.meta_path was when an import began.
    Removing the hook from that list in place (when another thread's
    ``import logging`` finished) shifted the entries under the walk, which
    then skipped PathFinder: a stdlib import failed with
    ModuleNotFoundError at a child's first requests."""
    proc = run(
        "import sys\n"
        "from mod_python import _logging\n"
        "_logging.install(lambda m, l, s: None, 6, 3)\n"
        "walked = sys.meta_path\n"
        "before = list(walked)\n"
        "assert isinstance(before[0], _logging.LoggingImportHook)\n"
        "import logging\n"
        "assert walked == before, (walked, before)\n"
        "assert not any(isinstance(f, _logging.LoggingImportHook) for f in sys.meta_path)\n"
        "assert sys.meta_path == before[1:]\n"
    )
    assert proc.returncode == 0, proc.stderr
