"""The demo team's Jira site: its epics, their children, blockers and decisions.

Served by `fake_jira.FakeJira` while `make recordings` records the answers `weekly demo`
replays (weekly/demo/recordings/jira.json), so the demo's bets come through the real `jira`
client exactly as a team's would. The week is 2026-W48.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from testing.fake_jira import CLOUD_FIELDS, blocked_by, field, issue, user
from weekly.demo import workspace

TOKEN = workspace.JIRA_TOKEN
EMAIL = "pm@payments.example"  # as the demo's weekly.toml names its Jira user

FIELDS = [
    *CLOUD_FIELDS,
    field("customfield_10050", "Confidence", schema={"type": "option"}),
    field("customfield_10051", "Target end", schema={"type": "date"}),
    field("customfield_10052", "Health", schema={"type": "option"}),
    field("customfield_10060", "Approver", schema={"type": "user"}),
    field("customfield_10061", "Driver", schema={"type": "user"}),
]
_FLAGGED = {"customfield_10021": [{"value": "Impediment", "id": "10019"}]}
_THIS_WEEK = "2026-11-2{}T1{}:00:00.000+0000"  # Mon 23 … Fri 27 Nov
_DEMO_MONDAY = dt.date(2026, 11, 23)


def _epic(
    key: str,
    title: str,
    owner: str,
    health: str,
    confidence: str,
    target: str,
    moved_from: str | None = None,
    **kw: Any,
) -> dict[str, Any]:
    changelog = None
    if moved_from:
        item = {
            "field": "Target end",
            "fieldtype": "custom",
            "from": moved_from,
            "fromString": moved_from,
            "to": target,
            "toString": target,
        }
        changelog = [{"created": "2026-11-25T10:12:00.000+0000", "items": [item]}]
    custom: dict[str, object] = {
        "customfield_10050": {"value": confidence},
        "customfield_10051": target,
        "customfield_10052": {"value": health},
    }
    return issue(
        key,
        title,
        issuetype="Epic",
        status=kw.pop("status", "In Progress"),
        category=kw.pop("category", "indeterminate"),
        assignee=owner,
        custom=custom,
        changelog=changelog,
        **kw,
    )


def _children(
    epic: str,
    first: int,
    total: int,
    done: int,
    delivered: int = 0,
    epic_link: bool = False,
    spread: int = 10,
) -> list[dict[str, Any]]:
    """`total` stories under `epic`, `done` of them done, the last `delivered` done this week
    and the others over the `spread` weeks before it (the throughput the forecast reads)."""
    stories = []
    for n in range(total):
        finished = n < done
        resolved = None
        if finished:
            earlier = _DEMO_MONDAY - dt.timedelta(weeks=1 + n % spread, days=-(n % 4))
            resolved = (
                _THIS_WEEK.format(3 + n % 5, n % 6)
                if n >= done - delivered
                else f"{earlier}T10:00:00.000+0000"
            )
        link = {"custom": {"customfield_10014": epic}} if epic_link else {"parent": epic}
        stories.append(
            issue(
                f"PAY-{first + n}",
                f"{_STORY_WORDS[n % len(_STORY_WORDS)]} ({epic})",
                status="Done" if finished else "In Progress" if n == done else "To Do",
                category="done" if finished else "indeterminate" if n == done else "new",
                resolved=resolved,
                **link,
            )
        )
    return stories


_STORY_WORDS = [
    "API contract",
    "Ledger entries",
    "Webhook retries",
    "Risk checks",
    "Reconciliation report",
    "Admin screen",
    "Load test",
    "Runbook",
]


def _blocker(
    key: str,
    epic: str,
    title: str,
    owner: str,
    since: str,
    how: str = "flag",
    blocked_by_key: str | None = None,
) -> dict[str, Any]:
    """A child that blocks its epic: flagged, in a Blocked status, or blocked by a link."""
    extra: dict[str, Any]
    if how == "flag":
        item = {"field": "Flagged", "fieldtype": "custom", "toString": "Impediment"}
        extra = {"custom": _FLAGGED}
    elif how == "status":
        item = {"field": "status", "fieldtype": "jira", "toString": "Blocked"}
        extra = {"status": "Blocked", "category": "indeterminate"}
    else:
        assert blocked_by_key is not None
        item = {
            "field": "Link",
            "fieldtype": "jira",
            "toString": f"This issue is blocked by {blocked_by_key}",
        }
        extra = {"links": [blocked_by(blocked_by_key)]}
    history = {"created": f"{since}T08:30:00.000+0000", "items": [item]}
    return issue(key, title, parent=epic, assignee=owner, changelog=[history], **extra)


def issues() -> list[dict[str, Any]]:
    """Every issue of the demo site."""
    return [
        _epic(
            "PAY-101",
            "SEPA Instant payouts for marketplace sellers",
            "Ana Ruiz",
            "At risk",
            "Medium",
            "2026-12-18",
            moved_from="2026-12-04",
        ),
        *_children("PAY-101", 1000, 21, 14, delivered=3),
        _blocker(
            "PAY-131",
            "PAY-101",
            "Certification slot with partner bank not confirmed",
            "Ana Ruiz",
            "2026-11-18",
        ),
        _epic(
            "PAY-104",
            "3-D Secure 2.2 exemptions for low-risk cards",
            "Priya Nair",
            "Off track",
            "Low",
            "2027-01-22",
            moved_from="2026-11-27",
        ),
        *_children("PAY-104", 1100, 13, 3),
        _blocker(
            "PAY-140",
            "PAY-104",
            "Acquirer has not enabled exemption flags in test",
            "Priya Nair",
            "2026-11-12",
            how="status",
        ),
        _blocker(
            "PAY-142",
            "PAY-104",
            "Legal review of liability shift wording",
            "Sven Olsen",
            "2026-11-23",
            how="link",
            blocked_by_key="LEGAL-88",
        ),
        _epic(
            "PAY-107", "支付宝跨境收款试点（中国市场）", "王芳", "At risk", "Medium", "2027-01-29"
        ),
        *_children("PAY-107", 1200, 13, 5, delivered=1),
        _blocker("PAY-150", "PAY-107", "等待合规团队确认数据出境评估", "李雷", "2026-11-13"),
        _epic(
            "PAY-102",
            "One-click checkout for returning customers",
            "Jonas Weber",
            "On track",
            "High",
            "2026-12-11",
        ),
        *_children("PAY-102", 1300, 24, 18, delivered=4),
        _epic(
            "PAY-103",
            "Checkout latency p95 below 250 ms",
            "Mei Chen",
            "On track",
            "Medium",
            "2027-01-15",
        ),
        *_children("PAY-103", 1400, 12, 7, delivered=2, spread=4),
        # A company-managed project's epic: its children point at it through Epic Link.
        _epic(
            "PAY-105",
            "Retire the legacy invoice service",
            "Tom Becker",
            "On track",
            "High",
            "2026-12-04",
        ),
        *_children("PAY-105", 1500, 10, 9, delivered=2, epic_link=True, spread=4),
        _epic(
            "PAY-106",
            "Self-service fraud rules for the operations team",
            "Lukas Brandt",
            "On track",
            "High",
            "2026-11-27",
            status="Done",
            category="done",
            resolved="2026-11-24T16:00:00.000+0000",
        ),
        *_children("PAY-106", 1600, 16, 16, delivered=2),
        _decision(
            "PAY-160",
            "Fallback PSP for SEPA Instant if certification slips again",
            "Ana Ruiz",
            "Dana Schulz",
            "2026-12-02",
            [
                "Wait for the partner bank: ETA Fri 18 Dec, no extra cost.",
                "Switch to the fallback PSP now: ETA Fri 11 Dec, €0.02 more per payout.",
            ],
        ),
        _decision(
            "PAY-161",
            "Split 3-D Secure exemptions into two releases",
            "Priya Nair",
            "Dana Schulz",
            "2026-12-04",
            [
                "Two releases: risk exemptions on 18 Dec, the rest on 22 Jan.",
                "One release on 22 Jan.",
            ],
        ),
        _decision(
            "PAY-162",
            "Roll one-click checkout out to all traffic",
            "Jonas Weber",
            None,
            "2026-12-07",
            ["100% on Mon 7 Dec.", "50% on Mon 7 Dec, 100% a week later."],
        ),
        issue(
            "LEGAL-88",
            "Liability shift wording for 3DS exemptions",
            status="In Progress",
            category="indeterminate",
        ),
    ]


def _decision(
    key: str, title: str, driver: str, approver: str | None, deadline: str, options: list[str]
) -> dict[str, Any]:
    custom: dict[str, Any] = {"customfield_10061": user(driver)}
    if approver:
        custom["customfield_10060"] = user(approver)
    description = "Options:\n" + "\n".join(f"* {option}" for option in options)
    return issue(
        key,
        title,
        issuetype="Task",
        labels=["decision-needed"],
        duedate=deadline,
        reporter=driver,
        description=description,
        custom=custom,
    )
