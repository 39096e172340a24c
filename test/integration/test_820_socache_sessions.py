"""SocacheSession over Apache's socache providers, with real stores.

Two mod_python servers (A and B) behind a third one running
mod_proxy_balancer, all three started here; a real memcached and a real
redis-server on loopback ports of their own.  A session written through one
backend server is read through the other under both stores; shmcb keeps
sessions for the children of one server.  When the store goes away, a
request that needs the session gets 503 and one MP0823 line; when the store
comes back, service resumes by itself and the last acknowledged session
content is still there.

How the store "goes away": redis-server is stopped and started again on the
same port (append-only file, fsync on every write, so what it acknowledged
survives); memcached keeps its items only in memory, so it is cut off
instead, by a TCP relay in this process between Apache and memcached that
stops listening and drops its connections (a network outage), then listens
again.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import HttpdServer
from harness.env import free_port

MEMCACHED = shutil.which("memcached")
REDIS = shutil.which("redis-server")
SECRET = "t3st-s0cache-secret"
RECOVERY_TIMEOUT = 40.0



# ---------------------------------------------------------------------------
# the stores
# ---------------------------------------------------------------------------


def _wait_port(port: int, proc: subprocess.Popen[bytes], probe: bytes,
               answer: bytes, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"store on port {port} exited: {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), 1) as s:
                s.sendall(probe)
                if answer in s.recv(256):
                    return
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"store on port {port} not ready in {timeout}s")


class Store:
    """One memcached or redis-server process owned by the test."""

    def __init__(self, kind: str, workdir: Path) -> None:
        self.kind = kind
        self.workdir = workdir
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def argv(self) -> list[str]:
        if self.kind == "memcached":
            argv = [MEMCACHED or "memcached", "-l", "127.0.0.1",
                    "-p", str(self.port), "-U", "0", "-m", "16"]
            return argv + (["-u", "root"] if os.geteuid() == 0 else [])
        return [REDIS or "redis-server", "--bind", "127.0.0.1",
                "--port", str(self.port), "--dir", str(self.workdir),
                "--save", "", "--appendonly", "yes",
                "--appendfsync", "always", "--daemonize", "no",
                "--logfile", str(self.workdir / "redis.log")]

    def start(self) -> None:
        log = open(self.workdir / f"{self.kind}.out", "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(self.argv(), stdout=log,
                                     stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        log.close()
        if self.kind == "memcached":
            _wait_port(self.port, self.proc, b"version\r\n", b"VERSION")
        else:
            _wait_port(self.port, self.proc, b"PING\r\n", b"+PONG")

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=15)
        self.proc = None


class Relay:
    """A TCP relay 127.0.0.1:port -> 127.0.0.1:target that can be cut off
    (no listener, connections reset) and restored on the same port."""

    def __init__(self, target: int) -> None:
        self.target = target
        self.port = free_port()
        self.listener: socket.socket | None = None
        self.conns: list[socket.socket] = []
        self.lock = threading.Lock()

    def up(self) -> None:
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind(("127.0.0.1", self.port))
        ls.listen(64)
        self.listener = ls
        threading.Thread(target=self._accept, args=(ls,), daemon=True).start()

    def down(self) -> None:
        ls, self.listener = self.listener, None
        if ls is not None:
            try:        # wakes the thread blocked in accept()
                ls.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            ls.close()
        with self.lock:
            conns, self.conns = self.conns, []
        for c in conns:
            try:
                c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                             b"\x01\x00\x00\x00\x00\x00\x00\x00")
                c.close()
            except OSError:
                pass

    def _accept(self, ls: socket.socket) -> None:
        while True:
            try:
                client, _ = ls.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target))
            except OSError:
                client.close()
                continue
            with self.lock:
                self.conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b),
                                 daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


@pytest.fixture(scope="module")
def stores() -> Iterator[dict[str, object]]:
    if not (MEMCACHED and REDIS):
        why = ("memcached and redis-server are needed "
               "(build-aux/install-test-deps --servers installs them)")
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)
    workdir = Path(tempfile.mkdtemp(prefix="mp-test_820-stores-"))
    mc = Store("memcached", workdir)
    rd = Store("redis", workdir)
    relay = Relay(mc.port)
    try:
        mc.start()
        rd.start()
        relay.up()
        yield {"mc": mc, "rd": rd, "relay": relay}
    finally:
        relay.down()
        mc.stop()
        rd.stop()
        shutil.rmtree(workdir, ignore_errors=True)


# ---------------------------------------------------------------------------
# the servers
# ---------------------------------------------------------------------------


def _backend_conf(srv: HttpdServer, label: str, mc_port: int,
                  rd_port: int) -> None:
    c = srv.conf
    for name in ("socache_shmcb", "socache_memcache", "socache_redis"):
        c.load_module(name)
    # A gives shmcb a size, B takes the default
    shm = "shmcb:(1048576)" if label == "A" else "shmcb"
    c.add(f"PythonSessionCache shm {shm}",
          f"PythonSessionCache mc memcache:127.0.0.1:{mc_port}",
          f"PythonSessionCache rd redis:127.0.0.1:{rd_port}")
    if srv.env.mpm == "prefork":
        c.add("StartServers 3", "MinSpareServers 3", "MaxSpareServers 6")
    files = []
    for cache in ("shm", "mc", "rd"):
        files.append(c.block("Files", f'"{cache}"',
                             f"PythonOption mod_python.session.socache {cache}"))
    for name, cache in (("nosecret", "mc"), ("shm_nosecret", "shm")):
        files.append(c.block(
            "Files", f'"{name}"',
            f"PythonOption mod_python.session.socache {cache}",
            "PythonOption mod_python.session.socache_secret"))
    c.directory("{htdocs}/socache", "SetHandler mod_python",
                "PythonHandler socache_h",
                "PythonOption mod_python.session.session_type SocacheSession",
                f"PythonOption mod_python.session.socache_secret {SECRET}",
                f"PythonOption test.label {label}", *files)


class _Servers:
    def __init__(self, a: HttpdServer, b: HttpdServer,
                 front: HttpdServer) -> None:
        self.a, self.b, self.front = a, b, front


@pytest.fixture(scope="module")
def servers(httpd: HttpdServer, env, stores) -> Iterator[_Servers]:
    mc_port = stores["relay"].port   # memcached through the relay
    rd_port = stores["rd"].port
    _backend_conf(httpd, "A", mc_port, rd_port)
    httpd.start()
    b = HttpdServer(env, "test_820_b")
    _backend_conf(b, "B", mc_port, rd_port)
    front = HttpdServer(env, "test_820_front", with_python=False)
    extra = []
    try:
        b.start()
        for name in ("proxy", "proxy_http", "proxy_balancer", "slotmem_shm",
                     "lbmethod_byrequests"):
            front.conf.load_module(name)
        front.conf.add(
            *front.conf.block(
                "Proxy", "balancer://pool",
                f"BalancerMember http://127.0.0.1:{httpd.port} route=A",
                f"BalancerMember http://127.0.0.1:{b.port} route=B",
                "ProxySet lbmethod=byrequests"),
            "ProxyPass /socache/ balancer://pool/socache/")
        front.start()
        extra = [b, front]
        yield _Servers(httpd, b, front)
    finally:
        problems = []
        for srv in (front, b):
            srv.stop()
            problems += srv.log.problems(srv.checked_offset, srv.allow)
            srv.cleanup(keep=bool(problems))
        assert not problems, "\n".join(map(str, problems))
        del extra


def _get(srv: HttpdServer, path: str, sid: str | None = None):
    headers = {"Cookie": f"pysid={sid}"} if sid else None
    return srv.client().get(path, headers=headers)


def _ok(srv: HttpdServer, path: str, sid: str | None = None) -> dict:
    r = _get(srv, path, sid)
    assert r.status == 200, r
    return r.json()


# ---------------------------------------------------------------------------
# tests
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("cache", ["mc", "rd"])
def test_written_through_one_server_read_through_the_other(servers, cache):
    a, b = servers.a, servers.b
    d = _ok(a, f"/socache/{cache}?op=put&k=colour&v=blue")
    assert d["new"] and d["label"] == "A" and d["data"] == {"colour": "blue"}
    sid = d["sid"]
    e = _ok(b, f"/socache/{cache}?op=get", sid)
    assert e["label"] == "B" and not e["new"] and e["sid"] == sid
    assert e["data"] == {"colour": "blue"}
    _ok(b, f"/socache/{cache}?op=put&k=size&v=L", sid)
    f = _ok(a, f"/socache/{cache}?op=get", sid)
    assert f["data"] == {"colour": "blue", "size": "L"}


@pytest.mark.parametrize("cache", ["mc", "rd"])
def test_through_the_balancer(servers, cache):
    front = servers.front
    d = _ok(front, f"/socache/{cache}?op=put&k=n&v=0")
    sid = d["sid"]
    labels = {d["label"]}
    for n in range(1, 7):
        e = _ok(front, f"/socache/{cache}?op=put&k=n&v={n}", sid)
        assert e["sid"] == sid and not e["new"]
        labels.add(e["label"])
        # the next request (on the other server, round robin) sees it
        g = _ok(front, f"/socache/{cache}?op=get", sid)
        labels.add(g["label"])
        assert g["data"] == {"n": str(n)}
    assert labels == {"A", "B"}


def test_shmcb_across_the_children_of_one_server(servers):
    a, b = servers.a, servers.b
    # three keep-alive connections open at once: under prefork each one
    # holds its own child, so writes and reads alternate between children
    with a.client().session() as k1, a.client().session() as k2, \
            a.client().session() as k3:
        conns = [k1, k2, k3]
        pids = {k.get("/socache/shm?op=get").json()["pid"] for k in conns}
        r = k1.get("/socache/shm?op=put&k=x&v=1")
        sid = r.json()["sid"]
        cookie = {"Cookie": f"pysid={sid}"}
        for n in range(2, 8):
            writer, reader = conns[n % 3], conns[(n + 1) % 3]
            e = writer.get(f"/socache/shm?op=put&k=x&v={n}",
                           headers=cookie).json()
            assert e["sid"] == sid and not e["new"], e
            g = reader.get("/socache/shm?op=get", headers=cookie).json()
            assert g["sid"] == sid and g["data"] == {"x": str(n)}, g
    if a.env.mpm == "prefork":
        assert len(pids) == 3, pids
    # B has its own shared memory: the id means nothing there
    g = _ok(b, "/socache/shm?op=get", sid)
    assert g["new"] and g["sid"] != sid


@pytest.mark.parametrize("cache", ["shm", "mc", "rd"])
def test_invalidate_removes_the_record(servers, cache):
    a, b = servers.a, servers.b
    sid = _ok(a, f"/socache/{cache}?op=put&k=k&v=v")["sid"]
    _ok(a, f"/socache/{cache}?op=del", sid)
    other = a if cache == "shm" else b
    e = _ok(other, f"/socache/{cache}?op=get", sid)
    assert e["new"] and e["sid"] != sid and e["data"] == {}


def test_a_record_under_another_secret_is_not_loaded(servers, expect_log):
    a = servers.a
    sid = _ok(a, "/socache/rd?op=put&k=k&v=v")["sid"]
    r = _get(a, "/socache/rd?op=get", sid)
    assert r.status == 200 and not r.json()["new"]
    # forge: a record stored by "someone else" at the same key, whose
    # payload would create a file if it were unpickled
    marker = a.tmp / "pwned"
    _forge_redis_record(servers, sid, marker)
    e = _ok(a, "/socache/rd?op=get", sid)
    assert e["new"] and e["sid"] != sid
    assert not marker.exists()
    expect_log(r"MP0824: session " + sid)


def _forge_redis_record(servers, sid: str, marker: Path) -> None:
    """Overwrite every redis key holding this session with a payload that
    would run code if unpickled."""
    port = _redis_port(servers)
    with socket.create_connection(("127.0.0.1", port), 5) as s:
        s.sendall(b"KEYS *\r\n")
        time.sleep(0.2)
        reply = s.recv(65536).decode("latin-1")
        # mod_socache_redis: "<consumer>:" + the key in hex
        wanted = "mod_python:" + f"mps:{sid}".encode().hex()
        keys = [k for k in reply.split("\r\n") if k == wanted]
        assert keys == [wanted], reply
        evil = (b"MPS1" + b"\0" * 32 + b"cos\nsystem\n(S'touch "
                + str(marker).encode() + b"'\ntR.")
        for key in keys:
            kb = key.encode("latin-1")
            cmd = (b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n"
                   % (len(kb), kb, len(evil), evil))
            s.sendall(cmd)
            time.sleep(0.1)
            assert b"+OK" in s.recv(256)


def _redis_port(servers) -> int:
    for line in servers.a.conf.server_lines:
        if line.startswith("PythonSessionCache rd redis:"):
            return int(line.rsplit(":", 1)[1])
    raise AssertionError("no redis cache in the config")


def _store_ttl(stores, cache: str, sid: str) -> int:
    """The time to live the store itself keeps for the session's record."""
    key = "mod_python:" + f"mps:{sid}".encode().hex()
    if cache == "rd":
        port, cmd = stores["rd"].port, f"TTL {key}\r\n"
    else:
        port, cmd = stores["mc"].port, f"mg {key} t\r\n"
    with socket.create_connection(("127.0.0.1", port), 5) as s:
        s.sendall(cmd.encode())
        reply = s.recv(256).decode()
    # redis ":<seconds>" (-2: no such key), memcached "HD t<seconds>" or
    # "EN" (no such key)
    if reply.startswith("EN"):
        return -2
    return int(reply.strip().lstrip(":").split("t")[-1])


@pytest.mark.parametrize("cache", ["mc", "rd"])
def test_the_store_expires_the_record(servers, stores, cache):
    a = servers.a
    sid = _ok(a, f"/socache/{cache}?op=put&k=k&v=v&timeout=300")["sid"]
    assert 290 <= _store_ttl(stores, cache, sid) <= 300
    sid = _ok(a, f"/socache/{cache}?op=put&k=k&v=v&timeout=2")["sid"]
    assert 1 <= _store_ttl(stores, cache, sid) <= 2
    time.sleep(3.1)
    assert _store_ttl(stores, cache, sid) < 0        # gone from the store
    assert _ok(servers.b, f"/socache/{cache}?op=get", sid)["new"]


def test_shared_store_without_secret_is_a_configuration_error(servers,
                                                              expect_log):
    r = _get(servers.a, "/socache/nosecret?op=get")
    assert r.status == 500
    expect_log(r"MP0825: session cache 'mc' \(memcache\) is shared")


def test_local_store_needs_no_secret(servers):
    a = servers.a
    sid = _ok(a, "/socache/shm_nosecret?op=put&k=k&v=v")["sid"]
    e = _ok(a, "/socache/shm_nosecret?op=get", sid)
    assert e["sid"] == sid and e["data"] == {"k": "v"}
    # sealed with another key than the one of /socache/shm: not readable there
    assert _ok(a, "/socache/shm?op=get", sid)["new"]


@pytest.mark.parametrize("lines, message", [
    (["PythonSessionCache x nosuch"],
     "unknown socache provider 'nosuch'"),
    (["PythonSessionCache shm shmcb"], "'shm' is declared twice"),
    (["PythonSessionCache bad/name shmcb"], "invalid name 'bad/name'"),
    (["PythonSessionCache y shmcb:(100)"], "size has to be >= 8192"),
    (["<VirtualHost *:1>", "PythonSessionCache v shmcb", "</VirtualHost>"],
     "cannot occur within <VirtualHost> section"),
])
def test_configuration_errors(servers, lines, message):
    text = servers.a.conf.text() + "\n".join(lines) + "\n"
    r = servers.a.configtest(text)
    assert r.returncode != 0
    assert message in r.stdout + r.stderr, r.stdout + r.stderr


def _mp0823_lines(srv: HttpdServer, since: int) -> list[str]:
    return [ln for ln in srv.log.read_from(since, srv.log.offset())
            if "MP0823" in ln]


def _wait_recovered(srv: HttpdServer, path: str, sid: str) -> dict:
    """Poll until the session reads back with 200 several times in a row
    (every child has noticed that the store is back)."""
    start = time.monotonic()
    deadline = start + RECOVERY_TIMEOUT
    streak, last = 0, None
    while time.monotonic() < deadline:
        r = _get(srv, path, sid)
        if r.status == 200:
            streak += 1
            last = r.json()
            if streak >= 6:
                print(f"\n{srv.name}: {path} recovered "
                      f"{time.monotonic() - start:.1f}s after the store")
                return last
        else:
            assert r.status == 503, r
            streak = 0
        time.sleep(0.25)
    raise AssertionError(f"no recovery within {RECOVERY_TIMEOUT}s: {last}")


@pytest.mark.parametrize("cache", ["mc", "rd"])
def test_store_down_gives_503_and_recovers(servers, stores, cache,
                                           expect_log):
    a, b = servers.a, servers.b
    d = _ok(a, f"/socache/{cache}?op=put&k=acked&v=1")
    sid = d["sid"]
    _ok(b, f"/socache/{cache}?op=put&k=acked&v=2", sid)   # acknowledged

    if cache == "mc":
        stores["relay"].down()
    else:
        stores["rd"].stop()
    try:
        for srv, op in ((a, "get"), (b, "put&k=acked&v=3"), (a, "put&k=x&v=y")):
            since = srv.log.offset()
            r = _get(srv, f"/socache/{cache}?op={op}", sid)
            assert r.status == 503, r
            assert "Set-Cookie" not in r.headers
            time.sleep(0.2)
            lines = _mp0823_lines(srv, since)
            assert len(lines) == 1, lines
            assert "Traceback" not in "\n".join(
                srv.log.read_from(since, srv.log.offset()))
        # a new visitor (no cookie) cannot save either
        r = _get(b, f"/socache/{cache}?op=put&k=n&v=1")
        assert r.status == 503
    finally:
        if cache == "mc":
            stores["relay"].up()
        else:
            stores["rd"].start()
    expect_log(rf"MP0823: session cache {cache} \(\w+\) \w+.*; answering 503")

    for srv in (a, b):
        e = _wait_recovered(srv, f"/socache/{cache}?op=get", sid)
        assert e["sid"] == sid and not e["new"]
        assert e["data"] == {"acked": "2"}     # the last acknowledged write
    _ok(a, f"/socache/{cache}?op=put&k=acked&v=4", sid)
    assert _ok(b, f"/socache/{cache}?op=get", sid)["data"] == {"acked": "4"}
