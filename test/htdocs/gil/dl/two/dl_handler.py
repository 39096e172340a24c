"""The deadlock of issue 9, second half (test_130_gil.py): the content
handler, in interpreter <htdocs>/gil/dl/two/, writes 4096 more bytes
without flushing.  Together with the fixup's they overflow the output
buffer: ap_rwrite flushes it through the Python output filter."""

from __future__ import annotations

from mod_python import apache


def handler(req):
    req.content_type = "text/plain"
    req.headers_out["X-Interpreters"] = (
        f"{req.notes.get('fixup_interpreter')}|{req.interpreter}")
    req.write(b"b" * 4096, 0)
    req.write(b"c" * 10, 0)
    return apache.OK
