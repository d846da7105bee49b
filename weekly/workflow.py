"""The Friday workflow: draft, preview, send, and `run`, the one entry point cron calls.

Each step is a function of the config, the clock and the environment, so tests run a
whole Friday with a fixed clock and a real SMTP server on loopback.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage

from weekly import facts
from weekly.config import Config, DeliverySection
from weekly.deliver.email import build_message, build_notice, message_id
from weekly.deliver.ledger import AlreadySent, Interrupted, Ledger
from weekly.deliver.smtp import DeliveryError
from weekly.deliver.smtp import password as smtp_password
from weekly.deliver.smtp import send as smtp_send
from weekly.draft import WeekFolder, apply, read_draft, write_draft
from weekly.errors import WeeklyError
from weekly.files import write_atomically
from weekly.logbook import log
from weekly.model import Report, SourceState
from weekly.pipeline import build_report
from weekly.progress import PullProgress
from weekly.render.output import WrittenReport, write_report
from weekly.schedule import Slot, is_due
from weekly.weeks import IsoWeek

Sender = Callable[[EmailMessage], str]


@dataclass(frozen=True)
class Outcome:
    """What a step did, in lines for the terminal; `warnings` go to stderr."""

    lines: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def draft(
    config: Config,
    now: dt.datetime,
    env: Mapping[str, str],
    week: IsoWeek,
    progress: PullProgress | None = None,
) -> Outcome:
    """Pull every source and write (or merge into) the week's draft."""
    folder = WeekFolder.of(config, week)
    previous = facts.load(folder.facts) if folder.facts.exists() else None
    report = facts.carry_over(build_report(config, now, env, week, progress), previous)
    # Read the PM's draft before anything is written: a broken one stops the run untouched.
    if folder.draft.exists():
        read_draft(folder, week)
    write_atomically(folder.facts, facts.dump(report))
    new = write_draft(report, folder, now)
    outcome = Outcome([str(folder.draft)])
    if not new:
        outcome.warnings.append(
            f"weekly: merged fresh facts into {folder.draft} (backup: {folder.backup.name})"
        )
    outcome.warnings.extend(_failed(report))
    return outcome


def page(config: Config, week: IsoWeek) -> tuple[Report, bool]:
    """The week's report as the page shows it, and whether the PM approved the draft."""
    folder = WeekFolder.of(config, week)
    edits = read_draft(folder, week)
    return apply(facts.load(folder.facts), edits, config.report.zone), edits.approved


def preview(config: Config, week: IsoWeek) -> WrittenReport:
    report, _ = page(config, week)
    return _render(config, report, week)


def send(
    config: Config,
    now: dt.datetime,
    env: Mapping[str, str],
    week: IsoWeek,
    *,
    force: bool = False,
    dry_run: bool = False,
    sender: Sender | None = None,
) -> Outcome:
    """Render the draft and mail it once; hold it when the config says so."""
    delivery = _delivery(config)
    if sender is None:
        smtp_password(delivery.smtp, env)  # a missing password stops us before the ledger
    deliver: Sender = sender or (lambda message: smtp_send(message, delivery.smtp, env))
    report, approved = page(config, week)
    folder = WeekFolder.of(config, week)
    ledger = Ledger(config.resolve(config.report.output_dir) / "ledger.sqlite")
    outcome = Outcome()
    with ledger.lock(report.team, week):
        latest = ledger.latest(report.team, week)
        if latest is not None and not force:
            if latest.state == "sent":
                raise AlreadySent(latest)
            if latest.state == "sending":
                raise Interrupted(latest)
        reasons = _hold_reasons(report, approved, delivery)
        if reasons and not force:
            _hold(report, week, reasons, folder, delivery, ledger, now, dry_run, deliver, outcome)
            return outcome
        # A resend on purpose gets its own Message-ID (…weekly.2@…), so it is recognisable.
        resend = latest.attempt + 1 if latest is not None and latest.state == "sent" else 1
        written = _render(config, report, week)
        message = build_message(
            written.view,
            pdf=written.pdf.read_bytes(),
            pdf_name=written.pdf.name,
            sender=delivery.sender,
            recipients=delivery.recipients,
            message_id=message_id(report.team, week, delivery.sender, resend),
            now=now,
        )
        suffix = ".eml" if resend == 1 else f".{resend}.eml"
        eml = written.pdf.with_suffix(suffix)
        write_atomically(eml, bytes(message))
        if dry_run:
            recipients = ", ".join(delivery.recipients)
            outcome.lines.extend([str(eml), f"would send {message['Subject']!r} to {recipients}"])
            return outcome
        attempt = ledger.begin(
            report.team,
            week,
            message_id=str(message["Message-ID"]),
            recipients=delivery.recipients,
            now=now,
            force=force,
        )
        try:
            reply = deliver(message)
        except DeliveryError as exc:
            ledger.fail(
                report.team, week, attempt, reason=exc.message, now=now, retry=exc.transient
            )
            if not exc.transient:
                _tell_pm_of_failure(report, week, exc, folder, delivery, deliver, outcome, now)
            raise
        ledger.finish(report.team, week, attempt, reply=reply, now=now)
        if not approved:
            log(config, [f"{week} sent without the PM's approval (delivery.unapproved = send)"])
    outcome.lines.extend(
        [
            str(eml),
            f"sent {message['Subject']!r} to {len(delivery.recipients)} recipients ({reply})",
        ]
    )
    return outcome


def _tell_pm_of_failure(
    report: Report,
    week: IsoWeek,
    failure: DeliveryError,
    folder: WeekFolder,
    delivery: DeliverySection,
    deliver: Sender,
    outcome: Outcome,
    now: dt.datetime,
) -> None:
    """A refused mail is not tried again by the hourly run: the PM must hear of it."""
    reason = f"the mail server refused the report ({failure.message}); it will not be retried"
    notice = build_notice(
        report.team,
        week,
        [reason],
        draft_path=folder.draft,
        sender=delivery.sender,
        pm=delivery.pm,
        now=now,
    )
    with contextlib.suppress(DeliveryError):  # the server may refuse this one too
        deliver(notice)
        outcome.warnings.append(f"weekly: told {delivery.pm} that the send failed")


def _hold(
    report: Report,
    week: IsoWeek,
    reasons: list[str],
    folder: WeekFolder,
    delivery: DeliverySection,
    ledger: Ledger,
    now: dt.datetime,
    dry_run: bool,
    deliver: Sender,
    outcome: Outcome,
) -> None:
    """Keep the report back and tell the PM once (the hourly runs after stay quiet)."""
    outcome.lines.append(f"held {report.team} {week}: {'; '.join(reasons)}")
    first = dry_run or ledger.hold(report.team, week, reason="; ".join(reasons), now=now)
    if not first:
        return
    notice = build_notice(
        report.team,
        week,
        reasons,
        draft_path=folder.draft,
        sender=delivery.sender,
        pm=delivery.pm,
        now=now,
    )
    if dry_run:
        outcome.lines.append(f"would tell {delivery.pm} that the report is waiting")
    else:
        deliver(notice)
        outcome.lines.append(f"told {delivery.pm} that the report is waiting")


def run(
    config: Config,
    now: dt.datetime,
    env: Mapping[str, str],
    *,
    dry_run: bool = False,
    sender: Sender | None = None,
) -> Outcome:
    """What cron calls every hour: draft if due and not drafted, send if due and not sent."""
    zone = config.report.zone
    local = now.astimezone(zone)
    week = IsoWeek.of(local.date())
    folder = WeekFolder.of(config, week)
    outcome = Outcome()
    if is_due(Slot.parse(config.schedule.draft), now, zone) and not folder.draft.exists():
        drafted = draft(config, now, env, week)
        outcome.lines.extend(drafted.lines)
        outcome.warnings.extend(drafted.warnings)
    if config.delivery is not None and is_due(Slot.parse(config.schedule.send), now, zone):
        ledger = Ledger(config.resolve(config.report.output_dir) / "ledger.sqlite")
        latest = ledger.latest(config.report.team, week)
        retry = latest is None or (latest.state != "sent" and latest.retry)
        if retry:
            # send() holds, sends, or reports a send that never finished: never blindly twice.
            sent = send(config, now, env, week, dry_run=dry_run, sender=sender)
            outcome.lines.extend(sent.lines)
    return outcome


def _render(config: Config, report: Report, week: IsoWeek) -> WrittenReport:
    template = config.resolve(config.report.template) if config.report.template else None
    return write_report(report, WeekFolder.of(config, week).path, config.report.paper, template)


def _delivery(config: Config) -> DeliverySection:
    if config.delivery is None:
        raise WeeklyError(
            f"{config.path}: no [delivery] table; add sender, recipients and pm "
            "(see config.example.toml) to send"
        )
    return config.delivery


def _hold_reasons(report: Report, approved: bool, delivery: DeliverySection) -> list[str]:
    reasons = []
    if not approved and delivery.unapproved == "hold":
        reasons.append("the draft is not marked `approved: true`")
    if delivery.failed_source == "hold":
        reasons += [
            f"{s.name} failed: {s.reason}"
            for s in report.failed_sources
            if s.state is SourceState.FAILED
        ]
    return reasons


def _failed(report: Report) -> list[str]:
    return [f"weekly: warning: {s.name} {s.state}: {s.reason}" for s in report.failed_sources]
