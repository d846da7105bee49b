"""Where each bet stands on the hill: uphill while the team is still figuring it out,
downhill once it is executing (Basecamp's hill chart).

A position is 0-100, the top at 50. The PM sets it in the draft (`hill:`); otherwise the
configured rule derives it from the pulled facts, so every bet has a dot from week one.
"""

from __future__ import annotations

import dataclasses

from weekly.config import HillSection
from weekly.i18n import _
from weekly.model import Bet, Report, Status

TOP = 50


def place(report: Report, rule: HillSection) -> Report:
    """The report with a derived position for each bet the source did not place."""
    return dataclasses.replace(report, bets=tuple(_placed(b, rule) for b in report.bets))


def _placed(bet: Bet, rule: HillSection) -> Bet:
    if bet.hill is not None or rule.rule == "off":
        return bet
    if bet.status is Status.DONE:
        return dataclasses.replace(bet, hill=100)
    ratio = bet.progress.ratio if bet.progress else None
    if ratio is None:
        return bet
    return dataclasses.replace(bet, hill=position(ratio, rule.top_at))


def position(ratio: float, top_at: float) -> int:
    """The share done mapped onto the hill: `top_at` of it done is the top (50)."""
    ratio = min(max(ratio, 0.0), 1.0)
    if ratio <= top_at:
        return round(ratio / top_at * TOP)
    return round(TOP + (ratio - top_at) / (1 - top_at) * (100 - TOP))


def side(hill: int) -> str:
    """`uphill`, `at the top` or `downhill`, as the page and the mail say it."""
    if hill < TOP - 5:
        return "uphill"
    if hill > TOP + 5:
        return "downhill"
    return "at the top"


def side_words(hill: int) -> str:
    """`side` in the readers' words: `uphill`, `坡顶`…"""
    return {"uphill": _("uphill"), "downhill": _("downhill")}.get(side(hill), _("at the top"))
