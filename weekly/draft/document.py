"""The draft as a YAML document: written new, or merged with fresh facts keeping every edit.

ruamel.yaml's round-trip mode keeps the PM's comments, order and formatting, so a
second `weekly draft` changes only the `pulled:` blocks and the `gone:` marks. What each
field holds and the comment beside it are declared in weekly/draft/fields.py.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from weekly.draft.fields import (
    BETS,
    DECISIONS,
    GONE,
    KEY,
    LAST_WEEK,
    PULLED,
    SOURCES,
    TOP,
    Part,
    write_entry,
)
from weekly.draft.pulled import PulledBet, PulledDecision, read_pulled, source_lines
from weekly.i18n import N_, _, week_name
from weekly.model import Report
from weekly.render.format import day, week_range

# The draft's words are the team's (report.language); the values the PM types (status,
# confidence, true or false, dates) stay as written here, in every language.
HEADER = N_("""\
weekly draft · %(team)s · %(week)s (%(period)s)

This file is yours to edit; `weekly preview` shows the page, `weekly send` sends it.
`weekly draft` refreshes what is under each `pulled:` from the sources and keeps
everything else as you left it (the file before is kept as draft.yaml.bak).

Status: on track | at risk | off track | done.   Confidence: high | medium | low.
Dates: 2026-12-18.   Leave a field empty to keep what was pulled.
""")


def yaml() -> YAML:
    parser = YAML()  # round-trip: comments and order survive a load and a dump
    parser.indent(mapping=2, sequence=4, offset=2)
    parser.width = 100
    return parser


def render(document: CommentedMap) -> str:
    out = io.StringIO()
    yaml().dump(document, out)
    return out.getvalue()


def same_data(one: Any, other: Any) -> bool:
    """Whether two parsed drafts say the same, whatever their layout and comments."""
    return bool(_plain(one) == _plain(other))


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return None if node is None else str(node)


def new_document(report: Report) -> CommentedMap:
    doc = write_entry(TOP, report)
    words = {"team": report.team, "week": week_name(report.week)}
    doc.yaml_set_start_comment(_(HEADER) % {**words, "period": week_range(report.week)})
    return doc


def merge(doc: CommentedMap, report: Report, now: dt.datetime) -> None:
    """Refresh the pulled facts in place; mark what the sources no longer return."""
    if SOURCES.key in doc:
        doc[SOURCES.key] = source_lines(report)
    else:
        doc.insert(3, SOURCES.key, source_lines(report), comment=_("pulled: how each source fared"))
    _merge_items(doc, BETS, PulledBet, [write_entry(BETS.fields, b) for b in report.bets], now)
    _merge_items(
        doc,
        DECISIONS,
        PulledDecision,
        [write_entry(DECISIONS.fields, d) for d in report.decisions],
        now,
    )


def _merge_items(
    doc: CommentedMap,
    part: Part,
    kind: type[PulledBet] | type[PulledDecision],
    fresh: list[CommentedMap],
    now: dt.datetime,
) -> None:
    if not isinstance(doc.get(part.name), list):
        doc[part.name] = CommentedSeq()
    entries: CommentedSeq = doc[part.name]
    by_key = {str(e[KEY.key]): e for e in entries if isinstance(e, dict) and e.get(KEY.key)}
    pulled = {str(entry[KEY.key]): entry for entry in fresh}
    for key, entry in pulled.items():
        existing = by_key.get(key)
        if existing is None:
            entries.append(entry)
            continue
        _replace_in_place(existing, PULLED, entry[PULLED])
        existing.pop(GONE.key, None)
        if LAST_WEEK.key in entry and LAST_WEEK.key not in existing:
            # Drafted before last week's report went out: its commitments arrive now.
            existing[LAST_WEEK.key] = entry[LAST_WEEK.key]
    for key, existing in by_key.items():
        if (
            key not in pulled
            and isinstance(existing.get(PULLED), dict)
            and not existing.get(GONE.key)
        ):
            source = read_pulled(kind, existing[PULLED]).source or _("the source")
            existing[GONE.key] = _("no longer in %(source)s since %(day)s %(time)s") % {
                "source": source,
                "day": day(now.date()),
                "time": f"{now:%H:%M}",
            }


def _replace_in_place(entry: Any, key: str, value: CommentedMap) -> None:
    current = entry.get(key)
    if not isinstance(current, dict):
        entry[key] = value
        return
    for name in [n for n in current if n not in value]:
        del current[name]
    for name, item in value.items():
        current[name] = item
