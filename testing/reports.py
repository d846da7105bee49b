"""Reports built from model objects, as a source would fill them, for tests of what reads
the model (the page, the mail, the fit, the forecast, the record)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from testing.clock import NOW, WEEK
from weekly.model import (
    Aggregation,
    Bet,
    Blocker,
    Confidence,
    Decision,
    Direction,
    Metric,
    Progress,
    Report,
    SourceState,
    SourceStatus,
    Status,
    WeekValue,
)


def metric(
    key: str = "active_payers",
    label: str = "Active payers",
    values: list[float] | None = None,
    **kw: Any,
) -> Metric:
    values = values or [100.0 + i for i in range(12)]
    series = tuple(WeekValue(WEEK.shift(i - len(values) + 1), v) for i, v in enumerate(values))
    return Metric(
        key=key,
        label=label,
        unit=kw.pop("unit", ""),
        direction=kw.pop("direction", Direction.HIGHER),
        aggregation=kw.pop("aggregation", Aggregation.LAST),
        series=series,
        **kw,
    )


def bet(key: str, title: str = "A bet", **kw: Any) -> Bet:
    defaults: dict[str, Any] = dict(
        url=f"https://jira.example.com/browse/{key}",
        owner="Ana Ruiz",
        status=Status.ON_TRACK,
        confidence=Confidence.HIGH,
        progress=Progress(3, 10),
        target_date=dt.date(2026, 12, 18),
    )
    return Bet(key=key, title=title, **{**defaults, **kw})


def blocker(key: str, title: str = "Waiting on a partner", days: int = 5) -> Blocker:
    return Blocker(key, title, None, "Tom Becker", NOW.date() - dt.timedelta(days=days))


def decision(key: str, title: str = "Pick a vendor", **kw: Any) -> Decision:
    defaults: dict[str, Any] = dict(
        url=None,
        driver="Ana Ruiz",
        approver="Dana Schulz",
        deadline=dt.date(2026, 12, 2),
        options=("Option one", "Option two"),
    )
    return Decision(key=key, title=title, **{**defaults, **kw})


def report(
    bets: Sequence[Bet] = (),
    decisions: Sequence[Decision] = (),
    team: str = "Payments",
    headline: str | None = None,
    metrics: Sequence[Metric] | None = None,
) -> Report:
    return Report(
        team=team,
        week=WEEK,
        generated_at=NOW,
        nsm=metric(),
        metrics=tuple(metrics if metrics is not None else [metric("conv", "Conversion", unit="%")]),
        bets=tuple(bets),
        decisions=tuple(decisions),
        sources=(SourceStatus("test", SourceState.OK, NOW),),
        headline=headline,
    )
