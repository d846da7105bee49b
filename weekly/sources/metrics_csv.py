"""The metrics source: the CSV's rows aggregated to ISO weeks, with this week's figures.

A metric with no value in the report's week is shown as missing (never 0), and the
source is marked stale, so the page says the numbers are not this week's.
"""

from __future__ import annotations

from typing import Any, cast

import pandas as pd
from pandas.core.groupby import SeriesGroupBy

from weekly.config import Config, MetricDefinition
from weekly.model import Aggregation, Metric, SourceResult, SourceState, SourceStatus, WeekValue
from weekly.sources.context import PullContext
from weekly.sources.metrics_table import MetricRows, read_rows
from weekly.weeks import IsoWeek

NAME = "metrics CSV"


def enabled(config: Config) -> bool:
    return True


def pull(ctx: PullContext) -> SourceResult:
    """Read the CSV named in the config and build the configured metrics for ctx.week."""
    config = ctx.config
    path = config.resolve(config.metrics.csv)
    rows = read_rows(path, config.metric_keys, config.metrics.date_column, config.report.zone)
    metrics = tuple(
        build_metric(rows, key, config.metric[key], ctx.week, config.metrics.trend_weeks)
        for key in config.metric_keys
    )
    status = SourceStatus(name=f"{NAME} ({path.name})", state=SourceState.OK, pulled_at=ctx.now)
    missing = [m.label for m in metrics if m.this_week is None]
    if missing:
        latest = rows.frame["local_time"].max() if len(rows.frame) else None
        since = latest.to_pydatetime().replace(tzinfo=ctx.now.tzinfo) if latest else None
        status = SourceStatus(
            name=status.name,
            state=SourceState.STALE,
            pulled_at=ctx.now,
            reason=f"no value in {ctx.week} for {', '.join(missing)}",
            stale_since=since,
        )
    return SourceResult(status=status, metrics=metrics)


def build_metric(
    rows: MetricRows, key: str, definition: MetricDefinition, week: IsoWeek, trend_weeks: int
) -> Metric:
    """Aggregate one metric to weeks and keep the trend window ending at `week`."""
    frame = rows.frame
    values = frame[frame["metric"] == key].groupby("week", sort=True)["value"]
    weekly = _aggregate(values, definition.aggregate)
    weeks = [week.shift(offset) for offset in range(-(trend_weeks - 1), 1)]
    return Metric(
        key=key,
        label=definition.label or key,
        unit=definition.unit,
        direction=definition.direction,
        aggregation=definition.aggregate,
        series=tuple(WeekValue(w, weekly.get(w)) for w in weeks),
        target=definition.target,
        decimals=definition.decimals,
    )


def _aggregate(values: SeriesGroupBy[Any, Any], how: Aggregation) -> dict[IsoWeek, float]:
    if how is Aggregation.SUM:
        result = values.sum()
    elif how is Aggregation.MEAN:
        result = values.mean()
    else:
        result = values.last()  # rows are sorted by time, so this is the week's latest value
    return {cast(IsoWeek, w): float(v) for w, v in result.items() if not pd.isna(v)}
