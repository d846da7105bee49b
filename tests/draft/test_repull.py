"""A re-pull of the draft: every line the PM typed stays byte for byte, and what weekly owns
(the `pulled:` blocks, `gone:` marks, `sources:`, new entries) is refreshed."""

from __future__ import annotations

from pathlib import Path

from testing.clock import WEEK, at
from testing.workspace import APPLE_PAY, edit, friday_team
from weekly import workflow
from weekly.config import Config
from weekly.draft import WeekFolder

# How a PM writes when nobody reformats for them: double quotes, a line past 100 columns,
# comments at their own column.
QUOTED = '    note: "Sandbox down six days"        # mine, aligned with care'
LONG = (
    "    slip_cause: Partner bank certification rebooked for 14 Dec; the options are to wait "
    "for the rebooked slot, or go live on the fallback PSP for payouts under 1,000 EUR  # two"
)
STATUS = "    status: 'off track'   # my call"
APPROVED = "approved: true      # checked with Dana"
PAY_2 = (
    '[[bets]]\nkey = "PAY-2"\ntitle = "One-click checkout"\nstatus = "on track"\n'
    'confidence = "high"\n'
)


def drafted(tmp_path: Path, port: int) -> tuple[Config, Path]:
    config = friday_team(tmp_path, port)
    workflow.draft(config, at(14), {}, WEEK)
    return config, WeekFolder.of(config, WEEK).draft


def bets_file(tmp_path: Path, old: str, new: str) -> None:
    path = tmp_path / "bets.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def lines_of(text: str, key: str) -> list[str]:
    """The lines of one bet's entry, from its dash to the next entry or list."""
    lines = text.splitlines()
    start = lines.index(f"  - key: {key}")
    end = next(
        (n for n in range(start + 1, len(lines)) if not lines[n].startswith("    ")), len(lines)
    )
    return lines[start:end]


def test_the_pms_lines_stay_byte_for_byte_across_two_re_pulls(tmp_path, inbox):
    config, draft = drafted(tmp_path, inbox[1])
    edit(draft, "    note: # yours: one line shown under the bet", QUOTED)
    edit(draft, "    slip_cause: # yours: why the date moved, and the options", LONG)
    edit(draft, "    status: # yours: overrides the pulled status", STATUS)
    edit(draft, "approved: false # set to true when the page may go out", APPROVED)
    mine = [line for line in draft.read_text(encoding="utf-8").splitlines() if "pulled" not in line]

    bets_file(tmp_path, "SEPA Instant payouts", "SEPA Instant payouts (EU)")
    workflow.draft(config, at(15), {}, WEEK)
    bets_file(tmp_path, "One-click checkout", "One-click checkout v2")
    workflow.draft(config, at(15, 30), {}, WEEK)

    text = draft.read_text(encoding="utf-8")
    for line in (QUOTED, LONG, STATUS, APPROVED):
        assert line in text.splitlines(), line
    # Everything but the pulled facts and the sources' pull times is as the PM left it.
    now = [line for line in text.splitlines() if "pulled" not in line]
    changed = [line for line in now if line not in mine]
    assert changed == [
        "      title: SEPA Instant payouts (EU)",
        "      title: One-click checkout v2",
    ]
    assert "pulled Fri 27 Nov 15:30" in text


def test_a_new_bet_is_appended_and_the_old_entries_keep_their_lines(tmp_path, inbox):
    config, draft = drafted(tmp_path, inbox[1])
    edit(draft, "    note: # yours: one line shown under the bet", QUOTED)
    before = draft.read_text(encoding="utf-8")
    (tmp_path / "bets.toml").write_text(
        (tmp_path / "bets.toml").read_text(encoding="utf-8") + APPLE_PAY, encoding="utf-8"
    )
    workflow.draft(config, at(15), {}, WEEK)
    text = draft.read_text(encoding="utf-8")
    assert lines_of(text, "PAY-1") == lines_of(before, "PAY-1")
    assert lines_of(text, "PAY-3")[:3] == [
        "  - key: PAY-3",
        "    pulled:  # from bets file (bets.toml); refreshed by weekly draft",
        "      title: Apple Pay",
    ]
    assert text.index("key: PAY-3") < text.index("decisions:")  # in the bets, not after


def test_the_pms_done_ticks_survive_a_re_pull(tmp_path, inbox):
    """Last week's commitments are the PM's to tick: a re-pull never rebuilds them."""
    config = friday_team(tmp_path, inbox[1])
    last = WEEK.shift(-1)
    workflow.draft(config, at(14, days=-7), {}, last)
    edit(
        WeekFolder.of(config, last).draft,
        "    next_week: # yours: next week we will…, one `- ` line each; the next report checks "
        "them",
        "    next_week:\n      - Book the certification retest",
    )
    workflow.send(config, at(16, days=-7), {}, last, force=True)
    workflow.draft(config, at(14), {}, WEEK)
    draft = WeekFolder.of(config, WEEK).draft
    edit(draft, "        done:  # true or false", "        done: true  # booked Tuesday")
    workflow.draft(config, at(15), {}, WEEK)
    assert "        done: true  # booked Tuesday" in draft.read_text(encoding="utf-8")
    report, _ = workflow.page(config, WEEK)
    (commitment,) = report.bets[0].committed
    assert commitment.done is True


def test_a_hidden_bet_that_leaves_its_source_stays_off_the_page(tmp_path, inbox):
    config, draft = drafted(tmp_path, inbox[1])
    edit(draft, "  - key: PAY-2\n", "  - key: PAY-2\n    hide: true\n")
    bets_file(tmp_path, PAY_2, "")
    workflow.draft(config, at(15), {}, WEEK)
    assert "gone: no longer in bets file (bets.toml) since" in draft.read_text(encoding="utf-8")
    report, _ = workflow.page(config, WEEK)
    assert [b.key for b in report.bets] == ["PAY-1"]


def test_a_bet_back_in_its_source_loses_its_gone_mark(tmp_path, inbox):
    config, draft = drafted(tmp_path, inbox[1])
    original = (tmp_path / "bets.toml").read_text(encoding="utf-8")
    bets_file(tmp_path, PAY_2, "")
    workflow.draft(config, at(15), {}, WEEK)
    report, _ = workflow.page(config, WEEK)
    assert next(b for b in report.bets if b.key == "PAY-2").gone
    (tmp_path / "bets.toml").write_text(original, encoding="utf-8")
    workflow.draft(config, at(15, 30), {}, WEEK)
    assert "gone:" not in draft.read_text(encoding="utf-8")
    report, _ = workflow.page(config, WEEK)
    assert next(b for b in report.bets if b.key == "PAY-2").gone is None


def test_what_the_source_dropped_leaves_the_pulled_block(tmp_path, inbox):
    config, draft = drafted(tmp_path, inbox[1])
    bets_file(tmp_path, 'owner = "Ana Ruiz"\n', "")
    workflow.draft(config, at(15), {}, WEEK)
    assert "owner:" not in "\n".join(lines_of(draft.read_text(encoding="utf-8"), "PAY-1"))
    report, _ = workflow.page(config, WEEK)
    assert report.bets[0].owner is None


def test_an_entry_the_line_edits_cannot_follow_is_merged_as_data(tmp_path, inbox):
    """A PM who writes a bet in flow style (`- {key: …}`): the line edits would cut into it,
    so the parsed merge is written instead, every value of theirs kept."""
    config, draft = drafted(tmp_path, inbox[1])
    text = draft.read_text(encoding="utf-8")
    start, end = text.index("  - key: PAY-2"), text.index("decisions:")
    flow = "  - {key: PAY-2, note: Written in flow style, pulled: {title: One-click checkout}}\n"
    draft.write_text(text[:start] + flow + text[end:], encoding="utf-8")
    bets_file(tmp_path, "One-click checkout", "One-click checkout v2")
    workflow.draft(config, at(15), {}, WEEK)
    report, _ = workflow.page(config, WEEK)
    checkout = next(b for b in report.bets if b.key == "PAY-2")
    assert (checkout.title, checkout.note) == ("One-click checkout v2", "Written in flow style")
