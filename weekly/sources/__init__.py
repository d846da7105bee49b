"""Sources turn an outside system into model objects. Each is listed here by name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from weekly.config import Config
from weekly.model import SourceResult
from weekly.sources import bets_file, metrics_csv
from weekly.sources.context import PullContext


@dataclass(frozen=True)
class Source:
    enabled: Callable[[Config], bool]
    pull: Callable[[PullContext], SourceResult]


SOURCES: dict[str, Source] = {
    "metrics_csv": Source(metrics_csv.enabled, metrics_csv.pull),
    "bets_file": Source(bets_file.enabled, bets_file.pull),
}

__all__ = ["SOURCES", "PullContext", "Source"]
