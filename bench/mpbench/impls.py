"""The implementations compared.  mod_python and mod_wsgi never share one
Apache: each server loads exactly one of them (or none, for static)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from harness.env import TestEnv

DEBIAN_MOD_PYTHON = "/usr/lib/apache2/modules/mod_python.so"
DEBIAN_MOD_WSGI = "/usr/lib/apache2/modules/mod_wsgi.so"

# Debian package that provides each file (for the install hint).
PACKAGES = {
    "wrk": "wrk",
    DEBIAN_MOD_PYTHON: "libapache2-mod-python",
    DEBIAN_MOD_WSGI: "libapache2-mod-wsgi-py3",
}


@dataclass(frozen=True)
class Impl:
    key: str            # ours, mp35, static, wsgi-emb, wsgi-daemon
    label: str
    kind: str           # "static", "modpython" or "modwsgi"

    def module_file(self, env: TestEnv) -> str | None:
        if self.key == "ours":
            return str(env.module_so)
        if self.key == "mp35":
            return DEBIAN_MOD_PYTHON
        if self.kind == "modwsgi":
            return DEBIAN_MOD_WSGI
        return None

    def available(self, env: TestEnv) -> bool:
        path = self.module_file(env)
        return path is None or os.path.isfile(path)

    def server_lines(self, env: TestEnv) -> list[str]:
        """LoadModule and server-level lines."""
        path = self.module_file(env)
        if self.key == "ours":
            return [f'LoadModule python_module "{path}"',
                    f"PythonOption mod_python.package_dir {env.pkgdir}"]
        if self.key == "mp35":
            # imports Debian's own mod_python package (dist-packages)
            return [f'LoadModule python_module "{path}"']
        if self.key == "wsgi-emb":
            return [f'LoadModule wsgi_module "{path}"',
                    "WSGISocketPrefix {root}/run/wsgi"]
        if self.key == "wsgi-daemon":
            return [f'LoadModule wsgi_module "{path}"',
                    "WSGISocketPrefix {root}/run/wsgi",
                    "WSGIDaemonProcess benchd processes=1 threads=15 "
                    "display-name=%{{GROUP}}"]
        return []


OURS = Impl("ours", "ours", "modpython")
MP35 = Impl("mp35", "mod_python 3.5", "modpython")
STATIC = Impl("static", "static file", "static")
WSGI_EMB = Impl("wsgi-emb", "mod_wsgi embedded", "modwsgi")
WSGI_DAEMON = Impl("wsgi-daemon", "mod_wsgi daemon", "modwsgi")

ALL = {i.key: i for i in (STATIC, OURS, MP35, WSGI_EMB, WSGI_DAEMON)}
