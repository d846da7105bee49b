"""The team's record from its sent reports: what counts as kept, as a slip, as late."""

from __future__ import annotations

import dataclasses
import datetime as dt

from testing.clock import WEEK
from testing.reports import bet, report
from weekly.model import Commitment, Slip, Status
from weekly.record import track_record


def sent(week_back: int, *bets):
    return dataclasses.replace(report(list(bets)), week=WEEK.shift(-week_back))


DEC = dt.date(2026, 12, 4)


def test_a_commitment_not_ticked_is_made_not_kept():
    past = [
        sent(
            1,
            bet(
                "PAY-1", committed=(Commitment("a", True), Commitment("b"), Commitment("c", False))
            ),
        )
    ]
    record = track_record(past, 4)
    assert (record.kept, record.made) == (1, 3)


def test_only_a_date_moved_later_is_a_slip_and_its_days_add_up():
    later = Slip(DEC, DEC + dt.timedelta(days=7), "bank")
    earlier = Slip(DEC, DEC - dt.timedelta(days=3), None)
    past = [
        sent(3, bet("PAY-1", slip=later)),
        sent(
            2, bet("PAY-1", slip=Slip(DEC + dt.timedelta(days=7), DEC + dt.timedelta(days=21), "x"))
        ),
        sent(1, bet("PAY-2", slip=earlier)),
    ]
    record = track_record(past, 4)
    assert (record.slipped_bets, record.slip_days) == (1, 21)


def test_a_finished_bet_is_measured_against_the_first_target_sent():
    first, moved = dt.date(2026, 11, 13), dt.date(2026, 11, 20)
    past = [
        sent(3, bet("PAY-1", target_date=first)),
        sent(2, bet("PAY-1", target_date=moved)),
        sent(1, bet("PAY-1", target_date=moved, status=Status.DONE)),  # done Fri of WEEK-1
        sent(0, bet("PAY-1", target_date=moved, status=Status.DONE)),  # still listed: once
    ]
    record = track_record(past, 4)
    friday = WEEK.shift(-1).monday + dt.timedelta(days=4)
    assert (record.finished, record.finished_late) == (1, 1)
    assert record.days_late == (friday - first).days


def test_the_record_counts_only_the_last_reports_asked_for():
    past = [sent(n, bet("PAY-1", committed=(Commitment("a", True),))) for n in range(6)]
    assert track_record(past, 4).reports == 4 and track_record(past, 4).made == 4
    assert track_record([], 4) is None
