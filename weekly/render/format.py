"""How numbers, changes and dates read on the page. Pure functions, used as Jinja filters."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable

from babel.numbers import get_decimal_symbol, get_group_symbol

from weekly.i18n import _, current, day_text, ngettext, week_name, word
from weekly.model import (
    Bet,
    Confidence,
    Delivery,
    Direction,
    Metric,
    Report,
    SourceState,
    TrackRecord,
    WeekValue,
)
from weekly.weeks import IsoWeek

_LEVEL = {Confidence.LOW: 1, Confidence.MEDIUM: 2, Confidence.HIGH: 3}
_PREFIX_UNITS = {"$", "€", "£", "¥", "CHF"}


def number(value: float | None, unit: str = "", decimals: int | None = None) -> str:
    """`12,340`, `182 ms`, `3.4%`, `€1,204`; an en dash when there is no value."""
    if value is None:
        return "–"
    places = decimals if decimals is not None else _auto_decimals(value)
    text = _in_locale(f"{value:,.{places}f}")
    if not unit:
        return text
    if unit in _PREFIX_UNITS:
        return f"-{unit}{text[1:]}" if text.startswith("-") else f"{unit}{text}"
    if unit == "%":
        return f"{text}%"
    return f"{text}\u202f{unit}"


def _in_locale(text: str) -> str:
    """`12,340.5` with the locale's group and decimal marks (the same in en and zh-CN)."""
    locale = current().locale
    group, decimal = get_group_symbol(locale), get_decimal_symbol(locale)
    if (group, decimal) == (",", "."):
        return text
    return text.replace(",", "\0").replace(".", decimal).replace("\0", group)


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
        return _("no change data")
    if is_no_change(metric):
        return "= " + _("no change")
    arrow = "▲" if delta > 0 else "▼"
    figure = f"{arrow} {change_figure(metric)}"
    if metric.unit != "%" and metric.change_pct is not None:
        sign = "+" if delta > 0 else "−"
        figure += f" ({sign}{number(abs(delta), metric.unit, _change_places(metric))})"
    # In words too: colour alone is lost in greyscale and to red-green colour blindness.
    verdict = _("better") if metric.change_is_good else _("worse")
    return f"{figure} {verdict}"


def change_figure(metric: Metric) -> str:
    """The change in one figure, as the mail's subject shows it: `+4.1%`, `−0.3 pp` for a
    metric measured in %, the absolute change when last week was 0 (no ratio), `no change`,
    or empty when last week is unknown."""
    delta = metric.change
    if delta is None:
        return ""
    if is_no_change(metric):
        return _("no change")
    sign = "+" if delta > 0 else "−"
    if metric.unit == "%":
        points = number(abs(delta), "", _change_places(metric))
        return sign + _("%(points)s pp") % {"points": points}
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
    return _("since the %(week)s report (%(value)s)") % {
        "week": week_name(metric.last_sent_week),
        "value": shown,
    }


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
        return _("no date")
    return day_text(value, with_year=today is not None and value.year != today.year)


def week_range(week: IsoWeek) -> str:
    """`Mon 23 Nov – Sun 29 Nov 2026`; both years when the week spans New Year."""
    monday, sunday = week.monday, week.sunday
    start = day_text(monday, with_year=monday.year != sunday.year)
    return f"{start} – {day_text(sunday, with_year=True)}"


def target_line(metric: Metric) -> str:
    """`Target 15,000 · 97% of target`, or `No target set`."""
    if metric.target is None:
        return _("No target set")
    value = number(metric.target, metric.unit, metric.decimals)
    return _("Target %(value)s") % {"value": value} + " · " + target_status(metric)


def missing_from(report: Report, what: str, banner: bool = False) -> str:
    """`Jira failed, so bets from it are missing.` when a source failed; else "". `banner`:
    the page points at its banner above."""
    failed = [s.name for s in report.failed_sources if s.state is SourceState.FAILED]
    if not failed:
        return ""
    words = {"sources": ", ".join(failed), "what": what}
    if banner:
        text = _("%(sources)s failed, so %(what)s from it are missing (see the banner above).")
    else:
        text = _("%(sources)s failed, so %(what)s from it are missing.")
    return text % words


def target_status(metric: Metric) -> str:
    """`97% of target`, `target met`, or for lower-is-better `8% above target`."""
    value, target = metric.this_week, metric.target
    if value is None or target is None:
        return _("no value this week") if target is not None else _("no target")
    higher = metric.direction is Direction.HIGHER
    if (value >= target) if higher else (value <= target):
        return _("target met")
    if target == 0:  # no ratio to a zero target: say how far off it is
        off = number(abs(value), metric.unit, metric.decimals)
        return (_("%(value)s below target") if higher else _("%(value)s above target")) % {
            "value": off
        }
    if higher and metric.target_attainment is not None:
        return _("%(share)s%% of target") % {"share": f"{metric.target_attainment:.0f}"}
    return _("%(share)s%% above target") % {"share": f"{(value / target - 1) * 100:.0f}"}


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
    none = _("no status")
    if change.previous_status != bet.status:
        was_status = word(change.previous_status) if change.previous_status else none
        parts.append(f"{was_status} → {word(bet.status) if bet.status else none}")
    was, now = change.previous_confidence, bet.confidence
    if was and was != now:
        down = (_LEVEL[now] if now else 0) < _LEVEL[was]
        moved = (
            _("confidence down: %(was)s → %(now)s")
            if down
            else _("confidence up: %(was)s → %(now)s")
        )
        parts.append(moved % {"was": word(was), "now": word(now) if now else "–"})
    if change.target_moves:
        parts.append(ngettext("target moved once", "target moved %(num)d×", change.target_moves))
    if not page:
        if change.done_delta:
            parts.append(_("%(delta)s done") % {"delta": f"{change.done_delta:+d}"})
        elif change.done_delta == 0:
            parts.append(_("nothing done"))
        was_at, now_at = change.previous_hill, bet.hill
        if was_at is not None and now_at is not None and was_at != now_at:
            parts.append(_("hill %(was)s → %(now)s") % {"was": was_at, "now": now_at})
    if change.new_blockers:
        count = len(change.new_blockers)
        parts.append(ngettext("new %(num)d blocker", "new %(num)d blockers", count))
    if change.resolved_blockers:
        count = len(change.resolved_blockers)
        parts.append(ngettext("%(num)d blocker resolved", "%(num)d blockers resolved", count))
    return " · ".join(parts)


def record_line(record: TrackRecord | None) -> str:
    """`last 4 sent reports: 7 of 9 commitments kept · 2 bets slipped, 21 days in all ·
    1 bet finished, 5 days after its first target`; empty without a sent report."""
    if record is None:
        return ""
    parts = [
        ngettext("%(num)d commitment made", "%(num)d commitments made", record.made)
        if not record.made
        else _("%(kept)d of %(made)d commitments kept") % {"kept": record.kept, "made": record.made}
    ]
    if record.slipped_bets:
        bets = ngettext("%(num)d bet slipped", "%(num)d bets slipped", record.slipped_bets)
        days = ngettext("%(num)d day in all", "%(num)d days in all", record.slip_days)
        parts.append(f"{bets}{_(', ')}{days}")
    else:
        parts.append(_("no slip"))
    if record.finished:
        done = ngettext("%(num)d bet finished", "%(num)d bets finished", record.finished)
        if record.finished_late:
            late = ngettext(
                "%(num)d day after its first target",
                "%(num)d days after their first targets",
                record.days_late,
            )
            parts.append(f"{done}{_(', ')}{late}")
        else:
            parts.append(f"{done}{_(', ')}{_('on or before the first target')}")
    reports = ngettext("last %(num)d sent report", "last %(num)d sent reports", record.reports)
    return f"{reports}{_(': ')}" + " · ".join(parts)


def forecast_line(bet: Bet, today: dt.date | None = None) -> str:
    """`50% by Fri 18 Dec, 85% by Fri 8 Jan (from 12 weeks, 3.2 items a week)`, or
    `no forecast: nothing finished in 12 weeks`; empty when the bet has no forecast."""
    fc = bet.forecast
    if fc is None:
        return ""
    if fc.likely is None or fc.safe is None:
        return ngettext(
            "no forecast: nothing finished in %(num)d week",
            "no forecast: nothing finished in %(num)d weeks",
            fc.weeks,
        )
    if fc.beyond:
        dates = _("50%% by %(likely)s, 85%% not within five years") % {
            "likely": day(fc.likely, today)
        }
    else:
        dates = _("50%% by %(likely)s, 85%% by %(safe)s") % {
            "likely": day(fc.likely, today),
            "safe": day(fc.safe, today),
        }
    basis = {"weeks": fc.weeks, "rate": f"{fc.per_week:.1f}"}
    if fc.from_team:
        said = _("from the team's %(weeks)d weeks, %(rate)s items a week a bet") % basis
    else:
        said = _("from %(weeks)d weeks, %(rate)s items a week") % basis
    return f"{dates} ({said})"


def forecast_ask(bet: Bet, today: dt.date | None = None) -> str:
    """After a forecast later than the target: the PM's answer, or the question to them."""
    target = {"day": day(bet.target_date, today)}
    if bet.forecast_answer:
        return _("after the target, %(day)s") % target + f" · {bet.forecast_answer}"
    return _("after the target, %(day)s: confirm it, move it, or give options") % target


def forecast_short(bet: Bet, today: dt.date | None = None) -> str:
    """The forecast beside a target date: `85%: Fri 8 Jan`, `no forecast`, or empty."""
    fc = bet.forecast
    if fc is None:
        return ""
    if fc.safe is None:
        return _("no forecast")
    if fc.beyond:
        return _("85%%: not within five years")
    return _("85%%: %(day)s") % {"day": day(fc.safe, today)}


def delivered_counts(delivered: Iterable[Delivery]) -> str:
    """`1 issue and 2 pull requests`: the delivered work by kind."""
    counts: dict[str, int] = {}
    for item in delivered:
        counts[item.kind] = counts.get(item.kind, 0) + 1
    return _(" and ").join(_kind_count(kind, count) for kind, count in sorted(counts.items()))


def _kind_count(kind: str, count: int) -> str:
    if kind == "pull request":
        return ngettext("%(num)d pull request", "%(num)d pull requests", count)
    if kind == "issue":
        return ngettext("%(num)d issue", "%(num)d issues", count)
    return f"{count} {kind}"
