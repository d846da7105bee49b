"""Fitting the report on one page: the page view, and the documented steps that shrink it.

The renderer tries each step in order until the page fits. Each step keeps the
previous ones and goes further; whatever a step takes out of full view is
summarised on the page ("+3 more blockers") and listed in `PageView.left_out`,
so nothing is ever cut silently.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

from weekly.model import Bet, Decision, DecisionStatus, Report, Status
from weekly.render.format import plural, shorten

T = TypeVar("T")

# Riskiest first: the reader should meet trouble before good news.
STATUS_ORDER: dict[Status | None, int] = {
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
    hide_delivered: bool = False  # a bet's delivered items counted in its progress, not listed
    blockers_per_bet: int | None = None
    text_chars: int | None = None  # notes, slip causes, blocker titles, decision options
    scale: float = 1.0
    max_decisions: int | None = None
    options_per_decision: int | None = None
    max_bets: int | None = None
    headline_chars: int | None = None


_S = Caps  # the table below reads better with a short name
# The documented fit steps, in the order they are tried (README: "Fitting on one page").
FIT_STEPS: tuple[Caps, ...] = (
    _S("everything in full"),
    _S("done bets collapsed into one line", True),
    _S("delivered work counted in progress, not listed", True, True),
    _S("at most 2 blockers a bet", True, True, 2),
    _S("texts shortened to 100 characters", True, True, 2, 100),
    _S("text set 8% smaller", True, True, 2, 100, 0.92),
    _S("at most 4 decisions and 3 options each in full", True, True, 2, 100, 0.92, 4, 3),
    _S("at most 8 bets in full, riskiest first", True, True, 2, 100, 0.92, 4, 3, 8),
    _S("text set 12% smaller", True, True, 2, 100, 0.88, 4, 3, 8),
    _S("at most 6 bets, 3 decisions, 1 blocker a bet", True, True, 1, 70, 0.88, 3, 2, 6, 300),
    _S("at most 4 bets and 2 decisions in full", True, True, 1, 50, 0.85, 2, 2, 4, 200),
    _S("at most 2 bets and 1 decision in full", True, True, 0, 40, 0.8, 1, 1, 2, 120),
)


@dataclass(frozen=True)
class BetView:
    """A bet as shown: texts possibly shortened, blockers possibly capped."""

    bet: Bet
    more_blockers: int
    shortened: bool


@dataclass(frozen=True)
class DecisionView:
    decision: Decision
    more_options: int
    shortened: bool


@dataclass(frozen=True)
class PageView:
    """Everything the template reads: the report, plus what the fit showed and summarised."""

    report: Report
    paper: str
    today: dt.date
    caps: Caps
    headline: str | None
    bets: tuple[BetView, ...]
    done_bets: tuple[Bet, ...]  # collapsed into one line
    more_bets: tuple[Bet, ...]  # summarised in one line
    decisions: tuple[DecisionView, ...]  # open decisions in full
    more_decisions: tuple[Decision, ...]  # open decisions summarised in one line
    decided: tuple[Decision, ...]  # decided this week: one line

    @property
    def more_bets_blockers(self) -> int:
        """Blockers of the bets summarised in one line: counted there, not listed."""
        return sum(len(b.blockers) for b in self.more_bets)

    @property
    def open_decisions(self) -> int:
        return len(self.decisions) + len(self.more_decisions)

    @staticmethod
    def status_counts(bets: Iterable[Bet]) -> tuple[str, ...]:
        """`('1 off track', '2 at risk', …)`, riskiest first, statuses with no bets left out."""
        counts: dict[Status | None, int] = {}
        for bet in bets:
            counts[bet.status] = counts.get(bet.status, 0) + 1
        ordered = sorted(counts.items(), key=lambda item: STATUS_ORDER[item[0]])
        return tuple(f"{n} {status or 'no status'}" for status, n in ordered)

    @property
    def left_out(self) -> tuple[str, ...]:
        """What the page summarises instead of showing in full, section by section."""
        lines = []
        if self.caps.scale < 1:
            lines.append(f"page: text set {round((1 - self.caps.scale) * 100)}% smaller")
        if self.headline != self.report.headline:
            lines.append("headline: shortened")
        if self.done_bets:
            lines.append(f"bets: {plural(len(self.done_bets), 'done bet')} collapsed into one line")
        delivered = sum(len(b.bet.delivered) for b in self.bets)
        if self.caps.hide_delivered and delivered:
            lines.append(
                f"bets: {plural(delivered, 'delivered item')} counted in progress, not listed"
            )
        if self.more_bets:
            hidden = self.more_bets_blockers
            with_blockers = f", with {plural(hidden, 'blocker')}" if hidden else ""
            lines.append(
                f"bets: {len(self.more_bets)} of {len(self.report.bets)} summarised{with_blockers}"
            )
        capped = sum(b.more_blockers for b in self.bets)
        if capped:
            lines.append(
                f"blockers: {plural(capped, 'blocker')} beyond {self.caps.blockers_per_bet} a bet "
                "counted, not listed"
            )
        shortened = sum(b.shortened for b in self.bets) + sum(d.shortened for d in self.decisions)
        if shortened:
            lines.append(f"texts: shortened in {shortened} of the bets and decisions shown")
        if self.more_decisions:
            lines.append(
                f"decisions: {len(self.more_decisions)} of {self.open_decisions} summarised"
            )
        options = sum(d.more_options for d in self.decisions)
        if options:
            lines.append(f"decisions: {plural(options, 'option')} counted, not listed")
        return tuple(lines)


def full_view(report: Report, paper: str) -> PageView:
    """Everything in full, as the mail shows it (a mail has no page to fit)."""
    return page_view(report, FIT_STEPS[0], paper)


def page_view(report: Report, caps: Caps, paper: str) -> PageView:
    """Apply one fit step's caps to the report."""
    ordered = sorted(report.bets, key=lambda b: STATUS_ORDER[b.status])
    done = tuple(b for b in ordered if caps.collapse_done and b.status is Status.DONE)
    active = [b for b in ordered if b not in done]
    shown, more = _split(active, caps.max_bets)
    open_decisions = [d for d in report.decisions if d.status is DecisionStatus.OPEN]
    decisions, more_decisions = _split(open_decisions, caps.max_decisions)
    return PageView(
        report=report,
        paper=paper,
        today=report.generated_at.date(),
        caps=caps,
        headline=shorten(report.headline, caps.headline_chars) if report.headline else None,
        bets=tuple(_bet_view(b, caps) for b in shown),
        done_bets=done,
        more_bets=more,
        decisions=tuple(_decision_view(d, caps) for d in decisions),
        more_decisions=more_decisions,
        decided=tuple(d for d in report.decisions if d.status is DecisionStatus.DECIDED),
    )


def _split(items: list[T], limit: int | None) -> tuple[list[T], tuple[T, ...]]:
    if limit is None:
        return items, ()
    return items[:limit], tuple(items[limit:])


def _bet_view(bet: Bet, caps: Caps) -> BetView:
    limit, chars = caps.blockers_per_bet, caps.text_chars
    blockers = bet.blockers if limit is None else bet.blockers[:limit]
    shown = dataclasses.replace(
        bet,
        note=shorten(bet.note, chars) if bet.note else None,
        slip=(
            dataclasses.replace(bet.slip, cause=shorten(bet.slip.cause, chars))
            if bet.slip and bet.slip.cause
            else bet.slip
        ),
        blockers=tuple(dataclasses.replace(b, title=shorten(b.title, chars)) for b in blockers),
        next_week=tuple(shorten(t, chars) for t in bet.next_week),
        committed=tuple(dataclasses.replace(c, text=shorten(c.text, chars)) for c in bet.committed),
    )
    before = (bet.note, bet.slip, bet.blockers[: len(blockers)], bet.next_week, bet.committed)
    after = (shown.note, shown.slip, shown.blockers, shown.next_week, shown.committed)
    return BetView(shown, len(bet.blockers) - len(blockers), after != before)


def _decision_view(decision: Decision, caps: Caps) -> DecisionView:
    limit = caps.options_per_decision
    options = decision.options if limit is None else decision.options[:limit]
    shown = dataclasses.replace(
        decision, options=tuple(shorten(o, caps.text_chars) for o in options)
    )
    return DecisionView(
        shown,
        len(decision.options) - len(options),
        shown.options != decision.options[: len(options)],
    )
