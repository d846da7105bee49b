"""Progress of a pull on a terminal: items and pages per source, and the time so far.

Only on a terminal: cron and pipes get nothing of it (cron mails whatever a job prints).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

# Called by a source after each page: (source, items so far, pages so far).
PullProgress = Callable[[str, int, int], None]


@contextmanager
def on_terminal(enabled: bool) -> Iterator[PullProgress | None]:
    """A rich progress display on stderr while the block runs, or None when not enabled."""
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    tasks: dict[str, Any] = {}
    lock = threading.Lock()  # sources report from their own threads
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as display:

        def report(source: str, items: int, pages: int) -> None:
            description = f"{source}: {items:,} items, {pages} pages"
            with lock:
                if source not in tasks:
                    tasks[source] = display.add_task(description, total=None)
                display.update(tasks[source], description=description)

        yield report
