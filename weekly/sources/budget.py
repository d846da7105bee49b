"""The time a run may spend waiting on rate limits, shared by the retries of one source."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from weekly.sources.context import SourceFailure


@dataclass
class WaitBudget:
    """Waits as a service asks (Retry-After, a rate-limit reset), until `seconds` are spent.

    A wait that would pass the budget is not started: the source fails at once with
    `why` and the budget's key, so an unattended run ends in bounded time.
    """

    seconds: float
    sleep: Callable[[float], None]
    key: str  # the config key that sets the budget, for the message
    deadline: float | None = None  # time.monotonic() when the whole pull must end
    waited: float = 0.0

    def check(self) -> None:
        """Give up once the whole pull is past its time (report.pull_budget_seconds)."""
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise SourceFailure(
                "gave up: the pull ran past its time limit (report.pull_budget_seconds)"
            )

    def wait(self, delay: float, why: str) -> None:
        if self.deadline is not None and time.monotonic() + delay > self.deadline:
            raise SourceFailure(f"{why}, past the pull's time limit (report.pull_budget_seconds)")
        if self.waited + delay > self.seconds:
            raise SourceFailure(
                f"{why}, past the retry budget ({self.waited:.0f} of {self.seconds:.0f} s "
                f"used; {self.key})"
            )
        self.sleep(delay)
        self.waited += delay
