"""The draft's declared fields (weekly/draft/fields.py): each one a new draft writes reads
back as the PM edits it and shows on the page; a field weekly does not know is named with
its line; each field's line is where the file has it; the `pulled:` blocks read back as
they were written."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from testing.clock import BERLIN, NOW, WEEK
from testing.reports import bet, blocker, decision, report
from weekly.check import DraftLines
from weekly.draft import WeekFolder, apply, read_draft, write_draft
from weekly.draft.document import render
from weekly.draft.edits import load_document
from weekly.draft.fields import BETS, DECISIONS, HIDE, KEY, PULLED, TOP, BetEdits, DecisionEdits
from weekly.draft.place import Place
from weekly.draft.pulled import PulledBet, PulledDecision, read_pulled, write_pulled
from weekly.model import (
    Commitment,
    Confidence,
    Delivery,
    Forecast,
    Report,
    Slip,
    Status,
)

# A bet with everything a new draft asks about: a slip without a cause, a commitment from
# last week to tick, and a forecast later than its target.
PAY_1 = bet(
    "PAY-1",
    "SEPA Instant payouts",
    slip=Slip(dt.date(2026, 12, 4), dt.date(2026, 12, 18), None),
    committed=(Commitment("Pass the certification"),),
    forecast=Forecast(dt.date(2027, 1, 8), dt.date(2027, 1, 22), 8, 1.5),
    blockers=(blocker("PAY-131"),),
    delivered=(Delivery("PAY-1011", "Payout file", None, "issue"),),
    hill=64,
    source="Jira (jira.example.com)",
)
D_1 = decision("D-1", source="Jira (jira.example.com)")
FACTS = report([PAY_1], [D_1], headline="Payers grew for the fourth week.")


def drafted(tmp_path, facts: Report = FACTS) -> WeekFolder:
    folder = WeekFolder(tmp_path)
    write_draft(facts, folder, NOW)
    return folder


def edited(folder: WeekFolder, change: Callable[[Any], None]) -> None:
    """The PM's edit, made on the parsed draft and written back as text."""
    document = load_document(folder.draft)
    change(document)
    folder.draft.write_text(render(document), encoding="utf-8")


def page_bet(page: Report) -> Any:
    return next((b for b in page.bets if b.key == "PAY-1"), None)


def page_decision(page: Report) -> Any:
    return next((d for d in page.decisions if d.key == "D-1"), None)


# (field, the value the PM writes, what reading gives, what the page shows then)
BET_EDITS: list[tuple[str, Any, Any, Callable[[Report], bool] | None]] = [
    ("status", "at risk", Status.AT_RISK, lambda p: page_bet(p).status is Status.AT_RISK),
    ("confidence", "Low", Confidence.LOW, lambda p: page_bet(p).confidence is Confidence.LOW),
    ("note", "Call with the bank", "Call with the bank", lambda p: page_bet(p).note),
    (
        "slip_cause",
        "Bank moved the slot",
        "Bank moved the slot",
        lambda p: page_bet(p).slip.cause == "Bank moved the slot",
    ),
    (
        "new_eta",
        "2026-12-24",
        dt.date(2026, 12, 24),
        lambda p: page_bet(p).slip == Slip(dt.date(2026, 12, 18), dt.date(2026, 12, 24), None),
    ),
    ("hill", 40, 40, lambda p: (page_bet(p).hill, page_bet(p).hill_set) == (40, True)),
    ("next_week", ["Pass the retest"], ("Pass the retest",), lambda p: page_bet(p).next_week),
    ("forecast", "off", "off", lambda p: not page_bet(p).forecasted),
    ("hide", True, True, lambda p: page_bet(p) is None),
    ("gone", "no longer in Jira", "no longer in Jira", None),  # see the gone test below
]
DECISION_EDITS: list[tuple[str, Any, Any, Callable[[Report], bool] | None]] = [
    ("title", "Fallback PSP?", "Fallback PSP?", lambda p: page_decision(p).title),
    (
        "approver",
        "Priya Nair",
        "Priya Nair",
        lambda p: page_decision(p).approver == "Priya Nair",
    ),
    ("driver", "Tom Becker", "Tom Becker", lambda p: page_decision(p).driver == "Tom Becker"),
    (
        "deadline",
        dt.date(2026, 12, 9),
        dt.date(2026, 12, 9),
        lambda p: page_decision(p).deadline == dt.date(2026, 12, 9),
    ),
    ("options", ["Wait", "Switch"], ("Wait", "Switch"), lambda p: page_decision(p).options),
    ("hide", True, True, lambda p: page_decision(p) is None),
    ("gone", "no longer in Jira", "no longer in Jira", None),
]


def test_every_declared_field_has_its_attribute_and_a_case_here():
    """A field added to the declaration without its attribute (or the other way round), or
    without a round trip below, fails here."""
    for part, edits, cases in (
        (BETS, BetEdits, BET_EDITS),
        (DECISIONS, DecisionEdits, DECISION_EDITS),
    ):
        assert set(part.keys) == {f.name for f in dataclasses.fields(edits)}
        ticks = {"last_week"} if part is BETS else set()
        assert set(part.keys) - {KEY.key, PULLED} == {c[0] for c in cases} | ticks


@pytest.mark.parametrize(
    ("key", "value", "read", "shown"), BET_EDITS, ids=[c[0] for c in BET_EDITS]
)
def test_a_bet_field_the_pm_edits_reads_back_and_shows(tmp_path, key, value, read, shown):
    folder = drafted(tmp_path)
    edited(folder, lambda document: document["bets"][0].__setitem__(key, value))
    edits = read_draft(folder, WEEK)
    assert getattr(edits.bets["PAY-1"], key) == read
    assert edits.warnings == ()
    if shown is not None:
        assert shown(apply(FACTS, edits, BERLIN))


@pytest.mark.parametrize(
    ("key", "value", "read", "shown"), DECISION_EDITS, ids=[c[0] for c in DECISION_EDITS]
)
def test_a_decision_field_the_pm_edits_reads_back_and_shows(tmp_path, key, value, read, shown):
    folder = drafted(tmp_path)
    edited(folder, lambda document: document["decisions"][0].__setitem__(key, value))
    edits = read_draft(folder, WEEK)
    (decision_edits,) = edits.decisions
    assert getattr(decision_edits, key) == read
    assert edits.warnings == ()
    if shown is not None:
        assert shown(apply(FACTS, edits, BERLIN))


@pytest.mark.parametrize(("done", "read"), [(True, True), ("no", False), (None, None)])
def test_last_weeks_tick_reads_back_and_shows(tmp_path, done, read):
    folder = drafted(tmp_path)
    edited(folder, lambda document: document["bets"][0]["last_week"][0].__setitem__("done", done))
    edits = read_draft(folder, WEEK)
    assert edits.bets["PAY-1"].last_week == {"Pass the certification": read}
    (commitment,) = page_bet(apply(FACTS, edits, BERLIN)).committed
    assert commitment.done is read


def test_the_headline_and_approved_read_back(tmp_path):
    folder = drafted(tmp_path)

    def change(document: Any) -> None:
        document["headline"] = "Payouts slipped a week."
        document["approved"] = True

    edited(folder, change)
    edits = read_draft(folder, WEEK)
    assert (edits.headline, edits.approved) == ("Payouts slipped a week.", True)
    assert apply(FACTS, edits, BERLIN).headline == "Payouts slipped a week."


def test_a_new_draft_writes_each_field_it_asks_for_with_its_comment(tmp_path):
    text = drafted(tmp_path).draft.read_text(encoding="utf-8")
    in_entries = [line for line in text.splitlines() if len(line) - len(line.lstrip()) == 4]
    assert [line.split(":")[0].strip() for line in in_entries] == [
        "pulled", "status", "confidence", "note", "slip_cause", "new_eta", "hill",
        "last_week", "next_week", "forecast",
        "pulled", "approver", "deadline", "options",
    ]  # fmt: skip
    assert "    status: # yours: overrides the pulled status\n" in text
    assert "    slip_cause: # yours: the date moved from 2026-12-04 to 2026-12-18: why?\n" in text
    assert "        done:  # true or false\n" in text
    assert [line.split(":")[0] for line in text.splitlines() if line[:1].isalpha()] == [
        f.key for f in TOP
    ]


def line_of(text: str, start: str, after: str = "") -> int:
    lines = text.splitlines()
    first = next(n for n, line in enumerate(lines) if after in line)
    return next(n for n, line in enumerate(lines, 1) if n > first and line.startswith(start))


WRITTEN = [(BETS, "PAY-1", f) for f in BETS.fields if f.key not in ("hide", "gone")] + [
    (DECISIONS, "D-1", f) for f in DECISIONS.fields if f.write(D_1) is not None
]


@pytest.mark.parametrize(
    ("part", "key", "field"), WRITTEN, ids=[f"{p.kind}.{f.key}" for p, _, f in WRITTEN]
)
def test_a_fields_line_is_where_the_file_has_it(tmp_path, part, key, field):
    folder = drafted(tmp_path)
    text = folder.draft.read_text(encoding="utf-8")
    lines = read_draft(folder, WEEK).lines
    start = f"    {field.key}:" if field is not KEY else "  - key:"
    assert lines[part.at(key, field)] == line_of(text, start, after=f"{part.name}:")


def test_each_parts_line_and_a_missing_field_falls_back_to_its_entry(tmp_path):
    folder = drafted(tmp_path)
    text = folder.draft.read_text(encoding="utf-8")
    lines = read_draft(folder, WEEK).lines
    assert lines[Place("headline")] == line_of(text, "headline:")
    assert lines[DECISIONS.at("D-1")] == line_of(text, "  - key: D-1")
    where = DraftLines(folder.draft, lines)
    assert (
        where.at(BETS.at("PAY-1", HIDE), "PAY-1")
        == f"{folder.draft}:{line_of(text, '  - key: PAY-1')} (PAY-1)"
    )
    assert where.at(Place("page")) == str(folder.draft)


def test_a_place_has_one_text():
    assert str(Place("bet", "PAY-1", "slip_cause")) == "bet PAY-1.slip_cause"
    assert str(DECISIONS.at("draft 2")) == "decision draft 2"
    assert str(Place("headline")) == "headline"


@pytest.mark.parametrize(
    ("after", "typo", "named", "meant"),
    [
        ("  - key: PAY-1", "    staus: done\n", "bets[1].staus", "status"),
        ("  - key: D-1", "    aprover: Dana\n", "decisions[1].aprover", "approver"),
        ("approved:", "headlines: Two lines\n", "headlines", "headline"),
    ],
)
def test_an_unknown_field_is_a_warning_naming_its_line(tmp_path, after, typo, named, meant):
    folder = drafted(tmp_path)
    text = folder.draft.read_text(encoding="utf-8")
    at = text.index("\n", text.index(after)) + 1  # the typo goes on the line after
    folder.draft.write_text(text[:at] + typo + text[at:], encoding="utf-8")
    line = text[:at].count("\n") + 1
    assert read_draft(folder, WEEK).warnings == (
        f"weekly: warning: {folder.draft}:{line}: {named} is not a field weekly reads, so it "
        f"is ignored; did you mean {meant!r}?",
    )


def test_a_bet_gone_from_the_source_shows_from_its_pulled_facts(tmp_path):
    folder = drafted(tmp_path)
    write_draft(report([], [D_1]), folder, NOW + dt.timedelta(hours=1))  # PAY-1 is gone
    edits = read_draft(folder, WEEK)
    assert edits.bets["PAY-1"].gone == "no longer in Jira (jira.example.com) since Fri 27 Nov 17:00"
    assert edits.bets["PAY-1"].pulled == PulledBet.of(PAY_1)
    gone = page_bet(apply(report([], [D_1]), edits, BERLIN))
    assert (gone.title, gone.owner, gone.status, gone.target_date, gone.source) == (
        "SEPA Instant payouts",
        "Ana Ruiz",
        Status.ON_TRACK,
        dt.date(2026, 12, 18),
        "Jira (jira.example.com)",
    )


def test_the_pulled_blocks_read_back_as_written():
    with_yaml_types = load_document_text(render_map({"b": write_pulled(PulledBet.of(PAY_1))}))
    assert read_pulled(PulledBet, with_yaml_types["b"]) == PulledBet.of(PAY_1)
    assert PulledBet.of(PAY_1).blockers == ("PAY-131 Waiting on a partner · Tom Becker",)
    assigned = dataclasses.replace(D_1, approver_is_assignee=True)
    assert read_pulled(PulledDecision, write_pulled(PulledDecision.of(assigned))) == (
        PulledDecision.of(assigned)
    )


def test_a_pulled_block_the_pm_broke_reads_as_not_given():
    broken = {"title": ["a", "list"], "status": "greenish", "target": "soon", "blockers": {}}
    assert read_pulled(PulledBet, broken) == PulledBet()


def render_map(value: dict[str, Any]) -> str:
    from ruamel.yaml.comments import CommentedMap

    return render(CommentedMap(value))


def load_document_text(text: str) -> Any:
    from weekly.draft.document import yaml

    return yaml().load(text)
