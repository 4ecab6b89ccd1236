"""An HTTP proxy that injects faults between openbook and a real test server.
Standard library only; runs in a thread of the test process on 127.0.0.1.

    proxy = FaultProxy("http://127.0.0.1:PORT").start()
    proxy.add("5xx", times=2)                               # the next two requests get 503
    proxy.add("drop", match=r"PUT .*/data/spend\\.csv")      # connection closed, nothing forwarded
    proxy.add("drop_after", match="resource_create")        # forwarded, then the answer is lost
    proxy.add("slow", delay=3, times=1)                     # forwarded, answered after 3 s
    proxy.add("5xx", body=rb'filename="roles-senior.csv"')  # every upload of that file fails
    ... publish to proxy.url ...
    proxy.injected                                          # Counter of faults by kind
    proxy.stop()

A rule matches "METHOD /path?query" (a regex) and, optionally, a regex over
the request body; ``times=None`` means every matching request.
"""
from __future__ import annotations

import http.client
import re
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Optional
from urllib.parse import urlsplit

HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
              "transfer-encoding", "upgrade", "content-length"}
KINDS = {"drop", "drop_after", "5xx", "slow"}


@dataclass
class Rule:
    kind: str
    match: Optional[re.Pattern]
    body: Optional[re.Pattern]
    times: Optional[int]
    delay: float
    status: int

    def wants(self, line: str, body: bytes) -> bool:
        if self.times is not None and self.times <= 0:
            return False
        if self.match is not None and not self.match.search(line):
            return False
        if self.body is not None and not self.body.search(body[:1024 * 1024]):
            return False
        return True


class FaultProxy:
    def __init__(self, upstream: str):
        parts = urlsplit(upstream)
        self.upstream_host, self.upstream_port = parts.hostname, parts.port or 80
        self.rules: list[Rule] = []
        self.injected: Counter = Counter()
        self.requests: list[str] = []
        self.inflight = 0
        self.lock = threading.Lock()
        self.server: Optional[ThreadingHTTPServer] = None
        self.thread: Optional[threading.Thread] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def add(self, kind: str, match: Optional[str] = None, body: Optional[bytes] = None, times: Optional[int] = None,
            delay: float = 0.0, status: int = 503) -> Rule:
        assert kind in KINDS, kind
        rule = Rule(kind, re.compile(match) if match else None, re.compile(body) if body else None, times, delay, status)
        with self.lock:
            self.rules.append(rule)
        return rule

    def clear(self) -> None:
        with self.lock:
            self.rules.clear()

    def _take(self, line: str, body: bytes) -> Optional[Rule]:
        with self.lock:
            self.requests.append(line)
            for rule in self.rules:
                if rule.wants(line, body):
                    if rule.times is not None:
                        rule.times -= 1
                    self.injected[rule.kind] += 1
                    return rule
        return None

    def start(self) -> "FaultProxy":
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _body(self) -> bytes:
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    out = b""
                    while True:
                        size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                        if size == 0:
                            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                                pass
                            return out
                        out += self.rfile.read(size)
                        self.rfile.readline()
                length = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(length) if length else b""

            def _drop(self) -> None:
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

            def _forward(self, body: bytes):
                conn = http.client.HTTPConnection(proxy.upstream_host, proxy.upstream_port, timeout=120)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                if body or self.command in ("POST", "PUT"):
                    headers["Content-Length"] = str(len(body))
                conn.request(self.command, self.path, body=body or None, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                conn.close()
                return resp, data

            def relay(self):
                with proxy.lock:
                    proxy.inflight += 1
                try:
                    self._relay()
                finally:
                    with proxy.lock:
                        proxy.inflight -= 1

            def _relay(self):
                body = self._body()
                line = f"{self.command} {self.path}"
                rule = proxy._take(line, body)
                kind = rule.kind if rule else None
                if kind == "drop":
                    return self._drop()
                if kind == "5xx":
                    payload = (b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>ServiceUnavailable</Code>'
                               b'<Message>injected fault</Message></Error>')
                    self.send_response(rule.status)
                    self.send_header("Content-Type", "application/xml")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    if self.command != "HEAD":
                        self.wfile.write(payload)
                    return
                if kind == "slow":
                    time.sleep(rule.delay)
                try:
                    resp, data = self._forward(body)
                except OSError:
                    return self._drop()
                if kind == "drop_after":
                    return self._drop()
                try:
                    self.send_response(resp.status, resp.reason)
                    for k, v in resp.getheaders():
                        if k.lower() not in HOP_BY_HOP:
                            self.send_header(k, v)
                    if self.command == "HEAD":
                        self.send_header("Content-Length", resp.getheader("Content-Length") or "0")
                    else:
                        self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    if self.command != "HEAD":
                        self.wfile.write(data)
                except OSError:  # the client gave up (a slow answer past its timeout)
                    self.close_connection = True

            do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = do_PATCH = relay

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        return self

    def wait_idle(self, timeout: float = 30) -> None:
        """Wait until no request is being relayed: a late, slow request the
        client gave up on has reached the server and been answered."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if self.inflight == 0:
                    return
            time.sleep(0.05)
        raise TimeoutError("requests still in flight through the fault proxy")

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None
