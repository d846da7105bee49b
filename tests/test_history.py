"""History: what was sent, kept as it was sent, and compared week over week."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from testing.clock import WEEK, at
from testing.workspace import APPLE_PAY, SLIP_LINE, friday_team
from weekly import workflow
from weekly.cli import main
from weekly.history import SCHEMA_VERSION, History

pytestmark = pytest.mark.usefixtures("keep_umask")  # conftest.py


def two_weeks_sent(tmp_path, port):
    config = friday_team(tmp_path, port)
    last_week = WEEK.shift(-1)
    friday = at(16, days=-7)
    csv = tmp_path / "metrics.csv"
    csv.write_text(csv.read_text() + "2026-11-27,payers,120\n", encoding="utf-8")
    workflow.draft(config, at(14, days=-7), {}, last_week)
    workflow.send(config, friday, {}, last_week)
    bets = tmp_path / "bets.toml"
    bets.write_text(
        bets.read_text()
        .replace('status = "at risk"', 'status = "off track"')
        .replace("target_date = 2026-12-18", "target_date = 2027-01-08")
        + APPLE_PAY,
        encoding="utf-8",
    )
    workflow.draft(config, at(14), {}, WEEK)
    workflow.send(config, at(16), {}, WEEK)
    return config


def test_history_lists_each_sent_week_with_its_nsm(tmp_path, inbox, capsys):
    config = two_weeks_sent(tmp_path, inbox[1])
    assert main(["history", "--config", str(config.path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("2026-W48  sent Fri 27 Nov 2026 16:00  to 2 recipients")
    assert out[1].startswith("2026-W47  sent Fri 20 Nov 2026 16:00  to 2 recipients")
    assert out[0].endswith("Active payers 120") and out[1].endswith("Active payers 100")


def test_history_diff_says_what_changed_between_two_weeks(tmp_path, inbox, capsys):
    config = two_weeks_sent(tmp_path, inbox[1])
    assert main(["history", "--config", str(config.path), "--diff", "2026-W47", "2026-W48"]) == 0
    out = capsys.readouterr().out
    assert "Active payers: 100 → 120" in out
    assert (
        "PAY-1 SEPA Instant payouts: at risk → off track; target Fri 18 Dec → Fri 8 Jan 2027" in out
    )
    assert "+ PAY-3 Apple Pay: new" in out
    assert main(["history", "--config", str(config.path), "--diff", "2026-W40", "2026-W48"]) == 2
    assert "no sent report for 2026-W40" in capsys.readouterr().err


def test_a_history_file_of_an_older_schema_is_migrated(tmp_path):
    path = tmp_path / "history.sqlite"
    sqlite3.connect(path).execute("CREATE TABLE unrelated (x)").connection.commit()
    History(path)  # version 0 -> current
    with sqlite3.connect(path) as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert con.execute("SELECT COUNT(*) FROM snapshots").fetchone()[0] == 0


def test_drafts_are_kept_apart_from_sent_reports(tmp_path, inbox):
    config = friday_team(tmp_path, inbox[1])
    workflow.draft(config, at(14), {}, WEEK)
    history = History(tmp_path / "reports" / "history.sqlite")
    assert history.sent("Payments") == []
    with sqlite3.connect(history.path) as con:
        kinds = [row[0] for row in con.execute("SELECT kind FROM snapshots")]
    assert kinds == ["draft"]


def test_the_page_shows_what_moved_since_the_last_sent_report_and_a_stalled_bet(tmp_path, inbox):
    config = friday_team(tmp_path, inbox[1])
    bets = tmp_path / "bets.toml"
    # PAY-2 has progress and never moves; PAY-1 moves its date every week.
    bets.write_text(
        bets.read_text()
        .replace(
            'title = "One-click checkout"\n',
            'title = "One-click checkout"\nprogress = { done = 3, total = 9 }\n',
        )
        .replace(SLIP_LINE, ""),
        encoding="utf-8",
    )
    for weeks_ago, target in ((2, "2026-12-04"), (1, "2026-12-11"), (0, "2026-12-18")):
        week = WEEK.shift(-weeks_ago)
        text = bets.read_text()
        for old in ("2026-12-04", "2026-12-11", "2026-12-18"):
            text = text.replace(f"target_date = {old}", f"target_date = {target}")
        bets.write_text(text, encoding="utf-8")
        workflow.draft(config, at(14, days=-7 * weeks_ago), {}, week)
        if weeks_ago:  # forced: no slip cause written, which weekly check would refuse
            workflow.send(config, at(16, days=-7 * weeks_ago), {}, week, force=True)

    report, _ = workflow.page(config, WEEK)
    sepa, checkout = report.bets
    assert sepa.change is not None and sepa.change.target_moves == 2
    assert sepa.slip is not None
    assert (sepa.slip.previous_date, sepa.slip.new_date) == (
        dt.date(2026, 12, 11),
        dt.date(2026, 12, 18),
    )
    assert checkout.change is not None and checkout.change.stalled

    written, _ = workflow.preview(config, WEEK)
    html = written.html.read_text(encoding="utf-8")
    assert "Since 2026-W47</span> target moved 2×" in html
    assert '<span class="pill flag">stalled</span>' in html
    assert "Fri 11 Dec → Fri 18 Dec" in html  # the slip the history found


def test_the_draft_asks_for_the_cause_of_a_date_moved_since_the_last_sent_report(tmp_path, inbox):
    config = friday_team(tmp_path, inbox[1])
    bets = tmp_path / "bets.toml"
    bets.write_text(bets.read_text().replace(SLIP_LINE, ""))
    workflow.draft(config, at(14, days=-7), {}, WEEK.shift(-1))
    workflow.send(config, at(16, days=-7), {}, WEEK.shift(-1))
    bets.write_text(bets.read_text().replace("2026-12-18", "2027-01-08"))
    workflow.draft(config, at(14), {}, WEEK)
    draft = (tmp_path / "reports" / "2026-W48" / "draft.yaml").read_text()
    assert "slipped_from: 2026-12-18" in draft
    assert "the date moved from 2026-12-18 to 2027-01-08: why?" in draft


def test_an_open_decision_carried_forward_shows_its_age_and_is_overdue_past_its_deadline(
    tmp_path, inbox
):
    config = friday_team(tmp_path, inbox[1])
    bets = tmp_path / "bets.toml"
    bets.write_text(bets.read_text().replace("deadline = 2026-12-02", "deadline = 2026-11-25"))
    for weeks_ago in (2, 1, 0):
        week = WEEK.shift(-weeks_ago)
        workflow.draft(config, at(14, days=-7 * weeks_ago), {}, week)
        if weeks_ago:
            workflow.send(config, at(16, days=-7 * weeks_ago), {}, week)
    report, _ = workflow.page(config, WEEK)
    (decision,) = report.decisions
    assert decision.open_since == WEEK.shift(-2)
    written, _ = workflow.preview(config, WEEK)
    html = written.html.read_text(encoding="utf-8")
    assert "open since 2026-W46 (2 weeks)" in html
    assert '<span class="pill flag">overdue</span>' in html


def test_the_mail_says_what_moved_and_what_is_overdue_too(tmp_path, inbox):
    box, port = inbox
    config = friday_team(tmp_path, port)
    bets = tmp_path / "bets.toml"
    bets.write_text(bets.read_text().replace("deadline = 2026-12-02", "deadline = 2026-11-25"))
    workflow.draft(config, at(14, days=-7), {}, WEEK.shift(-1))
    workflow.send(config, at(16, days=-7), {}, WEEK.shift(-1))
    bets.write_text(bets.read_text().replace("2026-12-18", "2027-01-08"))
    workflow.draft(config, at(14), {}, WEEK)
    workflow.send(config, at(16), {}, WEEK)
    text = box.messages()[-1].get_body(("plain",)).get_content()
    assert "Since 2026-W47: target moved once" in text
    assert "[OVERDUE]" in text
    html = box.messages()[-1].get_body(("html",)).get_content()
    assert "target moved once" in html and "overdue" in html


def test_the_nsm_says_what_the_last_report_said_when_the_data_was_revised(tmp_path, inbox):
    config = friday_team(tmp_path, inbox[1])
    workflow.draft(config, at(14, days=-7), {}, WEEK.shift(-1))
    workflow.send(config, at(16, days=-7), {}, WEEK.shift(-1))  # said W47: 100
    csv = tmp_path / "metrics.csv"
    csv.write_text(csv.read_text().replace("2026-11-17,payers,100", "2026-11-17,payers,104"))
    workflow.draft(config, at(14), {}, WEEK)
    written, _ = workflow.preview(config, WEEK)
    html = written.html.read_text(encoding="utf-8")
    assert "vs last week (104)" in html
    assert "since the 2026-W47 report (100)" in html


@pytest.mark.parametrize(
    ("text", "delivered", "done"),
    [
        ("Ship payout retries (PAY-12)", "PAY-12", True),
        ("Merge the retry PR #88", "checkout-web#88", True),
        ("Merge checkout-web#88", "checkout-web#88", True),
        ("Ship payout retries (PAY-12)", "PAY-120", None),  # another issue, not this one
        ("Book the pen test", "PAY-12", None),  # names nothing: the PM ticks it
        ("Close PAY-12 and PAY-13", "PAY-12", None),  # only half of it delivered
    ],
)
def test_a_commitment_is_done_when_what_it_names_was_delivered(text, delivered, done):
    from weekly.history import _commitment
    from weekly.model import Delivery

    commitment = _commitment(text, (Delivery(delivered, "", None, "issue"),))
    assert commitment.done is done
    assert (commitment.evidence is not None) is bool(done)


@pytest.mark.parametrize(
    ("ratio", "top_at", "position"),
    [
        (0.0, 0.5, 0),
        (0.25, 0.5, 25),
        (0.5, 0.5, 50),
        (1.0, 0.5, 100),
        (0.15, 0.3, 25),
        (0.65, 0.3, 75),
    ],
)
def test_the_hill_rule_puts_the_top_where_the_config_says(ratio, top_at, position):
    from weekly.hill import position as hill_position

    assert hill_position(ratio, top_at) == position


def test_the_pm_ticks_commitments_and_a_bad_hill_position_names_its_line(tmp_path, inbox):
    from weekly.draft import DraftError

    config = friday_team(tmp_path, inbox[1])
    workflow.draft(config, at(14, days=-7), {}, WEEK.shift(-1))
    draft = tmp_path / "reports" / "2026-W47" / "draft.yaml"
    text = draft.read_text()
    draft.write_text(
        text.replace(
            "    next_week: # yours: next week we will…",
            "    next_week:\n      - Book the pen test\n      - Sign the bank contract\n    #",
            1,
        )
    )
    workflow.send(config, at(16, days=-7), {}, WEEK.shift(-1))
    workflow.draft(config, at(14), {}, WEEK)
    draft = tmp_path / "reports" / "2026-W48" / "draft.yaml"
    text = draft.read_text()
    assert "      - we_will: Book the pen test\n        done:  # true or false" in text
    draft.write_text(
        text.replace(
            "we_will: Book the pen test\n        done:",
            "we_will: Book the pen test\n        done: true",
        )
    )
    report, _ = workflow.page(config, WEEK)
    pen, contract = report.bets[0].committed
    assert (pen.text, pen.done) == ("Book the pen test", True)
    assert (contract.text, contract.done) == ("Sign the bank contract", None)  # not ticked

    draft.write_text(draft.read_text().replace("    hill: #", "    hill: halfway #", 1))
    with pytest.raises(
        DraftError, match=r"draft.yaml:\d+: bets\[1\].hill: 'halfway' is not a hill"
    ):
        workflow.page(config, WEEK)


def test_a_snapshot_from_before_commitments_and_the_hill_still_reads(tmp_path, inbox):
    """Snapshots written by an older weekly lack the newer fields; they read as empty."""
    import json

    config = two_weeks_sent(tmp_path, inbox[1])
    path = tmp_path / "reports" / "history.sqlite"
    newer = ("hill", "next_week", "committed", "previous_hill", "hill_unmoved")

    def older(value):
        if isinstance(value, dict):
            return {k: older(v) for k, v in value.items() if k not in newer}
        return [older(v) for v in value] if isinstance(value, list) else value

    with sqlite3.connect(path) as con:
        for row_id, blob in con.execute("SELECT id, report FROM snapshots").fetchall():
            stripped = json.dumps(older(json.loads(blob)))
            assert '"hill"' not in stripped
            con.execute("UPDATE snapshots SET report = ? WHERE id = ?", (stripped, row_id))
    (latest, earlier) = History(path).sent("Payments")
    assert [b.hill for b in latest.report.bets] == [None, None, None]
    assert all(b.committed == () and b.next_week == () for b in earlier.report.bets)
    report, _ = workflow.page(config, WEEK)  # this week's page still compares with them
    assert report.bets[0].change is not None


def test_a_hill_position_the_pm_set_stays_until_they_move_it(tmp_path, inbox):
    config = friday_team(tmp_path, inbox[1])
    bets = tmp_path / "bets.toml"
    bets.write_text(
        bets.read_text().replace(
            'title = "One-click checkout"\n',
            'title = "One-click checkout"\nprogress = { done = 2, total = 10 }\n',
        )
    )
    workflow.draft(config, at(14, days=-7), {}, WEEK.shift(-1))
    draft = tmp_path / "reports" / "2026-W47" / "draft.yaml"
    text = draft.read_text()
    second = text.index("key: PAY-2")
    draft.write_text(text[:second] + text[second:].replace("    hill: #", "    hill: 70 #", 1))
    workflow.send(config, at(16, days=-7), {}, WEEK.shift(-1))
    bets.write_text(bets.read_text().replace("done = 2", "done = 3"))
    workflow.draft(config, at(14), {}, WEEK)
    report, _ = workflow.page(config, WEEK)
    checkout = report.bets[1]
    assert (checkout.hill, checkout.hill_set) == (70, True)  # not the rule's 30
    assert report.bets[0].hill is None  # no progress, no position set: no dot


def test_a_bet_hidden_last_week_is_compared_with_the_report_that_showed_it(tmp_path, inbox):
    config = friday_team(tmp_path, inbox[1])
    for weeks_ago in (2, 1):
        week = WEEK.shift(-weeks_ago)
        workflow.draft(config, at(14, days=-7 * weeks_ago), {}, week)
        draft = tmp_path / "reports" / str(week) / "draft.yaml"
        change = (
            ("    next_week: #", "    next_week: [Old promise] #")
            if weeks_ago == 2
            else ("    hill: #", "    hide: true\n    hill: #")
        )
        draft.write_text(draft.read_text().replace(*change, 1))
        workflow.send(config, at(16, days=-7 * weeks_ago), {}, week)
    workflow.draft(config, at(14), {}, WEEK)
    report, _ = workflow.page(config, WEEK)
    sepa = report.bets[0]
    assert sepa.change is not None and sepa.change.since == WEEK.shift(-2)
    assert sepa.committed == ()  # a promise for W47, not for this week


def test_render_shows_what_moved_since_the_last_sent_report_like_preview(tmp_path, inbox):
    """`weekly render` (no draft) composes the page as preview and send do: the pulled facts
    with the history's view of them."""
    config = friday_team(tmp_path, inbox[1])
    workflow.draft(config, at(14, days=-7), {}, WEEK.shift(-1))
    workflow.send(config, at(16, days=-7), {}, WEEK.shift(-1))
    bets = tmp_path / "bets.toml"
    bets.write_text(bets.read_text().replace("2026-12-18", "2027-01-08"), encoding="utf-8")
    written, outcome = workflow.render(config, at(14), {}, WEEK, tmp_path / "rendered")
    sepa = next(b for b in written.view.report.bets if b.key == "PAY-1")
    assert sepa.change is not None and sepa.change.target_moves == 1
    assert outcome.lines == [str(written.html), str(written.pdf)]
    assert "Since 2026-W47</span> target moved" in written.html.read_text(encoding="utf-8")
