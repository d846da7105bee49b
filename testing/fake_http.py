"""What the fake Jira and the fake GitHub share: a loopback HTTP server in a daemon thread,
a record of every request, and faults to answer the next matching requests with."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import SplitResult, parse_qs, urlsplit


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str  # as received, e.g. "/rest/api/2/search/jql"
    query: dict[str, list[str]]  # parse_qs of the query string, blank values kept
    # time.monotonic() when it arrived: tests see whether two sources were pulled at once.
    at: float = field(default=0.0, compare=False)


@dataclass
class Fault:
    path_suffix: str
    status: int
    body: bytes
    headers: dict[str, str]
    content_type: str
    remaining: int
    exhausts_for: float | None = None  # GitHub's primary rate limit: seconds until the reset


class HttpError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], fake: LoopbackFake) -> None:
        super().__init__(address, _Handler)
        self.fake = fake

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client hanging up mid-response is not worth a traceback on stderr


class _Handler(BaseHTTPRequestHandler):
    # One request per connection: no idle keep-alive threads outlive stop(), and no
    # Nagle/delayed-ACK stalls; a loopback connect costs far less than any latency we simulate.
    protocol_version = "HTTP/1.0"
    server: _Server

    def do_GET(self) -> None:
        self.server.fake._handle(self)

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        pass  # tests and the demo own stderr


class LoopbackFake:
    """A fake service on 127.0.0.1: subclasses answer requests in `_handle`."""

    prefix = ""  # a path every URL of the service starts with, e.g. "/api/v3"

    def __init__(self, *, latency: float = 0.0, port: int = 0) -> None:
        self.latency = latency
        self.url = ""  # set by start(): the origin and the prefix
        self.origin = ""
        self.requests: list[RecordedRequest] = []
        self._port = port
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> Self:
        """Listen on 127.0.0.1 (any free port unless one was given) in a daemon thread."""
        if self._server is None:
            self._server = _Server(("127.0.0.1", self._port), self)
            self.origin = f"http://127.0.0.1:{self._server.server_address[1]}"
            self.url = self.origin + self.prefix
            # A short poll interval keeps stop() fast; the default would add 0.5 s per server.
            self._thread = threading.Thread(
                target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join()
        self._server = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def fail_next(
        self,
        path_suffix: str,
        status: int,
        *,
        body: str | bytes = "",
        headers: dict[str, str] | None = None,
        content_type: str = "application/json",
        times: int = 1,
    ) -> None:
        """Answer the next `times` requests whose path ends with path_suffix with this response."""
        data = body.encode() if isinstance(body, str) else body
        self._add_fault(Fault(path_suffix, status, data, dict(headers or {}), content_type, times))

    def count(self, path_suffix: str) -> int:
        """How many recorded requests' paths end with path_suffix."""
        with self._lock:
            return sum(1 for r in self.requests if r.path.endswith(path_suffix))

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        raise NotImplementedError

    def _add_fault(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def _receive(
        self, handler: BaseHTTPRequestHandler
    ) -> tuple[SplitResult, dict[str, list[str]], Fault | None]:
        """Read the request, record it, and take the fault that answers it, if any."""
        url = urlsplit(handler.path)
        query = parse_qs(url.query, keep_blank_values=True)
        length = int(handler.headers.get("Content-Length") or 0)
        if length:
            handler.rfile.read(length)  # unread, so the connection stays in step
        with self._lock:
            self.requests.append(
                RecordedRequest(handler.command, url.path, query, time.monotonic())
            )
            fault = self._take_fault(url.path)
        return url, query, fault

    def _take_fault(self, path: str) -> Fault | None:
        for fault in self._faults:
            if path.endswith(fault.path_suffix):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                return fault
        return None


def send(
    handler: BaseHTTPRequestHandler,
    status: int,
    body: bytes,
    content_type: str,
    headers: dict[str, str],
) -> None:
    """Write one HTTP response."""
    try:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(body)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the client gave up (a timeout in a test); nothing to answer
