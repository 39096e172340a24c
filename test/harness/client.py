"""A small HTTP client over http.client for the test servers.

    c = Client("127.0.0.1", port)
    r = c.get("/basic/x", host="a.test", auth=("alice", "secret"))
    r.status, r.headers["Content-Type"], r.text, r.json()

Client.get() opens a new connection per request.  Client.session() returns a
KeepAlive object: all its requests use one persistent connection and hence
reach the same httpd child process (useful for state kept in a module
global, and for reload tests).
"""

from __future__ import annotations

import base64
import http.client
import json
from dataclasses import dataclass
from email.message import Message
from typing import Any, Self


@dataclass
class Response:
    status: int
    reason: str
    headers: Message
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return json.loads(self.body)

    def __repr__(self) -> str:
        return f"<Response {self.status} {self.reason} {self.body[:200]!r}>"


def _headers(host: str | None, headers: dict[str, str] | None,
             auth: tuple[str, str] | None) -> dict[str, str]:
    out = dict(headers or {})
    if host is not None:
        out["Host"] = host
    if auth is not None:
        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        out["Authorization"] = f"Basic {token}"
    return out


class Client:
    def __init__(self, host: str, port: int, timeout: float = 30.0) -> None:
        self.host = host
        self.port = port
        self.timeout = timeout

    def request(self, method: str, path: str, *, body: bytes | None = None,
                host: str | None = None, headers: dict[str, str] | None = None,
                auth: tuple[str, str] | None = None) -> Response:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            hdrs = _headers(host, headers, auth)
            hdrs.setdefault("Connection", "close")
            conn.request(method, path, body=body, headers=hdrs)
            resp = conn.getresponse()
            return Response(resp.status, resp.reason, resp.msg, resp.read())
        finally:
            conn.close()

    def get(self, path: str, **kw: Any) -> Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, body: bytes, **kw: Any) -> Response:
        return self.request("POST", path, body=body, **kw)

    def session(self) -> KeepAlive:
        return KeepAlive(self.host, self.port, self.timeout)


class KeepAlive:
    """Requests over one persistent connection (one httpd child)."""

    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.conn = http.client.HTTPConnection(host, port, timeout=timeout)
        self.server_closed = False

    def request(self, method: str, path: str, *, body: bytes | None = None,
                host: str | None = None, headers: dict[str, str] | None = None,
                auth: tuple[str, str] | None = None) -> Response:
        if self.server_closed:
            raise AssertionError(
                "the server closed this keep-alive connection; a new one "
                "could reach another child")
        self.conn.request(method, path, body=body, headers=_headers(host, headers, auth))
        resp = self.conn.getresponse()
        body_bytes = resp.read()
        self.server_closed = bool(resp.will_close)
        return Response(resp.status, resp.reason, resp.msg, body_bytes)

    def get(self, path: str, **kw: Any) -> Response:
        return self.request("GET", path, **kw)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
