"""The one data model: sources fill it, renderers only read it.

Every class is a frozen dataclass holding plain values, so a report can be
compared, stored and rendered without knowing where its facts came from.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from weekly.weeks import IsoWeek


class Direction(StrEnum):
    """Which way a metric is good: latency going down is good."""

    HIGHER = "higher"
    LOWER = "lower"


class Aggregation(StrEnum):
    """How the values of one week become the week's value."""

    LAST = "last"
    SUM = "sum"
    MEAN = "mean"


class Status(StrEnum):
    ON_TRACK = "on track"
    AT_RISK = "at risk"
    OFF_TRACK = "off track"
    DONE = "done"


class Confidence(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class DecisionStatus(StrEnum):
    OPEN = "open"
    DECIDED = "decided"


class SourceState(StrEnum):
    OK = "ok"
    FAILED = "failed"
    STALE = "stale"


@dataclass(frozen=True)
class WeekValue:
    """One point of a metric's weekly series; value is None when the week has no data."""

    week: IsoWeek
    value: float | None


@dataclass(frozen=True)
class Metric:
    """A metric aggregated to ISO weeks, with this week's figures derived from the series."""

    key: str
    label: str
    unit: str
    direction: Direction
    aggregation: Aggregation
    series: tuple[WeekValue, ...]
    target: float | None = None
    decimals: int | None = None
    # The value the last sent report showed, from history: differs from last_week when
    # the data was revised since, or a week went unsent.
    last_sent: float | None = None
    last_sent_week: IsoWeek | None = None

    @property
    def this_week(self) -> float | None:
        return self.series[-1].value if self.series else None

    @property
    def last_week(self) -> float | None:
        return self.series[-2].value if len(self.series) >= 2 else None

    @property
    def change(self) -> float | None:
        """Absolute change against last week."""
        if self.this_week is None or self.last_week is None:
            return None
        return self.this_week - self.last_week

    @property
    def change_pct(self) -> float | None:
        """Relative change against last week, in percent; None when last week was 0 or missing."""
        if self.change is None or not self.last_week:
            return None
        return self.change / abs(self.last_week) * 100

    @property
    def target_attainment(self) -> float | None:
        """How far this week is toward the target, in percent (inverted for lower-is-better)."""
        if self.target is None or self.this_week is None:
            return None
        if self.direction is Direction.HIGHER:
            return self.this_week / self.target * 100 if self.target else None
        return self.target / self.this_week * 100 if self.this_week else None

    @property
    def change_is_good(self) -> bool | None:
        """True when the change goes the way the metric's direction wants; None if flat/unknown."""
        if not self.change:
            return None
        return (self.change > 0) == (self.direction is Direction.HIGHER)


@dataclass(frozen=True)
class Progress:
    """Done against total child items, and story points where the source has them."""

    done: int
    total: int
    points_done: float | None = None
    points_total: float | None = None

    @property
    def ratio(self) -> float | None:
        if self.points_total:
            return (self.points_done or 0) / self.points_total
        return self.done / self.total if self.total else None


@dataclass(frozen=True)
class Blocker:
    key: str
    title: str
    url: str | None
    owner: str | None
    blocked_since: dt.date | None
    bet_key: str | None = None

    def days_blocked(self, today: dt.date) -> int | None:
        """Days blocked as of `today`; 0 for a date in the future rather than a negative count."""
        return max(0, (today - self.blocked_since).days) if self.blocked_since else None


@dataclass(frozen=True)
class Delivery:
    """Evidence of work delivered this week for a bet: a resolved issue or a merged pull request."""

    key: str
    title: str
    url: str | None
    kind: str  # "issue" or "pull request"
    at: dt.datetime | None = None


@dataclass(frozen=True)
class Slip:
    """A moved target date: the date it was, the new ETA and why."""

    previous_date: dt.date
    new_date: dt.date
    cause: str | None
    # The last sent report showed this very slip (same dates): disclosed already, so it is
    # not news that `weekly check` asks about again; its cause carries from that report.
    reported: bool = False


@dataclass(frozen=True)
class Commitment:
    """One line of a bet's "next week we will", checked the week after.

    `done` is the PM's tick, else what a source shows (a resolved issue or merged pull
    request the line names), else None: nobody has said yet.
    """

    text: str
    done: bool | None = None
    evidence: Delivery | None = None  # what the source resolved or merged for it


@dataclass(frozen=True)
class BetChange:
    """How a bet moved since the last sent report (`since`), from the history."""

    since: IsoWeek
    previous_status: Status | None
    previous_confidence: Confidence | None
    target_moves: int  # how many times the target date has moved across the sent reports
    done_delta: int | None  # child issues done since then; None without progress
    new_blockers: tuple[str, ...] = ()
    resolved_blockers: tuple[str, ...] = ()
    stalled: bool = False  # no progress and no status change over two sent reports
    previous_hill: int | None = None  # the hill position the last sent report showed
    hill_unmoved: bool = False  # the same hill position in the last two sent reports and now


@dataclass(frozen=True)
class Forecast:
    """When a bet likely finishes, from its (or the team's) throughput (weekly.forecast)."""

    likely: dt.date | None  # finished by then in 50% of simulated futures; None: no date
    safe: dt.date | None  # … in 85% of them
    weeks: int  # weeks of throughput it draws from
    per_week: float  # items finished a week, on average, over those weeks
    from_team: bool = False  # the bet had too little history: the team's, shared
    beyond: bool = False  # the 85% date is past the simulated horizon


@dataclass(frozen=True)
class Bet:
    key: str
    title: str
    url: str | None
    owner: str | None
    status: Status | None
    confidence: Confidence | None
    progress: Progress | None
    target_date: dt.date | None
    blockers: tuple[Blocker, ...] = ()
    note: str | None = None
    slip: Slip | None = None
    delivered: tuple[Delivery, ...] = ()
    source: str = ""
    change: BetChange | None = None
    # 0-100 on the hill: up to 50 still figuring out, past 50 executing (Basecamp's hill).
    hill: int | None = None
    hill_set: bool = False  # placed by the PM (it stays there), not by the rule
    # Set by the PM in a draft: it carries from report to report, like the hill, until
    # they write another; `confidence_since` is the sent report it was set in (None: this
    # week's draft).
    confidence_set: bool = False
    confidence_since: IsoWeek | None = None
    next_week: tuple[str, ...] = ()  # the PM's "next week we will", checked a week later
    committed: tuple[Commitment, ...] = ()  # what the last sent report said we would do
    # Why the bet is shown though its source no longer returns it ("no longer in Jira since
    # Fri 27 Nov 16:00"): the page says so wherever the bet appears.
    gone: str | None = None
    # Items of the bet finished in each of the last weeks, oldest first, ending with the
    # report's week, where the source knows when each was finished (weekly.forecast).
    throughput: tuple[int, ...] = ()
    forecast: Forecast | None = None
    forecasted: bool = True  # False: the PM switched the forecast off for this bet
    # The PM's answer to a forecast later than the target: why the target holds, or options.
    forecast_answer: str | None = None

    @property
    def at_risk_by_forecast(self) -> bool:
        """Its 85% date is after its target: likely to slip, though no date has moved."""
        fc = self.forecast
        return (
            bool(fc and fc.safe and self.target_date and fc.safe > self.target_date)
            and self.status is not Status.DONE
        )


@dataclass(frozen=True)
class Decision:
    """A decision needed, DACI style: a driver, one approver, contributors, informed."""

    key: str
    title: str
    url: str | None
    driver: str | None
    approver: str | None
    deadline: dt.date | None
    contributors: tuple[str, ...] = ()
    informed: tuple[str, ...] = ()
    options: tuple[str, ...] = ()
    status: DecisionStatus = DecisionStatus.OPEN
    approver_is_assignee: bool = False
    source: str = ""
    open_since: IsoWeek | None = None  # the first sent report that listed it, from history
    decided_on: dt.date | None = None  # when a decided decision was made, where the source says
    gone: str | None = None  # why it is shown though its source no longer returns it

    @property
    def added_in_draft(self) -> bool:
        """The PM wrote this decision into the draft; it has no key in any source."""
        return self.source == "draft"

    @property
    def missing(self) -> tuple[str, ...]:
        """What an open decision lacks to be actionable ('approver', 'deadline')."""
        if self.status is not DecisionStatus.OPEN:
            return ()
        gaps = []
        if not self.approver:
            gaps.append("approver")
        if not self.deadline:
            gaps.append("deadline")
        return tuple(gaps)


@dataclass(frozen=True)
class SourceStatus:
    """How one source fared in this run; shown in the footer, and as a banner when not ok."""

    name: str
    state: SourceState
    pulled_at: dt.datetime | None
    reason: str | None = None
    stale_since: dt.datetime | None = None


@dataclass(frozen=True)
class TrackRecord:
    """What the last sent reports committed and delivered (weekly.record)."""

    reports: int  # sent reports counted
    kept: int  # commitments done…
    made: int  # … of those made (a commitment not ticked is made, not kept)
    slipped_bets: int  # bets whose date moved later
    slip_days: int  # the days they moved, in all
    finished: int  # bets finished
    finished_late: int  # … after the first target a report sent for them
    days_late: int  # … by this many days in all


@dataclass(frozen=True)
class Report:
    team: str
    week: IsoWeek
    generated_at: dt.datetime
    nsm: Metric
    metrics: tuple[Metric, ...]
    bets: tuple[Bet, ...]
    decisions: tuple[Decision, ...]
    sources: tuple[SourceStatus, ...]
    headline: str | None = None
    language: str = "en"  # report.language: the readers' language ("en", "zh-CN")
    record: TrackRecord | None = None  # over the last sent reports, from the history

    @property
    def blockers(self) -> tuple[Blocker, ...]:
        return tuple(b for bet in self.bets for b in bet.blockers)

    @property
    def failed_sources(self) -> tuple[SourceStatus, ...]:
        return tuple(s for s in self.sources if s.state is not SourceState.OK)


@dataclass(frozen=True)
class SourceResult:
    """What one source contributes to a report. Any part may be empty."""

    status: SourceStatus
    metrics: tuple[Metric, ...] = ()
    bets: tuple[Bet, ...] = ()
    decisions: tuple[Decision, ...] = ()
    headline: str | None = None
