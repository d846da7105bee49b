"""The page view: which items the one page shows in full, which in a compact row, and which
only by key, and which of their detail lines it shows.

A `Plan` says that for each item; `page_view` turns a report and a plan into what the
template reads. The plan itself is chosen by `weekly.render.pack` from measured heights, in
the order of `weekly.render.priority`. Whatever the page does not show in full is summarised
on it and listed in `PageView.left_out`, so nothing is ever cut silently.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeVar

from weekly.i18n import _, ngettext, word
from weekly.model import Bet, Decision, DecisionStatus, Report, Status
from weekly.render.format import since
from weekly.render.priority import (
    Tier,
    bet_signal,
    bet_tier,
    decision_signal,
    ranked,
    ranked_bets,
)

# A compact row's title is cut to this many columns (a Chinese character takes two), so the
# row stays one line in its cell on A4 and Letter.
COMPACT_TITLE_COLUMNS = 44


class Form(StrEnum):
    FULL = "full"  # the item's row with its detail lines
    COMPACT = "compact"  # one row: title, owner, status, target, one signal
    KEY = "key"  # its key and status in a summary line: the last resort


# A full bet's detail lines, in the order the page grants them. The main row, the slip and
# the PM's note come with the full row itself; blockers are granted one line at a time.
BET_DETAILS = ("forecast", "since", "blockers", "committed", "next_week", "delivered")


@dataclass(frozen=True)
class Plan:
    """What the page grants: a form per item (by fit id) and the detail lines it shows.

    `details` holds `"b3.since"`, `"b3.blk0"`, `"d1.options"`…; `done_titles` says whether the
    done bets' line shows titles or keys only.
    """

    forms: Mapping[str, Form]
    details: frozenset[str] = frozenset()
    done_titles: bool = True


@dataclass(frozen=True)
class BetView:
    """A bet as the page shows it."""

    bet: Bet
    fit_id: str  # "b3": the bet's place in priority order, to measure its rows by
    form: Form
    details: frozenset[str]  # which of BET_DETAILS it shows
    blockers: tuple[int, ...]  # the indexes of the blockers listed
    signal: str | None

    @property
    def more_blockers(self) -> int:
        return len(self.bet.blockers) - len(self.blockers)

    def shows(self, detail: str) -> bool:
        return detail in self.details

    @property
    def title(self) -> str:
        """The title as the row shows it: a compact row's shortened to fit one line."""
        if self.form is Form.FULL:
            return self.bet.title
        return shorten_columns(self.bet.title, COMPACT_TITLE_COLUMNS)


@dataclass(frozen=True)
class DecisionView:
    decision: Decision
    fit_id: str
    form: Form
    details: frozenset[str]
    signal: str | None

    def shows(self, detail: str) -> bool:
        return detail in self.details

    @property
    def title(self) -> str:
        if self.form is Form.FULL:
            return self.decision.title
        return shorten_columns(self.decision.title, COMPACT_TITLE_COLUMNS)


@dataclass(frozen=True)
class PageView:
    """Everything the template reads: the report, and what the page shows of it."""

    report: Report
    paper: str
    today: dt.date
    headline: str | None
    bets: tuple[BetView, ...]  # in full, riskiest first
    compact_bets: tuple[BetView, ...]
    key_bets: tuple[BetView, ...]
    done_bets: tuple[Bet, ...]  # one line
    done_titles: bool
    decisions: tuple[DecisionView, ...]  # open ones in full, most urgent first
    compact_decisions: tuple[DecisionView, ...]
    key_decisions: tuple[DecisionView, ...]
    decided: tuple[Decision, ...]  # decided this week: one line
    probe: tuple[BetView | DecisionView, ...] = field(default=())  # measuring only
    probe_note: str = ""  # measuring only: the fit note of a page of compact rows
    plan: Plan | None = None  # what it grants (the live preview shows the next save with it)

    @property
    def open_decisions(self) -> int:
        return len(self.decisions) + len(self.compact_decisions) + len(self.key_decisions)

    @property
    def compacted(self) -> bool:
        """Anything less than everything in full: each way the page compacts is in left_out."""
        return bool(self.left_out)

    @property
    def open_bets(self) -> tuple[BetView, ...]:
        return (*self.bets, *self.compact_bets, *self.key_bets)

    @staticmethod
    def status_counts(bets: Iterable[Bet]) -> tuple[str, ...]:
        """`('1 off track', '2 at risk', …)`, riskiest first, statuses with no bets left out."""
        counts: dict[Status | None, int] = {}
        for bet in bets:
            counts[bet.status] = counts.get(bet.status, 0) + 1
        order = [Status.OFF_TRACK, Status.AT_RISK, None, Status.ON_TRACK, Status.DONE]
        none = _("no status")
        return tuple(f"{counts[s]} {word(s) if s else none}" for s in order if counts.get(s))

    @staticmethod
    def gaps(decisions: Iterable[DecisionView], today: dt.date) -> tuple[str, ...]:
        """`('2 without an approver', '1 overdue')` for a summary line of decisions."""
        listed = [v.decision for v in decisions]
        no_approver = sum(not d.approver for d in listed)
        no_deadline = sum(not d.deadline for d in listed)
        late = sum(bool(d.deadline and d.deadline < today) for d in listed)
        parts = []
        if no_approver:
            parts.append(_("%(num)d without an approver") % {"num": no_approver})
        if no_deadline:
            parts.append(_("%(num)d without a deadline") % {"num": no_deadline})
        if late:
            parts.append(_("%(num)d overdue") % {"num": late})
        return tuple(parts)

    @property
    def left_out(self) -> tuple[str, ...]:
        """What the page summarises instead of showing in full, kind by kind."""
        lines = []
        bets = len(self.open_bets)
        if self.compact_bets:
            lines.append(
                _("bets: %(num)d of %(all)d in one compact row each")
                % {"num": len(self.compact_bets), "all": bets}
            )
        if self.key_bets:
            lines.append(
                _("bets: %(num)d of %(all)d by key and status only")
                % {"num": len(self.key_bets), "all": bets}
            )
        decisions = self.open_decisions
        if self.compact_decisions:
            lines.append(
                _("decisions: %(num)d of %(all)d in one compact row each")
                % {"num": len(self.compact_decisions), "all": decisions}
            )
        if self.key_decisions:
            lines.append(
                _("decisions: %(num)d of %(all)d by key and gaps only")
                % {"num": len(self.key_decisions), "all": decisions}
            )
        blockers = sum(v.more_blockers for v in self.bets)
        if blockers:
            lines.append(
                ngettext(
                    "blockers: %(num)d blocker counted, not listed",
                    "blockers: %(num)d blockers counted, not listed",
                    blockers,
                )
            )
        for detail in ("forecast", "since", "committed", "next_week", "delivered"):
            short = [v for v in self.bets if _has(v.bet, detail) and not v.shows(detail)]
            if short:
                lines.append(_left_out_for(detail, len(short)))
        options = [v for v in self.decisions if v.decision.options and not v.shows("options")]
        if options:
            lines.append(
                ngettext(
                    "decisions: options left out for %(num)d decision",
                    "decisions: options left out for %(num)d decisions",
                    len(options),
                )
            )
        roles = [v for v in self.decisions if _has_roles(v.decision) and not v.shows("roles")]
        if roles:
            lines.append(
                ngettext(
                    "decisions: contributors and informed left out for %(num)d decision",
                    "decisions: contributors and informed left out for %(num)d decisions",
                    len(roles),
                )
            )
        if self.done_bets and not self.done_titles:
            lines.append(
                ngettext(
                    "bets: %(num)d done bet by key only",
                    "bets: %(num)d done bets by key only",
                    len(self.done_bets),
                )
            )
        return tuple(lines)

    @property
    def fit_note(self) -> str:
        """The footer's line on what the page summarises; empty when nothing."""
        return fit_note(self.left_out)


def fit_note(left_out: Iterable[str]) -> str:
    listed = _("; ").join(left_out)
    return _("Fitted to one page: %(what)s.") % {"what": listed} if listed else ""


def _left_out_for(detail: str, bets: int) -> str:
    """The fit note's words for a bet detail line left out of `bets` bets."""
    if detail == "forecast":
        return ngettext(
            "bets: the forecast's dates and question left out for %(num)d bet",
            "bets: the forecast's dates and question left out for %(num)d bets",
            bets,
        )
    if detail == "since":
        return ngettext(
            "bets: the line on what changed since the last report left out for %(num)d bet",
            "bets: the line on what changed since the last report left out for %(num)d bets",
            bets,
        )
    if detail == "committed":
        return ngettext(
            "bets: last week's commitments left out for %(num)d bet",
            "bets: last week's commitments left out for %(num)d bets",
            bets,
        )
    if detail == "next_week":
        return ngettext(
            "bets: next week's commitments left out for %(num)d bet",
            "bets: next week's commitments left out for %(num)d bets",
            bets,
        )
    return ngettext(
        "bets: the delivered work (counted in progress) left out for %(num)d bet",
        "bets: the delivered work (counted in progress) left out for %(num)d bets",
        bets,
    )


def _has(bet: Bet, detail: str) -> bool:
    """Whether a bet has anything to show for a detail line."""
    if detail == "since":  # as the template decides whether to show the line
        change = bet.change
        return change is not None and bool(
            since(bet, True) or change.stalled or change.hill_unmoved
        )
    if detail == "blockers":
        return bool(bet.blockers)
    if detail == "forecast":  # the line asking about a forecast later than the target
        return forecast_is_news(bet)
    return bool(getattr(bet, detail))


def forecast_is_news(bet: Bet) -> bool:
    """A bet on track (or without status) whose forecast is later than its target: the
    forecast is the news, and the page says so in a line of its own. A bet in trouble
    already says so, and shows its 85% date under its target."""
    return bet.at_risk_by_forecast and bet.status in (None, Status.ON_TRACK)


def _has_roles(decision: Decision) -> bool:
    return bool(decision.contributors or decision.informed)


def fit_ids(report: Report) -> dict[str, Bet | Decision]:
    """Each open item by its fit id: `b0`, `b1`… for bets, `d0`… for decisions, in priority
    order (the ids stay the same whatever the plan)."""
    ids: dict[str, Bet | Decision] = {}
    bets = decisions = 0
    for item in ranked(report, report.generated_at.date()):
        if isinstance(item, Bet):
            ids[f"b{bets}"] = item
            bets += 1
        else:
            ids[f"d{decisions}"] = item
            decisions += 1
    return ids


def full_plan(report: Report) -> Plan:
    """Everything in full: every item, every detail line."""
    ids = fit_ids(report)
    return Plan(dict.fromkeys(ids, Form.FULL), frozenset(all_details(ids)), True)


def all_details(ids: Mapping[str, Bet | Decision]) -> list[str]:
    """Every detail line of the items (by fit id, see fit_ids), as `Plan.details` names them,
    in priority order."""
    names = []
    for fid, item in ids.items():
        if isinstance(item, Bet):
            for detail in BET_DETAILS:
                if detail == "blockers":
                    names += [f"{fid}.blk{i}" for i in range(len(item.blockers))]
                elif _has(item, detail):
                    names.append(f"{fid}.{detail}")
        else:
            if item.options:
                names.append(f"{fid}.options")
            if _has_roles(item):
                names.append(f"{fid}.roles")
    return names


def full_view(report: Report, paper: str) -> PageView:
    """Everything in full, as the mail shows it (a mail has no page to fit)."""
    return page_view(report, full_plan(report), paper)


def page_view(report: Report, plan: Plan, paper: str, probe: bool = False) -> PageView:
    """The page for one plan. With `probe`, every item's compact row is added after the
    page, for the layout that measures them."""
    today = report.generated_at.date()
    ids = fit_ids(report)
    bet_views: list[BetView] = []
    decision_views: list[DecisionView] = []
    for fid, item in ids.items():
        form = plan.forms.get(fid, Form.COMPACT)
        mine = frozenset(d.split(".", 1)[1] for d in plan.details if d.startswith(f"{fid}."))
        if isinstance(item, Bet):
            blockers = tuple(
                i for i in range(len(item.blockers)) if f"blk{i}" in mine and form is Form.FULL
            )
            details = (
                frozenset(d for d in mine if d in BET_DETAILS) if form is Form.FULL else frozenset()
            )
            bet_views.append(BetView(item, fid, form, details, blockers, bet_signal(item)))
        else:
            details = mine if form is Form.FULL else frozenset()
            decision_views.append(
                DecisionView(item, fid, form, details, decision_signal(item, today))
            )
    done = tuple(b for b in ranked_bets(report.bets) if bet_tier(b) is Tier.DONE)
    probe_views: tuple[BetView | DecisionView, ...] = ()
    probe_note = ""
    if probe:
        # A long note, for the note's height a line and its characters a line.
        rows = Plan(dict.fromkeys(ids, Form.COMPACT), frozenset(), False)
        bare = Plan(dict.fromkeys(ids, Form.FULL), frozenset(), False)
        kinds = (*page_view(report, rows, paper).left_out, *page_view(report, bare, paper).left_out)
        probe_note = fit_note(dict.fromkeys(kinds))
        probe_views = (
            *(dataclasses.replace(v, form=Form.COMPACT) for v in bet_views),
            *(dataclasses.replace(v, form=Form.COMPACT) for v in decision_views),
        )
    return PageView(
        report=report,
        paper=paper,
        today=today,
        headline=report.headline,
        bets=_of(bet_views, Form.FULL),
        compact_bets=_of(bet_views, Form.COMPACT),
        key_bets=_of(bet_views, Form.KEY),
        done_bets=done,
        done_titles=plan.done_titles,
        decisions=_of(decision_views, Form.FULL),
        compact_decisions=_of(decision_views, Form.COMPACT),
        key_decisions=_of(decision_views, Form.KEY),
        decided=tuple(d for d in report.decisions if d.status is DecisionStatus.DECIDED),
        probe=probe_views,
        probe_note=probe_note,
        plan=plan,
    )


V = TypeVar("V", BetView, DecisionView)


def _of(views: list[V], form: Form) -> tuple[V, ...]:
    return tuple(v for v in views if v.form is form)


def shorten_columns(text: str, columns: int) -> str:
    """Cut `text` to `columns` display columns (a wide character, such as Chinese, takes
    two), at a word boundary where there is one, ending with an ellipsis."""
    widths = [2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text]
    if sum(widths) <= columns:
        return text
    used, cut = 0, 0
    for cut, width in enumerate(widths):  # noqa: B007 - cut is used after the loop
        if used + width > columns - 1:
            break
        used += width
    head = text[:cut]
    if " " in head[len(head) // 2 :]:
        head = head.rsplit(" ", 1)[0]
    return head.rstrip(" ,;:.·-") + "…"
