"""The page's report: the pulled facts with the PM's edits laid over them.

What each edit replaces is declared with its field (weekly/draft/fields.py); here is which
items the page shows: hidden ones leave it, ones the source no longer returns stay, marked.
"""

from __future__ import annotations

import dataclasses
from zoneinfo import ZoneInfo

from weekly.draft.edits import BetEdits, DecisionEdits, Edits
from weekly.draft.fields import BETS, DECISIONS, HEADLINE, lay_over
from weekly.model import Bet, Decision, DecisionStatus, Report


def apply(facts: Report, edits: Edits, zone: ZoneInfo) -> Report:
    """Overrides win over pulled values; hidden items leave the page; gone ones stay, marked."""
    bets = []
    for bet in facts.bets:
        bet_edit = edits.bets.get(bet.key)
        if bet_edit is None:
            bets.append(bet)
        elif not bet_edit.hide:
            bets.append(dataclasses.replace(bet, **lay_over(BETS.fields, bet, bet_edit)))
    pulled_keys = {b.key for b in facts.bets}
    bets += [
        _gone_bet(edit)
        for edit in edits.bets.values()
        if edit.gone and not edit.hide and edit.key not in pulled_keys
    ]

    by_key = {d.key: d for d in facts.decisions}
    decisions = []
    listed = set()
    for number, edit in enumerate(edits.decisions, start=1):
        if edit.key and edit.key in by_key:
            listed.add(edit.key)
            if not edit.hide:
                decision = by_key[edit.key]
                decisions.append(
                    dataclasses.replace(decision, **lay_over(DECISIONS.fields, decision, edit))
                )
        elif edit.gone and edit.pulled.status is DecisionStatus.DECIDED:
            continue  # decided, then gone from the source: nothing left to decide
        elif not edit.hide and (edit.title or edit.gone):
            decisions.append(_own_decision(edit, number))
    decisions += [d for d in facts.decisions if d.key not in listed]

    return dataclasses.replace(
        facts,
        **HEADLINE.lay(facts, edits),
        bets=tuple(bets),
        decisions=tuple(decisions),
        generated_at=facts.generated_at.astimezone(zone),
        sources=tuple(
            dataclasses.replace(
                s,
                pulled_at=s.pulled_at.astimezone(zone) if s.pulled_at else None,
                stale_since=s.stale_since.astimezone(zone) if s.stale_since else None,
            )
            for s in facts.sources
        ),
    )


def _gone_bet(edit: BetEdits) -> Bet:
    """A bet the source stopped returning: shown from its last pulled facts, saying so."""
    pulled = edit.pulled
    return Bet(
        key=edit.key,
        title=pulled.title or edit.key,
        url=pulled.url,
        owner=pulled.owner,
        status=edit.status or pulled.status,
        confidence=edit.confidence or pulled.confidence,
        progress=None,
        target_date=edit.new_eta or pulled.target,
        note=edit.note,
        gone=edit.gone,
        source=pulled.source or "",
        hill=edit.hill,
        hill_set=edit.hill is not None,
        next_week=edit.next_week,
    )


def _own_decision(edit: DecisionEdits, number: int) -> Decision:
    """A decision the PM added, or one the source stopped returning, from its pulled facts."""
    pulled = edit.pulled
    return Decision(
        key=edit.key or f"draft {number}",
        title=edit.title or pulled.title or str(edit.key),
        url=pulled.url,
        driver=edit.driver or pulled.driver,
        approver=edit.approver or pulled.approver,
        approver_is_assignee=not edit.approver and pulled.approver_is_assignee,
        deadline=edit.deadline or pulled.deadline,
        options=edit.options or pulled.options,
        status=DecisionStatus.OPEN,
        source=pulled.source or "draft",
        gone=edit.gone,
    )
