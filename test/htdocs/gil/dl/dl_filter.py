"""Output filter of the deadlock test (test_130_gil.py): upper-cases the
response, in interpreter <htdocs>/gil/dl/."""

from __future__ import annotations


def upper(filt):
    data = filt.read()
    while data:
        filt.write(data.upper())
        data = filt.read()
    if data is None:
        filt.close()
