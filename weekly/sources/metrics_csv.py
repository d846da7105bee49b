"""The metrics source: the CSV's rows aggregated to ISO weeks, with this week's figures.

A metric with no value in the report's week is shown as missing (never 0), and the
source is marked stale, so the page says the numbers are not this week's. Rows dated
after the report's moment are left out, and the source says so the same way.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any, cast

import pandas as pd
from pandas.core.groupby import SeriesGroupBy

from weekly.config import Config, MetricDefinition, MetricsSection
from weekly.model import Aggregation, Metric, SourceResult, SourceState, SourceStatus, WeekValue
from weekly.render.format import plural
from weekly.sources.budget import WaitBudget
from weekly.sources.context import PullContext
from weekly.sources.metrics_table import (
    FutureRows,
    MetricRows,
    NumberForm,
    describe_moment,
    read_rows,
)
from weekly.sources.source import Part, Source
from weekly.weeks import IsoWeek

NAME = "metrics CSV"


def read(config: Config, now: dt.datetime) -> MetricRows:
    """The configured CSV's rows as of `now`, numbers read in the form the config states."""
    section = config.metrics
    return read_rows(
        config.resolve(section.csv),
        config.metric_keys,
        section.date_column,
        config.report.zone,
        form=NumberForm(section.decimal, section.thousands),
        future=FutureRows(now, section.future_rows),
    )


def pull(ctx: PullContext, section: MetricsSection, waits: WaitBudget) -> list[Part]:
    name = f"{NAME} ({ctx.config.resolve(section.csv).name})"
    return [Part(name, partial(_pull, ctx, name))]


def _pull(ctx: PullContext, name: str) -> SourceResult:
    """Read the CSV named in the config and build the configured metrics for ctx.week."""
    config = ctx.config
    rows = read(config, ctx.now)
    metrics = tuple(
        build_metric(rows, key, config.metric[key], ctx.week, config.metrics.trend_weeks)
        for key in config.metric_keys
    )
    # A source's warnings reach the PM as a non-ok status: stderr, the draft and the page.
    warnings = []
    missing = [m.label for m in metrics if m.this_week is None]
    if missing:
        warnings.append(f"no value in {ctx.week} for {', '.join(missing)}")
    if rows.future_count:
        warnings.append(
            f"{plural(rows.future_count, 'row')} dated after this report "
            f"({describe_moment(ctx.now, config.report.zone)}) left out, the latest "
            f"{rows.future_latest}; a forecast or placeholder is not a figure: remove "
            f"{'it' if rows.future_count == 1 else 'them'}, "
            'or set metrics.future_rows = "refuse" to stop on them'
        )
    if not warnings:
        return SourceResult(SourceStatus(name, SourceState.OK, ctx.now), metrics=metrics)
    since = None
    if missing and len(rows.frame):
        latest = rows.frame["local_time"].max()
        since = latest.to_pydatetime().replace(tzinfo=ctx.now.tzinfo)
    status = SourceStatus(
        name=name,
        state=SourceState.STALE,
        pulled_at=ctx.now,
        reason="; ".join(warnings),
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


def check(ctx: PullContext, section: MetricsSection) -> str:
    """Whether the CSV reads, and how recent its latest row is."""
    rows = read(ctx.config, ctx.now)
    latest: dt.date = rows.frame["local_time"].max().date()
    days = (ctx.now.astimezone(ctx.config.report.zone).date() - latest).days
    ago = "today" if days == 0 else f"{days} days ago" if days > 1 else "1 day ago"
    count = len(ctx.config.metric_keys)
    return (
        f"{rows.path.name}: {count} metric{'s' if count > 1 else ''} read, latest date "
        f"{latest.isoformat()} ({ago})"
    )


SOURCE: Source[MetricsSection] = Source(
    name=NAME,
    section=lambda config: config.metrics,
    secrets=lambda section: (),
    pull=pull,
    check_name="metrics",
    check=check,
)
