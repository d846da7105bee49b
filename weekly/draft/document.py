"""The draft as a YAML document: written new, or merged with fresh facts keeping every edit.

ruamel.yaml's round-trip mode keeps the PM's comments, order and formatting, so a
second `weekly draft` changes only the `pulled:` blocks and the `gone:` marks.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import LiteralScalarString

from weekly.hill import side
from weekly.model import Bet, Decision, Report, SourceState
from weekly.render.format import day, plural, week_range

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
HEADER = """\
weekly draft · {team} · {week} ({period})

This file is yours to edit; `weekly preview` shows the page, `weekly send` sends it.
`weekly draft` refreshes what is under each `pulled:` from the sources and keeps
everything else as you left it (the file before is kept as draft.yaml.bak).

Status: on track | at risk | off track | done.   Confidence: high | medium | low.
Dates: 2026-12-18.   Leave a field empty to keep what was pulled.
"""


def yaml() -> YAML:
    parser = YAML()  # round-trip: comments and order survive a load and a dump
    parser.indent(mapping=2, sequence=4, offset=2)
    parser.width = 100
    return parser


def render(document: CommentedMap) -> str:
    out = io.StringIO()
    yaml().dump(document, out)
    return out.getvalue()


def new_document(report: Report) -> CommentedMap:
    doc = CommentedMap()
    doc.yaml_set_start_comment(
        HEADER.format(team=report.team, week=report.week, period=week_range(report.week))
    )
    doc["week"] = str(report.week)
    doc.yaml_add_eol_comment("the week this draft is for; do not change", "week")
    doc["approved"] = False
    doc.yaml_add_eol_comment("set to true when the page may go out", "approved")
    text = _clean(report.headline.strip()) + "\n" if report.headline else ""
    doc["headline"] = LiteralScalarString(text) if text else None
    doc.yaml_add_eol_comment("two or three sentences: the first thing executives read", "headline")
    doc["sources"] = source_lines(report)
    doc.yaml_add_eol_comment("pulled: how each source fared; refreshed by weekly draft", "sources")
    # An empty list is left empty (not `[]`), so the PM can add `- title: …` lines under it.
    doc["bets"] = CommentedSeq(bet_entry(b) for b in report.bets) or None
    doc.yaml_add_eol_comment("one entry per bet; add `hide: true` to leave one off", "bets")
    doc["decisions"] = CommentedSeq(decision_entry(d) for d in report.decisions) or None
    doc.yaml_add_eol_comment(
        "add your own: title, approver, deadline, options; `hide: true` removes one", "decisions"
    )
    return doc


def merge(doc: CommentedMap, report: Report, now: dt.datetime) -> None:
    """Refresh the pulled facts in place; mark what the sources no longer return."""
    if "sources" in doc:
        doc["sources"] = source_lines(report)
    else:
        doc.insert(3, "sources", source_lines(report), comment="pulled: how each source fared")
    _merge_items(
        doc,
        "bets",
        {b.key: (pulled_bet(b), b.source) for b in report.bets},
        [bet_entry(b) for b in report.bets],
        now,
    )
    _merge_items(
        doc,
        "decisions",
        {d.key: (pulled_decision(d), d.source) for d in report.decisions},
        [decision_entry(d) for d in report.decisions],
        now,
    )


def _merge_items(
    doc: CommentedMap,
    name: str,
    fresh: dict[str, tuple[CommentedMap, str]],
    new_entries: list[CommentedMap],
    now: dt.datetime,
) -> None:
    if not isinstance(doc.get(name), list):
        doc[name] = CommentedSeq()
    entries: CommentedSeq = doc[name]
    by_key = {str(e["key"]): e for e in entries if isinstance(e, dict) and e.get("key")}
    for entry in new_entries:
        key = str(entry["key"])
        existing = by_key.get(key)
        if existing is None:
            entries.append(entry)
            continue
        _replace_in_place(existing, "pulled", fresh[key][0])
        existing.pop("gone", None)
        if "last_week" in entry and "last_week" not in existing:
            # Drafted before last week's report went out: its commitments arrive now.
            existing["last_week"] = entry["last_week"]
    for key, existing in by_key.items():
        if (
            key not in fresh
            and isinstance(existing.get("pulled"), dict)
            and not existing.get("gone")
        ):
            source = existing["pulled"].get("source") or "the source"
            existing["gone"] = f"no longer in {source} since {day(now.date())} {now:%H:%M}"


def _replace_in_place(entry: Any, key: str, value: CommentedMap) -> None:
    current = entry.get(key)
    if not isinstance(current, dict):
        entry[key] = value
        return
    for name in [n for n in current if n not in value]:
        del current[name]
    for name, item in value.items():
        current[name] = item


def source_lines(report: Report) -> CommentedSeq:
    """One line a source; a failed one says since when its items are from the last good pull."""
    lines = CommentedSeq()
    for status in report.sources:
        if status.state is SourceState.OK and status.pulled_at:
            lines.append(
                f"{status.name}: ok, pulled {day(status.pulled_at.date())} {status.pulled_at:%H:%M}"
            )
            continue
        line = f"{status.name}: {str(status.state).upper()}: {status.reason}"
        if status.stale_since:
            line += (
                f"; its items are from the last good pull, {day(status.stale_since.date())} "
                f"{status.stale_since:%H:%M}"
            )
        lines.append(line)
    return lines


def _entry(
    key: str, pulled: CommentedMap, source: str, fields: tuple[tuple[str, str], ...]
) -> CommentedMap:
    """A new bet or decision entry: its key, its pulled facts, and the PM's empty fields,
    each with a comment saying what it is for."""
    entry = CommentedMap()
    entry["key"] = key
    entry["pulled"] = pulled
    entry.yaml_add_eol_comment(
        f"from {source or 'the source'}; refreshed by weekly draft", "pulled"
    )
    for name, comment in fields:
        entry[name] = None
        entry.yaml_add_eol_comment(comment, name)
    return entry


def bet_entry(bet: Bet) -> CommentedMap:
    entry = _entry(
        bet.key,
        pulled_bet(bet),
        bet.source,
        (
            ("status", "yours: overrides the pulled status"),
            ("confidence", "yours: high | medium | low"),
            ("note", "yours: one line shown under the bet"),
            ("slip_cause", "yours: why the date moved, and the options"),
            ("new_eta", "yours: the date you now expect, if not the pulled target"),
            ("hill", "yours: 0 still figuring it out · 50 the top · 100 done"),
        ),
    )
    if bet.committed:
        entry["last_week"] = last_week_entries(bet)
        entry.yaml_add_eol_comment(
            "what the last report said we would do: done true or false for each", "last_week"
        )
    entry["next_week"] = None
    entry.yaml_add_eol_comment(
        "yours: next week we will…, one `- ` line each; the next report checks them", "next_week"
    )
    if bet.slip and not bet.slip.cause:
        entry.yaml_add_eol_comment(
            f"yours: the date moved from {bet.slip.previous_date} to {bet.slip.new_date}: why?",
            "slip_cause",
        )
    return entry


def last_week_entries(bet: Bet) -> CommentedSeq:
    """Last week's commitments to tick; one a source shows done says so beside it."""
    entries = CommentedSeq()
    for commitment in bet.committed:
        item = CommentedMap()
        item["we_will"] = _clean(commitment.text)
        item["done"] = None
        evidence = commitment.evidence
        item.yaml_add_eol_comment(
            f"{evidence.key} {'merged' if evidence.kind == 'pull request' else 'resolved'}: "
            "done unless you write false"
            if evidence
            else "true or false",
            "done",
        )
        entries.append(item)
    return entries


def _clean(value: Any) -> Any:
    """Pulled text without control characters: YAML cannot hold them, and a title pasted
    into a tracker sometimes carries one."""
    if isinstance(value, str):
        return _CONTROL.sub("", value)
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _pulled(facts: dict[str, Any]) -> CommentedMap:
    return CommentedMap((k, _clean(v)) for k, v in facts.items() if v is not None)


def pulled_bet(bet: Bet) -> CommentedMap:
    facts: dict[str, Any] = {
        "title": bet.title,
        "owner": bet.owner,
        "status": str(bet.status) if bet.status else None,
        "confidence": str(bet.confidence) if bet.confidence else None,
        "target": bet.target_date,
        "progress": f"{bet.progress.done}/{bet.progress.total} done" if bet.progress else None,
        "slipped_from": bet.slip.previous_date if bet.slip else None,
        "hill": (
            f"{bet.hill} ({side(bet.hill)}{', where you last put it' if bet.hill_set else ''})"
            if bet.hill is not None
            else None
        ),
        "blockers": [f"{b.key} {b.title} · {b.owner or 'no owner'}" for b in bet.blockers] or None,
        "delivered": (
            f"{plural(len(bet.delivered), bet.delivered[0].kind)}: "
            + ", ".join(d.key for d in bet.delivered)
            if bet.delivered
            else None
        ),
        "url": bet.url,
        "source": bet.source or None,
    }
    return _pulled(facts)


def decision_entry(decision: Decision) -> CommentedMap:
    return _entry(
        decision.key,
        pulled_decision(decision),
        decision.source,
        (
            ("approver", "yours: the one person who decides"),
            ("deadline", "yours: by when"),
            ("options", "yours: replaces the pulled options, one per line"),
        ),
    )


def pulled_decision(decision: Decision) -> CommentedMap:
    facts: dict[str, Any] = {
        "title": decision.title,
        "status": str(decision.status),
        "approver": decision.approver,
        "approver_is_assignee": decision.approver_is_assignee or None,
        "driver": decision.driver,
        "deadline": decision.deadline,
        "decided_on": decision.decided_on,
        "options": list(decision.options) or None,
        "url": decision.url,
        "source": decision.source or None,
    }
    return _pulled(facts)
