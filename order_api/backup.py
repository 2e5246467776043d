"""Backing up and restoring the SQLite order store (`linesheets orders backup` / `restore`).

A copy of the file with `cp` while the endpoint runs can catch a transaction half-written
across the database and its WAL, and copying a backup over the file while a stale `-wal`
lies beside it has SQLite replay that old journal onto it. Both go through SQLite's online
backup instead: a backup is one self-contained file (no WAL), taken consistently while orders
keep arriving and checked page by page before it gets its name; a restore, refused while the
endpoint has the store open, writes the backup's pages through SQLite into the store after
keeping the database as it was. PostgreSQL has pg_dump and pg_restore for this.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from generator.errors import LinesheetsError
from order_api.back_office import right_now, stored_file
from order_api.store import sqlite_path
from order_api.store.sqlite import MIGRATIONS, read_only

T = TypeVar("T")


@dataclass(frozen=True)
class Snapshot:
    """What a backup file holds, as checked: where it is, its orders and schema."""

    path: Path
    orders: int
    last_received: str | None  # the latest order's received_at (ISO, UTC), if any
    schema: int  # PRAGMA user_version: the migrations applied
    size: int  # bytes

    def describe(self) -> str:
        last = f", the last received {self.last_received[:16].replace('T', ' ')} UTC" \
            if self.last_received else ""
        return (f"{self.orders:,} order{'' if self.orders == 1 else 's'}{last}; schema "
                f"version {self.schema}; {_size(self.size)}; integrity check ok")


def back_up(database_url: str, destination: Path) -> tuple[Path, Snapshot]:
    """Copy the SQLite order store `database_url` names to `destination` (a new file, or a
    folder to name it in): the source and the checked copy."""
    source = stored_file(database_url)
    if source is None:
        raise _postgres("backup", "back up", "pg_dump --format=custom --file orders.dump "
                        "\"$DATABASE_URL\"")
    if destination.is_dir():
        destination = destination / f"{source.stem}-{_stamp()}.sqlite3"
    if destination.exists():
        raise LinesheetsError(f"'{destination}' exists; a backup never replaces a file: give "
                              "a new name, or a folder to name each backup after its time in")
    if _same_file(destination, source):
        raise LinesheetsError(f"'{destination}' is the order database itself; give another "
                              "file or a folder")
    _check_folder(destination, "give another file or folder")
    what = f"back up '{source}'"
    with _reading(source) as db:
        _check_store(db, source, "back up")
        snapshot = _copy(db, destination, what, lambda copy: _snapshot(copy, destination, what))
    return source, snapshot


def restore(database_url: str, backup: Path) -> tuple[Path, Snapshot, Path | None]:
    """Write the backup `backup` into the SQLite order store `database_url` names, keeping the
    database as it was beside it first: the store, what it holds now, and where the earlier
    one was kept (None when there was no database yet)."""
    target = sqlite_path(database_url)
    if target is None:
        raise _postgres("restore", "restore",
                        "pg_restore --clean --dbname \"$DATABASE_URL\" orders.dump")
    if not backup.is_file():
        raise LinesheetsError(f"no backup at '{backup}'; give the file `linesheets orders "
                              "backup` wrote")
    if _same_file(backup, target):
        raise LinesheetsError(f"'{backup}' is the order database itself; give a backup of it")
    if target.is_dir():
        raise LinesheetsError(f"'{target}' is a folder; give --database the order database's "
                              "file, e.g. sqlite:///data/orders.sqlite3")
    what = f"restore '{backup}'"
    with _reading(backup) as source:
        _check_store(source, backup, "restore")
        schema = _snapshot(source, backup, what).schema  # whole, before a page moves
        if schema > len(MIGRATIONS):
            raise LinesheetsError(f"the backup '{backup}' has schema version {schema}, newer "
                                  f"than this linesheets knows ({len(MIGRATIONS)}); restore it "
                                  "with the version that made it, or upgrade linesheets")
        if not target.exists():
            _no_orphans(target)
            _check_folder(target, "check --database (or DATABASE_URL)")
            restored = _copy(source, target, what, lambda db: _snapshot(db, target, what))
            return target, restored, None
        with _alone(target) as live:  # refused while the endpoint has it open
            kept = _keep(target, readable=live is not None)
            if live is None:  # nor can SQLite write into it: the backup takes its place
                for journal in _journals(target):
                    journal.unlink(missing_ok=True)  # kept with it; replayed, it would spoil it
                restored = _copy(source, target, what, lambda db: _snapshot(db, target, what))
                return target, restored, kept
            try:
                source.backup(live)  # through SQLite, into the file as SQLite holds it
                restored = _snapshot(live, target, what)
            except sqlite3.Error as exc:
                raise LinesheetsError(f"cannot restore '{backup}' into '{target}': {exc}; "
                                      f"the database as it was is kept at '{kept}'") from None
    return target, restored, kept


def _no_orphans(target: Path) -> None:
    """Refuse to put a database where its journal of another one lies: SQLite would replay
    that journal's pages onto the restored file when the endpoint opens it."""
    for orphan in _journals(target):
        if not orphan.name.endswith("-shm"):
            raise LinesheetsError(f"'{orphan}' lies where the restored database goes, the "
                                  "journal of a database no longer there: SQLite would "
                                  "replay it onto the backup; move it away (with "
                                  f"'{target.name}-shm'), then restore")


def _check_folder(path: Path, advice: str) -> None:
    if not path.parent.is_dir():
        raise LinesheetsError(f"cannot write '{path}': the folder '{path.parent}' does not "
                              f"exist; create it, or {advice}")


def _postgres(name: str, verb: str, command: str) -> LinesheetsError:
    return LinesheetsError(f"`linesheets orders {name}` works on the SQLite order "
                           f"store; {verb} a PostgreSQL database with its own tools, e.g. "
                           f"{command}")


@contextmanager
def _reading(path: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection: backing up must not change the file, migrate it or create
    one where none was."""
    try:
        db = read_only(path)
    except sqlite3.Error as exc:
        raise LinesheetsError(f"cannot open '{path}': {exc}") from None
    with closing(db):
        yield db


def _check_store(db: sqlite3.Connection, path: Path, verb: str) -> None:
    try:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master "
                                               "WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:
        raise LinesheetsError(f"cannot {verb} '{path}': it is not an SQLite database ({exc})") \
            from None
    if "orders" not in tables or "order_numbers" not in tables:
        raise LinesheetsError(f"cannot {verb} '{path}': it holds no order store (no orders "
                              "table); give the endpoint's database or a backup of it")


@contextmanager
def _alone(target: Path) -> Iterator[sqlite3.Connection | None]:
    """A connection to the store a restore replaces, refused while another process has the
    store open: the endpoint's connections hold it in WAL mode, which no other connection may
    leave meanwhile, and the orders it takes would be replaced under it. Leaving WAL also
    writes the WAL's pages into the file, so that what is kept is all of it. None when SQLite
    cannot read the file at all."""
    try:
        db = sqlite3.connect(target, timeout=0, isolation_level=None)
    except sqlite3.Error as exc:
        raise LinesheetsError(f"cannot open '{target}': {exc}; nothing was changed") from None
    try:
        try:
            db.execute("PRAGMA journal_mode = DELETE")
            readable = True
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc):
                raise LinesheetsError(
                    f"the order database '{target}' is open in another process (the "
                    "endpoint, or a `linesheets orders` command): stop the endpoint first, "
                    "since the orders it takes would be replaced, then restore; nothing was "
                    "changed") from None
            raise LinesheetsError(f"cannot restore into '{target}': {exc}; check that this "
                                  "user may write it and its folder; nothing was "
                                  "changed") from None
        except sqlite3.DatabaseError:  # not a database SQLite can read any more
            readable = False
        yield db if readable else None
    finally:
        db.close()


def _keep(target: Path, *, readable: bool) -> Path:
    """Keep the database a restore replaces beside it, as it is: copied page by page by
    SQLite when it can read it (damaged pages and all), else byte by byte with its WAL."""
    kept = target.parent / f"{target.stem}-before-restore-{_stamp()}.sqlite3"
    if readable:
        with _reading(target) as db:
            _copy(db, kept, f"keep '{target}' before the restore", lambda _copy: None)
        return kept
    pairs = [(target, kept), *((journal, kept.with_name(kept.name + journal.name[-4:]))
                               for journal in _journals(target) if journal.name.endswith("-wal"))]
    try:
        for source, copy in pairs:
            shutil.copyfile(source, copy)
    except OSError as exc:
        for _source, copy in pairs:
            copy.unlink(missing_ok=True)
        raise LinesheetsError(f"cannot keep '{target}' before the restore at '{kept}': "
                              f"{exc.strerror}; nothing was restored") from None
    return kept


def _journals(database: Path) -> list[Path]:
    """The files SQLite keeps beside a database, those that are there."""
    return [journal for suffix in ("-wal", "-shm", "-journal")
            if (journal := database.with_name(database.name + suffix)).exists()]


def _copy(db: sqlite3.Connection, destination: Path, what: str,
          inspect: Callable[[sqlite3.Connection], T]) -> T:
    """Copy `db` into a temporary file beside `destination`, `inspect` the copy (raising
    to keep nothing) and rename it into place, so `destination` is either a whole copy or not
    there."""
    try:
        handle, name = tempfile.mkstemp(dir=destination.parent, prefix=f".{destination.name}.",
                                        suffix=".tmp")
    except OSError as exc:
        raise _unwritable(what, destination, exc) from None
    os.close(handle)
    temporary = Path(name)
    try:
        with closing(sqlite3.connect(temporary)) as copy:
            db.backup(copy)
            # One self-contained file: the source's WAL mode would otherwise come with it.
            copy.execute("PRAGMA journal_mode = DELETE")
            seen = inspect(copy)
        with temporary.open("rb") as stream:
            os.fsync(stream.fileno())  # on the disk before it gets its name
        temporary.replace(destination)
    except sqlite3.Error as exc:
        temporary.unlink(missing_ok=True)
        raise LinesheetsError(f"cannot {what}: {exc}; nothing was written") from None
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise _unwritable(what, destination, exc) from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _sync_folder(destination.parent)
    return seen


def _unwritable(what: str, destination: Path, exc: OSError) -> LinesheetsError:
    return LinesheetsError(f"cannot {what} to '{destination}': {exc.strerror}; nothing was "
                           "written")


def _snapshot(db: sqlite3.Connection, path: Path, what: str) -> Snapshot:
    """Check a database page by page and say what it holds."""
    try:
        problems = [row[0] for row in db.execute("PRAGMA integrity_check(10)")]
    except sqlite3.DatabaseError as exc:  # too damaged to be checked at all
        problems = [str(exc)]
    if problems != ["ok"]:
        raise LinesheetsError(f"cannot {what}: '{path}' fails SQLite's integrity check "
                              f"({'; '.join(problems[:3])}); nothing was written")
    orders, last = db.execute("SELECT count(*), max(received_at) FROM orders").fetchone()
    schema = db.execute("PRAGMA user_version").fetchone()[0]
    size = db.execute("PRAGMA page_count").fetchone()[0] * \
        db.execute("PRAGMA page_size").fetchone()[0]
    return Snapshot(path, orders, last, schema, size)


def _same_file(one: Path, other: Path) -> bool:
    return one.absolute().resolve() == other.absolute().resolve()


def _stamp() -> str:
    return right_now().strftime("%Y%m%dT%H%M%SZ")


def _size(size: int) -> str:
    return f"{size / 1024:,.0f} KiB" if size < 1024 * 1024 else f"{size / 1024 / 1024:,.1f} MiB"


def _sync_folder(folder: Path) -> None:
    """The rename on the disk too, where the system allows it: a crash right after then
    leaves the file named."""
    try:
        handle = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)
    except OSError:  # a folder some systems cannot sync; the file itself is on the disk
        pass
