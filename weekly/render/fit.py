"""Fitting the report on one page: the page view, and the documented steps that shrink it.

The renderer tries each step in order until the page fits. Each step keeps the
previous ones and goes further; whatever a step takes out of full view is
summarised on the page ("+3 more blockers") and listed in `PageView.left_out`,
so nothing is ever cut silently.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from weekly.model import Bet, Blocker, Decision, Report, Status
from weekly.render.format import plural, shorten

# Riskiest first: the reader should meet trouble before good news.
_STATUS_ORDER = {
    Status.OFF_TRACK: 0,
    Status.AT_RISK: 1,
    None: 2,
    Status.ON_TRACK: 3,
    Status.DONE: 4,
}


@dataclass(frozen=True)
class Caps:
    """Limits a fit step puts on the page. None means no limit."""

    step: str
    collapse_done: bool = False
    blockers_per_bet: int | None = None
    note_chars: int | None = None
    scale: float = 1.0
    max_decisions: int | None = None
    max_bets: int | None = None


# The documented fit steps, in the order they are tried (README: "Fitting on one page").
FIT_STEPS: tuple[Caps, ...] = (
    Caps("everything in full"),
    Caps("done bets collapsed into one line", collapse_done=True),
    Caps("at most 2 blockers a bet", True, blockers_per_bet=2),
    Caps("notes shortened to 100 characters", True, 2, note_chars=100),
    Caps("text set 8% smaller", True, 2, 100, scale=0.92),
    Caps("at most 4 decisions in full", True, 2, 100, 0.92, max_decisions=4),
    Caps("at most 8 bets in full, riskiest first", True, 2, 100, 0.92, 4, max_bets=8),
    Caps("at most 6 bets, 3 decisions, 1 blocker a bet", True, 1, 70, 0.88, 3, max_bets=6),
    Caps("at most 4 bets and 2 decisions in full", True, 1, 50, 0.85, 2, max_bets=4),
)


@dataclass(frozen=True)
class BetView:
    bet: Bet
    blockers: tuple[Blocker, ...]
    more_blockers: int
    note: str | None


@dataclass(frozen=True)
class PageView:
    """Everything the template reads: the report, plus what the fit showed and summarised."""

    report: Report
    paper: str
    today: dt.date
    caps: Caps
    bets: tuple[BetView, ...]
    done_bets: tuple[Bet, ...]  # collapsed into one line
    more_bets: tuple[Bet, ...]  # summarised in one line
    decisions: tuple[Decision, ...]
    more_decisions: tuple[Decision, ...]

    @property
    def left_out(self) -> tuple[str, ...]:
        """What the page summarises instead of showing in full, section by section."""
        lines = []
        if self.caps.scale < 1:
            lines.append(f"page: text set {round((1 - self.caps.scale) * 100)}% smaller")
        if self.done_bets:
            lines.append(f"bets: {plural(len(self.done_bets), 'done bet')} collapsed into one line")
        if self.more_bets:
            lines.append(f"bets: {len(self.more_bets)} of {len(self.report.bets)} summarised")
        hidden = sum(b.more_blockers for b in self.bets)
        if hidden:
            lines.append(
                f"blockers: {plural(hidden, 'blocker')} beyond {self.caps.blockers_per_bet} a bet "
                "counted, not listed"
            )
        shortened = sum(1 for b in self.bets if b.note != b.bet.note)
        if shortened:
            lines.append(f"bets: {plural(shortened, 'note')} shortened")
        if self.more_decisions:
            lines.append(
                f"decisions: {len(self.more_decisions)} of {len(self.report.decisions)} summarised"
            )
        return tuple(lines)


def page_view(report: Report, caps: Caps, paper: str) -> PageView:
    """Apply one fit step's caps to the report."""
    ordered = sorted(report.bets, key=lambda b: _STATUS_ORDER[b.status])
    done = tuple(b for b in ordered if caps.collapse_done and b.status is Status.DONE)
    active = [b for b in ordered if b not in done]
    shown, more = active[: caps.max_bets], tuple(active[caps.max_bets :] if caps.max_bets else ())
    decisions = list(report.decisions)
    limit = caps.max_decisions
    return PageView(
        report=report,
        paper=paper,
        today=report.generated_at.date(),
        caps=caps,
        bets=tuple(_bet_view(b, caps) for b in shown),
        done_bets=done,
        more_bets=more,
        decisions=tuple(decisions[:limit]),
        more_decisions=tuple(decisions[limit:] if limit is not None else ()),
    )


def _bet_view(bet: Bet, caps: Caps) -> BetView:
    limit = caps.blockers_per_bet
    blockers = bet.blockers[:limit] if limit is not None else bet.blockers
    note = shorten(bet.note, caps.note_chars) if bet.note else None
    return BetView(bet, blockers, len(bet.blockers) - len(blockers), note)
