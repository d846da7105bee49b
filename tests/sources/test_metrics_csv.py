"""The metrics CSV: long or wide form, aggregated to ISO weeks in the team's time zone."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from testing import workspace as toml
from testing.clock import NOW, WEEK
from weekly.cli import cli
from weekly.config import Config, load_config
from weekly.errors import ConfigError, InputError
from weekly.model import Metric, SourceResult, SourceState
from weekly.pipeline import pull_source
from weekly.sources import SOURCES
from weekly.sources.context import PullContext
from weekly.sources.metrics_csv import build_metric
from weekly.sources.metrics_table import read_rows
from weekly.weeks import IsoWeek


def pull(ctx: PullContext) -> SourceResult:
    """The metrics CSV's one result, pulled as the pipeline pulls it."""
    [result] = pull_source(SOURCES["metrics_csv"], ctx)
    return result


# W45 = Mon 2 Nov … Sun 8 Nov 2026, W46 = 9–15 Nov, W47 = 16–22 Nov, W48 = 23–29 Nov.
# The send time's wall clock in UTC, these configs' zone unless a test says otherwise.
UTC_NOW = NOW.replace(tzinfo=dt.UTC)


def workspace(
    tmp_path: Path,
    csv_text: str,
    *,
    timezone: str = "UTC",
    aggregate: str = "last",
    metrics: str = "",
) -> Config:
    """A config (NSM `signups`, headline `latency_ms`) next to a metrics.csv holding csv_text;
    `metrics` adds lines to its [metrics] table."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "metrics.csv").write_text(csv_text, encoding="utf-8")
    latency_ms = (
        '[metric.latency_ms]\nunit = "ms"\ndirection = "lower"\n'
        f'target = 250\naggregate = "{aggregate}"\n'
    )
    config_path = toml.team_config(
        tmp_path,
        latency_ms,
        team="Growth",
        timezone=timezone,
        nsm="signups",
        nsm_table=f'direction = "higher"\ntarget = 200\naggregate = "{aggregate}"\n',
        metrics=f'headline = ["latency_ms"]\ntrend_weeks = 4\n{metrics}\n',
    )
    config, warnings = load_config(config_path)
    assert warnings == []
    return config


def pulled(config: Config, week: IsoWeek = WEEK) -> dict[str, Metric]:
    result = pull(PullContext(config, week, UTC_NOW, env={}))
    return {metric.key: metric for metric in result.metrics}


def by_week(metric: Metric) -> dict[str, float | None]:
    return {str(point.week): point.value for point in metric.series}


def input_error(config: Config) -> str:
    with pytest.raises(InputError) as caught:
        pull(PullContext(config, WEEK, UTC_NOW, env={}))
    assert caught.value.exit_code == 2
    return str(caught.value)


LONG = """\
date,metric,value
2026-11-10,signups,120
2026-11-10,latency_ms,310
2026-11-18,signups,150
2026-11-20,signups,160
2026-11-20,latency_ms,320
2026-11-24,signups,170
2026-11-26,signups,180
2026-11-26,latency_ms,300
"""

WIDE = """\
date,signups,latency_ms
2026-11-10,120,310
2026-11-18,150,
2026-11-20,160,320
2026-11-24,170,
2026-11-26,180,300
"""


def test_long_and_wide_form_give_the_same_weekly_values(tmp_path):
    long = pulled(workspace(tmp_path / "long", LONG))
    wide = pulled(workspace(tmp_path / "wide", WIDE))

    assert by_week(long["signups"]) == by_week(wide["signups"])
    assert by_week(long["latency_ms"]) == by_week(wide["latency_ms"])
    assert by_week(wide["signups"]) == {
        "2026-W45": None,
        "2026-W46": 120.0,
        "2026-W47": 160.0,
        "2026-W48": 180.0,
    }


# Rows deliberately out of order: "last" means the latest in time, not the last line of the file.
UNORDERED = """\
date,metric,value
2026-11-22,signups,16
2026-11-16,signups,10
2026-11-18,signups,40
2026-11-27,signups,7
2026-11-23,signups,5
"""


@pytest.mark.parametrize(
    ("aggregate", "w47", "w48"),
    [("last", 16.0, 7.0), ("sum", 66.0, 12.0), ("mean", 22.0, 6.0)],
)
def test_each_iso_week_is_aggregated_as_configured(tmp_path, aggregate, w47, w48):
    config = workspace(tmp_path, UNORDERED, aggregate=aggregate)
    rows = read_rows(config.resolve(config.metrics.csv), ("signups",), "date", config.report.zone)

    metric = build_metric(rows, "signups", config.metric["signups"], WEEK, trend_weeks=3)

    assert by_week(metric) == {"2026-W46": None, "2026-W47": w47, "2026-W48": w48}


def test_a_week_with_no_rows_is_none_never_zero(tmp_path):
    csv = "date,signups,latency_ms\n2026-11-03,10,300\n2026-11-17,20,280\n"
    metrics = pulled(workspace(tmp_path, csv, aggregate="sum"))

    signups = metrics["signups"]

    assert by_week(signups) == {
        "2026-W45": 10.0,
        "2026-W46": None,
        "2026-W47": 20.0,
        "2026-W48": None,
    }
    assert signups.this_week is None
    assert signups.change is None
    assert signups.change_pct is None
    assert signups.target_attainment is None


def test_this_week_last_week_change_and_target_attainment(tmp_path):
    signups = pulled(workspace(tmp_path, LONG))["signups"]

    assert signups.this_week == 180.0
    assert signups.last_week == 160.0
    assert signups.change == 20.0
    assert signups.change_pct == pytest.approx(12.5)
    assert signups.target_attainment == pytest.approx(90.0)  # 180 of a 200 target
    assert signups.change_is_good is True


def test_target_attainment_of_a_lower_is_better_metric_is_inverted(tmp_path):
    latency = pulled(workspace(tmp_path, LONG))["latency_ms"]

    assert latency.this_week == 300.0
    assert latency.last_week == 320.0
    assert latency.change == -20.0
    assert latency.change_pct == pytest.approx(-6.25)
    assert latency.target_attainment == pytest.approx(250 / 300 * 100)  # 300 ms, target 250
    assert latency.change_is_good is True


def test_the_week_reported_can_be_an_earlier_one(tmp_path):
    signups = pulled(workspace(tmp_path, LONG), week=IsoWeek(2026, 47))["signups"]

    assert list(by_week(signups)) == ["2026-W44", "2026-W45", "2026-W46", "2026-W47"]
    assert signups.this_week == 160.0
    assert signups.last_week == 120.0


@pytest.mark.parametrize(
    ("timezone", "week"),
    [("UTC", "2026-W47"), ("Asia/Shanghai", "2026-W48"), ("America/New_York", "2026-W47")],
)
def test_a_utc_time_counts_in_the_week_it_falls_in_in_the_teams_zone(tmp_path, timezone, week):
    # Sunday 23:30 in UTC is already Monday 07:30 in Shanghai, and still Sunday in New York.
    csv = "date,metric,value\n2026-11-22T23:30:00Z,signups,1\n2026-11-22T23:30:00Z,latency_ms,1\n"

    signups = pulled(workspace(tmp_path, csv, timezone=timezone))["signups"]

    assert {w: v for w, v in by_week(signups).items() if v is not None} == {week: 1.0}


def test_a_datetime_without_offset_is_the_teams_wall_clock(tmp_path):
    csv = (
        "date,signups,latency_ms\n"
        "2026-11-22T23:30:00,1,300\n"  # Sunday night in Shanghai: W47
        "2026-11-23T00:30:00,2,290\n"  # Monday just after midnight in Shanghai: W48
    )

    signups = pulled(workspace(tmp_path, csv, timezone="Asia/Shanghai"))["signups"]

    assert by_week(signups)["2026-W47"] == 1.0
    assert by_week(signups)["2026-W48"] == 2.0


def test_iso_datetimes_with_different_offsets_are_converted_before_weeks_are_counted(tmp_path):
    csv = (
        "date,metric,value\n"
        "2026-11-23T01:00:00+02:00,signups,1\n"  # Sun 22 Nov 23:00 UTC: W47
        "2026-11-22T20:00:00-05:00,signups,2\n"  # Mon 23 Nov 01:00 UTC: W48
        "2026-11-23T00:15:00+0000,signups,4\n"  # Mon 23 Nov 00:15 UTC: W48
        "2026-11-23,latency_ms,300\n"
    )

    signups = pulled(workspace(tmp_path, csv, aggregate="sum"))["signups"]

    assert by_week(signups)["2026-W47"] == 1.0
    assert by_week(signups)["2026-W48"] == 6.0


@pytest.mark.parametrize("text", [LONG, WIDE], ids=["long", "wide"])
def test_a_utf8_bom_before_the_header_is_ignored(tmp_path, text):
    plain = pulled(workspace(tmp_path / "plain", text))
    with_bom = pulled(workspace(tmp_path / "bom", "\ufeff" + text))

    assert by_week(with_bom["signups"]) == by_week(plain["signups"])
    assert by_week(with_bom["latency_ms"]) == by_week(plain["latency_ms"])


def test_pull_returns_the_nsm_then_the_headline_metrics_and_an_ok_status(tmp_path):
    config = workspace(tmp_path, LONG)

    result = pull(PullContext(config, WEEK, UTC_NOW, env={}))

    assert [m.key for m in result.metrics] == ["signups", "latency_ms"]
    assert result.metrics[1].unit == "ms"
    assert result.status.state is SourceState.OK
    assert "metrics.csv" in result.status.name
    assert result.status.pulled_at == UTC_NOW


def test_thousands_commas_are_read_when_the_config_says_so(tmp_path):
    csv = 'date,signups,latency_ms\n2026-11-23,"1,234",300\n2026-11-24,"12,310.5",300\n'
    config = workspace(tmp_path, csv, aggregate="sum", metrics='decimal = "."\nthousands = ","')

    assert pulled(config)["signups"].this_week == 1234.0 + 12310.5


# Errors: each names the file, the line (the header is line 1) and the metric.


def test_missing_file_names_the_path(tmp_path):
    config = workspace(tmp_path, LONG)
    (tmp_path / "metrics.csv").unlink()

    message = input_error(config)

    assert str(tmp_path / "metrics.csv") in message
    assert "not found" in message


def test_empty_file_names_the_path_and_the_expected_header(tmp_path):
    message = input_error(workspace(tmp_path, "\n  \n"))

    assert message.startswith(f"{tmp_path / 'metrics.csv'}: file is empty")
    assert "date,metric,value" in message


def test_long_form_without_a_value_column_points_at_the_header(tmp_path):
    message = input_error(workspace(tmp_path, "date,metric,amount\n2026-11-23,signups,1\n"))

    assert message.startswith(f"{tmp_path / 'metrics.csv'}:1:")
    assert "no 'value' column" in message


def test_no_date_column_points_at_the_header_and_lists_the_columns_found(tmp_path):
    message = input_error(workspace(tmp_path, "day,signups,latency_ms\n2026-11-23,1,300\n"))

    assert message.startswith(f"{tmp_path / 'metrics.csv'}:1: no 'date' column")
    assert "day, signups, latency_ms" in message
    assert "metrics.date_column" in message


def test_metric_named_in_config_but_absent_lists_the_metrics_found(tmp_path):
    csv = "date,metric,value\n2026-11-23,sign_ups,1\n2026-11-23,latency_ms,300\n"

    message = input_error(workspace(tmp_path, csv))

    assert message.startswith(f"{tmp_path / 'metrics.csv'}: metric 'signups'")
    assert "metrics found: latency_ms, sign_ups" in message


@pytest.mark.parametrize(
    "csv",
    [
        "date,metric,value\n2026-11-23,signups,1\n2026-11-24,signups,2\n2026-11-25,signups,n/a\n",
        "date,latency_ms,signups\n2026-11-23,300,1\n2026-11-24,290,2\n2026-11-25,280,n/a\n",
    ],
    ids=["long", "wide"],
)
def test_non_numeric_value_names_its_line_and_metric(tmp_path, csv):
    message = input_error(workspace(tmp_path, csv))

    assert message.startswith(f"{tmp_path / 'metrics.csv'}:4: metric 'signups': 'n/a'")
    assert "not a number" in message


def test_a_date_that_is_not_a_date_names_its_line(tmp_path):
    csv = "date,metric,value\n2026-11-23,signups,1\n2026-11-31,signups,2\n"

    message = input_error(workspace(tmp_path, csv))

    assert message.startswith(
        f"{tmp_path / 'metrics.csv'}:3: metric 'signups': '2026-11-31' is not a date"
    )


def test_duplicate_rows_in_long_form_name_both_lines_and_the_metric(tmp_path):
    csv = (
        "date,metric,value\n2026-11-23,signups,1\n2026-11-23,latency_ms,300\n2026-11-23,signups,2\n"
    )

    message = input_error(workspace(tmp_path, csv))

    assert message.startswith(f"{tmp_path / 'metrics.csv'}:4: duplicate row")
    assert "for metric 'signups' is already on line 2" in message


def test_the_same_moment_written_with_two_offsets_is_a_duplicate(tmp_path):
    csv = (
        "date,metric,value\n"
        "2026-11-23T00:00:00Z,signups,1\n"
        "2026-11-23T01:00:00+01:00,signups,2\n"
        "2026-11-23,latency_ms,300\n"
    )

    message = input_error(workspace(tmp_path, csv))

    assert message.startswith(f"{tmp_path / 'metrics.csv'}:3: duplicate row")
    assert "already on line 2" in message


def test_duplicate_dates_in_wide_form_name_both_lines(tmp_path):
    csv = "date,signups,latency_ms\n2026-11-23,1,300\n2026-11-24,2,290\n2026-11-23,3,280\n"

    message = input_error(workspace(tmp_path, csv))

    assert message.startswith(f"{tmp_path / 'metrics.csv'}:4: duplicate row: date 2026-11-23")
    assert "already on line 2" in message


# The empty rows a spreadsheet export leaves at the end (",,") are skipped, as in long form.
def test_empty_rows_at_the_end_of_a_wide_file_are_ignored(tmp_path):
    csv = "date,signups,latency_ms\n2026-11-23,1,300\n,,\n,,\n"

    signups = pulled(workspace(tmp_path, csv))["signups"]

    assert signups.this_week == 1.0


# Duplicates are found on parsed times: 2026-11-23 and 2026-11-23T00:00:00 are one moment.
def test_one_day_written_two_ways_in_wide_form_is_a_duplicate(tmp_path):
    csv = "date,signups,latency_ms\n2026-11-23,1,300\n2026-11-23T00:00:00,3,280\n"

    message = input_error(workspace(tmp_path, csv))

    assert message.startswith(f"{tmp_path / 'metrics.csv'}:3: duplicate row")
    assert "already on line 2" in message


# A decimal comma from a European spreadsheet ("3,5") is reported with its line and metric,
# never misread as 35.
def test_a_decimal_comma_is_rejected_not_read_as_a_larger_number(tmp_path):
    csv = 'date,signups,latency_ms\n2026-11-23,"3,5",300\n'

    message = input_error(workspace(tmp_path, csv))

    assert message.startswith(f"{tmp_path / 'metrics.csv'}:2: metric 'signups': '3,5'")


def test_columns_and_rows_of_metrics_not_in_the_config_are_ignored(tmp_path):
    wide = (
        "date,signups,latency_ms,comment,exported_at\n"
        "2026-11-23,10,300,all good,2026-11-30T08:00:00Z\n"
        "2026-11-24,12,280,n/a,2026-11-30T08:00:00Z\n"
    )
    assert pulled(workspace(tmp_path / "wide", wide))["signups"].this_week == 12
    long = (
        "date,metric,value\n2026-11-23,signups,10\n2026-11-23,latency_ms,300\n2026-11-23,nps,n/a\n"
    )
    assert pulled(workspace(tmp_path / "long", long))["latency_ms"].this_week == 300


def test_a_trailing_comma_on_every_row_is_read_normally(tmp_path):
    csv = "date,signups,latency_ms\n2026-11-23,10,300,\n2026-11-24,12,280,\n"
    metrics = pulled(workspace(tmp_path, csv))
    assert metrics["signups"].this_week == 12 and metrics["latency_ms"].this_week == 280


def test_hourly_utc_rows_across_the_autumn_clock_change_are_not_duplicates(tmp_path):
    # 00:30Z and 01:30Z on Sun 25 Oct 2026 are both 02:30 on Berlin's wall clock.
    csv = (
        "date,metric,value\n"
        "2026-10-25T00:30:00Z,signups,1\n"
        "2026-10-25T01:30:00Z,signups,2\n"
        "2026-10-25T00:30:00Z,latency_ms,300\n"
    )
    config = workspace(tmp_path, csv, timezone="Europe/Berlin", aggregate="last")
    signups = pulled(config, IsoWeek(2026, 43))["signups"]
    assert signups.this_week == 2  # the later instant is the week's last value


def test_no_value_this_week_marks_the_source_stale_and_says_for_which_metric(tmp_path):
    csv = (
        "date,metric,value\n"
        "2026-11-17,signups,10\n2026-11-17,latency_ms,300\n2026-11-24,signups,12\n"
    )
    result = pull(PullContext(workspace(tmp_path, csv), WEEK, UTC_NOW, env={}))
    assert result.status.state is SourceState.STALE
    assert "no value in 2026-W48 for latency_ms" in (result.status.reason or "")
    assert result.status.stale_since is not None
    assert result.status.stale_since.date() == dt.date(2026, 11, 24)


def test_a_row_with_more_values_than_the_header_names_its_line(tmp_path):
    csv = "date,signups,latency_ms\n2026-11-23,10,300\n2026-11-24,12,280,99\n"
    message = input_error(workspace(tmp_path, csv))
    assert message.startswith(f"{tmp_path / 'metrics.csv'}:3: 4 fields but the header has 3")


def test_a_european_export_with_semicolons_and_decimal_commas_is_read(tmp_path):
    csv = "date;metric;value\n2026-11-23;signups;3,5\n2026-11-24;latency_ms;280\n"
    metrics = pulled(workspace(tmp_path, csv, aggregate="sum"))
    assert metrics["signups"].this_week == 3.5
    assert metrics["latency_ms"].this_week == 280


def test_a_european_export_with_thousands_dots_is_read_when_the_config_says_so(tmp_path):
    csv = "date;metric;value\n2026-11-23;signups;12.340,5\n2026-11-24;latency_ms;280\n"
    assert "'12.340,5' has a dot" in input_error(workspace(tmp_path / "default", csv))

    config = workspace(tmp_path / "said", csv, metrics='decimal = ","\nthousands = "."')
    assert pulled(config)["signups"].this_week == 12340.5


# Numbers are read exactly or refused: a separator is read only as the config states it.


@pytest.mark.parametrize("cell", ["3,550", "3,51", "12,310"])
def test_a_comma_in_a_number_is_refused_by_default_never_guessed(tmp_path, cell):
    csv = f'date,metric,value\n2026-11-23,signups,"{cell}"\n2026-11-23,latency_ms,300\n'

    message = input_error(workspace(tmp_path, csv))

    assert message.startswith(
        f"{tmp_path / 'metrics.csv'}:2: metric 'signups': '{cell}' has a comma"
    )
    assert "metrics.decimal" in message and "metrics.thousands" in message


def test_a_decimal_comma_is_read_when_the_config_says_so(tmp_path):
    csv = 'date,metric,value\n2026-11-23,signups,"3,550"\n2026-11-23,latency_ms,"0,5"\n'

    metrics = pulled(workspace(tmp_path, csv, metrics='decimal = ","'))

    assert metrics["signups"].this_week == 3.55
    assert metrics["latency_ms"].this_week == 0.5


@pytest.mark.parametrize(
    ("thousands", "cell"),
    [(".", "1.234,5"), (" ", "1 234,5"), (" ", "1\u202f234,5"), ("", "1234,5")],
)
def test_thousands_and_decimal_commas_are_read_in_the_form_configured(tmp_path, thousands, cell):
    csv = f'date,metric,value\n2026-11-23,signups,"{cell}"\n2026-11-23,latency_ms,300\n'
    config = workspace(tmp_path, csv, metrics=f'decimal = ","\nthousands = "{thousands}"')

    assert pulled(config)["signups"].this_week == 1234.5


@pytest.mark.parametrize("cell", ["1.234,5", "1,2,3", "12.34.5"])
def test_a_number_not_in_the_configured_form_is_refused_naming_the_keys(tmp_path, cell):
    csv = f'date,metric,value\n2026-11-23,signups,"{cell}"\n2026-11-23,latency_ms,300\n'

    message = input_error(workspace(tmp_path, csv, metrics='decimal = ","'))

    assert message.startswith(f"{tmp_path / 'metrics.csv'}:2: metric 'signups': '{cell}' is not")
    assert 'metrics.decimal ",", metrics.thousands ""' in message


def test_a_thousands_comma_in_a_wide_export_is_refused_by_default_with_its_line(tmp_path):
    csv = 'date,signups,latency_ms\n2026-11-23,12000,300\n2026-11-24,"12,310",290\n'

    message = input_error(workspace(tmp_path, csv))

    assert message.startswith(f"{tmp_path / 'metrics.csv'}:3: metric 'signups': '12,310'")


@pytest.mark.parametrize(
    ("keys", "key", "says"),
    [
        ('decimal = ";"', "metrics.decimal", "Input should be '.' or ','"),
        ('thousands = "_"', "metrics.thousands", "Input should be"),
        ('decimal = ","\nthousands = ","', "metrics.thousands", "must differ from metrics.decimal"),
        ('decimal = "."\nthousands = "."', "metrics.thousands", "must differ from metrics.decimal"),
        ('thousands = ","', "metrics.thousands", "set metrics.decimal too"),
        ('future_rows = "drop"', "metrics.future_rows", "Input should be 'ignore' or 'refuse'"),
    ],
)
def test_the_number_form_and_future_rows_keys_are_validated_with_the_config(
    tmp_path, keys, key, says
):
    with pytest.raises(ConfigError) as caught:
        workspace(tmp_path, LONG, metrics=keys)

    assert f"{key}: {says}" in str(caught.value)


@pytest.mark.parametrize("cell", ["inf", "-Infinity", "nan", "NaN", "1e400", "1e300", "-2e15"])
def test_non_finite_and_absurd_values_are_refused_naming_the_cell(tmp_path, cell):
    csv = f"date,metric,value\n2026-11-23,latency_ms,300\n2026-11-24,signups,{cell}\n"

    message = input_error(workspace(tmp_path, csv))

    assert message.startswith(f"{tmp_path / 'metrics.csv'}:3: metric 'signups': '{cell}' is ")
    assert "finite" in message or "beyond ±1e+15" in message


def test_the_largest_magnitude_read_is_1e15(tmp_path):
    csv = "date,metric,value\n2026-11-23,latency_ms,-1e15\n2026-11-24,signups,1000000000000000\n"

    metrics = pulled(workspace(tmp_path, csv))

    assert metrics["signups"].this_week == 1e15 and metrics["latency_ms"].this_week == -1e15


# NOW is Fri 27 Nov 2026 16:00 in Berlin; Sat 28 and Sun 29 are after it, in the same ISO week.
THIS_WEEK = """\
date,metric,value
2026-11-24,signups,170
2026-11-27T15:30:00,signups,180
2026-11-27T14:30:00Z,latency_ms,300
"""
FORECAST = """\
2026-11-27T15:30:00Z,latency_ms,1
2026-11-28,signups,9999
2026-11-29,signups,TBD
"""


def berlin_pull(config: Config) -> SourceResult:
    return pull(PullContext(config, WEEK, NOW, env={}))


def test_rows_after_the_reports_moment_are_left_out_with_one_warning(tmp_path):
    plain = berlin_pull(workspace(tmp_path / "plain", THIS_WEEK, timezone="Europe/Berlin"))
    config = workspace(tmp_path / "forecast", THIS_WEEK + FORECAST, timezone="Europe/Berlin")

    result = berlin_pull(config)

    assert plain.status.state is SourceState.OK
    assert result.metrics == plain.metrics  # the headline is the figure so far, not a forecast
    assert result.metrics[0].this_week == 180 and result.metrics[1].this_week == 300
    assert result.status.state is SourceState.STALE
    assert result.status.reason == (
        "3 rows dated after this report (Fri 27 Nov 2026 16:00) left out, the latest "
        "2026-11-29; a forecast or placeholder is not a figure: remove them, or set "
        'metrics.future_rows = "refuse" to stop on them'
    )
    assert result.status.stale_since is None


def test_rows_after_the_reports_moment_are_refused_when_so_configured(tmp_path):
    config = workspace(
        tmp_path, THIS_WEEK + FORECAST, timezone="Europe/Berlin", metrics='future_rows = "refuse"'
    )
    ok = workspace(
        tmp_path / "ok", THIS_WEEK, timezone="Europe/Berlin", metrics='future_rows = "refuse"'
    )
    assert berlin_pull(ok).status.state is SourceState.OK

    with pytest.raises(InputError) as caught:
        berlin_pull(config)

    assert caught.value.exit_code == 2
    assert str(caught.value).startswith(
        f"{tmp_path / 'metrics.csv'}:5: metric 'latency_ms': '2026-11-27T15:30:00Z' is after "
        "this report (Fri 27 Nov 2026 16:00) (and 2 more such rows, the latest 2026-11-29)"
    )
    assert 'metrics.future_rows = "ignore"' in str(caught.value)


# An Excel export pads the header with empty cells; they name no column, like a comment.
@pytest.mark.parametrize(
    "csv",
    [
        "date,metric,value,,\n2026-11-23,signups,10,,\n2026-11-23,latency_ms,300,,\n",
        "date,signups,latency_ms,,\n2026-11-23,10,300,,\n",
        "date,signups,,latency_ms,\n2026-11-23,10,,300,\n",
    ],
    ids=["long", "wide", "between"],
)
def test_empty_header_cells_are_unused_columns(tmp_path, csv):
    metrics = pulled(workspace(tmp_path, csv))

    assert metrics["signups"].this_week == 10 and metrics["latency_ms"].this_week == 300


def test_a_named_column_repeated_is_still_refused_beside_empty_ones(tmp_path):
    csv = "date,signups,latency_ms,signups,,\n2026-11-23,10,300,11,,\n"

    message = input_error(workspace(tmp_path, csv))

    assert message.startswith(
        f"{tmp_path / 'metrics.csv'}:1: column 'signups' appears more than once in the header"
    )


# Through the command line, with the real clock: the report's moment is now.


def cli_render(config: Config) -> Result:
    return CliRunner().invoke(cli, ["render", "--config", str(config.path)])


def test_the_cli_refuses_a_comma_in_one_line_without_a_traceback(tmp_path):
    today = dt.datetime.now(dt.UTC).date()
    csv = f'date,signups,latency_ms\n{today},"3,550",300\n'

    result = cli_render(workspace(tmp_path, csv))

    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"Error: {tmp_path / 'metrics.csv'}:2: metric 'signups': '3,550' has a comma, which "
        "could be a decimal mark or a thousands separator; weekly does not guess: export plain "
        'numbers (such as 1234.5), or set metrics.decimal ("." or ",") and metrics.thousands '
        '("", ",", "." or " ") in the config to the form the file uses'
    ]


def test_the_cli_warns_of_future_rows_once_and_keeps_the_headline(tmp_path):
    today = dt.datetime.now(dt.UTC).date()
    past = f"date,signups,latency_ms\n{today - dt.timedelta(days=7)},160,320\n{today},180,300\n"
    future = "".join(f"{today + dt.timedelta(days=n)},9999,1\n" for n in (1, 2))
    config = workspace(tmp_path, past + future)

    result = cli_render(config)

    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "weekly: warning: metrics CSV (metrics.csv) stale: 2 rows dated after this report "
        f"({result.stderr.split('(')[2].split(')')[0]}) left out, the latest "
        f"{today + dt.timedelta(days=2)}; a forecast or placeholder is not a figure: remove "
        'them, or set metrics.future_rows = "refuse" to stop on them'
    ]
    html = next((tmp_path / "reports").rglob("*.html")).read_text(encoding="utf-8")
    assert "180" in html and "9,999" not in html


def test_the_cli_refuses_future_rows_with_exit_2_when_so_configured(tmp_path):
    today = dt.datetime.now(dt.UTC).date()
    csv = f"date,signups,latency_ms\n{today},180,300\n{today + dt.timedelta(days=1)},9999,1\n"

    result = cli_render(workspace(tmp_path, csv, metrics='future_rows = "refuse"'))

    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"Error: {tmp_path / 'metrics.csv'}:3: metric 'signups': ")
    assert "is after this report" in line and "Traceback" not in result.output
