"""The Friday workflow: draft, preview, check, send, and `run`, the one entry point cron calls.

Each step is a function of the config, the clock and the environment, so tests run a
whole Friday with a fixed clock and a real SMTP server on loopback. Every page (render,
preview, send, the demo) is composed by `compose`: the pulled facts, the history's view of
them, and the PM's edits over both.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from weekly import facts
from weekly.check import DraftLines, Finding, lint
from weekly.config import Config, DeliverySection
from weekly.deliver.email import write_mail
from weekly.deliver.ledger import Busy, Ledger, already_sent
from weekly.deliver.notice import Notice
from weekly.deliver.smtp import password as smtp_password
from weekly.deliver.smtp import send as smtp_send
from weekly.draft import DraftError, Edits, WeekFolder, apply, read_draft, write_draft
from weekly.errors import CheckFailed, DeliveryError, RenderError, StoreError, WeeklyError
from weekly.files import write_atomically
from weekly.forecast import forecast
from weekly.history import History, Sent, annotate, before, settle
from weekly.i18n import _, speaking
from weekly.logbook import log
from weekly.model import Report
from weekly.outcome import Outcome, failed_sources, page_written, stale_warnings
from weekly.paths import ReportFiles
from weekly.pipeline import build_report
from weekly.progress import PullProgress
from weekly.record import RECORD_REPORTS, track_record
from weekly.render.format import plural
from weekly.render.output import WrittenReport, write_report
from weekly.schedule import Slot, due_at, is_due
from weekly.weeks import IsoWeek

Sender = Callable[[EmailMessage], str]


def draft(
    config: Config,
    now: dt.datetime,
    env: Mapping[str, str],
    week: IsoWeek,
    progress: PullProgress | None = None,
) -> Outcome:
    """Pull every source and write (or merge into) the week's draft."""
    folder = WeekFolder.of(config, week)
    outcome = Outcome([str(folder.draft)])
    previous = None
    if folder.facts.exists():
        try:
            previous = facts.load(folder.facts)
        except WeeklyError:
            # Unreadable (hand-edited, or from another version): the pull replaces it.
            folder.facts.replace(folder.facts.with_suffix(".json.unreadable"))
            outcome.warnings.append(
                f"weekly: {folder.facts} could not be read; moved it aside and pulled afresh"
            )
    report = facts.carry_over(build_report(config, now, env, week, progress), previous)
    # Read the PM's draft before anything is written: a broken one stops the run untouched.
    if folder.draft.exists():
        outcome.warnings.extend(read_draft(folder, week).warnings)
    write_atomically(folder.facts, facts.dump(report))
    # The draft shows the history's view too: a date moved since the last sent report is
    # a slip there, and the draft asks the PM for its cause.
    new = write_draft(annotated(report, _sent(config), config), folder, now)
    _history(config).save(report, "draft", now)
    if not new:
        outcome.warnings.append(
            f"weekly: merged fresh facts into {folder.draft} (backup: {folder.backup.name})"
        )
    outcome.warnings.extend(stale_warnings(report))
    outcome.failed.extend(failed_sources(report))
    outcome.written.append("the draft was written")
    return outcome


def annotated(pulled: Report, sent: Sequence[Sent], config: Config) -> Report:
    """The pulled facts joined with the history: each bet's change since the last sent
    report, the team's record over its last sent reports, and each bet's forecast from its
    throughput (or the sent reports' done counts)."""
    report = annotate(pulled, sent)
    past = before(report, sent)
    report = dataclasses.replace(report, record=track_record(past, RECORD_REPORTS))
    if not config.forecast.enabled:
        return report
    return forecast(report, past, config.forecast.weeks)


def compose(pulled: Report, sent: Sequence[Sent], edits: Edits | None, config: Config) -> Report:
    """The page's report: the pulled facts and the history, with the PM's edits (if any) over
    them. Changes since the last sent report come first, so the PM's slip causes and ticks
    apply to them; what depends on the PM's own status and hill is judged after."""
    report = annotated(pulled, sent, config)
    if edits is not None:
        report = apply(report, edits, config.report.zone)
    return settle(report, sent)


def page(config: Config, week: IsoWeek) -> tuple[Report, bool]:
    """The week's report as the page shows it, and whether the PM approved the draft."""
    report, edits = composed(config, week)
    return report, edits.approved


def render(
    config: Config,
    now: dt.datetime,
    env: Mapping[str, str],
    week: IsoWeek,
    out: Path | None = None,
    *,
    progress: PullProgress | None = None,
    edits: Edits | None = None,
    sent: Sequence[Sent] | None = None,
) -> tuple[WrittenReport, Outcome]:
    """Pull every source and write the page now, without this week's draft: the facts and the
    history (the demo brings its PM's edits and its earlier reports)."""
    pulled = build_report(config, now, env, week, progress)
    history = _sent(config) if sent is None else sent
    report = compose(pulled, history, edits, config)
    folder = out or WeekFolder.of(config, week).path
    written = write_report(report, folder, config.report.paper, config.template_file)
    return written, _page_outcome(written)


def preview(config: Config, week: IsoWeek) -> tuple[WrittenReport, Outcome]:
    """The page of the draft as it stands; the outcome carries the draft's warnings (ignored
    fields)."""
    report, edits = composed(config, week)
    written = _render(config, report, week)
    outcome = _page_outcome(written)
    return written, dataclasses.replace(outcome, warnings=[*edits.warnings, *outcome.warnings])


@dataclass(frozen=True)
class CheckResult:
    """`weekly check`: what breaks the brief's rules, and the draft's own warnings."""

    findings: list[Finding]
    warnings: tuple[str, ...]

    @property
    def errors(self) -> int:
        return sum(f.error for f in self.findings)

    def lines(self) -> list[str]:
        return [*map(str, self.findings), *self.warnings]

    def verdict(self) -> str:
        others = len(self.findings) - self.errors + len(self.warnings)
        if self.errors:
            return (
                f"{plural(self.errors, 'error')}, {plural(others, 'warning')}: weekly send "
                "refuses until the errors are fixed (or --force)"
            )
        tail = f", {plural(others, 'warning')}" if others else ""
        return f"No errors{tail}: ready to send."


def draft_findings(config: Config, week: IsoWeek, report: Report, edits: Edits) -> list[Finding]:
    """What in the page as the PM left it breaks the brief's rules, each at its draft line."""
    return lint(
        report, edits, config.check, DraftLines(WeekFolder.of(config, week).draft, edits.lines)
    )


def check(config: Config, week: IsoWeek) -> CheckResult:
    """What breaks the brief's rules in the week's page, and the draft's own warnings.

    Also lays the page out, to tell whether it fits on one page and what it summarises.
    """
    from weekly.render.html import render_html
    from weekly.render.pdf import fit_one_page

    report, edits = composed(config, week)
    folder = WeekFolder.of(config, week)
    where = DraftLines(folder.draft, edits.lines)
    findings = draft_findings(config, week, report, edits)
    template = config.template_file
    try:
        fitted = fit_one_page(
            report, config.report.paper, lambda view: render_html(view, template), folder.path
        )
    except RenderError as exc:
        findings.insert(0, where.finding(True, "page", "", exc.message))
    else:
        with speaking(report.language):
            if fitted.view.left_out:
                summary = _("; ").join(fitted.view.left_out)
                what = _("fits on one page only by summarising: %(what)s") % {"what": summary}
                findings.append(where.finding(False, "page", "", what))
    return CheckResult(findings, edits.warnings)


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
    """Render the draft and mail it once; hold it when the config says so.

    `force` sends a week again on purpose (or one whose send never finished); it does not
    skip the holds: an unapproved draft under `unapproved = "hold"` needs `approved: true`.
    A week sent already, or being sent by another run right now, is an outcome, not an error.
    """
    delivery = _delivery(config)
    if sender is None:
        smtp_password(delivery.smtp, env)  # a missing password stops us before the ledger
    sending = _Sending(
        config,
        delivery,
        _deliverer(delivery, env, sender),
        now.astimezone(config.report.zone),
        week,
        _ledger(config),
        dry_run,
    )
    try:
        with sending.ledger.lock(config.report.team, week):
            return sending.once(force)
    except Busy as busy:
        return Outcome([busy.message])


@dataclass(frozen=True)
class _Sending:
    """One week's send under its lock, step by step."""

    config: Config
    delivery: DeliverySection
    deliver: Sender
    now: dt.datetime  # team time: the ledger and its messages speak it
    week: IsoWeek
    ledger: Ledger
    dry_run: bool

    @property
    def team(self) -> str:
        return self.config.report.team

    def notice(self) -> Notice:
        folder = WeekFolder.of(self.config, self.week)
        return Notice(
            self.team,
            self.week,
            folder.draft,
            self.delivery,
            self.deliver,
            self.now,
            self.dry_run,
            self.config.report.language,
        )

    def once(self, force: bool) -> Outcome:
        # Before anything is rendered: a refused send rewrites none of the files of the
        # report that went out (its PDF, HTML and .eml stay as sent).
        refusal = None if force else already_sent(self.ledger.last_attempt(self.team, self.week))
        if refusal is not None:
            return Outcome([refusal])
        report, edits = composed(self.config, self.week)
        outcome = Outcome(warnings=list(edits.warnings))
        reasons = _hold_reasons(report, edits.approved, self.delivery)
        if reasons:
            self.notice().hold(reasons, self.ledger, outcome)
            return outcome
        if not force:
            self.refuse_broken(report, edits)
        # Each attempt gets its own Message-ID (…weekly.2@…) and its own .eml: a resend after
        # a send that never finished must not pass for it, nor overwrite its archive.
        number = self.ledger.next_attempt(self.team, self.week)
        written = _render(self.config, report, self.week)
        message, eml = write_mail(written, self.delivery, self.team, self.week, self.now, number)
        readers = plural(len(self.delivery.recipients), "recipient")
        outcome.failed.extend(failed_sources(report))
        if self.dry_run:
            outcome.lines.extend([str(eml), f"would send {message['Subject']!r} to {readers}"])
            outcome.written.append("the .eml was written")
            return outcome
        reply = self.hand_over(message, number, force, outcome)
        # What went out, kept as it went out: the record week-over-week changes come from.
        # The mail is gone by now, so a history that cannot be written is a warning.
        try:
            _history(self.config).save(report, "sent", self.now, self.delivery.recipients)
        except StoreError as exc:
            outcome.warnings.append(f"weekly: warning: {exc.message}")
        if not edits.approved:
            note = f"{self.week} sent without the PM's approval (delivery.unapproved = send)"
            log(self.config, [note])
        outcome.lines.extend([str(eml), f"sent {message['Subject']!r} to {readers} ({reply})"])
        outcome.written.append("the report was sent")
        return outcome

    def refuse_broken(self, report: Report, edits: Edits) -> None:
        """By hand, a draft that breaks the brief's rules fails the command with the list; the
        hourly run holds the report and tells the PM (see run())."""
        findings = draft_findings(self.config, self.week, report, edits)
        errors = [f for f in findings if f.error]
        if errors:
            raise CheckFailed(
                f"not sent: the draft breaks {plural(len(errors), 'rule')} of the brief "
                "(weekly check); fix them, or send anyway with --force:\n"
                + "\n".join(f"  {f}" for f in errors),
                reasons=[f"weekly check: {f.reason}" for f in errors],
            )

    def hand_over(self, message: EmailMessage, number: int, force: bool, outcome: Outcome) -> str:
        """Give the mail to the server once, the ledger recording the attempt around it; the
        server's reply."""
        attempt = self.ledger.begin(
            self.team,
            self.week,
            message_id=str(message["Message-ID"]),
            recipients=self.delivery.recipients,
            now=self.now,
            force=force,
            expected=number,
        )
        try:
            reply = self.deliver(message)
        except DeliveryError as exc:
            if exc.maybe_delivered:
                raise  # left 'sending': the next run says so instead of sending again
            self.ledger.fail(
                self.team,
                self.week,
                attempt,
                reason=exc.message,
                now=self.now,
                retry=exc.transient,
            )
            if not exc.transient:
                self.notice().failure(exc, outcome)
            raise
        self.ledger.finish(self.team, self.week, attempt, reply=reply, now=self.now)
        return reply


def run(
    config: Config,
    now: dt.datetime,
    env: Mapping[str, str],
    *,
    dry_run: bool = False,
    sender: Sender | None = None,
) -> Outcome:
    """What cron calls every hour: draft if due and not drafted since the draft time, send if
    due and not sent."""
    zone = config.report.zone
    now = now.astimezone(zone)
    week = IsoWeek.of(now.date())
    folder = WeekFolder.of(config, week)
    outcome = Outcome()
    draft_slot = Slot.parse(config.schedule.draft)
    if is_due(draft_slot, now, zone) and _pulled_before(folder, due_at(draft_slot, week, zone)):
        # Also when a draft exists from earlier in the week: Friday's mail must carry
        # Friday's facts. Pulling again keeps every edit.
        outcome.add(draft(config, now, env, week))
    send_time = is_due(Slot.parse(config.schedule.send), now, zone)
    if not (config.delivery and send_time and _send_due(_ledger(config), config.report.team, week)):
        return outcome
    # send() holds, sends, or reports a send that never finished: never blindly twice.
    try:
        sent = send(config, now, env, week, dry_run=dry_run, sender=sender)
    except (CheckFailed, DraftError) as exc:
        # Unattended, a draft that breaks the rules, or that the PM broke, would stop
        # the report without a word: hold it and tell the PM, once for each reason.
        reasons = (
            exc.reasons
            if isinstance(exc, CheckFailed)
            else [f"the draft cannot be read: {exc.message}"]
        )
        delivery = _delivery(config)
        notice = Notice(
            config.report.team,
            week,
            folder.draft,
            delivery,
            _deliverer(delivery, env, sender),
            now,
            dry_run,
            config.report.language,
        )
        notice.hold(reasons, _ledger(config), outcome)
        log(config, [exc.message])
        return outcome
    outcome.lines.extend(sent.lines)
    outcome.failed.extend(sent.failed)
    outcome.written.extend(sent.written)
    return outcome


def composed(config: Config, week: IsoWeek) -> tuple[Report, Edits]:
    folder = WeekFolder.of(config, week)
    edits = read_draft(folder, week)
    return compose(facts.load(folder.facts), _sent(config), edits, config), edits


def _page_outcome(written: WrittenReport) -> Outcome:
    report = written.view.report
    return page_written(report, str(written.html), str(written.pdf), written.left_out)


def _send_due(ledger: Ledger, team: str, week: IsoWeek) -> bool:
    """Whether the hourly run tries to send: not after a send went out (a hold noted since
    does not reopen the week), nor after a refusal the server said not to retry."""
    attempt = ledger.last_attempt(team, week)
    if attempt is not None and attempt.state == "sent":
        return False
    latest = ledger.latest(team, week)
    return latest is None or latest.retry


def _pulled_before(folder: WeekFolder, moment: dt.datetime) -> bool:
    """True when the week has no facts, or only facts pulled before `moment`."""
    if not folder.facts.exists():
        return True
    try:
        return facts.load(folder.facts).generated_at < moment
    except WeeklyError:
        return True


def _history(config: Config) -> History:
    return History(ReportFiles.of(config).history)


def _sent(config: Config) -> list[Sent]:
    return _history(config).sent(config.report.team)


def _ledger(config: Config) -> Ledger:
    return Ledger(ReportFiles.of(config).ledger)


def _render(config: Config, report: Report, week: IsoWeek) -> WrittenReport:
    folder = WeekFolder.of(config, week).path
    return write_report(report, folder, config.report.paper, config.template_file)


def _deliverer(delivery: DeliverySection, env: Mapping[str, str], sender: Sender | None) -> Sender:
    """What hands a message over: the given sender (tests), else the configured SMTP server."""
    return sender or (lambda message: smtp_send(message, delivery.smtp, env))


def _delivery(config: Config) -> DeliverySection:
    if config.delivery is None:
        raise WeeklyError(
            f"{config.path}: no [delivery] table; add sender, recipients and pm "
            "(see config.example.toml) to send"
        )
    return config.delivery


def _hold_reasons(report: Report, approved: bool, delivery: DeliverySection) -> list[str]:
    reasons = []
    with speaking(report.language):
        if not approved and delivery.unapproved == "hold":
            reasons.append(_("the draft is not marked `approved: true`"))
        if delivery.failed_source == "hold":
            reasons += [
                _("%(source)s failed: %(why)s") % {"source": s.name, "why": s.reason}
                for s in failed_sources(report)
            ]
    return reasons
