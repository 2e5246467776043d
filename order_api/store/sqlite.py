"""SQLite order store: one file, WAL, synchronous=FULL, BEGIN IMMEDIATE; nothing to install.

Orders are written by one writer thread per process with group commit: it takes every
placement waiting in its queue, places each under a savepoint in one transaction, commits
once, and only then answers each one. Under load many orders share one fsync; alone, an order
waits for nobody. The busy timeout covers other processes on the same file. The schema is
created and migrated at open (PRAGMA user_version counts the migrations applied).
"""

from __future__ import annotations

import asyncio
import logging
import queue
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from order_api.schemas import Order
from order_api.store import _sql
from order_api.store.base import (
    Channel,
    Claim,
    Notification,
    NotificationStatus,
    OrderFilter,
    Receipt,
    StoreError,
    StoreUnavailable,
)

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000
MAX_BATCH = 128  # placements per transaction: bounds the time the write lock is held

# Append only: each entry moves a database from version i to i + 1.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE order_numbers (
            prefix TEXT PRIMARY KEY,
            last INTEGER NOT NULL
        )""",
        """CREATE TABLE orders (
            id INTEGER PRIMARY KEY,
            number TEXT NOT NULL UNIQUE,
            link TEXT NOT NULL,
            season TEXT NOT NULL,
            language TEXT NOT NULL,
            currency TEXT NOT NULL,
            term TEXT NOT NULL,
            company TEXT,
            buyer_name TEXT NOT NULL,
            email TEXT NOT NULL,
            total TEXT NOT NULL,
            received_at TEXT NOT NULL,
            document TEXT NOT NULL
        )""",
        "CREATE INDEX orders_by_time ON orders (received_at)",
        "CREATE INDEX orders_by_link ON orders (link, received_at)",
        """CREATE TABLE order_lines (
            order_id INTEGER NOT NULL REFERENCES orders (id),
            position INTEGER NOT NULL,
            style_no TEXT NOT NULL,
            color TEXT NOT NULL,
            size TEXT NOT NULL,
            sku TEXT,
            jan TEXT,
            quantity INTEGER NOT NULL,
            unit_price TEXT NOT NULL,
            amount TEXT NOT NULL,
            breakdown TEXT NOT NULL,
            PRIMARY KEY (order_id, position)
        )""",
        """CREATE TABLE idempotency (
            link TEXT NOT NULL,
            key TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            order_id INTEGER NOT NULL REFERENCES orders (id),
            PRIMARY KEY (link, key)
        )""",
    ),
    (
        # The outbox: written with the order; next_attempt_at is when it is due, or, while a
        # worker holds it, when that worker's lease ends.
        """CREATE TABLE notifications (
            id INTEGER PRIMARY KEY,
            order_id INTEGER NOT NULL REFERENCES orders (id),
            channel TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,
            last_error TEXT,
            sent_at TEXT,
            UNIQUE (order_id, channel)
        )""",
        "CREATE INDEX notifications_due ON notifications (state, next_attempt_at)",
        """CREATE TABLE delivery_lease (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            worker TEXT NOT NULL,
            until TEXT NOT NULL
        )""",
    ),
)


@dataclass(frozen=True)
class _Placement:
    """An order waiting for the writer, and where to send the outcome."""

    claim: Claim
    prefix: str
    make: Callable[[str], Order]
    notify: tuple[Channel, ...]
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Receipt]


class SQLiteStore:
    """Orders in an SQLite file; safe for the threads of one process and for other processes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._guard = threading.Lock()  # the connection list and the writer's start and stop
        self._queue: queue.SimpleQueue[_Placement | None] = queue.SimpleQueue()
        self._writer: threading.Thread | None = None
        self._closed = False
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._migrate(self._db())
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open the order database '{path}': {exc}; check the "
                             "path in DATABASE_URL and that the folder is writable") from None

    def replay(self, claim: Claim) -> Receipt | None:
        """The stored answer for a claim already placed, if any."""
        with self._errors():
            return _replay(self._db(), claim)

    async def place(self, claim: Claim, prefix: str, make: Callable[[str], Order],
                    notify: Sequence[Channel] = ()) -> Receipt:
        """Place an order under a claim, with its notifications; the answer comes after the
        commit that holds them."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Receipt] = loop.create_future()
        with self._guard:
            if self._closed:
                raise StoreUnavailable("the order store is closed (the endpoint is stopping); "
                                       "try again in a moment")
            if self._writer is None:
                self._writer = threading.Thread(target=self._write_batches,
                                                name="orders-writer", daemon=True)
                self._writer.start()
            self._queue.put(_Placement(claim, prefix, make, tuple(notify), loop, future))
        return await future

    def order(self, number: str) -> Order | None:
        """One order by number."""
        with self._errors():
            row = self._db().execute("SELECT document FROM orders WHERE number = ?",
                                     (number,)).fetchone()
        return Order.model_validate_json(row[0]) if row else None

    def orders(self, where: OrderFilter) -> Iterator[Order]:
        """Orders matching `where`, oldest first."""
        sql, values = _sql.orders_query(where, _stamp)
        with self._errors():
            rows = self._db().execute(sql, values).fetchall()
        for (document,) in rows:
            yield Order.model_validate_json(document)

    def lead_delivery(self, worker: str, now: datetime, lease: timedelta) -> bool:
        """Take or renew the delivery lease unless another worker holds a running one."""
        with self._errors(), self._transaction() as db:
            cursor = db.execute(_sql.LEAD, (worker, _stamp(now + lease), _stamp(now)))
            return cursor.rowcount > 0

    def due_notifications(self, now: datetime, limit: int,
                          lease: timedelta) -> list[Notification]:
        """Claim due notifications, holding each until now + lease."""
        with self._errors(), self._transaction() as db:
            rows = db.execute(
                "UPDATE notifications SET next_attempt_at = ? WHERE id IN ("
                " SELECT id FROM notifications WHERE state = 'pending' AND next_attempt_at <= ?"
                " ORDER BY next_attempt_at, id LIMIT ?) "
                "RETURNING id, order_id, channel, attempts",
                (_stamp(now + lease), _stamp(now), limit)).fetchall()
            documents = dict(db.execute(
                "SELECT id, document FROM orders WHERE id IN "
                f"({', '.join('?' * len(rows))})", [row[1] for row in rows]).fetchall()
            ) if rows else {}
        claimed = []
        for notification_id, order_id, channel, attempts in sorted(rows):
            order = Order.model_validate_json(documents[order_id])
            claimed.append(Notification(id=notification_id, order_number=order.order_number,
                                        channel=channel, attempts=attempts, order=order))
        return claimed

    def notification_sent(self, notification_id: int, now: datetime) -> None:
        """Record a delivery."""
        with self._errors(), self._transaction() as db:
            db.execute(_sql.SENT, (_stamp(now), notification_id))

    def notification_failed(self, notification_id: int, now: datetime, error: str,
                            retry_at: datetime | None) -> None:
        """Record a failed try: due again at retry_at, or given up."""
        with self._errors(), self._transaction() as db:
            db.execute(_sql.FAILED, _sql.failed_values(
                notification_id, _stamp(now), error, _stamp(retry_at) if retry_at else None))

    def notifications(self, order_number: str | None = None) -> list[NotificationStatus]:
        """The outbox, or one order's part of it, oldest first."""
        sql, values = _sql.notifications_query(order_number)
        with self._errors():
            rows = self._db().execute(sql, values).fetchall()
        return [_sql.notification_status(row, _moment) for row in rows]

    def check(self) -> None:
        """Raise StoreUnavailable unless the file answers a query."""
        with self._errors():
            self._db().execute("SELECT count(*) FROM order_numbers").fetchone()

    def close(self) -> None:
        """Commit what is queued, stop the writer and close every connection."""
        with self._guard:
            self._closed = True
            writer, self._writer = self._writer, None
        if writer is not None:
            self._queue.put(None)  # after every placement already queued
            writer.join()
        with self._guard:
            for connection in self._connections:
                connection.close()
            self._connections.clear()
        self._local = threading.local()

    def _write_batches(self) -> None:
        """The writer thread: commit what is waiting as one transaction, then answer each."""
        db = self._db()
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch, stop = [first], False
            while len(batch) < MAX_BATCH:
                try:
                    job = self._queue.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    stop = True
                    break
                batch.append(job)
            for job, outcome in zip(batch, _commit(db, batch), strict=True):
                with suppress(RuntimeError):  # the caller's loop is gone: nobody waits
                    job.loop.call_soon_threadsafe(_settle, job.future, outcome)
            if stop:
                return

    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            # Autocommit mode: transactions are the explicit BEGIN IMMEDIATE … COMMIT above.
            db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                                 timeout=BUSY_TIMEOUT_MS / 1000)
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = FULL")
            db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            db.execute("PRAGMA foreign_keys = ON")
            self._local.db = db
            with self._guard:
                self._connections.append(db)
        return db

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction on this thread's connection, committed unless it raises."""
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def _migrate(self, db: sqlite3.Connection) -> None:
        # BEGIN IMMEDIATE: of several processes starting at once, one migrates, the others
        # wait for it (busy timeout) and find the schema current.
        db.execute("BEGIN IMMEDIATE")
        try:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > len(MIGRATIONS):
                raise StoreError(
                    f"the order database '{self.path}' has schema version {version}, newer "
                    f"than this linesheets knows ({len(MIGRATIONS)}); upgrade linesheets")
            for statements in MIGRATIONS[version:]:
                for statement in statements:
                    db.execute(statement)
            db.execute(f"PRAGMA user_version = {len(MIGRATIONS)}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    @staticmethod
    @contextmanager
    def _errors() -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"the order database did not accept the request: {exc}; "
                                   "try again in a moment") from exc


def _commit(db: sqlite3.Connection, batch: list[_Placement]) -> list[Receipt | Exception]:
    """Place a batch in one transaction: each outcome is a receipt or the error of that one
    placement; if the commit fails, nothing of the batch is stored and every one fails."""
    outcomes: list[Receipt | Exception] = []
    try:
        db.execute("BEGIN IMMEDIATE")
        for job in batch:
            db.execute("SAVEPOINT placement")
            try:
                outcomes.append(_place(db, job))
            except sqlite3.Error:
                raise  # the transaction itself failed: the whole batch goes
            except Exception as exc:  # this placement's own failure: the others go on
                db.execute("ROLLBACK TO placement")
                outcomes.append(exc)
            db.execute("RELEASE placement")
        db.execute("COMMIT")
    except sqlite3.Error as exc:
        if db.in_transaction:
            with suppress(sqlite3.Error):
                db.execute("ROLLBACK")
        log.warning("%d orders not stored: %s", len(batch), exc)
        failure = StoreUnavailable(f"the order database did not accept the order: {exc}; "
                                   "send it again with the same Idempotency-Key")
        return [failure] * len(batch)
    return outcomes


def _place(db: sqlite3.Connection, job: _Placement) -> Receipt:
    earlier = _replay(db, job.claim)  # an earlier request, or one earlier in this batch
    if earlier is not None:
        return earlier
    number = _next_number(db, job.prefix)
    order = job.make(number)
    body = order.model_dump_json().encode()
    order_id = _insert(db, job.claim, order, body)
    due = _stamp(order.received_at)
    db.executemany("INSERT INTO notifications (order_id, channel, next_attempt_at) "
                   "VALUES (?, ?, ?)", [(order_id, channel, due) for channel in job.notify])
    return Receipt(number=number, body=body, replayed=False)


def _settle(future: asyncio.Future[Receipt], outcome: Receipt | Exception) -> None:
    if future.cancelled():
        return  # the request went away; a retry with its key gets the stored order
    if isinstance(outcome, Exception):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)


def _replay(db: sqlite3.Connection, claim: Claim) -> Receipt | None:
    return _sql.receipt(db.execute(_sql.REPLAY, (claim.link, claim.key)).fetchone(), claim)


def _next_number(db: sqlite3.Connection, prefix: str) -> str:
    return _sql.number(prefix, db.execute(_sql.NEXT_NUMBER, (prefix,)).fetchone()[0])


def _insert(db: sqlite3.Connection, claim: Claim, order: Order, body: bytes) -> int:
    cursor = db.execute(
        "INSERT INTO orders (number, link, season, language, currency, term, company, "
        "buyer_name, email, total, received_at, document) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (order.order_number, order.link, order.season, order.language, order.currency,
         order.term, order.buyer.company, order.buyer.name, order.buyer.email, order.total,
         _stamp(order.received_at), body.decode()))
    order_id = cursor.lastrowid
    db.executemany(
        "INSERT INTO order_lines (order_id, position, style_no, color, size, sku, jan, "
        "quantity, unit_price, amount, breakdown) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(order_id, position, line.style_no, line.color, line.size, line.sku, line.jan,
          line.quantity, line.unit_price, line.amount,
          "[" + ",".join(step.model_dump_json() for step in line.breakdown) + "]")
         for position, line in enumerate(order.lines)])
    db.execute("INSERT INTO idempotency (link, key, fingerprint, order_id) VALUES (?, ?, ?, ?)",
               (claim.link, claim.key, claim.fingerprint, order_id))
    return int(order_id or 0)


def _moment(stamp: str) -> datetime:
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def _stamp(moment: datetime) -> str:
    # Fixed-width UTC text sorts as time does.
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
