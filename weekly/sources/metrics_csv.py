"""The metrics CSV: long (`date,metric,value`) or wide (`date,<metric>,…`), aggregated to ISO weeks.

Dates may be ISO dates or datetimes. A datetime with an offset is converted to
the team's time zone before it is given a week; one without is read as the
team's wall clock. Every error names the file, the line and the metric.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pandas as pd
from pandas.core.groupby import SeriesGroupBy

from weekly.config import Config, MetricDefinition
from weekly.errors import InputError
from weekly.model import Aggregation, Metric, SourceResult, SourceState, SourceStatus, WeekValue
from weekly.sources.context import PullContext
from weekly.weeks import IsoWeek

NAME = "metrics CSV"
_OFFSET = r"(?:Z|[+-]\d{2}:?\d{2})$"
_FIRST_DATA_LINE = 2  # line 1 is the header
_THOUSANDS = r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?"


def enabled(config: Config) -> bool:
    return True


def pull(ctx: PullContext) -> SourceResult:
    """Read the CSV named in the config and build the configured metrics for ctx.week."""
    path = ctx.config.resolve(ctx.config.metrics.csv)
    rows = read_rows(path, ctx.config)
    metrics = tuple(
        build_metric(rows, key, ctx.config.metric[key], ctx.week, ctx.config.metrics.trend_weeks)
        for key in ctx.config.metric_keys
    )
    status = SourceStatus(name=f"{NAME} ({path.name})", state=SourceState.OK, pulled_at=ctx.now)
    return SourceResult(status=status, metrics=metrics)


@dataclass(frozen=True)
class MetricRows:
    """The CSV in long form: one row per (local time, metric, value), with its file line."""

    path: Path
    frame: pd.DataFrame  # columns: line, local_time, week, metric, value


def read_rows(path: Path, config: Config) -> MetricRows:
    """Parse the file into long form, checking dates, numbers and duplicates."""
    frame = _read_frame(path)
    frame.columns = [str(c).strip() for c in frame.columns]
    date_column = _find_column(frame, config.metrics.date_column)
    if date_column is None:
        raise InputError(
            f"{path}:1: no {config.metrics.date_column!r} column (found: "
            f"{', '.join(frame.columns)}); name the date column 'date' or set metrics.date_column"
        )
    frame["line"] = range(_FIRST_DATA_LINE, _FIRST_DATA_LINE + len(frame))
    metric_column = _find_column(frame, "metric")
    if metric_column is not None:
        value_column = _find_column(frame, "value")
        if value_column is None:
            raise InputError(
                f"{path}:1: long-form CSV has a 'metric' column but no 'value' column; "
                "expected the header date,metric,value"
            )
        long = frame[["line", date_column, metric_column, value_column]].copy()
        long.columns = ["line", "date", "metric", "value"]
    else:
        metric_columns = [c for c in frame.columns if c not in (date_column, "line")]
        if not metric_columns:
            raise InputError(
                f"{path}:1: no metric columns; expected date,metric,value or date,<metric>,…"
            )
        long = frame.melt(
            id_vars=["line", date_column], value_vars=metric_columns, var_name="metric"
        ).rename(columns={date_column: "date"})

    long["metric"] = long["metric"].str.strip()
    long["value"] = long["value"].str.strip()
    long = long[long["value"] != ""]
    long["local_time"] = _parse_dates(long, path, config)
    long["value"] = _parse_numbers(long, path)
    _check_unique(long, path)
    long["week"] = pd.Series(
        [IsoWeek.of(t.date()) for t in long["local_time"]], index=long.index, dtype=object
    )
    return MetricRows(path=path, frame=long.sort_values(["local_time", "line"]))


def build_metric(
    rows: MetricRows, key: str, definition: MetricDefinition, week: IsoWeek, trend_weeks: int
) -> Metric:
    """Aggregate one metric to weeks and keep the trend window ending at `week`."""
    frame = rows.frame
    if key not in set(frame["metric"]):
        found = ", ".join(sorted(set(frame["metric"]))) or "none"
        raise InputError(
            f"{rows.path}: metric {key!r} is named in the config but has no values in the file "
            f"(metrics found: {found}); fix the name in the config or the CSV"
        )
    values = frame[frame["metric"] == key].groupby("week", sort=True)["value"]
    weekly = _aggregate(values, definition.aggregate)
    weeks = [week.shift(offset) for offset in range(-(trend_weeks - 1), 1)]
    series = tuple(WeekValue(w, _maybe(weekly.get(w))) for w in weeks)
    return Metric(
        key=key,
        label=definition.label or key,
        unit=definition.unit,
        direction=definition.direction,
        aggregation=definition.aggregate,
        series=series,
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
    return {cast(IsoWeek, w): float(v) for w, v in result.items()}


def _maybe(value: float | None) -> float | None:
    return None if value is None or pd.isna(value) else value


def _read_frame(path: Path) -> pd.DataFrame:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(
            f"{path}: metrics CSV not found; check metrics.csv in the config"
        ) from None
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path}: not UTF-8 text (byte {exc.start}); export the CSV as UTF-8"
        ) from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    if not text.strip():
        raise InputError(f"{path}: file is empty; expected a header such as date,metric,value")
    header = next(csv.reader(io.StringIO(text)))
    repeated = sorted({name.strip() for name in header if header.count(name) > 1})
    if repeated:
        raise InputError(
            f"{path}:1: column {repeated[0]!r} appears more than once in the header; "
            "keep one column per metric"
        )
    try:
        return pd.read_csv(
            io.StringIO(text), dtype=str, keep_default_na=False, skip_blank_lines=False
        )
    except (pd.errors.ParserError, csv.Error) as exc:
        raise InputError(f"{path}: not a readable CSV: {exc}") from None


def _find_column(frame: pd.DataFrame, name: str) -> str | None:
    for column in frame.columns:
        if column.lower() == name.lower():
            return str(column)
    return None


def _parse_dates(long: pd.DataFrame, path: Path, config: Config) -> pd.Series:
    """Local wall-clock times in the team's zone, as naive timestamps."""
    text = long["date"].str.strip()
    has_offset = text.str.contains(_OFFSET, regex=True)
    parsed = pd.Series(pd.NaT, index=long.index, dtype="datetime64[ns]")
    if has_offset.any():
        aware = pd.to_datetime(text[has_offset], format="ISO8601", utc=True, errors="coerce")
        parsed[has_offset] = aware.dt.tz_convert(config.report.zone).dt.tz_localize(None)
    if (~has_offset).any():
        parsed[~has_offset] = pd.to_datetime(text[~has_offset], format="ISO8601", errors="coerce")
    bad = parsed.isna()
    if bad.any():
        first = long[bad].iloc[0]
        raise InputError(
            f"{path}:{first['line']}: {first['date']!r} is not a date; "
            "use ISO dates such as 2026-11-27 or 2026-11-27T09:30:00+01:00"
        )
    return parsed


def _parse_numbers(long: pd.DataFrame, path: Path) -> pd.Series:
    # Strip thousands separators only where they are that ("12,340"); a decimal comma
    # ("3,5") is left alone and reported, never read as 35.
    thousands = long["value"].str.fullmatch(_THOUSANDS)
    text = long["value"].where(~thousands, long["value"].str.replace(",", "", regex=False))
    numbers = pd.to_numeric(text, errors="coerce")
    bad = numbers.isna() | numbers.isin([float("inf"), float("-inf")])
    if bad.any():
        first = long[bad].iloc[0]
        more = int(bad.sum()) - 1
        tail = f" ({more} more non-numeric values after it)" if more else ""
        raise InputError(
            f"{path}:{first['line']}: metric {first['metric']!r}: {first['value']!r} is not a "
            f"number{tail}; leave the cell empty when there is no value"
        )
    return numbers.astype(float)


def _check_unique(long: pd.DataFrame, path: Path) -> None:
    """One value per moment and metric; compared after parsing, so 2026-11-23 and
    2026-11-23T00:00:00 are the same moment."""
    repeated = long[long.duplicated(["local_time", "metric"], keep=False)]
    if repeated.empty:
        return
    groups = repeated.groupby(["local_time", "metric"], sort=False)["line"]
    first_line, *others = sorted(groups.apply(list).iloc[0])
    row = long[long["line"] == first_line].iloc[0]
    raise InputError(
        f"{path}:{others[0]}: duplicate row: date {row['date']} for metric {row['metric']!r} "
        f"is already on line {first_line}; keep one row per date and metric"
    )
