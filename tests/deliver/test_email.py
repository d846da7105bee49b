"""The report e-mail, end to end: built, sent to a real SMTP server on loopback, parsed back."""

from __future__ import annotations

import dataclasses
import datetime as dt
import email
import email.policy
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from PIL import Image
from pypdf import PdfReader

from testing.clock import NOW, WEEK
from testing.loopback import QUEUED, Inbox, free_port
from testing.reports import bet, blocker, decision, metric, report
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
from weekly.deliver.smtp import send
from weekly.errors import DeliveryError, WeeklyError
from weekly.model import Commitment, Delivery, Slip, SourceState, SourceStatus, Status
from weekly.render import format as fmt
from weekly.render.fit import full_view
from weekly.render.output import write_report
from weekly.render.priority import ranked_bets, ranked_decisions

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


def view_of(r):
    return full_view(r, "A4")


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


def report_message(r, pdf: bytes = b"%PDF-1.7 not a real one", view=None) -> EmailMessage:
    return build_message(
        view or view_of(r),
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
    plain, related = alternative.get_payload()
    assert plain.get_content_type() == "text/plain"
    # The HTML and the trend images it names by cid: travel together.
    assert related.get_content_type() == "multipart/related"
    assert [p.get_content_type() for p in related.get_payload()] == [
        "text/html",
        "image/png",  # the NSM's trend
        "image/png",  # Conversion's
    ]
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == pdf_name
    assert len(PdfReader(io.BytesIO(attachment.get_content())).pages) == 1
    assert list(got.iter_attachments()) == [attachment]  # the images are not attachments

    html = got.get_body(("html",)).get_content()
    assert len(html.encode("utf-8")) < GMAIL_CLIP_BYTES
    assert "<svg" not in html and "data:" not in html
    assert "<style" not in html.split("<!--[if mso]>")[0]  # inlined; only Outlook's own stays
    assert 'style="' in html
    assert "12,557" in html and "12-week trend up from 9,850 to 12,557" in html
    assert "SEPA Instant payouts" in html
    assert "Fees &amp; FX &lt;EU&gt; rollout" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script" not in html
    assert "javascript:" not in html

    text = got.get_body(("plain",)).get_content()
    for expected in (
        "Weekly active payers: 12,557",
        "▲ +1.3% (+160) better vs last week (12,397)",
        "12-week trend up from 9,850 to 12,557",
        "SEPA Instant payouts",
        "Blocked: PAY-131 Partner bank slot not confirmed · 9 days · Tom Becker",
        "Slipped: Fri 4 Dec → Fri 18 Dec (+14 days) · bank certification",
        "Fallback PSP for SEPA Instant",
        "Roll out one-click checkout (PAY-162) [NO APPROVER] [NO DEADLINE]",
        "Approver: not named · deadline: not set",
        "The attached PDF is the one-page view; it shows everything in this mail.",
    ):
        assert expected in text
    # User text reads as typed; nothing of the template's own is markup or an entity.
    assert AMP_TITLE in text and SCRIPT in text
    own = re.sub(r"<https?://[^>\s]+>", "", text.replace(SCRIPT, "").replace(AMP_TITLE, ""))
    assert not re.search(r"</?[A-Za-z][^>]*>", own)
    assert not re.search(r"&(#\d+|#x[0-9a-f]+|[a-z]+);", text, re.IGNORECASE)


class Tags(HTMLParser):
    """The HTML part's tags as a browser (or a screen reader) sees them."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.headings: list[tuple[str, str]] = []
        self._heading: str | None = None
        self.words: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in ("h1", "h2", "h3"):
            self._heading, self._text = tag, ""

    def handle_data(self, data):
        self.words.append(data)
        if self._heading:
            self._text += data

    def handle_endtag(self, tag):
        if tag == self._heading:
            self.headings.append((tag, " ".join(self._text.split())))
            self._heading = None

    def all(self, name: str) -> list[dict[str, str | None]]:
        return [attrs for tag, attrs in self.tags if tag == name]

    @property
    def text(self) -> str:
        """What a reader sees with images off: the text, entities decoded, spaces collapsed."""
        return " ".join("".join(self.words).split())


def shown(html: str) -> str:
    return Tags(html).text


def test_html_body_is_built_for_mail_clients():
    html = render_email_html(view_of(sample_with_nsm()))
    tags = Tags(html)
    # One fixed-width container for Outlook (Word), spacing as cell padding, no flexbox/grid.
    assert 'width="600"' in html
    assert not re.search(r"display:\s*(flex|grid)", html)
    # Every table is layout, and says so to a screen reader.
    assert tags.all("table") and all(t.get("role") == "presentation" for t in tags.all("table"))
    assert tags.all("html") == [{"lang": "en"}]
    # Status is a word, not only a colour.
    assert ">at risk</span>" in html and ">off track</span>" in html
    assert "<ol" not in html  # Word renders list indents unpredictably; options are lines


def test_section_titles_are_headings_a_screen_reader_can_jump_to():
    tags = Tags(render_email_html(view_of(sample_with_nsm())))
    assert [h for h in tags.headings if h[0] == "h2"] == [
        ("h2", "North Star Metric"),
        ("h2", "Headline metrics"),
        ("h2", "Bets in flight · 1 off track · 1 at risk · 1 on track"),
        ("h2", "Decisions needed this week · 2 open decisions"),
    ]
    assert tags.headings[0] == ("h1", "Payments weekly · 2026-W48")


def test_trend_lines_are_png_parts_named_by_cid_with_their_takeaway_as_alt():
    r = dataclasses.replace(
        sample_with_nsm(),
        nsm=metric("wap", "Weekly active payers", NSM_VALUES, target=13000.0),
        metrics=(
            metric(
                "p95",
                "Checkout p95",
                [300.0, 310, None, 290, 285, None, 280, 270],
                unit="ms",
                direction="lower",
                target=250.0,
            ),
            metric("new", "Brand new", [None, 5.0]),  # one week of data: nothing to draw
        ),
    )
    got = email.message_from_bytes(bytes(report_message(r)), policy=email.policy.default)
    html = got.get_body(("html",)).get_content()
    pngs = {
        part["Content-ID"]: part.get_content()
        for part in got.walk()
        if part.get_content_type() == "image/png"
    }
    images = Tags(html).all("img")
    assert [img["alt"] for img in images] == [
        "Weekly active payers: 12-week trend up from 9,850 to 12,557; target 13,000",
        "Checkout p95: 8-week trend down from 300\u202fms to 270\u202fms, no data for 2 weeks; "
        "target 250\u202fms",
    ]
    assert len(pngs) == len(images) == 2
    for img in images:
        assert img["src"].startswith("cid:")
        png = pngs[f"<{img['src'].removeprefix('cid:')}>"]
        picture = Image.open(io.BytesIO(png))
        assert picture.format == "PNG"
        # Drawn at twice the size it is shown, so it stays sharp on a phone's screen.
        assert picture.size == (2 * int(img["width"]), 2 * int(img["height"]))
    assert "<svg" not in html and "data:" not in html
    # With images off, the trend still reads as text beside where the picture would be.
    without_images = re.sub(r"<img[^>]*>", "", html)
    assert "12-week trend up from 9,850 to 12,557" in without_images
    assert "8-week trend down from 300\u202fms to 270\u202fms" in without_images


def test_headline_metrics_say_last_weeks_value_as_the_nsm_does():
    r = dataclasses.replace(
        report(),
        metrics=(metric("p95", "Checkout p95", [270.0, 262.0], unit="ms", direction="lower"),),
    )
    html, text = render_email_html(view_of(r)), render_text(view_of(r))
    assert "vs last week (270\u202fms)" in html
    assert (
        "Checkout p95 (lower is better): 262\u202fms, ▼ −3.0% (−8\u202fms) better "
        "vs last week (270\u202fms)"
    ) in text


# --- the mail is never cut: 40 bets and 30 decisions ---------------------------------------

LONG = (
    "the partner bank asked for a second certification run after the sandbox outage, "
    "so the team rebooked it and kept the fallback PSP warm in the meantime"
)


def week_of_40_bets_and_30_decisions():
    """In the order the sources list them: calm first, trouble last, so priority must reorder."""
    status = [Status.ON_TRACK] * 20 + [Status.AT_RISK] * 10 + [Status.OFF_TRACK] * 6
    status += [Status.DONE] * 4
    bets = []
    for i, s in enumerate(status):
        kw = {}
        if i % 3 == 0:
            kw["blockers"] = tuple(
                blocker(f"BLK-{i}-{j}", f"Blocker {j} of bet {i}: {LONG}", days=2 + j)
                for j in range(3)
            )
        if i % 2 == 0:
            kw["note"] = f"Note on bet {i}: {LONG}."
        if i % 4 == 1:
            kw["slip"] = Slip(dt.date(2026, 12, 4), dt.date(2026, 12, 18), f"cause {i}: {LONG}")
        bets.append(
            bet(f"PAY-{100 + i}", f"Bet {i}: SEPA Instant payouts for sellers", status=s, **kw)
        )
    decisions = [
        decision(
            f"DEC-{i}",
            f"Decision {i}: the fallback PSP for SEPA Instant",
            url=f"https://jira.example.com/browse/DEC-{i}",
            approver=None if i >= 27 else "Dana Schulz",
            deadline=dt.date(2026, 11, 20) if 24 <= i < 27 else dt.date(2026, 12, 2 + i % 5),
            options=tuple(f"Option {k} for decision {i}: {LONG}" for k in (1, 2, 3)),
        )
        for i in range(30)
    ]
    return report(bets=bets, decisions=decisions, headline="A long week.")


@pytest.fixture(scope="module")
def long_week(tmp_path_factory):
    """The 40/30 week through the real pipeline: fitted on one page (so the page summarised a
    lot), then the mail built from that page and parsed back."""
    r = week_of_40_bets_and_30_decisions()
    written = write_report(r, tmp_path_factory.mktemp("long"), "A4")
    assert written.left_out  # the one page had to summarise
    got = email.message_from_bytes(
        bytes(report_message(r, written.pdf.read_bytes(), view=written.view)),
        policy=email.policy.default,
    )
    return r, written, got


def positions(body: str, needles: list[str]) -> list[int]:
    found = [body.find(n) for n in needles]
    assert -1 not in found, [n for n, at in zip(needles, found, strict=True) if at == -1]
    return found


def test_the_mail_lists_every_bet_and_decision_with_its_link_in_priority_order(long_week):
    r, _, got = long_week
    html = got.get_body(("html",)).get_content()
    text = got.get_body(("plain",)).get_content()
    bets, decisions = ranked_bets(r.bets), ranked_decisions(r.decisions, NOW.date())
    assert len(bets) == 40 and len(decisions) == 30
    for body, link in ((html, 'href="{}"'), (text, "<{}>")):
        at = positions(body, [link.format(b.url) for b in bets])
        assert at == sorted(at)
        at = positions(body, [link.format(d.url) for d in decisions])
        assert at == sorted(at)
    # Trouble first, though the sources listed it last: off track before on track, ...
    assert html.index('browse/PAY-130"') < html.index('browse/PAY-100"')
    assert text.index("(PAY-130)") < text.index("(PAY-100)")
    # ... and a decision that is overdue or has no approver before one that is neither.
    for body in (html, text):
        assert (
            body.index("browse/DEC-27") < body.index("browse/DEC-24") < body.index("browse/DEC-0")
        )


def details_of(bets, decisions) -> list[str]:
    """Every text the PM or a source wrote for these items, as written."""
    return [
        *(b.note for b in bets if b.note),
        *(blk.title for b in bets for blk in b.blockers),
        *(b.slip.cause for b in bets if b.slip and b.slip.cause),
        *(o for d in decisions for o in d.options),
    ]


def test_nothing_of_any_item_is_shortened_or_capped(long_week):
    r, _, got = long_week
    html = got.get_body(("html",)).get_content()
    text = got.get_body(("plain",)).get_content()
    open_bets = [b for b in r.bets if b.status is not Status.DONE]  # done: one mention each
    trouble = [b for b in open_bets if b.status is not Status.ON_TRACK or b.slip]
    # The HTML has every detail of every bet in trouble and of every decision; the on-track
    # bets are a row each here, as this week would come near Gmail's clip in full.
    for body, bets in ((shown(html), trouble), (text, open_bets)):
        details = details_of(bets, r.decisions)
        assert len(details) > 100
        missing = [d for d in details if d not in body]
        assert not missing, f"{len(missing)} details cut, e.g. {missing[0]!r}"
        assert "…" not in body and "more blocker" not in body and "more option" not in body


def test_a_week_that_fits_shows_on_track_bets_in_full_too():
    calm = bet(
        "PAY-7",
        "Card vault migration",
        blockers=(blocker("PAY-71", "Vault vendor's API key"),),
        note=f"Calm, but: {LONG}.",
    )
    html = render_email_html(view_of(report(bets=[calm])))
    assert "Vault vendor's API key" in shown(html) and f"Calm, but: {LONG}." in shown(html)
    assert "one row each" not in html


def test_the_long_week_stays_under_gmails_clip(long_week):
    _, _, got = long_week
    html = got.get_body(("html",)).get_content()
    assert len(html.encode("utf-8")) < GMAIL_CLIP_BYTES


def test_the_mail_says_what_the_one_page_pdf_summarised(long_week):
    _, written, got = long_week
    summary = "; ".join(written.left_out)
    html = got.get_body(("html",)).get_content()
    text = got.get_body(("plain",)).get_content()
    said = f"The attached PDF is the one-page view; to fit one page it summarised: {summary}."
    assert said in text
    assert fmt_html(said) in html
    assert "The one-page PDF" not in text


def fmt_html(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;")
    )


def test_done_bets_are_mentioned_once_each_in_one_line(long_week):
    r, _, got = long_week
    html = got.get_body(("html",)).get_content()
    text = got.get_body(("plain",)).get_content()
    done = [b for b in r.bets if b.status is Status.DONE]
    line = next(t for t in text.splitlines() if t.startswith("[DONE] "))
    assert [line.count(f"({b.key})") for b in done] == [1, 1, 1, 1]
    assert all(html.count(f'href="{b.url}"') == 1 for b in done)


def heavy_week():
    """32 on-track bets with every kind of detail: in full the HTML would pass Gmail's clip."""
    bets = [
        bet(
            f"PAY-{100 + i}",
            f"Bet {i}: SEPA Instant payouts for sellers",
            status=Status.ON_TRACK if i < 32 else Status.AT_RISK,
            blockers=tuple(blocker(f"BLK-{i}-{j}", f"Blocker {j} of bet {i}") for j in range(3)),
            note=f"Note on bet {i}: {LONG}.",
            delivered=tuple(
                Delivery(
                    f"DLV-{i}-{j}", "x", f"https://jira.example.com/browse/DLV-{i}-{j}", "issue"
                )
                for j in range(4)
            ),
            committed=(Commitment("Pass the certification retest", True),),
            next_week=("Ship the retry queue", "Book the pen test"),
        )
        for i in range(40)
    ]
    decisions = [
        decision(f"DEC-{i}", options=tuple(f"Option {k}: {LONG}" for k in (1, 2, 3)))
        for i in range(30)
    ]
    return report(bets=bets, decisions=decisions)


def test_a_week_too_long_for_gmail_in_full_gives_on_track_bets_one_row_each():
    r = heavy_week()
    got = email.message_from_bytes(bytes(report_message(r)), policy=email.policy.default)
    html = got.get_body(("html",)).get_content()
    text = got.get_body(("plain",)).get_content()
    assert len(html.encode("utf-8")) < GMAIL_CLIP_BYTES
    # Every bet is still there with its link; the at-risk ones in full, the calm ones in a row.
    assert all(f'href="{b.url}"' in html for b in r.bets)
    assert "BLK-35-0" in html and "BLK-3-0" not in html
    assert "on-track bets are one row each here; the plain-text part has their detail" in html
    # The text part has no size limit: everything in full.
    assert "Blocked: BLK-3-0 Blocker 0 of bet 3 ·" in text and f"Note on bet 3: {LONG}." in text


# --- gone items and the PM's own decisions -------------------------------------------------


def test_a_gone_bet_or_decision_says_it_is_gone_wherever_it_appears():
    why = "no longer in Jira since Fri 27 Nov 16:00"
    r = report(
        bets=[
            bet("PAY-1", "Moved to another team", gone=why),
            bet("PAY-2", "Shipped and archived", status=Status.DONE, gone=why),
        ],
        decisions=[decision("PAY-9", "Deleted in Jira", gone=why)],
    )
    html, text = render_email_html(view_of(r)), render_text(view_of(r))
    assert html.count(why) == 3 and text.count(why) == 3
    assert "Gone</span> " + why in html
    assert "  GONE: " + why in text
    assert f"Shipped and archived (PAY-2) (gone: {why})" in text


def test_a_decision_the_pm_added_reads_added_by_the_pm_not_its_draft_key():
    r = report(decisions=[decision("draft 1", "Hire a second SRE", source="draft")])
    html, text = render_email_html(view_of(r)), render_text(view_of(r))
    for body in (html, text):
        assert "added by the PM" in body and "draft 1" not in body
    assert "Hire a second SRE (added by the PM)" in text


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


def echo_the_password(server, session, envelope, mechanism, auth_data) -> AuthResult:
    """A misconfigured relay that quotes the password it was given in its 535 reply."""
    given = auth_data.password.decode() if hasattr(auth_data, "password") else str(auth_data)
    return AuthResult(success=False, handled=False, message=f"535 5.7.8 bad password {given}")


def test_a_server_that_echoes_the_password_in_its_refusal_never_shows_it():
    with (
        smtp_server(Inbox(), authenticator=echo_the_password, auth_require_tls=False) as smtp,
        pytest.raises(DeliveryError) as caught,
    ):
        smtp = smtp.model_copy(update={"user": "weekly", "password_env": "SMTP_PASSWORD"})
        send(report_message(report()), smtp, {"SMTP_PASSWORD": PASSWORD})
    message = caught.value.message
    assert "refused the login for user weekly" in message
    assert PASSWORD not in message


def test_a_reply_to_data_that_quotes_the_password_is_scrubbed():
    # The reply is kept in the ledger and printed: a relay quoting the login must not leak it.
    quoting = Inbox(data_reply=f"250 2.0.0 queued for weekly:{PASSWORD}")
    with smtp_server(
        quoting, authenticator=only_user_with_password, auth_require_tls=False
    ) as smtp:
        smtp = smtp.model_copy(update={"user": "weekly", "password_env": "SMTP_PASSWORD"})
        reply = send(report_message(report()), smtp, {"SMTP_PASSWORD": PASSWORD})
    assert reply.startswith("250 2.0.0 queued for weekly:") and PASSWORD not in reply


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
    assert fmt.change(points.nsm) == "▲ +0.4 pp better"
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


def test_a_change_in_the_mail_breaks_only_between_its_words():
    # On a phone the change wraps; `(+€5,458)` must stay whole, each word unbreakable.
    revenue = metric("revenue", "Revenue", [51_000.0, 56_458.0], unit="€")
    html = render_email_html(view_of(report(metrics=[revenue])))
    for word in ("▲", "+10.7%", "(+€5,458)", "better"):
        assert re.search(
            r'<span style="white-space: ?nowrap;?">' + re.escape(word) + "</span>", html
        ), word
