"""The PM's judgement carries from week to week: a confidence set once stays, marked with the
week it was set, until they write another; a slip's cause and a decision's approver written
once stay with them; a quiet week needs no PM field before `weekly run` sends."""

from __future__ import annotations

from pathlib import Path

from testing.clock import WEEK, at
from testing.workspace import edit, friday_team
from weekly import workflow
from weekly.config import Config
from weekly.draft import WeekFolder
from weekly.model import Confidence

CONFIDENCE = "    confidence: # yours: high | medium | low"
SLIP_CAUSE = "    slip_cause: # yours: the date moved from 2026-12-04 to 2026-12-18: why?"
APPROVER = "    approver: # yours: the one person who decides"


def team(tmp_path: Path, port: int, bets: dict[str, str]) -> Config:
    """The Friday team, its bets file changed as `bets` says (old text: new text)."""
    config = friday_team(tmp_path, port)
    path = tmp_path / "bets.toml"
    text = path.read_text(encoding="utf-8")
    for old, new in bets.items():
        assert old in text, old
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return config


def drafted(config: Config, weeks_ago: int) -> Path:
    week = WEEK.shift(-weeks_ago)
    workflow.draft(config, at(14, days=-7 * weeks_ago), {}, week)
    return WeekFolder.of(config, week).draft


def entry(draft: Path, key: str, field: str) -> str:
    """The line of `field` in the bet or decision `key` of the draft."""
    lines = draft.read_text(encoding="utf-8").splitlines()
    start = lines.index(f"  - key: {key}")
    return next(line for line in lines[start + 1 :] if line.startswith(f"    {field}:"))


def test_a_confidence_set_once_carries_for_weeks_marked_with_its_week(tmp_path, inbox):
    # No source gives a confidence: GitHub has no such field.
    config = team(tmp_path, inbox[1], {'confidence = "medium"\n': "", 'confidence = "high"\n': ""})
    draft = drafted(config, 2)
    edit(draft, CONFIDENCE, "    confidence: low", count=2)
    workflow.send(config, at(16, days=-14), {}, WEEK.shift(-2))

    draft = drafted(config, 1)
    assert entry(draft, "PAY-2", "confidence") == (
        "    confidence: # yours: low, set in 2026-W46, stays until you write another"
    )
    report, _ = workflow.page(config, WEEK.shift(-1))
    assert [(b.confidence, b.confidence_since) for b in report.bets] == [
        (Confidence.LOW, WEEK.shift(-2)),
        (Confidence.LOW, WEEK.shift(-2)),
    ]
    workflow.send(config, at(16, days=-7), {}, WEEK.shift(-1))

    draft = drafted(config, 0)
    assert "set in 2026-W46" in entry(draft, "PAY-2", "confidence")  # still the week it was set
    edit(draft, "    confidence: # yours: low, set in 2026-W46", "    confidence: high #")  # PAY-1
    report, _ = workflow.page(config, WEEK)
    assert [(b.key, b.confidence, b.confidence_since) for b in report.bets] == [
        ("PAY-1", Confidence.HIGH, None),  # changed this week: from now on the PM's new one
        ("PAY-2", Confidence.LOW, WEEK.shift(-2)),
    ]
    assert not [f for f in workflow.check(config, WEEK).findings if "confidence" in f.reason]


def test_a_done_bet_needs_no_confidence_and_a_missing_one_is_only_a_warning(tmp_path, inbox):
    config = team(
        tmp_path,
        inbox[1],
        {
            'confidence = "medium"\n': "",
            'status = "on track"\nconfidence = "high"\n': 'status = "done"\n',
        },
    )
    drafted(config, 0)
    result = workflow.check(config, WEEK)
    about = [(f.error, f.about) for f in result.findings if "confidence" in f.reason]
    assert about == [(False, "PAY-1")]  # SEPA Instant, open: a word; One-click, done: nothing
    assert result.errors == 0


def test_a_quiet_week_needs_no_pm_field_before_run_sends(tmp_path, inbox):
    """Last week the PM wrote the slip's cause, the decision's approver and the confidence;
    this week nothing changed, nobody edits the draft, and cron's run sends it."""
    box, port = inbox
    config = team(
        tmp_path,
        port,
        {
            ', cause = "Partner bank certification rebooked"': "",
            'approver = "Dana Schulz"\n': "",
            'confidence = "medium"\n': "",
        },
    )
    draft = drafted(config, 1)
    assert workflow.check(config, WEEK.shift(-1)).errors == 2  # new: the slip and the decision
    edit(draft, SLIP_CAUSE, "    slip_cause: Partner bank certification rebooked")
    edit(draft, APPROVER, "    approver: Dana Schulz")
    edit(draft, CONFIDENCE, "    confidence: medium")
    workflow.send(config, at(16, days=-7), {}, WEEK.shift(-1))
    assert len(box.envelopes) == 1

    drafted(config, 0)  # Friday's pull, and no PM edits
    assert workflow.check(config, WEEK).errors == 0
    workflow.run(config, at(16), {})
    assert len(box.envelopes) == 2
    report, _ = workflow.page(config, WEEK)
    sepa = next(b for b in report.bets if b.key == "PAY-1")
    assert sepa.slip is not None and sepa.slip.cause == "Partner bank certification rebooked"
    assert sepa.confidence is Confidence.MEDIUM
    (decision,) = report.decisions
    assert decision.approver == "Dana Schulz"


def test_what_the_last_report_disclosed_is_a_warning_not_asked_again(tmp_path, inbox):
    """Sent last week without a slip cause and an approver (forced): this week's check still
    names both, as warnings; only news stops a send."""
    config = team(
        tmp_path,
        inbox[1],
        {', cause = "Partner bank certification rebooked"': "", 'approver = "Dana Schulz"\n': ""},
    )
    drafted(config, 1)
    workflow.send(config, at(16, days=-7), {}, WEEK.shift(-1), force=True)
    drafted(config, 0)
    result = workflow.check(config, WEEK)
    about = sorted((f.about, f.error) for f in result.findings)
    assert about == [("PAY-1", False), ("PAY-20", False)]
    assert result.errors == 0
