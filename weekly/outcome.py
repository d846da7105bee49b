"""What a command did, as lines for the terminal and the log, and which failed sources make it
exit 3. Every command's result is one Outcome; "already sent" and "another run is sending" are
outcomes too, not errors."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from weekly.errors import SourcesFailed
from weekly.model import Report, SourceState, SourceStatus


@dataclass(frozen=True)
class Outcome:
    """`lines` go to stdout, `warnings` to stderr. `failed`: the failed sources of what the
    step wrote or sent (`written`: "the draft was written", …), which make the command exit 3
    (see source_failure)."""

    lines: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    failed: list[SourceStatus] = field(default_factory=list)
    written: list[str] = field(default_factory=list)

    def add(self, other: Outcome) -> None:
        """Take in a step's outcome: `run` drafts and sends in one."""
        self.lines.extend(other.lines)
        self.warnings.extend(other.warnings)
        self.failed.extend(other.failed)
        self.written.extend(other.written)

    def failure(self) -> SourcesFailed | None:
        """The exit-3 error for the failed sources behind what was written or sent."""
        return source_failure(self.failed, self.written)


def failed_sources(report: Report) -> list[SourceStatus]:
    """The sources whose failure makes a command exit 3. A stale source (no new value, but
    it answered) is a warning only."""
    return [s for s in report.failed_sources if s.state is SourceState.FAILED]


def stale_warnings(report: Report) -> list[str]:
    """One warning line for each source that answered but is stale."""
    failed = failed_sources(report)
    return [
        f"weekly: warning: {s.name} {s.state}: {s.reason}"
        for s in report.failed_sources
        if s not in failed
    ]


def source_failure(failed: Sequence[SourceStatus], written: Sequence[str]) -> SourcesFailed | None:
    """The one-line error (exit 3) for the failed sources behind what a command wrote or sent,
    each source named once; None when every source answered."""
    unique = list({s.name: s for s in failed}.values())
    if not unique:
        return None
    reasons = "; ".join(f"{s.name} failed: {s.reason}" for s in unique)
    return SourcesFailed(f"{reasons} ({' and '.join(written)} with a banner saying so)")


def page_written(report: Report, html: str, pdf: str, left_out: Sequence[str]) -> Outcome:
    """A written page's outcome: its paths, what the fit summarised, its stale and failed
    sources."""
    return Outcome(
        lines=[html, pdf],
        warnings=[
            *stale_warnings(report),
            *(f"weekly: page fitted to one page: {line}" for line in left_out),
        ],
        failed=failed_sources(report),
        written=["the page was written"],
    )
