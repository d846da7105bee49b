"""What `weekly history` shows: the team's sent reports, what changed between two of them,
and the team's record."""

from __future__ import annotations

from collections.abc import Sequence

from weekly import record
from weekly.config import Config
from weekly.errors import InputError
from weekly.history import History, Sent, before, diff
from weekly.paths import ReportFiles
from weekly.render.format import plural, record_line
from weekly.weeks import IsoWeek


def lines(config: Config, weeks: tuple[IsoWeek, IsoWeek] | None, track: bool) -> list[str]:
    """`weekly history`: the sent reports; with `weeks`, what changed between them; with
    `track`, the team's record."""
    team = config.report.team
    sent = History(ReportFiles.of(config).history).sent(team)
    if weeks is not None:
        return week_diff(sent, weeks)
    return record_table(team, sent) if track else listing(team, sent)


def listing(team: str, sent: Sequence[Sent]) -> list[str]:
    """One line a sent report: week, sent at, recipients, NSM."""
    if not sent:
        return [_none_yet(team)]
    return [
        f"{item.week}  sent {item.sent_at:%a %d %b %Y %H:%M}  to "
        f"{plural(len(item.recipients), 'recipient')}  ·  {item.nsm}"
        for item in sent
    ]


def record_table(team: str, sent: Sequence[Sent]) -> list[str]:
    """The record over the last 4 and 12 sent reports, as `weekly history --record` shows it."""
    if not sent:
        return [_none_yet(team)]
    return [
        f"The record of {team}, from its sent reports:",
        *record.table([item.report for item in sent]),
    ]


def week_diff(sent: Sequence[Sent], weeks: tuple[IsoWeek, IsoWeek]) -> list[str]:
    """What changed between two sent weeks, and the record as it stood at each."""
    by_week = {item.week: item.report for item in sent}
    missing = [str(w) for w in weeks if w not in by_week]
    if missing:
        raise InputError(f"--diff: no sent report for {', '.join(missing)}; see weekly history")
    was, now = (record.track_record(before(by_week[w], sent), record.RECORD_REPORTS) for w in weeks)
    return [
        *diff(by_week[weeks[0]], by_week[weeks[1]]),
        f"record: {record_line(was) or 'none yet'} → {record_line(now) or 'none yet'}",
    ]


def _none_yet(team: str) -> str:
    return f"No report of {team} has been sent yet."
