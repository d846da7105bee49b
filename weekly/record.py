"""The team's public record, from its sent reports: commitments kept against made, slips
(how many bets, how many days in all), and for finished bets the finish against the
first target a report sent (estimate against actual)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from weekly.model import Report, Status, TrackRecord

RECORD_REPORTS = 4  # the page's record: the last four sent reports (a month of Fridays)


def track_record(past: Sequence[Report], last: int) -> TrackRecord | None:
    """Over the `last` sent reports in `past` (oldest first); None when none was sent."""
    counted = sorted(past, key=lambda r: r.week)[-last:]
    if not counted:
        return None
    made = sum(len(b.committed) for r in counted for b in r.bets)
    kept = sum(c.done is True for r in counted for b in r.bets for c in b.committed)
    slips = [
        (b.key, (b.slip.new_date - b.slip.previous_date).days)
        for r in counted
        for b in r.bets
        if b.slip is not None and b.slip.new_date > b.slip.previous_date
    ]
    first_target: dict[str, dt.date] = {}
    done_in: dict[str, Report] = {}  # the first sent report that showed the bet done
    for report in sorted(past, key=lambda r: r.week):
        for bet in report.bets:
            if bet.target_date is not None:
                first_target.setdefault(bet.key, bet.target_date)
            if bet.status is Status.DONE:
                done_in.setdefault(bet.key, report)
    finished = {
        key: (report.week.monday + dt.timedelta(days=4) - first_target[key]).days
        for key, report in done_in.items()
        if key in first_target and any(report is r for r in counted)
    }
    return TrackRecord(
        reports=len(counted),
        kept=kept,
        made=made,
        slipped_bets=len({key for key, _ in slips}),
        slip_days=sum(days for _, days in slips),
        finished=len(finished),
        finished_late=sum(1 for days in finished.values() if days > 0),
        days_late=sum(max(days, 0) for days in finished.values()),
    )


def table(past: Sequence[Report]) -> list[str]:
    """`weekly history --record`: the record over the last 4 and the last 12 sent reports."""
    spans = [(n, track_record(past, n)) for n in (RECORD_REPORTS, 12)]
    rows: list[tuple[str, ...]] = [("", *(f"last {n}" for n, _ in spans))]
    figures: list[tuple[str, Callable[[TrackRecord], str]]] = [
        ("sent reports counted", lambda r: str(r.reports)),
        ("commitments kept", lambda r: f"{r.kept} of {r.made}"),
        ("bets slipped", lambda r: str(r.slipped_bets)),
        ("days slipped, in all", lambda r: str(r.slip_days)),
        ("bets finished", lambda r: str(r.finished)),
        ("finished after the first target", lambda r: str(r.finished_late)),
        ("days after the first targets, in all", lambda r: str(r.days_late)),
    ]
    for label, figure in figures:
        rows.append((label, *(figure(r) if r else "–" for _, r in spans)))
    width = max(len(row[0]) for row in rows)
    return [f"{row[0]:<{width}}  " + "  ".join(f"{cell:>8}" for cell in row[1:]) for row in rows]
