"""The team's language: every word weekly writes on the page follows `report.language`.

The catalog is checked against the words in the code (a new label without a translation
fails here), and the Chinese demo page against the English catalog: none of its words may
be left on the page, team content aside.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import email
import email.policy
import html
import re
import subprocess
import sys
from email.message import EmailMessage
from pathlib import Path

import pdfplumber
import pytest
from babel.messages.pofile import read_po

from testing.clock import WEEK
from testing.reports import metric
from weekly import i18n
from weekly.demo.workspace import demo_email, demo_workspace, with_history
from weekly.draft import WeekFolder, write_draft
from weekly.draft.edits import load_document, read_edits
from weekly.model import Report
from weekly.pipeline import build_report
from weekly.render import format as fmt
from weekly.render.output import write_report
from weekly.weeks import IsoWeek

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "weekly" / "locale" / "zh_CN" / "LC_MESSAGES" / "weekly.po"


def english_messages(tmp_path: Path) -> list[str | tuple[str, ...]]:
    """The words in the code and the templates, extracted now as `pybabel extract` does."""
    pot = tmp_path / "weekly.pot"
    subprocess.run(
        [
            sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
            "-k", "_", "-k", "N_", "-k", "ngettext:1,2", "-o", str(pot), ".",
        ],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    with pot.open("rb") as file:
        return [m.id for m in read_po(file) if m.id]


def test_every_word_in_the_code_has_a_chinese_translation(tmp_path):
    with CATALOG.open("rb") as file:
        catalog = read_po(file)
    translated = {m.id if isinstance(m.id, str) else tuple(m.id): m.string for m in catalog}
    words = english_messages(tmp_path)

    assert len(words) > 100
    missing = [w for w in words if not translated.get(w if isinstance(w, str) else tuple(w))]
    assert missing == []


def visible_text(page: str) -> str:
    page = re.sub(r"<(style|title)>.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r'(title|aria-label)="[^"]*"', " ", page)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def team_strings(value: object) -> set[str]:
    """Every string of the team's content in the report: titles, names, notes, keys…"""
    found: set[str] = set()
    if isinstance(value, str):
        found.add(value)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            found |= team_strings(getattr(value, field.name))
    elif isinstance(value, tuple | list):
        for item in value:
            found |= team_strings(item)
    return found


@dataclasses.dataclass(frozen=True)
class Chinese:
    report: Report
    page: str  # the page's HTML
    pdf: Path
    mail: EmailMessage


@pytest.fixture(scope="module")
def chinese(tmp_path_factory) -> Chinese:
    """The demo, whole, in Chinese: the page and the mail it would send."""
    with demo_workspace("zh-CN") as run:
        pulled = build_report(run.config, run.now, run.env, IsoWeek.of(run.now.date()))
        report = with_history(run, pulled)
        written = write_report(report, tmp_path_factory.mktemp("zh"), "A4")
        eml = demo_email(run, written)
    mail = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert isinstance(mail, EmailMessage)
    return Chinese(report, written.html.read_text(encoding="utf-8"), written.pdf, mail)


def english_left(text: str, report: Report, tmp_path: Path) -> list[str]:
    """The English catalog's words still in `text`, once the team's own content is out,
    and the names the PM types (`status:`, `weekly send`, `approved: true`), which stay."""
    typed = r"`[^`]*`|weekly (draft|send|run|preview)|weekly 草稿|draft\.yaml(\.bak)?"
    text = re.sub(typed, " ", text)
    for team in sorted(team_strings(report), key=len, reverse=True):
        if len(team) > 2:
            text = text.replace(team, " ")
    left = []
    for message in english_messages(tmp_path):
        for form in (message,) if isinstance(message, str) else message:
            for part in re.split(r"%\(\w+\)\w|%%", form):
                words = part.strip(" .,:;()+·→=–")
                # Unicode date patterns (EEE d MMM) are not words a reader sees.
                if len(words) < 4 or not re.search("[a-z]{3}", words) or "EEE" in words:
                    continue
                if re.search(rf"(?<![A-Za-z]){re.escape(words)}(?![A-Za-z])", text, re.I):
                    left.append(words)
    return left


def part(mail: EmailMessage, kind: str) -> str:
    body = mail.get_body((kind,))
    assert body is not None
    return str(body.get_content())


def test_the_chinese_demo_page_has_no_english_label_left(chinese, tmp_path):
    text = visible_text(chinese.page)
    assert english_left(text, chinese.report, tmp_path) == []
    assert "进行中的押注" in text and "本周待决事项" in text and "北极星指标" in text


def test_the_chinese_demo_mail_has_no_english_label_left(chinese, tmp_path):
    html_part = visible_text(part(chinese.mail, "html"))
    images = " ".join(re.findall(r'alt="([^"]*)"', part(chinese.mail, "html")))
    text_part = part(chinese.mail, "plain")
    subject = str(chinese.mail["Subject"])
    for shown in (html_part, html.unescape(images), text_part, subject):
        assert english_left(shown, chinese.report, tmp_path) == []
    assert subject.startswith("Payments 周报 · 2026年第48周 · ")
    assert "北极星指标" in text_part and "趋势" in images


def test_the_chinese_page_and_mail_say_their_language(chinese):
    assert '<html lang="zh-CN">' in chinese.page
    assert '<html lang="zh-CN">' in part(chinese.mail, "html")
    assert "2026年第48周" in chinese.page and "11月27日 周五" in chinese.page


@pytest.mark.parametrize(
    ("language", "one_day", "two_days", "date", "dated_other_year", "week"),
    [
        ("en", "1 day", "2 days", "Fri 4 Dec", "Fri 1 Jan 2027", "2026-W48"),
        ("zh-CN", "1 天", "2 天", "12月4日 周五", "2027年1月1日 周五", "2026年第48周"),
    ],
)
def test_plurals_dates_and_weeks_follow_the_language(
    language, one_day, two_days, date, dated_other_year, week
):
    today = dt.date(2026, 12, 1)
    with i18n.speaking(language):
        assert i18n.ngettext("%(num)d day", "%(num)d days", 1) == one_day
        assert i18n.ngettext("%(num)d day", "%(num)d days", 2) == two_days
        assert fmt.day(dt.date(2026, 12, 4), today) == date
        assert fmt.day(dt.date(2027, 1, 1), today) == dated_other_year
        assert i18n.week_name(WEEK) == week


@pytest.mark.parametrize(
    ("language", "better", "worse"),
    [
        ("en", "▲ +10.0% (+10) better", "▲ +10.0% (+10) worse"),
        ("zh-CN", "▲ +10.0% (+10) 向好", "▲ +10.0% (+10) 变差"),
    ],
)
def test_a_change_says_better_or_worse_in_the_language(language, better, worse):
    from weekly.model import Direction

    up = metric(values=[100.0, 110.0])
    with i18n.speaking(language):
        assert fmt.change(up) == better
        assert fmt.change(dataclasses.replace(up, direction=Direction.LOWER)) == worse


def test_outside_a_render_the_words_are_english():
    with i18n.speaking("zh-CN"):
        assert i18n.word("at risk") == "有风险"
    assert i18n.word("at risk") == "at risk"


def fonts_of(pdf: Path, text: str) -> set[str]:
    """The fonts the PDF draws `text`'s characters in."""
    with pdfplumber.open(pdf) as document:
        chars = document.pages[0].chars
    stream = "".join(c["text"] for c in chars)
    at = stream.find(text)
    assert at >= 0, text
    return {chars[i]["fontname"].split("+", 1)[-1] for i in range(at, at + len(text))}


def test_bold_chinese_is_set_in_a_bold_chinese_face(chinese):
    """WenQuanYi Micro Hei has no bold and WeasyPrint does not synthesise one: a bold Chinese
    title is set in Noto Sans CJK SC Bold, the regular text beside it in WenQuanYi."""
    title = next(b.title for b in chinese.report.bets if b.key == "PAY-107")
    assert fonts_of(chinese.pdf, title[:6]) == {"Noto-Sans-CJK-SC-Bold"}
    assert fonts_of(chinese.pdf, "等待合规团队") == {"WenQuanYi-Micro-Hei"}
    assert fonts_of(chinese.pdf, "进行中的押注") == {"Noto-Sans-CJK-SC-Bold"}


def comments_of(yaml_text: str) -> str:
    """The draft's own words: its comments, not the fields and values the PM types."""
    return "\n".join(line.split("#", 1)[1] for line in yaml_text.splitlines() if "#" in line)


def test_the_chinese_draft_speaks_chinese_in_its_comments(chinese, tmp_path):
    folder = WeekFolder(tmp_path / "2026-W48")
    folder.path.mkdir()
    assert write_draft(chinese.report, folder, chinese.report.generated_at)
    comments = comments_of(folder.draft.read_text(encoding="utf-8"))

    assert english_left(comments, chinese.report, tmp_path) == []
    assert "本文件由你编辑" in comments and "由你填写：覆盖拉取到的状态" in comments
    # The values the PM types stay as they are in every language.
    edits = read_edits(load_document(folder.draft), folder.draft, chinese.report.week)
    assert edits.week == chinese.report.week


def test_the_check_findings_and_the_notice_speak_the_teams_language(tmp_path):
    from testing.reports import bet, decision, report
    from weekly.check import DraftLines, lint
    from weekly.config import CheckSection
    from weekly.deliver.email import build_notice
    from weekly.draft.edits import Edits

    page = dataclasses.replace(
        report([bet("PAY-1", confidence=None)], [decision("D-1", approver=None)]),
        language="zh-CN",
    )
    edits = Edits(page.week, False, None, {}, ())
    findings = lint(page, edits, CheckSection(), DraftLines(tmp_path / "draft.yaml", {}))
    said = [str(f) for f in findings]
    assert said == [
        f"{tmp_path / 'draft.yaml'} (D-1): 错误: 无批准人；请写 `approver:`（决策两者都需要）",
        f"{tmp_path / 'draft.yaml'} (PAY-1): 警告: 无信心评估；请写 `confidence:`",
    ]
    notice = build_notice(
        page.team,
        page.week,
        [f.reason for f in findings],
        draft_path=tmp_path / "draft.yaml",
        sender="weekly@example.com",
        pm="pm@example.com",
        now=page.generated_at,
        language="zh-CN",
    )
    body = str(notice.get_content())
    assert str(notice["Subject"]) == "Payments 周报 2026年第48周 等你处理"
    assert "尚未发给读者，原因是" in body and "发送步骤" in body
    assert english_left(body, page, tmp_path) == []
