"""`mod_python serve` end to end (issue 12 item 13) and the samples of
`mod_python create` (item 11).

Each TARGET kind is served by the command-line tool started as a
subprocess on a free port: a WSGI file (`app.py`, `app.py::name`), a
handler file, a dotted handler module and a directory of publisher pages
and PSP files.  The test requests a page, sends SIGINT (Ctrl-C), and checks
that the tool exited with status 0, that httpd stopped gracefully and that
the temporary server root is gone.  Files live under a 0755 temp dir so the
server's User can read them when the tests run as root.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from harness.client import Client
from harness.env import SRC_DIR, free_port, readable_by_others
from harness.errorlog import find_problems

SCRIPT = SRC_DIR / "scripts" / "mod_python"
TIMEOUT = 20

APP = '''\
import os


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [f"wsgi VERSION {environ['PATH_INFO']} {os.getpid()}".encode()]
'''
APP2 = '''\
def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"wsgi app2"]
'''
HANDLER = '''\
from mod_python import apache


def handler(req):
    req.content_type = "text/plain"
    req.write("handler " + __name__.rpartition("_")[2] + " " + req.uri)
    return apache.OK
'''
INDEX = '''\
def index(req):
    return "publisher index"


def hello(req, name="world"):
    return "hello " + name
'''
PSP = '<% req.write("psp %d" % (6 * 7)) %>\n'


def _readable(top: Path) -> None:
    for d, _, files in os.walk(top):
        os.chmod(d, 0o755)
        for f in files:
            os.chmod(os.path.join(d, f), 0o644)


@pytest.fixture(scope="module")
def work(env):
    if not env.have_mod_python():
        pytest.skip(f"mod_python.so not built: {env.module_so}")
    top = Path(tempfile.mkdtemp(prefix="mp-test_730-"))
    (top / "app.py").write_text(APP.replace("VERSION", "v1"))
    (top / "app2.py").write_text(APP2)
    (top / "hfile.py").write_text(HANDLER)
    (top / "hpkg").mkdir()
    (top / "hpkg" / "__init__.py").write_text("")
    (top / "hpkg" / "hmod.py").write_text(HANDLER)
    pages = top / "pages"
    pages.mkdir()
    (pages / "index.py").write_text(INDEX)
    (pages / "page.psp").write_text(PSP)
    (pages / "static.txt").write_text("static file\n")
    pkgdir = env.pkgdir
    if env.user and not readable_by_others(pkgdir / "mod_python" / "apache.py"):
        pkgdir = top / "python"
        shutil.copytree(env.pkgdir, pkgdir,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    _readable(top)
    yield top, pkgdir
    shutil.rmtree(top, ignore_errors=True)


class Serve:
    """One `mod_python serve` subprocess and its terminal output."""

    def __init__(self, env, work, *args: str) -> None:
        top, pkgdir = work
        self.port = free_port()
        self.out = top / f"serve-{self.port}.log"
        environ = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        with open(self.out, "ab") as out:   # append: httpd writes to it too
            self.proc = subprocess.Popen(
                [sys.executable, str(SCRIPT), "--httpd", env.httpd, "serve", *args,
                 "--port", str(self.port), "--module", str(env.module_so),
                 "--package-dir", str(pkgdir)],
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                cwd=top, env=environ)

    def text(self) -> str:
        return self.out.read_text(errors="replace")

    def wait_for(self, text: str, timeout: float = 5.0) -> bool:
        deadline = time.monotonic() + timeout
        while text not in self.text():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    def root(self) -> Path:
        m = re.search(r"server root (\S+) \(removed on exit\)", self.text())
        assert m, self.text()
        return Path(m.group(1))

    def get(self, path: str):
        deadline = time.monotonic() + TIMEOUT
        while True:
            assert self.proc.poll() is None, self.text()
            try:
                return Client("127.0.0.1", self.port, timeout=5).get(path)
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def interrupt(self) -> float:
        """Ctrl-C; returns how long the tool took to exit."""
        root = self.root()
        assert root.is_dir()
        t0 = time.monotonic()
        self.proc.send_signal(signal.SIGINT)
        try:
            rc = self.proc.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise
        took = time.monotonic() - t0
        text = self.text()
        assert rc == 0, text
        assert "stopping (graceful)" in text
        assert "caught SIGWINCH, shutting down gracefully" in text
        assert not root.exists(), f"{root} left behind"
        problems = find_problems(text.splitlines())
        assert not problems, text
        return took

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def serve(env, work):
    started: list[Serve] = []

    def start(*args: str) -> Serve:
        s = Serve(env, work, *args)
        started.append(s)
        return s

    yield start
    for s in started:   # a failed test may leave one running
        if s.proc.poll() is None:
            s.proc.send_signal(signal.SIGINT)
            try:
                s.proc.wait(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                s.kill()


def test_wsgi_file_with_reload(serve, work):
    top, _ = work
    s = serve("app.py", "--reload")
    r = s.get("/some/path")
    assert r.status == 200, r
    assert r.text.startswith("wsgi v1 /some/path ")
    # the access log goes to the terminal (written just after the response)
    assert s.wait_for('GET /some/path HTTP/1.1" 200'), s.text()
    app = top / "app.py"
    app.write_text(APP.replace("VERSION", "v2"))
    later = time.time() + 2
    os.utime(app, (later, later))
    deadline = time.monotonic() + 6
    while not s.get("/x").text.startswith("wsgi v2") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert s.get("/x").text.startswith("wsgi v2 /x ")
    s.interrupt()


def test_wsgi_file_and_callable(serve):
    s = serve("app2.py::app", "--processes", "2", "--threads", "2")
    r = s.get("/")
    assert (r.status, r.text) == (200, "wsgi app2")
    s.interrupt()


def test_handler_file(serve):
    s = serve("hfile.py", "--threads", "1")      # prefork
    r = s.get("/a/b")
    assert r.status == 200, r
    assert r.text.endswith(" /a/b") and r.text.startswith("handler ")
    s.interrupt()


def test_handler_module_name(serve):
    s = serve("hpkg.hmod")
    r = s.get("/m")
    assert (r.status, r.text) == (200, "handler hpkg.hmod /m")
    s.interrupt()


def test_directory_of_pages(serve):
    s = serve("pages")
    assert (s.get("/").status, s.get("/").text) == (200, "publisher index")
    r = s.get("/index/hello?name=you")
    assert (r.status, r.text) == (200, "hello you")
    r = s.get("/page.psp")
    assert (r.status, r.text.strip()) == (200, "psp 42")
    r = s.get("/static.txt")
    assert (r.status, r.text) == (200, "static file\n")
    assert s.get("/missing").status == 404
    took = s.interrupt()
    assert took < 10


def test_a_config_error_is_reported_and_cleaned_up(env, work):
    s = Serve(env, work, "app2.py::app", "--processes", "1", "--threads", "1",
              "--host", "256.0.0.1")
    try:
        rc = s.proc.wait(timeout=TIMEOUT)
    finally:
        s.kill()
    assert rc != 0
    assert "httpd exited with status" in s.text()
    assert not s.root().exists()


# -- mod_python create: the publisher and WSGI samples answer on / (item 11)

def run_cli(env, *args: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--httpd", env.httpd, *args],
        capture_output=True, text=True, timeout=TIMEOUT + 10, env=environ, check=False)


@pytest.mark.parametrize(("handler", "body"), [
    ("mod_python.publisher", "Hello from mod_python's publisher!\n"),
    ("mod_python.wsgi", "Hello from a WSGI application on mod_python!\n"),
])
def test_create_samples_answer_on_slash(env, work, handler, body):
    top, pkgdir = work
    root = top / f"inst-{handler.rpartition('.')[2]}"
    port = free_port()
    res = run_cli(env, "create", str(root), "--listen", f"127.0.0.1:{port}",
                  "--module", str(env.module_so), "--package-dir", str(pkgdir),
                  "--mpm", env.mpm, "--pythonhandler", handler)
    assert res.returncode == 0, res.stderr
    assert f"http://127.0.0.1:{port}/" in res.stdout
    _readable(root)
    os.chmod(root / "logs", 0o755)
    res = run_cli(env, "start", str(root), "--timeout", str(TIMEOUT))
    assert res.returncode == 0, res.stdout + res.stderr
    try:
        r = Client("127.0.0.1", port, timeout=5).get("/")
        assert (r.status, r.text) == (200, body)
    finally:
        res = run_cli(env, "stop", str(root), "--timeout", str(TIMEOUT))
    assert res.returncode == 0, res.stdout + res.stderr
    log = (root / "logs" / "error_log").read_text().splitlines()
    assert not find_problems(log), "\n".join(log)
