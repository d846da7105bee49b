"""The report e-mail, end to end: built, sent to a real SMTP server on loopback, parsed back."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from conftest import NOW, QUEUED, WEEK, Inbox, bet, blocker, decision, free_port, metric, report
from pypdf import PdfReader

from weekly.config import SmtpSection
from weekly.deliver.email import (
    GMAIL_CLIP_BYTES,
    build_message,
    build_notice,
    message_id,
    render_email_html,
    render_text,
    subject,
)
from weekly.deliver.smtp import DeliveryError, send
from weekly.errors import WeeklyError
from weekly.model import Slip, SourceState, SourceStatus, Status
from weekly.render import format as fmt
from weekly.render.fit import FIT_STEPS, page_view
from weekly.render.output import write_report

SENDER = "weekly@example.com"
RECIPIENTS = ("cto@example.com", "vp-product@example.com")
SCRIPT = "<script>alert(1)</script>"
AMP_TITLE = "Fees & FX <EU> rollout"
PASSWORD = "s3cret-Pa55word"
NSM_VALUES = [9850.0, 10020, 10310, 10480, 10700, 10950, 11200, 11540, 11890, 12100, 12397, 12557]


def sample_report():
    return report(
        headline="Payers up again; SEPA Instant slipped & needs a fallback decision.",
        bets=[
            bet(
                "PAY-101",
                "SEPA Instant payouts",
                status=Status.AT_RISK,
                blockers=(blocker("PAY-131", "Partner bank slot not confirmed", days=9),),
                slip=Slip(dt.date(2026, 12, 4), dt.date(2026, 12, 18), "bank certification"),
                note="Fallback PSP ready if needed.",
            ),
            bet("PAY-104", SCRIPT, status=Status.OFF_TRACK, url="javascript:alert(2)"),
            bet("PAY-102", AMP_TITLE),
        ],
        decisions=[
            decision("PAY-160", "Fallback PSP for SEPA Instant"),
            decision("PAY-162", "Roll out one-click checkout", approver=None, deadline=None),
        ],
    )


def sample_with_nsm():
    r = sample_report()
    return dataclasses.replace(r, nsm=metric("wap", "Weekly active payers", NSM_VALUES))


@pytest.fixture(scope="module")
def sent_pdf(tmp_path_factory) -> tuple[bytes, str]:
    """The one PDF render of this module: the sample report as the real pipeline writes it."""
    written = write_report(sample_with_nsm(), tmp_path_factory.mktemp("pdf"), "A4")
    assert written.left_out == ()  # fits in full, so the view below is the fitted one
    return written.pdf.read_bytes(), written.pdf.name


def view_of(r, step: int = 0):
    return page_view(r, FIT_STEPS[step], "A4")


# --- a real SMTP server on loopback -------------------------------------------------------


@contextmanager
def smtp_server(inbox: Inbox, **smtp_kwargs) -> Iterator[SmtpSection]:
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **smtp_kwargs)
    controller.start()
    try:
        yield SmtpSection(host="127.0.0.1", port=port, security="none", timeout_seconds=5)
    finally:
        controller.stop()


def only_user_with_password(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        b"weekly",
        PASSWORD.encode(),
    )
    # handled=False: aiosmtpd then answers 535 itself (handled=True would leave it silent).
    return AuthResult(success=ok, handled=False)


def report_message(r, pdf: bytes = b"%PDF-1.7 not a real one", step: int = 0) -> EmailMessage:
    return build_message(
        view_of(r, step),
        pdf=pdf,
        pdf_name="payments-weekly-2026-W48.pdf",
        sender=SENDER,
        recipients=RECIPIENTS,
        message_id=message_id(r.team, r.week, SENDER),
        now=NOW,
    )


# --- the report mail, sent and received ----------------------------------------------------


def test_report_mail_arrives_with_text_html_and_one_page_pdf(sent_pdf):
    pdf, pdf_name = sent_pdf
    r = sample_with_nsm()
    message = build_message(
        view_of(r),
        pdf=pdf,
        pdf_name=pdf_name,
        sender=SENDER,
        recipients=RECIPIENTS,
        message_id=message_id(r.team, r.week, SENDER),
        now=NOW,
    )
    inbox = Inbox()
    with smtp_server(inbox) as smtp:
        receipt = send(message, smtp, env={})

    assert receipt == QUEUED
    [envelope] = inbox.envelopes
    assert envelope.mail_from == SENDER
    assert sorted(envelope.rcpt_tos) == sorted(RECIPIENTS)
    [got] = inbox.messages()
    assert got["Subject"] == "Payments weekly · 2026-W48 · Weekly active payers 12,557 (+1.3%)"
    assert got["From"] == SENDER
    assert [a.addr_spec for a in got["To"].addresses] == list(RECIPIENTS)
    assert got["Message-ID"] == "<2026-W48.payments.weekly@example.com>"
    assert got["Auto-Submitted"] == "auto-generated"
    assert got["X-Weekly-Week"] == "2026-W48"
    assert got["Date"].datetime == NOW

    assert got.get_content_type() == "multipart/mixed"
    alternative, attachment = got.get_payload()
    assert alternative.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in alternative.get_payload()] == [
        "text/plain",
        "text/html",
    ]
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == pdf_name
    assert len(PdfReader(io.BytesIO(attachment.get_content())).pages) == 1

    html = got.get_body(("html",)).get_content()
    assert len(html.encode("utf-8")) < GMAIL_CLIP_BYTES
    assert "<svg" not in html and "data:" not in html
    assert "<style" not in html  # inlined into style attributes
    assert 'style="' in html
    assert "12,557" in html and "12-week trend: ▲ from 9,850" in html
    assert "SEPA Instant payouts" in html
    assert "Fees &amp; FX &lt;EU&gt; rollout" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script" not in html
    assert "javascript:" not in html

    text = got.get_body(("plain",)).get_content()
    for expected in (
        "Weekly active payers: 12,557",
        "▲ +1.3% (+160) vs last week (12,397)",
        "SEPA Instant payouts",
        "Blocked: PAY-131 Partner bank slot not confirmed · 9 days · Tom Becker",
        "Slipped: Fri 4 Dec → Fri 18 Dec (+14 days) · bank certification",
        "Fallback PSP for SEPA Instant",
        "Roll out one-click checkout (PAY-162) [NO APPROVER] [NO DEADLINE]",
        "Approver: not named · deadline: not set",
        "The one-page PDF of this report is attached.",
    ):
        assert expected in text
    # User text reads as typed; nothing of the template's own is markup or an entity.
    assert AMP_TITLE in text and SCRIPT in text
    own = re.sub(r"<https?://[^>\s]+>", "", text.replace(SCRIPT, "").replace(AMP_TITLE, ""))
    assert not re.search(r"</?[A-Za-z][^>]*>", own)
    assert not re.search(r"&(#\d+|#x[0-9a-f]+|[a-z]+);", text, re.IGNORECASE)


def test_html_body_is_built_for_mail_clients():
    html = render_email_html(view_of(sample_with_nsm()))
    # One fixed-width container for Outlook (Word), spacing as cell padding, no flexbox/grid.
    assert 'width="600"' in html
    assert "display: flex" not in html and "display: grid" not in html
    assert "<img" not in html  # nothing that needs images on to read
    # Status is a word, not only a colour.
    assert ">at risk</span>" in html and ">off track</span>" in html
    assert "<ol" not in html  # Word renders list indents unpredictably; options are lines


def test_summaries_follow_the_page_view():
    bets = [
        bet(f"PAY-{i}", f"Bet {i}", blockers=tuple(blocker(f"B-{i}{j}") for j in range(3)))
        for i in range(10)
    ]
    decisions = [decision(f"DEC-{i}", options=("One", "Two", "Three")) for i in range(5)]
    view = view_of(report(bets=bets, decisions=decisions), step=10)  # 4 bets, 2 decisions
    assert len(view.more_bets) == 6 and len(view.more_decisions) == 3

    html, text = render_email_html(view), render_text(view)
    for body in (html, text):
        assert "+6 more bets (6 on track; 18 blockers)" in body
        assert "+2 more blockers on this bet" in body
        assert "+3 more decisions" in body
        assert "+1 more option" in body
        assert "Bet 9" not in body.split("+6 more bets")[0]  # summarised, not shown in full


def test_failed_source_is_named_at_the_top_and_in_the_footer():
    r = dataclasses.replace(
        sample_report(),
        sources=(
            SourceStatus("metrics CSV", SourceState.OK, NOW),
            SourceStatus("Jira", SourceState.FAILED, None, reason="Jira answered 401"),
        ),
    )
    html, text = render_email_html(view_of(r)), render_text(view_of(r))
    assert "Jira failed</strong>: Jira answered 401" in html
    assert html.index("Jira answered 401") < html.index("North Star Metric")
    assert ">failed</strong>" in html.split("Sources:")[1]
    assert text.index("!! Jira failed: Jira answered 401") < text.index("NORTH STAR METRIC")
    assert "Jira · FAILED" in text


def test_sends_with_login():
    inbox = Inbox()
    with smtp_server(inbox, authenticator=only_user_with_password, auth_require_tls=False) as smtp:
        smtp = smtp.model_copy(update={"user": "weekly", "password_env": "SMTP_PASSWORD"})
        receipt = send(report_message(report()), smtp, {"SMTP_PASSWORD": PASSWORD})
    assert receipt == QUEUED
    assert len(inbox.envelopes) == 1


def test_pm_notice_says_why_and_what_to_do(tmp_path: Path):
    draft = tmp_path / "drafts" / "2026-W48.md"
    notice = build_notice(
        "Payments",
        WEEK,
        ["the draft is not marked approved: true", "Jira failed: Jira answered 401"],
        draft_path=draft,
        sender=SENDER,
        pm="pm@example.com",
        now=NOW,
    )
    inbox = Inbox()
    with smtp_server(inbox) as smtp:
        send(notice, smtp, {})
    [got] = inbox.messages()
    assert got["Subject"] == "Payments weekly 2026-W48 is waiting for you"
    assert got["To"] == "pm@example.com"
    assert got["Auto-Submitted"] == "auto-generated"
    assert got.get_content_type() == "text/plain"
    body = got.get_content().replace("\r\n", "\n")  # as stored by the server
    assert "  - the draft is not marked approved: true\n" in body
    assert "  - Jira failed: Jira answered 401\n" in body
    assert str(draft) in body
    assert "approved: true" in body and "`weekly send`" in body and "`weekly run`" in body


# --- SMTP faults --------------------------------------------------------------------------


def test_nothing_listening_is_a_transient_error():
    smtp = SmtpSection(host="127.0.0.1", port=free_port(), security="none", timeout_seconds=5)
    with pytest.raises(DeliveryError) as caught:
        send(report_message(report()), smtp, {})
    assert caught.value.transient
    assert caught.value.exit_code == 3
    assert f"127.0.0.1:{smtp.port} refused the connection" in caught.value.message


def test_bad_login_names_the_user_and_variable_never_the_password():
    wrong = "wrong-" + PASSWORD
    with (
        smtp_server(Inbox(), authenticator=only_user_with_password, auth_require_tls=False) as smtp,
        pytest.raises(DeliveryError) as caught,
    ):
        smtp = smtp.model_copy(update={"user": "weekly", "password_env": "SMTP_PASSWORD"})
        send(report_message(report()), smtp, {"SMTP_PASSWORD": wrong})
    message = caught.value.message
    assert "refused the login for user weekly: check SMTP_PASSWORD" in message
    assert f"127.0.0.1:{smtp.port}" in message
    assert wrong not in message and PASSWORD not in message
    assert "\n" not in message
    assert not caught.value.transient


def test_missing_password_variable_is_a_user_error():
    smtp = SmtpSection(
        host="127.0.0.1", port=free_port(), user="weekly", password_env="SMTP_PASSWORD"
    )
    with pytest.raises(WeeklyError) as caught:
        send(report_message(report()), smtp, {})
    assert not isinstance(caught.value, DeliveryError)
    assert caught.value.exit_code == 2
    assert "SMTP_PASSWORD is not set" in caught.value.message


@pytest.mark.parametrize(
    ("reply", "transient"), [("451 4.3.0 try later", True), ("550 5.7.1 rejected", False)]
)
def test_refused_data_says_what_the_server_answered(reply: str, transient: bool):
    with smtp_server(Inbox(data_reply=reply)) as smtp, pytest.raises(DeliveryError) as caught:
        send(report_message(report()), smtp, {})
    assert caught.value.transient is transient
    assert caught.value.message == f"SMTP server 127.0.0.1:{smtp.port} answered {reply}"


class RefusesNobody(Inbox):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        if address.startswith("nobody@"):
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_some_recipients_refused_is_still_sent_and_says_who():
    # Raising here would make the caller send again to those who already have it.
    message = report_message(report())
    message.replace_header("To", "cto@example.com, nobody@example.com")
    inbox = RefusesNobody()
    with smtp_server(inbox) as smtp:
        receipt = send(message, smtp, {})
    assert receipt == f"{QUEUED}; refused: nobody@example.com (550 5.1.1 no such user)"
    assert inbox.envelopes[0].rcpt_tos == ["cto@example.com"]


def test_starttls_against_a_server_without_it_says_which_setting_to_check():
    with smtp_server(Inbox()) as smtp, pytest.raises(DeliveryError) as caught:
        send(report_message(report()), smtp.model_copy(update={"security": "starttls"}), {})
    assert "does not offer STARTTLS: check delivery.smtp.security" in caught.value.message
    assert not caught.value.transient


# --- subject and Message-ID ---------------------------------------------------------------


def test_subject_has_the_nsm_value_and_change():
    assert subject(sample_with_nsm()) == (
        "Payments weekly · 2026-W48 · Weekly active payers 12,557 (+1.3%)"
    )
    falling = dataclasses.replace(report(), nsm=metric(values=[200.0, 150.0]))
    assert subject(falling).endswith("Active payers 150 (−25.0%)")
    percent = dataclasses.replace(report(), nsm=metric(values=[3.4, 3.7], unit="%"))
    assert subject(percent).endswith("Active payers 3.70% (+0.30 pp)")
    first_week = dataclasses.replace(report(), nsm=metric(values=[5.0]))
    assert subject(first_week).endswith("Active payers 5")


def test_subject_rounds_the_change_as_the_page_does():
    # 12.5% → 12.9%: the page says +0.4 pp, and so must the subject, not +0.40 pp.
    points = dataclasses.replace(report(), nsm=metric(values=[12.5, 12.9], unit="%"))
    assert subject(points).endswith("Active payers 12.9% (+0.4 pp)")
    assert fmt.change(points.nsm) == "▲ +0.4 pp"
    # Last week 0, so no ratio: the absolute change, rounded like 270 ms itself.
    from_zero = dataclasses.replace(report(), nsm=metric(values=[0.0, 270.4], unit="ms"))
    assert subject(from_zero).endswith("Active payers 270\u202fms (+270\u202fms)")


def test_subject_without_a_value_this_week():
    r = dataclasses.replace(report(), nsm=metric(values=[100.0, None]))
    assert subject(r) == "Payments weekly · 2026-W48 · Active payers: no value this week"


def test_subject_is_one_line_whatever_the_team_name():
    assert "\n" not in subject(report(team="Payments\nand Risk"))


def test_message_id_is_derived_from_team_and_week():
    assert message_id("Payments", WEEK, SENDER) == "<2026-W48.payments.weekly@example.com>"
    assert message_id("Payments", WEEK, SENDER, attempt=2) == (
        "<2026-W48.payments.weekly.2@example.com>"
    )
    assert message_id("Card Payments", WEEK, "Bot <bot@Mail.Example.com>") == (
        "<2026-W48.card-payments.weekly@mail.example.com>"
    )


def test_message_id_is_ascii_and_stable_for_any_script():
    first = message_id("支付团队", WEEK, SENDER)
    assert first.isascii() and first == message_id("支付团队", WEEK, SENDER)
    assert first != message_id("风控团队", WEEK, SENDER)
    with pytest.raises(ValueError):
        message_id("Payments", WEEK, SENDER, attempt=0)
