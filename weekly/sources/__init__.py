"""Sources turn an outside system into model objects. Each is listed here by name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from weekly.config import Config
from weekly.model import SourceResult
from weekly.sources import bets_file, github, jira, metrics_csv
from weekly.sources.context import PullContext, SourceFailure


@dataclass(frozen=True)
class Source:
    name: str  # as the page's footer and banner name it when it fails
    enabled: Callable[[Config], bool]
    # One result, or one per part that can fail on its own (GitHub: one per repository).
    pull: Callable[[PullContext], SourceResult | list[SourceResult]]


SOURCES: dict[str, Source] = {
    "metrics_csv": Source(metrics_csv.NAME, metrics_csv.enabled, metrics_csv.pull),
    "bets_file": Source(bets_file.NAME, bets_file.enabled, bets_file.pull),
    "jira": Source(jira.NAME, jira.enabled, jira.pull),
    "github": Source(github.NAME, github.enabled, github.pull),
}

__all__ = ["SOURCES", "PullContext", "Source", "SourceFailure"]
