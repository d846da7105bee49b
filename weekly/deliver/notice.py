"""Telling the PM about a week that did not go out: held (not approved, a failed source, a
draft that breaks the rules) or refused by the mail server."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from weekly.config import DeliverySection
from weekly.deliver.email import build_notice
from weekly.deliver.ledger import Ledger
from weekly.errors import DeliveryError
from weekly.i18n import _, speaking
from weekly.outcome import Outcome
from weekly.weeks import IsoWeek

Sender = Callable[[EmailMessage], str]


@dataclass(frozen=True)
class Notice:
    team: str
    week: IsoWeek
    draft: Path  # the draft the PM is pointed at
    delivery: DeliverySection
    deliver: Sender
    now: dt.datetime
    dry_run: bool
    language: str = "en"  # the notice's words: the team's (report.language)

    def hold(self, reasons: list[str], ledger: Ledger, outcome: Outcome) -> None:
        """Keep the report back; tell the PM once for each new reason, then record it (a
        notice that fails to go out is tried again by the next run)."""
        reason = "; ".join(reasons)
        outcome.lines.append(f"held {self.team} {self.week}: {reason}")
        if ledger.held_for(self.team, self.week, reason):
            return
        if self.dry_run:
            outcome.lines.append(f"would tell {self.delivery.pm} that the report is waiting")
            return
        self._tell(reasons, None)
        ledger.hold(self.team, self.week, reason=reason, now=self.now)
        outcome.lines.append(f"told {self.delivery.pm} that the report is waiting")

    def failure(self, failure: DeliveryError, outcome: Outcome) -> None:
        """A refused mail is not tried again by the hourly run: the PM must hear of it."""
        with speaking(self.language):
            reason = _("the mail server refused the report (%(why)s)") % {"why": failure.message}
            steps = (
                _("Fix what the mail server refused (above), or the recipients in the config."),
                _(
                    "Run `weekly send` to send it: the hourly `weekly run` does not retry a "
                    "report the server refused."
                ),
            )
        with contextlib.suppress(DeliveryError):  # the server may refuse this one too
            self._tell([reason], steps)
            outcome.warnings.append(f"weekly: told {self.delivery.pm} that the send failed")

    def _tell(self, reasons: list[str], steps: tuple[str, ...] | None) -> None:
        self.deliver(
            build_notice(
                self.team,
                self.week,
                reasons,
                draft_path=self.draft,
                sender=self.delivery.sender,
                pm=self.delivery.pm,
                now=self.now,
                steps=steps,
                language=self.language,
            )
        )
