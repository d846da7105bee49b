"""The time a run may spend waiting on rate limits, shared by the retries of one source."""

from __future__ import annotations

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
    waited: float = 0.0

    def wait(self, delay: float, why: str) -> None:
        if self.waited + delay > self.seconds:
            raise SourceFailure(
                f"{why}, past the retry budget ({self.waited:.0f} of {self.seconds:.0f} s "
                f"used; {self.key})"
            )
        self.sleep(delay)
        self.waited += delay
