"""HttpdConf: builds a self-contained httpd.conf for one test server.

The base part (ServerRoot, PidFile, ErrorLog, Mutex, Listen, LoadModule
lines with absolute paths, MPM tuning, TypesConfig, DocumentRoot, User and
Group when run as root, mod_python's package_dir option) is generated; tests
add snippets::

    conf.add("PythonOption srv_opt S")                 # server level
    conf.directory("{htdocs}/basic",
                   "SetHandler mod_python",
                   "PythonHandler basic_hello")
    conf.location("/loc", "SetHandler mod_python", ...)
    conf.vhost("a.test", "PythonInterpreter x", ...)   # name-based vhost

Every line goes through fmt(), which fills {root}, {htdocs}, {tmp}, {port}
and {pkgdir} (write a literal brace as {{ or }}).  Nested sections inside a
vhost can be built with HttpdConf.block(tag, arg, *lines).

A name-based vhost turns the first vhost into the default for unknown Host
names, so the builder puts a default vhost (ServerName localhost, the main
server's name) first whenever vhosts are added.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .env import TestEnv

SERVER_NAME = "localhost"

# Modules every test server loads (besides the MPM and mod_python).
BASE_MODULES = [
    "authz_core",
    "authz_user",
    "authn_core",
    "authn_file",
    "auth_basic",
    "mime",
    "dir",
    "alias",
    "env",
    "log_config",
]

MIME_TYPES = """\
text/html\t\t\t\thtml htm
text/plain\t\t\t\ttxt
text/css\t\t\t\tcss
application/json\t\t\tjson
application/octet-stream\t\tbin
"""

# Threaded MPMs: one child process with enough threads for the load test,
# so state that a test keeps in a module global is seen by every request.
_THREADED = [
    "StartServers 1",
    "ServerLimit 1",
    "ThreadsPerChild 16",
    "ThreadLimit 16",
    "MaxRequestWorkers 16",
    "MinSpareThreads 1",
    "MaxSpareThreads 32",
]
MPM_TUNING = {
    "event": _THREADED,
    "worker": _THREADED,
    # prefork needs a process per concurrent connection; tests that depend
    # on one process use a keep-alive connection instead.
    "prefork": [
        "StartServers 2",
        "MinSpareServers 1",
        "MaxSpareServers 4",
        "ServerLimit 16",
        "MaxRequestWorkers 16",
    ],
}


class HttpdConf:
    def __init__(self, *, root: Path, port: int, env: TestEnv,
                 with_python: bool = True, pkgdir: Path | None = None,
                 log_level: str = "info python:debug") -> None:
        self.root = Path(root)
        self.port = port
        self.env = env
        self.with_python = with_python
        self.pkgdir = Path(pkgdir or env.pkgdir)
        self.log_level = log_level
        self.extra_modules: list[str] = []
        self.server_lines: list[str] = []
        self.section_lines: list[str] = []
        self.vhosts: list[list[str]] = []

    # -- formatting -------------------------------------------------------

    @property
    def htdocs(self) -> Path:
        return self.root / "htdocs"

    def fmt(self, text: str) -> str:
        return text.format(
            root=self.root, htdocs=self.htdocs, tmp=self.root / "tmp",
            port=self.port, pkgdir=self.pkgdir,
        )

    @staticmethod
    def block(tag: str, arg: str, *lines: str | Iterable[str]) -> list[str]:
        out = [f"<{tag} {arg}>" if arg else f"<{tag}>"]
        for line in lines:
            if isinstance(line, str):
                out.append("    " + line)
            else:
                out.extend("    " + item for item in line)
        out.append(f"</{tag}>")
        return out

    # -- snippets ---------------------------------------------------------

    def add(self, *lines: str) -> HttpdConf:
        """Server-level lines (placed after the base config)."""
        self.server_lines.extend(lines)
        return self

    def load_module(self, name: str) -> HttpdConf:
        self.extra_modules.append(name)
        return self

    def directory(self, path: str, *lines: str | Iterable[str]) -> HttpdConf:
        self.section_lines.extend(self.block("Directory", f'"{path}"', *lines))
        return self

    def location(self, path: str, *lines: str | Iterable[str]) -> HttpdConf:
        self.section_lines.extend(self.block("Location", path, *lines))
        return self

    def files(self, pattern: str, *lines: str | Iterable[str]) -> HttpdConf:
        self.section_lines.extend(self.block("Files", f'"{pattern}"', *lines))
        return self

    def vhost(self, server_name: str, *lines: str | Iterable[str]) -> HttpdConf:
        self.vhosts.append(self.block(
            "VirtualHost", "*:{port}", f"ServerName {server_name}",
            "DocumentRoot \"{htdocs}\"", *lines))
        return self

    # -- output -----------------------------------------------------------

    def base_lines(self) -> list[str]:
        env = self.env
        mpm = env.mpm
        lines = [
            "# generated by test/harness/conf.py",
            'ServerRoot "{root}"',
            f"ServerName {SERVER_NAME}",
            'PidFile "{root}/run/httpd.pid"',
            'DefaultRuntimeDir "{root}/run"',
            'ErrorLog "{root}/logs/error_log"',
            'Mutex file:{root}/run default',
            "Listen 127.0.0.1:{port}",
            "ServerTokens Full",
            "KeepAlive On",
            "KeepAliveTimeout 15",
            "MaxKeepAliveRequests 0",
            "Timeout 30",
            f'LoadModule mpm_{mpm}_module "{env.module_path("mpm_" + mpm)}"',
        ]
        for name in [*BASE_MODULES, *self.extra_modules]:
            lines += self.block(  # some are built into Debian's httpd
                "IfModule", f"!{name}_module",
                f'LoadModule {name}_module "{env.module_path(name)}"')
        if self.with_python:
            lines.append(f'LoadModule python_module "{env.module_so}"')
            lines.append(f"LogLevel {self.log_level}")
        else:
            lines.append(f"LogLevel {self.log_level.split()[0]}")
        lines += MPM_TUNING.get(mpm, [])
        if env.user:
            lines += [f"User {env.user}", f"Group {env.group}"]
        lines += [
            'TypesConfig "{root}/conf/mime.types"',
            'LogFormat "%h %l %u %t \\"%r\\" %>s %b %{{Host}}i" common',
            'CustomLog "{root}/logs/access_log" common',
            'DocumentRoot "{htdocs}"',
            "DirectoryIndex index.html",
            *self.block("Directory", "/", "AllowOverride None",
                        "Require all denied"),
            *self.block("Directory", '"{htdocs}"', "AllowOverride None",
                        "Require all granted"),
        ]
        if self.with_python:
            lines.append("PythonOption mod_python.package_dir {pkgdir}")
            if env.gil == "own":
                # MP_TEST_GIL=own: the whole suite with own-GIL interpreters.
                lines.append("PythonInterpreterGIL own *")
        return lines

    def text(self) -> str:
        lines = self.base_lines() + self.server_lines + self.section_lines
        if self.vhosts:
            lines += self.block(
                "VirtualHost", "*:{port}", f"ServerName {SERVER_NAME}",
                'DocumentRoot "{htdocs}"')
            for vh in self.vhosts:
                lines += vh
        return "\n".join(self.fmt(line) for line in lines) + "\n"

    def write(self, path: Path) -> None:
        path = Path(path)
        path.write_text(self.text())
        mime = path.parent / "mime.types"
        if not mime.exists():
            mime.write_text(MIME_TYPES)

