"""Filters for test_130_gil.py.

- in_copy   input filter: passes the request body on unchanged, reading it
            with filter.read(); when the filter below has nothing yet
            (read() gives b'') it asks again, since returning nothing would
            end the body early
- upper     output filter: upper-cases the response, reading whatever
            buckets the handler produced (a CGI script's pipe or socket)
"""

from __future__ import annotations


def in_copy(filt):
    while True:
        data = filt.read()
        if data is None:
            filt.close()
            return
        if data:
            filt.write(data)
            return


def upper(filt):
    data = filt.read()
    while data:
        filt.write(data.upper())
        data = filt.read()
    if data is None:
        filt.close()
