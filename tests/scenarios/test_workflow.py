"""The Friday workflow end to end: draft, edit, draft again, send; holds; cron's hourly run.

A real SMTP server on loopback (aiosmtpd) receives the mail; the clock is passed in.
"""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from testing.clock import WEEK, at
from testing.loopback import QUEUED, Inbox, free_port
from testing.workspace import APPLE_PAY, edit, friday_team
from weekly import workflow
from weekly.config import Config, load_config
from weekly.draft import DraftError, WeekFolder
from weekly.draft.document import render
from weekly.draft.edits import load_document


def test_draft_edit_draft_send_keeps_every_edit(tmp_path, inbox):
    box, port = inbox
    config = friday_team(tmp_path, port)
    folder = WeekFolder.of(config, WEEK)
    workflow.draft(config, at(14), {}, WEEK)
    draft = folder.draft
    text = draft.read_text(encoding="utf-8")
    assert "SEPA Instant payouts" in text and "pulled:" in text and "approved: false" in text

    # The PM edits: headline, approval, an override, a note, a slip cause, a hidden bet,
    # a decision of their own, and a comment of their own.
    edit(draft, "approved: false", "approved: true  # checked with Dana")
    edit(
        draft,
        "headline: |\n  From the bets file: replaced by the PM's own.",
        "headline: |\n  Payers up 10%. SEPA Instant slipped to 18 Dec; decide the fallback.",
    )
    edit(
        draft,
        "    status: # yours: overrides the pulled status",
        "    status: off track  # my call",
    )
    edit(
        draft,
        "    note: # yours: one line shown under the bet",
        "    note: Bank sandbox down six days.",
    )
    edit(
        draft,
        "    slip_cause: # yours: why the date moved, and the options",
        "    slip_cause: Partner bank certification rebooked for 14 Dec",
    )
    text = draft.read_text(encoding="utf-8")
    second = text.index("key: PAY-2")
    hide_at = text.index("    new_eta:", second)
    draft.write_text(text[:hide_at] + "    hide: true\n" + text[hide_at:], encoding="utf-8")
    draft.write_text(
        draft.read_text(encoding="utf-8")
        + "  - title: Hire a second payments SRE\n    approver: Dana Schulz\n"
        "    deadline: 2026-12-04\n    options:\n      - Contractor now\n      - Wait for Q1\n",
        encoding="utf-8",
    )
    edited = draft.read_text(encoding="utf-8")

    # The source changes: PAY-1 renamed, PAY-3 new. Pull again.
    bets = tmp_path / "bets.toml"
    bets.write_text(
        bets.read_text().replace("SEPA Instant payouts", "SEPA Instant payouts (EU)") + APPLE_PAY,
        encoding="utf-8",
    )
    workflow.draft(config, at(15), {}, WEEK)
    again = draft.read_text(encoding="utf-8")
    for kept in (
        "approved: true  # checked with Dana",
        "Payers up 10%.",
        "status: off track  # my call",
        "Bank sandbox down six days.",
        "Partner bank certification rebooked",
        "hide: true",
        "Hire a second payments SRE",
        "Contractor now",
    ):
        assert kept in again, kept
    assert "title: SEPA Instant payouts (EU)" in again and "key: PAY-3" in again
    assert folder.backup.read_text(encoding="utf-8") == edited

    outcome = workflow.send(config, at(16), {}, WEEK)
    assert any(line.startswith("sent ") for line in outcome.lines)
    (message,) = box.messages()
    body = message.get_body(("plain",)).get_content()
    assert "Payers up 10%." in body and "Bank sandbox down six days." in body
    assert "off track" in body and "Partner bank certification rebooked" in body
    assert "Hire a second payments SRE" in body and "Apple Pay" in body
    assert "One-click checkout" not in body  # hidden by the PM
    assert (folder.path / "payments-weekly-2026-W48.eml").read_bytes().startswith(b"")


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("approved: false", "approved: false\n bets: [", "not valid YAML"),
        (
            "    status: # yours: overrides the pulled status",
            "    status: green",
            "'green' is not allowed; use one of: on track, at risk, off track, done",
        ),
        (
            "    new_eta: # yours: the date you now expect, if not the pulled target",
            "    new_eta: next friday",
            "'next friday' is not a date; write it as 2026-12-18",
        ),
    ],
    ids=["bad-indentation", "unknown-status", "vague-date"],
)
def test_a_broken_draft_names_file_and_line_and_is_left_untouched(
    tmp_path, inbox, old, new, expected
):
    config = friday_team(tmp_path, inbox[1])
    workflow.draft(config, at(14), {}, WEEK)
    draft = WeekFolder.of(config, WEEK).draft
    edit(draft, old, new)
    broken = draft.read_bytes()
    lines = broken.decode().splitlines()
    line = next(n for n, text in enumerate(lines, start=1) if new.splitlines()[-1] in text)
    with pytest.raises(DraftError) as caught:
        workflow.draft(config, at(15), {}, WEEK)
    assert str(caught.value.message).startswith(f"{draft}:")
    assert expected in str(caught.value.message)
    if "YAML" not in expected:
        assert f"{draft}:{line}:" in str(caught.value.message)
    assert draft.read_bytes() == broken
    with pytest.raises(DraftError):
        workflow.send(config, at(16), {}, WEEK)
    assert inbox[0].envelopes == []


def test_two_sends_deliver_one_mail_and_force_a_second(tmp_path, inbox):
    box, port = inbox
    config = friday_team(tmp_path, port)
    workflow.draft(config, at(14), {}, WEEK)
    workflow.send(config, at(16), {}, WEEK)
    again = workflow.send(config, at(16, 5), {}, WEEK)
    assert again.lines == [
        "Payments 2026-W48 was sent on Fri 27 Nov 16:00:00 to 2 recipients; "
        "use --force to send it again"
    ]
    assert len(box.messages()) == 1
    workflow.send(config, at(16, 10), {}, WEEK, force=True)
    first, second = box.messages()
    assert first["Message-ID"] == "<2026-W48.payments.weekly@example.com>"
    assert second["Message-ID"] == "<2026-W48.payments.weekly.2@example.com>"


def test_run_drafts_and_sends_when_due_by_the_team_clock(tmp_path, inbox):
    box, port = inbox
    config = friday_team(tmp_path, port)
    folder = WeekFolder.of(config, WEEK)
    assert workflow.run(config, at(13, 59), {}).lines == []
    assert not folder.draft.exists()
    workflow.run(config, at(14), {})
    assert folder.draft.exists()
    workflow.run(config, at(15, 59), {})
    assert box.envelopes == []
    workflow.run(config, at(16), {})
    assert len(box.envelopes) == 1
    assert workflow.run(config, at(16, 59), {}).lines == []
    assert len(box.envelopes) == 1


def _run_at_four(config_path: str, barrier) -> None:
    config = load_config(Path(config_path))[0]
    barrier.wait()
    # The run that finds the other sending says so and sends nothing: an outcome, not an error.
    workflow.run(config, at(16), {})


def test_two_concurrent_runs_deliver_one_mail(tmp_path, inbox):
    box, port = inbox
    config = friday_team(tmp_path, port)
    workflow.draft(config, at(14), {}, WEEK)
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(2)
    runs = [
        context.Process(target=_run_at_four, args=(str(config.path), barrier)) for _ in range(2)
    ]
    for process in runs:
        process.start()
    for process in runs:
        process.join(timeout=60)
    assert [p.exitcode for p in runs] == [0, 0]
    assert len(box.envelopes) == 1


def test_an_unapproved_draft_is_held_and_the_pm_told_once(tmp_path, inbox):
    box, port = inbox
    config = friday_team(tmp_path, port, extra='unapproved = "hold"\n')
    workflow.draft(config, at(14), {}, WEEK)
    outcome = workflow.run(config, at(16), {})
    assert any("held Payments 2026-W48" in line for line in outcome.lines)
    (notice,) = box.messages()
    assert notice["To"] == "pm@example.com"
    assert "waiting" in notice["Subject"]
    assert "approved: true" in notice.get_body(("plain",)).get_content()
    workflow.run(config, at(17), {})
    assert len(box.envelopes) == 1  # told once, not every hour
    edit(WeekFolder.of(config, WEEK).draft, "approved: false", "approved: true")
    workflow.run(config, at(18), {})
    assert len(box.envelopes) == 2
    assert box.messages()[1]["To"] == "cto@example.com, vp@example.com"


def test_a_failed_source_shows_in_the_draft_and_on_the_page(tmp_path, inbox):
    config = friday_team(tmp_path, inbox[1])
    toml = tmp_path / "weekly.toml"
    toml.write_text(
        toml.read_text()
        + '[sources.jira]\nurl = "http://127.0.0.1:9"\nprojects = ["PAY"]\ntimeout_seconds = 2\n',
        encoding="utf-8",
    )
    config = load_config(toml)[0]
    outcome = workflow.draft(config, at(14), {"JIRA_TOKEN": "t"}, WEEK)
    # The failure is the command's exit 3 and its one line, not also a warning.
    assert [s.name for s in outcome.failed] == ["Jira (127.0.0.1:9)"]
    assert not any("Jira" in w for w in outcome.warnings)
    draft = WeekFolder.of(config, WEEK).draft.read_text(encoding="utf-8")
    assert "Jira (127.0.0.1:9): FAILED: cannot reach Jira" in draft
    written, _ = workflow.preview(config, WEEK)
    html = written.html.read_text(encoding="utf-8")
    assert 'class="banner"' in html and "cannot reach Jira" in html


def test_the_demo_config_sends_with_dry_run_without_smtp(tmp_path, inbox):
    box, port = inbox
    config = friday_team(tmp_path, port)
    workflow.draft(config, at(14), {}, WEEK)
    outcome = workflow.send(config, at(16), {}, WEEK, dry_run=True)
    assert outcome.lines[0].endswith("payments-weekly-2026-W48.eml")
    assert "would send" in outcome.lines[1] and box.envelopes == []
    workflow.send(config, at(16, 1), {}, WEEK)  # a dry run is no send: the real one goes
    assert len(box.envelopes) == 1


STATUS = st.sampled_from([None, "on track", "at risk", "off track", "done"])
# Text a PM types: any script, no control characters (an editor does not insert them).
NOTE = st.one_of(
    st.none(),
    st.text(
        st.characters(min_codepoint=32, max_codepoint=0x2FFF, blacklist_categories=("Cs", "Cc")),
        min_size=1,
        max_size=40,
    ).filter(str.strip),
)

HILL = st.one_of(st.none(), st.integers(min_value=0, max_value=100))
PLANS = st.one_of(st.none(), st.lists(NOTE.filter(bool), min_size=1, max_size=3))


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    edits=st.lists(st.tuples(STATUS, NOTE, st.booleans(), HILL, PLANS), min_size=2, max_size=2),
    headline=NOTE,
    renamed=st.booleans(),
)
def test_pulling_again_keeps_every_edit(tmp_path_factory, edits, headline, renamed):
    tmp_path = tmp_path_factory.mktemp("prop")
    config = friday_team(tmp_path, 25)
    folder = WeekFolder.of(config, WEEK)
    workflow.draft(config, at(14), {}, WEEK)
    document = load_document(folder.draft)
    document["headline"] = headline
    for entry, (status, note, hide, hill, plans) in zip(document["bets"], edits, strict=True):
        entry["status"], entry["note"], entry["hide"] = status, note, hide
        entry["hill"], entry["next_week"] = hill, plans
    folder.draft.write_text(render(document), encoding="utf-8")
    if renamed:
        bets = tmp_path / "bets.toml"
        bets.write_text(bets.read_text().replace("One-click", "Two-click"), encoding="utf-8")
    workflow.draft(config, at(15), {}, WEEK)
    again = load_document(folder.draft)
    assert again["headline"] == headline
    for entry, (status, note, hide, hill, plans) in zip(again["bets"], edits, strict=True):
        assert (entry["status"], entry["note"], entry["hide"]) == (status, note, hide)
        assert (entry["hill"], entry["next_week"]) == (hill, plans)


def test_control_characters_in_pulled_text_never_break_the_draft(tmp_path, inbox):
    config = friday_team(tmp_path, inbox[1])
    bets = tmp_path / "bets.toml"
    bets.write_text(
        bets.read_text().replace('"SEPA Instant payouts"', '"SEPA\\u007f Instant\\u0000 payouts"'),
        encoding="utf-8",
    )
    workflow.draft(config, at(14), {}, WEEK)
    workflow.draft(config, at(15), {}, WEEK)  # reads its own draft back
    assert "title: SEPA Instant payouts" in WeekFolder.of(config, WEEK).draft.read_text()


class Refusing(Inbox):
    """Accepts mail to the PM, answers the report's recipients with `reply`."""

    def __init__(self, reply: str) -> None:
        super().__init__()
        self.reply = reply

    async def handle_DATA(self, server, session, envelope) -> str:
        if "pm@example.com" in envelope.rcpt_tos:
            self.envelopes.append(envelope)
            return "250 2.0.0 Ok: queued"
        return self.reply


@pytest.mark.parametrize(
    ("reply", "retried"),
    [("451 4.3.0 Try again later", True), ("550 5.7.1 Message rejected", False)],
    ids=["4xx-retried-next-hour", "5xx-not-retried-pm-told"],
)
def test_a_refused_send_is_retried_only_when_the_refusal_is_temporary(tmp_path, reply, retried):
    from weekly.deliver.ledger import Ledger
    from weekly.errors import DeliveryError

    box = Refusing(reply)
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        config = friday_team(tmp_path, controller.port)
        workflow.draft(config, at(14), {}, WEEK)
        with pytest.raises(DeliveryError, match=reply.split()[0]):
            workflow.run(config, at(16), {})
        ledger = Ledger(tmp_path / "reports" / "ledger.sqlite")
        assert ledger.latest("Payments", WEEK).state == "failed"
        told = [m for m in box.messages() if m["To"] == "pm@example.com"]
        assert len(told) == (0 if retried else 1)
        if not retried:
            assert (
                "does not retry a report the server refused"
                in told[0].get_body(("plain",)).get_content()
            )
            assert workflow.run(config, at(17), {}).lines == []  # left to a person
        else:
            with pytest.raises(DeliveryError):
                workflow.run(config, at(17), {})  # tried again
        attempts = [e for e in ledger.history("Payments") if e.attempt > 0]
        assert len(attempts) == (2 if retried else 1)
    finally:
        controller.stop()


def test_friday_mail_carries_facts_pulled_at_the_draft_time(tmp_path, inbox):
    box, port = inbox
    config = friday_team(tmp_path, port)
    workflow.draft(config, at(10, days=-4), {}, WEEK)  # drafted on Monday
    csv = tmp_path / "metrics.csv"
    csv.write_text(csv.read_text() + "2026-11-27,payers,150\n", encoding="utf-8")
    workflow.run(config, at(16), {})  # the 14:00 draft time passed since: pull again
    (message,) = box.messages()
    assert "150" in message["Subject"]


class SlowToConfirm(Inbox):
    """Takes the message, then answers DATA after the client gave up waiting."""

    async def handle_DATA(self, server, session, envelope) -> str:
        import asyncio

        self.envelopes.append(envelope)
        await asyncio.sleep(1.5)
        return "250 2.0.0 Ok: queued"


def test_a_send_cut_off_after_the_message_was_handed_over_is_never_sent_again(tmp_path):
    from weekly.deliver.ledger import Interrupted, Ledger
    from weekly.errors import DeliveryError

    box = SlowToConfirm()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        friday_team(tmp_path, controller.port)
        toml = tmp_path / "weekly.toml"  # [delivery.smtp] is its last table
        toml.write_text(toml.read_text() + "timeout_seconds = 0.5\n", encoding="utf-8")
        config = load_config(toml)[0]
        workflow.draft(config, at(14), {}, WEEK)
        with pytest.raises(DeliveryError, match="it may have been delivered"):
            workflow.run(config, at(16), {})
        assert Ledger(tmp_path / "reports" / "ledger.sqlite").latest("Payments", WEEK).state == (
            "sending"
        )
        with pytest.raises(Interrupted):
            workflow.run(config, at(17), {})
        assert len(box.envelopes) == 1
    finally:
        controller.stop()


def test_a_new_reason_to_hold_tells_the_pm_again_and_force_does_not_skip_a_hold(tmp_path, inbox):
    box, port = inbox
    config = friday_team(tmp_path, port, extra='unapproved = "hold"\n')
    workflow.draft(config, at(14), {}, WEEK)
    workflow.send(config, at(16), {}, WEEK, force=True)  # --force: still held
    assert [m["To"] for m in box.messages()] == ["pm@example.com"]
    workflow.send(config, at(17), {}, WEEK)  # same reason: not told again
    assert len(box.envelopes) == 1


def test_each_resend_on_purpose_gets_the_next_message_id(tmp_path, inbox):
    box, port = inbox
    config = friday_team(tmp_path, port)
    workflow.draft(config, at(14), {}, WEEK)
    workflow.send(config, at(16), {}, WEEK)
    workflow.send(config, at(17), {}, WEEK, force=True)
    workflow.send(config, at(18), {}, WEEK, force=True)
    ids = [m["Message-ID"] for m in box.messages()]
    assert ids == [
        "<2026-W48.payments.weekly@example.com>",
        "<2026-W48.payments.weekly.2@example.com>",
        "<2026-W48.payments.weekly.3@example.com>",
    ]
    folder = WeekFolder.of(config, WEEK).path
    assert {p.name for p in folder.glob("*.eml")} == {
        "payments-weekly-2026-W48.eml",
        "payments-weekly-2026-W48.2.eml",
        "payments-weekly-2026-W48.3.eml",
    }


def test_a_decided_decision_that_leaves_the_source_does_not_come_back_as_needed(tmp_path, inbox):
    config = friday_team(tmp_path, inbox[1])
    bets = tmp_path / "bets.toml"
    bets.write_text(
        bets.read_text().replace(
            "deadline = 2026-12-02\n", 'deadline = 2026-12-02\nstatus = "decided"\n'
        ),
        encoding="utf-8",
    )
    workflow.draft(config, at(14), {}, WEEK)
    bets.write_text(bets.read_text().split("[[decisions]]")[0], encoding="utf-8")
    workflow.draft(config, at(15), {}, WEEK)
    assert "gone: no longer in" in WeekFolder.of(config, WEEK).draft.read_text()
    report, _ = workflow.page(config, WEEK)
    assert [d.key for d in report.decisions] == []


def test_a_misspelt_field_in_the_draft_is_named_not_silently_ignored(tmp_path, inbox):
    config = friday_team(tmp_path, inbox[1])
    workflow.draft(config, at(14), {}, WEEK)
    draft = WeekFolder.of(config, WEEK).draft
    edit(draft, "    status: # yours: overrides the pulled status", "    staus: off track")
    line = draft.read_text().splitlines().index("    staus: off track") + 1
    _, outcome = workflow.preview(config, WEEK)
    warnings = tuple(w for w in outcome.warnings if "page fitted" not in w)
    assert warnings == (
        f"weekly: warning: {draft}:{line}: bets[1].staus is not a field weekly reads, so it is "
        "ignored; did you mean 'status'?",
    )


def test_a_decision_added_by_hand_to_an_empty_draft_reaches_the_page(tmp_path, inbox):
    config = friday_team(tmp_path, inbox[1])
    bets = tmp_path / "bets.toml"
    bets.write_text(bets.read_text().split("[[decisions]]")[0], encoding="utf-8")
    workflow.draft(config, at(14), {}, WEEK)
    draft = WeekFolder.of(config, WEEK).draft
    text = draft.read_text(encoding="utf-8")
    assert "decisions: #" in text and "[]" not in text
    draft.write_text(
        text
        + "  - title: Hire a second SRE\n    approver: Dana Schulz\n    deadline: 2026-12-04\n",
        encoding="utf-8",
    )
    workflow.draft(config, at(15), {}, WEEK)  # and it survives a pull
    report, _ = workflow.page(config, WEEK)
    assert [d.title for d in report.decisions] == ["Hire a second SRE"]


class HangsUpAfterTheMessage(Inbox):
    """Takes the message, then drops the connection before its reply: it may have gone out."""

    hang_up = True

    async def handle_DATA(self, server, session, envelope) -> str:
        self.envelopes.append(envelope)
        if self.hang_up:
            server.transport.close()
        return QUEUED


def stem(config: Config) -> Path:
    return WeekFolder.of(config, WEEK).path / "payments-weekly-2026-W48"


def message_in(path: Path):
    import email
    import email.policy

    return email.message_from_bytes(path.read_bytes(), policy=email.policy.default)


@pytest.mark.usefixtures("keep_umask")
def test_a_forced_resend_after_an_interrupted_send_gets_its_own_id_and_archive(tmp_path):
    from weekly.cli import main
    from weekly.deliver.ledger import Ledger

    box = HangsUpAfterTheMessage()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        config = friday_team(tmp_path, controller.port)
        args = ["--config", str(config.path), "--week", str(WEEK)]
        workflow.draft(config, at(14), {}, WEEK)
        assert main(["send", *args]) == 3  # cut off: it may have been delivered
        first = stem(config).with_suffix(".eml")
        archived = first.read_bytes()
        assert main(["send", *args]) == 3  # "never finished": not sent again by itself
        assert len(box.envelopes) == 1
        box.hang_up = False
        assert main(["send", *args, "--force"]) == 0
    finally:
        controller.stop()
    one, two = box.messages()
    assert one["Message-ID"] == "<2026-W48.payments.weekly@example.com>"
    assert two["Message-ID"] == "<2026-W48.payments.weekly.2@example.com>"
    second = stem(config).with_suffix(".2.eml")
    assert first.read_bytes() == archived  # the interrupted attempt's archive, untouched
    assert message_in(first)["Message-ID"] == one["Message-ID"]
    assert message_in(second)["Message-ID"] == two["Message-ID"]
    attempts = Ledger(tmp_path / "reports" / "ledger.sqlite").history("Payments")
    assert [(e.attempt, e.state, e.message_id) for e in reversed(attempts)] == [
        (1, "sending", one["Message-ID"]),
        (2, "sent", two["Message-ID"]),
    ]


def archive(config: Config) -> dict[str, tuple[int, int, bytes]]:
    """Each archived file of the week's report: its inode, mtime and bytes."""
    found = {}
    for path in WeekFolder.of(config, WEEK).path.glob("payments-weekly-*"):
        info = path.stat()
        found[path.name] = (info.st_ino, info.st_mtime_ns, path.read_bytes())
    return found


@pytest.mark.usefixtures("keep_umask")
def test_a_refused_send_of_a_sent_week_rewrites_nothing(tmp_path, inbox, capsys):
    from weekly.cli import main

    box, port = inbox
    config = friday_team(tmp_path, port)
    workflow.draft(config, at(14), {}, WEEK)
    args = ["--config", str(config.path), "--week", str(WEEK)]
    assert main(["send", *args]) == 0
    sent = archive(config)
    assert {".pdf", ".html", ".eml"} <= {Path(name).suffix for name in sent}
    capsys.readouterr()
    assert main(["send", *args]) == 0
    assert "was sent on" in capsys.readouterr().out
    assert archive(config) == sent
    assert len(box.envelopes) == 1


def test_a_hold_noted_after_the_send_does_not_reopen_the_week(tmp_path, inbox):
    """Sent; then a forced resend held (the PM took the approval back); approved again: a
    plain send and the hourly run still refuse, and rewrite none of the sent files."""
    box, port = inbox
    config = friday_team(tmp_path, port, extra='unapproved = "hold"\n')
    draft = WeekFolder.of(config, WEEK).draft
    workflow.draft(config, at(14), {}, WEEK)
    edit(draft, "approved: false", "approved: true")
    workflow.send(config, at(16), {}, WEEK)
    edit(draft, "approved: true", "approved: false")
    workflow.send(config, at(16, 30), {}, WEEK, force=True)  # held: the PM is told
    assert [m["To"] for m in box.messages()][1:] == ["pm@example.com"]
    edit(draft, "approved: false", "approved: true")
    sent = archive(config)
    assert "was sent on" in workflow.send(config, at(17), {}, WEEK).lines[0]
    assert workflow.run(config, at(17), {}).lines == []
    assert archive(config) == sent
    assert len(box.envelopes) == 2


def test_a_merely_stale_csv_does_not_hold_the_report_under_failed_source_hold(tmp_path, inbox):
    # `failed_source = "hold"` holds a report that hides a failed source; a CSV that only has
    # no value yet this week answered fine: the report goes out, with the stale banner.
    box, port = inbox
    config = friday_team(tmp_path, port, 'failed_source = "hold"\n')
    (tmp_path / "metrics.csv").write_text(
        "date,metric,value\n2026-11-10,payers,100\n2026-11-17,payers,110\n", encoding="utf-8"
    )
    workflow.draft(config, at(14), {}, WEEK)
    workflow.send(config, at(16), {}, WEEK)
    (message,) = box.messages()
    assert message["To"] == "cto@example.com, vp@example.com"
    html = message.get_body(("html",)).get_content()
    assert "stale" in html
