"""Reading the metrics CSV into checked long-form rows: one (moment, metric, value) a row.

Both forms that metric tools export are accepted: long (`date,metric,value`) and wide
(`date,<metric>,<metric>,…`). Only the metrics the config names are read; other
columns (a comment, an export timestamp) are ignored. Every error names the file,
the line and the metric.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

import pandas as pd

from weekly.errors import InputError
from weekly.render.format import day, plural
from weekly.weeks import IsoWeek

_OFFSET = r"(?:Z|[+-]\d{2}:?\d{2})$"
_FIRST_DATA_LINE = 2  # line 1 is the header
# The largest magnitude read. Past 2**53 (about 9e15) a float no longer holds every whole
# number, and no team's weekly figure comes near; a bigger cell is a placeholder or a slip.
MAX_MAGNITUDE = 1e15
_NON_FINITE = {"inf", "infinity", "nan"}
# Spreadsheets group thousands with a no-break or narrow no-break space, not a plain one.
_SPACES = " \u00a0\u202f"
_SEPARATORS = {
    ",": "a comma",
    ".": "a dot",
    " ": "a space",
    "\u00a0": "a space",
    "\u202f": "a space",
}


@dataclass(frozen=True)
class NumberForm:
    """How the CSV writes numbers: its decimal mark and thousands separator ("" for none).

    decimal None: not stated in the config, so the file's separator decides it.
    """

    decimal: Literal[".", ","] | None = None
    thousands: str = ""

    def mark(self, european: bool) -> str:
        return self.decimal or ("," if european else ".")

    def pattern(self, european: bool) -> str:
        """A full-match regex for a number in this form."""
        point = re.escape(self.mark(european))
        plain = rf"[+-]?(?:\d+(?:{point}\d*)?|{point}\d+)(?:[eE][+-]?\d+)?"
        if not self.thousands:
            return plain
        group = f"[{_SPACES}]" if self.thousands == " " else re.escape(self.thousands)
        return rf"{plain}|[+-]?\d{{1,3}}(?:{group}\d{{3}})+(?:{point}\d+)?"

    def example(self, european: bool) -> str:
        """1234.5 as this form writes it."""
        return f"1{self.thousands}234{self.mark(european)}5"


@dataclass(frozen=True)
class FutureRows:
    """What to do with rows dated after the report's moment (the team's wall clock)."""

    now: dt.datetime
    action: Literal["ignore", "refuse"] = "ignore"


@dataclass(frozen=True)
class MetricRows:
    """The CSV in long form, sorted by time.

    Columns: line, date (as written), metric, value, local_time (the team's wall clock),
    moment (for ordering and duplicates: UTC when the file gave an offset), week.
    """

    path: Path
    frame: pd.DataFrame
    # Rows left out for being dated after the report's moment, and the latest such date.
    future_count: int = 0
    future_latest: dt.date | None = None


def read_rows(
    path: Path,
    metrics: tuple[str, ...],
    date_column: str,
    zone: ZoneInfo,
    *,
    form: NumberForm = NumberForm(),
    future: FutureRows | None = None,
) -> MetricRows:
    """Parse the rows of the named metrics, checking dates, numbers and duplicates.

    With `future`, rows dated after its moment are left out (counted) or refused.
    """
    frame, european = _read_frame(path)
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
    present = set(long["metric"])  # a metric with only future rows is present, and stale
    # Before the numbers are read: a forecast's placeholder ("TBD") is left out, not refused.
    long, later = _without_future_rows(long, path, zone, future)
    long["value"] = _parse_numbers(long, path, form, european)
    _check_unique(long, path)
    _check_present(present, path, metrics, found)
    long["week"] = pd.Series(
        [IsoWeek.of(t.date()) for t in long["local_time"]], index=long.index, dtype=object
    )
    latest = later["local_time"].max().date() if len(later) else None
    return MetricRows(
        path=path,
        frame=long.sort_values(["moment", "line"]),
        future_count=later["line"].nunique(),
        future_latest=latest,
    )


def _without_future_rows(
    long: pd.DataFrame, path: Path, zone: ZoneInfo, future: FutureRows | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows up to the report's moment, and those after it; refused when so configured."""
    if future is None:
        return long, long.iloc[0:0]
    now = future.now.astimezone(zone).replace(tzinfo=None)
    after = long["local_time"] > pd.Timestamp(now)
    later = long[after].sort_values("line")
    if future.action == "refuse" and len(later):
        first = later.iloc[0]
        latest = later["local_time"].max().date().isoformat()
        others = later["line"].nunique() - 1
        more = f" (and {plural(others, 'more such row')}, the latest {latest})" if others else ""
        raise InputError(
            f"{path}:{first['line']}: metric {first['metric']!r}: {first['date']!r} is after "
            f"this report ({describe_moment(future.now, zone)}){more}; a forecast or placeholder "
            'is not a figure: remove the row, or set metrics.future_rows = "ignore" to leave '
            "such rows out with a warning"
        )
    return long[~after].copy(), later


def describe_moment(now: dt.datetime, zone: ZoneInfo) -> str:
    """The report's moment as the team reads it: Fri 27 Nov 2026 16:00."""
    local = now.astimezone(zone)
    return f"{day(local.date())} {local.year} {local:%H:%M}"


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
    present: set[str], path: Path, metrics: tuple[str, ...], found: set[str]
) -> None:
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
    # Empty header cells (an Excel export's trailing `,,`) name no column: unused, like a comment.
    repeated = sorted({name for name in names if name and names.count(name) > 1})
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
    if len(frame.columns) == len(names):
        frame = frame.iloc[:, [i for i, name in enumerate(names) if name]]
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


def _parse_numbers(long: pd.DataFrame, path: Path, form: NumberForm, european: bool) -> pd.Series:
    """Each cell read exactly in the file's form, or the first one that cannot be refused.

    No separator is guessed: in a comma-separated file "3,550" may be 3.55 or 3550, so a
    comma is read only as the config states it (metrics.decimal, metrics.thousands).
    """
    values = long["value"]
    valid = values.str.fullmatch(form.pattern(european))
    text = values.where(valid, "")
    for group in _SPACES if form.thousands == " " else form.thousands:
        text = text.str.replace(group, "", regex=False)
    text = text.str.replace(form.mark(european), ".", regex=False)
    numbers = pd.to_numeric(text.where(valid), errors="coerce")
    bad = ~numbers.abs().le(MAX_MAGNITUDE)  # NaN (not read) and inf (1e400) included
    if bad.any():
        cells = long[bad].sort_values("line")
        first = cells.iloc[0]
        more = len(cells) - 1
        tail = f" ({more} more cells after it cannot be read either)" if more else ""
        what, fix = _why_not_a_number(first["value"], form, european)
        raise InputError(f"{path}:{first['line']}: metric {first['metric']!r}: {what}{tail}; {fix}")
    return numbers.astype(float)


def _why_not_a_number(cell: str, form: NumberForm, european: bool) -> tuple[str, str]:
    """Why one cell is refused, and what to do, in the user's words."""
    if re.fullmatch(form.pattern(european), cell):
        return (
            f"{cell!r} is beyond ±{MAX_MAGNITUDE:.0e}, larger than any weekly figure",
            "check the cell (a placeholder or a unit mix-up?), or report the metric in a "
            "larger unit",
        )
    if cell.lower().lstrip("+-") in _NON_FINITE:
        return (
            f"{cell!r} is not a finite number",
            "write the week's value, or leave the cell empty when there is no value",
        )
    numeric = re.fullmatch(rf"[+-]?[\d,.'{_SPACES}]*\d[\d,.'{_SPACES}]*", cell)
    separator = next((c for c in cell if c in _SEPARATORS), None) if numeric else None
    if separator is None:
        return f"{cell!r} is not a number", "leave the cell empty when there is no value"
    if form.decimal is None:
        return (
            f"{cell!r} has {_SEPARATORS[separator]}, which could be a decimal mark or a "
            "thousands separator",
            f"weekly does not guess: export plain numbers (such as {form.example(european)}), "
            'or set metrics.decimal ("." or ",") and metrics.thousands ("", ",", "." or " ") '
            "in the config to the form the file uses",
        )
    return (
        f"{cell!r} is not a number in the form the config sets (metrics.decimal "
        f'"{form.mark(european)}", metrics.thousands "{form.thousands}", such as '
        f"{form.example(european)})",
        "fix the cell, or those two keys",
    )


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
