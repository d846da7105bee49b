"""The `pulled:` blocks: the facts a source gave for a bet or a decision, as the draft
shows them to the PM, and read back for an item the source no longer returns.

`write_pulled` writes one, `read_pulled` reads one back; both go field by field over the
dataclass, so a fact added to PulledBet or PulledDecision is written and read with it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import re
import typing
from dataclasses import dataclass
from typing import Any, TypeVar

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from weekly.hill import side_words
from weekly.i18n import _, word
from weekly.model import Bet, Confidence, Decision, DecisionStatus, Report, SourceState, Status
from weekly.render.format import day, delivered_counts

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class PulledBet:
    """A bet as its source gave it, in the team's words where the draft says it in words."""

    title: str | None = None
    owner: str | None = None
    status: Status | None = None
    confidence: Confidence | None = None
    target: dt.date | None = None
    progress: str | None = None  # `14/22 done`
    slipped_from: dt.date | None = None
    hill: str | None = None  # `64 (downhill)`
    blockers: tuple[str, ...] = ()  # `PAY-131 Certification slot … · Ana Ruiz`
    delivered: str | None = None  # `3 items: PAY-1011, PAY-1012, PAY-1013`
    url: str | None = None
    source: str | None = None

    @classmethod
    def of(cls, bet: Bet) -> PulledBet:
        progress = bet.progress
        return cls(
            title=bet.title,
            owner=bet.owner,
            status=bet.status,
            confidence=bet.confidence,
            target=bet.target_date,
            progress=(
                _("%(done)d/%(all)d done") % {"done": progress.done, "all": progress.total}
                if progress
                else None
            ),
            slipped_from=bet.slip.previous_date if bet.slip else None,
            hill=_hill(bet),
            blockers=tuple(f"{b.key} {b.title} · {b.owner or _('no owner')}" for b in bet.blockers),
            delivered=(
                f"{delivered_counts(bet.delivered)}: " + ", ".join(d.key for d in bet.delivered)
                if bet.delivered
                else None
            ),
            url=bet.url,
            source=bet.source or None,
        )


@dataclass(frozen=True)
class PulledDecision:
    """A decision as its source gave it."""

    title: str | None = None
    status: DecisionStatus | None = None
    approver: str | None = None
    approver_is_assignee: bool = False
    driver: str | None = None
    deadline: dt.date | None = None
    decided_on: dt.date | None = None
    options: tuple[str, ...] = ()
    url: str | None = None
    source: str | None = None

    @classmethod
    def of(cls, decision: Decision) -> PulledDecision:
        return cls(
            title=decision.title,
            status=decision.status,
            approver=decision.approver,
            approver_is_assignee=decision.approver_is_assignee,
            driver=decision.driver,
            deadline=decision.deadline,
            decided_on=decision.decided_on,
            options=decision.options,
            url=decision.url,
            source=decision.source or None,
        )


Pulled = TypeVar("Pulled", bound=PulledBet | PulledDecision)


def write_pulled(facts: PulledBet | PulledDecision) -> CommentedMap:
    """The `pulled:` block, in the dataclass's order; a fact the source did not give (None,
    no blockers, false) is left out."""
    block = CommentedMap()
    for fact in dataclasses.fields(facts):
        value = getattr(facts, fact.name)
        if value is None or value == () or value is False:
            continue
        if isinstance(value, enum.Enum):
            value = str(value)
        block[fact.name] = clean(list(value) if isinstance(value, tuple) else value)
    return block


def read_pulled(kind: type[Pulled], block: typing.Mapping[str, Any]) -> Pulled:
    """A `pulled:` block read back leniently: the PM may have edited it, and what does not
    read is as if the source had not given it (weekly draft rewrites the block anyway)."""
    hints = typing.get_type_hints(kind)
    return kind(
        **{f.name: _fact(hints[f.name], block.get(f.name)) for f in dataclasses.fields(kind)}
    )


def _fact(hint: Any, value: object) -> Any:
    if hint is bool:
        return bool(value)
    if typing.get_origin(hint) is tuple:
        if isinstance(value, list):
            return tuple(str(v) for v in value if v is not None)
        return (str(value),) if value and not isinstance(value, dict) else ()
    (kind,) = (t for t in typing.get_args(hint) if t is not type(None))
    if kind is dt.date:
        return value if isinstance(value, dt.date) else None
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        try:
            return kind(value) if value else None
        except (ValueError, TypeError):
            return None
    return str(value) if value and not isinstance(value, dict | list) else None


def _hill(bet: Bet) -> str | None:
    """`50 (at the top, where you last put it)`: the pulled hill position in words."""
    if bet.hill is None:
        return None
    where = side_words(bet.hill)
    if bet.hill_set:
        where = _("%(where)s, where you last put it") % {"where": where}
    return f"{bet.hill} ({where})"


def clean(value: Any) -> Any:
    """Pulled text without control characters: YAML cannot hold them, and a title pasted
    into a tracker sometimes carries one."""
    if isinstance(value, str):
        return _CONTROL.sub("", value)
    if isinstance(value, list):
        return [clean(v) for v in value]
    return value


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
