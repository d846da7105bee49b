"""The send ledger: once per week per team, crashes noticed, concurrent runs kept apart."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import sqlite3
from pathlib import Path

import pytest

from testing.clock import NOW, WEEK
from weekly.deliver.ledger import (
    SCHEMA_VERSION,
    AlreadySent,
    Busy,
    Interrupted,
    Ledger,
)
from weekly.errors import StoreError, WeeklyError
from weekly.weeks import IsoWeek

TEAM = "Payments"
STARTED = NOW + dt.timedelta(seconds=2)
SENT = NOW + dt.timedelta(seconds=4)
RECIPIENTS = ("ceo@example.com", "cto@example.com", "pm@example.com")
# fork starts a child in milliseconds; spawn (where fork is missing) needs this module importable.
MP = multiprocessing.get_context(
    "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "state" / "ledger.sqlite"


def begin(
    ledger: Ledger, *, force: bool = False, now: dt.datetime = STARTED, expected: int | None = None
) -> int:
    return ledger.begin(
        TEAM,
        WEEK,
        message_id="<w48@example.com>",
        recipients=RECIPIENTS,
        now=now,
        force=force,
        expected=expected,
    )


def test_first_send_begins_and_finishes(db: Path) -> None:
    ledger = Ledger(db)
    assert ledger.latest(TEAM, WEEK) is None

    attempt = begin(ledger)
    assert attempt == 1
    assert ledger.latest(TEAM, WEEK).state == "sending"

    ledger.finish(TEAM, WEEK, attempt, reply="250 2.0.0 OK queued", now=SENT)
    entry = ledger.latest(TEAM, WEEK)
    assert entry is not None
    assert (entry.team, entry.week, entry.attempt, entry.state) == (TEAM, "2026-W48", 1, "sent")
    assert entry.started_at == STARTED
    assert entry.finished_at == SENT
    assert entry.message_id == "<w48@example.com>"
    assert entry.reply == "250 2.0.0 OK queued"
    assert entry.reason is None
    assert entry.recipients == RECIPIENTS


def test_timestamps_are_stored_as_iso_with_offset(db: Path) -> None:
    ledger = Ledger(db)
    ledger.finish(TEAM, WEEK, begin(ledger), reply="250 OK", now=SENT)
    with sqlite3.connect(db) as con:
        row = con.execute("SELECT started_at, finished_at FROM sends").fetchone()
    assert row == ("2026-11-27T16:00:02+01:00", "2026-11-27T16:00:04+01:00")


def test_second_send_is_refused_with_the_date(db: Path) -> None:
    ledger = Ledger(db)
    ledger.finish(TEAM, WEEK, begin(ledger), reply="250 OK", now=SENT)

    with pytest.raises(AlreadySent) as caught:
        begin(ledger, now=SENT + dt.timedelta(hours=1))
    assert caught.value.entry.attempt == 1
    assert caught.value.message == (
        "Payments 2026-W48 was sent on Fri 27 Nov 16:00:04 to 3 recipients; "
        "use --force to send it again"
    )
    assert len(ledger.history()) == 1  # the refused attempt left no row


def test_force_sends_again_as_attempt_two(db: Path) -> None:
    ledger = Ledger(db)
    ledger.finish(TEAM, WEEK, begin(ledger), reply="250 OK", now=SENT)

    assert begin(ledger, force=True) == 2
    assert ledger.latest(TEAM, WEEK).attempt == 2


def test_a_crash_mid_send_is_noticed_by_the_next_run(db: Path) -> None:
    crashed = Ledger(db)
    begin(crashed)
    del crashed  # the process died between 'sending' and 'sent'

    ledger = Ledger(db)
    with pytest.raises(Interrupted) as caught:
        begin(ledger, now=SENT + dt.timedelta(hours=1))
    assert caught.value.exit_code == 3
    assert caught.value.message == (
        "a send of Payments 2026-W48 started Fri 27 Nov 16:00:02 and never finished: check "
        "whether the mail arrived, then run `weekly send --force` to send it again"
    )

    assert begin(ledger, force=True) == 2
    states = [(e.attempt, e.state) for e in ledger.history()]
    assert states == [(2, "sending"), (1, "sending")]  # the record of the crash stays


def test_a_failed_send_may_be_retried(db: Path) -> None:
    ledger = Ledger(db)
    ledger.fail(TEAM, WEEK, begin(ledger), reason="SMTP 421 try later", now=SENT)
    failed = ledger.latest(TEAM, WEEK)
    assert (failed.state, failed.reason, failed.finished_at) == (
        "failed",
        "SMTP 421 try later",
        SENT,
    )

    assert begin(ledger) == 2


def test_finishing_an_attempt_that_is_not_sending_is_a_bug(db: Path) -> None:
    ledger = Ledger(db)
    attempt = begin(ledger)
    ledger.finish(TEAM, WEEK, attempt, reply="250 OK", now=SENT)
    with pytest.raises(RuntimeError):
        ledger.finish(TEAM, WEEK, attempt, reply="250 OK", now=SENT)


def test_hold_tells_the_pm_once(db: Path) -> None:
    ledger = Ledger(db)
    assert ledger.hold(TEAM, WEEK, reason="draft not approved", now=STARTED) is True
    later = STARTED + dt.timedelta(hours=1)
    assert ledger.hold(TEAM, WEEK, reason="draft not approved", now=later) is False
    assert ledger.hold(TEAM, WEEK.shift(1), reason="draft not approved", now=later) is True

    held = ledger.latest(TEAM, WEEK)
    assert (held.state, held.attempt, held.reason) == ("held", 0, "draft not approved")
    # A held week can still be sent once the PM approves.
    assert begin(ledger) == 1


def test_a_hold_recorded_after_the_send_does_not_reopen_the_week(db: Path) -> None:
    ledger = Ledger(db)
    ledger.finish(TEAM, WEEK, begin(ledger), reply="250 OK", now=SENT)
    ledger.hold(TEAM, WEEK, reason="a source failed", now=SENT + dt.timedelta(hours=1))
    with pytest.raises(AlreadySent):
        begin(ledger)


def test_history_is_newest_first_and_filters_by_team(db: Path) -> None:
    ledger = Ledger(db)
    ledger.finish(TEAM, WEEK.shift(-1), begin_week(ledger, WEEK.shift(-1)), reply="250", now=SENT)
    attempt = begin_week(ledger, WEEK, team="Search")
    ledger.fail("Search", WEEK, attempt, reason="timeout", now=SENT)
    ledger.finish(TEAM, WEEK, begin(ledger), reply="250", now=SENT)

    assert [(e.team, e.week) for e in ledger.history()] == [
        ("Payments", "2026-W48"),
        ("Search", "2026-W48"),
        ("Payments", "2026-W47"),
    ]
    assert [e.week for e in ledger.history(TEAM)] == ["2026-W48", "2026-W47"]
    assert ledger.history("Nobody") == []


def begin_week(ledger: Ledger, week: IsoWeek, team: str = TEAM) -> int:
    return ledger.begin(
        team, week, message_id="<m>", recipients=["a@example.com"], now=STARTED, force=False
    )


def test_naive_times_are_refused(db: Path) -> None:
    with pytest.raises(ValueError, match="time zone"):
        begin(Ledger(db), now=dt.datetime(2026, 11, 27, 16, 0))


# The lock ----------------------------------------------------------------------------------


def _send_once(
    path: Path, out: Path, barrier: multiprocessing.synchronize.Barrier, results
) -> None:
    ledger = Ledger(path)
    barrier.wait(timeout=20)
    try:
        with ledger.lock(TEAM, WEEK):
            attempt = begin(ledger)
            with out.open("a") as lines:
                lines.write(f"{os.getpid()} sent attempt {attempt}\n")
            ledger.finish(TEAM, WEEK, attempt, reply="250 OK", now=SENT)
        results.put("sent")
    except Busy:
        results.put("busy")
    except AlreadySent:
        results.put("already sent")


def test_two_processes_at_once_send_exactly_once(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "mail.log"
    barrier = MP.Barrier(2)
    results = MP.Queue()
    workers = [MP.Process(target=_send_once, args=(db, out, barrier, results)) for _ in range(2)]
    for worker in workers:
        worker.start()
    outcomes = sorted(results.get(timeout=20) for _ in workers)
    for worker in workers:
        worker.join(timeout=20)
        assert worker.exitcode == 0

    assert len(out.read_text().splitlines()) == 1
    assert outcomes[1] == "sent"
    assert outcomes[0] in ("already sent", "busy")
    assert [e.state for e in Ledger(db).history()] == ["sent"]


def _hold_lock(path: Path, held, release) -> None:
    with Ledger(path).lock(TEAM, WEEK):
        held.set()
        release.wait(timeout=20)


def test_a_lock_held_by_another_process_means_busy(db: Path) -> None:
    ledger = Ledger(db)
    held, release = MP.Event(), MP.Event()
    holder = MP.Process(target=_hold_lock, args=(db, held, release))
    holder.start()
    try:
        assert held.wait(timeout=20)
        with pytest.raises(Busy) as caught, ledger.lock(TEAM, WEEK):
            pass
        assert caught.value.message == (
            "another weekly is sending Payments 2026-W48 right now; nothing to do"
        )
        with ledger.lock(TEAM, WEEK.shift(1)):  # another week is another lock
            pass
    finally:
        release.set()
        holder.join(timeout=20)
    assert holder.exitcode == 0
    with ledger.lock(TEAM, WEEK):  # released when its holder let go
        pass


def test_the_lock_is_released_when_the_send_raises(db: Path) -> None:
    ledger = Ledger(db)
    with pytest.raises(OSError), ledger.lock(TEAM, WEEK):
        raise OSError("SMTP connection refused")
    # Free again; and while held, even a second holder in this very process is turned away.
    with ledger.lock(TEAM, WEEK), pytest.raises(Busy), Ledger(db).lock(TEAM, WEEK):
        pass


# The file ----------------------------------------------------------------------------------


def test_new_ledger_has_schema_version_and_wal(db: Path) -> None:
    Ledger(db)
    Ledger(db)  # opening again migrates nothing
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION >= 1
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_ledger_from_a_newer_weekly_is_refused(db: Path) -> None:
    Ledger(db)
    with sqlite3.connect(db) as con:
        con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError, match="newer weekly"):
        Ledger(db)


def test_a_file_that_is_not_a_database_is_named(db: Path) -> None:
    db.parent.mkdir(parents=True)
    db.write_bytes(b"this is a shopping list, not a database\n" * 100)
    with pytest.raises(WeeklyError) as caught:
        Ledger(db)
    assert str(db) in caught.value.message
    assert "not an SQLite database" in caught.value.message
    assert caught.value.exit_code == 3


def test_a_ledger_locked_beyond_the_timeout_is_named(db: Path) -> None:
    ledger = Ledger(db, timeout=0.05)
    other = sqlite3.connect(db, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(WeeklyError) as caught:
            begin(ledger)
    finally:
        other.close()
    assert str(db) in caught.value.message
    assert "locked" in caught.value.message
    assert caught.value.exit_code == 3
    assert begin(ledger) == 1  # nothing half-written


def test_a_ledger_of_the_first_schema_is_migrated_and_keeps_its_sends(tmp_path):
    from weekly.deliver.ledger import _MIGRATIONS

    path = tmp_path / "ledger.sqlite"
    old = sqlite3.connect(path)
    for statement in _MIGRATIONS[0]:
        old.execute(statement)
    old.execute(
        "INSERT INTO sends (team, week, attempt, state, started_at, finished_at, recipients) "
        "VALUES ('Payments', '2026-W47', 1, 'sent', '2026-11-20T16:00:02+01:00', "
        "'2026-11-20T16:00:04+01:00', '[\"cto@example.com\"]')"
    )
    old.execute("PRAGMA user_version = 1")
    old.commit()
    old.close()

    ledger = Ledger(path)
    entry = ledger.latest("Payments", IsoWeek(2026, 47))
    assert entry is not None and entry.state == "sent" and entry.retry
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 2


def test_each_attempt_gets_the_next_number_and_a_mismatch_is_a_bug(db: Path) -> None:
    ledger = Ledger(db)
    assert ledger.next_attempt(TEAM, WEEK) == 1
    begin(ledger)  # never finished
    ledger.hold(TEAM, WEEK, reason="not approved", now=SENT)  # a note, not an attempt
    assert ledger.last_attempt(TEAM, WEEK).state == "sending"
    assert ledger.next_attempt(TEAM, WEEK) == 2
    with pytest.raises(RuntimeError, match="attempt 2, not 1"):
        begin(ledger, force=True, now=SENT, expected=1)
    assert begin(ledger, force=True, now=SENT, expected=2) == 2


def test_a_write_transaction_takes_the_lock_before_it_reads(db: Path) -> None:
    # Read-then-write must not race: while one send's transaction is open (it has read the
    # ledger and is about to write), another cannot read the same state and begin too.
    # The second waits for the lock, then says the ledger stayed locked.
    first, second = Ledger(db, timeout=0.2), Ledger(db, timeout=0.2)
    with first._transaction(write=True) as con:  # as begin() holds it, between read and write
        assert con.execute("SELECT COUNT(*) FROM sends").fetchone() == (0,)
        with pytest.raises(StoreError, match="stayed locked by another process"):
            begin(second)
    assert begin(second) == 1
