"""History: a snapshot of every sent report (and, apart, of every draft) in SQLite.

A weekly note earns trust as a record of what was committed and what was delivered, so
what went out is kept exactly as it went out. Week-over-week changes are computed from
these snapshots, not remembered. The schema is versioned (PRAGMA user_version) so an
old history file keeps working after an upgrade.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import itertools
import json
import re
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from weekly import facts
from weekly.errors import StoreError
from weekly.hill import side
from weekly.model import (
    Bet,
    BetChange,
    Commitment,
    Decision,
    DecisionStatus,
    Delivery,
    Metric,
    Report,
    Slip,
    Status,
)
from weekly.paths import make_folder
from weekly.render.format import day, number
from weekly.store import migrate
from weekly.weeks import IsoWeek

# Append a step for each change of schema; never edit a step that has shipped.
_MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE snapshots (
            id         INTEGER PRIMARY KEY,
            team       TEXT NOT NULL,
            week       TEXT NOT NULL,
            kind       TEXT NOT NULL CHECK (kind IN ('sent', 'draft')),
            taken_at   TEXT NOT NULL,
            recipients TEXT NOT NULL DEFAULT '[]',
            report     BLOB NOT NULL
        )""",
        "CREATE INDEX snapshots_by_week ON snapshots (team, kind, week, id)",
    ),
)
SCHEMA_VERSION = len(_MIGRATIONS)


@dataclass(frozen=True)
class Sent:
    """One sent report, as `weekly history` lists it."""

    week: IsoWeek
    sent_at: dt.datetime
    recipients: tuple[str, ...]
    report: Report

    @property
    def nsm(self) -> str:
        metric = self.report.nsm
        return f"{metric.label} {number(metric.this_week, metric.unit, metric.decimals)}"


class History:
    def __init__(self, path: Path) -> None:
        self.path = path
        make_folder(path.parent)
        with self._connection() as con:
            migrate(con, path, _MIGRATIONS)
        with contextlib.suppress(OSError):
            path.chmod(0o600)

    def save(
        self, report: Report, kind: str, now: dt.datetime, recipients: Sequence[str] = ()
    ) -> None:
        with self._connection() as con:
            con.execute(
                "INSERT INTO snapshots (team, week, kind, taken_at, recipients, report) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (
                    report.team,
                    str(report.week),
                    kind,
                    now.isoformat(),
                    json.dumps(list(recipients)),
                    facts.dump(report),
                ),
            )

    def sent(self, team: str) -> list[Sent]:
        """Each week's latest sent report, newest week first."""
        with self._connection() as con:
            rows = con.execute(
                "SELECT week, taken_at, recipients, report FROM snapshots WHERE id IN ("
                "  SELECT MAX(id) FROM snapshots WHERE team = ? AND kind = 'sent' GROUP BY week"
                ") ORDER BY week DESC",
                (team,),
            ).fetchall()
        return [
            Sent(
                IsoWeek.parse(week),
                dt.datetime.fromisoformat(taken_at),
                tuple(json.loads(recipients)),
                facts.loads(report),
            )
            for week, taken_at, recipients, report in rows
        ]

    @contextlib.contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        try:
            con = sqlite3.connect(self.path, timeout=10)
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot open the history ({exc})") from None
        try:
            with con:
                yield con
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"{self.path}: cannot use the history ({exc}); is another program holding it, "
                "or is it not a weekly history file?"
            ) from None
        finally:
            con.close()


def diff(older: Report, newer: Report) -> list[str]:
    """What changed between two weeks' reports, a line each, as `weekly history --diff` says.

    The newer report's own record (kept as it was sent) adds what only the history knows:
    how often a date moved and why, stalled bets, unmoved hill dots, commitments kept.
    """
    lines = [f"{newer.team}: {older.week} → {newer.week}"]
    old_metrics = {m.key: m for m in (older.nsm, *older.metrics)}
    for metric in (newer.nsm, *newer.metrics):
        shown = old_metrics.get(metric.key)
        if shown is not None:
            before = number(shown.this_week, shown.unit, shown.decimals)
            after = number(metric.this_week, metric.unit, metric.decimals)
            lines.append(f"  {metric.label}: {before} → {after}")
    old_bets = {b.key: b for b in older.bets}
    today = newer.generated_at.date()
    for bet in newer.bets:
        was = old_bets.pop(bet.key, None)
        if was is None:
            lines.append(f"  + {bet.key} {bet.title}: new")
            continue
        changes = _bet_changes(was, bet, today)
        if changes:
            lines.append(f"  {bet.key} {bet.title}: {'; '.join(changes)}")
        lines += [f"      {line}" for line in _record(bet)]
    lines += [f"  - {b.key} {b.title}: no longer reported" for b in old_bets.values()]
    lines += _decision_changes(older, newer)
    return lines


def _bet_changes(was: Bet, now: Bet, today: dt.date) -> list[str]:
    changes = []
    if was.status != now.status:
        changes.append(f"{was.status or 'no status'} → {now.status or 'no status'}")
    if was.confidence != now.confidence:
        changes.append(f"confidence {was.confidence or '–'} → {now.confidence or '–'}")
    if was.target_date != now.target_date:
        moved = f"target {day(was.target_date, today)} → {day(now.target_date, today)}"
        if now.change and now.change.target_moves > 1:
            moved += f" (moved {now.change.target_moves}× in all)"
        if now.slip and now.slip.cause:
            moved += f", cause: {now.slip.cause}"
        changes.append(moved)
    if was.progress and now.progress and was.progress.done != now.progress.done:
        changes.append(f"done {was.progress.done} → {now.progress.done} of {now.progress.total}")
    if was.hill != now.hill and now.hill is not None:
        changes.append(
            f"hill {'–' if was.hill is None else was.hill} → {now.hill} ({side(now.hill)})"
        )
    old_blockers = {b.key for b in was.blockers}
    new_blockers = {b.key for b in now.blockers}
    if new_blockers - old_blockers:
        changes.append(f"new blockers {', '.join(sorted(new_blockers - old_blockers))}")
    if old_blockers - new_blockers:
        changes.append(f"resolved blockers {', '.join(sorted(old_blockers - new_blockers))}")
    return changes


def _record(bet: Bet) -> list[str]:
    """What the bet's own record in that week's report says: flags and commitments."""
    lines = []
    if bet.change and bet.change.stalled:
        lines.append("stalled: no progress and no status change over two sent reports")
    elif bet.change and bet.change.hill_unmoved:
        lines.append(f"not moved on the hill for 2 weeks (at {bet.hill})")
    if bet.committed:
        done = sum(1 for c in bet.committed if c.done)
        marks = "; ".join(
            f"{'done' if c.done else 'not ticked' if c.done is None else 'not done'}: {c.text}"
            for c in bet.committed
        )
        lines.append(f"committed {done} of {len(bet.committed)} done: {marks}")
    if bet.next_week:
        lines.append(f"next week: {'; '.join(bet.next_week)}")
    return lines


def _decision_changes(older: Report, newer: Report) -> list[str]:
    was_open = {d.key for d in older.decisions if d.status is DecisionStatus.OPEN}
    today = newer.generated_at.date()
    lines = []
    for decision in newer.decisions:
        name = f"  decision {decision.key} {decision.title}"
        if decision.status is DecisionStatus.DECIDED:
            by = f" by {decision.approver}" if decision.approver else ""
            when = f" on {day(decision.decided_on, today)}" if decision.decided_on else ""
            lines.append(f"{name}: decided{by}{when}")
            continue
        notes = ["still open" if decision.key in was_open else "new"]
        if decision.open_since and decision.open_since < newer.week:
            notes.append(f"open since {decision.open_since}")
        if decision.deadline and decision.deadline < today:
            notes.append(f"overdue (deadline {day(decision.deadline, today)})")
        lines.append(f"{name}: {', '.join(notes)}")
    return lines


def annotate(report: Report, sent: Sequence[Sent]) -> Report:
    """The report with each bet's change since the last sent report before its week.

    A target date that moved since then becomes a slip (old date, new date), so the page
    shows it and the draft asks the PM for its cause.
    """
    earlier = before(report, sent)
    if not earlier:
        return report  # nothing sent before: no changes to tell
    previous = earlier[-1]
    first_listed: dict[str, IsoWeek] = {}
    last_listed: dict[str, Decision] = {}
    for old in earlier:
        for decision in old.decisions:
            first_listed.setdefault(decision.key, old.week)
            last_listed[decision.key] = decision
    decisions = tuple(
        _carried(d, first_listed.get(d.key), last_listed.get(d.key)) for d in report.decisions
    )
    bets = []
    for bet in report.bets:
        past = _shown(bet.key, earlier)
        # Compared with the last report that showed the bet (it may have been hidden
        # since); only last week's report can say what was committed for this week.
        since = past[-1][0] if past else None
        bets.append(
            _annotated(bet, [b for _, b in past], since, since == previous.week) if since else bet
        )
    shown = {m.key: m for m in (previous.nsm, *previous.metrics)}

    def with_last_sent(metric: Metric) -> Metric:
        old = shown.get(metric.key)
        if old is None:
            return metric
        return dataclasses.replace(metric, last_sent=old.this_week, last_sent_week=previous.week)

    return dataclasses.replace(
        report,
        bets=tuple(bets),
        decisions=decisions,
        nsm=with_last_sent(report.nsm),
        metrics=tuple(with_last_sent(m) for m in report.metrics),
    )


def _carried(decision: Decision, open_since: IsoWeek | None, last: Decision | None) -> Decision:
    """The decision with the week it was first listed, and the approver, deadline and driver
    the last report that listed it gave, where its source gives none: the PM names them
    once, not every Friday."""
    changes: dict[str, object] = {"open_since": open_since}
    if last is not None:
        if decision.approver is None and last.approver:
            changes.update(approver=last.approver, approver_is_assignee=last.approver_is_assignee)
        if decision.deadline is None and last.deadline:
            changes["deadline"] = last.deadline
        if decision.driver is None and last.driver:
            changes["driver"] = last.driver
    return dataclasses.replace(decision, **changes)  # type: ignore[arg-type]


def before(report: Report, sent: Sequence[Sent]) -> list[Report]:
    """The sent reports of the weeks before the report's, oldest first."""
    return sorted((s.report for s in sent if s.week < report.week), key=lambda r: r.week)


def _shown(key: str, reports: list[Report]) -> list[tuple[IsoWeek, Bet]]:
    """The bet as each of these reports showed it, with the report's week."""
    return [(r.week, b) for r in reports for b in r.bets if b.key == key]


def _annotated(bet: Bet, past: list[Bet], since: IsoWeek, last_week: bool) -> Bet:
    """`past`: the bet in each sent report that showed it, the last one from `since`;
    `last_week`: whether that is the report just before, the one that committed to this
    week."""
    last = past[-1]
    targets = [b.target_date for b in [*past, bet] if b.target_date]
    moves = sum(1 for a, b in itertools.pairwise(targets) if a != b)
    done_delta = bet.progress.done - last.progress.done if bet.progress and last.progress else None
    old, new = {b.key for b in last.blockers}, {b.key for b in bet.blockers}
    change = BetChange(
        since=since,
        previous_status=last.status,
        previous_confidence=last.confidence,
        target_moves=moves,
        done_delta=done_delta,
        new_blockers=tuple(sorted(new - old)),
        resolved_blockers=tuple(sorted(old - new)),
        previous_hill=last.hill,
    )
    slip = bet.slip
    if (
        slip is None
        and last.target_date
        and bet.target_date
        and last.target_date != bet.target_date
    ):
        slip = Slip(last.target_date, bet.target_date, None)
    if (
        slip
        and last.slip
        and (last.slip.previous_date, last.slip.new_date)
        == (
            slip.previous_date,
            slip.new_date,
        )
    ):
        # Disclosed in the last report already: its cause carries, and it is not news.
        slip = dataclasses.replace(slip, cause=slip.cause or last.slip.cause, reported=True)
    committed = (
        tuple(_commitment(text, bet.delivered) for text in last.next_week) if last_week else ()
    )
    # Where the PM put the dot stays until they move it; the rule places only the rest.
    if last.hill_set or (bet.hill is None and last.hill is not None):
        bet = dataclasses.replace(bet, hill=last.hill, hill_set=last.hill_set)
    # So does the PM's confidence, marked with the report it was set in.
    if last.confidence_set:
        bet = dataclasses.replace(
            bet,
            confidence=last.confidence,
            confidence_set=True,
            confidence_since=last.confidence_since or since,
        )
    return dataclasses.replace(bet, change=change, slip=slip, committed=committed)


_NAMED = re.compile(r"\b[A-Z][A-Z0-9_]+-\d+\b|(?:[\w.-]+)?#\d+\b")


def _commitment(text: str, delivered: tuple[Delivery, ...]) -> Commitment:
    """A commitment, done when this week delivered everything it names (`PAY-12`, `#88`,
    `web#88`); otherwise open until the PM ticks it."""
    names = _NAMED.findall(text)
    matches = [
        next((d for d in delivered if d.key == n or (n[0] == "#" and d.key.endswith(n))), None)
        for n in names
    ]
    if names and all(matches):
        return Commitment(text, True, matches[0])
    return Commitment(text)


def settle(report: Report, sent: Sequence[Sent]) -> Report:
    """What can be judged only on the page as the PM left it (their status and hill):
    a stalled bet, and a hill dot that has not moved for two weeks."""
    earlier = before(report, sent)
    bets = []
    for bet in report.bets:
        past = [b for _, b in _shown(bet.key, earlier)]
        if bet.change is None or not past:
            bets.append(bet)
            continue
        window = [*past[-2:], bet]
        full = len(window) == 3 and bet.status is not Status.DONE
        stalled = (
            full
            and len({b.status for b in window}) == 1
            and all(b.progress for b in window)
            and len({b.progress.done for b in window if b.progress}) == 1
        )
        unmoved = full and bet.hill is not None and len({b.hill for b in window}) == 1
        change = dataclasses.replace(bet.change, stalled=stalled, hill_unmoved=unmoved)
        bets.append(dataclasses.replace(bet, change=change))
    return dataclasses.replace(report, bets=tuple(bets))
