"""HTTP plumbing: a threaded HTTP/1.1 keep-alive server that hands requests to the sandbox.

The handler only moves bytes; every decision (auth, limits, faults, routing) lives in
:mod:`emag_sandbox.app`, so the server could be swapped without touching the emulation.
"""

from __future__ import annotations

import contextlib
import io
import json
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol

from emag_sandbox.arrival import StampedReader, enable_kernel_stamps


@dataclass
class Response:
    """What to send back; ``body=None`` means drop the connection without answering."""

    status: int
    body: bytes | None
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


class Dispatcher(Protocol):
    """What the server needs from the application."""

    def dispatch(self, method: str, path: str, headers: Any, raw: bytes,
                 client_ip: str, received_at: float | None = None) -> Response:
        """Turn one request into a response; ``received_at`` is its arrival, if known."""


def encode_json(obj: Any) -> bytes:
    r"""Encode like PHP's ``json_encode``: ASCII-only with ``\\u`` escapes and ``\\/``."""
    return json.dumps(obj).replace("/", "\\/").encode("ascii")


def envelope(results: Any, messages: list[str] | None = None, error: bool = False) -> bytes:
    """EMAG's response envelope."""
    return encode_json({"isError": error, "messages": messages or [], "results": results})


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: SandboxHTTPServer

    def version_string(self) -> str:
        """EMAG answers from behind nginx."""
        return "nginx"

    def setup(self) -> None:
        super().setup()
        # small answers written as headers + body would otherwise stall 40 ms on delayed ACK
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.track(self.connection, add=True)
        self._arrivals: StampedReader | None = None
        if enable_kernel_stamps(self.connection):
            self.rfile.close()
            self._arrivals = StampedReader(self.connection)
            self.rfile = io.BufferedReader(self._arrivals)

    def handle_one_request(self) -> None:
        """Note when the next request's first bytes arrive, then serve it."""
        if self._arrivals is not None:
            self._arrivals.expect_request()
        super().handle_one_request()

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, add=False)

    def _serve(self) -> None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        raw = self.rfile.read(length) if length > 0 else b""
        received_at = self._arrivals.request_received_at if self._arrivals else None
        resp = self.server.app.dispatch(self.command, self.path, self.headers, raw,
                                        self.client_address[0], received_at)
        if resp.body is None:
            self.close_connection = True
            return
        self.send_response(resp.status)
        self.send_header("Content-Type", resp.content_type)
        self.send_header("Content-Length", str(len(resp.body)))
        for name, value in resp.headers.items():
            self.send_header(name, value)
        if self.server.stopping.is_set():
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        try:
            self.wfile.write(resp.body)
        except OSError:
            self.close_connection = True

    do_POST = do_GET = do_PUT = do_DELETE = do_PATCH = _serve

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests make thousands of requests."""


class SandboxHTTPServer(ThreadingHTTPServer):
    """Thread-per-connection server that can cut live keep-alive connections on stop."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], app: Dispatcher) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)
        # set on the listening socket too, so a connection's first request, which may arrive
        # before its handler thread starts, is stamped as well (accepted sockets inherit it)
        enable_kernel_stamps(self.socket)
        self.app = app
        self.stopping = threading.Event()
        self._live: set[socket.socket] = set()
        self._live_lock = threading.Lock()

    def track(self, conn: socket.socket, add: bool) -> None:
        """Remember open connections so :meth:`close_all` can end them."""
        with self._live_lock:
            if add:
                self._live.add(conn)
            else:
                self._live.discard(conn)

    def close_all(self) -> None:
        """Shut down every open connection (idle keep-alive ones included)."""
        with self._live_lock:
            conns = list(self._live)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
