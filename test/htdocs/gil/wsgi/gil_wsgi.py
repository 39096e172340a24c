"""WSGI application for test_130_gil.py: a body of two 6000-byte pieces
and a short one, written by mod_python.wsgi through a Python output filter
(the filter runs inside the body write's Apache call)."""

from __future__ import annotations


def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"w" * 6000, b"x" * 6000, b"y" * 10]
