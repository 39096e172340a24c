"""Typing stub for ``mod_python.version``, which configure generates from
``version.py.in``: type checks then give the same result before and after
configure."""

version: str

HTTPD: str
HTTPD_VERSION: str
APR_VERSION: str
LIBEXECDIR: str
SYSCONFDIR: str
PYTHON_BIN: str
