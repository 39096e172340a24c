"""Benchmark scenarios.

A scenario configures one Apache for one implementation (setup), names the
URL wrk loads, the wrk options (headers, lua script), and a check run on
one request before the load (status and body), so that a broken handler
fails instead of being measured.  The handler files live in
bench/handlers/<dir>/ and are the same for our mod_python and for 3.5.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .impls import Impl
from .server import LUA_DIR, STATIC_BODY, BenchServer

HELLO = b"Hello, World!"
MIB = 1 << 20

API_HEADERS = {
    "User-Agent": "mpbench/1.0 (wrk)",
    "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "en-US,en;q=0.5",
    "Referer": "http://localhost/previous/page",
    "Cookie": "theme=dark; lang=en",
    "X-Forwarded-For": "192.0.2.1",
    "X-Request-Id": "0123456789abcdef",
    "X-Bench-A": "a" * 16,
    "X-Bench-B": "b" * 16,
    "Cache-Control": "no-cache",
}

FORM_BOUNDARY = "----mpbenchBoundary7MA4YWxkTrZu0gW"


def form_body() -> bytes:
    parts = []
    for i in range(10):
        parts.append(f"--{FORM_BOUNDARY}\r\nContent-Disposition: form-data; "
                     f'name="field{i}"\r\n\r\n{chr(97 + i) * (20 + i)}\r\n')
    parts.append(f"--{FORM_BOUNDARY}--\r\n")
    return "".join(parts).encode()


@dataclass
class Scenario:
    name: str
    title: str
    path: str
    impls: tuple[str, ...]
    setup: Callable[[BenchServer, Impl], None]
    check: Callable[[int, bytes, dict[str, str]], str | None]
    method: str = "GET"
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    lua: str | None = None          # file in bench/lua
    # called after start: returns a generated lua script (or None)
    prepare: Callable[[BenchServer], Path | None] | None = None
    quick: bool = False

    def wrk_script(self) -> Path | None:
        return LUA_DIR / self.lua if self.lua else None


def expect_body(expected: bytes) -> Callable[[int, bytes, dict[str, str]], str | None]:
    def check(status: int, body: bytes, headers: dict[str, str]) -> str | None:
        if status != 200:
            return f"status {status}: {body[:300]!r}"
        if body != expected:
            return f"unexpected body ({len(body)} bytes): {body[:200]!r}"
        return None
    return check


def expect_match(pattern: bytes, length: int | None = None) -> Callable[..., str | None]:
    rx = re.compile(pattern, re.DOTALL)

    def check(status: int, body: bytes, headers: dict[str, str]) -> str | None:
        if status != 200:
            return f"status {status}: {body[:300]!r}"
        if not rx.search(body):
            return f"body does not match {pattern!r}: {body[:300]!r}"
        if length is not None and len(body) != length:
            return f"body length {len(body)} != {length}"
        return None
    return check


# -- setups -------------------------------------------------------------------

def _mp_dir(srv: BenchServer, sub: str, *lines: str) -> None:
    srv.copy_handlers(sub)
    srv.conf.directory("{htdocs}/" + sub, *lines)


def setup_static(srv: BenchServer, impl: Impl) -> None:
    pass    # static/hello.txt is always there


def setup_hello(srv: BenchServer, impl: Impl) -> None:
    _mp_dir(srv, "hello", "SetHandler mod_python", "PythonHandler hello")


def setup_api(srv: BenchServer, impl: Impl) -> None:
    _mp_dir(srv, "api", "SetHandler mod_python", "PythonHandler api")


def setup_post(srv: BenchServer, impl: Impl) -> None:
    _mp_dir(srv, "post", "SetHandler mod_python", "PythonHandler post")


def setup_write1m(srv: BenchServer, impl: Impl) -> None:
    _mp_dir(srv, "big", "SetHandler mod_python", "PythonHandler big")


def setup_sendfile1m(srv: BenchServer, impl: Impl) -> None:
    srv.write("big/big1m.bin", b"0123456789abcdef" * 65536)
    _mp_dir(srv, "big", "SetHandler mod_python", "PythonHandler big::sendfile")


def setup_filter(srv: BenchServer, impl: Impl) -> None:
    srv.write("filter/data64k.txt", (b"abcdefghijklmno\n" * 4096))
    _mp_dir(srv, "filter", "PythonOutputFilter filt::upper UPPER",
            "SetOutputFilter UPPER")


def setup_publisher(srv: BenchServer, impl: Impl) -> None:
    _mp_dir(srv, "pub", "SetHandler mod_python",
            "PythonHandler mod_python.publisher")


def setup_wsgi(srv: BenchServer, impl: Impl) -> None:
    srv.copy_handlers("wsgi")
    if impl.kind == "modwsgi":
        srv.conf.add("WSGIScriptAlias /wsgi {htdocs}/wsgi/app.py")
        lines = ["Require all granted"]
        if impl.key == "wsgi-daemon":
            lines.append("WSGIProcessGroup benchd")
        srv.conf.directory("{htdocs}/wsgi", *lines)
    else:
        srv.conf.location(
            "/wsgi", "SetHandler mod_python",
            "PythonHandler mod_python.wsgi",
            "PythonPath \"sys.path + ['{htdocs}/wsgi']\"",
            "PythonOption mod_python.wsgi.application app::application")


def setup_form(srv: BenchServer, impl: Impl) -> None:
    _mp_dir(srv, "form", "SetHandler mod_python", "PythonHandler form")


def setup_session(srv: BenchServer, impl: Impl) -> None:
    sessdir = srv.tmp / "sess"
    sessdir.mkdir()
    sessdir.chmod(0o1777)
    _mp_dir(srv, "sess", "SetHandler mod_python", "PythonHandler sess",
            f"PythonOption session_directory {sessdir}",
            f"PythonOption mod_python.file_session.database_directory {sessdir}")


def prepare_session(srv: BenchServer) -> Path:
    """Create 64 sessions and a lua script that rotates over their cookies."""
    cookies = []
    for _ in range(64):
        status, body, headers = srv.request("/sess/sess.py")
        if status != 200 or "set-cookie" not in headers:
            raise RuntimeError(f"session setup: {status} {body[:200]!r} {headers}")
        cookies.append(headers["set-cookie"].split(";", 1)[0].strip())
    template = (LUA_DIR / "cookies.lua.in").read_text()
    script = srv.root / "conf" / "cookies.lua"
    script.write_text(template.replace(
        "@COOKIES@", ", ".join(f'"{c}"' for c in cookies)))
    srv.check_headers = {"Cookie": cookies[0]}   # the check reads a session
    return script


def setup_psp(srv: BenchServer, impl: Impl) -> None:
    _mp_dir(srv, "psp", "AddHandler mod_python .psp",
            "PythonHandler mod_python.psp")


MP = ("ours", "mp35")

SCENARIOS: dict[str, Scenario] = {s.name: s for s in [
    Scenario("static", "static file, 13 bytes (the ceiling)",
             "/static/hello.txt", ("static",), setup_static,
             expect_body(STATIC_BODY), quick=True),
    Scenario("hello", "hello handler: req.write + apache.OK",
             "/hello/hello.py", MP, setup_hello, expect_body(HELLO), quick=True),
    Scenario("api", "API-heavy: 10 req attributes, 10 headers_in, "
             "5 headers_out, 1 KiB", "/api/api.py?a=1&b=2", MP, setup_api,
             expect_match(rb"^attrs=10 headers=10 method=GET ", 1024),
             headers=API_HEADERS, quick=True),
    Scenario("post64k", "read a 64 KiB POST body", "/post/post.py", MP,
             setup_post, expect_body(b"read 65536 bytes"), method="POST",
             body=b"x" * 65536,
             headers={"Content-Type": "application/octet-stream"},
             lua="post64k.lua"),
    Scenario("write1m", "1 MiB response by req.write", "/big/big.py", MP,
             setup_write1m, expect_body(b"0123456789abcdef" * 65536)),
    Scenario("sendfile1m", "1 MiB response by req.sendfile", "/big/big.py",
             MP, setup_sendfile1m, expect_body(b"0123456789abcdef" * 65536)),
    Scenario("filter64k", "Python output filter on a 64 KiB response",
             "/filter/data64k.txt", MP, setup_filter,
             expect_body(b"ABCDEFGHIJKLMNO\n" * 4096)),
    Scenario("publisher", "publisher: a function returning a string",
             "/pub/pub.py/hello", MP, setup_publisher, expect_body(HELLO)),
    Scenario("wsgi", "WSGI hello app", "/wsgi/hello",
             (*MP, "wsgi-emb", "wsgi-daemon"), setup_wsgi, expect_body(HELLO)),
    Scenario("form", "multipart form POST (10 fields) via util.FieldStorage",
             "/form/form.py", MP, setup_form,
             expect_body("".join(f"field{i}={20 + i}\n" for i in range(10)).encode()),
             method="POST", body=form_body(),
             headers={"Content-Type": f"multipart/form-data; boundary={FORM_BOUNDARY}"},
             lua="form.lua"),
    Scenario("session", "FileSession read and save", "/sess/sess.py", MP,
             setup_session, expect_match(rb"^count=\d+ new=0$"),
             prepare=prepare_session),
    Scenario("psp", "PSP page (expressions and a loop)", "/psp/page.psp",
             MP, setup_psp,
             expect_match(rb"<h1>Hello GET</h1>.*<li>row 9</li>.*uri=/psp/page.psp")),
]}

# Which scenario is the static anchor for the "x static" ratio.
STATIC_ANCHOR = "static"
