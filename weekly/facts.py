"""The pulled facts of a week, saved beside its draft as JSON (`facts.json`).

`weekly draft` writes them; `weekly preview` and `weekly send` render from them and the
draft, without pulling again, so what the PM reviewed is what goes out. When a source
fails on a later pull, its items from the last good pull are kept, marked with the time
of that pull, rather than vanishing from the page.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from weekly.errors import InputError
from weekly.model import Report, SourceState

_REPORT = TypeAdapter(Report)


def dump(report: Report) -> bytes:
    return _REPORT.dump_json(report, indent=1)


def loads(data: bytes) -> Report:
    """A report from the JSON `dump` made (the history keeps its snapshots this way)."""
    return _REPORT.validate_json(data)


def load(path: Path) -> Report:
    try:
        return _REPORT.validate_json(path.read_bytes())
    except FileNotFoundError:
        raise InputError(
            f"{path}: no pulled facts for this week; run `weekly draft` first"
        ) from None
    except (ValidationError, ValueError):
        raise InputError(
            f"{path}: not the facts file weekly wrote; run `weekly draft` to pull them again"
        ) from None


def carry_over(fresh: Report, previous: Report | None) -> Report:
    """Keep the items of each source that failed now from the previous pull, marked stale."""
    if previous is None:
        return fresh
    before = {s.name: s for s in previous.sources}
    sources, bets, decisions = [], list(fresh.bets), list(fresh.decisions)
    for status in fresh.sources:
        old = before.get(status.name)
        last_good = (old.stale_since or old.pulled_at) if old is not None else None
        if status.state is SourceState.FAILED and last_good is not None:
            status = dataclasses.replace(status, stale_since=last_good)
            bets += [b for b in previous.bets if b.source == status.name]
            decisions += [d for d in previous.decisions if d.source == status.name]
        sources.append(status)
    return dataclasses.replace(
        fresh, sources=tuple(sources), bets=tuple(bets), decisions=tuple(decisions)
    )
