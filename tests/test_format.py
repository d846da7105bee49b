"""How numbers, changes and dates read on the page."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import metric

from weekly.model import Direction
from weekly.render.format import change, change_class, day, number, shorten


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


def test_change_shows_sign_arrow_percent_and_absolute():
    m = metric(values=[11854, 12340])
    assert change(m) == "▲ +4.1% (+486)"
    assert change_class(m) == "good"


def test_change_of_a_percentage_metric_is_in_points():
    m = metric(values=[3.4, 3.1], unit="%", decimals=1)
    assert change(m) == "▼ −0.3 pp"
    assert change_class(m) == "bad"


def test_lower_is_better_turns_a_fall_good():
    m = metric(values=[300, 270], unit="ms", direction=Direction.LOWER)
    assert change(m) == "▼ −10.0% (−30\u202fms)"
    assert change_class(m) == "good"


def test_flat_and_unknown_changes():
    assert change(metric(values=[5, 5])) == "= no change"
    assert change_class(metric(values=[5, 5])) == "flat"
    assert change(metric(values=[None, 5])) == "no change data"


def test_dates_read_as_people_say_them():
    today = dt.date(2026, 11, 27)
    assert day(dt.date(2026, 12, 4), today) == "Fri 4 Dec"
    assert day(dt.date(2027, 1, 22), today) == "Fri 22 Jan 2027"
    assert day(None, today) == "no date"


def test_shorten_cuts_at_a_word_and_marks_it():
    text = "Card-token cache live in two of three regions; p95 down 18 ms there."
    assert shorten(text, 30) == "Card-token cache live in two…"
    assert shorten(text, 200) == text
