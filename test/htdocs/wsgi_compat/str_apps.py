"""WSGI applications for test_710_wsgi_compat.py.

- listing: returns a list of str (3.5 served it; PEP 3333 wants bytes)
- generating: a generator yielding bytes then str
- writing: uses the write callable of start_response with a str
- number: yields an int (always a TypeError: 500)
"""


def listing(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
    return ["h\u00e9llo ", "w\u00f6rld \u20ac"]


def generating(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
    yield b"bytes+"
    yield "str\u00e9"


def writing(environ, start_response):
    write = start_response("200 OK", [("Content-Type", "text/plain")])
    write("written ")
    return [b"returned"]


def number(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [42]
