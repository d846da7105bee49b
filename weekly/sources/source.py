"""What a source declares, whole and in one place, to be pulled, scrubbed and checked.

Each source fills one `Source` in its own module; weekly/sources/__init__.py lists them.
The pipeline pulls them, builds their waiting budgets and shows their failures; `weekly
doctor` runs their checks; both scrub the secrets they declare.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from weekly.config import Config
from weekly.model import SourceResult
from weekly.sources.budget import WaitBudget
from weekly.sources.context import PullContext

S = TypeVar("S")


@dataclass(frozen=True)
class Retries:
    """How long a source may wait on rate limits in one run, and the config key that says so."""

    seconds: float
    key: str


# A local file is read at once: nothing to wait for.
NO_RETRIES = Retries(0.0, "")


def no_retries(section: object) -> Retries:
    return NO_RETRIES


@dataclass(frozen=True)
class Part:
    """One line of the page's sources, pulled on its own: a whole source, or one of its
    repositories. `pull` raises SourceFailure; the pipeline shows it as failed by `name`."""

    name: str  # as the footer and the banner name it
    pull: Callable[[], SourceResult]


@dataclass(frozen=True)
class Source(Generic[S]):
    name: str  # as the progress line names it, and the page when it fails as a whole
    # Its part of the config; None when it is not configured (then not pulled or checked).
    section: Callable[[Config], S | None]
    # The environment variables its section names for secrets: scrubbed from everything.
    secrets: Callable[[S], tuple[str, ...]]
    # Its parts, each pulled when called. The budget is the pipeline's, bounded by the run's
    # deadline (report.pull_budget_seconds): a source never builds its own.
    pull: Callable[[PullContext, S, WaitBudget], list[Part]]
    check_name: str  # its line in `weekly doctor`
    # What `weekly doctor` found, one line; raises SourceFailure or WeeklyError with what to fix.
    check: Callable[[PullContext, S], str]
    retries: Callable[[S], Retries] = no_retries
