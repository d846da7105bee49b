"""The e-mails: the week's report (HTML body, plain-text part, PDF attached) and the PM's notice.

The HTML body is written for mail clients, not browsers: one 600 px table, inlined CSS, no
SVG or data: URIs (Gmail strips them, Outlook shows them blank), every figure as text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path

from weekly.model import Report
from weekly.render import format as fmt
from weekly.render.fit import PageView
from weekly.render.html import render_bundled
from weekly.render.output import file_slug
from weekly.weeks import IsoWeek

HTML_TEMPLATE = "email.html.j2"
TEXT_TEMPLATE = "email.txt.j2"
# Gmail clips a message whose HTML is larger than this and hides the rest behind a link.
GMAIL_CLIP_BYTES = 102 * 1024


def subject(report: Report) -> str:
    """`Payments weekly · 2026-W48 · Weekly active payers 12,557 (+1.3%)`."""
    nsm = report.nsm
    if nsm.this_week is None:
        figure = f"{nsm.label}: no value this week"
    else:
        value = fmt.number(nsm.this_week, nsm.unit, nsm.decimals)
        change = fmt.change_figure(nsm)
        figure = f"{nsm.label} {value}" + (f" ({change})" if change else "")
    return _one_line(f"{report.team} weekly · {report.week} · {figure}")


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
    """The report mail: text and HTML alternatives of the fitted page, and the PDF attached."""
    message = _headers(sender, recipients, subject(view.report), message_id, now)
    message["X-Weekly-Week"] = str(view.report.week)
    # Quoted-printable keeps every line under SMTP's 998-byte limit (inlined styles make long
    # lines) and passes relays that do not speak 8BITMIME.
    message.set_content(render_text(view), cte="quoted-printable")
    message.add_alternative(render_email_html(view), subtype="html", cte="quoted-printable")
    message.add_attachment(pdf, maintype="application", subtype="pdf", filename=pdf_name)
    return message


def render_email_html(view: PageView) -> str:
    """The HTML body with its stylesheet inlined into each element and the <style> block gone."""
    import css_inline  # only needed when a mail is built

    inliner = css_inline.CSSInliner(keep_style_tags=False, load_remote_stylesheets=False)
    return inliner.inline(render_bundled(view, HTML_TEMPLATE))


def render_text(view: PageView) -> str:
    """The plain-text part; the template turns autoescaping off, so `&` stays `&`."""
    return render_bundled(view, TEXT_TEMPLATE).strip() + "\n"


_HOLD_STEPS = (
    "Check and edit the draft at {draft}",
    "Set `approved: true` in it.",
    "Run `weekly send`, or wait for the next hourly `weekly run`, which sends it once "
    "nothing above holds it back.",
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
) -> EmailMessage:
    """The plain-text mail that tells the PM a send is held, why, and what to do about it."""
    title = f"{team} weekly {week}"
    listed = "\n".join(f"  - {_one_line(reason)}" for reason in reasons) or "  - (no reason given)"
    body = (
        f"{title} ({fmt.week_range(week)}) has not been sent to its readers, because:\n"
        f"\n{listed}\n\n"
        "To send it:\n"
        + "".join(
            f"  {n}. {step}\n" for n, step in enumerate(steps or _HOLD_STEPS, start=1)
        ).replace("{draft}", str(draft_path))
        + "\n"
        "Nothing has gone to the recipients yet.\n"
    )
    notice_id = make_msgid(idstring=f"{week}.{_ascii_slug(team)}.notice", domain=_domain(sender))
    message = _headers(sender, [pm], _one_line(f"{title} is waiting for you"), notice_id, now)
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
