"""PostgreSQL order store: several endpoint instances on one database (DATABASE_URL=postgresql://).

The same tables and rules as the SQLite store, with PostgreSQL's own means: a pool of
connections (psycopg 3), a transaction-scoped advisory lock per Idempotency-Key so concurrent
duplicates on any instance wait for the first and get its order, a row lock on the season's
number sequence so numbers stay gapless, and `FOR UPDATE SKIP LOCKED` when delivery workers
claim notifications. Migrations run under an advisory lock: of several instances starting at
once, one migrates and the others find the schema current. PostgreSQL commits concurrent
transactions together by itself, so each placement is one transaction on a pool thread.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import anyio.to_thread
import psycopg
import psycopg_pool
from psycopg.types.json import Jsonb

from order_api.schemas import Order
from order_api.store import _sql
from order_api.store.base import (
    Channel,
    Claim,
    Draft,
    IdempotencyConflict,
    Notification,
    NotificationStatus,
    OrderFilter,
    Receipt,
    StoreError,
    StoreUnavailable,
)

log = logging.getLogger(__name__)

_REPLAY, _NEXT_NUMBER, _LEAD, _SENT, _FAILED = (
    _sql.for_psycopg(sql) for sql in (_sql.REPLAY, _sql.NEXT_NUMBER, _sql.LEAD, _sql.SENT,
                                      _sql.FAILED))

POOL_SIZE = 16  # connections per process; uvicorn workers each have their own pool
POOL_TIMEOUT = 5.0  # seconds a request waits for a connection before 503
_MIGRATION_LOCK = 7_402_118_310  # pg_advisory_xact_lock key: "linesheets schema"

# Append only: each entry moves a database from version i to i + 1 (the same steps as
# SQLite's MIGRATIONS, in PostgreSQL's types).
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE order_numbers (
            prefix TEXT PRIMARY KEY,
            last BIGINT NOT NULL
        )""",
        """CREATE TABLE orders (
            id BIGSERIAL PRIMARY KEY,
            number TEXT NOT NULL UNIQUE,
            link TEXT NOT NULL,
            season TEXT NOT NULL,
            language TEXT NOT NULL,
            currency TEXT NOT NULL,
            term TEXT NOT NULL,
            company TEXT,
            buyer_name TEXT NOT NULL,
            email TEXT NOT NULL,
            total NUMERIC NOT NULL,
            received_at TIMESTAMPTZ NOT NULL,
            document TEXT NOT NULL
        )""",
        "CREATE INDEX orders_by_time ON orders (received_at)",
        "CREATE INDEX orders_by_link ON orders (link, received_at)",
        """CREATE TABLE order_lines (
            order_id BIGINT NOT NULL REFERENCES orders (id),
            position INTEGER NOT NULL,
            style_no TEXT NOT NULL,
            color TEXT NOT NULL,
            size TEXT NOT NULL,
            sku TEXT,
            jan TEXT,
            quantity INTEGER NOT NULL,
            unit_price NUMERIC NOT NULL,
            amount NUMERIC NOT NULL,
            breakdown JSONB NOT NULL,
            PRIMARY KEY (order_id, position)
        )""",
        """CREATE TABLE idempotency (
            link TEXT NOT NULL,
            key TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            order_id BIGINT NOT NULL REFERENCES orders (id),
            PRIMARY KEY (link, key)
        )""",
    ),
    (
        """CREATE TABLE notifications (
            id BIGSERIAL PRIMARY KEY,
            order_id BIGINT NOT NULL REFERENCES orders (id),
            channel TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TIMESTAMPTZ NOT NULL,
            last_error TEXT,
            sent_at TIMESTAMPTZ,
            UNIQUE (order_id, channel)
        )""",
        "CREATE INDEX notifications_due ON notifications (state, next_attempt_at)",
        """CREATE TABLE delivery_lease (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            worker TEXT NOT NULL,
            until TIMESTAMPTZ NOT NULL
        )""",
    ),
    (
        # Unlock throttling shared by every instance (order_api/throttle.py's buckets).
        """CREATE TABLE throttle_buckets (
            link TEXT NOT NULL,
            client TEXT NOT NULL,
            misses INTEGER NOT NULL DEFAULT 0,
            pending INTEGER NOT NULL DEFAULT 0,
            blocked_until DOUBLE PRECISION NOT NULL DEFAULT 0,
            last_miss DOUBLE PRECISION NOT NULL DEFAULT 0,
            PRIMARY KEY (link, client)
        )""",
    ),
)


class PostgresStore:
    """Orders in PostgreSQL; safe for any number of threads, processes and instances."""

    def __init__(self, url: str, pool_size: int = POOL_SIZE) -> None:
        self.url = url
        try:
            self.pool = psycopg_pool.ConnectionPool(
                url, min_size=1, max_size=pool_size, timeout=POOL_TIMEOUT, open=False,
                kwargs={"connect_timeout": 5})
            self.pool.open(wait=True, timeout=10)
            with self.pool.connection() as db:
                self._migrate(db)
        except (psycopg.Error, psycopg_pool.PoolTimeout) as exc:
            self.pool.close()
            raise StoreError(f"cannot open the order database at {redacted(url)}: "
                             f"{_reason(exc)}; check DATABASE_URL and that PostgreSQL "
                             "accepts connections") from None

    def replay(self, claim: Claim) -> Receipt | None:
        """The stored answer for a claim already placed, if any."""
        with self._transaction() as db:
            return _replay(db, claim)

    async def place(self, claim: Claim, prefix: str, draft: Draft,
                    notify: Sequence[Channel] = ()) -> Receipt:
        """Place an order under a claim, with its notifications; return after the commit."""
        return await anyio.to_thread.run_sync(self._place, claim, prefix, draft, tuple(notify))

    def _place(self, claim: Claim, prefix: str, draft: Draft,
               notify: tuple[Channel, ...]) -> Receipt:
        with self._transaction() as db:
            # Requests with one key, on any instance, queue here: the first places the order,
            # the others find it below.
            db.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                       (f"{claim.link} {claim.key}",))  # a space is in neither
            earlier = _replay(db, claim)
            if earlier is not None:
                return earlier
            row = db.execute(_NEXT_NUMBER, (prefix,)).fetchone()
            assert row is not None
            number = _sql.number(prefix, row[0])
            document = draft.document(number)
            _insert(db, claim, number, draft, document, notify)
        return Receipt(number=number, body=document.encode(), replayed=False)

    def order(self, number: str) -> Order | None:
        """One order by number."""
        with self._transaction() as db:
            row = db.execute("SELECT document FROM orders WHERE number = %s",
                             (number,)).fetchone()
        return Order.model_validate_json(row[0]) if row else None

    def orders(self, where: OrderFilter) -> Iterator[Order]:
        """Orders matching `where`, oldest first."""
        sql, values = _sql.orders_query(where, _same)
        with self._transaction() as db:
            rows = db.execute(_sql.for_psycopg(sql), values).fetchall()
        for (document,) in rows:
            yield Order.model_validate_json(document)

    def lead_delivery(self, worker: str, now: datetime, lease: timedelta) -> bool:
        """Take or renew the delivery lease unless another worker holds a running one."""
        with self._transaction() as db:
            cursor = db.execute(_LEAD, (worker, now + lease, now))
            return cursor.rowcount > 0

    def due_notifications(self, now: datetime, limit: int,
                          lease: timedelta) -> list[Notification]:
        """Claim due notifications, holding each until now + lease."""
        with self._transaction() as db:
            rows = db.execute(
                "UPDATE notifications n SET next_attempt_at = %s FROM orders o "
                "WHERE o.id = n.order_id AND n.id IN ("
                " SELECT id FROM notifications WHERE state = 'pending' AND next_attempt_at <= %s"
                " ORDER BY next_attempt_at, id LIMIT %s FOR UPDATE SKIP LOCKED) "
                "RETURNING n.id, n.channel, n.attempts, o.document",
                (now + lease, now, limit)).fetchall()
        claimed = []
        for notification_id, channel, attempts, document in sorted(rows):
            order = Order.model_validate_json(document)
            claimed.append(Notification(id=notification_id, order_number=order.order_number,
                                        channel=channel, attempts=attempts, order=order))
        return claimed

    def notification_sent(self, notification_id: int, now: datetime) -> None:
        """Record a delivery."""
        with self._transaction() as db:
            db.execute(_SENT, (now, notification_id))

    def notification_failed(self, notification_id: int, now: datetime, error: str,
                            retry_at: datetime | None) -> None:
        """Record a failed try: due again at retry_at, or given up."""
        with self._transaction() as db:
            db.execute(_FAILED, _sql.failed_values(notification_id, now, error, retry_at))

    def notifications(self, order_number: str | None = None) -> list[NotificationStatus]:
        """The outbox, or one order's part of it, oldest first."""
        sql, values = _sql.notifications_query(order_number)
        with self._transaction() as db:
            rows = db.execute(_sql.for_psycopg(sql), values).fetchall()
        return [_sql.notification_status(row, _same) for row in rows]

    def resend(self, order_number: str, channels: Sequence[Channel],
               now: datetime) -> list[Channel]:
        """Make the order's given-up notifications on `channels` due again now."""
        sql, values = _sql.resend_query(order_number, channels, now)
        with self._transaction() as db:
            return sorted(channel for (channel,) in
                          db.execute(_sql.for_psycopg(sql), values).fetchall())

    def check(self) -> None:
        """Raise StoreUnavailable unless the database answers a query."""
        with self._transaction() as db:
            db.execute("SELECT count(*) FROM order_numbers").fetchone()

    def close(self) -> None:
        """Close the pool (waiting for connections in use to come back)."""
        self.pool.close()

    @contextmanager
    def _transaction(self) -> Iterator[psycopg.Connection[Any]]:
        """A connection from the pool inside a transaction, committed unless it raises;
        connection and server failures become StoreUnavailable."""
        try:
            with self.pool.connection() as db, db.transaction():
                yield db
        except IdempotencyConflict:
            raise
        except (psycopg.OperationalError, psycopg.InterfaceError, psycopg_pool.PoolTimeout,
                psycopg_pool.PoolClosed) as exc:
            raise StoreUnavailable(f"the order database did not answer: {_reason(exc)}; "
                                   "try again in a moment") from exc
        except psycopg.errors.SerializationFailure as exc:
            raise StoreUnavailable(f"the order database refused the write: {_reason(exc)}; "
                                   "try again") from exc

    def _migrate(self, db: psycopg.Connection[Any]) -> None:
        with db.transaction():
            db.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
            db.execute("CREATE TABLE IF NOT EXISTS linesheets_schema (version INTEGER NOT NULL)")
            row = db.execute("SELECT version FROM linesheets_schema").fetchone()
            version = row[0] if row else 0
            if version > len(MIGRATIONS):
                raise StoreError(
                    f"the order database at {redacted(self.url)} has schema version {version}, "
                    f"newer than this linesheets knows ({len(MIGRATIONS)}); upgrade linesheets")
            for statements in MIGRATIONS[version:]:
                for statement in statements:
                    db.execute(statement)
            db.execute("DELETE FROM linesheets_schema")
            db.execute("INSERT INTO linesheets_schema (version) VALUES (%s)", (len(MIGRATIONS),))


def _replay(db: psycopg.Connection[Any], claim: Claim) -> Receipt | None:
    return _sql.receipt(db.execute(_REPLAY, (claim.link, claim.key)).fetchone(), claim)


def _same(moment: Any) -> Any:
    # PostgreSQL takes and gives TIMESTAMPTZ as datetimes: no conversion either way.
    return moment


# The order, its lines, its idempotency record and its notifications in one statement: one
# round trip to the server instead of four.
_INSERT = """
WITH placed AS (
    INSERT INTO orders (number, link, season, language, currency, term, company, buyer_name,
                        email, total, received_at, document)
    VALUES (%(number)s, %(link)s, %(season)s, %(language)s, %(currency)s, %(term)s,
            %(company)s, %(buyer_name)s, %(email)s, %(total)s, %(received_at)s, %(document)s)
    RETURNING id
), lines AS (
    INSERT INTO order_lines (order_id, position, style_no, color, size, sku, jan, quantity,
                             unit_price, amount, breakdown)
    SELECT placed.id, line.position, line.style_no, line.color, line.size, line.sku, line.jan,
           line.quantity, line.unit_price, line.amount, line.breakdown
    FROM placed, jsonb_to_recordset(%(lines)s) AS line (
        position INTEGER, style_no TEXT, color TEXT, size TEXT, sku TEXT, jan TEXT,
        quantity INTEGER, unit_price NUMERIC, amount NUMERIC, breakdown JSONB)
), claim AS (
    INSERT INTO idempotency (link, key, fingerprint, order_id)
    SELECT %(link)s, %(key)s, %(fingerprint)s, placed.id FROM placed
), notified AS (
    INSERT INTO notifications (order_id, channel, next_attempt_at)
    SELECT placed.id, channel, %(received_at)s FROM placed, unnest(%(channels)s::text[]) AS channel
)
SELECT id FROM placed
"""


def _insert(db: psycopg.Connection[Any], claim: Claim, number: str, draft: Draft,
            document: str, notify: tuple[Channel, ...]) -> None:
    order = draft.order
    db.execute(_INSERT, {
        "number": number, "link": order.link, "season": order.season,
        "language": order.language, "currency": order.currency, "term": order.term,
        "company": order.buyer.company, "buyer_name": order.buyer.name,
        "email": order.buyer.email, "total": order.total, "received_at": order.received_at,
        "document": document, "key": claim.key, "fingerprint": claim.fingerprint,
        "channels": list(notify),
        "lines": Jsonb([{
            "position": position, "style_no": line.style_no, "color": line.color,
            "size": line.size, "sku": line.sku, "jan": line.jan, "quantity": line.quantity,
            "unit_price": line.unit_price, "amount": line.amount,
            "breakdown": json.loads(breakdown)}
            for position, (line, breakdown)
            in enumerate(zip(order.lines, draft.breakdowns, strict=True))])})


def redacted(url: str) -> str:
    """A database URL without its password, for messages and logs."""
    try:
        info = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "(an unreadable DATABASE_URL)"
    host, port, name = info.get("host", "localhost"), info.get("port", "5432"), info.get("dbname")
    return f"postgresql://{info.get('user', '')}@{host}:{port}/{name or ''}"


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
