"""The send ledger: a SQLite record of every send attempt, which makes sending exactly-once.

A send is `begin` (a row in state 'sending'), the SMTP conversation, then `finish` ('sent')
or `fail` ('failed'). A row left in 'sending' means a crash mid-send: the mail may or may
not have gone out, so the next run stops and asks a human rather than guessing. Rows are
never deleted: the ledger is also the record of what went out when.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import re
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from weekly.errors import Interrupted, StoreError
from weekly.paths import make_folder
from weekly.render.format import day, plural
from weekly.store import migrate
from weekly.weeks import IsoWeek

# Each step moves the schema one version up; PRAGMA user_version counts the steps applied.
# Add columns by appending a step (ALTER TABLE sends ADD COLUMN ...); never edit a shipped one.
_MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE sends (
            id          INTEGER PRIMARY KEY,
            team        TEXT NOT NULL,
            week        TEXT NOT NULL,
            attempt     INTEGER NOT NULL,
            state       TEXT NOT NULL CHECK (state IN ('sending', 'sent', 'failed', 'held')),
            started_at  TEXT NOT NULL,
            finished_at TEXT,
            message_id  TEXT,
            reply       TEXT,
            reason      TEXT,
            recipients  TEXT NOT NULL DEFAULT '[]'
        )""",
        "CREATE INDEX sends_by_week ON sends (team, week, id)",
        # Held rows are notes, not attempts (attempt 0); real attempts are numbered once each.
        "CREATE UNIQUE INDEX one_row_per_attempt ON sends (team, week, attempt) WHERE attempt > 0",
    ),
    # 2: whether a failed send may be tried again (a 4xx or a dropped connection) or not
    # (a 5xx: the next hourly run must not mail the server again with the same message).
    ("ALTER TABLE sends ADD COLUMN retry INTEGER NOT NULL DEFAULT 1",),
)
SCHEMA_VERSION = len(_MIGRATIONS)


_COLUMNS = (
    "team, week, attempt, state, started_at, finished_at, message_id, reply, reason, recipients, "
    "retry"
)


@dataclass(frozen=True)
class LedgerEntry:
    """One row of the ledger: a send attempt, or a note that the week was held."""

    team: str
    week: str
    attempt: int  # 1, 2, … for sends; 0 for a 'held' note, which is not an attempt
    state: str  # "sending" | "sent" | "failed" | "held"
    started_at: dt.datetime
    finished_at: dt.datetime | None
    message_id: str | None
    reply: str | None
    reason: str | None
    recipients: tuple[str, ...]
    retry: bool = True  # for a failed send: may the next run try again?


def already_sent(previous: LedgerEntry | None) -> str | None:
    """Why this week is not sent again without --force: None when nothing went out yet; a
    line of news when it went out (not an error, so cron stays quiet). A send that started
    and never finished raises Interrupted: only a human can tell whether the mail arrived."""
    if previous is None:
        return None
    if previous.state == "sending":
        started = _moment(previous.started_at)
        raise Interrupted(
            f"a send of {previous.team} {previous.week} started {started} and never finished: "
            "check whether the mail arrived, then run `weekly send --force` to send it again",
            previous,
        )
    if previous.state != "sent":
        return None
    when = _moment(previous.finished_at or previous.started_at)
    count = plural(len(previous.recipients), "recipient")
    return (
        f"{previous.team} {previous.week} was sent on {when} to {count}; "
        "use --force to send it again"
    )


class AlreadySent(Exception):
    """`begin` refused: the week went out already. The send checks first (already_sent), so
    only a caller that skipped the send lock meets this."""

    def __init__(self, entry: LedgerEntry, message: str) -> None:
        super().__init__(message)
        self.entry = entry
        self.message = message


class Busy(Exception):
    """Another process holds this week's send lock; it will do the work. Not an error: the
    send says so and exits 0."""

    def __init__(self, team: str, week: IsoWeek) -> None:
        super().__init__(f"another weekly is sending {team} {week} right now; nothing to do")
        self.message = str(self)


class Ledger:
    """The send ledger in one SQLite file; each call opens its own short connection."""

    def __init__(self, path: Path, *, timeout: float = 10) -> None:
        self.path = path
        self._timeout = timeout
        make_folder(path.parent)
        self._migrate()

    @contextmanager
    def lock(self, team: str, week: IsoWeek) -> Iterator[None]:
        """Hold the exclusive send lock for one team and week, or raise Busy at once."""
        # A lock file, not a database lock: it must be held across the SMTP conversation,
        # and the kernel drops it when the process dies, so a crash never leaves it stuck.
        # The file is never deleted: removing a flock'ed file lets two processes each lock
        # a different inode of the same name.
        path = self.path.with_name(f"{self.path.name}.{_slug(team)}.{week}.lock")
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise StoreError(
                f"{path}: cannot create the send lock ({exc.strerror}); "
                "check the ledger's folder is writable"
            ) from exc
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise Busy(team, week) from None
            except OSError as exc:
                raise StoreError(
                    f"{path}: cannot lock ({exc.strerror}); keep the ledger on a local disk"
                ) from exc
            yield
        finally:
            os.close(fd)  # closing the descriptor releases the lock

    def latest(self, team: str, week: IsoWeek) -> LedgerEntry | None:
        """The newest row for this team and week, of any state."""
        with self._transaction(write=False) as con:
            row = con.execute(
                f"SELECT {_COLUMNS} FROM sends WHERE team = ? AND week = ? "
                "ORDER BY id DESC LIMIT 1",
                (team, str(week)),
            ).fetchone()
        return None if row is None else _entry(row)

    def last_attempt(self, team: str, week: IsoWeek) -> LedgerEntry | None:
        """The newest send attempt for this team and week; 'held' notes are not attempts."""
        with self._transaction(write=False) as con:
            return _last_attempt(con, team, week)

    def next_attempt(self, team: str, week: IsoWeek) -> int:
        """The number the next attempt gets (under the send lock, the one `begin` returns):
        each attempt its own Message-ID and archived .eml."""
        previous = self.last_attempt(team, week)
        return 1 if previous is None else previous.attempt + 1

    def begin(
        self,
        team: str,
        week: IsoWeek,
        *,
        message_id: str,
        recipients: Sequence[str],
        now: dt.datetime,
        force: bool,
        expected: int | None = None,
    ) -> int:
        """Record a new attempt as 'sending' and return its number; AlreadySent or
        Interrupted without `force`.
        `expected` is the number the caller built the message for (see next_attempt)."""
        with self._transaction(write=True) as con:
            previous = _last_attempt(con, team, week)
            refusal = None if force else already_sent(previous)
            if refusal is not None and previous is not None:
                raise AlreadySent(previous, refusal)
            attempt = 1 if previous is None else previous.attempt + 1
            if expected is not None and attempt != expected:
                # Only code that skipped the send lock gets here: a bug, not a user's problem.
                raise RuntimeError(f"{team} {week}: attempt {attempt}, not {expected}, begins")
            con.execute(
                "INSERT INTO sends (team, week, attempt, state, started_at, message_id, "
                "recipients) VALUES (?, ?, ?, 'sending', ?, ?, ?)",
                (team, str(week), attempt, _stamp(now), message_id, json.dumps(list(recipients))),
            )
        return attempt

    def finish(
        self, team: str, week: IsoWeek, attempt: int, *, reply: str, now: dt.datetime
    ) -> None:
        """Mark an attempt 'sent', with the server's final reply."""
        self._close(team, week, attempt, "sent", reply=reply, reason=None, now=now)

    def fail(
        self,
        team: str,
        week: IsoWeek,
        attempt: int,
        *,
        reason: str,
        now: dt.datetime,
        retry: bool = True,
    ) -> None:
        """Mark an attempt 'failed': the mail did not go out. `retry` says whether the next
        run may try again (a temporary failure) or must leave it to a person."""
        self._close(team, week, attempt, "failed", reply=None, reason=reason, now=now, retry=retry)

    def held_for(self, team: str, week: IsoWeek, reason: str) -> bool:
        """Whether the week was already held for this very reason (and the PM told of it)."""
        with self._transaction(write=False) as con:
            return (
                con.execute(
                    "SELECT 1 FROM sends WHERE team = ? AND week = ? AND state = 'held' "
                    "AND reason = ? LIMIT 1",
                    (team, str(week), reason),
                ).fetchone()
                is not None
            )

    def hold(self, team: str, week: IsoWeek, *, reason: str, now: dt.datetime) -> bool:
        """Record that the week was held; True the first time for this reason."""
        with self._transaction(write=True) as con:
            seen = con.execute(
                "SELECT 1 FROM sends WHERE team = ? AND week = ? AND state = 'held' "
                "AND reason = ? LIMIT 1",
                (team, str(week), reason),
            ).fetchone()
            con.execute(
                "INSERT INTO sends (team, week, attempt, state, started_at, finished_at, reason) "
                "VALUES (?, ?, 0, 'held', ?, ?, ?)",
                (team, str(week), _stamp(now), _stamp(now), reason),
            )
        return seen is None

    def history(self, team: str | None = None) -> list[LedgerEntry]:
        """Every row, newest first; only one team's when `team` is given."""
        where, args = ("WHERE team = ?", (team,)) if team is not None else ("", ())
        with self._transaction(write=False) as con:
            rows = con.execute(f"SELECT {_COLUMNS} FROM sends {where} ORDER BY id DESC", args)
            return [_entry(row) for row in rows.fetchall()]

    def _close(
        self,
        team: str,
        week: IsoWeek,
        attempt: int,
        state: str,
        *,
        reply: str | None,
        reason: str | None,
        now: dt.datetime,
        retry: bool = True,
    ) -> None:
        with self._transaction(write=True) as con:
            changed = con.execute(
                "UPDATE sends SET state = ?, finished_at = ?, reply = ?, reason = ?, retry = ? "
                "WHERE team = ? AND week = ? AND attempt = ? AND state = 'sending'",
                (state, _stamp(now), reply, reason, int(retry), team, str(week), attempt),
            ).rowcount
        if changed != 1:
            # Only code that skipped begin() or the lock gets here: a bug, not a user's problem.
            raise RuntimeError(f"{team} {week} attempt {attempt} is not 'sending' in {self.path}")

    def _migrate(self) -> None:
        try:
            con = sqlite3.connect(self.path, timeout=self._timeout, isolation_level=None)
        except sqlite3.Error as exc:
            raise self._error(exc) from exc
        try:
            self._use_wal(con)
        except sqlite3.Error as exc:
            raise self._error(exc) from exc
        finally:
            con.close()
        # IMMEDIATE, so two first runs at once do not both create the tables.
        with self._transaction(write=True) as con:
            migrate(con, self.path, _MIGRATIONS)
        # Who was sent what, and the servers' replies: for the owner's eyes only.
        for owned in (self.path, self.path.with_name(f"{self.path.name}-wal")):
            with contextlib.suppress(OSError):
                owned.chmod(0o600)

    def _use_wal(self, con: sqlite3.Connection) -> None:
        # WAL lets `weekly history` read while a send writes; the mode is stored in the file.
        # Switching needs the file to itself, and SQLite answers "locked" at once, without
        # waiting, when another process opens the new file at the same moment: so retry.
        deadline = time.monotonic() + self._timeout
        while True:
            try:
                con.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc) or time.monotonic() > deadline:
                    raise
            time.sleep(0.01)

    @contextmanager
    def _transaction(self, *, write: bool) -> Iterator[sqlite3.Connection]:
        """A connection inside one transaction, committed on success, rolled back otherwise."""
        try:
            con = sqlite3.connect(self.path, timeout=self._timeout, isolation_level=None)
        except sqlite3.Error as exc:
            raise self._error(exc) from exc
        try:
            # IMMEDIATE takes the write lock up front, so read-then-write cannot race.
            con.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            yield con
            con.execute("COMMIT")
        except sqlite3.Error as exc:
            raise self._error(exc) from exc
        finally:
            con.close()  # without COMMIT, closing rolls the transaction back

    def _error(self, exc: sqlite3.Error) -> StoreError:
        if _is_busy(exc):
            return StoreError(
                f"{self.path}: the send ledger stayed locked by another process for "
                f"{self._timeout:g} s; try again in a minute"
            )
        if getattr(exc, "sqlite_errorname", None) == "SQLITE_NOTADB":
            return StoreError(
                f"{self.path} is not a send ledger (not an SQLite database); restore it from a "
                "backup, or move it aside to start a new one that forgets which weeks were sent"
            )
        return StoreError(
            f"{self.path}: cannot use the send ledger ({exc}); check the file and its folder "
            "are writable"
        )


def _last_attempt(con: sqlite3.Connection, team: str, week: IsoWeek) -> LedgerEntry | None:
    # Held rows are skipped: a note written after a send must not reopen the week.
    row = con.execute(
        f"SELECT {_COLUMNS} FROM sends WHERE team = ? AND week = ? AND attempt > 0 "
        "ORDER BY id DESC LIMIT 1",
        (team, str(week)),
    ).fetchone()
    return None if row is None else _entry(row)


def _is_busy(exc: sqlite3.Error) -> bool:
    name = getattr(exc, "sqlite_errorname", None) or ""
    return name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED"))


def _slug(team: str) -> str:
    # Readable for a person looking at the folder; the hash keeps "R&D" and "R-D" apart.
    readable = re.sub(r"[^a-z0-9]+", "-", team.lower()).strip("-")[:40] or "team"
    return f"{readable}-{hashlib.sha256(team.encode()).hexdigest()[:8]}"


def _stamp(moment: dt.datetime) -> str:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment!r} has no time zone; pass an aware datetime")
    return moment.isoformat()


def _moment(moment: dt.datetime) -> str:
    """`Fri 27 Nov 16:00:04`, in the offset the time was recorded with."""
    return f"{day(moment.date())} {moment:%H:%M:%S}"


def _entry(row: tuple[Any, ...]) -> LedgerEntry:
    team, week, attempt, state, started, finished, message_id, reply, reason, recipients, retry = (
        row
    )
    return LedgerEntry(
        team=team,
        week=week,
        attempt=attempt,
        state=state,
        started_at=dt.datetime.fromisoformat(started),
        finished_at=None if finished is None else dt.datetime.fromisoformat(finished),
        message_id=message_id,
        reply=reply,
        reason=reason,
        recipients=tuple(json.loads(recipients)),
        retry=bool(retry),
    )
