"""The e-mails: the week's report (HTML body, plain-text part, PDF attached) and the PM's notice.

The HTML body is written for mail clients, not browsers: one 600 px table, inlined CSS, no
SVG or data: URIs (Gmail strips them, Outlook shows them blank), every figure as text. The
trend lines are PNG parts of a multipart/related body, named by `cid:`.

A mail has no page to fit: it lists every bet and decision with all its detail, in the
priority order of render/priority.py, whatever the one-page PDF had to summarise.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path

from weekly.config import DeliverySection
from weekly.files import write_atomically
from weekly.i18n import N_, _, speaking, week_name
from weekly.model import Bet, Metric, Report
from weekly.render import format as fmt
from weekly.render.fit import PageView
from weekly.render.html import render_bundled
from weekly.render.output import WrittenReport, file_slug
from weekly.render.priority import Tier, bet_tier
from weekly.render.trend_png import takeaway, trend_phrase, trend_png
from weekly.weeks import IsoWeek

HTML_TEMPLATE = "email.html.j2"
TEXT_TEMPLATE = "email.txt.j2"
# Gmail clips a message whose HTML is larger than this and hides the rest behind a link.
GMAIL_CLIP_BYTES = 102 * 1024
# Gmail's count is not exactly our bytes (measured limits vary a few KB with the encoding), so
# the mail starts to compact a little before the clip.
_HTML_BUDGET = GMAIL_CLIP_BYTES - 6 * 1024
# The trend images' size in CSS px: the NSM's larger, as its figure is on the page.
NSM_TREND = (180, 40)
METRIC_TREND = (120, 28)


@dataclass(frozen=True)
class TrendImage:
    """A metric's trend line as the mail carries it: a PNG part named by its Content-ID."""

    metric_key: str
    cid: str  # without angle brackets, as `src="cid:…"` names it
    png: bytes
    width: int  # CSS px; the PNG has trend_png.DENSITY times as many pixels each way
    height: int
    phrase: str  # `12-week trend up from 9,850 to 12,557`, shown beside the image
    alt: str  # the takeaway, with the metric's name and target, for images off


@dataclass(frozen=True)
class MailView(PageView):
    """The page view as the mail templates read it: the report, `today`, the headline, what the
    PDF left out, plus the mail's trend images. The mail lists bets and decisions from the
    report itself, never from the page's fitted lists."""

    trends: tuple[TrendImage, ...] = ()
    # On-track bets in one compact row each: only when the full mail would near Gmail's clip.
    compact_on_track: bool = False

    def trend(self, metric: Metric) -> TrendImage | None:
        """The trend image of this metric, or None with fewer than two weeks of data."""
        return next((t for t in self.trends if t.metric_key == metric.key), None)

    def compact(self, bet: Bet) -> bool:
        """Whether this bet is shown as one compact row (on track, and the mail is long)."""
        return self.compact_on_track and bet_tier(bet) is Tier.ON_TRACK


def mail_view(view: PageView, domain: str = "localhost") -> MailView:
    """The mail's view of a page view, with the NSM's and each headline metric's trend image;
    Content-IDs end in `domain` (the sender's), so they are unique to this mail."""
    if isinstance(view, MailView):
        return view
    report = view.report
    trends = []
    for n, (metric, (width, height)) in enumerate(
        [(report.nsm, NSM_TREND), *((m, METRIC_TREND) for m in report.metrics)]
    ):
        png, phrase, alt = trend_png(metric, width, height), trend_phrase(metric), takeaway(metric)
        if png is None or phrase is None or alt is None:
            continue
        cid = f"trend{n}.{report.week}.{_ascii_slug(report.team)}@{domain}"
        trends.append(TrendImage(metric.key, cid, png, width, height, phrase, alt))
    fields = {f.name: getattr(view, f.name) for f in dataclasses.fields(view) if f.init}
    return MailView(**fields, trends=tuple(trends))


def subject(report: Report) -> str:
    """`Payments weekly · 2026-W48 · Weekly active payers 12,557 (+1.3%)`."""
    nsm = report.nsm
    with speaking(report.language):
        if nsm.this_week is None:
            figure = f"{nsm.label}{_(': ')}{_('no value this week')}"
        else:
            value = fmt.number(nsm.this_week, nsm.unit, nsm.decimals)
            change = fmt.change_figure(nsm)
            figure = f"{nsm.label} {value}" + (f" ({change})" if change else "")
        title = _("%(team)s weekly · %(week)s") % {
            "team": report.team,
            "week": week_name(report.week),
        }
    return _one_line(f"{title} · {figure}")


def message_id(team: str, week: IsoWeek, sender: str, attempt: int = 1) -> str:
    """`<2026-W48.payments.weekly@example.com>`: the same for a resend of the same week,
    so a reader's client (and a person grepping the logs) can tell it is the same report."""
    if attempt < 1:
        raise ValueError(f"attempt must be 1 or more, not {attempt}")
    suffix = "" if attempt == 1 else f".{attempt}"
    return f"<{week}.{_ascii_slug(team)}.weekly{suffix}@{_domain(sender)}>"


def _ascii_slug(team: str) -> str:
    # A Message-ID is ASCII only; a team named in another script gets a stable short hash.
    slug = file_slug(team)
    if slug.isascii():
        return slug
    return "team-" + hashlib.sha256(slug.encode("utf-8")).hexdigest()[:10]


def _domain(sender: str) -> str:
    domain = parseaddr(sender)[1].rpartition("@")[2].strip().lower()
    try:
        return domain.encode("idna").decode("ascii") if domain else "localhost"
    except UnicodeError:
        return "localhost"


def build_message(
    view: PageView,
    *,
    pdf: bytes,
    pdf_name: str,
    sender: str,
    recipients: Sequence[str],
    message_id: str,
    now: dt.datetime,
) -> EmailMessage:
    """The report mail: text and HTML alternatives listing everything, the HTML with its trend
    images (multipart/related), and the one-page PDF of `view` attached."""
    with speaking(view.report.language):  # the trend lines' words
        mail = mail_view(view, _domain(sender))
    message = _headers(sender, recipients, subject(mail.report), message_id, now)
    message["X-Weekly-Week"] = str(mail.report.week)
    # Quoted-printable keeps every line under SMTP's 998-byte limit (inlined styles make long
    # lines) and passes relays that do not speak 8BITMIME.
    message.set_content(render_text(mail), cte="quoted-printable")
    message.add_alternative(render_email_html(mail), subtype="html", cte="quoted-printable")
    html_part = message.get_body(("html",))
    assert isinstance(html_part, EmailMessage)
    for trend in mail.trends:
        html_part.add_related(
            trend.png,
            maintype="image",
            subtype="png",
            cid=f"<{trend.cid}>",
            disposition="inline",
            filename=f"trend-{file_slug(trend.metric_key)}.png",
        )
    message.add_attachment(pdf, maintype="application", subtype="pdf", filename=pdf_name)
    return message


def render_email_html(view: PageView) -> str:
    """The HTML body with its stylesheet inlined into each element and the <style> block gone;
    on-track bets become compact rows only if the full body would come near Gmail's clip."""
    mail = mail_view(view)
    html = _inlined(render_bundled(mail, HTML_TEMPLATE))
    if len(html.encode("utf-8")) > _HTML_BUDGET and not mail.compact_on_track:
        html = _inlined(
            render_bundled(dataclasses.replace(mail, compact_on_track=True), HTML_TEMPLATE)
        )
    return html


def _inlined(html: str) -> str:
    import css_inline  # only needed when a mail is built

    inliner = css_inline.CSSInliner(keep_style_tags=False, load_remote_stylesheets=False)
    # Once inlined, the class attributes do nothing (no <style> is left for them) but cost a
    # tenth of the bytes Gmail counts; so does the template's indentation, which HTML collapses
    # anyway. Autoescaped text cannot hold ` class="`: quotes are entities there.
    return _INDENT.sub("\n", _CLASS.sub("", inliner.inline(html)))


_CLASS = re.compile(r' class="[^"<>]*"')
_INDENT = re.compile(r"\n[ \t]+")


def render_text(view: PageView) -> str:
    """The plain-text part, everything in full; the template turns autoescaping off, so `&`
    stays `&`."""
    return render_bundled(mail_view(view), TEXT_TEMPLATE).strip() + "\n"


_HOLD_STEPS = (
    N_("Check and edit the draft at {draft}"),
    N_("Set `approved: true` in it."),
    N_(
        "Run `weekly send`, or wait for the next hourly `weekly run`, which sends it once "
        "nothing above holds it back."
    ),
)


def build_notice(
    team: str,
    week: IsoWeek,
    reasons: Sequence[str],
    *,
    draft_path: Path,
    sender: str,
    pm: str,
    now: dt.datetime,
    steps: Sequence[str] | None = None,
    language: str = "en",
) -> EmailMessage:
    """The plain-text mail that tells the PM a send is held, why, and what to do about it,
    in the team's language."""
    with speaking(language):
        title = _("%(team)s weekly %(week)s") % {"team": team, "week": week_name(week)}
        listed = "\n".join(f"  - {_one_line(reason)}" for reason in reasons) or (
            "  - " + _("(no reason given)")
        )
        todo = steps or [_(step) for step in _HOLD_STEPS]
        body = (
            _("%(title)s (%(period)s) has not been sent to its readers, because:")
            % {"title": title, "period": fmt.week_range(week)}
            + f"\n\n{listed}\n\n"
            + _("To send it:")
            + "\n"
            + "".join(f"  {n}. {step}\n" for n, step in enumerate(todo, start=1)).replace(
                "{draft}", str(draft_path)
            )
            + "\n"
            + _("Nothing has gone to the recipients yet.")
            + "\n"
        )
        waiting = _("%(title)s is waiting for you") % {"title": title}
    notice_id = make_msgid(idstring=f"{week}.{_ascii_slug(team)}.notice", domain=_domain(sender))
    message = _headers(sender, [pm], _one_line(waiting), notice_id, now)
    message["X-Weekly-Week"] = str(week)
    message.set_content(body, cte="quoted-printable")
    return message


def _headers(
    sender: str, recipients: Sequence[str], subject_line: str, msg_id: str, now: dt.datetime
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Subject"] = subject_line
    message["Date"] = format_datetime(now)
    message["Message-ID"] = msg_id
    # RFC 3834: tells auto-responders (out-of-office replies) not to answer a machine.
    message["Auto-Submitted"] = "auto-generated"
    return message


def _one_line(text: str) -> str:
    # A header may not hold a line break; a team name or label from a config file might.
    return re.sub(r"\s*[\r\n]+\s*", " ", text).strip()


def write_mail(
    written: WrittenReport,
    delivery: DeliverySection,
    team: str,
    week: IsoWeek,
    now: dt.datetime,
    number: int = 1,
) -> tuple[EmailMessage, Path]:
    """The report mail for the written page, kept beside its PDF as the .eml that went out
    (`2026-W48.eml`; attempt 2, a resend, is `2026-W48.2.eml`)."""
    message = build_message(
        written.view,
        pdf=written.pdf.read_bytes(),
        pdf_name=written.pdf.name,
        sender=delivery.sender,
        recipients=delivery.recipients,
        message_id=message_id(team, week, delivery.sender, number),
        now=now,
    )
    eml = written.pdf.with_suffix(".eml" if number == 1 else f".{number}.eml")
    write_atomically(eml, bytes(message))
    return message, eml
