"""How numbers, changes and dates read on the page."""

from __future__ import annotations

import datetime as dt

import pytest

from testing.reports import metric
from weekly.model import Direction
from weekly.render.format import (
    change,
    change_class,
    change_figure,
    day,
    is_no_change,
    number,
    shorten,
)


@pytest.mark.parametrize(
    ("value", "unit", "decimals", "expected"),
    [
        (12340, "", None, "12,340"),
        (12340.4, "", None, "12,340"),
        (182.0, "ms", None, "182\u202fms"),
        (3.456, "%", 2, "3.46%"),
        (1204, "€", None, "€1,204"),
        (-1204, "$", None, "-$1,204"),
        (0.5, "", None, "0.50"),
        (None, "ms", None, "–"),
    ],
)
def test_numbers_have_separators_and_units(value, unit, decimals, expected):
    assert number(value, unit, decimals) == expected


def test_change_shows_sign_arrow_percent_absolute_and_whether_it_is_good():
    m = metric(values=[11854, 12340])
    assert change(m) == "▲ +4.1% (+486) better"
    assert change_class(m) == "good"


def test_latency_up_reads_worse_in_words_not_only_in_colour():
    m = metric(values=[269, 305], unit="ms", direction=Direction.LOWER)
    assert change(m) == "▲ +13.4% (+36\u202fms) worse"
    assert change_class(m) == "bad"


def test_revenue_up_reads_better():
    m = metric(values=[51_000, 56_458], unit="€")
    assert change(m) == "▲ +10.7% (+€5,458) better"
    assert change_class(m) == "good"


def test_change_of_a_percentage_metric_is_in_points():
    m = metric(values=[3.4, 3.1], unit="%", decimals=1)
    assert change(m) == "▼ −0.3 pp worse"
    assert change_class(m) == "bad"
    assert change_figure(m) == "−0.3 pp"


def test_lower_is_better_turns_a_fall_good():
    m = metric(values=[300, 270], unit="ms", direction=Direction.LOWER)
    assert change(m) == "▼ −10.0% (−30\u202fms) better"
    assert change_class(m) == "good"


def test_from_zero_there_is_no_ratio_only_the_absolute_change():
    m = metric(values=[0, 5])
    assert change(m) == "▲ +5 better"
    assert change_figure(m) == "+5"


def test_an_exactly_zero_change_is_no_change():
    m = metric(values=[5, 5])
    assert (change(m), change_class(m), change_figure(m)) == ("= no change", "flat", "no change")


@pytest.mark.parametrize(
    ("values", "kw"),
    [
        ([1_000, 1_000.4], {}),  # +0.04% at 1 decimal, +0.4 at no decimals
        ([3.41, 3.412], {"unit": "%", "decimals": 2}),  # +0.002 pp at 2 places
        ([300, 300.1], {"unit": "ms", "direction": Direction.LOWER}),  # +0.03%, +0 ms
        ([300, 299.9], {"unit": "ms", "direction": Direction.LOWER}),  # a fall, just as flat
        ([0, 0.004], {"decimals": 2}),  # from zero, no ratio: +0.00
    ],
)
def test_a_change_that_rounds_to_zero_reads_no_change_and_is_flat(values, kw):
    m = metric(values=values, **kw)
    assert m.change and m.change_is_good is not None  # the model still sees a change
    assert is_no_change(m)
    assert (change(m), change_class(m), change_figure(m)) == ("= no change", "flat", "no change")


def test_a_small_change_that_shows_is_not_flat():
    # +0.0% of a big number, but +€300 shows: a change, though a small one.
    m = metric(values=[1_000_000, 1_000_300], unit="€")
    assert change(m) == "▲ +0.0% (+€300) better"
    assert change_class(m) == "good"
    assert change_figure(metric(values=[3.41, 3.42], unit="%", decimals=2)) == "+0.01 pp"


def test_last_week_missing_is_no_change_data():
    m = metric(values=[None, 5])
    assert (change(m), change_class(m), change_figure(m)) == ("no change data", "flat", "")
    assert not is_no_change(m)


def test_dates_read_as_people_say_them():
    today = dt.date(2026, 11, 27)
    assert day(dt.date(2026, 12, 4), today) == "Fri 4 Dec"
    assert day(dt.date(2027, 1, 22), today) == "Fri 22 Jan 2027"
    assert day(None, today) == "no date"


def test_shorten_cuts_at_a_word_and_marks_it():
    text = "Card-token cache live in two of three regions; p95 down 18 ms there."
    assert shorten(text, 30) == "Card-token cache live in two…"
    assert shorten(text, 200) == text
