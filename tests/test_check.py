"""`weekly check`: the brief's rules, named with the draft's line, and `weekly send` refusing
on their errors unless forced."""

from __future__ import annotations

import pytest

from testing.clock import WEEK, at
from testing.workspace import edit, friday_team
from weekly import workflow
from weekly.check import approvers
from weekly.cli import main
from weekly.draft import WeekFolder

pytestmark = pytest.mark.usefixtures("keep_umask")  # conftest.py


def weekly(capsys, *args: str) -> tuple[int, str, str]:
    code = main([*args, "--week", str(WEEK)])
    out, err = capsys.readouterr()
    return code, out, err


def drafted(tmp_path, port):
    config = friday_team(tmp_path, port)
    workflow.draft(config, at(14), {}, WEEK)
    return config, WeekFolder.of(config, WEEK).draft


def line_of(path, text: str, after: str = "") -> int:
    """The number of the first line starting with `text`, after the line holding `after`."""
    lines = path.read_text().splitlines()
    start = next(n for n, line in enumerate(lines) if after in line)
    return next(n for n, line in enumerate(lines, 1) if n > start and line.startswith(text))


def test_a_clean_draft_is_ready_to_send(tmp_path, inbox, capsys):
    config, _ = drafted(tmp_path, inbox[1])
    code, out, _ = weekly(capsys, "check", "--config", str(config.path))
    assert code == 0
    assert out.strip().endswith("No errors: ready to send.")


def test_each_broken_rule_is_an_error_naming_the_drafts_line(tmp_path, inbox, capsys):
    config, draft = drafted(tmp_path, inbox[1])
    bets = tmp_path / "bets.toml"
    # The source loses PAY-2's confidence and PAY-1's slip cause; the decision its approver.
    bets.write_text(
        bets.read_text()
        .replace('confidence = "high"\n', "")
        .replace(', cause = "Partner bank certification rebooked"', "")
        .replace('approver = "Dana Schulz"\n', ""),
        encoding="utf-8",
    )
    workflow.draft(config, at(14, 30), {}, WEEK)
    edit(
        draft,
        "headline: |\n  From the bets file: replaced by the PM's own.",
        "headline: |\n  A game-changer week: payers up 10% 🚀🚀🚀",
    )
    # Each finding points at the field to write, in its own entry.
    cause = line_of(draft, "    slip_cause:", after="key: PAY-1")
    pay2 = line_of(draft, "    confidence:", after="key: PAY-2")
    approver = line_of(draft, "    approver:", after="key: PAY-20")
    headline = line_of(draft, "headline:")

    code, out, err = weekly(capsys, "check", "--config", str(config.path))

    assert code == 2
    assert f"draft.yaml:{cause} (PAY-1): error: the date moved from Fri 4 Dec to Fri 18 Dec" in out
    assert "write `slip_cause:`" in out
    # No confidence from any source or the PM is worth a word, not a held report.
    assert f"draft.yaml:{pay2} (PAY-2): warning: no confidence; write `confidence:`" in out
    assert f"draft.yaml:{approver} (PAY-20): error: no approver; write `approver:`" in out
    assert f"draft.yaml:{headline} (headline): error: marketing words: game-changer" in out
    assert f"draft.yaml:{headline} (headline): error: 3 emojis in one text (at most 2)" in out
    assert "4 errors, 1 warning: weekly send refuses until the errors are fixed" in err
    assert "Traceback" not in out + err


def test_warnings_do_not_stop_a_send(tmp_path, inbox, capsys):
    config = friday_team(tmp_path, inbox[1])
    bets = tmp_path / "bets.toml"
    bets.write_text(bets.read_text().replace("2026-12-02", "2026-11-25"))  # deadline passed
    workflow.draft(config, at(14), {}, WEEK)
    code, out, _ = weekly(capsys, "check", "--config", str(config.path))
    assert code == 0
    assert "(PAY-20): warning: past its deadline (Wed 25 Nov); decide it or move" in out
    assert out.strip().endswith("No errors, 1 warning: ready to send.")


def test_a_page_that_cannot_fit_on_one_page_is_an_error(tmp_path, inbox, capsys):
    config = friday_team(tmp_path, inbox[1])
    workflow.draft(config, at(14), {}, WEEK)
    draft = WeekFolder.of(config, WEEK).draft
    words = " ".join(f"word{n}" for n in range(2500))
    edit(
        draft,
        "headline: |\n  From the bets file: replaced by the PM's own.",
        f"headline: |\n  {words}",
    )
    code, out, _ = weekly(capsys, "check", "--config", str(config.path))
    assert code == 2
    assert "even with every bet and decision reduced to its key" in out
    assert "what ran onto page 2: headline" in out


def test_send_refuses_with_the_list_and_the_hourly_run_tells_the_pm_once(tmp_path, inbox, capsys):
    box, port = inbox
    config, draft = drafted(tmp_path, port)
    edit(draft, "    note: # yours: one line shown under the bet", "    note: Amazing progress!")
    before = draft.read_bytes()

    code, _, err = weekly(capsys, "send", "--config", str(config.path))

    assert code == 2
    assert "not sent: the draft breaks 1 rule of the brief (weekly check)" in err
    assert "(PAY-1): error: marketing words: amazing" in err
    assert "Traceback" not in err
    assert box.envelopes == []  # by hand: the list above is the answer, no mail
    assert draft.read_bytes() == before

    # Unattended, the hourly run holds it and tells the PM, once.
    held = workflow.run(config, at(16), {}).lines
    assert held[0].startswith("held Payments 2026-W48: weekly check: PAY-1: marketing words")
    (notice,) = box.messages()
    assert notice["To"] == "pm@example.com"
    assert "PAY-1: marketing words: amazing" in notice.get_body(("plain",)).get_content()
    # Edits elsewhere move the finding's line; the PM is not told the same thing again.
    draft.write_text("# checked with Dana\n" + draft.read_text())
    workflow.run(config, at(17), {})
    assert len(box.envelopes) == 1

    # Fixed, it goes out at the next hour.
    edit(draft, "    note: Amazing progress!", "    note: Bank sandbox back since Tuesday.")
    workflow.run(config, at(18), {})
    assert [m["To"] for m in box.messages()] == [
        "pm@example.com",
        "cto@example.com, vp@example.com",
    ]


def test_a_draft_broken_before_the_send_is_held_and_the_pm_told_once(tmp_path, inbox):
    box, port = inbox
    config, draft = drafted(tmp_path, port)
    edit(draft, "    hill: #", "    hill: 150 #")
    assert "the draft cannot be read" in workflow.run(config, at(16), {}).lines[0]
    workflow.run(config, at(17), {})
    (notice,) = box.messages()
    body = notice.get_body(("plain",)).get_content()
    assert "the draft cannot be read" in body and "'150' is not a hill position" not in body
    assert "150 is not a hill position" in body


def test_lenient_forms_of_the_new_draft_fields_are_read(tmp_path, inbox):
    config, draft = drafted(tmp_path, inbox[1])
    edit(draft, "    hill: #", "    hill: '70' #")
    edit(draft, "    next_week: #", "    next_week: Call the partner bank #")
    report, _ = workflow.page(config, WEEK)
    sepa = report.bets[0]
    assert (sepa.hill, sepa.hill_set, sepa.next_week) == (70, True, ("Call the partner bank",))


def test_send_force_sends_despite_the_errors(tmp_path, inbox, capsys):
    box, port = inbox
    config, draft = drafted(tmp_path, port)
    edit(draft, "    status: # yours: overrides the pulled status", "    status:")
    bets = tmp_path / "bets.toml"
    bets.write_text(bets.read_text().replace('status = "at risk"\n', ""))
    workflow.draft(config, at(14, 30), {}, WEEK)
    assert weekly(capsys, "send", "--config", str(config.path))[0] == 2
    code, out, _ = weekly(capsys, "send", "--force", "--config", str(config.path))
    assert code == 0 and "sent 'Payments weekly · 2026-W48" in out
    assert box.messages()[-1]["To"] == "cto@example.com, vp@example.com"


def test_text_the_pm_did_not_write_is_not_held_against_them(tmp_path, inbox, capsys):
    config = friday_team(tmp_path, inbox[1])
    bets = tmp_path / "bets.toml"
    bets.write_text(
        bets.read_text() + '[[decisions]]\nkey = "PAY-21"\ntitle = "Seamless fallback PSP"\n'
        'status = "decided"\napprover = "Dana Schulz"\n'
    )
    workflow.draft(config, at(14), {}, WEEK)
    code, out, _ = weekly(capsys, "check", "--config", str(config.path))
    assert code == 0 and "seamless" not in out


def test_a_tick_that_matches_no_commitment_is_named_not_silently_dropped(tmp_path, inbox, capsys):
    config, draft = drafted(tmp_path, inbox[1])
    edit(
        draft,
        "    next_week: #",
        "    last_week:\n      - we_will: Write the runbook\n        done: true\n    next_week: #",
    )
    code, out, _ = weekly(capsys, "check", "--config", str(config.path))
    assert code == 0
    line = line_of(draft, "    last_week:", after="key: PAY-1")
    assert (
        f"draft.yaml:{line} (PAY-1): warning: `last_week:` has 'Write the runbook', which last "
        "week's report did not commit to, so its tick is ignored" in out
    )


@pytest.mark.parametrize(
    ("approver", "people"),
    [
        ("Dana Schulz, Priya Nair", ("Dana Schulz", "Priya Nair")),
        ("Dana & Priya", ("Dana", "Priya")),
        ("Dana and Priya", ("Dana", "Priya")),
        ("Dana / Priya", ("Dana", "Priya")),
        ("@dana @priya", ("@dana", "@priya")),
        ("Dana; Priya", ("Dana", "Priya")),
        ("Alexander Sand", ("Alexander Sand",)),
        ("Rand Paul", ("Rand Paul",)),
        ("Anders", ("Anders",)),
        ("Finance (CFO)", ("Finance",)),
        ("Finance (CFO, acting)", ("Finance",)),
        ("R&D lead", ("R&D lead",)),
        ("@dana", ("@dana",)),
        ("", ()),
    ],
)
def test_approvers_are_the_people_an_approver_field_names(approver, people):
    assert approvers(approver) == people


@pytest.mark.parametrize(
    "approver",
    # YAML will not start a plain text with @, so the PM quotes the handles.
    ["Dana Schulz, Priya Nair", "Dana & Priya", "Dana and Priya", "Dana / Priya", "'@dana @priya'"],
)
def test_a_decision_has_one_approver_not_two(tmp_path, inbox, capsys, approver):
    config, draft = drafted(tmp_path, inbox[1])
    edit(draft, "    approver: # yours", f"    approver: {approver} # yours")
    line = line_of(draft, "    approver:", after="key: PAY-20")

    code, out, _ = weekly(capsys, "check", "--config", str(config.path))

    assert code == 2
    assert f"draft.yaml:{line} (PAY-20): error: the approver names 2 people (" in out
    assert (
        "a decision has one approver: write the one person who approves in `approver:` and "
        "list the others as contributors" in out
    )


def test_two_approvers_from_the_source_are_fixed_by_naming_one_in_the_draft(
    tmp_path, inbox, capsys
):
    config = friday_team(tmp_path, inbox[1])
    bets = tmp_path / "bets.toml"
    bets.write_text(bets.read_text().replace('"Dana Schulz"', '"Dana Schulz; Priya Nair"'))
    workflow.draft(config, at(14), {}, WEEK)
    draft = WeekFolder.of(config, WEEK).draft
    code, out, _ = weekly(capsys, "check", "--config", str(config.path))
    assert code == 2
    assert "(PAY-20): error: the approver names 2 people (Dana Schulz, Priya Nair)" in out

    edit(draft, "    approver: # yours", "    approver: Dana Schulz # yours")
    code, out, _ = weekly(capsys, "check", "--config", str(config.path))
    assert code == 0 and "approver" not in out


@pytest.mark.parametrize("approver", ["Alexander Sand", "Rand Paul", "Anders", "Finance (CFO)"])
def test_one_approver_whose_name_holds_and_is_not_two(tmp_path, inbox, capsys, approver):
    config, draft = drafted(tmp_path, inbox[1])
    edit(draft, "    approver: # yours", f"    approver: {approver} # yours")
    code, out, _ = weekly(capsys, "check", "--config", str(config.path))
    assert code == 0 and "approver" not in out
