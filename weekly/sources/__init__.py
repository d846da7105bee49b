"""Sources turn an outside system into model objects. Each is listed here by name.

A source declares itself whole in its own module (weekly/sources/source.py says what):
adding one is that module and one line below.
"""

from __future__ import annotations

from typing import Any

from weekly.sources import bets_file, github, jira, metrics_csv
from weekly.sources.context import PullContext, SourceFailure
from weekly.sources.source import Part, Retries, Source

# In the page's order, which is also the order of `weekly doctor`'s checks.
SOURCES: dict[str, Source[Any]] = {
    "metrics_csv": metrics_csv.SOURCE,
    "bets_file": bets_file.SOURCE,
    "jira": jira.SOURCE,
    "github": github.SOURCE,
}

__all__ = ["SOURCES", "Part", "PullContext", "Retries", "Source", "SourceFailure"]
