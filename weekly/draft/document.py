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

from weekly.hill import side_words
from weekly.i18n import N_, _, week_name, word
from weekly.model import Bet, Decision, Report, SourceState
from weekly.render.format import day, delivered_counts, week_range

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
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


def new_document(report: Report) -> CommentedMap:
    doc = CommentedMap()
    words = {"team": report.team, "week": week_name(report.week)}
    doc.yaml_set_start_comment(_(HEADER) % {**words, "period": week_range(report.week)})
    doc["week"] = str(report.week)
    doc.yaml_add_eol_comment(_("the week this draft is for; do not change"), "week")
    doc["approved"] = False
    doc.yaml_add_eol_comment(_("set to true when the page may go out"), "approved")
    text = _clean(report.headline.strip()) + "\n" if report.headline else ""
    doc["headline"] = LiteralScalarString(text) if text else None
    doc.yaml_add_eol_comment(
        _("two or three sentences: the first thing executives read"), "headline"
    )
    doc["sources"] = source_lines(report)
    doc.yaml_add_eol_comment(
        _("pulled: how each source fared; refreshed by weekly draft"), "sources"
    )
    # An empty list is left empty (not `[]`), so the PM can add `- title: …` lines under it.
    doc["bets"] = CommentedSeq(bet_entry(b) for b in report.bets) or None
    doc.yaml_add_eol_comment(_("one entry per bet; add `hide: true` to leave one off"), "bets")
    doc["decisions"] = CommentedSeq(decision_entry(d) for d in report.decisions) or None
    doc.yaml_add_eol_comment(
        _("add your own: title, approver, deadline, options; `hide: true` removes one"),
        "decisions",
    )
    return doc


def merge(doc: CommentedMap, report: Report, now: dt.datetime) -> None:
    """Refresh the pulled facts in place; mark what the sources no longer return."""
    if "sources" in doc:
        doc["sources"] = source_lines(report)
    else:
        doc.insert(3, "sources", source_lines(report), comment=_("pulled: how each source fared"))
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
            source = existing["pulled"].get("source") or _("the source")
            existing["gone"] = _("no longer in %(source)s since %(day)s %(time)s") % {
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


def source_lines(report: Report) -> CommentedSeq:
    """One line a source; a failed one says since when its items are from the last good pull."""
    lines = CommentedSeq()
    for status in report.sources:
        if status.state is SourceState.OK and status.pulled_at:
            when = {"day": day(status.pulled_at.date()), "time": f"{status.pulled_at:%H:%M}"}
            lines.append(f"{status.name}: " + _("ok, pulled %(day)s %(time)s") % when)
            continue
        line = f"{status.name}: {word(status.state).upper()}: {status.reason}"
        if status.stale_since:
            since = {"day": day(status.stale_since.date()), "time": f"{status.stale_since:%H:%M}"}
            line += _("; its items are from the last good pull, %(day)s %(time)s") % since
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
        _("from %(source)s; refreshed by weekly draft") % {"source": source or _("the source")},
        "pulled",
    )
    for name, comment in fields:
        entry[name] = None
        entry.yaml_add_eol_comment(_(comment), name)
    return entry


def bet_entry(bet: Bet) -> CommentedMap:
    entry = _entry(
        bet.key,
        pulled_bet(bet),
        bet.source,
        (
            ("status", N_("yours: overrides the pulled status")),
            ("confidence", N_("yours: high | medium | low")),
            ("note", N_("yours: one line shown under the bet")),
            ("slip_cause", N_("yours: why the date moved, and the options")),
            ("new_eta", N_("yours: the date you now expect, if not the pulled target")),
            ("hill", N_("yours: 0 still figuring it out · 50 the top · 100 done")),
        ),
    )
    if bet.committed:
        entry["last_week"] = last_week_entries(bet)
        entry.yaml_add_eol_comment(
            _("what the last report said we would do: done true or false for each"), "last_week"
        )
    entry["next_week"] = None
    entry.yaml_add_eol_comment(
        _("yours: next week we will…, one `- ` line each; the next report checks them"),
        "next_week",
    )
    if bet.at_risk_by_forecast and bet.forecast and bet.forecast.safe:
        # Ask before the date moves: the forecast is later than the target.
        entry["forecast"] = None
        asked = {"safe": day(bet.forecast.safe), "target": day(bet.target_date)}
        entry.yaml_add_eol_comment(
            _(
                "yours: 85%% likely by %(safe)s, after the target %(target)s: why the target "
                "holds, or the options; or move `new_eta:`; `off` switches the forecast off"
            )
            % asked,
            "forecast",
        )
    if bet.slip and not bet.slip.cause:
        moved = {"was": bet.slip.previous_date, "now": bet.slip.new_date}
        entry.yaml_add_eol_comment(
            _("yours: the date moved from %(was)s to %(now)s: why?") % moved, "slip_cause"
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
        if evidence is None:
            comment = _("true or false")
        elif evidence.kind == "pull request":
            comment = _("%(key)s merged: done unless you write false") % {"key": evidence.key}
        else:
            comment = _("%(key)s resolved: done unless you write false") % {"key": evidence.key}
        item.yaml_add_eol_comment(comment, "done")
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
        "progress": (
            _("%(done)d/%(all)d done") % {"done": bet.progress.done, "all": bet.progress.total}
            if bet.progress
            else None
        ),
        "slipped_from": bet.slip.previous_date if bet.slip else None,
        "hill": _hill(bet),
        "blockers": [f"{b.key} {b.title} · {b.owner or _('no owner')}" for b in bet.blockers]
        or None,
        "delivered": (
            f"{delivered_counts(bet.delivered)}: " + ", ".join(d.key for d in bet.delivered)
            if bet.delivered
            else None
        ),
        "url": bet.url,
        "source": bet.source or None,
    }
    return _pulled(facts)


def _hill(bet: Bet) -> str | None:
    """`50 (at the top, where you last put it)`: the pulled hill position in words."""
    if bet.hill is None:
        return None
    where = side_words(bet.hill)
    if bet.hill_set:
        where = _("%(where)s, where you last put it") % {"where": where}
    return f"{bet.hill} ({where})"


def decision_entry(decision: Decision) -> CommentedMap:
    return _entry(
        decision.key,
        pulled_decision(decision),
        decision.source,
        (
            ("approver", N_("yours: the one person who decides")),
            ("deadline", N_("yours: by when")),
            ("options", N_("yours: replaces the pulled options, one per line")),
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
