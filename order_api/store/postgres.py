"""PostgreSQL order store: several endpoint instances on one database (DATABASE_URL=postgresql://).

The same tables and rules as the SQLite store, with PostgreSQL's own means: a pool of
connections (psycopg 3), a transaction-scoped advisory lock per Idempotency-Key so concurrent
duplicates on any instance wait for the first and get its order, a row lock on the season's
number sequence so numbers stay gapless, and `FOR UPDATE SKIP LOCKED` when delivery workers
claim notifications. Migrations run under an advisory lock: of several instances starting at
once, one migrates and the others find the schema current. Orders are placed with group
commit (order_api/store/_group.py): the season's number row is then locked once per batch
rather than once per order, so commits do not queue behind it one by one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import psycopg
import psycopg_pool

from order_api.schemas import Order
from order_api.store import _sql
from order_api.store._group import (
    GroupWriter,
    Numbered,
    Outcome,
    Placement,
    Stored,
    number_batch,
)
from order_api.store.base import (
    Activity,
    ActivityCounts,
    Amendment,
    Cancellation,
    Channel,
    Claim,
    CreditNote,
    Draft,
    IdempotencyConflict,
    Installment,
    Invoice,
    InvoicePart,
    Limit,
    Notification,
    NotificationStatus,
    OrderFilter,
    OutOfStock,
    Receipt,
    Shipment,
    StockCell,
    StoreError,
    StoreUnavailable,
    ToShip,
    breakdown_json,
    shortages,
)

log = logging.getLogger(__name__)

_REPLAY, _COUNT_UP, _LEAD, _SENT, _FAILED, _ISSUE_INVOICE, _NOTIFY_INVOICE, _PAY = (
    _sql.for_psycopg(sql) for sql in (_sql.REPLAY, _sql.COUNT_UP, _sql.LEAD, _sql.SENT,
                                      _sql.FAILED, _sql.ISSUE_INVOICE, _sql.NOTIFY_INVOICE,
                                      _sql.PAY))
# The invoice row locked while its payment or credit note is recorded: another waits, then
# sees it.
_RECEIVABLE, _RECEIVE, _PAID_IN, _SETTLE, _CREDITABLE, _CREDIT = (
    _sql.for_psycopg(sql) for sql in (_sql.RECEIVABLE + " FOR UPDATE OF i", _sql.RECEIVE,
                                      _sql.PAID_IN, _sql.SETTLE,
                                      _sql.CREDITABLE + " FOR UPDATE OF i", _sql.CREDIT))

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
    (
        # What orders take of a colour × size with a stock is summed from their lines.
        _sql.CELL_INDEX,
        # An order the brand cancelled (`linesheets orders cancel`).
        """CREATE TABLE cancellations (
            order_id BIGINT PRIMARY KEY REFERENCES orders (id),
            cancelled_at TIMESTAMPTZ NOT NULL,
            reason TEXT
        )""",
    ),
    (
        # The outbox announces cancellations too: a notification per order, event and
        # channel.
        "ALTER TABLE notifications ADD COLUMN event TEXT NOT NULL DEFAULT 'order.placed' "
        "CHECK (event IN ('order.placed', 'order.cancelled'))",
        "ALTER TABLE notifications DROP CONSTRAINT notifications_order_id_channel_key",
        "ALTER TABLE notifications ADD CONSTRAINT notifications_order_id_event_channel_key "
        "UNIQUE (order_id, event, channel)",
    ),
    (
        # The invoices the brand issued (`linesheets orders invoice`), one per order and part.
        """CREATE TABLE invoices (
            order_id BIGINT NOT NULL REFERENCES orders (id),
            part TEXT NOT NULL CHECK (part IN ('full', 'deposit', 'balance')),
            issued_on DATE NOT NULL,
            due_on DATE NOT NULL,
            recorded_at TIMESTAMPTZ NOT NULL,
            PRIMARY KEY (order_id, part)
        )""",
    ),
    (
        # The outbox sends invoices too (`linesheets orders invoice --send`).
        "ALTER TABLE notifications DROP CONSTRAINT notifications_event_check",
        "ALTER TABLE notifications ADD CONSTRAINT notifications_event_check CHECK (event IN "
        "('order.placed', 'order.cancelled', 'invoice.full', 'invoice.deposit', "
        "'invoice.balance'))",
    ),
    (
        # An invoice's payment, as the brand records it (`linesheets orders paid`).
        """CREATE TABLE payments (
            order_id BIGINT NOT NULL,
            part TEXT NOT NULL,
            paid_on DATE NOT NULL,
            note TEXT,
            recorded_at TIMESTAMPTZ NOT NULL,
            PRIMARY KEY (order_id, part),
            FOREIGN KEY (order_id, part) REFERENCES invoices (order_id, part)
        )""",
    ),
    (
        # The brand's amendments of an order (`linesheets orders amend`): each one's document
        # is the order as it then stands; the outbox announces them.
        """CREATE TABLE amendments (
            order_id BIGINT NOT NULL REFERENCES orders (id),
            version INTEGER NOT NULL,
            amended_at TIMESTAMPTZ NOT NULL,
            reason TEXT,
            document TEXT NOT NULL,
            PRIMARY KEY (order_id, version)
        )""",
        "ALTER TABLE notifications DROP CONSTRAINT notifications_event_check",
        "ALTER TABLE notifications ADD CONSTRAINT notifications_event_check CHECK (event IN "
        "('order.placed', 'order.cancelled', 'order.amended', 'invoice.full', "
        "'invoice.deposit', 'invoice.balance'))",
    ),
    (
        # What the brand shipped (`linesheets orders ship`): whole lines, each once, named by
        # their cell (an amendment may renumber the lines); the outbox announces it.
        """CREATE TABLE shipments (
            order_id BIGINT NOT NULL REFERENCES orders (id),
            shipment INTEGER NOT NULL,
            shipped_on DATE NOT NULL,
            carrier TEXT,
            tracking TEXT,
            note TEXT,
            recorded_at TIMESTAMPTZ NOT NULL,
            PRIMARY KEY (order_id, shipment)
        )""",
        """CREATE TABLE shipment_lines (
            order_id BIGINT NOT NULL,
            shipment INTEGER NOT NULL,
            style_no TEXT NOT NULL,
            color TEXT NOT NULL,
            size TEXT NOT NULL,
            quantity INTEGER NOT NULL,
            PRIMARY KEY (order_id, style_no, color, size),
            FOREIGN KEY (order_id, shipment) REFERENCES shipments (order_id, shipment)
        )""",
        "ALTER TABLE notifications DROP CONSTRAINT notifications_event_check",
        "ALTER TABLE notifications ADD CONSTRAINT notifications_event_check CHECK (event IN "
        "('order.placed', 'order.cancelled', 'order.amended', 'order.shipped', "
        "'invoice.full', 'invoice.deposit', 'invoice.balance'))",
    ),
    (
        # Payment reminders of unpaid invoices (`linesheets orders remind`); a notification
        # queued again (an amendment, a shipment, a reminder) counts its rounds, each a new
        # message to the receiving side.
        "ALTER TABLE notifications DROP CONSTRAINT notifications_event_check",
        "ALTER TABLE notifications ADD CONSTRAINT notifications_event_check CHECK (event IN "
        "('order.placed', 'order.cancelled', 'order.amended', 'order.shipped', "
        "'invoice.full', 'invoice.deposit', 'invoice.balance', 'invoice.reminder'))",
        "ALTER TABLE notifications ADD COLUMN round INTEGER NOT NULL DEFAULT 0",
    ),
    (
        # Payments with their amounts (`linesheets orders paid --amount`): an invoice paid in
        # parts, or for less than it asks, the rest written off.
        """CREATE TABLE installments (
            order_id BIGINT NOT NULL,
            part TEXT NOT NULL,
            seq INTEGER NOT NULL,
            paid_on DATE NOT NULL,
            amount NUMERIC NOT NULL,
            note TEXT,
            recorded_at TIMESTAMPTZ NOT NULL,
            PRIMARY KEY (order_id, part, seq),
            FOREIGN KEY (order_id, part) REFERENCES invoices (order_id, part)
        )""",
        "ALTER TABLE payments ADD COLUMN written_off NUMERIC",
    ),
    (
        # Credit notes (`linesheets orders credit`): what the brand gives back of an issued
        # invoice, each with its number's turn, date, amount with tax and reason; a payment
        # keeps what was received in all, so a credit note after it is owed back.
        "ALTER TABLE payments ADD COLUMN received NUMERIC",
        """CREATE TABLE credit_notes (
            order_id BIGINT NOT NULL,
            part TEXT NOT NULL,
            seq INTEGER NOT NULL,
            issued_on DATE NOT NULL,
            amount NUMERIC NOT NULL,
            reason TEXT NOT NULL,
            recorded_at TIMESTAMPTZ NOT NULL,
            PRIMARY KEY (order_id, part, seq),
            FOREIGN KEY (order_id, part) REFERENCES invoices (order_id, part)
        )""",
    ),
    (
        # A line ships in parts (`orders ship --line N=UNITS`, the rest on back order): a
        # shipment's line is keyed by its shipment too, so later ones can carry the rest.
        "ALTER TABLE shipment_lines DROP CONSTRAINT shipment_lines_pkey",
        "ALTER TABLE shipment_lines ADD PRIMARY KEY (order_id, shipment, style_no, color, size)",
    ),
    (
        # Credit notes e-mailed (`linesheets orders credit --send`), each new one a round.
        "ALTER TABLE notifications DROP CONSTRAINT notifications_event_check",
        "ALTER TABLE notifications ADD CONSTRAINT notifications_event_check CHECK (event IN "
        "('order.placed', 'order.cancelled', 'order.amended', 'order.shipped', "
        "'invoice.full', 'invoice.deposit', 'invoice.balance', 'invoice.reminder', "
        "'invoice.credit_note'))",
    ),
    (
        # Buyers' activity per link and UTC day (`linesheets orders activity`).
        """CREATE TABLE link_activity (
            link TEXT NOT NULL,
            day DATE NOT NULL,
            event TEXT NOT NULL CHECK (event IN ('viewed', 'unlocked', 'quoted')),
            count INTEGER NOT NULL CHECK (count > 0),
            last_at TIMESTAMPTZ NOT NULL,
            PRIMARY KEY (link, day, event)
        )""",
    ),
)


class PostgresStore:
    """Orders in PostgreSQL; safe for any number of threads, processes and instances."""

    def __init__(self, url: str, pool_size: int = POOL_SIZE) -> None:
        self.url = url
        self.schema = (0, 0)  # the schema version found on opening, and the one now
        _check_url(url)
        try:
            # One connection first: a database that refuses it (down, a wrong password or
            # name) is told at once with its reason, not after the pool's retries, each
            # logged, for ten seconds.
            psycopg.connect(url, connect_timeout=5).close()
        except psycopg.Error as exc:
            raise _cannot_open(url, exc) from None
        try:
            self.pool = psycopg_pool.ConnectionPool(
                url, min_size=1, max_size=pool_size, timeout=POOL_TIMEOUT, open=False,
                kwargs={"connect_timeout": 5})
            self.pool.open(wait=True, timeout=10)
            with self.pool.connection() as db:
                self._migrate(db)
            self._writer = GroupWriter(self._commit, "orders-writer")
        except (psycopg.Error, psycopg_pool.PoolTimeout) as exc:
            self.pool.close()
            raise _cannot_open(url, exc) from None

    def replay(self, claim: Claim) -> Receipt | None:
        """The stored answer for a claim already placed, if any."""
        with self._transaction() as db:
            return _replay(db, claim)

    async def place(self, claim: Claim, prefix: str, draft: Draft,
                    notify: Sequence[Channel] = (), limits: Sequence[Limit] = ()) -> Receipt:
        """Place an order under a claim, with its notifications; return after the commit
        (group commit: order_api/store/_group.py). Its `limits` are counted under the cells'
        locks (OutOfStock when short)."""
        return await self._writer.place(claim, prefix, draft, notify, limits)

    def taken(self, cells: Sequence[StockCell]) -> dict[StockCell, int]:
        """The units stored orders take of each cell (no lock: a quote's view)."""
        with self._transaction() as db:
            return _taken(db, cells)

    def _commit(self, batch: list[Placement]) -> list[Outcome]:
        """Place a batch in one transaction; if it fails, every placement of it fails."""
        try:
            with self._transaction() as db:
                return _place_all(db, batch)
        except StoreUnavailable as failure:
            log.warning("%d orders not stored: %s", len(batch), failure)
            return [failure] * len(batch)
        except Exception as exc:  # a defect: the batch goes, the writer stays
            log.exception("%d orders not stored", len(batch))
            return [exc] * len(batch)

    def order(self, number: str) -> Order | None:
        """One order by number."""
        with self._transaction() as db:
            row = db.execute(f"SELECT {_sql.current()} FROM orders WHERE number = %s",
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
                "LEFT JOIN cancellations c ON c.order_id = o.id "
                "WHERE o.id = n.order_id AND n.id IN ("
                " SELECT id FROM notifications WHERE state = 'pending' AND next_attempt_at <= %s"
                " ORDER BY next_attempt_at, id LIMIT %s FOR UPDATE SKIP LOCKED) "
                f"RETURNING n.id, n.channel, n.attempts, {_sql.current('o')}, n.event, "
                "c.cancelled_at, c.reason, n.round",
                (now + lease, now, limit)).fetchall()
            claimed = [(Order.model_validate_json(row[3]), row) for row in sorted(rows)]
            invoiced = [order.order_number for order, row in claimed
                        if row[4].startswith("invoice.")]
            invoices = _sql.by_order(_invoices(db, invoiced) if invoiced else [])
            amended = [order.order_number for order, row in claimed
                       if row[4] == "order.amended"]
            latest = {each.number: each for each in _amendments(db, amended)} if amended else {}
            shipped = [order.order_number for order, row in claimed
                       if row[4] == "order.shipped"]
            sql, values = _sql.shipments_query(shipped)
            shipments = _sql.shipments_of(db.execute(_sql.for_psycopg(sql), values).fetchall(),
                                          _same) if shipped else {}
        return [Notification(
            id=notification_id, order_number=order.order_number, channel=channel,
            attempts=attempts, order=order, event=event,
            cancellation=None if at is None else Cancellation(order.order_number, at, reason),
            invoices=invoices.get(order.order_number, ()),
            amendment=latest.get(order.order_number),
            shipments=tuple(shipments.get(order.order_number, ())), round=again)
            for order, (notification_id, channel, attempts, _, event, at, reason, again)
            in claimed]

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

    def cancel(self, number: str, reason: str | None,
               now: datetime) -> tuple[Cancellation, bool] | None:
        """Cancel a stored order (once). Under the cells' locks of its lines (as an order
        takes them), so a batch counting what is left sees it before or after, not halfway."""
        with self._transaction() as db:
            cells = db.execute(_ORDER_CELLS, (number,)).fetchall()
            _lock_in_order(db, [_stock_lock(tuple(cell)) for cell in cells])
            made = db.execute(_CANCEL, (now, reason, number)).fetchone()
            new = made is not None
            if made is not None:
                db.execute(_NOTIFY_CANCELLED, (now, made[0]))
            sql, values = _sql.cancellations_query([number])
            row = db.execute(_sql.for_psycopg(sql), values).fetchone()
        return None if row is None else (_sql.cancellation(row, _same), new)

    def cancellations(self, numbers: Sequence[str] | None = None) -> dict[str, Cancellation]:
        """The cancelled orders (of `numbers`), by number."""
        sql, values = _sql.cancellations_query(numbers)
        with self._transaction() as db:
            rows = db.execute(_sql.for_psycopg(sql), values).fetchall()
        return {row[0]: _sql.cancellation(row, _same) for row in rows}

    def amend(self, amended: Order, reason: str | None, now: datetime,
              limits: Sequence[Limit] = (), after: int = 0) -> Amendment:
        """Store the order as amended, with its lines and notifications (once, whole). The
        locks of its stocked cells first (as orders and cancellations take them, so none
        waits in a cycle), then the order's row: a batch counting a cell sees the amendment
        before or after, not halfway, and two amendments of one order take turns."""
        number = amended.order_number
        with self._transaction() as db:
            _lock_in_order(db, [_stock_lock(limit.cell) for limit in limits])
            row = db.execute(_AMENDABLE + " FOR UPDATE OF o", (number,)).fetchone()
            order_id = _sql.amendable(row, number)
            _sql.keeps_shipped(number, db.execute(_SHIPPED_UNITS, (order_id,)).fetchall(),
                               [(line.style_no, line.color, line.size, line.quantity)
                                for line in amended.lines])
            own = _sql.own_taken(db.execute(_OWN_LINES, (order_id,)).fetchall(),
                                 amended.season)
            if limits:
                taken = _taken(db, [limit.cell for limit in limits])
                short = shortages(limits, {cell: units - own.get(cell, 0)
                                           for cell, units in taken.items()})
                if short:
                    raise OutOfStock(short)
            (version,) = db.execute(_NEXT_VERSION, (order_id,)).fetchone() or (1,)
            version = _sql.next_version(number, int(version), after)
            db.execute(_INSERT_AMENDMENT, (order_id, version, now, reason,
                                           amended.model_dump_json()))
            db.execute("UPDATE orders SET total = %s WHERE id = %s", (amended.total, order_id))
            db.execute("DELETE FROM order_lines WHERE order_id = %s", (order_id,))
            db.execute(_INSERT_LINES, tuple(list(column) for column in zip(*(
                (order_id, position, line.style_no, line.color, line.size, line.sku, line.jan,
                 line.quantity, line.unit_price, line.amount, breakdown_json(line.breakdown))
                for position, line in enumerate(amended.lines)), strict=True)))
            db.execute(_NOTIFY_AMENDED, (now, order_id))
        return Amendment(number, version, now, reason)

    def ship(self, number: str, cells: Sequence[ToShip] | None,
             shipped_on: date, carrier: str | None, tracking: str | None, note: str | None,
             now: datetime) -> Shipment:
        """Record a shipment of lines, whole or in part, with its notifications; under the
        order's row lock, so two shipments, or a shipment and an amendment, take turns."""
        with self._transaction() as db:
            row = db.execute(_SHIPPABLE + " FOR UPDATE OF o", (number,)).fetchone()
            order_id = row[0] if row else 0
            order_id, carried = _sql.to_ship(
                number, row, db.execute(_OWN_LINES, (order_id,)).fetchall(),
                db.execute(_SHIPPED_UNITS, (order_id,)).fetchall(), cells)
            (shipment,) = db.execute(_NEXT_SHIPMENT, (order_id,)).fetchone() or (1,)
            db.execute(_INSERT_SHIPMENT, (order_id, shipment, shipped_on, carrier, tracking,
                                          note, now))
            with db.cursor() as cursor:
                cursor.executemany(_INSERT_SHIPPED, [(order_id, shipment, *cell)
                                                     for cell in carried])
            db.execute(_NOTIFY_SHIPPED, (now, order_id))
        return Shipment(number, shipment, shipped_on, carrier, tracking, note, tuple(carried))

    def shipments(self, numbers: Sequence[str] | None = None) -> dict[str, list[Shipment]]:
        """The shipments (of `numbers`), by order number, each order's in turn."""
        sql, values = _sql.shipments_query(numbers)
        with self._transaction() as db:
            return _sql.shipments_of(db.execute(_sql.for_psycopg(sql), values).fetchall(),
                                     _same)

    def amendments(self, numbers: Sequence[str] | None = None) -> dict[str, list[Amendment]]:
        """The amendments (of `numbers`), by order number, each order's in turn."""
        found: dict[str, list[Amendment]] = {}
        with self._transaction() as db:
            for each in _amendments(db, numbers):
                found.setdefault(each.number, []).append(each)
        return found

    def issue_invoice(self, invoice: Invoice, now: datetime) -> tuple[Invoice, bool] | None:
        """Record an invoice of a standing order (once per part). Under the order's row lock,
        so a cancellation at the same moment comes wholly before or after it."""
        with self._transaction() as db:
            db.execute("SELECT id FROM orders WHERE number = %s FOR UPDATE",
                       (invoice.order_number,))
            made = db.execute(_ISSUE_INVOICE, (invoice.part, invoice.issued_on,
                                               invoice.due_on, now,
                                               invoice.order_number)).fetchone()
            issued = _invoices(db, [invoice.order_number])
        return _sql.issued(invoice, issued, made is not None)

    def invoices(self, number: str | None = None) -> list[Invoice]:
        """The invoices issued (for an order), with their payments."""
        with self._transaction() as db:
            return _invoices(db, None if number is None else [number])

    def record_payment(self, number: str, part: InvoicePart, paid_on: date, note: str | None,
                       now: datetime, received: Decimal | None = None
                       ) -> tuple[Invoice, bool] | None:
        """Record an issued invoice's payment (once)."""
        with self._transaction() as db:
            made = db.execute(_PAY, (paid_on, note, now, received, number, part)).fetchone()
            paid = next((each for each in _invoices(db, [number]) if each.part == part), None)
        return None if paid is None else (paid, made is not None)

    def receive(self, number: str, part: InvoicePart, payment: Installment, now: datetime, *,
                seen: int, pays: bool = False,
                written_off: Decimal | None = None) -> Invoice | None:
        """Record money received for an issued, unpaid invoice (and with `pays`, it paid)."""
        with self._transaction() as db:
            order_id = _sql.receivable(db.execute(_RECEIVABLE, (number, part)).fetchone(),
                                       Invoice.number_of(number, part), seen)
            if order_id is None:
                return None
            db.execute(_RECEIVE, (order_id, part, seen + 1, payment.paid_on, payment.amount,
                                  payment.note, now))
            if pays:
                paid = sum((Decimal(amount) for (amount,) in db.execute(
                    _PAID_IN, (order_id, part))), Decimal(0))
                db.execute(_SETTLE, (order_id, part, payment.paid_on, payment.note, now,
                                     written_off, paid))
            return next((each for each in _invoices(db, [number]) if each.part == part), None)

    def credit(self, note: CreditNote, now: datetime) -> Invoice | None:
        """Record a credit note of an issued invoice."""
        with self._transaction() as db:
            order_id = _sql.creditable(db.execute(_CREDITABLE, (note.order_number,
                                                                note.part)).fetchone(), note)
            if order_id is None:
                return None
            db.execute(_CREDIT, (order_id, note.part, note.seq, note.issued_on, note.amount,
                                 note.reason, now))
            return next((each for each in _invoices(db, [note.order_number])
                         if each.part == note.part), None)

    def remind(self, number: str, now: datetime) -> list[Channel]:
        """Queue a payment reminder's e-mails (due again if sent before)."""
        with self._transaction() as db:
            rows = db.execute(_sql.for_psycopg(_sql.REMIND), (now, number)).fetchall()
        return sorted(channel for (channel,) in rows)

    def send_invoice(self, invoice: Invoice, now: datetime) -> list[Channel]:
        """Queue an issued invoice's e-mails (once per channel)."""
        with self._transaction() as db:
            rows = db.execute(_NOTIFY_INVOICE, (f"invoice.{invoice.part}", now,
                                                invoice.order_number)).fetchall()
        return sorted(channel for (channel,) in rows)

    def send_credit_notes(self, number: str, now: datetime) -> list[Channel]:
        """Queue the e-mails of an order's credit notes (due again if sent before)."""
        with self._transaction() as db:
            rows = db.execute(_sql.for_psycopg(_sql.SEND_CREDIT_NOTES), (now, number)).fetchall()
        return sorted(channel for (channel,) in rows)

    def record_activity(self, counts: ActivityCounts) -> None:
        """Add counts of buyers' activity to the stored ones (one transaction)."""
        rows = [(link, day, event, count, last)
                for (link, day, event), (count, last) in sorted(counts.items())]
        with self._transaction() as db, db.cursor() as cursor:
            cursor.executemany(_sql.for_psycopg(_sql.ADD_ACTIVITY), rows)

    def activity(self, since: date | None = None, until: date | None = None,
                 link: str | None = None) -> list[Activity]:
        """Buyers' activity per link and event over UTC days [since, until), of one link or
        all."""
        sql, values = _sql.activity_query(since, until, link, _same)
        with self._transaction() as db:
            rows = db.execute(_sql.for_psycopg(sql), values).fetchall()
        return [Activity(row[0], row[1], int(row[2]), row[3]) for row in rows]

    def check(self) -> None:
        """Raise StoreUnavailable unless the database answers a query."""
        with self._transaction() as db:
            db.execute("SELECT count(*) FROM order_numbers").fetchone()

    def close(self) -> None:
        """Commit what is queued, then close the pool (waiting for connections in use)."""
        self._writer.close()
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
        self.schema = (version, len(MIGRATIONS))


def _replay(db: psycopg.Connection[Any], claim: Claim) -> Receipt | None:
    return _sql.receipt(db.execute(_REPLAY, (claim.link, claim.key)).fetchone(), claim)


def _same(moment: Any) -> Any:
    # PostgreSQL takes and gives TIMESTAMPTZ as datetimes: no conversion either way.
    return moment


def _place_all(db: psycopg.Connection[Any], batch: list[Placement]) -> list[Outcome]:
    """Number and insert the batch's new orders with a few statements for the whole batch; a
    claim already stored, or placed earlier in the batch, gets that answer instead.

    Requests with one key, on any instance, queue on its advisory lock: the first places the
    order, the others find it. Every batch takes its keys' locks in the same (sorted) order,
    then its seasons' number rows in the same order, so two instances' batches wait for each
    other but never deadlock. Numbers stay gapless: a season's row is counted up by the
    batch's new orders, inside the transaction that inserts them.
    """
    _lock_in_order(db, [_lock_key(job.claim) for job in batch])
    known: dict[tuple[str, str], Stored] = {
        (link, key): (fingerprint, number, document) for link, key, fingerprint, number, document
        in db.execute(_STORED, ([job.claim.link for job in batch],
                                [job.claim.key for job in batch])).fetchall()}

    def count_up(prefix: str, count: int) -> int:
        row = db.execute(_COUNT_UP, (prefix, count)).fetchone()
        assert row is not None  # RETURNING of an upsert always gives its row
        return int(row[0])

    def taken(cells: set[StockCell]) -> dict[StockCell, int]:
        # Every instance's batches that take from a cell queue on its lock, taken after the
        # claims' and before the number rows, each set in sorted order: no deadlock. Under
        # READ COMMITTED the sum after the lock sees every order committed before it.
        _lock_in_order(db, [_stock_lock(cell) for cell in cells])
        return _taken(db, cells)

    numbered, outcomes = number_batch(batch, known, count_up, taken)
    if numbered:
        _insert(db, numbered)
    return outcomes


def _lock_in_order(db: psycopg.Connection[Any], keys: Iterable[str]) -> None:
    """Take the transaction's advisory locks of `keys`, each once, in sorted order: every
    transaction that takes several takes them in the same order, so none waits in a cycle."""
    # A function scan of the array takes the locks in the array's order.
    db.execute("SELECT pg_advisory_xact_lock(hashtextextended(key, 0)) "
               "FROM unnest(%s::text[]) AS key", (sorted(set(keys)),))


def _stock_lock(cell: StockCell) -> str:
    """The advisory lock's key of a cell's stock."""
    return "stock " + "\x1f".join(cell)


def _amendments(db: psycopg.Connection[Any],
                numbers: Sequence[str] | None) -> list[Amendment]:
    sql, values = _sql.amendments_query(numbers)
    return [_sql.amendment(row, _same) for row in db.execute(_sql.for_psycopg(sql), values)]


def _invoices(db: psycopg.Connection[Any], numbers: Sequence[str] | None) -> list[Invoice]:
    sql, values = _sql.invoices_query(numbers)
    invoices = [_sql.invoice(row, _same) for row in db.execute(_sql.for_psycopg(sql), values)]
    sql, values = _sql.installments_query(numbers)
    payments = db.execute(_sql.for_psycopg(sql), values).fetchall()
    sql, values = _sql.credits_query(numbers)
    return _sql.with_received(invoices, payments, db.execute(_sql.for_psycopg(sql), values),
                              _same)


def _taken(db: psycopg.Connection[Any], cells: Iterable[StockCell]) -> dict[StockCell, int]:
    """The units stored orders take of each cell, in one query."""
    wanted = list(cells)
    found = dict.fromkeys(wanted, 0)
    if wanted:
        seasons, styles, colors, sizes = (list(column) for column in zip(*wanted, strict=True))
        found.update({(season, style_no, color, size): int(units) for season, style_no, color,
                      size, units in db.execute(_TAKEN, (seasons, styles, colors, sizes))})
    return found


def _lock_key(claim: Claim) -> str:
    return f"{claim.link} {claim.key}"  # a space is in neither


_TAKEN = """
SELECT c.season, c.style_no, c.color, c.size, sum(l.quantity)
FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[]) AS c(season, style_no, color, size)
JOIN order_lines l ON (l.style_no, l.color, l.size) = (c.style_no, c.color, c.size)
JOIN orders o ON o.id = l.order_id AND o.season = c.season
WHERE NOT EXISTS (SELECT 1 FROM cancellations x WHERE x.order_id = o.id)
GROUP BY c.season, c.style_no, c.color, c.size
"""
# The cells of an order's lines, as _stock_lock names them.
_ORDER_CELLS = """
SELECT o.season, l.style_no, l.color, l.size FROM order_lines l
JOIN orders o ON o.id = l.order_id WHERE o.number = %s
"""
_AMENDABLE, _OWN_LINES, _NEXT_VERSION, _INSERT_AMENDMENT, _NOTIFY_AMENDED = (
    _sql.for_psycopg(sql) for sql in (_sql.AMENDABLE, _sql.OWN_LINES, _sql.NEXT_VERSION,
                                      _sql.INSERT_AMENDMENT, _sql.NOTIFY_AMENDED))
(_SHIPPED_UNITS, _SHIPPABLE, _NEXT_SHIPMENT, _INSERT_SHIPMENT, _INSERT_SHIPPED,
 _NOTIFY_SHIPPED) = (_sql.for_psycopg(sql) for sql in (
    _sql.SHIPPED_UNITS, _sql.SHIPPABLE, _sql.NEXT_SHIPMENT, _sql.INSERT_SHIPMENT,
    _sql.INSERT_SHIPPED, _sql.NOTIFY_SHIPPED))
_CANCEL = _sql.for_psycopg(_sql.CANCEL)
_NOTIFY_CANCELLED = _sql.for_psycopg(_sql.NOTIFY_CANCELLED)
_STORED = """
SELECT i.link, i.key, i.fingerprint, o.number, o.document
FROM idempotency i JOIN orders o ON o.id = i.order_id
WHERE (i.link, i.key) IN (SELECT * FROM unnest(%s::text[], %s::text[]))
"""
# The batch's orders, then their lines, idempotency records and notifications, each table
# in one statement whatever the batch's size.
_INSERT_ORDERS = """
INSERT INTO orders (number, link, season, language, currency, term, company, buyer_name,
                    email, total, received_at, document)
SELECT * FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[],
                     %s::text[], %s::text[], %s::text[], %s::numeric[], %s::timestamptz[],
                     %s::text[])
RETURNING number, id
"""
_INSERT_LINES = """
INSERT INTO order_lines (order_id, position, style_no, color, size, sku, jan, quantity,
                         unit_price, amount, breakdown)
SELECT * FROM unnest(%s::bigint[], %s::integer[], %s::text[], %s::text[], %s::text[],
                     %s::text[], %s::text[], %s::integer[], %s::numeric[], %s::numeric[],
                     %s::jsonb[])
"""
_INSERT_CLAIMS = """
INSERT INTO idempotency (link, key, fingerprint, order_id)
SELECT * FROM unnest(%s::text[], %s::text[], %s::text[], %s::bigint[])
"""
_INSERT_NOTIFICATIONS = """
INSERT INTO notifications (order_id, channel, next_attempt_at)
SELECT * FROM unnest(%s::bigint[], %s::text[], %s::timestamptz[])
"""


def _insert(db: psycopg.Connection[Any], numbered: list[Numbered]) -> None:
    new = [item.job for item in numbered]
    numbers = [item.number for item in numbered]
    quotes = [job.draft.quote for job in new]
    buyers = [job.draft.buyer for job in new]
    ids = dict(db.execute(_INSERT_ORDERS, (
        numbers, [q.link for q in quotes], [q.season for q in quotes],
        [q.language for q in quotes], [q.currency for q in quotes], [q.term for q in quotes],
        [b.company for b in buyers], [b.name for b in buyers], [b.email for b in buyers],
        [q.total for q in quotes], [job.draft.received_at for job in new],
        [item.document for item in numbered])).fetchall())
    order_ids = [ids[number] for number in numbers]
    lines = [(order_id, position, line, breakdown)
             for order_id, job in zip(order_ids, new, strict=True)
             for position, (line, breakdown)
             in enumerate(zip(job.draft.quote.lines, job.draft.breakdowns, strict=True))]
    db.execute(_INSERT_LINES, tuple(list(column) for column in zip(*(
        (order_id, position, line.style_no, line.color, line.size, line.sku, line.jan,
         line.quantity, line.unit_price, line.amount, breakdown)
        for order_id, position, line, breakdown in lines), strict=True)) if lines
        else ([],) * 11)
    db.execute(_INSERT_CLAIMS, ([job.claim.link for job in new], [job.claim.key for job in new],
                                [job.claim.fingerprint for job in new], order_ids))
    notes = [(order_id, channel, job.draft.received_at)
             for order_id, job in zip(order_ids, new, strict=True) for channel in job.notify]
    db.execute(_INSERT_NOTIFICATIONS, ([n[0] for n in notes], [n[1] for n in notes],
                                       [n[2] for n in notes]))


def _check_url(url: str) -> None:
    """Refuse a DATABASE_URL libpq cannot read, or whose port is no number, at once and
    without its password (the pool would retry it for its whole timeout, printing it)."""
    try:
        info = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError as exc:
        reason = _reason(exc).replace(f'"{url}"', "it").replace(url, "it")
        raise StoreError(f"DATABASE_URL cannot be read ({reason}); write it as "
                         "postgresql://user:password@host:5432/name, with @ : / in the "
                         "password percent-encoded (%40 %3A %2F)") from None
    ports = str(info.get("port", "5432")).split(",")
    if not all(port.isascii() and port.isdigit() and 0 < int(port) < 65536 for port in ports):
        raise StoreError(f"DATABASE_URL {redacted(url)} has a port that is not a number from "
                         "1 to 65535; write it as postgresql://user:password@host:5432/name")


def redacted(url: str) -> str:
    """A database URL without its password, for messages and logs."""
    try:
        info = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "(an unreadable DATABASE_URL)"
    host, port, name = info.get("host", "localhost"), info.get("port", "5432"), info.get("dbname")
    return f"postgresql://{info.get('user', '')}@{host}:{port}/{name or ''}"


def inspect_database(url: str) -> tuple[int, int]:
    """The schema version of a PostgreSQL order store and the orders it holds, read without
    changing it (no migration): what `linesheets api --check` tells."""
    _check_url(url)
    try:
        with psycopg.connect(url, connect_timeout=5) as db:
            row = db.execute("SELECT to_regclass('linesheets_schema') IS NOT NULL").fetchone()
            found = row is not None and bool(row[0])
            version = db.execute("SELECT version FROM linesheets_schema").fetchone() \
                if found else None
            schema = int(version[0]) if version else 0
            counted = db.execute("SELECT count(*) FROM orders").fetchone() if schema else None
    except psycopg.Error as exc:
        raise _cannot_open(url, exc) from None
    return schema, int(counted[0]) if counted else 0


def _cannot_open(url: str, exc: BaseException) -> StoreError:
    return StoreError(f"cannot open the order database at {redacted(url)}: {_reason(exc)}; "
                      "check DATABASE_URL and that PostgreSQL accepts connections")


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
