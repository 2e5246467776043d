"""The statements and row readings both stores share, written once with `?` placeholders
(`for_psycopg` turns them into psycopg's `%s`). Each store passes its own conversion of a
moment: SQLite keeps fixed-width UTC text, PostgreSQL TIMESTAMPTZ."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from order_api.store.base import (
    Amendment,
    AmendmentRefused,
    Cancellation,
    Claim,
    CreditNote,
    CreditRefused,
    IdempotencyConflict,
    Installment,
    Invoice,
    NotificationStatus,
    OrderFilter,
    PaymentRefused,
    Receipt,
    Shipment,
    ShipmentRefused,
    ShippedCell,
    StockCell,
    ToShip,
)

REPLAY = ("SELECT idempotency.fingerprint, orders.number, orders.document FROM idempotency "
          "JOIN orders ON orders.id = idempotency.order_id "
          "WHERE idempotency.link = ? AND idempotency.key = ?")
COUNT_UP = ("INSERT INTO order_numbers (prefix, last) VALUES (?, ?) ON CONFLICT (prefix) "
            "DO UPDATE SET last = order_numbers.last + excluded.last RETURNING last")
LEAD = ("INSERT INTO delivery_lease (id, worker, until) VALUES (1, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET worker = excluded.worker, until = excluded.until "
        "WHERE delivery_lease.worker = excluded.worker OR delivery_lease.until <= ?")
SENT = ("UPDATE notifications SET state = 'sent', attempts = attempts + 1, sent_at = ?, "
        "last_error = NULL WHERE id = ?")
FAILED = ("UPDATE notifications SET attempts = attempts + 1, last_error = ?, state = ?, "
          "next_attempt_at = ? WHERE id = ?")
MAX_ERROR = 2000  # characters of a failure's reason kept
# The units the stored orders of a season take of one colour × size (order_lines_by_cell);
# a cancelled order's units are back in the stock.
TAKEN = ("SELECT coalesce(sum(l.quantity), 0) FROM order_lines l "
         "JOIN orders o ON o.id = l.order_id "
         "WHERE l.style_no = ? AND l.color = ? AND l.size = ? AND o.season = ? "
         "AND NOT EXISTS (SELECT 1 FROM cancellations c WHERE c.order_id = o.id)")
CANCEL = ("INSERT INTO cancellations (order_id, cancelled_at, reason) "
          "SELECT id, ?, ? FROM orders WHERE number = ? "
          "ON CONFLICT (order_id) DO NOTHING RETURNING order_id")
CANCELLED = ("SELECT o.number, c.cancelled_at, c.reason FROM cancellations c "
             "JOIN orders o ON o.id = c.order_id")
# A new cancellation's notifications: one per channel the order's own went to.
NOTIFY_CANCELLED = ("INSERT INTO notifications (order_id, event, channel, next_attempt_at) "
                    "SELECT DISTINCT order_id, 'order.cancelled', channel, ? FROM notifications "
                    "WHERE order_id = ? AND event = 'order.placed'")
# An invoice of a standing order, recorded once per part.
ISSUE_INVOICE = ("INSERT INTO invoices (order_id, part, issued_on, due_on, recorded_at) "
                 "SELECT o.id, ?, ?, ?, ? FROM orders o WHERE o.number = ? "
                 "AND NOT EXISTS (SELECT 1 FROM cancellations c WHERE c.order_id = o.id) "
                 "ON CONFLICT (order_id, part) DO NOTHING RETURNING order_id")
INVOICES = ("SELECT o.number, i.part, i.issued_on, i.due_on, p.paid_on, p.note, p.written_off, "
            "p.received "
            "FROM invoices i JOIN orders o ON o.id = i.order_id "
            "LEFT JOIN payments p ON p.order_id = i.order_id AND p.part = i.part {where} "
            "ORDER BY o.id, i.recorded_at, "
            "CASE i.part WHEN 'deposit' THEN 0 WHEN 'full' THEN 1 ELSE 2 END")
# A payment of an issued invoice, recorded once.
PAY = ("INSERT INTO payments (order_id, part, paid_on, note, recorded_at, received) "
       "SELECT i.order_id, i.part, ?, ?, ?, ? FROM invoices i "
       "JOIN orders o ON o.id = i.order_id "
       "WHERE o.number = ? AND i.part = ? "
       "ON CONFLICT (order_id, part) DO NOTHING RETURNING order_id")
# The payments recorded with their amounts (`orders paid --amount`), each invoice's in turn.
INSTALLMENTS = ("SELECT o.number, n.part, n.paid_on, n.amount, n.note FROM installments n "
                "JOIN orders o ON o.id = n.order_id {where} ORDER BY n.order_id, n.part, n.seq")
# An issued invoice about to receive a payment: its order, whether it was paid, how many
# payments it has.
RECEIVABLE = ("SELECT i.order_id, p.paid_on, (SELECT count(*) FROM installments n "
              "WHERE n.order_id = i.order_id AND n.part = i.part) "
              "FROM invoices i JOIN orders o ON o.id = i.order_id "
              "LEFT JOIN payments p ON p.order_id = i.order_id AND p.part = i.part "
              "WHERE o.number = ? AND i.part = ?")
# Its next payment, after RECEIVABLE in the same transaction (SQLite's write lock, or
# PostgreSQL's lock of the invoice row, keeps another from coming between).
RECEIVE = ("INSERT INTO installments (order_id, part, seq, paid_on, amount, note, recorded_at) "
           "VALUES (?, ?, ?, ?, ?, ?, ?)")
# The amounts of its payments so far (summed exactly, as decimals, by the store).
PAID_IN = "SELECT amount FROM installments WHERE order_id = ? AND part = ?"
# The payment that pays it, with what the brand gave up of it.
SETTLE = ("INSERT INTO payments (order_id, part, paid_on, note, recorded_at, written_off, "
          "received) VALUES (?, ?, ?, ?, ?, ?, ?)")
# The credit notes of issued invoices (`orders credit`), each invoice's in turn.
CREDITS = ("SELECT o.number, c.part, c.seq, c.issued_on, c.amount, c.reason FROM credit_notes c "
           "JOIN orders o ON o.id = c.order_id {where} ORDER BY c.order_id, c.part, c.seq")
# An issued invoice about to be credited: its order, and how many credit notes it has.
CREDITABLE = ("SELECT i.order_id, (SELECT count(*) FROM credit_notes c "
              "WHERE c.order_id = i.order_id AND c.part = i.part) "
              "FROM invoices i JOIN orders o ON o.id = i.order_id "
              "WHERE o.number = ? AND i.part = ?")
CREDIT = ("INSERT INTO credit_notes (order_id, part, seq, issued_on, amount, reason, recorded_at) "
          "VALUES (?, ?, ?, ?, ?, ?, ?)")
# An invoice's e-mails: one per e-mail channel the order's own notifications went to.
NOTIFY_INVOICE = ("INSERT INTO notifications (order_id, event, channel, next_attempt_at) "
                  "SELECT DISTINCT n.order_id, ?, n.channel, ? FROM notifications n "
                  "JOIN orders o ON o.id = n.order_id WHERE o.number = ? "
                  "AND n.event = 'order.placed' "
                  "AND n.channel IN ('brand-email', 'buyer-email') "
                  "ON CONFLICT (order_id, event, channel) DO NOTHING RETURNING channel")
def _mail_again(event: str) -> str:
    """The statement that queues `event` on each e-mail channel an order's own notifications
    went to (the brand's, the buyer's), due again where it was sent before: a new round."""
    return ("INSERT INTO notifications (order_id, event, channel, next_attempt_at) "
            f"SELECT DISTINCT n.order_id, '{event}', n.channel, ? FROM notifications n "
            "JOIN orders o ON o.id = n.order_id WHERE o.number = ? "
            "AND n.event = 'order.placed' "
            "AND n.channel IN ('brand-email', 'buyer-email') "
            "ON CONFLICT (order_id, event, channel) DO UPDATE SET state = 'pending', "
            "attempts = 0, next_attempt_at = excluded.next_attempt_at, "
            "last_error = NULL, sent_at = NULL, round = notifications.round + 1 "
            "RETURNING channel")


# A payment reminder's e-mails: like an invoice's, and due again at each reminder.
REMIND = _mail_again("invoice.reminder")
# The e-mails of an order's credit notes: every one so far, due again at each new one sent.
SEND_CREDIT_NOTES = _mail_again("invoice.credit_note")
# Migration: the index TAKEN reads (both stores).
CELL_INDEX = "CREATE INDEX order_lines_by_cell ON order_lines (style_no, color, size)"


# An order as it stands: its latest amendment's document, or the one acknowledged (which the
# Idempotency-Key's replays keep returning).
def current(orders: str = "orders") -> str:
    """The expression of an order's current document, its table called `orders`."""
    return ("coalesce((SELECT a.document FROM amendments a WHERE a.order_id = "
            f"{orders}.id ORDER BY a.version DESC LIMIT 1), {orders}.document)")


# Whether a stored order may be amended: (id, cancelled, invoiced).
AMENDABLE = ("SELECT o.id, EXISTS (SELECT 1 FROM cancellations c WHERE c.order_id = o.id), "
             "EXISTS (SELECT 1 FROM invoices i WHERE i.order_id = o.id) "
             "FROM orders o WHERE o.number = ?")
OWN_LINES = "SELECT style_no, color, size, quantity FROM order_lines WHERE order_id = ?"
NEXT_VERSION = "SELECT coalesce(max(version), 0) + 1 FROM amendments WHERE order_id = ?"
INSERT_AMENDMENT = ("INSERT INTO amendments (order_id, version, amended_at, reason, document) "
                    "VALUES (?, ?, ?, ?, ?)")
AMENDMENTS = ("SELECT o.number, a.version, a.amended_at, a.reason FROM amendments a "
              "JOIN orders o ON o.id = a.order_id")
def _notify_again(event: str) -> str:
    """The statement that queues `event` on each channel an order's own notifications went
    to, once per channel: a later one makes it due again (it tells the order as it then
    stands)."""
    return ("INSERT INTO notifications (order_id, event, channel, next_attempt_at) "
            f"SELECT DISTINCT order_id, '{event}', channel, ? FROM notifications "
            "WHERE order_id = ? AND event = 'order.placed' "
            "ON CONFLICT (order_id, event, channel) DO UPDATE SET state = 'pending', "
            "attempts = 0, next_attempt_at = excluded.next_attempt_at, "
            "last_error = NULL, sent_at = NULL, round = notifications.round + 1")


# An amendment's and a shipment's notifications.
NOTIFY_AMENDED = _notify_again("order.amended")


# A shipment: the order (id, cancelled), its lines, what shipped before.
SHIPPABLE = ("SELECT o.id, EXISTS (SELECT 1 FROM cancellations c WHERE c.order_id = o.id) "
             "FROM orders o WHERE o.number = ?")
NEXT_SHIPMENT = "SELECT coalesce(max(shipment), 0) + 1 FROM shipments WHERE order_id = ?"
INSERT_SHIPMENT = ("INSERT INTO shipments (order_id, shipment, shipped_on, carrier, tracking, "
                   "note, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
INSERT_SHIPPED = ("INSERT INTO shipment_lines (order_id, shipment, style_no, color, size, "
                  "quantity) VALUES (?, ?, ?, ?, ?, ?)")
SHIPMENTS = ("SELECT o.number, s.shipment, s.shipped_on, s.carrier, s.tracking, s.note, "
             "l.style_no, l.color, l.size, l.quantity FROM shipments s "
             "JOIN orders o ON o.id = s.order_id "
             "JOIN shipment_lines l ON l.order_id = s.order_id AND l.shipment = s.shipment")
NOTIFY_SHIPPED = _notify_again("order.shipped")


def shipments_query(numbers: Sequence[str] | None) -> tuple[str, list[str]]:
    """The shipments (of `numbers`) with their lines, each order's in turn."""
    where = "" if numbers is None else f" WHERE o.number IN ({', '.join('?' * len(numbers))})"
    return (SHIPMENTS + where + " ORDER BY s.order_id, s.shipment, l.style_no, l.color, l.size",
            [] if numbers is None else list(numbers))


def shipments_of(rows: Iterable[Sequence[Any]],
                 day: Callable[[Any], date]) -> dict[str, list[Shipment]]:
    """SHIPMENTS rows as each order's shipments, in turn."""
    found: dict[tuple[str, int], list[Any]] = {}
    for row in rows:
        found.setdefault((row[0], row[1]), [row, []])[1].append(
            (row[6], row[7], row[8], int(row[9])))
    shipments: dict[str, list[Shipment]] = {}
    for (number, _), (row, cells) in found.items():
        shipments.setdefault(number, []).append(Shipment(
            number=number, shipment=row[1], shipped_on=day(row[2]), carrier=row[3],
            tracking=row[4], note=row[5], cells=tuple(cells)))
    return shipments


def to_ship(number: str, row: Sequence[Any] | None, lines: Sequence[Sequence[Any]],
            shipped: Iterable[Sequence[Any]],
            wanted: Sequence[ToShip] | None) -> tuple[int, list[ShippedCell]]:
    """The order's id and the cells a shipment carries, with their units; ShipmentRefused
    for an order not there or cancelled, for cells not its own and for more units than are
    left of a line to ship (`shipped`: SHIPPED_UNITS, the units each line shipped before)."""
    if row is None:
        raise ShipmentRefused(f"no order '{number}' in the order store; `linesheets orders "
                              "list` shows the numbers")
    order_id, cancelled = row
    if cancelled:
        raise ShipmentRefused(f"order {number} was cancelled: it does not ship")
    units = {(style, color, size): int(quantity) for style, color, size, quantity in lines}
    done = {(style, color, size): int(quantity) for style, color, size, quantity in shipped}
    if wanted is None:
        wanted = [(*cell, None) for cell, quantity in units.items()
                  if quantity > done.get(cell, 0)]
        if not wanted:
            raise ShipmentRefused(f"every line of order {number} has shipped; `linesheets "
                                  f"orders show {number}` lists its shipments")
    carried: list[ShippedCell] = []
    for style, color, size, quantity in wanted:
        cell = (style, color, size)
        if cell not in units:
            raise ShipmentRefused(f"order {number} has no line {' '.join(cell)}")
        left = units[cell] - done.get(cell, 0)
        if left <= 0:
            raise ShipmentRefused(f"order {number}'s line {' '.join(cell)} has shipped whole "
                                  f"({units[cell]} units)")
        if quantity is not None and not 1 <= quantity <= left:
            raise ShipmentRefused(
                f"order {number}'s line {' '.join(cell)} has {left} of its {units[cell]} "
                f"units still to ship, not {quantity}" if quantity > left else
                f"a shipment carries at least 1 unit of a line, not {quantity}")
        carried.append((*cell, left if quantity is None else quantity))
    return int(order_id), carried


ADD_ACTIVITY = (
    "INSERT INTO link_activity (link, day, event, count, last_at) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (link, day, event) DO UPDATE SET "
    "count = link_activity.count + excluded.count, "
    "last_at = CASE WHEN excluded.last_at > link_activity.last_at THEN excluded.last_at "
    "ELSE link_activity.last_at END")


def activity_query(since: date | None, until: date | None, link: str | None,
                   day: Callable[[date], Any]) -> tuple[str, list[Any]]:
    """Buyers' activity per link and event over the UTC days [since, until) (`day`: the
    store's form of a day), of `link` or every link, by link then event."""
    where, values = [], []
    for clause, value in (("day >= ?", since), ("day < ?", until)):
        if value is not None:
            where.append(clause)
            values.append(day(value))
    if link is not None:
        where.append("link = ?")
        values.append(link)
    return ("SELECT link, event, sum(count), max(last_at) FROM link_activity"
            + (f" WHERE {' AND '.join(where)}" if where else "")
            + " GROUP BY link, event ORDER BY link, event", values)


def for_psycopg(sql: str) -> str:
    """The statement with psycopg's placeholders (none of these statements holds a `?`
    otherwise)."""
    return sql.replace("?", "%s")


def receipt(row: Sequence[Any] | None, claim: Claim) -> Receipt | None:
    """The REPLAY row as the stored answer, or IdempotencyConflict for another body."""
    return None if row is None else answer(row, claim)


def answer(row: Sequence[Any], claim: Claim) -> Receipt:
    """A claim's stored (fingerprint, number, document) as its answer, or IdempotencyConflict
    for another body."""
    fingerprint, number, document = row
    if not claim.same_body(fingerprint):
        raise IdempotencyConflict(number)
    return Receipt(number=number, body=document.encode(), replayed=True)


def cancellations_query(numbers: Sequence[str] | None) -> tuple[str, list[str]]:
    """The cancellations (of `numbers`), oldest first."""
    if numbers is None:
        return CANCELLED + " ORDER BY c.order_id", []
    return (CANCELLED + f" WHERE o.number IN ({', '.join('?' * len(numbers))}) "
            "ORDER BY c.order_id", list(numbers))


def amendments_query(numbers: Sequence[str] | None) -> tuple[str, list[str]]:
    """The amendments (of `numbers`), each order's in turn."""
    if numbers is None:
        return AMENDMENTS + " ORDER BY a.order_id, a.version", []
    return (AMENDMENTS + f" WHERE o.number IN ({', '.join('?' * len(numbers))}) "
            "ORDER BY a.order_id, a.version", list(numbers))


def amendable(row: Sequence[Any] | None, number: str) -> int:
    """The id of the order of an AMENDABLE row, or AmendmentRefused saying why not."""
    if row is None:
        raise AmendmentRefused(f"no order '{number}' in the order store; `linesheets orders "
                               "list` shows the numbers")
    order_id, cancelled, invoiced = row
    if cancelled:
        raise AmendmentRefused(f"order {number} was cancelled: it cannot be amended")
    if invoiced:
        raise AmendmentRefused(f"order {number} has been invoiced, and an invoice keeps its "
                               "amounts: amend an order before invoicing it, or cancel it and "
                               "let the buyer order again")
    return int(order_id)


# The units each line of an order shipped so far (a line ships in one or more parts).
SHIPPED_UNITS = ("SELECT style_no, color, size, sum(quantity) FROM shipment_lines "
                 "WHERE order_id = ? GROUP BY style_no, color, size")


def keeps_shipped(number: str, shipped: Iterable[Sequence[Any]],
                  lines: Iterable[tuple[str, str, str, int]]) -> None:
    """AmendmentRefused when an amendment takes a line below the units it shipped (or
    removes it): what left cannot be taken back by changing the order."""
    now = {(style, color, size): quantity for style, color, size, quantity in lines}
    for style, color, size, quantity in shipped:
        if now.get((style, color, size), 0) < int(quantity):
            raise AmendmentRefused(f"order {number}'s line {style} {color} {size} has shipped "
                                   f"{quantity} units: it cannot go below them; amend what is "
                                   "still to ship")


def next_version(number: str, version: int, after: int) -> int:
    """The amendment's version, or AmendmentRefused when another came since the change was
    made on `after` of them."""
    if version != after + 1:
        raise AmendmentRefused(f"order {number} was amended meanwhile (amendment "
                               f"{version - 1}): look at it again (`linesheets orders show "
                               f"{number}`) and run the command again")
    return version


def own_taken(rows: Iterable[Sequence[Any]], season: str) -> dict[StockCell, int]:
    """OWN_LINES rows as the units the order itself takes of each cell."""
    own: dict[StockCell, int] = {}
    for style_no, color, size, quantity in rows:
        cell = (season, style_no, color, size)
        own[cell] = own.get(cell, 0) + int(quantity)
    return own


def amendment(row: Sequence[Any], moment: Callable[[Any], datetime]) -> Amendment:
    """A row of AMENDMENTS, with the store's moment read by `moment`."""
    return Amendment(number=row[0], version=row[1], at=moment(row[2]), reason=row[3])


def cancellation(row: Sequence[Any], moment: Callable[[Any], datetime]) -> Cancellation:
    """A row of CANCELLED, with the store's moment read by `moment`."""
    return Cancellation(number=row[0], at=moment(row[1]), reason=row[2])


def invoice(row: Sequence[Any], day: Callable[[Any], date]) -> Invoice:
    """A row of INVOICES, with the store's date read by `day`."""
    return Invoice(order_number=row[0], part=row[1], issued_on=day(row[2]), due_on=day(row[3]),
                   paid_on=None if row[4] is None else day(row[4]), payment_note=row[5],
                   written_off=None if row[6] is None else Decimal(row[6]),
                   paid=None if row[7] is None else Decimal(row[7]))


def invoices_query(numbers: Sequence[str] | None) -> tuple[str, list[str]]:
    """The invoices (of `numbers`) with their payments, each order's in the order they were
    issued."""
    return _of_orders(INVOICES, numbers)


def installments_query(numbers: Sequence[str] | None) -> tuple[str, list[str]]:
    """The payments recorded with amounts (of `numbers`' invoices), each invoice's in turn."""
    return _of_orders(INSTALLMENTS, numbers)


def _of_orders(query: str, numbers: Sequence[str] | None) -> tuple[str, list[str]]:
    if numbers is None:
        return query.format(where=""), []
    return (query.format(where=f"WHERE o.number IN ({', '.join('?' * len(numbers))})"),
            list(numbers))


def credits_query(numbers: Sequence[str] | None) -> tuple[str, list[str]]:
    """The credit notes (of `numbers`' invoices), each invoice's in turn."""
    return _of_orders(CREDITS, numbers)


def with_received(invoices: Sequence[Invoice], payments: Iterable[Sequence[Any]],
                  credits: Iterable[Sequence[Any]], day: Callable[[Any], date]) -> list[Invoice]:
    """The invoices with their payments (INSTALLMENTS rows) and credit notes (CREDITS')."""
    received: dict[tuple[str, str], list[Installment]] = {}
    for number, part, paid_on, amount, note in payments:
        received.setdefault((number, part), []).append(
            Installment(day(paid_on), Decimal(amount), note))
    credited: dict[tuple[str, str], list[CreditNote]] = {}
    for number, part, seq, issued_on, amount, reason in credits:
        credited.setdefault((number, part), []).append(
            CreditNote(number, part, int(seq), day(issued_on), Decimal(amount), reason))
    return [replace(each, received=tuple(received.get(key, ())),
                    credited=tuple(credited.get(key, ())))
            if (key := (each.order_number, each.part)) in received or key in credited else each
            for each in invoices]


def creditable(row: Sequence[Any] | None, note: CreditNote) -> int | None:
    """The order id of a CREDITABLE row (None: no such invoice), or CreditRefused when the
    invoice has other credit notes than the one before `note`."""
    if row is None:
        return None
    order_id, count = row
    if int(count) != note.seq - 1:
        invoice = Invoice.number_of(note.order_number, note.part)
        raise CreditRefused(f"another credit note of invoice {invoice} was issued meanwhile: "
                            f"look at it again (`linesheets orders show {note.order_number}`) "
                            "and run the command again")
    return int(order_id)


def receivable(row: Sequence[Any] | None, number: str, seen: int) -> int | None:
    """The order id of a RECEIVABLE row (None: no such invoice), or PaymentRefused when the
    invoice was paid or has other payments than the `seen` ones."""
    if row is None:
        return None
    order_id, paid_on, count = row
    if paid_on is not None:
        raise PaymentRefused(f"invoice {number} was recorded paid on {paid_on}: nothing is "
                             "outstanding")
    if int(count) != seen:
        raise PaymentRefused(f"another payment of invoice {number} was recorded meanwhile: "
                             "look at it again (`linesheets orders invoices`) and run the "
                             "command again")
    return int(order_id)


def by_order(invoices: Sequence[Invoice]) -> dict[str, tuple[Invoice, ...]]:
    """Invoices grouped by their order's number, each group in its given order."""
    grouped: dict[str, list[Invoice]] = {}
    for invoice in invoices:
        grouped.setdefault(invoice.order_number, []).append(invoice)
    return {number: tuple(group) for number, group in grouped.items()}


def issued(wanted: Invoice, issued: Sequence[Invoice],
           new: bool) -> tuple[Invoice, bool] | None:
    """issue_invoice's answer from the order's invoices after the insert: the one of the
    wanted part (new or not), or None when there is none (no standing order)."""
    stored = next((each for each in issued if each.part == wanted.part), None)
    return None if stored is None else (stored, new)


def number(prefix: str, last: int) -> str:
    """A human order number: SS27-000042."""
    return f"{prefix}-{last:06d}"


def failed_values(notification_id: int, now: Any, error: str,
                  retry_at: Any | None) -> tuple[Any, ...]:
    """FAILED's values: due again at retry_at, or given up when it is None."""
    return (error[:MAX_ERROR], "pending" if retry_at else "failed", retry_at or now,
            notification_id)


def resend_query(number: str, channels: Sequence[str], due: Any) -> tuple[str, list[Any]]:
    """Make an order's given-up notifications on `channels` due again at `due`, tried from the
    start (their last error stays until the next try replaces it); returns their channels."""
    sql = ("UPDATE notifications SET state = 'pending', attempts = 0, next_attempt_at = ? "
           "WHERE state = 'failed' AND order_id = (SELECT id FROM orders WHERE number = ?) "
           f"AND channel IN ({', '.join('?' * len(channels))}) RETURNING channel")
    return sql, [due, number, *channels]


def orders_query(where: OrderFilter, moment: Callable[[datetime], Any]) -> tuple[str, list[Any]]:
    """The order documents matching `where`, oldest first."""
    clauses, values = [], []
    for column, value in (("link", where.link), ("season", where.season)):
        if value is not None:
            clauses.append(f"{column} = ?")
            values.append(value)
    if where.since is not None:
        clauses.append("received_at >= ?")
        values.append(moment(where.since))
    if where.until is not None:
        clauses.append("received_at < ?")
        values.append(moment(where.until))
    if where.status is not None:
        clauses.append(("NOT " if where.status == "placed" else "")
                       + "EXISTS (SELECT 1 FROM cancellations c WHERE c.order_id = orders.id)")
    matching = " WHERE " + " AND ".join(clauses) if clauses else ""
    if where.latest is not None:  # the last ones, read by the primary key's index backwards
        return (f"SELECT {current()} FROM orders WHERE id IN (SELECT id FROM orders{matching}"
                " ORDER BY id DESC LIMIT ?) ORDER BY id", [*values, where.latest])
    return f"SELECT {current()} FROM orders{matching} ORDER BY id", values


def notifications_query(order_number: str | None) -> tuple[str, list[str]]:
    """The outbox, or one order's part of it, oldest first."""
    sql = ("SELECT n.id, o.number, n.channel, n.state, n.attempts, n.next_attempt_at, "
           "n.last_error, n.sent_at, n.event "
           "FROM notifications n JOIN orders o ON o.id = n.order_id")
    if order_number is None:
        return sql + " ORDER BY n.id", []
    return sql + " WHERE o.number = ? ORDER BY n.id", [order_number]


def notification_status(row: Sequence[Any],
                        moment: Callable[[Any], datetime]) -> NotificationStatus:
    """A row of notifications_query, with the store's moments read by `moment`."""
    return NotificationStatus(
        id=row[0], order_number=row[1], channel=row[2], state=row[3], attempts=row[4],
        next_attempt_at=moment(row[5]) if row[3] == "pending" else None, last_error=row[6],
        sent_at=moment(row[7]) if row[7] else None, event=row[8])
