"""Custom fields named as people see them ("Target end"), resolved to ids ("customfield_10051").

The site's `/field` list is read once a run. A name that is not on the site is a
config error listing the close matches, never a silent blank column.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from weekly.config import JiraFields
from weekly.errors import InputError

# Fields Jira itself names; found by these names when the config does not name them.
_FLAGGED = "Flagged"
_EPIC_LINK = "Epic Link"
_STORY_POINTS = ("Story point estimate", "Story Points")


@dataclass(frozen=True)
class FieldIds:
    confidence: str | None = None
    target_date: str | None = None
    health: str | None = None
    approver: str | None = None
    driver: str | None = None
    contributors: str | None = None
    informed: str | None = None
    story_points: str | None = None
    flagged: str | None = None
    epic_link: str | None = None
    target_date_name: str = "duedate"  # how the changelog names the target date's field


def resolve(site_fields: list[dict[str, Any]], wanted: JiraFields) -> FieldIds:
    """Map the configured display names to field ids; every unknown name in one error."""
    by_name = {str(f.get("name", "")).casefold(): f for f in site_fields}
    ids = {str(f.get("id")) for f in site_fields}
    found: dict[str, str] = {}
    problems = []
    for key, name in wanted.model_dump().items():
        if not name:
            continue
        entry = by_name.get(name.casefold())
        if entry is not None:
            found[key] = str(entry["id"])
        elif name in ids:  # an id like customfield_10042 also works
            found[key] = name
        else:
            names = [str(f.get("name")) for f in site_fields]
            close = difflib.get_close_matches(name, names, n=3)
            hint = f"; close matches: {', '.join(repr(c) for c in close)}" if close else ""
            problems.append(
                f"sources.jira.fields.{key}: no field named {name!r} on this site{hint}"
            )
    if problems:
        raise InputError("; ".join(problems))

    def known(name: str) -> str | None:
        entry = by_name.get(name.casefold())
        return str(entry["id"]) if entry else None

    if "story_points" not in found:
        points = next((known(n) for n in _STORY_POINTS if known(n)), None)
        if points:
            found["story_points"] = points
    target_name = "duedate"
    if "target_date" in found:
        target_name = next(
            (str(f["name"]) for f in site_fields if f.get("id") == found["target_date"]), "duedate"
        )
    return FieldIds(
        **found,
        flagged=known(_FLAGGED),
        epic_link=known(_EPIC_LINK),
        target_date_name=target_name,
    )


def clause_names(site_fields: list[dict[str, Any]]) -> dict[str, str]:
    """{clause name: field id}, the map the `jira` client builds for itself from `/field`.

    Handing it over spares the client a second `/field` request when it searches.
    """
    return {str(name): str(f["id"]) for f in site_fields for name in f.get("clauseNames", []) or []}
