"""The Friday workflow: draft, preview, send, and `run`, the one entry point cron calls.

Each step is a function of the config, the clock and the environment, so tests run a
whole Friday with a fixed clock and a real SMTP server on loopback.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage

from weekly import facts
from weekly.check import DraftLines, Finding, lint
from weekly.config import Config, DeliverySection
from weekly.deliver.email import build_notice, write_mail
from weekly.deliver.ledger import Ledger, refuse_resend
from weekly.deliver.smtp import DeliveryError
from weekly.deliver.smtp import password as smtp_password
from weekly.deliver.smtp import send as smtp_send
from weekly.draft import DraftError, Edits, WeekFolder, apply, read_draft, write_draft
from weekly.errors import RenderError, SourcesFailed, WeeklyError
from weekly.files import write_atomically
from weekly.forecast import forecast
from weekly.history import History, HistoryError, Sent, annotate, before, settle
from weekly.i18n import _, speaking
from weekly.logbook import log
from weekly.model import Report, SourceState, SourceStatus
from weekly.pipeline import build_report
from weekly.progress import PullProgress
from weekly.record import RECORD_REPORTS, track_record
from weekly.render.format import plural
from weekly.render.output import WrittenReport, write_report
from weekly.schedule import Slot, due_at, is_due
from weekly.weeks import IsoWeek

Sender = Callable[[EmailMessage], str]


@dataclass(frozen=True)
class Outcome:
    """What a step did, in lines for the terminal; `warnings` go to stderr. `failed`: the
    failed sources of what the step wrote or sent (`written`: "the draft was written", …),
    which make the command exit 3 (see source_failure)."""

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
    new = write_draft(
        annotated(report, _history(config).sent(config.report.team), config), folder, now
    )
    _history(config).save(report, "draft", now)
    if not new:
        outcome.warnings.append(
            f"weekly: merged fresh facts into {folder.draft} (backup: {folder.backup.name})"
        )
    outcome.warnings.extend(stale_warnings(report))
    outcome.failed.extend(failed_sources(report))
    outcome.written.append("the draft was written")
    return outcome


def page(config: Config, week: IsoWeek) -> tuple[Report, bool]:
    """The week's report as the page shows it, and whether the PM approved the draft."""
    report, edits = _page(config, week)
    return report, edits.approved


def _page(config: Config, week: IsoWeek) -> tuple[Report, Edits]:
    folder = WeekFolder.of(config, week)
    edits = read_draft(folder, week)
    pulled = facts.load(folder.facts)
    # Changes since the last sent report come first, so the PM's slip causes and ticks
    # apply to them; what depends on the PM's own status and hill is judged after.
    sent = _history(config).sent(config.report.team)
    return compose(pulled, sent, edits, config), edits


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


def compose(pulled: Report, sent: Sequence[Sent], edits: Edits, config: Config) -> Report:
    """The page's report: the pulled facts and the history, with the PM's edits over them.
    Changes since the last sent report come first, so the PM's slip causes and ticks apply
    to them; what depends on the PM's own status and hill is judged after."""
    return settle(apply(annotated(pulled, sent, config), edits, config.report.zone), sent)


class CheckFailed(WeeklyError):
    """The draft breaks the brief's rules; `weekly send --force` sends it anyway."""

    def __init__(self, message: str, reasons: list[str]) -> None:
        super().__init__(message)
        self.reasons = reasons  # one line a finding, without the draft's line numbers


def check(config: Config, week: IsoWeek) -> tuple[list[Finding], tuple[str, ...]]:
    """What breaks the brief's rules in the week's page, and the draft's own warnings.

    Also lays the page out, to tell whether it fits on one page and what it summarises.
    """
    from weekly.render.html import render_html
    from weekly.render.pdf import fit_one_page

    report, edits = _page(config, week)
    folder = WeekFolder.of(config, week)
    where = DraftLines(folder.draft, edits.lines)
    findings = lint(report, edits, config.check, where)
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
    return findings, edits.warnings


def preview(config: Config, week: IsoWeek) -> tuple[WrittenReport, tuple[str, ...]]:
    """The page of the draft as it stands, and the draft's warnings (ignored fields)."""
    report, edits = _page(config, week)
    return _render(config, report, week), edits.warnings


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
    """
    delivery = _delivery(config)
    if sender is None:
        smtp_password(delivery.smtp, env)  # a missing password stops us before the ledger
    deliver = _deliverer(delivery, env, sender)
    now = now.astimezone(config.report.zone)  # the ledger and its messages speak team time
    team = config.report.team
    ledger = _ledger(config)
    outcome = Outcome()
    with ledger.lock(team, week):
        if not force:
            # Before anything is rendered: a refused send rewrites none of the files of the
            # report that went out (its PDF, HTML and .eml stay as sent).
            refuse_resend(ledger.last_attempt(team, week))
        folder = WeekFolder.of(config, week)
        notice = _Notice(
            team, week, folder, delivery, deliver, now, dry_run, config.report.language
        )
        report, edits = _page(config, week)
        approved = edits.approved
        outcome.warnings.extend(edits.warnings)
        reasons = _hold_reasons(report, approved, delivery)
        if reasons:
            notice.hold(reasons, ledger, outcome)
            return outcome
        where = DraftLines(folder.draft, edits.lines)
        findings = [] if force else lint(report, edits, config.check, where)
        errors = [f for f in findings if f.error]
        if errors:
            # By hand, the command fails with the list; the hourly run holds the report
            # and tells the PM (see run()).
            raise CheckFailed(
                f"not sent: the draft breaks {plural(len(errors), 'rule')} of the brief "
                "(weekly check); fix them, or send anyway with --force:\n"
                + "\n".join(f"  {f}" for f in errors),
                reasons=[f"weekly check: {f.reason}" for f in errors],
            )
        # Each attempt gets its own Message-ID (…weekly.2@…) and its own .eml: a resend after
        # a send that never finished must not pass for it, nor overwrite its archive.
        number = ledger.next_attempt(team, week)
        written = _render(config, report, week)
        message, eml = write_mail(written, delivery, team, week, now, number)
        readers = plural(len(delivery.recipients), "recipient")
        outcome.failed.extend(failed_sources(report))
        if dry_run:
            outcome.lines.extend([str(eml), f"would send {message['Subject']!r} to {readers}"])
            outcome.written.append("the .eml was written")
            return outcome
        attempt = ledger.begin(
            team,
            week,
            message_id=str(message["Message-ID"]),
            recipients=delivery.recipients,
            now=now,
            force=force,
            expected=number,
        )
        try:
            reply = deliver(message)
        except DeliveryError as exc:
            if exc.maybe_delivered:
                raise  # left 'sending': the next run says so instead of sending again
            ledger.fail(team, week, attempt, reason=exc.message, now=now, retry=exc.transient)
            if not exc.transient:
                notice.failure(exc, outcome)
            raise
        ledger.finish(team, week, attempt, reply=reply, now=now)
        # What went out, kept as it went out: the record week-over-week changes come from.
        # The mail is gone by now, so a history that cannot be written is a warning.
        try:
            _history(config).save(report, "sent", now, delivery.recipients)
        except HistoryError as exc:
            outcome.warnings.append(f"weekly: warning: {exc.message}")
        if not approved:
            log(config, [f"{week} sent without the PM's approval (delivery.unapproved = send)"])
    outcome.lines.extend([str(eml), f"sent {message['Subject']!r} to {readers} ({reply})"])
    outcome.written.append("the report was sent")
    return outcome


@dataclass(frozen=True)
class _Notice:
    """Telling the PM about a week that did not go out."""

    team: str
    week: IsoWeek
    folder: WeekFolder
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
                draft_path=self.folder.draft,
                sender=self.delivery.sender,
                pm=self.delivery.pm,
                now=self.now,
                steps=steps,
                language=self.language,
            )
        )


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
    if (
        config.delivery is not None
        and send_time
        and _send_due(_ledger(config), config.report.team, week)
    ):
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
            deliver = _deliverer(delivery, env, sender)
            notice = _Notice(
                config.report.team,
                week,
                folder,
                delivery,
                deliver,
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
    return History(config.resolve(config.report.output_dir) / "history.sqlite")


def _ledger(config: Config) -> Ledger:
    return Ledger(config.resolve(config.report.output_dir) / "ledger.sqlite")


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
