"""What an executive must know first: the order in which the page grants space, and each
item's one most important signal.

Off track, then at risk (and no status), then slipped, newly blocked, stalled or gone, then
open decisions (overdue and missing an approver first, then by deadline), then on track,
then done. The page, the mail and the summaries all read items in this order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import IntEnum

from weekly.i18n import _, ngettext
from weekly.model import Bet, Decision, DecisionStatus, Report, Status


class Tier(IntEnum):
    """The order of the brief: trouble before good news."""

    OFF_TRACK = 0
    AT_RISK = 1
    NO_STATUS = 2
    MOVED = 3  # slipped, at risk by forecast, newly blocked, stalled or gone from its source
    DECISION = 4
    ON_TRACK = 5
    DONE = 6


_FAR = dt.date.max


def bet_tier(bet: Bet) -> Tier:
    if bet.status is Status.DONE:
        return Tier.DONE
    if bet.status is Status.OFF_TRACK:
        return Tier.OFF_TRACK
    if bet.status is Status.AT_RISK:
        return Tier.AT_RISK
    if bet.status is None:
        return Tier.NO_STATUS
    if slipped(bet) or bet.gone or bet.at_risk_by_forecast:
        return Tier.MOVED
    if bet.change and (bet.change.new_blockers or bet.change.stalled):
        return Tier.MOVED
    return Tier.ON_TRACK


def slipped(bet: Bet) -> bool:
    """The target date moved later (a move earlier is good news, not a slip)."""
    return bet.slip is not None and bet.slip.new_date > bet.slip.previous_date


def overdue(decision: Decision, today: dt.date) -> bool:
    return (
        decision.status is DecisionStatus.OPEN
        and decision.deadline is not None
        and decision.deadline < today
    )


def ranked_bets(bets: Iterable[Bet]) -> tuple[Bet, ...]:
    """Every bet, riskiest first, done last; within a tier the nearest target first, then
    the source's order (the sort is stable)."""
    return tuple(sorted(bets, key=lambda b: (bet_tier(b), b.target_date or _FAR)))


def ranked_decisions(decisions: Iterable[Decision], today: dt.date) -> tuple[Decision, ...]:
    """The open decisions, most urgent first: overdue or without an approver, then by deadline."""
    listed = [d for d in decisions if d.status is DecisionStatus.OPEN]
    return tuple(
        sorted(
            listed,
            key=lambda d: (
                not (overdue(d, today) or not d.approver),
                not d.missing,
                d.deadline or _FAR,
            ),
        )
    )


def ranked(report: Report, today: dt.date) -> tuple[Bet | Decision, ...]:
    """Open bets and open decisions in one order: decisions after the bets in trouble and
    before the bets on track. Done bets are not in it: they share one line on the page."""
    bets = [b for b in ranked_bets(report.bets) if b.status is not Status.DONE]
    trouble = [b for b in bets if bet_tier(b) < Tier.DECISION]
    calm = [b for b in bets if bet_tier(b) > Tier.DECISION]
    return (*trouble, *ranked_decisions(report.decisions, today), *calm)


def bet_signal(bet: Bet) -> str | None:
    """What a reader of a compact row must not miss (at most two things), or None."""
    change = bet.change
    signals = []
    if bet.gone:
        signals.append(_("gone from its source"))
    if bet.slip is not None and slipped(bet):
        days = (bet.slip.new_date - bet.slip.previous_date).days
        signals.append(ngettext("slipped %(num)d day", "slipped %(num)d days", days))
    if bet.at_risk_by_forecast:
        signals.append(_("at risk by forecast"))
    if change and change.stalled:
        signals.append(_("stalled"))
    if change and change.new_blockers:
        count = len(change.new_blockers)
        signals.append(ngettext("new %(num)d blocker", "new %(num)d blockers", count))
    elif bet.blockers:
        signals.append(ngettext("%(num)d blocker", "%(num)d blockers", len(bet.blockers)))
    if change and change.hill_unmoved:
        signals.append(_("not moved on the hill"))
    return _(", ").join(signals[:2]) or None


def decision_signal(decision: Decision, today: dt.date) -> str | None:
    """No approver, overdue, no deadline, gone (at most two of them); None otherwise."""
    signals = []
    if not decision.approver:
        signals.append(_("no approver"))
    if overdue(decision, today) and decision.deadline is not None:
        days = (today - decision.deadline).days
        signals.append(ngettext("overdue %(num)d day", "overdue %(num)d days", days))
    if not decision.deadline:
        signals.append(_("no deadline"))
    if decision.gone:
        signals.append(_("gone from its source"))
    return _(", ").join(signals[:2]) or None


def item_label(decision: Decision) -> str:
    """How a reader sees a decision's key: the PM's own decisions have none."""
    return _("added by the PM") if decision.added_in_draft else decision.key
