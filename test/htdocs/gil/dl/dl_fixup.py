"""The deadlock of issue 9, first half (test_130_gil.py): a fixup handler
in interpreter <htdocs>/gil/dl/ (PythonInterpPerDirective) writes 4096
bytes without flushing them, which stay in the request's output buffer."""

from __future__ import annotations

from mod_python import apache


def fixup(req):
    req.notes["fixup_interpreter"] = req.interpreter
    req.write(b"a" * 4096, 0)
    return apache.OK
