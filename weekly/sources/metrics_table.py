"""Reading the metrics CSV into checked long-form rows: one (moment, metric, value) a row.

Both forms that metric tools export are accepted: long (`date,metric,value`) and wide
(`date,<metric>,<metric>,…`). Only the metrics the config names are read; other
columns (a comment, an export timestamp) are ignored. Every error names the file,
the line and the metric.
"""

from __future__ import annotations

import csv
import io
import warnings
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

from weekly.errors import InputError
from weekly.weeks import IsoWeek

_OFFSET = r"(?:Z|[+-]\d{2}:?\d{2})$"
_THOUSANDS = r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?"
_THOUSANDS_EUROPEAN = r"[+-]?\d{1,3}(?:\.\d{3})+(?:,\d+)?"
_FIRST_DATA_LINE = 2  # line 1 is the header


@dataclass(frozen=True)
class MetricRows:
    """The CSV in long form, sorted by time.

    Columns: line, date (as written), metric, value, local_time (the team's wall clock),
    moment (for ordering and duplicates: UTC when the file gave an offset), week.
    """

    path: Path
    frame: pd.DataFrame


def read_rows(path: Path, metrics: tuple[str, ...], date_column: str, zone: ZoneInfo) -> MetricRows:
    """Parse the rows of the named metrics, checking dates, numbers and duplicates."""
    frame, decimal_comma = _read_frame(path)
    frame.columns = [str(c).strip() for c in frame.columns]
    date = _find_column(frame, date_column)
    if date is None:
        raise InputError(
            f"{path}:1: no {date_column!r} column (found: {', '.join(frame.columns)}); "
            "name the date column 'date' or set metrics.date_column"
        )
    frame["line"] = range(_FIRST_DATA_LINE, _FIRST_DATA_LINE + len(frame))
    long = _long_form(frame, path, date)
    found = set(long["metric"]) - {"", "line"}
    long["value"] = long["value"].str.strip()
    long = long[(long["value"] != "") & long["metric"].isin(metrics)].copy()
    long["local_time"], long["moment"] = _parse_dates(long, path, zone)
    long["value"] = _parse_numbers(long, path, decimal_comma)
    _check_unique(long, path)
    _check_present(long, path, metrics, found)
    long["week"] = pd.Series(
        [IsoWeek.of(t.date()) for t in long["local_time"]], index=long.index, dtype=object
    )
    return MetricRows(path=path, frame=long.sort_values(["moment", "line"]))


def _long_form(frame: pd.DataFrame, path: Path, date: str) -> pd.DataFrame:
    metric_column = _find_column(frame, "metric")
    if metric_column is None:  # wide form: one column per metric
        columns = [c for c in frame.columns if c not in (date, "line")]
        if not columns:
            raise InputError(
                f"{path}:1: no metric columns; expected date,metric,value or date,<metric>,…"
            )
        # A private name for the cells: a metric may well be called "value".
        long = frame.melt(
            id_vars=["line", date], value_vars=columns, var_name="metric", value_name="_cell"
        )
        return long.rename(columns={date: "date", "_cell": "value"})
    value_column = _find_column(frame, "value")
    if value_column is None:
        raise InputError(
            f"{path}:1: long-form CSV has a 'metric' column but no 'value' column; "
            "expected the header date,metric,value"
        )
    long = frame[["line", date, metric_column, value_column]].copy()
    long.columns = ["line", "date", "metric", "value"]
    long["metric"] = long["metric"].str.strip()
    return long


def _check_present(
    long: pd.DataFrame, path: Path, metrics: tuple[str, ...], found: set[str]
) -> None:
    present = set(long["metric"])
    missing = [m for m in metrics if m not in present]
    if missing:
        raise InputError(
            f"{path}: metric {missing[0]!r} is named in the config but has no values in the file "
            f"(metrics found: {', '.join(sorted(found)) or 'none'}); fix the name in the config "
            "or the CSV"
        )


def _read_frame(path: Path) -> tuple[pd.DataFrame, bool]:
    """The CSV as text cells, and whether it uses decimal commas.

    A European spreadsheet exports `date;metric;value` with `3,5` for three and a half:
    a header split by semicolons (and no commas) means that dialect.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(
            f"{path}: metrics CSV not found; check metrics.csv in the config"
        ) from None
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        raise InputError(f"{path}:{line}: not UTF-8 text; export the CSV as UTF-8") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    if not text.strip():
        raise InputError(f"{path}: file is empty; expected a header such as date,metric,value")
    first_line = text.lstrip().splitlines()[0]
    european = ";" in first_line and "," not in first_line
    separator = ";" if european else ","
    reader = csv.reader(io.StringIO(text), delimiter=separator)
    try:
        header = next(reader)
        for line, row in enumerate(reader, start=_FIRST_DATA_LINE):
            if any(cell.strip() for cell in row[len(header) :]):
                raise InputError(
                    f"{path}:{line}: {len(row)} fields but the header has {len(header)}; "
                    "add the missing column names to the header"
                )
    except csv.Error as exc:
        raise InputError(f"{path}:{reader.line_num}: not a readable CSV: {exc}") from None
    names = [name.strip().lower() for name in header]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise InputError(
            f"{path}:1: column {repeated[0]!r} appears more than once in the header; "
            "keep one column per metric"
        )
    try:
        # index_col=False: a trailing comma on every row must not turn the dates into an index.
        with warnings.catch_warnings():
            # Rows longer than the header only by empty cells (checked above) are fine.
            warnings.simplefilter("ignore", pd.errors.ParserWarning)
            frame = pd.read_csv(
                io.StringIO(text),
                sep=separator,
                dtype=str,
                keep_default_na=False,
                skip_blank_lines=False,
                index_col=False,
            )
    except (pd.errors.ParserError, csv.Error) as exc:
        raise InputError(f"{path}: not a readable CSV: {exc}") from None
    return frame, european


def _find_column(frame: pd.DataFrame, name: str) -> str | None:
    for column in frame.columns:
        if column.lower() == name.lower():
            return str(column)
    return None


def _parse_dates(long: pd.DataFrame, path: Path, zone: ZoneInfo) -> tuple[pd.Series, pd.Series]:
    """The team's wall-clock time of each row (for its week) and its moment (for order).

    A time with an offset is one instant: its moment is UTC, so the two 02:30s of the
    night clocks go back are not duplicates. A time without one is the team's wall clock.
    """
    text = long["date"].str.strip()
    has_offset = text.str.contains(_OFFSET, regex=True)
    # Microseconds, not pandas' default nanoseconds: "0001-01-01" and "9999-12-31" are
    # placeholders people do write, and nanoseconds only reach 1677 to 2262.
    local = pd.Series(pd.NaT, index=long.index, dtype="datetime64[us]")
    moment = local.copy()
    if has_offset.any():
        aware = pd.to_datetime(
            text[has_offset], format="ISO8601", utc=True, errors="coerce"
        ).dt.as_unit("us")
        local[has_offset] = aware.dt.tz_convert(zone).dt.tz_localize(None)
        moment[has_offset] = aware.dt.tz_localize(None)
    if (~has_offset).any():
        naive = pd.to_datetime(text[~has_offset], format="ISO8601", errors="coerce").dt.as_unit(
            "us"
        )
        local[~has_offset] = naive
        moment[~has_offset] = naive
    bad = local.isna()
    if bad.any():
        first = long[bad].iloc[0]
        raise InputError(
            f"{path}:{first['line']}: metric {first['metric']!r}: {first['date']!r} is not a "
            "date; use ISO dates such as 2026-11-27 or 2026-11-27T09:30:00+01:00"
        )
    return local, moment


def _parse_numbers(long: pd.DataFrame, path: Path, decimal_comma: bool) -> pd.Series:
    values = long["value"]
    if decimal_comma:  # "12.340,5": dots group thousands, the comma is the decimal point
        grouped = values.str.fullmatch(_THOUSANDS_EUROPEAN)
        values = values.where(~grouped, values.str.replace(".", "", regex=False))
        text = values.str.replace(",", ".", regex=False)
    else:
        # Strip thousands separators only where they are that ("12,340"); a decimal comma
        # ("3,5") is left alone and reported, never read as 35.
        thousands = values.str.fullmatch(_THOUSANDS)
        text = values.where(~thousands, values.str.replace(",", "", regex=False))
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
    repeated = long[long.duplicated(["moment", "metric"], keep=False)]
    if repeated.empty:
        return
    groups = repeated.groupby(["moment", "metric"], sort=False)["line"]
    first_line, *others = sorted(groups.apply(list).iloc[0])
    row = long[long["line"] == first_line].iloc[0]
    raise InputError(
        f"{path}:{others[0]}: duplicate row: date {row['date']} for metric {row['metric']!r} "
        f"is already on line {first_line}; keep one row per date and metric"
    )
