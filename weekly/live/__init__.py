"""`weekly preview --serve`: the page in the browser, kept warm, edited in place."""

from __future__ import annotations

import webbrowser
from collections.abc import Callable

from weekly.config import Config
from weekly.live.server import LiveServer
from weekly.live.session import LiveDraft
from weekly.weeks import IsoWeek


def serve(
    config: Config, week: IsoWeek, port: int, open_browser: bool, say: Callable[[str], None]
) -> None:
    """Serve the week's page until interrupted (Ctrl-C), rendering it again on every save."""
    server = LiveServer(LiveDraft(config, week), port)
    server.live.start()
    say(f"weekly: previewing {server.live.folder.draft} at {server.url} (Ctrl-C stops)")
    if open_browser:
        webbrowser.open(server.url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        say("weekly: preview stopped")
    finally:
        server.server_close()
        server.live.stop()
