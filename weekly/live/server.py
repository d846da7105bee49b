"""The live preview's web server: loopback only, one secret per run, nothing but this week.

Every request must carry the run's secret as the first part of its path, and a Host header
naming this very server (a DNS-rebinding page names its own host); a write must also come
from this server's own origin and as JSON. There is no way to send mail, to run a pull or to
read a file other than this week's page and PDF. Bad input gets the draft's own messages.
"""

from __future__ import annotations

import json
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from weekly.draft.browser_edit import Edit, StaleEdit
from weekly.errors import WeeklyError
from weekly.live.session import LiveDraft
from weekly.render.html import render_bundled_text

KEEPALIVE_SECONDS = 15  # an idle event stream says so, so proxies and browsers keep it open
_MAX_BODY = 64 * 1024
_HEADERS = {
    "Cache-Control": "no-store",
    # The secret is in every URL: a link clicked on the page must not hand it on.
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "SAMEORIGIN",
}


class LiveServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, live: LiveDraft, port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.live = live
        self.secret = secrets.token_urlsafe(18)
        self.hosts = {f"127.0.0.1:{self.port}", f"localhost:{self.port}"}
        self.origins = {f"http://{host}" for host in self.hosts}
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/{self.secret}/"

    def start(self) -> None:
        """Serve in a thread (tests and the benchmark); `serve_forever` blocks instead."""
        self.live.start()
        self._thread = threading.Thread(target=self.serve_forever, daemon=True, name="live")
        self._thread.start()

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        self.live.stop()

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a browser closing its event stream is not worth a traceback


class _Handler(BaseHTTPRequestHandler):
    server: LiveServer
    protocol_version = "HTTP/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the URLs hold the secret: never written to the terminal

    def do_GET(self) -> None:
        page = self._page()
        if page is None:
            return
        live = self.server.live
        if page == "":
            html = render_bundled_text("live.html.j2", team=live.config.report.team)
            self._send(200, "text/html; charset=utf-8", html.encode("utf-8"))
        elif page == "page.html":
            self._send(200, "text/html; charset=utf-8", _framed(live.shown.html).encode("utf-8"))
        elif page == "page.pdf":
            pdf = live.pdf
            if pdf is None:
                self._json(404, {"error": "the PDF is still being laid out; try again"})
            else:
                self._send(200, "application/pdf", pdf.read_bytes())
        elif page == "state":
            shown = live.shown
            self._json(200, {**shown.state, "generation": shown.generation})
        elif page == "events":
            self._events()
        else:
            self._json(404, {"error": "not found"})

    def do_POST(self) -> None:
        page = self._page()
        if page is None:
            return
        origin = self.headers.get("Origin", "")
        if origin not in self.server.origins or self.headers.get("Sec-Fetch-Site") not in (
            None,
            "same-origin",
        ):
            self._json(403, {"error": "edits come from this preview's own page only"})
            return
        if page != "edit" or not self.headers.get("Content-Type", "").startswith(
            "application/json"
        ):
            self._json(404, {"error": "not found"})
            return
        try:
            length = int(self.headers.get("Content-Length", "0"))
            if not 0 < length <= _MAX_BODY:
                raise ValueError(length)
            body = json.loads(self.rfile.read(length))
            edit = Edit(
                str(body["where"]),
                str(body.get("key", "")),
                str(body.get("field", "")),
                body.get("value"),
            )
            read_version = str(body["version"])
        except (ValueError, KeyError, TypeError):
            self._json(400, {"error": "not an edit this page sends"})
            return
        try:
            new_version = self.server.live.edit(edit, read_version)
        except StaleEdit:
            self._json(
                409,
                {
                    "error": "draft.yaml changed in your editor since this page read it; "
                    "your edit was not written. The page now shows the file: make it again."
                },
            )
        except WeeklyError as exc:
            self._json(400, {"error": exc.message})
        else:
            self._json(
                200, {"version": new_version, "generation": self.server.live.shown.generation}
            )

    def _page(self) -> str | None:
        """The page asked for, after the secret; None once refused."""
        if self.headers.get("Host", "") not in self.server.hosts:
            self._json(403, {"error": "this preview answers on 127.0.0.1 only"})
            return None
        path = urlsplit(self.path).path
        prefix = f"/{self.server.secret}/"
        if not secrets.compare_digest(path[: len(prefix)], prefix):
            self._json(404, {"error": "not found"})
            return None
        return path[len(prefix) :]

    def _events(self) -> None:
        """Server-sent events: the generation, each time the page changes."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        for name, value in _HEADERS.items():
            self.send_header(name, value)
        self.end_headers()
        seen = -1
        try:
            while True:
                now = self.server.live.wait(seen, KEEPALIVE_SECONDS)
                if now != seen:
                    self.wfile.write(f"data: {now}\n\n".encode())
                    seen = now
                else:
                    self.wfile.write(b": still here\n\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return

    def _json(self, status: int, body: dict[str, Any]) -> None:
        self._send(status, "application/json", json.dumps(body).encode("utf-8"))

    def _send(self, status: int, kind: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for name, value in _HEADERS.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


def _framed(html: str) -> str:
    """The page as the frame shows it: its links open outside the preview."""
    return html.replace("<head>", '<head><base target="_blank">', 1)
