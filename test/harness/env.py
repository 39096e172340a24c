"""Where things are (TestEnv) and one private Apache httpd (HttpdServer).

TestEnv reads test/harness/config.ini, written by configure:

    [global]
    apxs = /usr/bin/apxs
    httpd = /usr/sbin/apache2
    libexecdir = /usr/lib/apache2/modules
    sysconfdir = /etc/apache2
    python = /usr/bin/python3
    module_so = /abs/src/.libs/mod_python.so
    srcdir = /abs/srcdir
    pkgdir = /abs/srcdir/lib/python
    mpm = event

Missing file or keys (or unsubstituted @VALUES@) are discovered with apxs.
The environment variable MP_TEST_MPM (event, prefork, worker) overrides mpm,
MP_TEST_CONFIG names another config.ini (make check-asan: the sanitizer
build's module_so), and MP_TEST_HTTPD_PRELOAD becomes httpd's LD_PRELOAD
(the sanitizer runtime; the test runner itself runs without it).

HttpdServer owns one server root (a fresh temp dir per test module):

    root/conf/httpd.conf, root/conf/mime.types
    root/htdocs/            copy of test/htdocs (+ __alive.txt)
    root/logs/error_log     httpd's error log; stdout/stderr of the parent
    root/run/               pid file, mutexes
    root/tmp/               world-writable scratch dir for handlers
    root/python/            copy of lib/python when the repo is not
                            readable by the server's User

It starts `httpd -f CONF -DFOREGROUND`, polls /__alive.txt with a deadline,
and stops with `httpd -f CONF -k stop`, wait(timeout), then a kill of the
process group it started.
"""

from __future__ import annotations

import configparser
import os
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time
from pathlib import Path
from typing import ClassVar

from .client import Client
from .conf import HttpdConf
from .errorlog import ErrorLog

TEST_DIR = Path(__file__).resolve().parent.parent
SRC_DIR = TEST_DIR.parent
CONFIG_INI = Path(os.environ.get("MP_TEST_CONFIG")
                  or TEST_DIR / "harness" / "config.ini")
HTDOCS_SRC = TEST_DIR / "htdocs"

START_TIMEOUT = 30.0
STOP_TIMEOUT = 20.0

def _apxs_query(apxs: str, key: str) -> str:
    try:
        out = subprocess.run(
            [apxs, "-q", key], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return out.stdout.strip()


def _usable(value: str | None) -> bool:
    return bool(value) and "@" not in value  # "@HTTPD@" = not substituted


def readable_by_others(path: Path) -> bool:
    """True when every ancestor is o+x and path itself is o+r (and o+x for
    a directory), i.e. the server's unprivileged User can read it."""
    path = path.resolve()
    try:
        for parent in reversed(path.parents):
            if not parent.stat().st_mode & stat.S_IXOTH:
                return False
        mode = path.stat().st_mode
    except OSError:
        return False
    need = stat.S_IROTH | (stat.S_IXOTH if stat.S_ISDIR(mode) else 0)
    return mode & need == need


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TestEnv:
    """Paths and settings shared by every server of a test session."""

    __test__ = False  # not a pytest class

    def __init__(self) -> None:
        values: dict[str, str] = {}
        if CONFIG_INI.exists():
            cp = configparser.ConfigParser(interpolation=None)
            cp.read(CONFIG_INI)
            if cp.has_section("global"):
                values = {k: v for k, v in cp.items("global") if _usable(v)}
        self.config_ini = CONFIG_INI if CONFIG_INI.exists() else None

        self.apxs = values.get("apxs") or shutil.which("apxs") or \
            shutil.which("apxs2") or "apxs"
        httpd = values.get("httpd")
        if not httpd:
            sbindir = _apxs_query(self.apxs, "SBINDIR") or "/usr/sbin"
            target = _apxs_query(self.apxs, "TARGET") or "apache2"
            httpd = os.path.join(sbindir, target)
        self.httpd = httpd
        self.libexecdir = values.get("libexecdir") or \
            _apxs_query(self.apxs, "LIBEXECDIR") or "/usr/lib/apache2/modules"
        self.sysconfdir = values.get("sysconfdir") or \
            _apxs_query(self.apxs, "SYSCONFDIR") or "/etc/apache2"
        self.python = values.get("python") or "/usr/bin/python3"
        self.srcdir = Path(values.get("srcdir") or SRC_DIR)
        self.pkgdir = Path(values.get("pkgdir") or self.srcdir / "lib" / "python")
        self.module_so = Path(
            values.get("module_so") or self.srcdir / "src" / ".libs" / "mod_python.so"
        )
        self.mpm = os.environ.get("MP_TEST_MPM") or values.get("mpm") or "event"
        self.is_root = os.geteuid() == 0
        self.user = "www-data" if self.is_root else None
        self.group = "www-data" if self.is_root else None
        self.keep_roots = bool(os.environ.get("MP_TEST_KEEP"))
        # MP_TEST_GIL=own: every sub-interpreter of the test servers gets a
        # GIL of its own (PythonInterpreterGIL own *, Python 3.12+).
        self.gil = os.environ.get("MP_TEST_GIL") or "shared"
        if self.gil not in ("own", "shared"):
            raise ValueError(f"MP_TEST_GIL must be own or shared, not {self.gil!r}")

    def module_path(self, name: str) -> str:
        return os.path.join(self.libexecdir, f"mod_{name}.so")

    def have_mod_python(self) -> bool:
        return self.module_so.is_file()

    def httpd_env(self) -> dict[str, str]:
        """Environment for httpd: no PYTHON*/pyenv variables from the test
        runner leak into the embedded interpreter."""
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("PYTHON", "PYENV", "VIRTUAL_ENV", "CONDA"))
        }
        env["LANG"] = env.get("LANG", "C.UTF-8")
        preload = os.environ.get("MP_TEST_HTTPD_PRELOAD")
        if preload:
            env["LD_PRELOAD"] = preload
        return env

    def describe(self) -> str:
        return (
            f"httpd={self.httpd} mpm={self.mpm} gil={self.gil} "
            f"module_so={self.module_so} "
            f"pkgdir={self.pkgdir} config.ini={self.config_ini or 'absent'}"
        )


class HttpdServer:
    """One private httpd with its own server root.

    Typical use from a module-scoped fixture::

        srv = HttpdServer(env, "test_010_basic")
        srv.conf.directory("{htdocs}/basic", "SetHandler mod_python", ...)
        srv.start()
        ...
        srv.stop()
        srv.cleanup()
    """

    running: ClassVar[set[HttpdServer]] = set()

    def __init__(self, env: TestEnv, name: str = "mp", *,
                 with_python: bool = True, allow: tuple[str, ...] = ()) -> None:
        self.env = env
        self.name = name
        self.root = Path(tempfile.mkdtemp(prefix=f"mp-{name}-"))
        os.chmod(self.root, 0o755)  # mkdtemp gives 0700
        for sub in ("conf", "logs", "run"):
            (self.root / sub).mkdir(mode=0o755)
        self.tmp = self.root / "tmp"
        self.tmp.mkdir()
        os.chmod(self.tmp, 0o1777)
        self.htdocs = self.root / "htdocs"
        # Always a private copy: tests rewrite handler files (reload) and the
        # repo may not be readable by the server's User.
        shutil.copytree(HTDOCS_SRC, self.htdocs,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        self._make_readable(self.htdocs)
        (self.htdocs / "__alive.txt").write_text("alive\n")
        os.chmod(self.htdocs / "__alive.txt", 0o644)

        self.pkgdir = env.pkgdir
        if with_python and env.user and not (
                readable_by_others(env.pkgdir)
                and readable_by_others(env.pkgdir / "mod_python" / "apache.py")):
            self.pkgdir = self.root / "python"
            shutil.copytree(
                env.pkgdir, self.pkgdir,
                ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
            )
            self._make_readable(self.pkgdir)

        self.port = free_port()
        self.extra_ports: list[int] = []    # more Listen ports (see extra_port)
        self.conf = HttpdConf(
            root=self.root, port=self.port, env=env, with_python=with_python,
            pkgdir=self.pkgdir,
        )
        self.conf_file = self.root / "conf" / "httpd.conf"
        self.log = ErrorLog(self.root / "logs" / "error_log")
        self.allow = list(allow)    # log patterns allowed for the whole run
        self.checked_offset = 0     # error-log bytes already judged
        self.proc: subprocess.Popen[bytes] | None = None
        self.generation = 0

    # -- files ------------------------------------------------------------

    @staticmethod
    def _make_readable(top: Path) -> None:
        for dirpath, _dirnames, filenames in os.walk(top):
            os.chmod(dirpath, 0o755)
            for f in filenames:
                os.chmod(os.path.join(dirpath, f), 0o644)

    def write_file(self, rel: str, text: str, *, mtime_bump: float = 0.0) -> Path:
        """Write htdocs/<rel> readable by the server; optionally move its
        mtime forward so that an mtime-based reload sees a change."""
        path = self.htdocs / rel
        old = path.stat().st_mtime if path.exists() else time.time()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        os.chmod(path, 0o644)
        if mtime_bump:
            new = max(old, time.time()) + mtime_bump
            os.utime(path, (new, new))
        return path

    def fmt(self, text: str) -> str:
        return self.conf.fmt(text)

    def extra_port(self) -> int:
        """Reserve one more free port for the test's own `Listen` line
        (e.g. a <VirtualHost> with a PythonConnectionHandler)."""
        while True:
            port = free_port()
            if port != self.port and port not in self.extra_ports:
                self.extra_ports.append(port)
                return port

    # -- process control --------------------------------------------------

    def children(self) -> set[int]:
        """Pids of the live (not zombie) child processes of the server's
        parent, read from /proc."""
        out: set[int] = set()
        ppid = self.proc.pid if self.proc is not None else -1
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            try:
                with open(f"/proc/{d}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == ppid and fields[0] != "Z":
                out.add(int(d))
        return out

    def client(self, **kw: object) -> Client:
        return Client("127.0.0.1", self.port, **kw)  # type: ignore[arg-type]

    def configtest(self, conf_text: str | None = None) -> subprocess.CompletedProcess[str]:
        """Run `httpd -t` on the current config, or on conf_text written to
        a separate file.  Returns the completed process (no server needed)."""
        path = self.conf_file
        if conf_text is not None:
            path = self.root / "conf" / f"check-{time.monotonic_ns()}.conf"
            path.write_text(conf_text)
        else:
            self.conf.write(path)
        return subprocess.run(
            [self.env.httpd, "-t", "-f", str(path)],
            capture_output=True, text=True, timeout=60, env=self.env.httpd_env(),
            check=False,
        )

    def start(self) -> None:
        assert self.proc is None, "server already running"
        last_error = ""
        for _attempt in range(3):
            self.conf.write(self.conf_file)
            self.generation += 1
            stdout = self.root / "logs" / f"stdout.{self.generation}"
            with open(stdout, "wb") as out:
                self.proc = subprocess.Popen(
                    [self.env.httpd, "-f", str(self.conf_file), "-DFOREGROUND"],
                    stdout=out, stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL, env=self.env.httpd_env(),
                    start_new_session=True,
                )
            HttpdServer.running.add(self)
            ok, last_error = self._wait_ready()
            if ok:
                return
            self._terminate()
            if "could not bind" in last_error or "Address already in use" in last_error:
                self.port = free_port()  # lost the race for the port: retry
                self.conf.port = self.port
                continue
            break
        raise RuntimeError(
            f"httpd did not start ({self.env.describe()}, root {self.root}):\n"
            f"{last_error}"
        )

    def _wait_ready(self) -> tuple[bool, str]:
        deadline = time.monotonic() + START_TIMEOUT
        client = self.client(timeout=2.0)
        delay = 0.02
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                return False, self._startup_output(
                    f"httpd exited with status {self.proc.returncode}")
            try:
                r = client.get("/__alive.txt")
                if r.status == 200 and r.text == "alive\n":
                    return True, ""
            except OSError:
                pass
            time.sleep(delay)
            delay = min(delay * 2, 0.25)
        return False, self._startup_output(
            f"no answer on port {self.port} within {START_TIMEOUT}s")

    def _startup_output(self, why: str) -> str:
        stdout = self.root / "logs" / f"stdout.{self.generation}"
        text = stdout.read_text(errors="replace") if stdout.exists() else ""
        return (f"{why}\n--- httpd output ---\n{text}"
                f"--- error_log (tail) ---\n{self.log.tail(40)}")

    def stop(self) -> None:
        if self.proc is None:
            return
        try:
            subprocess.run(
                [self.env.httpd, "-f", str(self.conf_file), "-k", "stop"],
                capture_output=True, timeout=STOP_TIMEOUT, check=False,
                env=self.env.httpd_env(),
            )
        except subprocess.TimeoutExpired:
            pass
        try:
            self.proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self._terminate()
        self.proc = None
        HttpdServer.running.discard(self)

    def _terminate(self) -> None:
        """Stop the process group this object started (TERM, then KILL)."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
                try:
                    os.killpg(self.proc.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    self.proc.wait(timeout=wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        else:
            # parent gone; make sure no orphaned child keeps the port
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        self.proc = None
        HttpdServer.running.discard(self)

    def restart(self) -> None:
        """Stop and start again with the (possibly changed) config.  Chosen
        over `-k graceful` because it is bounded and behaves the same under
        every MPM."""
        self.stop()
        self.start()

    def cleanup(self, keep: bool = False) -> None:
        self.stop()
        if not (keep or self.env.keep_roots):
            shutil.rmtree(self.root, ignore_errors=True)

    def __repr__(self) -> str:
        return f"<HttpdServer {self.name} port={self.port} root={self.root}>"
