"""Reports for the page's fit tests: a crowded week (40 bets, 30 decisions, Chinese and very
long titles), and a small one. Built from model objects, as a source would fill them."""

from __future__ import annotations

import dataclasses
import datetime as dt

from testing.clock import NOW
from testing.reports import bet, blocker, decision, report
from weekly.model import Confidence, Report, Slip, Status

LONG = (
    "Migrate every settlement batch job from the legacy scheduler to the event pipeline, "
    "including reconciliation, retries, alerting and the finance team's month-end exports"
)
CHINESE = "跨境支付合规评估与商户资金结算流程改造试点项目第二阶段"


def crowded(done: int = 3) -> Report:
    """40 bets (a tenth off track, a fifth at risk, some slipped, gone or without status) and
    30 decisions (some without approver, overdue, or added by the PM)."""
    statuses = [Status.ON_TRACK, Status.AT_RISK, Status.ON_TRACK, Status.OFF_TRACK, Status.ON_TRACK]
    bets = []
    for i in range(40):
        title = LONG if i % 7 == 3 else CHINESE if i % 6 == 1 else f"Bet {i}: checkout step {i}"
        status = Status.DONE if i >= 40 - done else statuses[i % 5]
        bets.append(
            bet(
                f"PAY-{i}",
                title,
                status=None if i == 11 else status,
                confidence=[Confidence.HIGH, Confidence.MEDIUM, Confidence.LOW][i % 3],
                owner="王芳" if i % 6 == 1 else "Ana Ruiz",
                blockers=tuple(
                    blocker(f"BLK-{i}-{j}", f"Partner sandbox {j} down") for j in range(i % 4)
                ),
                note="The PM's line on this bet: what changed and what we do next."
                if i % 2
                else None,
                slip=Slip(dt.date(2026, 12, 4), dt.date(2026, 12, 18), "Bank sandbox down")
                if i % 8 == 2
                else None,
                gone="no longer in Jira since Fri 27 Nov 16:00" if i == 17 else None,
            )
        )
    decisions = []
    for i in range(30):
        d = decision(
            f"DEC-{i}",
            CHINESE if i % 9 == 4 else LONG if i % 11 == 5 else f"Decision {i}: pick a vendor",
            approver=None if i % 10 == 7 else "Dana Schulz",
            deadline=NOW.date() - dt.timedelta(days=2) if i % 6 == 0 else dt.date(2026, 12, 9),
            options=("Wait for the bank's new slot", "Switch to the fallback provider", "Drop it"),
            url=f"https://jira.example.com/browse/DEC-{i}",
        )
        if i == 29:
            d = dataclasses.replace(d, key="draft 29", source="draft", url=None)
        decisions.append(d)
    return report(bets, decisions, headline="A crowded week: " + "several things moved. " * 4)


def small() -> Report:
    """Three bets and one decision: fits in full."""
    return report(
        [bet("PAY-1", "Ship the thing"), bet("PAY-2", "Second"), bet("PAY-3", "Third")],
        [decision("D-1")],
    )
