"""The page's report: the pulled facts with the PM's edits laid over them."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from weekly.draft.edits import BetEdits, DecisionEdits, Edits
from weekly.model import (
    Bet,
    Commitment,
    Confidence,
    Decision,
    DecisionStatus,
    Report,
    Slip,
    Status,
)


def apply(facts: Report, edits: Edits, zone: ZoneInfo) -> Report:
    """Overrides win over pulled values; hidden items leave the page; gone ones stay, marked."""
    bets = []
    for bet in facts.bets:
        bet_edit = edits.bets.get(bet.key)
        if bet_edit is None:
            bets.append(bet)
        elif not bet_edit.hide:
            bets.append(_edited_bet(bet, bet_edit))
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
                decisions.append(_edited_decision(by_key[edit.key], edit))
        elif edit.gone and edit.pulled.get("status") == "decided":
            continue  # decided, then gone from the source: nothing left to decide
        elif not edit.hide and (edit.title or edit.gone):
            decisions.append(_own_decision(edit, number))
    decisions += [d for d in facts.decisions if d.key not in listed]

    return dataclasses.replace(
        facts,
        headline=edits.headline,
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


def _edited_bet(bet: Bet, edit: BetEdits) -> Bet:
    target = edit.new_eta or bet.target_date
    slip = bet.slip
    if edit.new_eta and bet.target_date and edit.new_eta != bet.target_date:
        slip = Slip(bet.target_date, edit.new_eta, edit.slip_cause)
    elif slip is not None and edit.slip_cause:
        slip = dataclasses.replace(slip, cause=edit.slip_cause)
    return dataclasses.replace(
        bet,
        status=edit.status or bet.status,
        confidence=edit.confidence or bet.confidence,
        note=edit.note or bet.note,
        target_date=target,
        slip=slip,
        **_hill(bet, edit),
        next_week=edit.next_week,
        committed=tuple(_ticked(c, edit.last_week.get(c.text)) for c in bet.committed),
        **_forecast(edit.forecast),
    )


def _forecast(answer: str | None) -> dict[str, Any]:
    """`forecast: off` switches the bet's forecast off; other words answer it."""
    if answer is None:
        return {}
    if answer.strip().lower() == "off":
        return {"forecast": None, "forecasted": False}
    return {"forecast_answer": answer.strip()}


def _hill(bet: Bet, edit: BetEdits) -> dict[str, Any]:
    """The PM's position wins; a bet the PM calls done is at the end of the hill."""
    if edit.hill is not None:
        return {"hill": edit.hill, "hill_set": True}
    if edit.status is Status.DONE and not bet.hill_set:
        return {"hill": 100}
    return {}


def _ticked(commitment: Commitment, done: bool | None) -> Commitment:
    """The PM's tick wins over what a source shows."""
    return commitment if done is None else dataclasses.replace(commitment, done=done)


def _gone_bet(edit: BetEdits) -> Bet:
    """A bet the source stopped returning: shown from its last pulled facts, saying so."""
    pulled = edit.pulled
    target = pulled.get("target")
    return Bet(
        key=edit.key,
        title=str(pulled.get("title") or edit.key),
        url=pulled.get("url"),
        owner=pulled.get("owner"),
        status=edit.status or _enum(Status, pulled.get("status")),
        confidence=edit.confidence or _enum(Confidence, pulled.get("confidence")),
        progress=None,
        target_date=edit.new_eta or (target if isinstance(target, dt.date) else None),
        note=edit.note,
        gone=edit.gone,
        source=str(pulled.get("source") or ""),
        hill=edit.hill,
        hill_set=edit.hill is not None,
        next_week=edit.next_week,
    )


def _edited_decision(decision: Decision, edit: DecisionEdits) -> Decision:
    approver_changed = edit.approver is not None
    return dataclasses.replace(
        decision,
        title=edit.title or decision.title,
        approver=edit.approver or decision.approver,
        approver_is_assignee=decision.approver_is_assignee and not approver_changed,
        driver=edit.driver or decision.driver,
        deadline=edit.deadline or decision.deadline,
        options=edit.options if edit.options is not None else decision.options,
    )


def _own_decision(edit: DecisionEdits, number: int) -> Decision:
    pulled = edit.pulled
    deadline = pulled.get("deadline")
    return Decision(
        key=edit.key or f"draft {number}",
        title=edit.title or str(pulled.get("title") or edit.key),
        url=pulled.get("url"),
        driver=edit.driver or pulled.get("driver"),
        approver=edit.approver or pulled.get("approver"),
        approver_is_assignee=not edit.approver and bool(pulled.get("approver_is_assignee")),
        deadline=edit.deadline or (deadline if isinstance(deadline, dt.date) else None),
        options=edit.options or tuple(pulled.get("options") or ()),
        status=DecisionStatus.OPEN,
        source=str(pulled.get("source") or "draft"),
        gone=edit.gone,
    )


def _enum(kind: Any, value: object) -> Any:
    try:
        return kind(value) if value else None
    except ValueError:
        return None
