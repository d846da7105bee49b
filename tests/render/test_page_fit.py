"""The one page as executives read it: the type floor, priority, the page used, nothing misread.

These tests read the written PDF (font sizes and text positions, with pdfplumber) for the
demo on A4 and Letter, a crowded week (40 bets, 30 decisions, Chinese and very long titles)
and a small one.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pdfplumber
import pytest

from testing.crowded import crowded, small
from testing.reports import bet, blocker, decision, report
from weekly.demo.workspace import demo_workspace, with_history
from weekly.errors import RenderError
from weekly.i18n import _ as translated
from weekly.i18n import speaking, word
from weekly.model import Slip, Status
from weekly.pipeline import build_report
from weekly.render import pack
from weekly.render.fit import Form, PageView, Plan, fit_ids, full_plan, full_view, page_view
from weekly.render.html import render_html
from weekly.render.output import WrittenReport, write_report
from weekly.render.priority import Tier, bet_tier, ranked
from weekly.weeks import IsoWeek

MM = 72 / 25.4
MARGIN_TOP, MARGIN_BOTTOM = 10 * MM, 9 * MM  # the page's @page margins
FLOOR, BODY_FLOOR = 7.0, 8.5


@pytest.fixture(scope="module")
def demo_report():
    with demo_workspace() as run:
        pulled = build_report(run.config, run.now, run.env, IsoWeek.of(run.now.date()))
        return with_history(run, pulled)


@pytest.fixture(scope="module")
def chinese_report():
    """The demo for a team that reads Chinese: Chinese labels and dates beside Latin titles."""
    with demo_workspace("zh-CN") as run:
        pulled = build_report(run.config, run.now, run.env, IsoWeek.of(run.now.date()))
        return with_history(run, pulled)


@pytest.fixture(scope="module")
def pages(demo_report, chinese_report, tmp_path_factory) -> dict[str, WrittenReport]:
    """Each page of the issue, written once for the module."""
    cases = {
        "demo-A4": (demo_report, "A4"),
        "chinese-A4": (chinese_report, "A4"),
        "demo-Letter": (demo_report, "Letter"),
        "crowded-A4": (crowded(), "A4"),
        "crowded-Letter": (crowded(), "Letter"),
        "small-A4": (small(), "A4"),
    }
    return {
        name: write_report(rep, tmp_path_factory.mktemp(name), paper)
        for name, (rep, paper) in cases.items()
    }


CASES = ["demo-A4", "chinese-A4", "demo-Letter", "crowded-A4", "crowded-Letter", "small-A4"]


def chars(pdf: Path) -> tuple[list[dict], float]:
    with pdfplumber.open(pdf) as document:
        assert len(document.pages) == 1
        page = document.pages[0]
        return list(page.chars), float(page.height)


def sizes_of(found: list[dict], text: str) -> list[float]:
    """The font sizes of `text`'s first characters where the page shows it (spaces and line
    breaks aside); empty when the page does not show it."""
    wanted = re.sub(r"\s+", "", text)[:14]
    letters = [c for c in found if c["text"].strip()]
    stream = "".join(c["text"] for c in letters)
    at = stream.find(wanted)
    return [] if at < 0 else [letters[i]["size"] for i in range(at, at + len(wanted))]


def body_texts(view: PageView) -> list[str]:
    """The body text the page shows: titles, notes, slip causes, decision titles, options."""
    texts = []
    for v in view.bets:
        texts += [v.bet.title, v.bet.note or "", v.bet.slip.cause if v.bet.slip else ""]
    texts += [v.title for v in view.compact_bets]
    for d in view.decisions:
        texts += [d.decision.title, *(d.decision.options if d.shows("options") else ())]
    texts += [v.title for v in view.compact_decisions]
    return [t for t in texts if t]


@pytest.mark.parametrize("case", CASES)
def test_no_text_is_under_the_type_floor(pages, case):
    written = pages[case]
    found, _ = chars(written.pdf)
    assert min(c["size"] for c in found) >= FLOOR - 0.01
    texts = body_texts(written.view)
    assert texts
    for text in texts:
        sizes = sizes_of(found, text)
        assert sizes, f"{text[:30]!r} is not on the page"
        assert min(sizes) >= BODY_FLOOR - 0.01, f"{text[:30]!r} is set at {min(sizes)} pt"


@pytest.mark.parametrize("case", CASES)
def test_the_page_is_used_whenever_anything_is_compacted(pages, case):
    written = pages[case]
    found, height = chars(written.pdf)
    used = (max(c["bottom"] for c in found) - MARGIN_TOP) / (height - MARGIN_TOP - MARGIN_BOTTOM)
    if written.view.compacted:
        assert used >= 0.92, f"content reaches {used:.0%} of the page"
    assert used <= 1.0


@pytest.mark.parametrize("case", CASES)
def test_every_open_bet_and_decision_appears_with_its_status(pages, case):
    written = pages[case]
    found, _ = chars(written.pdf)
    text = "".join(c["text"] for c in found)
    rep = written.view.report
    with speaking(rep.language):  # the page's words, as its readers read them
        for item in ranked(rep, rep.generated_at.date()):
            added = getattr(item, "added_in_draft", False)
            shown = translated("added by the PM") if added else item.key
            assert shown in text, f"{shown} is not on the page"
        # Each bet shows its status word: the heading counts them, every row or key says it.
        for status in (Status.OFF_TRACK, Status.AT_RISK, Status.ON_TRACK):
            count = sum(b.status is status for b in rep.bets)
            if count:
                assert text.count(word(status)) >= count + 1, status
        no_approver = sum(not d.approver for d in rep.decisions)
        assert text.count(translated("no approver")) >= no_approver


@pytest.mark.parametrize("case", ["demo-A4", "demo-Letter", "crowded-A4", "crowded-Letter"])
def test_the_riskiest_items_are_the_ones_in_full(pages, case):
    view = pages[case].view
    order = list(fit_ids(view.report))
    urgent = [v for v in view.open_bets if bet_tier(v.bet) < Tier.DECISION]
    full = [v.fit_id for v in view.bets if bet_tier(v.bet) < Tier.DECISION]
    assert full, "no bet in trouble is shown in full"
    # Full rows are a prefix of the priority order: none skipped for a later one.
    assert (
        full == [v.fit_id for v in sorted(urgent, key=lambda v: order.index(v.fit_id))][: len(full)]
    )
    assert view.bets[0].bet.status is Status.OFF_TRACK
    # Keys are the last resort, from the bottom: no bet in a row ranks below one by key.
    rows = [order.index(v.fit_id) for v in (*view.bets, *view.compact_bets)]
    keys = [order.index(v.fit_id) for v in view.key_bets]
    if keys:
        assert max(rows) < max(keys)


@pytest.mark.parametrize("name", ["demo", "crowded"])
def test_a4_and_letter_show_the_same_items_in_full_give_or_take_one(pages, name):
    a4 = {v.fit_id for v in (*pages[f"{name}-A4"].view.bets, *pages[f"{name}-A4"].view.decisions)}
    letter = pages[f"{name}-Letter"].view
    letter_full = {v.fit_id for v in (*letter.bets, *letter.decisions)}
    assert len(a4 ^ letter_full) <= 1


@pytest.mark.parametrize("case", ["demo-A4", "demo-Letter", "crowded-A4"])
def test_the_fit_takes_at_most_three_layouts(demo_report, case, tmp_path):
    from weekly.render.pdf import fit_one_page

    rep = demo_report if case.startswith("demo") else crowded()
    fitted = fit_one_page(rep, case.split("-")[1], render_html, tmp_path)
    assert fitted.tries <= 3


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_the_demo_settles_in_two_layouts_from_heights_that_predict_its_page(
    demo_report, paper, tmp_path
):
    """The probe measures what the page will hold to within a few pixels: a row group at the
    foot of the probe's first page counted whole, the fit note as long as the plan's own.
    One layout measures, the next is the page."""
    from weekly.render.pdf import fit_one_page

    fitted = fit_one_page(demo_report, paper, render_html, tmp_path)
    budget_px = fitted.document.pages[0]._page_box.height
    assert fitted.view.compacted and fitted.tries == 2
    assert abs(fitted.predicted - fitted.used) * budget_px <= 6


def test_a_page_that_fits_in_full_is_laid_out_once_and_says_nothing(pages, tmp_path):
    from weekly.render.pdf import fit_one_page

    fitted = fit_one_page(small(), "A4", render_html, tmp_path)
    assert fitted.tries == 1 and not fitted.view.compacted and fitted.view.left_out == ()
    found, _ = chars(pages["small-A4"].pdf)
    assert "Fittedtoonepage" not in re.sub(r"\s+", "", "".join(c["text"] for c in found))


def test_the_first_arrangement_that_fits_is_the_one_used(demo_report, tmp_path):
    """No over-summarising: the smallest thing the page left out does not fit beside it (a
    full row only for the first item without one: rows are granted in priority order)."""
    from weasyprint import HTML

    from weekly.render.pdf import _pieces, measure

    fitted = write_report(demo_report, tmp_path, "A4").view
    assert fitted.compacted
    probe = HTML(string=render_html(page_view(demo_report, full_plan(demo_report), "A4", True)))
    pieces = _pieces(demo_report, measure(probe.render())[0])
    plan = _plan(fitted)
    candidates = []
    first = next(i for i in pieces.items if plan.forms[i] is not Form.FULL)
    candidates.append(Plan({**plan.forms, first: Form.FULL}, plan.details))
    for item in pieces.items:
        if plan.forms[item] is Form.FULL:
            for detail in pieces.details[item]:
                if detail not in plan.details:
                    candidates.append(Plan(plan.forms, plan.details | {detail}))
    smallest = min(candidates, key=lambda c: pack.height(c, pieces))
    more = HTML(string=render_html(page_view(demo_report, smallest, "A4"))).render()
    assert len(more.pages) == 2


def _plan(view: PageView) -> Plan:
    forms = {v.fit_id: v.form for v in (*view.open_bets, *view.decisions)}
    forms |= {v.fit_id: v.form for v in (*view.compact_decisions, *view.key_decisions)}
    details = {f"{v.fit_id}.{d}" for v in (*view.bets, *view.decisions) for d in v.details}
    details |= {f"{v.fit_id}.blk{i}" for v in view.bets for i in v.blockers}
    return Plan(forms, frozenset(details), view.done_titles)


def test_a_report_that_cannot_fit_even_compacted_fails_naming_the_sections(tmp_path):
    rep = report([bet("PAY-1")], [decision("D-1")], headline="We must talk about it. " * 400)
    with pytest.raises(RenderError) as caught:
        write_report(rep, tmp_path, "A4")
    message = str(caught.value)
    assert "even with every bet and decision reduced to its key" in message
    assert "what ran onto page 2:" in message and "decisions" in message
    assert caught.value.exit_code == 3
    assert not list(tmp_path.glob("*.pdf"))


def test_the_footer_names_every_kind_of_compacting(pages):
    written = pages["crowded-A4"]
    left_out = written.left_out
    kinds = " ".join(left_out)
    assert "compact row" in kinds and "by key" in kinds
    found, _ = chars(written.pdf)
    text = re.sub(r"\s+", "", "".join(c["text"] for c in found))
    footer = text.split("Fittedtoonepage:")[1]
    for line in left_out:
        assert re.sub(r"\s+", "", line) in footer


def test_weekly_demo_tells_the_pm_what_the_page_compacted(tmp_path):
    from click.testing import CliRunner

    from weekly.cli import cli

    result = CliRunner().invoke(cli, ["demo", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    told = [line for line in result.stderr.splitlines() if "page fitted to one page" in line]
    assert told and any("compact row" in line for line in told)


def _with_forms(rep, forms: dict[str, Form]) -> str:
    ids = fit_ids(rep)
    plan = Plan({fid: forms.get(ids[fid].key, Form.FULL) for fid in ids}, frozenset(), True)
    return render_html(page_view(rep, plan, "A4"))


@pytest.mark.parametrize("form", [Form.FULL, Form.COMPACT, Form.KEY])
def test_a_bet_gone_from_its_source_says_so_in_every_form(form):
    gone = bet("PAY-9", "Old bet", gone="no longer in Jira since Fri 27 Nov 16:00")
    html = _with_forms(report([bet("PAY-1"), gone]), {"PAY-9": form})
    mark = {Form.FULL: "Old bet", Form.COMPACT: "Old bet", Form.KEY: ">PAY-9</a>"}[form]
    row = html.split(mark)[1][:900]
    assert "gone from its source" in row or "Not in its source any more" in row
    assert "no longer in Jira since Fri 27 Nov 16:00" in html or form is not Form.FULL


@pytest.mark.parametrize("form", [Form.FULL, Form.COMPACT, Form.KEY])
def test_a_decision_the_pm_added_has_a_readable_label(form):
    own = decision("draft 1", "Pause the rollout", source="draft", approver=None)
    html = _with_forms(report([bet("PAY-1")], [own, decision("D-2")]), {"draft 1": form})
    assert "added by the PM" in html
    assert "draft 1" not in html


def test_the_key_line_says_which_decisions_lack_an_approver_or_are_overdue():
    late = decision("D-1", deadline=report().generated_at.date().replace(day=20))
    rep = report([], [late, decision("D-2", approver=None), decision("D-3")])
    html = _with_forms(rep, {"D-1": Form.KEY, "D-2": Form.KEY, "D-3": Form.KEY})
    assert "(1 without an approver, 1 overdue)" in html
    assert "D-2 no approver" in html and "D-1 overdue 7 days" in html


def test_a_compact_row_shows_title_owner_status_target_and_signal():
    today = report().generated_at.date()
    slipped = bet(
        "PAY-2",
        "Instant payouts " + "x" * 80,
        owner="Ana Ruiz",
        status=Status.AT_RISK,
        target_date=today.replace(day=30),
        slip=Slip(today, today.replace(day=30), "Bank"),
    )
    html = _with_forms(report([slipped]), {"PAY-2": Form.COMPACT})
    row = html.split('data-fit="b0.c"')[1].split("</tr>")[0]
    assert "Instant payouts" in row and "…" in row and "x" * 80 not in row
    assert "Ana Ruiz" in row and "at risk" in row and "Mon 30 Nov" in row
    assert "slipped 3 days" in row


# The packing, from heights alone (pure).


def _pieces(n: int, row: float = 10, full: float = 30, blockers: int = 0) -> pack.Pieces:
    items = [f"b{i}" for i in range(n)]
    heights = {"fixed": 100.0, "line": 10.0, "keys:b": 10.0, "more-blockers": 10.0}
    details = {}
    for item in items:
        heights[item] = full
        heights[f"{item}.c"] = row
        names = [f"{item}.blk{j}" for j in range(blockers)]
        heights |= dict.fromkeys(names, 10.0)
        details[item] = tuple(names)
    return pack.Pieces(heights, tuple(items), details, done=False)


def test_full_rows_are_granted_in_order_and_never_past_one_that_did_not_fit():
    pieces = _pieces(4)
    heights = {**pieces.heights, "b1": 200.0, "b2": 15.0}
    pieces = dataclasses.replace(pieces, heights=heights)
    plan = pack.pack(pieces, 170)  # the page is used after b0; b1 does not fit, b2 would
    assert plan is not None
    assert [plan.forms[i] for i in pieces.items] == [Form.FULL, *[Form.COMPACT] * 3]


def test_a_page_left_emptier_than_92_percent_gives_later_small_rows_their_turn():
    pieces = _pieces(4)
    pieces = dataclasses.replace(pieces, heights={**pieces.heights, "b1": 200.0})
    plan = pack.pack(pieces, 100 + 30 + 10 * 3 + 30)  # b1 does not fit; b2 does
    assert plan is not None
    assert [plan.forms[i] for i in pieces.items] == [
        Form.FULL,
        Form.COMPACT,
        Form.FULL,
        Form.COMPACT,
    ]


def test_a_crowded_page_goes_by_key_from_the_bottom_of_the_order():
    pieces = _pieces(20)
    plan = pack.pack(pieces, 100 + 10 * 12)
    assert plan is not None
    forms = [plan.forms[i] for i in pieces.items]
    assert Form.KEY in forms and forms.index(Form.KEY) > 5
    assert all(f is Form.KEY for f in forms[forms.index(Form.KEY) :])
    assert pack.height(plan, pieces) <= 220


def test_a_blocker_of_the_first_bet_comes_after_the_full_row_of_the_next():
    pieces = _pieces(2, blockers=3)
    plan = pack.pack(pieces, 100 + 30 + 30 + 10 + 10)  # two full rows, one line to spare
    assert plan is not None
    assert plan.forms["b1"] is Form.FULL and "b0.blk0" not in plan.details


def test_nothing_fits_when_even_keys_do_not():
    assert pack.pack(_pieces(3), 50) is None


def test_the_headline_is_never_shortened(pages):
    rep = report([bet(f"PAY-{i}", blockers=(blocker("B"),)) for i in range(30)])
    long = dataclasses.replace(rep, headline="Active payers grew for the fourth week. " * 6)
    view = page_view(long, full_plan(long), "A4")
    assert view.headline == long.headline


# Meaning without colour: the pills differ in fill or border, the palette survives colour
# blindness, and every small text colour is readable on white.

PILLS = ("off-track", "at-risk", "on-track", "done", "none")
# Machado et al. (2009), severity 1.0, applied to linear RGB.
DEUTERANOPIA = ((0.367, 0.861, -0.228), (0.280, 0.673, 0.047), (-0.012, 0.043, 0.969))
PROTANOPIA = ((0.152, 1.053, -0.205), (0.115, 0.786, 0.099), (-0.004, -0.048, 1.052))


def _css_rule(selector: str) -> dict[str, str]:
    from weekly.render.html import templates_dir

    css = (templates_dir() / "report.css").read_text(encoding="utf-8")
    match = re.search(re.escape(selector) + r"\s*\{([^}]*)\}", css)
    assert match, selector
    pairs = (d.split(":", 1) for d in match.group(1).split(";") if ":" in d)
    return {k.strip(): v.strip() for k, v in pairs}


def _linear(hex_colour: str) -> tuple[float, ...]:
    channels = [int(hex_colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    return tuple(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)


def _luminance(hex_colour: str) -> float:
    r, g, b = _linear(hex_colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _seen_as(hex_colour: str, matrix) -> tuple[float, ...]:
    rgb = _linear(hex_colour)
    return tuple(
        max(0.0, min(1.0, sum(m * c for m, c in zip(row, rgb, strict=True)))) for row in matrix
    )


def _shape(rule: dict[str, str]) -> tuple[str, str, str]:
    """What a pill looks like without hue: how dark its fill is, its border, its corners."""
    fill = rule.get("background", "none")
    lightness = (
        "none" if fill in ("none", "#ffffff") else "dark" if _luminance(fill) < 0.2 else "tint"
    )
    border = rule.get("border", "")
    if "border-color" in rule and not border:
        border = "1px solid"
    return lightness, " ".join(border.split()[:2]), rule.get("border-radius", "round")


def test_status_pills_differ_in_fill_or_border_not_only_in_hue():
    shapes = {pill: _shape(_css_rule(f".status-{pill}")) for pill in PILLS}
    assert len(set(shapes.values())) == len(PILLS), shapes
    # Off track and at risk, the pair red-green blindness merges, differ most of all.
    assert shapes["off-track"][0] == "dark" and shapes["at-risk"][0] == "none"


def test_good_and_bad_stay_apart_for_a_colour_blind_reader():
    good, bad = _css_rule(".change.good")["color"], _css_rule(".change.bad")["color"]
    for matrix in (DEUTERANOPIA, PROTANOPIA):
        a, b = _seen_as(good, matrix), _seen_as(bad, matrix)
        assert sum((x - y) ** 2 for x, y in zip(a, b, strict=True)) ** 0.5 > 0.15, (good, bad)


@pytest.mark.parametrize(
    "selector", [".change.good", ".change.bad", ".signal", ".tag-slip", ".muted", ".status-at-risk"]
)
def test_small_text_colours_read_on_white(selector):
    colour = _css_rule(selector)["color"]
    contrast = (1.0 + 0.05) / (_luminance(colour) + 0.05)
    assert contrast >= 4.5, f"{selector} {colour}: {contrast:.1f}:1"


def test_a_template_without_the_fit_marks_says_so_when_the_page_overflows(tmp_path):
    own = tmp_path / "ours.html.j2"
    own.write_text(
        '{% extends "weekly/report.html.j2" %}{% block bets %}'
        "{% for v in page.open_bets %}<p>{{ v.bet.title }}</p>{% endfor %}{% endblock %}"
    )
    rep = report([bet(f"PAY-{i}", f"Bet {i}") for i in range(120)])
    with pytest.raises(RenderError) as caught:
        write_report(rep, tmp_path / "out", "A4", own)
    assert "keep the data-fit attributes" in str(caught.value)


def test_a_gone_decision_still_says_it_has_no_approver_and_is_overdue():
    from weekly.render.priority import decision_signal

    today = report().generated_at.date()
    late = decision("D-7", approver=None, deadline=today.replace(day=20), gone="no longer in Jira")
    assert decision_signal(late, today) == "no approver, overdue 7 days"


def test_delivered_work_is_counted_by_its_kind():
    from weekly.model import Delivery

    delivered = (
        Delivery("PAY-5", "Fix", None, "issue"),
        Delivery("web#8", "PR", None, "pull request"),
        Delivery("web#9", "PR", None, "pull request"),
    )
    html = render_html(full_view(report([bet("PAY-1", delivered=delivered)]), "A4"))
    assert "1 issue and 2 pull requests this week" in html


def test_the_filling_pass_also_grants_the_detail_lines_that_fit():
    pieces = _pieces(4)
    heights = {**pieces.heights, "b1": 200.0, "b2.since": 10.0}
    pieces = dataclasses.replace(
        pieces, heights=heights, details={**pieces.details, "b2": ("b2.since",)}
    )
    plan = pack.pack(pieces, 190)  # b2 full and its line; b3 stays compact
    assert plan is not None and plan.forms["b2"] is Form.FULL and "b2.since" in plan.details
