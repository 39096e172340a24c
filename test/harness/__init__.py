"""Test harness for mod_python: owns a private Apache httpd per test module.

- env.py       TestEnv (paths from config.ini, or discovered) and HttpdServer
               (server root, foreground start, bounded readiness, stop)
- conf.py      HttpdConf builder: base config plus <Directory>/<Location>/
               <VirtualHost> snippets
- client.py    http.client wrapper with Host header support and keep-alive
- errorlog.py  error-log reader: crash patterns, [python:error] lines and
               MPnnnn allowlists

The pytest fixtures that use these live in test/conftest.py.
"""

from .client import Client, Response
from .conf import HttpdConf
from .env import HttpdServer, TestEnv
from .errorlog import ErrorLog, LogProblem

__all__ = [
    "Client",
    "ErrorLog",
    "HttpdConf",
    "HttpdServer",
    "LogProblem",
    "Response",
    "TestEnv",
]
