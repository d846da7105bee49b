"""The demo's Jira and GitHub: recorded answers (recordings/*.json, which `make recordings`
writes from the fakes in testing/) served over HTTP on 127.0.0.1 to the real clients."""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self
from urllib.parse import parse_qsl, urlencode, urlsplit

# Stands for the server's own address in recorded bodies and headers: the clients follow
# the links they are given (Link: rel="next", `self`), and only to the address they asked.
ORIGIN = "{origin}"


@dataclass(frozen=True)
class Request:
    """What picks a recording: the method, the path, the query in any order, the JSON body."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...]  # sorted
    body: str | None  # the body's JSON with sorted keys, when there is a body

    @classmethod
    def of(cls, method: str, target: str, body: bytes) -> Request:
        url = urlsplit(target)
        query = tuple(sorted(parse_qsl(url.query, keep_blank_values=True)))
        return cls(method, url.path, query, _canonical(body) if body else None)

    def fields(self) -> dict[str, Any]:
        """As the recordings file and a 404 name it."""
        query: dict[str, list[str]] = {}
        for name, value in self.query:
            query.setdefault(name, []).append(value)
        body = None if self.body is None else json.loads(self.body)
        return {"method": self.method, "path": self.path, "query": query, "body": body}


@dataclass(frozen=True)
class Answer:
    status: int
    headers: Mapping[str, str]  # the ones the clients read: Content-Type, Link
    body: Any  # JSON


def load(path: Path) -> dict[Request, Answer]:
    recordings = {}
    for entry in json.loads(path.read_text(encoding="utf-8")):
        asked = entry["request"]
        target = asked["path"] + "?" + urlencode(asked["query"], doseq=True)
        body = b"" if asked["body"] is None else json.dumps(asked["body"]).encode()
        recordings[Request.of(asked["method"], target, body)] = Answer(**entry["answer"])
    return recordings


class ReplayServer:
    """Answers each request with its recording, on a free port; a request without one gets
    a 404 that names it and is kept in `misses`."""

    def __init__(self, recordings: Mapping[Request, Answer]) -> None:
        self.recordings = dict(recordings)
        self.url = ""  # set by start()
        self.served: list[Request] = []
        self.misses: list[Request] = []
        self._lock = threading.Lock()
        self._server: _Server | None = None

    def __enter__(self) -> Self:
        self._server = _Server(self)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        # A short poll interval keeps the exit fast; the default adds 0.5 s per server.
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        ).start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    def answer(
        self, request: Request, handler: BaseHTTPRequestHandler, body: bytes
    ) -> Answer | None:
        """The recorded answer, or None; a recorder asks the real server here instead."""
        return self.recordings.get(request)

    def _reply(self, handler: BaseHTTPRequestHandler) -> None:
        body = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
        request = Request.of(handler.command, handler.path, body)
        answer = self.answer(request, handler, body)
        with self._lock:
            (self.misses if answer is None else self.served).append(request)
        if answer is None:
            missing = {"message": "no recording of this request", "request": request.fields()}
            answer = Answer(404, {"Content-Type": "application/json"}, missing)
        data = json.dumps(answer.body).replace(ORIGIN, self.url).encode()
        handler.send_response(answer.status)
        for name, value in answer.headers.items():
            handler.send_header(name, value.replace(ORIGIN, self.url))
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)


def _canonical(body: bytes) -> str:
    try:
        return json.dumps(json.loads(body), sort_keys=True)
    except ValueError:  # not JSON: kept as text, which no recording matches
        return json.dumps(body.decode("latin-1"))


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, replay: ReplayServer) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.replay = replay

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client hanging up mid-answer is not worth a traceback on the demo's stderr


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"  # one request a connection: no keep-alive outlives the exit
    server: _Server

    def do_GET(self) -> None:
        self.server.replay._reply(self)

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the demo owns stderr
