"""SQLite order store: one file, WAL, synchronous=FULL, BEGIN IMMEDIATE; nothing to install.

Orders are written with group commit (order_api/store/_pipeline.py): every placement waiting
is written in one transaction with a few statements (each order arrives serialized, see
Draft), committed once, and only then answered. The busy timeout
covers other processes on the same file. The schema is created and migrated at open (PRAGMA
user_version counts the migrations applied).
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

from order_api.schemas import Order
from order_api.store import _sql
from order_api.store._group import Outcome, Placement, Stored, number_batch
from order_api.store._pipeline import CommitPipeline
from order_api.store.base import (
    Activity,
    ActivityCounts,
    Amendment,
    Cancellation,
    Channel,
    Claim,
    CreditNote,
    Draft,
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

BUSY_TIMEOUT_MS = 5000

def _outbox_taking(events: str) -> tuple[str, ...]:
    """A migration's statements that copy the outbox into a table whose CHECK takes `events`
    (SQLite changes a table's constraints by copying it), keeping every notification. Part
    of migrations already run: change the table's shape in a new function, never here."""
    return (
        f"""CREATE TABLE notifications_copy (
            id INTEGER PRIMARY KEY,
            order_id INTEGER NOT NULL REFERENCES orders (id),
            event TEXT NOT NULL DEFAULT 'order.placed' CHECK (event IN ({events})),
            channel TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,
            last_error TEXT,
            sent_at TEXT,
            UNIQUE (order_id, event, channel)
        )""",
        """INSERT INTO notifications_copy (id, order_id, event, channel, state, attempts,
               next_attempt_at, last_error, sent_at)
           SELECT id, order_id, event, channel, state, attempts, next_attempt_at, last_error,
               sent_at
           FROM notifications""",
        "DROP TABLE notifications",
        "ALTER TABLE notifications_copy RENAME TO notifications",
        "CREATE INDEX notifications_due ON notifications (state, next_attempt_at)",
    )


def _rounds_outbox_taking(events: str) -> tuple[str, ...]:
    """As `_outbox_taking`, for the outbox since it counts rounds (schema 10 on): its copy
    keeps each notification's round. Part of migrations already run: never change it."""
    return (
        f"""CREATE TABLE notifications_copy (
            id INTEGER PRIMARY KEY,
            order_id INTEGER NOT NULL REFERENCES orders (id),
            event TEXT NOT NULL DEFAULT 'order.placed' CHECK (event IN ({events})),
            channel TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,
            last_error TEXT,
            sent_at TEXT,
            round INTEGER NOT NULL DEFAULT 0,
            UNIQUE (order_id, event, channel)
        )""",
        """INSERT INTO notifications_copy (id, order_id, event, channel, state, attempts,
               next_attempt_at, last_error, sent_at, round)
           SELECT id, order_id, event, channel, state, attempts, next_attempt_at, last_error,
               sent_at, round
           FROM notifications""",
        "DROP TABLE notifications",
        "ALTER TABLE notifications_copy RENAME TO notifications",
        "CREATE INDEX notifications_due ON notifications (state, next_attempt_at)",
    )


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
    (
        # What orders take of a colour × size with a stock is summed from their lines.
        _sql.CELL_INDEX,
        # An order the brand cancelled (`linesheets orders cancel`).
        """CREATE TABLE cancellations (
            order_id INTEGER PRIMARY KEY REFERENCES orders (id),
            cancelled_at TEXT NOT NULL,
            reason TEXT
        )""",
    ),
    (
        # The outbox announces cancellations too: a notification per order, event and
        # channel (SQLite changes a table's constraints by copying it).
        """CREATE TABLE notifications_by_event (
            id INTEGER PRIMARY KEY,
            order_id INTEGER NOT NULL REFERENCES orders (id),
            event TEXT NOT NULL DEFAULT 'order.placed'
                CHECK (event IN ('order.placed', 'order.cancelled')),
            channel TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,
            last_error TEXT,
            sent_at TEXT,
            UNIQUE (order_id, event, channel)
        )""",
        """INSERT INTO notifications_by_event (id, order_id, channel, state, attempts,
               next_attempt_at, last_error, sent_at)
           SELECT id, order_id, channel, state, attempts, next_attempt_at, last_error, sent_at
           FROM notifications""",
        "DROP TABLE notifications",
        "ALTER TABLE notifications_by_event RENAME TO notifications",
        "CREATE INDEX notifications_due ON notifications (state, next_attempt_at)",
    ),
    (
        # The invoices the brand issued (`linesheets orders invoice`), one per order and part.
        """CREATE TABLE invoices (
            order_id INTEGER NOT NULL REFERENCES orders (id),
            part TEXT NOT NULL CHECK (part IN ('full', 'deposit', 'balance')),
            issued_on TEXT NOT NULL,
            due_on TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            PRIMARY KEY (order_id, part)
        )""",
    ),
    (
        # The outbox sends invoices too (`linesheets orders invoice --send`): their events
        # join the CHECK (SQLite changes a table's constraints by copying it).
        *_outbox_taking("'order.placed', 'order.cancelled', 'invoice.full', 'invoice.deposit', "
                        "'invoice.balance'"),
    ),
    (
        # An invoice's payment, as the brand records it (`linesheets orders paid`).
        """CREATE TABLE payments (
            order_id INTEGER NOT NULL,
            part TEXT NOT NULL,
            paid_on TEXT NOT NULL,
            note TEXT,
            recorded_at TEXT NOT NULL,
            PRIMARY KEY (order_id, part),
            FOREIGN KEY (order_id, part) REFERENCES invoices (order_id, part)
        )""",
    ),
    (
        # The brand's amendments of an order (`linesheets orders amend`): each one's document
        # is the order as it then stands; the outbox announces them.
        """CREATE TABLE amendments (
            order_id INTEGER NOT NULL REFERENCES orders (id),
            version INTEGER NOT NULL,
            amended_at TEXT NOT NULL,
            reason TEXT,
            document TEXT NOT NULL,
            PRIMARY KEY (order_id, version)
        )""",
        *_outbox_taking("'order.placed', 'order.cancelled', 'order.amended', 'invoice.full', "
                        "'invoice.deposit', 'invoice.balance'"),
    ),
    (
        # What the brand shipped (`linesheets orders ship`): whole lines, each once, named by
        # their cell (an amendment may renumber the lines); the outbox announces it.
        """CREATE TABLE shipments (
            order_id INTEGER NOT NULL REFERENCES orders (id),
            shipment INTEGER NOT NULL,
            shipped_on TEXT NOT NULL,
            carrier TEXT,
            tracking TEXT,
            note TEXT,
            recorded_at TEXT NOT NULL,
            PRIMARY KEY (order_id, shipment)
        )""",
        """CREATE TABLE shipment_lines (
            order_id INTEGER NOT NULL,
            shipment INTEGER NOT NULL,
            style_no TEXT NOT NULL,
            color TEXT NOT NULL,
            size TEXT NOT NULL,
            quantity INTEGER NOT NULL,
            PRIMARY KEY (order_id, style_no, color, size),
            FOREIGN KEY (order_id, shipment) REFERENCES shipments (order_id, shipment)
        )""",
        *_outbox_taking("'order.placed', 'order.cancelled', 'order.amended', 'order.shipped', "
                        "'invoice.full', 'invoice.deposit', 'invoice.balance'"),
    ),
    (
        # Payment reminders of unpaid invoices (`linesheets orders remind`); a notification
        # queued again (an amendment, a shipment, a reminder) counts its rounds, each a new
        # message to the receiving side.
        *_outbox_taking("'order.placed', 'order.cancelled', 'order.amended', 'order.shipped', "
                        "'invoice.full', 'invoice.deposit', 'invoice.balance', "
                        "'invoice.reminder'"),
        "ALTER TABLE notifications ADD COLUMN round INTEGER NOT NULL DEFAULT 0",
    ),
    (
        # Payments with their amounts (`linesheets orders paid --amount`): an invoice paid in
        # parts, or for less than it asks, the rest written off.
        """CREATE TABLE installments (
            order_id INTEGER NOT NULL,
            part TEXT NOT NULL,
            seq INTEGER NOT NULL,
            paid_on TEXT NOT NULL,
            amount TEXT NOT NULL,
            note TEXT,
            recorded_at TEXT NOT NULL,
            PRIMARY KEY (order_id, part, seq),
            FOREIGN KEY (order_id, part) REFERENCES invoices (order_id, part)
        )""",
        "ALTER TABLE payments ADD COLUMN written_off TEXT",
    ),
    (
        # Credit notes (`linesheets orders credit`): what the brand gives back of an issued
        # invoice, each with its number's turn, date, amount with tax and reason; a payment
        # keeps what was received in all, so a credit note after it is owed back.
        "ALTER TABLE payments ADD COLUMN received TEXT",
        """CREATE TABLE credit_notes (
            order_id INTEGER NOT NULL,
            part TEXT NOT NULL,
            seq INTEGER NOT NULL,
            issued_on TEXT NOT NULL,
            amount TEXT NOT NULL,
            reason TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            PRIMARY KEY (order_id, part, seq),
            FOREIGN KEY (order_id, part) REFERENCES invoices (order_id, part)
        )""",
    ),
    (
        # A line ships in parts (`orders ship --line N=UNITS`, the rest on back order): a
        # shipment's line is keyed by its shipment too, so later ones can carry the rest.
        """CREATE TABLE shipment_lines_by_shipment (
            order_id INTEGER NOT NULL,
            shipment INTEGER NOT NULL,
            style_no TEXT NOT NULL,
            color TEXT NOT NULL,
            size TEXT NOT NULL,
            quantity INTEGER NOT NULL,
            PRIMARY KEY (order_id, shipment, style_no, color, size),
            FOREIGN KEY (order_id, shipment) REFERENCES shipments (order_id, shipment)
        )""",
        """INSERT INTO shipment_lines_by_shipment (order_id, shipment, style_no, color, size,
               quantity)
           SELECT order_id, shipment, style_no, color, size, quantity FROM shipment_lines""",
        "DROP TABLE shipment_lines",
        "ALTER TABLE shipment_lines_by_shipment RENAME TO shipment_lines",
    ),
    (
        # Credit notes e-mailed (`linesheets orders credit --send`), each new one a round.
        *_rounds_outbox_taking("'order.placed', 'order.cancelled', 'order.amended', "
                               "'order.shipped', 'invoice.full', 'invoice.deposit', "
                               "'invoice.balance', 'invoice.reminder', 'invoice.credit_note'"),
    ),
    (
        # Buyers' activity per link and UTC day (`linesheets orders activity`).
        """CREATE TABLE link_activity (
            link TEXT NOT NULL,
            day TEXT NOT NULL,
            event TEXT NOT NULL CHECK (event IN ('viewed', 'unlocked', 'quoted')),
            count INTEGER NOT NULL CHECK (count > 0),
            last_at TEXT NOT NULL,
            PRIMARY KEY (link, day, event)
        )""",
    ),
)


def read_only(path: Path) -> sqlite3.Connection:
    """A connection that cannot change the file, migrate it or create one where none was
    (sqlite3.Error when it cannot be opened)."""
    return sqlite3.connect(f"file:{quote(str(path.absolute()))}?mode=ro", uri=True,
                           timeout=BUSY_TIMEOUT_MS / 1000)


def inspect_file(path: Path) -> tuple[int, int]:
    """The schema version of an SQLite order store and the orders it holds, read without
    changing it (no migration, no WAL switch): what `linesheets api --check` tells."""
    try:
        with contextlib.closing(read_only(path)) as db:
            version = int(db.execute("PRAGMA user_version").fetchone()[0])
            orders = int(db.execute("SELECT count(*) FROM orders").fetchone()[0]) \
                if version else 0
    except sqlite3.Error as exc:
        raise StoreError(f"cannot read the order database '{path}': {exc}; check the path "
                         "in DATABASE_URL") from None
    return version, orders


class SQLiteStore:
    """Orders in an SQLite file; safe for the threads of one process and for other processes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.schema = (0, 0)  # the schema version found on opening, and the one now
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._guard = threading.Lock()  # the connection list
        self._writer = CommitPipeline(self._connect, _place_all, BUSY_TIMEOUT_MS / 1000)
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

    async def place(self, claim: Claim, prefix: str, draft: Draft,
                    notify: Sequence[Channel] = (), limits: Sequence[Limit] = ()) -> Receipt:
        """Place an order under a claim, with its notifications; the answer comes after the
        commit that holds them (group commit: order_api/store/_pipeline.py). Its `limits` are
        counted under the batch's write lock (OutOfStock when short)."""
        return await self._writer.place(claim, prefix, draft, notify, limits)

    def taken(self, cells: Sequence[StockCell]) -> dict[StockCell, int]:
        """The units stored orders take of each cell."""
        with self._errors():
            return _taken(self._db(), cells)

    def order(self, number: str) -> Order | None:
        """One order by number."""
        with self._errors():
            row = self._db().execute(f"SELECT {_sql.current()} FROM orders WHERE number = ?",
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
                "RETURNING id, order_id, channel, attempts, event, round",
                (_stamp(now + lease), _stamp(now), limit)).fetchall()
            documents = dict(db.execute(
                f"SELECT id, {_sql.current()} FROM orders WHERE id IN "
                f"({', '.join('?' * len(rows))})", [row[1] for row in rows]).fetchall()
            ) if rows else {}
            claimed = []
            for notification_id, order_id, channel, attempts, event, again in sorted(rows):
                order = Order.model_validate_json(documents[order_id])
                claimed.append(Notification(
                    id=notification_id, order_number=order.order_number, channel=channel,
                    attempts=attempts, order=order, event=event, round=again))
            numbers = [note.order_number for note in claimed if note.event != "order.placed"]
            sql, values = _sql.cancellations_query(numbers)
            cancelled = {row[0]: _sql.cancellation(row, _moment)
                         for row in db.execute(sql, values).fetchall()} if numbers else {}
            invoiced = [note.order_number for note in claimed
                        if note.event.startswith("invoice.")]
            invoices = _sql.by_order(_invoices(db, invoiced) if invoiced else [])
            amended = [note.order_number for note in claimed if note.event == "order.amended"]
            sql, values = _sql.amendments_query(amended)
            latest = {row[0]: _sql.amendment(row, _moment)
                      for row in db.execute(sql, values).fetchall()} if amended else {}
            shipped = [note.order_number for note in claimed if note.event == "order.shipped"]
            sql, values = _sql.shipments_query(shipped)
            shipments = _sql.shipments_of(db.execute(sql, values).fetchall(),
                                          date.fromisoformat) if shipped else {}
        return [dataclasses.replace(note, cancellation=cancelled.get(note.order_number),
                                    invoices=invoices.get(note.order_number, ()),
                                    amendment=latest.get(note.order_number),
                                    shipments=tuple(shipments.get(note.order_number, ())))
                for note in claimed]

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

    def resend(self, order_number: str, channels: Sequence[Channel],
               now: datetime) -> list[Channel]:
        """Make the order's given-up notifications on `channels` due again now."""
        sql, values = _sql.resend_query(order_number, channels, _stamp(now))
        with self._errors(), self._transaction() as db:
            return sorted(channel for (channel,) in db.execute(sql, values).fetchall())

    def cancel(self, number: str, reason: str | None,
               now: datetime) -> tuple[Cancellation, bool] | None:
        """Cancel a stored order (once)."""
        with self._errors(), self._transaction() as db:
            made = db.execute(_sql.CANCEL, (_stamp(now), reason, number)).fetchone()
            new = made is not None
            if made is not None:
                db.execute(_sql.NOTIFY_CANCELLED, (_stamp(now), made[0]))
            sql, values = _sql.cancellations_query([number])
            row = db.execute(sql, values).fetchone()
        return None if row is None else (_sql.cancellation(row, _moment), new)

    def cancellations(self, numbers: Sequence[str] | None = None) -> dict[str, Cancellation]:
        """The cancelled orders (of `numbers`), by number."""
        sql, values = _sql.cancellations_query(numbers)
        with self._errors():
            rows = self._db().execute(sql, values).fetchall()
        return {row[0]: _sql.cancellation(row, _moment) for row in rows}

    def amend(self, amended: Order, reason: str | None, now: datetime,
              limits: Sequence[Limit] = (), after: int = 0) -> Amendment:
        """Store the order as amended, with its lines and notifications (once, whole)."""
        number = amended.order_number
        with self._errors(), self._transaction() as db:
            order_id = _sql.amendable(db.execute(_sql.AMENDABLE, (number,)).fetchone(), number)
            _sql.keeps_shipped(number, db.execute(_sql.SHIPPED_UNITS, (order_id,)).fetchall(),
                               [(line.style_no, line.color, line.size, line.quantity)
                                for line in amended.lines])
            if limits:  # under the write lock: no order takes a cell meanwhile
                own = _sql.own_taken(db.execute(_sql.OWN_LINES, (order_id,)).fetchall(),
                                     amended.season)
                taken = _taken(db, [limit.cell for limit in limits])
                short = shortages(limits, {cell: units - own.get(cell, 0)
                                           for cell, units in taken.items()})
                if short:
                    raise OutOfStock(short)
            version = _sql.next_version(
                number, int(db.execute(_sql.NEXT_VERSION, (order_id,)).fetchone()[0]), after)
            db.execute(_sql.INSERT_AMENDMENT, (order_id, version, _stamp(now), reason,
                                               amended.model_dump_json()))
            db.execute("UPDATE orders SET total = ? WHERE id = ?", (amended.total, order_id))
            db.execute("DELETE FROM order_lines WHERE order_id = ?", (order_id,))
            db.executemany(_INSERT_LINE, [
                (order_id, position, line.style_no, line.color, line.size, line.sku, line.jan,
                 line.quantity, line.unit_price, line.amount, breakdown_json(line.breakdown))
                for position, line in enumerate(amended.lines)])
            db.execute(_sql.NOTIFY_AMENDED, (_stamp(now), order_id))
        return Amendment(number, version, now, reason)

    def ship(self, number: str, cells: Sequence[ToShip] | None,
             shipped_on: date, carrier: str | None, tracking: str | None, note: str | None,
             now: datetime) -> Shipment:
        """Record a shipment of lines, whole or in part, with its notifications."""
        with self._errors(), self._transaction() as db:
            row = db.execute(_sql.SHIPPABLE, (number,)).fetchone()
            order_id = row[0] if row else 0
            order_id, carried = _sql.to_ship(
                number, row, db.execute(_sql.OWN_LINES, (order_id,)).fetchall(),
                db.execute(_sql.SHIPPED_UNITS, (order_id,)).fetchall(), cells)
            shipment = int(db.execute(_sql.NEXT_SHIPMENT, (order_id,)).fetchone()[0])
            db.execute(_sql.INSERT_SHIPMENT, (order_id, shipment, shipped_on.isoformat(),
                                              carrier, tracking, note, _stamp(now)))
            db.executemany(_sql.INSERT_SHIPPED, [(order_id, shipment, *cell)
                                                 for cell in carried])
            db.execute(_sql.NOTIFY_SHIPPED, (_stamp(now), order_id))
        return Shipment(number, shipment, shipped_on, carrier, tracking, note, tuple(carried))

    def shipments(self, numbers: Sequence[str] | None = None) -> dict[str, list[Shipment]]:
        """The shipments (of `numbers`), by order number, each order's in turn."""
        sql, values = _sql.shipments_query(numbers)
        with self._errors():
            rows = self._db().execute(sql, values).fetchall()
        return _sql.shipments_of(rows, date.fromisoformat)

    def amendments(self, numbers: Sequence[str] | None = None) -> dict[str, list[Amendment]]:
        """The amendments (of `numbers`), by order number, each order's in turn."""
        sql, values = _sql.amendments_query(numbers)
        with self._errors():
            rows = self._db().execute(sql, values).fetchall()
        found: dict[str, list[Amendment]] = {}
        for row in rows:
            found.setdefault(row[0], []).append(_sql.amendment(row, _moment))
        return found

    def issue_invoice(self, invoice: Invoice, now: datetime) -> tuple[Invoice, bool] | None:
        """Record an invoice of a standing order (once per part)."""
        with self._errors(), self._transaction() as db:
            made = db.execute(_sql.ISSUE_INVOICE, (
                invoice.part, invoice.issued_on.isoformat(), invoice.due_on.isoformat(),
                _stamp(now), invoice.order_number)).fetchone()
            issued = _invoices(db, [invoice.order_number])
        return _sql.issued(invoice, issued, made is not None)

    def invoices(self, number: str | None = None) -> list[Invoice]:
        """The invoices issued (for an order), with their payments."""
        with self._errors():
            return _invoices(self._db(), None if number is None else [number])

    def record_payment(self, number: str, part: InvoicePart, paid_on: date, note: str | None,
                       now: datetime, received: Decimal | None = None
                       ) -> tuple[Invoice, bool] | None:
        """Record an issued invoice's payment (once)."""
        with self._errors(), self._transaction() as db:
            made = db.execute(_sql.PAY, (paid_on.isoformat(), note, _stamp(now),
                                         None if received is None else str(received), number,
                                         part)).fetchone()
            stored = _invoices(db, [number])
        paid = next((each for each in stored if each.part == part), None)
        return None if paid is None else (paid, made is not None)

    def receive(self, number: str, part: InvoicePart, payment: Installment, now: datetime, *,
                seen: int, pays: bool = False,
                written_off: Decimal | None = None) -> Invoice | None:
        """Record money received for an issued, unpaid invoice (and with `pays`, it paid)."""
        with self._errors(), self._transaction() as db:
            order_id = _sql.receivable(db.execute(_sql.RECEIVABLE, (number, part)).fetchone(),
                                       Invoice.number_of(number, part), seen)
            if order_id is None:
                return None
            paid_on, stamp = payment.paid_on.isoformat(), _stamp(now)
            db.execute(_sql.RECEIVE, (order_id, part, seen + 1, paid_on, str(payment.amount),
                                      payment.note, stamp))
            if pays:
                paid = sum((Decimal(amount) for (amount,) in db.execute(
                    _sql.PAID_IN, (order_id, part))), Decimal(0))
                db.execute(_sql.SETTLE, (order_id, part, paid_on, payment.note, stamp,
                                         None if written_off is None else str(written_off),
                                         str(paid)))
            stored = _invoices(db, [number])
        return next((each for each in stored if each.part == part), None)

    def credit(self, note: CreditNote, now: datetime) -> Invoice | None:
        """Record a credit note of an issued invoice."""
        with self._errors(), self._transaction() as db:
            order_id = _sql.creditable(db.execute(_sql.CREDITABLE, (note.order_number,
                                                                    note.part)).fetchone(), note)
            if order_id is None:
                return None
            db.execute(_sql.CREDIT, (order_id, note.part, note.seq, note.issued_on.isoformat(),
                                     str(note.amount), note.reason, _stamp(now)))
            stored = _invoices(db, [note.order_number])
        return next((each for each in stored if each.part == note.part), None)

    def remind(self, number: str, now: datetime) -> list[Channel]:
        """Queue a payment reminder's e-mails (due again if sent before)."""
        with self._errors(), self._transaction() as db:
            rows = db.execute(_sql.REMIND, (_stamp(now), number)).fetchall()
        return sorted(channel for (channel,) in rows)

    def send_invoice(self, invoice: Invoice, now: datetime) -> list[Channel]:
        """Queue an issued invoice's e-mails (once per channel)."""
        with self._errors(), self._transaction() as db:
            rows = db.execute(_sql.NOTIFY_INVOICE, (f"invoice.{invoice.part}", _stamp(now),
                                                    invoice.order_number)).fetchall()
        return sorted(channel for (channel,) in rows)

    def send_credit_notes(self, number: str, now: datetime) -> list[Channel]:
        """Queue the e-mails of an order's credit notes (due again if sent before)."""
        with self._errors(), self._transaction() as db:
            rows = db.execute(_sql.SEND_CREDIT_NOTES, (_stamp(now), number)).fetchall()
        return sorted(channel for (channel,) in rows)

    def record_activity(self, counts: ActivityCounts) -> None:
        """Add counts of buyers' activity to the stored ones (one transaction)."""
        rows = [(link, day.isoformat(), event, count, _stamp(last))
                for (link, day, event), (count, last) in counts.items()]
        with self._errors(), self._transaction() as db:
            db.executemany(_sql.ADD_ACTIVITY, rows)

    def activity(self, since: date | None = None, until: date | None = None,
                 link: str | None = None) -> list[Activity]:
        """Buyers' activity per link and event over UTC days [since, until), of one link or
        all."""
        sql, values = _sql.activity_query(since, until, link, date.isoformat)
        with self._errors():
            rows = self._db().execute(sql, values).fetchall()
        return [Activity(row[0], row[1], int(row[2]), _moment(row[3])) for row in rows]

    def check(self) -> None:
        """Raise StoreUnavailable unless the file answers a query."""
        with self._errors():
            self._db().execute("SELECT count(*) FROM order_numbers").fetchone()

    def close(self) -> None:
        """Commit what is queued, stop the writer and close every connection."""
        self._writer.close()
        with self._guard:
            for connection in self._connections:
                connection.close()
            self._connections.clear()
        self._local = threading.local()

    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = self._connect()
        return db

    def _connect(self) -> sqlite3.Connection:
        # Autocommit mode: transactions are explicit BEGIN IMMEDIATE … COMMIT.
        db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                             timeout=BUSY_TIMEOUT_MS / 1000)
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = FULL")
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db.execute("PRAGMA foreign_keys = ON")
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
            self.schema = (version, len(MIGRATIONS))
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


def _place_all(db: sqlite3.Connection, batch: list[Placement]) -> list[Outcome]:
    """Number and insert the batch's new orders with a few statements for the whole batch; a
    claim already stored, or placed earlier in the batch, gets that answer instead."""

    def count_up(prefix: str, count: int) -> int:
        return int(db.execute(_sql.COUNT_UP, (prefix, count)).fetchone()[0])

    numbered, outcomes = number_batch(batch, _stored_claims(db, [job.claim for job in batch]),
                                      count_up, lambda cells: _taken(db, cells))
    if not numbered:
        return outcomes
    first_id = db.execute("SELECT coalesce(max(id), 0) + 1 FROM orders").fetchone()[0]
    orders: list[tuple[object, ...]] = []
    lines: list[tuple[object, ...]] = []
    claims: list[tuple[str, str, str, int]] = []
    notifications: list[tuple[int, str, str]] = []
    for order_id, new in enumerate(numbered, start=first_id):
        job = new.job
        draft = job.draft
        quote, buyer = draft.quote, draft.buyer
        received = _stamp(draft.received_at)
        orders.append((order_id, new.number, quote.link, quote.season, quote.language,
                       quote.currency, quote.term, buyer.company, buyer.name, buyer.email,
                       quote.total, received, new.document))
        lines.extend((order_id, position, line.style_no, line.color, line.size, line.sku,
                      line.jan, line.quantity, line.unit_price, line.amount, breakdown)
                     for position, (line, breakdown)
                     in enumerate(zip(quote.lines, draft.breakdowns, strict=True)))
        claims.append((job.claim.link, job.claim.key, job.claim.fingerprint, order_id))
        notifications.extend((order_id, channel, received) for channel in job.notify)
    db.executemany(_INSERT_ORDER, orders)
    db.executemany(_INSERT_LINE, lines)
    db.executemany(_INSERT_CLAIM, claims)
    db.executemany(_INSERT_NOTIFICATION, notifications)
    return outcomes


_INSERT_ORDER = ("INSERT INTO orders (id, number, link, season, language, currency, term, "
                 "company, buyer_name, email, total, received_at, document) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
_INSERT_LINE = ("INSERT INTO order_lines (order_id, position, style_no, color, size, sku, jan, "
                "quantity, unit_price, amount, breakdown) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
_INSERT_CLAIM = "INSERT INTO idempotency (link, key, fingerprint, order_id) VALUES (?, ?, ?, ?)"
_INSERT_NOTIFICATION = ("INSERT INTO notifications (order_id, channel, next_attempt_at) "
                        "VALUES (?, ?, ?)")


def _stored_claims(db: sqlite3.Connection, claims: list[Claim]) -> dict[tuple[str, str], Stored]:
    """The stored (fingerprint, number, document) of each claim already placed, one query per
    link (the primary key's order: link, then key)."""
    keys: dict[str, set[str]] = {}
    for claim in claims:
        keys.setdefault(claim.link, set()).add(claim.key)
    found: dict[tuple[str, str], Stored] = {}
    for link, wanted in keys.items():
        rows = db.execute(
            "SELECT idempotency.key, idempotency.fingerprint, orders.number, orders.document "
            "FROM idempotency JOIN orders ON orders.id = idempotency.order_id "
            f"WHERE idempotency.link = ? AND idempotency.key IN ({', '.join('?' * len(wanted))})",
            (link, *wanted)).fetchall()
        found.update({(link, key): (fingerprint, number, document)
                      for key, fingerprint, number, document in rows})
    return found


def _taken(db: sqlite3.Connection, cells: Iterable[StockCell]) -> dict[StockCell, int]:
    """One indexed sum per cell (a batch holds few): inside the batch's BEGIN IMMEDIATE, no
    other writer can add to them until it commits."""
    return {cell: int(db.execute(_sql.TAKEN, (cell[1], cell[2], cell[3], cell[0])).fetchone()[0])
            for cell in cells}


def _invoices(db: sqlite3.Connection, numbers: Sequence[str] | None) -> list[Invoice]:
    """The invoices (of `numbers`) with their payments."""
    sql, values = _sql.invoices_query(numbers)
    invoices = [_sql.invoice(row, date.fromisoformat) for row in db.execute(sql, values)]
    sql, values = _sql.installments_query(numbers)
    payments = db.execute(sql, values).fetchall()
    sql, values = _sql.credits_query(numbers)
    return _sql.with_received(invoices, payments, db.execute(sql, values), date.fromisoformat)


def _replay(db: sqlite3.Connection, claim: Claim) -> Receipt | None:
    return _sql.receipt(db.execute(_sql.REPLAY, (claim.link, claim.key)).fetchone(), claim)


def _moment(stamp: str) -> datetime:
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def _stamp(moment: datetime) -> str:
    # Fixed-width UTC text sorts as time does.
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
