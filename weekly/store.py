"""What the two SQLite files (the history and the send ledger) share: a schema versioned
with PRAGMA user_version, so an old file keeps working after an upgrade."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

from weekly.errors import StoreError

# Each store lists its steps; append a step for each change of schema, never edit one that
# has shipped.
Migrations = Sequence[Sequence[str]]


def migrate(con: sqlite3.Connection, path: Path, migrations: Migrations) -> None:
    """Bring the file up to the newest schema inside the caller's transaction; refuse a file
    from a newer weekly."""
    newest = len(migrations)
    version = con.execute("PRAGMA user_version").fetchone()[0]
    if version > newest:
        raise StoreError(
            f"{path} was written by a newer weekly (schema {version}, this one knows "
            f"{newest}); upgrade weekly"
        )
    for step in migrations[version:]:
        for statement in step:
            con.execute(statement)
    if version < newest:
        con.execute(f"PRAGMA user_version = {newest}")
