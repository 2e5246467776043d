"""SQLite order stores as an earlier schema made them, for the tests that open one with this
version (which migrates it) and check that nothing stored is lost."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

# An order of schema 1 on: SS27-000001 on the open link, ¥43,200 (its lines are the test's).
ORDER = ("INSERT INTO orders VALUES (1, 'SS27-000001', 'open', 'ss27', 'ja', 'JPY', 'wsp', "
         "NULL, 'Aiko', 'aiko@example.com', '43200', '2027-01-10T02:00:00.000000Z', '{}')")


@contextmanager
def sqlite_at(path: Path, version: int) -> Iterator[sqlite3.Connection]:
    """A new SQLite file at schema `version`, open for the test to fill; committed, with its
    version recorded, when the block ends."""
    from order_api.store.sqlite import MIGRATIONS

    with closing(sqlite3.connect(path)) as db, db:
        for statements in MIGRATIONS[:version]:
            for statement in statements:
                db.execute(statement)
        yield db
        db.execute(f"PRAGMA user_version = {version}")
