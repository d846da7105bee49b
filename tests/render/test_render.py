"""The page: what a reader sees in the HTML and the one-page PDF."""

from __future__ import annotations

import dataclasses
import datetime as dt
import http.server
import threading
from pathlib import Path
from typing import ClassVar

import pytest

from testing.pdf import pdf_pages, pdf_size_pt
from testing.reports import bet, blocker, decision, metric, report
from weekly.errors import InputError
from weekly.model import DecisionStatus, Direction, Slip, SourceState, SourceStatus, Status
from weekly.render.fit import full_view
from weekly.render.html import render_html
from weekly.render.output import write_report

A4_PT = (595, 842)  # 210 x 297 mm in points
LETTER_PT = (612, 792)  # 8.5 x 11 in


def html_of(rep, template: Path | None = None) -> str:
    return render_html(full_view(rep, "A4"), template)


def test_small_report_is_shown_in_full_without_fit_notice(out_dir):
    rep = report([bet("PAY-1", "Ship the thing", note="Going well.")], [decision("D-1")])
    written = write_report(rep, out_dir, "A4")
    assert written.left_out == ()
    text = pdf_pages(written.pdf)[0]
    assert "Ship the thing" in text and "Going well." in text and "Fitted" not in text


def test_paper_size_follows_config(out_dir):
    rep = report([bet("PAY-1")])
    letter = write_report(rep, out_dir / "letter", "Letter")
    a4 = write_report(rep, out_dir / "a4", "A4")
    assert pdf_size_pt(letter.pdf) == LETTER_PT
    assert pdf_size_pt(a4.pdf) == A4_PT


def test_chinese_text_renders_with_a_cjk_font(out_dir):
    rep = report(
        [bet("PAY-7", "支付宝跨境收款试点", note="合规评估完成后即可开放流量。")],
        [decision("D-1", "是否切换备用支付服务商")],
        team="支付团队",
    )
    written = write_report(rep, out_dir, "A4")
    text = pdf_pages(written.pdf)[0]
    for phrase in (
        "支付团队",
        "支付宝跨境收款试点",
        "合规评估完成后即可开放流量",
        "是否切换备用支付服务商",
    ):
        assert phrase in text
    # Glyphs, not boxes: the CJK font named in the CSS is embedded.
    from pypdf import PdfReader

    fonts = PdfReader(written.pdf).pages[0]["/Resources"]["/Font"]
    names = {str(f.get_object()["/BaseFont"]) for f in fonts.values()}
    assert any("WenQuanYi" in name for name in names), names
    assert written.html.name == "支付团队-weekly-2026-W48.html"


def test_untrusted_titles_stay_text_in_html_and_pdf(out_dir):
    rep = report(
        [bet("PAY-1", "<script>alert(1)</script>", note='<img src=x onerror="alert(1)">')],
        [decision("D-1", "<b>bold</b> & more", options=("<i>x</i>",))],
    )
    html = html_of(rep)
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html and "&lt;img src=x" in html
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; more" in html
    text = pdf_pages(write_report(rep, out_dir, "A4").pdf)[0]
    assert "<script>alert(1)</script>" in text


def test_only_http_https_and_mailto_links_are_kept():
    rep = report(
        [
            bet("PAY-1", "Safe", url="https://jira.example.com/browse/PAY-1"),
            bet("PAY-2", "Script link", url="javascript:alert(1)"),
            bet("PAY-3", "Data link", url="data:text/html,<script>alert(1)</script>"),
        ]
    )
    html = html_of(rep)
    assert 'href="https://jira.example.com/browse/PAY-1"' in html
    assert "javascript:" not in html and "data:text" not in html
    assert "Script link" in html and "Data link" in html


def test_page_order_is_metrics_then_bets_then_decisions():
    html = html_of(report([bet("PAY-1", "The bet")], [decision("D-1", "The decision")]))
    positions = [html.index(s) for s in ("North Star Metric", "The bet", "The decision")]
    assert positions == sorted(positions)


def test_change_is_coloured_by_the_metric_direction():
    latency = metric("p95", "Latency p95", [300, 280], unit="ms", direction=Direction.LOWER)
    html = html_of(report(metrics=[latency]))
    assert '<span class="change good">▼ −6.7% (−20\u202fms) better</span>' in html
    assert "lower is better" in html


def test_a_week_without_data_shows_a_dash_not_zero():
    gap = metric("conv", "Conversion", [3.1, 3.2, None], unit="%")
    html = html_of(report(metrics=[gap]))
    cell = html.split('metric-label">Conversion')[1].split('<td class="headline-metric"')[0]
    assert '<td class="metric-value">–</td>' in cell and "no change data" in cell
    assert ">0%<" not in cell


def test_slip_blockers_and_flags_are_visible():
    slipped = bet(
        "PAY-1",
        "Payouts",
        status=Status.AT_RISK,
        target_date=dt.date(2026, 12, 18),
        slip=Slip(dt.date(2026, 12, 4), dt.date(2026, 12, 18), "Bank sandbox down"),
        blockers=(blocker("PAY-9", "Certification slot", days=9),),
    )
    html = html_of(report([slipped], [decision("D-1", "Roll out", approver=None)]))
    assert "Fri 4 Dec → Fri 18 Dec" in html and "(+14 days)" in html
    assert "Bank sandbox down" in html
    assert "Certification slot" in html and "9 days" in html and "Tom Becker" in html
    assert '<span class="pill status-at-risk">at risk</span>' in html
    assert '<span class="pill flag">no approver</span>' in html


def test_failed_source_shows_a_banner():
    rep = dataclasses.replace(
        report(),
        sources=(SourceStatus("Jira", SourceState.FAILED, None, reason="answered 503"),),
    )
    html = html_of(rep)
    assert 'class="banner"' in html and "Jira failed" in html and "answered 503" in html


def test_a_custom_template_can_extend_the_default(tmp_path):
    own = tmp_path / "ours.html.j2"
    own.write_text(
        '{% extends "report.html.j2" %}{% block footer %}<footer>Internal only</footer>'
        "{% endblock %}",
        encoding="utf-8",
    )
    html = html_of(report([bet("PAY-1", "The bet")]), own)
    assert "Internal only" in html and "The bet" in html


def test_a_date_pulled_in_reads_as_moved_earlier():
    earlier = bet(
        "PAY-1",
        target_date=dt.date(2026, 12, 1),
        slip=Slip(dt.date(2026, 12, 8), dt.date(2026, 12, 1), "Scope cut"),
    )
    html = html_of(report([earlier]))
    assert "Moved earlier" in html and "(7 days earlier)" in html and "+-" not in html


def test_a_template_mistake_names_the_file_and_line(tmp_path):
    own = tmp_path / "report.html.j2"
    own.write_text(
        '{% extends "weekly/report.html.j2" %}\n{% block footer %}{{ nope( }}{% endblock %}'
    )
    with pytest.raises(InputError) as caught:
        html_of(report(), own)
    assert str(caught.value).startswith(f"{own}:2: template error")


def test_a_user_template_named_like_ours_can_extend_ours(tmp_path):
    own = tmp_path / "report.html.j2"
    own.write_text('{% extends "weekly/report.html.j2" %}{% block footer %}Ours{% endblock %}')
    assert "Ours" in html_of(report(), own)


def test_a_very_long_team_name_gives_a_short_file_name(out_dir):
    written = write_report(report(team="Payments and Risk " * 20), out_dir, "A4")
    assert written.pdf.name == f"{'payments-and-risk-' * 3}paymen-weekly-2026-W48.pdf"


def test_unbroken_long_text_wraps_inside_the_page():
    from weasyprint import HTML

    rep = report(
        [bet("PAY-1", "https://example.com/" + "x" * 300, note="y" * 400)],
        [decision("D-1", "z" * 300, options=("o" * 300,))],
        team="T" * 150,
    )
    page = HTML(string=html_of(rep)).render().pages[0]
    box = page._page_box
    right_edge = page.width - box.margin_right  # inside the page's right margin
    text_boxes = [
        box
        for box in page._page_box.descendants()
        if type(box).__name__ == "TextBox" and box.text.strip()
    ]
    assert text_boxes
    overflowing = [b.text[:20] for b in text_boxes if b.position_x + b.width > right_edge + 1]
    assert overflowing == []


def test_an_empty_section_says_unknown_when_a_source_failed():
    rep = dataclasses.replace(
        report(),
        sources=(SourceStatus("Jira", SourceState.FAILED, None, reason="cannot reach Jira"),),
    )
    html = html_of(rep)
    assert "No bets in flight" not in html and "No decisions needed" not in html
    assert "Jira failed, so bets from it are missing" in html
    assert "Jira failed, so decisions from it are missing" in html


class _Counting(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Counting.hits.append(self.path)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_the_pdf_renderer_fetches_nothing_from_the_network_or_other_files(tmp_path, out_dir):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    _Counting.hits.clear()
    own = tmp_path / "ours.html.j2"
    own.write_text(
        '{% extends "weekly/report.html.j2" %}{% block footer %}'
        f'<img src="{url}/pixel.png"><link rel="stylesheet" href="{url}/x.css">'
        '<img src="file:///etc/passwd"><iframe src="file:///etc/passwd"></iframe>'
        "{% endblock %}",
        encoding="utf-8",
    )
    note = f'<img src="{url}/from-a-note.png">'
    try:
        written = write_report(report([bet("PAY-1", note=note)]), out_dir, "A4", own)
    finally:
        server.shutdown()
    assert _Counting.hits == []
    text = pdf_pages(written.pdf)[0]
    assert "root:" not in text
    assert note in text  # a note's markup is text on the page, not an image


def test_a_template_cannot_reach_python_internals(tmp_path):
    own = tmp_path / "ours.html.j2"
    own.write_text("{{ ''.__class__.__mro__[1].__subclasses__() }}", encoding="utf-8")
    with pytest.raises(InputError, match="template error"):
        html_of(report(), own)


def test_a_decided_decision_is_listed_with_who_approved_it_and_when():
    decided = decision(
        "D-2", "Chose the vendor", status=DecisionStatus.DECIDED, decided_on=dt.date(2026, 11, 24)
    )
    html = html_of(report(decisions=[decided]))
    assert "Chose the vendor" in html and "D-2 · Dana Schulz · Tue 24 Nov" in html
    assert "0 open decisions" in html
