"""PythonConnectionHandler on its own Listen port in a <VirtualHost>: a
line protocol spoken over a raw socket (conn.read, conn.readline,
conn.write, the connection's attributes); HTTP on the main port is not
affected."""

import json
import socket

import pytest


@pytest.fixture(scope="module")
def server(httpd):
    port = httpd.extra_port()
    c = httpd.conf
    c.add(f"Listen 127.0.0.1:{port}")
    c.add(*c.block("VirtualHost", f"127.0.0.1:{port}",
                   "ServerName conn.test",
                   "PythonPath \"sys.path + ['{htdocs}/conn']\"",
                   "PythonConnectionHandler conn_lines"))
    httpd.start()
    httpd.conn_port = port
    return httpd


class Lines:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.file = self.sock.makefile("rb")

    def send(self, data):
        self.sock.sendall(data)

    def ask(self, line):
        self.send(line + b"\n")
        return self.file.readline()

    def close(self):
        self.file.close()
        self.sock.close()


@pytest.fixture
def lines(server):
    c = Lines(server.conn_port)
    yield c
    c.close()


def test_echo(lines):
    assert lines.ask(b"ECHO hello") == b"ECHO hello\n"
    assert lines.ask(b"ECHO again, same connection") == b"ECHO again, same connection\n"


def test_read_exact_length(lines):
    lines.send(b"READ 10\n0123")
    lines.send(b"456789")
    assert lines.file.readline() == b"GOT 0123456789\n"


def test_read_without_length_returns_what_arrived(lines):
    lines.send(b"SOME\n")
    lines.send(b"xyz")
    assert lines.file.readline() == b"SOME xyz\n"


def test_readline_with_limit(lines):
    lines.send(b"LIMIT 5\nabcdefgh\n")
    assert lines.file.readline() == b"LINE b'abcde'\n"
    # the rest of the line was not lost: it is read as the next command
    assert lines.file.readline() == b"ERR unknown command\n"


def test_write_str(lines):
    assert lines.ask(b"WRITE_STR") == b"str written\n"


def test_attributes(server, lines):
    d = json.loads(lines.ask(b"ATTRS"))
    local = list(lines.sock.getsockname())
    assert d["type"] == "mp_conn"
    assert d["interpreter"] == "conn.test"
    assert d["server_hostname"] == "conn.test"
    assert d["local_addr"] == ["127.0.0.1", server.conn_port]
    assert d["client_addr"] == local
    assert d["client_ip"] == "127.0.0.1"
    assert d["local_ip"] == "127.0.0.1"
    assert d["remote_host"] is None          # HostnameLookups Off
    assert d["aborted"] in (0, False)
    assert isinstance(d["id"], int)
    assert d["keepalives"] == 0
    assert d["notes_is_table"] is True
    assert d["notes_seen"] == "yes"
    assert d["hlist_handler"] == "conn_lines"


def test_quit_closes_connection(lines):
    assert lines.ask(b"QUIT") == b"BYE\n"
    assert lines.file.read() == b""


def test_exception_is_logged_and_closes(lines, expect_log):
    expect_log(r"MP0100: PythonConnectionHandler conn_lines.*ValueError: conn boom")
    lines.send(b"RAISE\n")
    assert lines.file.read() == b""


def test_client_close_ends_handler(server):
    c = Lines(server.conn_port)
    assert c.ask(b"ECHO x") == b"ECHO x\n"
    c.close()       # readline() sees the end of input; the handler returns
    # the server still serves both protocols
    c2 = Lines(server.conn_port)
    try:
        assert c2.ask(b"ECHO still there") == b"ECHO still there\n"
    finally:
        c2.close()


def test_http_port_unaffected(server):
    r = server.client().get("/__alive.txt")
    assert (r.status, r.text) == (200, "alive\n")
