"""Jira issues (REST v2 JSON) into model objects. Pure functions: no requests here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from weekly.forecast import weeks_of
from weekly.model import (
    Bet,
    Blocker,
    Confidence,
    Decision,
    DecisionStatus,
    Delivery,
    Progress,
    Slip,
    Status,
)
from weekly.sources.jira.fields import FieldIds
from weekly.sources.text import list_items
from weekly.weeks import IsoWeek

Issue = dict[str, Any]
NAME = "Jira"

_HEALTH_WORDS = {
    Status.ON_TRACK: {"on track", "green", "on-track", "good"},
    Status.AT_RISK: {"at risk", "amber", "yellow", "at-risk"},
    Status.OFF_TRACK: {"off track", "red", "off-track", "blocked"},
    Status.DONE: {"done", "complete", "completed"},
}
_CONFIDENCE_WORDS = {c.value: c for c in Confidence}


def fields_of(issue: Issue) -> dict[str, Any]:
    fields = issue.get("fields")
    return fields if isinstance(fields, dict) else {}


def is_done(issue: Issue) -> bool:
    status = fields_of(issue).get("status") or {}
    return (status.get("statusCategory") or {}).get("key") == "done"


def parent_key(issue: Issue, ids: FieldIds, bet_keys: set[str]) -> str | None:
    """The bet a child belongs to: its parent, or (company-managed projects) its Epic Link."""
    fields = fields_of(issue)
    parent = (fields.get("parent") or {}).get("key")
    if parent in bet_keys:
        return str(parent)
    epic = fields.get(ids.epic_link) if ids.epic_link else None
    return str(epic) if epic in bet_keys else None


def blocked_reason(issue: Issue, ids: FieldIds, blocked_statuses: Iterable[str]) -> str | None:
    """Why an open issue counts as a blocker: flagged, a blocked status, or a blocked-by link."""
    if is_done(issue):
        return None
    fields = fields_of(issue)
    flags = fields.get(ids.flagged) if ids.flagged else None
    if isinstance(flags, list) and any(_value(f) == "Impediment" for f in flags):
        return "flagged"
    status = str((fields.get("status") or {}).get("name", ""))
    if status.casefold() in {s.casefold() for s in blocked_statuses}:
        return "status"
    for link in fields.get("issuelinks") or []:
        inward = link.get("inwardIssue")
        blocked_by = (link.get("type") or {}).get("inward") == "is blocked by"
        if inward and blocked_by and not is_done(inward):
            return "link"
    return None


def blocked_since(issue: Issue, ids: FieldIds, blocked_statuses: Iterable[str]) -> dt.date | None:
    """When it became blocked, from the changelog; else when it was last updated."""
    names = {s.casefold() for s in blocked_statuses}
    latest: dt.datetime | None = None
    for history in (issue.get("changelog") or {}).get("histories", []):
        for item in history.get("items", []):
            field = str(item.get("field", ""))
            to = str(item.get("toString") or "")
            if (
                (field == "Flagged" and "Impediment" in to)
                or (field == "status" and to.casefold() in names)
                or (field == "Link" and "is blocked by" in to)
            ):
                when = _datetime(history.get("created"))
                if when and (latest is None or when > latest):
                    latest = when
    if latest is None:
        latest = _datetime(fields_of(issue).get("updated"))
    return latest.date() if latest else None


@dataclass
class Children:
    """What a bet needs of its child issues, counted as they stream in: keeping 50,000
    raw issues until the end would cost hundreds of megabytes."""

    total: int = 0
    done: int = 0
    points_total: float = 0.0
    points_done: float = 0.0
    has_points: bool = False
    delivered: list[Delivery] = field(default_factory=list)
    blocked: list[Issue] = field(default_factory=list)
    weeks: int = 12  # of throughput: children finished each week, up to the report's
    finished: list[dt.date] = field(default_factory=list)  # … within those weeks

    def add(
        self, child: Issue, ids: FieldIds, blocked_statuses: Iterable[str], site: str, week: IsoWeek
    ) -> None:
        finished = is_done(child)
        self.total += 1
        self.done += finished
        resolved = _datetime(fields_of(child).get("resolutiondate")) if finished else None
        if resolved and week.shift(1 - self.weeks).monday <= resolved.date() <= week.sunday:
            self.finished.append(resolved.date())
        points = _number(fields_of(child).get(ids.story_points)) if ids.story_points else None
        if points is not None:
            self.has_points = True
            self.points_total += points
            self.points_done += points if finished else 0.0
        self.delivered.extend(_delivered([child], site, week))
        if blocked_reason(child, ids, blocked_statuses):
            self.blocked.append(child)

    @property
    def progress(self) -> Progress | None:
        if not self.total:
            return None
        if self.has_points:
            return Progress(self.done, self.total, self.points_done, self.points_total or None)
        return Progress(self.done, self.total)


def bet(
    epic: Issue,
    children: Children,
    blockers: list[Blocker],
    ids: FieldIds,
    site: str,
    week: IsoWeek,
    today: dt.date,
) -> Bet:
    fields = fields_of(epic)
    key = str(epic["key"])
    target = _date(fields.get(ids.target_date) if ids.target_date else fields.get("duedate"))
    return Bet(
        key=key,
        title=str(fields.get("summary") or key),
        url=browse_url(site, key),
        owner=_person(fields.get("assignee")),
        status=_health(epic, ids, target, blockers, today),
        confidence=_confidence(fields.get(ids.confidence) if ids.confidence else None),
        progress=children.progress,
        target_date=target,
        blockers=tuple(blockers),
        slip=_slip(epic, ids, target, week),
        delivered=tuple(children.delivered),
        throughput=weeks_of(children.finished, week, children.weeks),
    )


def blocker(issue: Issue, bet_key: str, since: dt.date | None, site: str) -> Blocker:
    fields = fields_of(issue)
    key = str(issue["key"])
    return Blocker(
        key=key,
        title=str(fields.get("summary") or key),
        url=browse_url(site, key),
        owner=_person(fields.get("assignee")),
        blocked_since=since,
        bet_key=bet_key,
    )


def decision(issue: Issue, ids: FieldIds, site: str) -> Decision:
    """A decision issue; the approver field, else the assignee (marked as such)."""
    fields = fields_of(issue)
    key = str(issue["key"])
    approver = _person(_first(fields.get(ids.approver))) if ids.approver else None
    assignee = _person(fields.get("assignee"))
    driver = _person(_first(fields.get(ids.driver))) if ids.driver else None
    return Decision(
        key=key,
        title=str(fields.get("summary") or key),
        url=browse_url(site, key),
        driver=driver or _person(fields.get("reporter")),
        approver=approver or assignee,
        approver_is_assignee=approver is None and assignee is not None,
        deadline=_date(fields.get("duedate")),
        contributors=_people(fields.get(ids.contributors)) if ids.contributors else (),
        informed=_people(fields.get(ids.informed)) if ids.informed else (),
        options=list_items(fields.get("description")),
        status=DecisionStatus.DECIDED if is_done(issue) else DecisionStatus.OPEN,
        decided_on=_date(fields.get("resolutiondate")) if is_done(issue) else None,
    )


def browse_url(site: str, key: str) -> str:
    return f"{site.rstrip('/')}/browse/{key}"


def _health(
    epic: Issue, ids: FieldIds, target: dt.date | None, blockers: list[Blocker], today: dt.date
) -> Status:
    if is_done(epic):
        return Status.DONE
    value = _value(fields_of(epic).get(ids.health)) if ids.health else None
    if value:
        word = value.casefold().strip()
        for status, words in _HEALTH_WORDS.items():
            if word in words:
                return status
    # No health set: derive it, as the README says.
    if target is not None and target < today:
        return Status.OFF_TRACK
    return Status.AT_RISK if blockers else Status.ON_TRACK


def _confidence(value: object) -> Confidence | None:
    raw = _value(value) if not isinstance(value, int | float) else value
    if isinstance(raw, str):
        word = raw.casefold().strip()
        if word in _CONFIDENCE_WORDS:
            return _CONFIDENCE_WORDS[word]
        try:
            raw = float(word.rstrip("%"))
        except ValueError:
            return None
    if isinstance(raw, int | float):
        percent = raw * 100 if raw <= 1 else raw
        return (
            Confidence.HIGH
            if percent >= 70
            else Confidence.MEDIUM
            if percent >= 40
            else Confidence.LOW
        )
    return None


def _slip(epic: Issue, ids: FieldIds, target: dt.date | None, week: IsoWeek) -> Slip | None:
    """A target date moved later or earlier during the report's week, from the changelog."""
    if target is None:
        return None
    earliest: tuple[dt.datetime, dt.date] | None = None
    for history in (epic.get("changelog") or {}).get("histories", []):
        when = _datetime(history.get("created"))
        if when is None or not week.monday <= when.date() <= week.sunday:
            continue
        for item in history.get("items", []):
            if item.get("field") in (ids.target_date_name, ids.target_date):
                previous = _date(item.get("from") or item.get("fromString"))
                if previous and (earliest is None or when < earliest[0]):
                    earliest = (when, previous)
    if earliest is None or earliest[1] == target:
        return None
    return Slip(previous_date=earliest[1], new_date=target, cause=None)


def _delivered(children: list[Issue], site: str, week: IsoWeek) -> Iterable[Delivery]:
    for child in children:
        fields = fields_of(child)
        resolved = _datetime(fields.get("resolutiondate"))
        if resolved and week.monday <= resolved.date() <= week.sunday:
            key = str(child["key"])
            yield Delivery(
                key, str(fields.get("summary") or key), browse_url(site, key), "issue", resolved
            )


def _value(option: object) -> str | None:
    if isinstance(option, dict):
        value = option.get("value") or option.get("name")
        return str(value) if value is not None else None
    return option if isinstance(option, str) else None


def _first(value: object) -> object:
    return value[0] if isinstance(value, list) and value else value


def _person(user: object) -> str | None:
    if isinstance(user, dict):
        name = user.get("displayName") or user.get("name")
        return str(name) if name else None
    return None


def _people(users: object) -> tuple[str, ...]:
    items = users if isinstance(users, list) else [users]
    return tuple(p for u in items if (p := _person(u)))


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _date(value: object) -> dt.date | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _datetime(value: object) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return None
