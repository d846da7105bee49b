"""What every source is given: the config, the week, the clock and the environment."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from weekly.config import Config
from weekly.weeks import IsoWeek


@dataclass(frozen=True)
class PullContext:
    config: Config
    week: IsoWeek
    now: dt.datetime
    env: Mapping[str, str]
    # Waiting (for a rate limit's Retry-After) goes through here, so tests need not wait.
    sleep: Callable[[float], None] = field(default=time.sleep)
    # time.monotonic() after which sources give up (report.pull_budget_seconds).
    deadline: float | None = None
    # Told after each page (source, items, pages) to show progress on a terminal.
    progress: Callable[[str, int, int], None] | None = None

    def pulled(self, source: str, items: int, pages: int) -> None:
        if self.progress is not None:
            self.progress(source, items, pages)


class SourceFailure(Exception):
    """A source could not be pulled (down, refused our credentials, rate-limited past the
    budget). The run goes on; the page shows the source as failed with this reason."""
