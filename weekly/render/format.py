"""How numbers, changes and dates read on the page. Pure functions, used as Jinja filters."""

from __future__ import annotations

import dataclasses
import datetime as dt

from weekly.model import Bet, Confidence, Direction, Metric, WeekValue
from weekly.weeks import IsoWeek

_LEVEL = {Confidence.LOW: 1, Confidence.MEDIUM: 2, Confidence.HIGH: 3}
_PREFIX_UNITS = {"$", "€", "£", "¥", "CHF"}


def number(value: float | None, unit: str = "", decimals: int | None = None) -> str:
    """`12,340`, `182 ms`, `3.4%`, `€1,204`; an en dash when there is no value."""
    if value is None:
        return "–"
    places = decimals if decimals is not None else _auto_decimals(value)
    text = f"{value:,.{places}f}"
    if not unit:
        return text
    if unit in _PREFIX_UNITS:
        return f"-{unit}{text[1:]}" if text.startswith("-") else f"{unit}{text}"
    if unit == "%":
        return f"{text}%"
    return f"{text}\u202f{unit}"


def _auto_decimals(value: float) -> int:
    size = abs(value)
    if size >= 100 or float(value).is_integer():
        return 0
    return 1 if size >= 10 else 2


def change(metric: Metric) -> str:
    """`▲ +4.1% (+486) better`, `▲ +13.4% (+36 ms) worse` by the metric's direction; for a
    metric measured in %, the change in points: `▼ −0.3 pp worse`; `= no change`."""
    delta = metric.change
    if delta is None:
        return "no change data"
    if is_no_change(metric):
        return "= no change"
    arrow = "▲" if delta > 0 else "▼"
    figure = f"{arrow} {change_figure(metric)}"
    if metric.unit != "%" and metric.change_pct is not None:
        sign = "+" if delta > 0 else "−"
        figure += f" ({sign}{number(abs(delta), metric.unit, _change_places(metric))})"
    # In words too: colour alone is lost in greyscale and to red-green colour blindness.
    return f"{figure} {'better' if metric.change_is_good else 'worse'}"


def change_figure(metric: Metric) -> str:
    """The change in one figure, as the mail's subject shows it: `+4.1%`, `−0.3 pp` for a
    metric measured in %, the absolute change when last week was 0 (no ratio), `no change`,
    or empty when last week is unknown."""
    delta = metric.change
    if delta is None:
        return ""
    if is_no_change(metric):
        return "no change"
    sign = "+" if delta > 0 else "−"
    if metric.unit == "%":
        return f"{sign}{number(abs(delta), '', _change_places(metric))} pp"
    if metric.change_pct is None:
        return f"{sign}{number(abs(delta), metric.unit, _change_places(metric))}"
    return f"{sign}{abs(metric.change_pct):.1f}%"


def is_no_change(metric: Metric) -> bool:
    """True when the change rounds to zero as the page shows it: `+0.0% (+0)` is no change,
    neither good nor bad news. False when last week is unknown."""
    delta = metric.change
    if delta is None:
        return False
    places = _change_places(metric)
    absolute = round(delta, places if places is not None else _auto_decimals(abs(delta)))
    if metric.unit == "%" or metric.change_pct is None:
        return absolute == 0
    return absolute == 0 and round(metric.change_pct, 1) == 0


def _change_places(metric: Metric) -> int | None:
    # Round the change like the metric itself: 270 ms falls by 3 ms, not by 3.31 ms.
    if metric.decimals is None and metric.this_week is not None:
        return _auto_decimals(metric.this_week)
    return metric.decimals


def against_last_report(metric: Metric) -> Metric | None:
    """The metric with the last sent report's value as "last week", so `change` reads the
    change since that report; None when there is none or it showed what last week shows."""
    if metric.last_sent is None or metric.last_sent_week is None or not metric.series:
        return None
    shown_last_week = len(metric.series) >= 2 and metric.series[-2].week == metric.last_sent_week
    if shown_last_week and metric.last_sent == metric.last_week:
        return None
    was = WeekValue(metric.last_sent_week, metric.last_sent)
    return dataclasses.replace(metric, series=(was, metric.series[-1]))


def last_report(metric: Metric) -> str:
    """`since the 2026-W47 report (300 ms)`: what `against_last_report` compares with."""
    shown = number(metric.last_sent, metric.unit, metric.decimals)
    return f"since the {metric.last_sent_week} report ({shown})"


def change_class(metric: Metric) -> str:
    """CSS class for the change: good, bad or flat (also a change that rounds to zero), by the
    metric's direction."""
    good = metric.change_is_good
    if good is None or is_no_change(metric):
        return "flat"
    return "good" if good else "bad"


def day(value: dt.date | None, today: dt.date | None = None) -> str:
    """A date as people say it: `Fri 4 Dec`, with the year when it is not this year's."""
    if value is None:
        return "no date"
    text = f"{value:%a} {value.day} {value:%b}"
    if today is not None and value.year != today.year:
        text += f" {value.year}"
    return text


def week_range(week: IsoWeek) -> str:
    """`Mon 23 Nov – Sun 29 Nov 2026`; both years when the week spans New Year."""
    monday, sunday = week.monday, week.sunday
    start = day(monday) + (f" {monday.year}" if monday.year != sunday.year else "")
    return f"{start} – {day(sunday)} {sunday.year}"


def target_status(metric: Metric) -> str:
    """`97% of target`, `target met`, or for lower-is-better `8% above target`."""
    value, target = metric.this_week, metric.target
    if value is None or target is None:
        return "no value this week" if target is not None else "no target"
    higher = metric.direction is Direction.HIGHER
    if (value >= target) if higher else (value <= target):
        return "target met"
    if target == 0:  # no ratio to a zero target: say how far off it is
        side = "below" if higher else "above"
        return f"{number(abs(value), metric.unit, metric.decimals)} {side} target"
    if higher and metric.target_attainment is not None:
        return f"{metric.target_attainment:.0f}% of target"
    return f"{(value / target - 1) * 100:.0f}% above target"


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def shorten(text: str, limit: int | None) -> str:
    """Cut at a word boundary before `limit` characters, ending with an ellipsis."""
    if limit is None or len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] if " " in text[:limit] else text[: limit - 1]
    return cut.rstrip(" ,;:.") + "…"


def since(bet: Bet, page: bool = False) -> str:
    """How a bet moved since the last sent report, in a few words; empty when it did not.

    On the page (`page=True`) the work done and the hill move are left out: the progress
    column shows the first (`+3`) and the hill its old and new dot, so the line is only
    there when something a reader must notice changed.
    """
    change = bet.change
    if change is None:
        return ""
    parts = []
    if change.previous_status != bet.status:
        parts.append(f"{change.previous_status or 'no status'} → {bet.status or 'no status'}")
    was, now = change.previous_confidence, bet.confidence
    if was and was != now:
        trend = "down" if (_LEVEL[now] if now else 0) < _LEVEL[was] else "up"
        parts.append(f"confidence {trend}: {was} → {now or '–'}")
    if change.target_moves:
        times = "once" if change.target_moves == 1 else f"{change.target_moves}×"
        parts.append(f"target moved {times}")
    if not page:
        if change.done_delta:
            parts.append(f"{change.done_delta:+d} done")
        elif change.done_delta == 0:
            parts.append("nothing done")
        was_at, now_at = change.previous_hill, bet.hill
        if was_at is not None and now_at is not None and was_at != now_at:
            parts.append(f"hill {was_at} → {now_at}")
    if change.new_blockers:
        parts.append(f"new {plural(len(change.new_blockers), 'blocker')}")
    if change.resolved_blockers:
        parts.append(f"{plural(len(change.resolved_blockers), 'blocker')} resolved")
    return " · ".join(parts)
