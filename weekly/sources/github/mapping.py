"""GitHub REST JSON (milestones, issues, pull requests) into model objects. Pure functions."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

from weekly.model import Bet, Blocker, Decision, DecisionStatus, Delivery, Progress, Status
from weekly.sources.text import list_items

Json = dict[str, Any]
NAME = "GitHub"

_APPROVER = re.compile(r"^\s*\**approver\**\s*:\s*\**\s*(@[\w-]+)", re.I | re.M)
_DEADLINE = re.compile(r"^\s*\**deadline\**\s*:\s*\**\s*(\d{4}-\d{2}-\d{2})", re.I | re.M)
_PEOPLE_LINE = r"^\s*\**{}\**\s*:\s*(.+)$"
_HANDLE = re.compile(r"@[\w-]+")
_TASK = re.compile(r"^\s*[-*]\s+\[([ xX])\]\s+", re.M)
# Lines that are fields of a decision, not its options.
_FIELD_LINE = re.compile(r"^\s*[-*]?\s*\**(approver|deadline|driver|contributors|informed)\b", re.I)


def milestone_bet(
    repo: str,
    milestone: Json,
    blockers: list[Blocker],
    delivered: tuple[Delivery, ...],
    today: dt.date,
) -> Bet:
    """A milestone as a bet: progress from its open/closed counts, due date as the target."""
    open_issues = int(milestone.get("open_issues") or 0)
    closed = int(milestone.get("closed_issues") or 0)
    target = _due(milestone.get("due_on"))
    done = milestone.get("state") == "closed"
    return Bet(
        key=milestone_key(repo, milestone),
        title=str(milestone.get("title") or f"Milestone {milestone.get('number')}"),
        url=milestone.get("html_url"),
        owner=_login(milestone.get("creator") or {}),
        status=_status(done, target, open_issues > 0, blockers, today),
        confidence=None,
        progress=Progress(closed, open_issues + closed) if open_issues + closed else None,
        target_date=target,
        blockers=tuple(blockers),
        delivered=delivered,
    )


def issue_bet(
    repo: str, issue: Json, blockers: list[Blocker], delivered: tuple[Delivery, ...], today: dt.date
) -> Bet:
    """An issue labelled as a bet: progress from its sub-issues, else its task list."""
    target = _due((issue.get("milestone") or {}).get("due_on"))
    progress = _issue_progress(issue)
    done = issue.get("state") == "closed"
    has_open_work = progress is None or progress.done < progress.total
    return Bet(
        key=issue_key(repo, issue),
        title=str(issue.get("title") or ""),
        url=issue.get("html_url"),
        owner=_first_assignee(issue),
        status=_status(done, target, has_open_work, blockers, today),
        confidence=None,
        progress=progress,
        target_date=target,
        blockers=tuple(blockers),
        delivered=delivered,
    )


def blocker(repo: str, issue: Json, bet_key: str | None, zone: ZoneInfo) -> Blocker:
    return Blocker(
        key=issue_key(repo, issue),
        title=str(issue.get("title") or ""),
        url=issue.get("html_url"),
        owner=_first_assignee(issue) or _login(issue.get("user") or {}),
        # GitHub says when the label was added only in the events API, one request per
        # issue; the issue's own age stands in for it.
        blocked_since=_day(issue.get("created_at"), zone),
        bet_key=bet_key,
    )


def decision(repo: str, issue: Json) -> Decision:
    """`Approver: @handle` and `Deadline: YYYY-MM-DD` lines in the body; else the first
    assignee (marked as such) and the milestone's due date."""
    body = str(issue.get("body") or "")
    approver_line = _APPROVER.search(body)
    deadline_line = _DEADLINE.search(body)
    assignee = _first_assignee(issue)
    deadline = _date(deadline_line[1]) if deadline_line else None
    if deadline is None:
        deadline = _due((issue.get("milestone") or {}).get("due_on"))
    options = tuple(item for item in list_items(body) if not _FIELD_LINE.match(item))
    return Decision(
        key=issue_key(repo, issue),
        title=str(issue.get("title") or ""),
        url=issue.get("html_url"),
        driver=next(iter(_people(body, "driver")), None) or _login(issue.get("user") or {}),
        approver=approver_line[1] if approver_line else assignee,
        approver_is_assignee=approver_line is None and assignee is not None,
        deadline=deadline,
        contributors=_people(body, "contributors"),
        informed=_people(body, "informed"),
        options=options,
        status=DecisionStatus.DECIDED if issue.get("state") == "closed" else DecisionStatus.OPEN,
    )


def delivery(repo: str, pull: Json) -> Delivery:
    return Delivery(
        key=f"{repo.split('/')[-1]}#{pull.get('number')}",
        title=str(pull.get("title") or ""),
        url=pull.get("html_url"),
        kind="pull request",
        at=timestamp(pull.get("merged_at")),
    )


def merged_in(pull: Json, start: dt.datetime, end: dt.datetime) -> bool:
    merged = timestamp(pull.get("merged_at"))
    return merged is not None and start <= merged < end


def milestone_key(repo: str, milestone: Json) -> str:
    return f"{repo.split('/')[-1]} M{milestone.get('number')}"


def issue_key(repo: str, issue: Json) -> str:
    return f"{repo.split('/')[-1]}#{issue.get('number')}"


def parent_number(issue: Json) -> int | None:
    """The parent issue's number when this is a sub-issue (`parent_issue_url`)."""
    url = issue.get("parent_issue_url")
    if isinstance(url, str) and url.rstrip("/").rsplit("/", 1)[-1].isdigit():
        return int(url.rstrip("/").rsplit("/", 1)[-1])
    return None


def is_pull_request(issue: Json) -> bool:
    return "pull_request" in issue


def _status(
    done: bool, target: dt.date | None, open_work: bool, blockers: list[Blocker], today: dt.date
) -> Status:
    """As for Jira bets: off track past due with open work, at risk with open blockers."""
    if done:
        return Status.DONE
    if target is not None and target < today and open_work:
        return Status.OFF_TRACK
    return Status.AT_RISK if blockers else Status.ON_TRACK


def _issue_progress(issue: Json) -> Progress | None:
    summary = issue.get("sub_issues_summary") or {}
    if summary.get("total"):
        return Progress(int(summary.get("completed") or 0), int(summary["total"]))
    boxes = _TASK.findall(str(issue.get("body") or ""))
    if boxes:
        return Progress(sum(1 for b in boxes if b in "xX"), len(boxes))
    return None


def _people(body: str, role: str) -> tuple[str, ...]:
    line = re.search(_PEOPLE_LINE.format(role), body, re.I | re.M)
    return tuple(_HANDLE.findall(line[1])) if line else ()


def _first_assignee(issue: Json) -> str | None:
    assignees = issue.get("assignees") or ([issue["assignee"]] if issue.get("assignee") else [])
    return _login(assignees[0]) if assignees else None


def _login(user: Json) -> str | None:
    login = user.get("login") if isinstance(user, dict) else None
    return f"@{login}" if login else None


def timestamp(value: object) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _day(value: object, zone: ZoneInfo) -> dt.date | None:
    """A GitHub timestamp as a date on the team's calendar."""
    moment = timestamp(value)
    return moment.astimezone(zone).date() if moment else None


def _due(value: object) -> dt.date | None:
    # A milestone's due_on is a calendar date sent as a timestamp; read its date as written,
    # or a team west of UTC would see the day before.
    return _date(value[:10]) if isinstance(value, str) else None


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None
