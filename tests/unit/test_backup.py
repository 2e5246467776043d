"""`linesheets orders backup` and `restore`: the SQLite order store copied while it takes
orders, into one checked file; put back through SQLite once the endpoint is stopped, the store
as it was kept beside it; and every bad input refused with nothing written or changed."""

from __future__ import annotations

import asyncio
import errno
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.cli import main
from order_api import back_office
from order_api.schemas import Order
from order_api.store import NUMBER_SLOT, Claim, Draft, SQLiteStore
from tests.unit.sample_orders import ORDERS

SS27 = [document for document in ORDERS if document["season"] == "ss27"]


def _place(store: SQLiteStore, documents: list[dict[str, Any]], key: str) -> list[str]:
    """Place `documents` in `store`; their order numbers."""

    async def place() -> list[str]:
        numbers = []
        for index, document in enumerate(documents):
            draft = Draft.of(Order.model_validate({**document, "order_number": NUMBER_SLOT}))
            receipt = await store.place(Claim(document["link"], f"{key}-{index:04}",
                                              f"print-{key}-{index}"),
                                        document["season"].upper(), draft)
            numbers.append(receipt.number)
        return numbers

    return asyncio.run(place())


@pytest.fixture
def live(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SQLiteStore]:
    """The endpoint's store, open, holding the first ss27 order, the commands pointed at it."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("LINESHEETS_MANIFEST", str(tmp_path / "no-manifest.json"))
    (tmp_path / "data").mkdir()
    store = SQLiteStore(tmp_path / "data" / "orders.sqlite3")
    _place(store, SS27[:1], "first")
    monkeypatch.chdir(tmp_path)
    yield store
    store.close()


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _numbers(path: Path) -> list[str]:
    """The order numbers a database file holds, read from that file alone."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return [row[0] for row in db.execute("SELECT number FROM orders ORDER BY id")]


def _files(folder: Path) -> set[str]:
    return {path.name for path in folder.iterdir()}


def test_a_backup_taken_while_the_store_takes_orders_holds_them_in_one_checked_file(
    live: SQLiteStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The store is open and its last order is in the WAL, not yet in the database file:
    # a copy of the file alone would miss it.
    assert (tmp_path / "data" / "orders.sqlite3-wal").stat().st_size > 0
    backups = tmp_path / "backups"
    backups.mkdir()
    code, out, err = _run(capsys, "orders", "backup", "backups")
    assert (code, err) == (0, "")
    name = f"orders-{back_office.right_now():%Y%m%dT%H%M%SZ}.sqlite3"
    assert _files(backups) == {name}
    copy = backups / name
    assert out.startswith(f"backed up data/orders.sqlite3 to backups/{name}: 1 order, the "
                          "last received 2027-01-10 02:00 UTC; schema version ")
    assert out.rstrip().endswith("KiB; integrity check ok")
    # One self-contained file, readable alone (no WAL), and only by its owner (the buyers'
    # names and addresses are in it).
    moved = tmp_path / "elsewhere.sqlite3"
    copy.rename(moved)
    assert _numbers(moved) == ["SS27-000001"]
    assert moved.read_bytes()[18:20] == b"\x01\x01"  # rollback journal, not WAL
    assert moved.stat().st_mode & 0o777 == 0o600
    # The store goes on taking orders: the next is numbered after the first.
    assert _place(live, SS27[1:2], "second") == ["SS27-000002"]


def test_a_backup_to_a_file_never_replaces_one(
    live: SQLiteStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(capsys, "orders", "backup", "monday.sqlite3")[0] == 0
    before = (tmp_path / "monday.sqlite3").read_bytes()
    _place(live, SS27[1:2], "second")
    code, out, err = _run(capsys, "orders", "backup", "monday.sqlite3")
    assert (code, out) == (1, "")
    assert "'monday.sqlite3' exists; a backup never replaces a file" in err
    assert (tmp_path / "monday.sqlite3").read_bytes() == before


@pytest.mark.parametrize(("argv", "message"), [
    (["nowhere/x.sqlite3"], "the folder 'nowhere' does not exist; create it"),
    (["data/orders.sqlite3"], "'data/orders.sqlite3' exists"),
    (["x.sqlite3", "--database", "sqlite:///data/none.sqlite3"],
     "no order database at 'data/none.sqlite3'"),
    (["x.sqlite3", "--database", "postgresql://shop@db.internal/orders"],
     "works on the SQLite order store; back up a PostgreSQL database with its own tools, "
     "e.g. pg_dump"),
    (["x.sqlite3", "--database", "sqlite:///notes.txt"],
     "cannot back up 'notes.txt': it is not an SQLite database"),
    (["x.sqlite3", "--database", "sqlite:///other.sqlite3"],
     "cannot back up 'other.sqlite3': it holds no order store (no orders table)"),
])
def test_a_backup_refuses_what_it_cannot_copy_and_writes_nothing(
    live: SQLiteStore, tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str],
    message: str
) -> None:
    (tmp_path / "notes.txt").write_text("not a database, " * 100)
    with sqlite3.connect(tmp_path / "other.sqlite3") as other:
        other.execute("CREATE TABLE visits (day TEXT)")
    before = _files(tmp_path)
    code, out, err = _run(capsys, "orders", "backup", *argv)
    assert (code, out) == (1, "")
    assert message in err
    assert _files(tmp_path) == before
    assert _files(tmp_path / "data") == {"orders.sqlite3", "orders.sqlite3-wal",
                                         "orders.sqlite3-shm"}


def test_a_restore_puts_the_backup_back_and_keeps_the_store_as_it_was(
    live: SQLiteStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(capsys, "orders", "backup", "monday.sqlite3")[0] == 0
    _place(live, SS27[1:2], "second")  # after the backup: SS27-000002
    # While the endpoint has the store open, a restore would replace what it takes.
    before = _files(tmp_path / "data")
    code, out, err = _run(capsys, "orders", "restore", "monday.sqlite3")
    assert (code, out) == (1, "")
    assert err == ("error: the order database 'data/orders.sqlite3' is open in another process "
                   "(the endpoint, or a `linesheets orders` command): stop the endpoint first, "
                   "since the orders it takes would be replaced, then restore; nothing was "
                   "changed\n")
    assert _files(tmp_path / "data") == before
    assert _numbers(tmp_path / "data" / "orders.sqlite3") == ["SS27-000001", "SS27-000002"]

    live.close()  # the endpoint stopped
    code, out, err = _run(capsys, "orders", "restore", "monday.sqlite3")
    assert (code, err) == (0, "")
    kept = tmp_path / "data" / (f"orders-before-restore-{back_office.right_now():%Y%m%dT%H%M%SZ}"
                                ".sqlite3")
    assert out.splitlines() == [
        "restored monday.sqlite3 into data/orders.sqlite3: 1 order, the last received "
        f"2027-01-10 02:00 UTC; schema version {out.split('schema version ')[1].split(';')[0]}; "
        f"{out.split('; ')[2]}; integrity check ok",
        f"the database as it was is kept at {kept.relative_to(tmp_path)}"]
    assert _numbers(tmp_path / "data" / "orders.sqlite3") == ["SS27-000001"]
    assert _numbers(kept) == ["SS27-000001", "SS27-000002"]
    # The endpoint started again reads the backup and numbers its next order after the
    # backup's.
    again = SQLiteStore(tmp_path / "data" / "orders.sqlite3")
    try:
        assert again.order("SS27-000002") is None
        assert _place(again, SS27[1:2], "third") == ["SS27-000002"]
    finally:
        again.close()
    assert _run(capsys, "orders", "list")[1].splitlines()[-1].startswith("2 orders")


def test_a_restore_into_a_new_file_and_over_a_damaged_one(
    live: SQLiteStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(capsys, "orders", "backup", "monday.sqlite3")[0] == 0
    (tmp_path / "fresh").mkdir()
    code, out, _ = _run(capsys, "orders", "restore", "monday.sqlite3", "--database",
                        "sqlite:///fresh/orders.sqlite3")
    assert code == 0
    assert out.startswith("restored monday.sqlite3 into fresh/orders.sqlite3: 1 order")
    assert "kept" not in out
    assert _files(tmp_path / "fresh") == {"orders.sqlite3"}
    # A database SQLite cannot read any more (what a restore is often for) is kept byte
    # by byte before the backup replaces it.
    damaged = tmp_path / "fresh" / "orders.sqlite3"
    garbage = b"\x00\xff" * 4096
    damaged.write_bytes(garbage)
    (tmp_path / "fresh" / "orders.sqlite3-wal").write_bytes(garbage[:100])
    code, out, err = _run(capsys, "orders", "restore", "monday.sqlite3", "--database",
                          "sqlite:///fresh/orders.sqlite3")
    assert (code, err) == (0, "")
    kept = f"orders-before-restore-{back_office.right_now():%Y%m%dT%H%M%SZ}.sqlite3"
    assert out.splitlines()[1] == f"the database as it was is kept at fresh/{kept}"
    # The damaged file and its WAL kept as a pair; the backup alone where they were.
    assert _files(tmp_path / "fresh") == {"orders.sqlite3", kept, f"{kept}-wal"}
    assert (tmp_path / "fresh" / kept).read_bytes() == garbage
    assert (tmp_path / "fresh" / f"{kept}-wal").read_bytes() == garbage[:100]
    assert _numbers(damaged) == ["SS27-000001"]


def _newer(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 999")


def _torn(path: Path) -> None:
    """Overwrite a page in the middle of the orders table: the file still opens, but fails
    SQLite's integrity check."""
    with sqlite3.connect(path) as db:
        root = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'orders'").fetchone()[0]
        size = db.execute("PRAGMA page_size").fetchone()[0]
    data = bytearray(path.read_bytes())
    start = (root - 1) * size
    data[start:start + size] = b"\x0d" + b"\xff" * (size - 1)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(("spoil", "argv", "message"), [
    (_newer, [], "has schema version 999, newer than this linesheets knows"),
    (_torn, [], "'monday.sqlite3' fails SQLite's integrity check"),
    (None, ["--database", "sqlite:///monday.sqlite3"],
     "'monday.sqlite3' is the order database itself"),
    (None, ["--database", "postgresql://shop@db.internal/orders"],
     "restore a PostgreSQL database with its own tools, e.g. pg_restore"),
    (None, ["--database", "sqlite:///gone/orders.sqlite3"],
     "the folder 'gone' does not exist"),
])
def test_a_restore_refuses_a_backup_it_cannot_trust_and_changes_nothing(
    live: SQLiteStore, tmp_path: Path, capsys: pytest.CaptureFixture[str], spoil: Any,
    argv: list[str], message: str
) -> None:
    assert _run(capsys, "orders", "backup", "monday.sqlite3")[0] == 0
    if spoil is not None:
        spoil(tmp_path / "monday.sqlite3")
    _place(live, SS27[1:2], "second")
    before = _files(tmp_path / "data")
    code, out, err = _run(capsys, "orders", "restore", "monday.sqlite3", *argv)
    assert (code, out) == (1, "")
    assert message in err
    assert _files(tmp_path / "data") == before
    assert _numbers(tmp_path / "data" / "orders.sqlite3") == ["SS27-000001", "SS27-000002"]


def test_a_restore_refuses_to_land_on_a_stray_journal(
    live: SQLiteStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The database was deleted, its WAL left behind: SQLite would replay that WAL onto the
    # restored file when the endpoint opens it.
    assert _run(capsys, "orders", "backup", "monday.sqlite3")[0] == 0
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "orders.sqlite3-wal").write_bytes(b"\x37\x7f\x06\x82" + b"\0" * 28)
    code, _, err = _run(capsys, "orders", "restore", "monday.sqlite3", "--database",
                        "sqlite:///old/orders.sqlite3")
    assert code == 1
    assert "'old/orders.sqlite3-wal' lies where the restored database goes" in err
    assert _files(tmp_path / "old") == {"orders.sqlite3-wal"}


@pytest.mark.parametrize("failing", ["mkstemp", "fsync"])
def test_a_backup_that_cannot_be_written_says_why_and_leaves_nothing(
    live: SQLiteStore, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    def full(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(tempfile if failing == "mkstemp" else os, failing, full)
    (tmp_path / "backups").mkdir()
    code, out, err = _run(capsys, "orders", "backup", "backups/monday.sqlite3")
    assert (code, out) == (1, "")
    assert err == ("error: cannot back up 'data/orders.sqlite3' to 'backups/monday.sqlite3': "
                   "No space left on device; nothing was written\n")
    assert _files(tmp_path / "backups") == set()


def test_a_restore_into_a_store_it_may_not_write_says_so_and_changes_nothing(
    live: SQLiteStore, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _run(capsys, "orders", "backup", "monday.sqlite3")[0] == 0
    live.close()
    connect = sqlite3.connect

    class ReadOnly:  # what SQLite answers for a file this user may only read (root may all)
        def __init__(self, db: sqlite3.Connection) -> None:
            self.db = db

        def execute(self, sql: str) -> sqlite3.Cursor:
            if sql.startswith("PRAGMA journal_mode"):
                raise sqlite3.OperationalError("attempt to write a readonly database")
            return self.db.execute(sql)

        def close(self) -> None:
            self.db.close()

    def opening(*args: Any, **kwargs: Any) -> Any:
        db = connect(*args, **kwargs)
        return ReadOnly(db) if kwargs.get("timeout") == 0 else db

    monkeypatch.setattr(sqlite3, "connect", opening)
    before = _files(tmp_path / "data")
    code, out, err = _run(capsys, "orders", "restore", "monday.sqlite3")
    assert (code, out) == (1, "")
    assert err == ("error: cannot restore into 'data/orders.sqlite3': attempt to write a "
                   "readonly database; check that this user may write it and its folder; "
                   "nothing was changed\n")
    assert _files(tmp_path / "data") == before
