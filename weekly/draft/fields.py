"""Every field of the draft, declared once: its key in the YAML, how the PM's value is read
and checked, what a new draft writes there (with the comment beside it), and what the
value replaces on the page.

Reading (edits.read_edits), writing (document), the warnings for unknown fields and the
line of each field (edits.part_lines) all go by these declarations. A new field the PM
edits is one entry in its part here, and its attribute on BetEdits or DecisionEdits.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import LiteralScalarString

from weekly.draft.checker import Checker
from weekly.draft.place import Place
from weekly.draft.pulled import (
    PulledBet,
    PulledDecision,
    clean,
    read_pulled,
    source_lines,
    write_pulled,
)
from weekly.i18n import N_, _, week_name, word
from weekly.model import Bet, Commitment, Confidence, Decision, Slip, Status
from weekly.render.format import day


@dataclass(frozen=True)
class BetEdits:
    key: str
    status: Status | None = None
    confidence: Confidence | None = None
    note: str | None = None
    slip_cause: str | None = None
    new_eta: dt.date | None = None
    hide: bool = False
    gone: str | None = None
    pulled: PulledBet = field(default_factory=PulledBet)
    hill: int | None = None
    next_week: tuple[str, ...] = ()
    # Last week's commitments as the PM ticked them: text -> done (None: not ticked).
    last_week: dict[str, bool | None] = field(default_factory=dict)
    # `off`: no forecast for this bet; other text: the PM's answer to a forecast later
    # than the target (why the target holds, or the options).
    forecast: str | None = None


@dataclass(frozen=True)
class DecisionEdits:
    key: str | None  # None: added by hand in the draft
    title: str | None = None
    approver: str | None = None
    driver: str | None = None
    deadline: dt.date | None = None
    options: tuple[str, ...] | None = None
    hide: bool = False
    gone: str | None = None
    pulled: PulledDecision = field(default_factory=PulledDecision)


# (check, node, key, where) -> the value, with any problem kept by the checker.
Reader = Callable[[Checker, CommentedMap, str, str], Any]
# What a new draft writes in a field, and the comment beside it (None: no comment).
Written = tuple[Any, str | None]


def _unread(check: Checker, node: CommentedMap, key: str, where: str) -> None:
    return None


def _unwritten(model: Any) -> Written | None:
    return None


def _unlaid(model: Any, edit: Any) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Field:
    key: str
    read: Reader = _unread
    # From the model (a Bet, a Decision, a Commitment, the Report): what a new draft writes
    # here; None leaves the field out of the new draft.
    write: Callable[[Any], Written | None] = _unwritten
    # From the pulled model and the PM's edits: the model's attributes the edit replaces.
    lay: Callable[[Any, Any], dict[str, Any]] = _unlaid

    def read_in(self, check: Checker, node: CommentedMap, prefix: str) -> Any:
        """The field's value in `node`; `prefix` names the node in problems (`bets[2].`)."""
        return self.read(check, node, self.key, f"{prefix}{self.key}")


@dataclass(frozen=True)
class Part:
    """A list the PM edits entry by entry: the bets, the decisions."""

    name: str  # its key in the draft
    kind: Literal["bet", "decision"]  # how a finding names one entry
    fields: tuple[Field, ...]  # in the order a new entry has them

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(f.key for f in self.fields)

    def at(self, key: str, in_field: Field | None = None) -> Place:
        """Where the entry with this key, or one of its fields, sits in the draft."""
        return Place(self.kind, key, in_field.key if in_field else None)


def write_entry(fields: tuple[Field, ...], model: Any) -> CommentedMap:
    """A new entry: each field a new draft writes, with the comment beside it."""
    entry = CommentedMap()
    for one in fields:
        written = one.write(model)
        if written is None:
            continue
        value, comment = written
        entry[one.key] = value
        if comment:
            entry.yaml_add_eol_comment(comment, one.key)
    return entry


def read_fields(
    check: Checker, fields: tuple[Field, ...], node: CommentedMap, prefix: str
) -> dict[str, Any]:
    """Each field's value, by its key, in the declaration's order."""
    return {one.key: one.read_in(check, node, prefix) for one in fields}


def lay_over(fields: tuple[Field, ...], model: Any, edit: Any) -> dict[str, Any]:
    """The model's attributes the PM's edits replace."""
    changes: dict[str, Any] = {}
    for one in fields:
        changes.update(one.lay(model, edit))
    return changes


# Readers beyond the checker's own.


def _choice(kind: Any) -> Reader:
    allowed = ", ".join(member.value for member in kind)
    return lambda check, node, key, where: check.choice(node, key, where, kind, allowed)


def _lines(check: Checker, node: CommentedMap, key: str, where: str) -> tuple[str, ...]:
    return check.texts(node, key, where) or ()


def _pulled(kind: type[PulledBet] | type[PulledDecision]) -> Reader:
    return lambda check, node, key, where: read_pulled(kind, check.mapping(node, key, where))


def _ticks(check: Checker, node: CommentedMap, key: str, where: str) -> dict[str, bool | None]:
    """`last_week:` entries, `- we_will: …` with `done: true | false | (empty)`."""
    value = node.get(key)
    if value is None:
        return {}
    if not isinstance(value, list):
        check.fail(node, key, where, "expected a list of `- we_will:` entries")
        return {}
    ticks: dict[str, bool | None] = {}
    for index, entry in enumerate(value, start=1):
        if entry is None:
            continue
        here = f"{where}[{index}]"
        text = None
        if isinstance(entry, CommentedMap):
            text = WE_WILL.read_in(check, entry, f"{here}.")
        if text is None:
            check.fail(
                node,
                key,
                here,
                "expected `we_will:` and `done:` under the `- `; weekly draft writes them",
            )
            continue
        ticks[text] = DONE.read_in(check, entry, f"{here}.")
    return ticks


# What a new draft writes.


def _said(comment: str) -> Callable[[Any], Written]:
    """An empty field with a comment saying what it is for."""
    return lambda model: (None, _(comment))


def _key(model: Bet | Decision) -> Written:
    return model.key, None


def _pulled_block(kind: type[PulledBet] | type[PulledDecision]) -> Callable[[Any], Written]:
    def written(model: Any) -> Written:  # a Bet for PulledBet, a Decision for PulledDecision
        source = model.source or _("the source")
        comment = _("from %(source)s; refreshed by weekly draft") % {"source": source}
        return write_pulled(kind.of(model)), comment

    return written


def _carried_confidence(bet: Bet) -> Written:
    """The comment says which confidence carries from an earlier report, and since when."""
    if bet.confidence_set and bet.confidence and bet.confidence_since:
        carried = {"level": word(bet.confidence.value), "week": week_name(bet.confidence_since)}
        return None, _("yours: %(level)s, set in %(week)s, stays until you write another") % carried
    return None, _("yours: high | medium | low")


def _slip_question(bet: Bet) -> Written:
    if bet.slip and not bet.slip.cause:
        moved = {"was": bet.slip.previous_date, "now": bet.slip.new_date}
        return None, _("yours: the date moved from %(was)s to %(now)s: why?") % moved
    return None, _("yours: why the date moved, and the options")


def _commitments(bet: Bet) -> Written | None:
    """Last week's commitments to tick; one a source shows done says so beside it."""
    if not bet.committed:
        return None
    ticks = CommentedSeq(write_entry(TICKS, c) for c in bet.committed)
    return ticks, _("what the last report said we would do: done true or false for each")


def _evidence(commitment: Commitment) -> Written:
    evidence = commitment.evidence
    if evidence is None:
        return None, _("true or false")
    if evidence.kind == "pull request":
        return None, _("%(key)s merged: done unless you write false") % {"key": evidence.key}
    return None, _("%(key)s resolved: done unless you write false") % {"key": evidence.key}


def _forecast_question(bet: Bet) -> Written | None:
    """Asked before the date moves: the forecast is later than the target."""
    if not (bet.at_risk_by_forecast and bet.forecast and bet.forecast.safe):
        return None
    asked = {"safe": day(bet.forecast.safe), "target": day(bet.target_date)}
    return None, _(
        "yours: 85%% likely by %(safe)s, after the target %(target)s: why the target "
        "holds, or the options; or move `new_eta:`; `off` switches the forecast off"
    ) % asked


# What the PM's value replaces on the page.


def _confidence(bet: Bet, edit: BetEdits) -> dict[str, Any]:
    """The PM's confidence wins, and is theirs from this week on: it carries to the next
    reports until they write another (history.annotate)."""
    if edit.confidence is None:
        return {}
    return {"confidence": edit.confidence, "confidence_set": True, "confidence_since": None}


def _instead(name: str) -> Callable[[Any, Any], dict[str, Any]]:
    """The PM's value, when there is one, instead of the pulled one: `name` is the edit's
    attribute and the model's it replaces."""

    def laid(model: Any, edit: Any) -> dict[str, Any]:
        value = getattr(edit, name)
        return {name: value} if value else {}

    return laid


def _slip(bet: Bet, edit: BetEdits) -> dict[str, Any]:
    """A new date the PM expects is a slip from the pulled target, for the PM's cause; a
    cause alone explains the slip the source shows."""
    if edit.new_eta and bet.target_date and edit.new_eta != bet.target_date:
        return {"slip": Slip(bet.target_date, edit.new_eta, edit.slip_cause)}
    if bet.slip is not None and edit.slip_cause:
        return {"slip": dataclasses.replace(bet.slip, cause=edit.slip_cause)}
    return {}


def _new_eta(bet: Bet, edit: BetEdits) -> dict[str, Any]:
    return {"target_date": edit.new_eta} if edit.new_eta else {}


def _hill(bet: Bet, edit: BetEdits) -> dict[str, Any]:
    """The PM's position wins; a bet the PM calls done is at the end of the hill."""
    if edit.hill is not None:
        return {"hill": edit.hill, "hill_set": True}
    if edit.status is Status.DONE and not bet.hill_set:
        return {"hill": 100}
    return {}


def _ticked(bet: Bet, edit: BetEdits) -> dict[str, Any]:
    return {
        "committed": tuple(
            dataclasses.replace(c, **DONE.lay(c, edit.last_week.get(c.text))) for c in bet.committed
        )
    }


def _done(commitment: Commitment, done: bool | None) -> dict[str, Any]:
    """The PM's tick wins over what a source shows."""
    return {} if done is None else {"done": done}


def _plans(bet: Bet, edit: BetEdits) -> dict[str, Any]:
    return {"next_week": edit.next_week}


def _forecast(bet: Bet, edit: BetEdits) -> dict[str, Any]:
    """`forecast: off` switches the bet's forecast off; other words answer it."""
    if edit.forecast is None:
        return {}
    if edit.forecast.strip().lower() == "off":
        return {"forecast": None, "forecasted": False}
    return {"forecast_answer": edit.forecast.strip()}


def _approver(decision: Decision, edit: DecisionEdits) -> dict[str, Any]:
    """An approver the PM names is not the source's assignee any more."""
    if edit.approver is None:
        return {}
    return {"approver": edit.approver, "approver_is_assignee": False}


def _options(decision: Decision, edit: DecisionEdits) -> dict[str, Any]:
    return {} if edit.options is None else {"options": edit.options}


# The declarations.

PULLED = "pulled"  # the facts the source gave, which weekly draft rewrites
KEY = Field("key", Checker.text, _key)
HIDE = Field("hide", Checker.boolean)
GONE = Field("gone", Checker.text)

WE_WILL = Field("we_will", Checker.text, lambda commitment: (clean(commitment.text), None))
DONE = Field("done", Checker.tick, _evidence, _done)
TICKS = (WE_WILL, DONE)  # each of last week's commitments under a bet's `last_week:`

STATUS = Field(
    "status", _choice(Status), _said(N_("yours: overrides the pulled status")), _instead("status")
)
CONFIDENCE = Field("confidence", _choice(Confidence), _carried_confidence, _confidence)
NOTE = Field(
    "note", Checker.text, _said(N_("yours: one line shown under the bet")), _instead("note")
)
SLIP_CAUSE = Field("slip_cause", Checker.text, _slip_question, _slip)
NEW_ETA = Field(
    "new_eta",
    Checker.date,
    _said(N_("yours: the date you now expect, if not the pulled target")),
    _new_eta,
)
HILL = Field(
    "hill", Checker.hill, _said(N_("yours: 0 still figuring it out · 50 the top · 100 done")), _hill
)
LAST_WEEK = Field("last_week", _ticks, _commitments, _ticked)
NEXT_WEEK = Field(
    "next_week",
    _lines,
    _said(N_("yours: next week we will…, one `- ` line each; the next report checks them")),
    _plans,
)
FORECAST = Field("forecast", Checker.text, _forecast_question, _forecast)
BETS = Part(
    "bets",
    "bet",
    (
        KEY,
        Field(PULLED, _pulled(PulledBet), _pulled_block(PulledBet)),
        STATUS,
        CONFIDENCE,
        NOTE,
        SLIP_CAUSE,
        NEW_ETA,
        HILL,
        LAST_WEEK,
        NEXT_WEEK,
        FORECAST,
        HIDE,
        GONE,
    ),
)

TITLE = Field("title", Checker.text, lay=_instead("title"))
APPROVER = Field(
    "approver", Checker.text, _said(N_("yours: the one person who decides")), _approver
)
DRIVER = Field("driver", Checker.text, lay=_instead("driver"))
DEADLINE = Field("deadline", Checker.date, _said(N_("yours: by when")), _instead("deadline"))
OPTIONS = Field(
    "options",
    Checker.texts,
    _said(N_("yours: replaces the pulled options, one per line")),
    _options,
)
DECISIONS = Part(
    "decisions",
    "decision",
    (
        KEY,
        Field(PULLED, _pulled(PulledDecision), _pulled_block(PulledDecision)),
        TITLE,
        APPROVER,
        DRIVER,
        DEADLINE,
        OPTIONS,
        HIDE,
        GONE,
    ),
)

WEEK = Field(
    "week", write=lambda report: (str(report.week), _("the week this draft is for; do not change"))
)
APPROVED = Field(
    "approved", Checker.boolean, lambda report: (False, _("set to true when the page may go out"))
)


def _headline(report: Any) -> Written:
    text = clean(report.headline.strip()) + "\n" if report.headline else ""
    return (
        LiteralScalarString(text) if text else None,
        _("two or three sentences: the first thing executives read"),
    )


HEADLINE = Field(
    "headline", Checker.text, _headline, lambda report, edits: {"headline": edits.headline}
)
SOURCES = Field(
    "sources",
    write=lambda report: (
        source_lines(report),
        _("pulled: how each source fared; refreshed by weekly draft"),
    ),
)
# An empty list is left empty (not `[]`), so the PM can add `- title: …` lines under it.
TOP = (
    WEEK,
    APPROVED,
    HEADLINE,
    SOURCES,
    Field(
        BETS.name,
        write=lambda report: (
            CommentedSeq(write_entry(BETS.fields, b) for b in report.bets) or None,
            _("one entry per bet; add `hide: true` to leave one off"),
        ),
    ),
    Field(
        DECISIONS.name,
        write=lambda report: (
            CommentedSeq(write_entry(DECISIONS.fields, d) for d in report.decisions) or None,
            _("add your own: title, approver, deadline, options; `hide: true` removes one"),
        ),
    ),
)
