"""The store interface: what the endpoint needs of durable order storage, whatever the backend.

An order is placed under an idempotency claim in one transaction: either the claim is new and
the order, its lines and the claim commit together, or the claim exists and its stored answer
is returned byte for byte. `place` returns only after the commit, so an acknowledged order is
durable.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Literal, Protocol

from pydantic import TypeAdapter

from generator.errors import LinesheetsError
from order_api.schemas import (
    BuyerDetails,
    Order,
    PostalAddress,
    PriceStep,
    Quote,
    ShippingState,
)

# What an order's number is until a store gives it one (see Draft).
NUMBER_SLOT = "{order-number}"
_NUMBER_FIELD = '"order_number":"'
_STEPS: TypeAdapter[list[PriceStep]] = TypeAdapter(list[PriceStep])
_MOMENT: TypeAdapter[datetime] = TypeAdapter(datetime)
_NOTE: TypeAdapter[str | None] = TypeAdapter(str | None)


class StoreError(LinesheetsError):
    """The store cannot be opened or migrated (a setting or the database file is wrong)."""


class StoreUnavailable(LinesheetsError):
    """The database did not answer in time or refused a write; the request may be retried."""


class IdempotencyConflict(LinesheetsError):
    """An Idempotency-Key already placed an order with another body."""

    def __init__(self, number: str) -> None:
        super().__init__(f"this Idempotency-Key already placed order {number} with another "
                         "body; use a new key for a new order")
        self.number = number


# A colour × size of a season's style, whose stock orders take from: (season, style_no,
# colour, size).
StockCell = tuple[str, str, str, str]


@dataclass(frozen=True)
class Limit:
    """A line of an order whose colour × size has a stock (the manifest's `stock`): the units
    it takes and the units the brand can take orders for in all."""

    position: int  # the line's index in the order, for the buyer's page to mark it
    cell: StockCell
    quantity: int
    stock: int

    def shortage(self, taken: int) -> Shortage | None:
        """What is missing when stored orders already took `taken` of the stock."""
        left = max(0, self.stock - taken)
        return None if self.quantity <= left else Shortage(self.position, self.cell,
                                                            self.quantity, left)


@dataclass(frozen=True)
class Shortage:
    """A line that wants more units than its colour × size has left."""

    position: int
    cell: StockCell
    quantity: int
    left: int

    def describe(self) -> str:
        """E.g. "SS27-009 SND / M: 4 left, 6 wanted"."""
        _, style_no, color, size = self.cell
        return (f"{style_no} {color} / {size}: "
                f"{f'{self.left} left' if self.left else 'none left'}, {self.quantity} wanted")


class OutOfStock(LinesheetsError):
    """An order wants more of a colour × size than its stock has left; nothing was stored."""

    def __init__(self, shortages: Sequence[Shortage]) -> None:
        super().__init__("not enough left: " + "; ".join(item.describe() for item in shortages)
                         + "; lower those quantities (or remove the lines) and send again")
        self.shortages = tuple(shortages)


def shortages(limits: Sequence[Limit], taken: Mapping[StockCell, int]) -> list[Shortage]:
    """The lines of `limits` that want more than is left, given the units `taken` of each
    cell by stored orders."""
    return [short for limit in limits
            if (short := limit.shortage(taken.get(limit.cell, 0))) is not None]


@dataclass(frozen=True)
class Claim:
    """An Idempotency-Key of a link and the fingerprint of the body sent with it."""

    link: str
    key: str
    fingerprint: str  # of the request body, as the endpoint takes it (endpoints.py)
    # The body's fingerprint in the form endpoints before 0.2 stored (no "2:" prefix), made
    # only when a stored one has that form: a retry across an upgrade still matches.
    earlier: Callable[[], str] | None = field(default=None, compare=False, repr=False)

    def same_body(self, stored: str) -> bool:
        """Whether a stored fingerprint under this claim's key is of this claim's body."""
        if stored == self.fingerprint:
            return True
        return (self.earlier is not None and ":" not in stored
                and ":" in self.fingerprint and stored == self.earlier())


@dataclass(frozen=True)
class Receipt:
    """An order's acknowledgement: the 201 body exactly as first sent."""

    number: str
    body: bytes
    replayed: bool  # an earlier request with the same claim placed it


@dataclass(frozen=True)
class Draft:
    """An order complete but for its number, serialized before it reaches the store.

    Made by the request's handler; a store's transaction only splices the number into the
    document, so no model or JSON work happens while the database's write lock is held. A
    new order is serialized from its quote and the buyer's details (`priced`) without an
    Order model being built and validated again: the document is the one Order would write.
    """

    quote: Quote  # the priced order: link, season, lines and totals (an Order is one too)
    buyer: BuyerDetails
    received_at: datetime
    head: str  # the JSON document up to the number's place...
    tail: str  # ...and after it
    breakdowns: tuple[str, ...]  # each line's price breakdown as a JSON array

    @classmethod
    def of(cls, order: Order) -> Draft:
        """The draft of an order made with `order_number=NUMBER_SLOT`."""
        if order.order_number != NUMBER_SLOT:
            raise ValueError(f"a draft's order_number must be {NUMBER_SLOT!r}")
        document = order.model_dump_json()
        # A quote inside a JSON string is always escaped, so the field's opening is found
        # only where the field is.
        start = document.index(_NUMBER_FIELD + NUMBER_SLOT) + len(_NUMBER_FIELD)
        return cls(order, order.buyer, order.received_at, document[:start],
                   document[start + len(NUMBER_SLOT):], _breakdowns(order))

    @classmethod
    def priced(cls, quote: Quote, buyer: BuyerDetails, address: PostalAddress | None,
               note: str | None, received_at: datetime,
               breakdowns: tuple[str, ...] | None = None) -> Draft:
        """The draft of the order of `quote` by `buyer`: Order's fields after the quote's, in
        Order's order (the tests hold the document to Order's serialization). `breakdowns`:
        the lines' breakdowns already serialized (the endpoint keeps them per build)."""
        quoted = quote.model_dump_json()
        tail = "".join((
            '","received_at":', _MOMENT.dump_json(received_at).decode(),
            ',"buyer":', buyer.model_dump_json(),
            ',"address":', "null" if address is None else address.model_dump_json(),
            ',"note":', _NOTE.dump_json(note).decode(), "}"))
        return cls(quote, buyer, received_at, quoted[:-1] + "," + _NUMBER_FIELD, tail,
                   _breakdowns(quote) if breakdowns is None else breakdowns)

    def document(self, number: str) -> str:
        """The stored and acknowledged JSON document of the order numbered `number`."""
        return self.head + number + self.tail


def breakdown_json(steps: list[PriceStep]) -> str:
    """A line's price breakdown as the order_lines table stores it: a JSON array."""
    return _STEPS.dump_json(steps).decode()


def _breakdowns(quote: Quote) -> tuple[str, ...]:
    return tuple(breakdown_json(line.breakdown) for line in quote.lines)


@dataclass(frozen=True)
class OrderFilter:
    """Which orders to list: by link, season, received time (from inclusive, to exclusive) and
    status (placed: standing; cancelled: cancelled by the brand); `latest`: only the last
    that many of those (still oldest first)."""

    link: str | None = None
    season: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    status: Literal["placed", "cancelled"] | None = None
    latest: int | None = None


@dataclass(frozen=True)
class Cancellation:
    """A brand's cancellation of a stored order: when and why. The order's document stays as
    it was acknowledged; its units go back to the stock."""

    number: str
    at: datetime
    reason: str | None


@dataclass(frozen=True)
class Amendment:
    """A brand's change of a stored order's quantities: when, why, and its turn (1 for the
    first). The acknowledged document stays (its Idempotency-Key replays it); the order
    stands as the latest amendment left it."""

    number: str
    version: int
    at: datetime
    reason: str | None


class AmendmentRefused(LinesheetsError):
    """An order the store will not amend: none, cancelled, invoiced, or a shipped line
    changed."""


# A colour × size of an order and its units: what a shipment carries of it.
ShippedCell = tuple[str, str, str, int]  # style_no, color, size, quantity
# A line of an order to ship, by style, colour and size (which an order holds once each) and
# its units, None for every unit of it still to ship.
ToShip = tuple[str, str, str, int | None]


@dataclass(frozen=True)
class Shipment:
    """A shipment of an order's lines (named by style, colour and size, which an order holds
    once each), each whole or in part: when, how, and what it carried."""

    number: str  # the order's
    shipment: int  # 1 for the order's first
    shipped_on: date
    carrier: str | None
    tracking: str | None
    note: str | None
    cells: tuple[ShippedCell, ...]

    def as_json(self) -> dict[str, object]:
        """The shipment as the webhook and the JSON export carry it."""
        return {"shipment": self.shipment, "shipped_on": self.shipped_on.isoformat(),
                "carrier": self.carrier, "tracking": self.tracking, "note": self.note,
                "lines": [{"style_no": style, "color": color, "size": size,
                           "quantity": quantity}
                          for style, color, size, quantity in self.cells]}


def shipped_units(shipments: Iterable[Shipment]) -> dict[tuple[str, str, str], int]:
    """The units shipped so far of each line (by style, colour and size) of an order's
    shipments: a line ships in parts, each shipment carrying some of its units."""
    units: dict[tuple[str, str, str], int] = {}
    for shipment in shipments:
        for style, color, size, quantity in shipment.cells:
            units[(style, color, size)] = units.get((style, color, size), 0) + quantity
    return units


def shipping_state(order: Order, shipped: int) -> ShippingState:
    """How much of an order has shipped, by its `shipped` units: none, part or all (the
    back office's list and the buyer's order history say it alike)."""
    if not shipped:
        return "none"
    return "all" if shipped >= sum(line.quantity for line in order.lines) else "part"


class ShipmentRefused(LinesheetsError):
    """A shipment the store will not record: no such order, cancelled, or lines that are not
    the order's, or more units than are left of them to ship."""


# Which part of an order an invoice bills: all of it (terms without a deposit), or its deposit
# and then its balance.
InvoicePart = Literal["full", "deposit", "balance"]
_INVOICE_SUFFIX: dict[InvoicePart, str] = {"full": "", "deposit": "-D", "balance": "-B"}
_SUFFIX_PART: dict[str, InvoicePart] = {suffix: part for part, suffix in _INVOICE_SUFFIX.items()}


@dataclass(frozen=True)
class Installment:
    """Money received for an invoice, as the brand records it (`orders paid --amount`): a
    part of what it asks, or the last part, which pays it."""

    paid_on: date
    amount: Decimal
    note: str | None


@dataclass(frozen=True)
class CreditNote:
    """A part of an issued invoice the brand gives back (a discount after delivery, goods
    returned, a refund): its turn among the invoice's, its date, the amount with tax, why."""

    order_number: str
    part: InvoicePart
    seq: int  # 1 for the invoice's first
    issued_on: date
    amount: Decimal
    reason: str

    @property
    def number(self) -> str:
        """CN-SS27-000042-1, or with the invoice's -D or -B: tied to its invoice, unique."""
        return f"CN-{self.order_number}{_INVOICE_SUFFIX[self.part]}-{self.seq}"

    @staticmethod
    def parse_number(text: str) -> tuple[str, InvoicePart, int] | None:
        """The order number, part and turn a credit note number names, or None."""
        found = re.fullmatch(r"CN-(.+?)(-D|-B)?-([1-9][0-9]{0,5})", text.strip())
        if found is None:
            return None
        return found[1], _SUFFIX_PART[found[2] or ""], int(found[3])


class CreditRefused(LinesheetsError):
    """A credit note the store will not record: another was issued meanwhile (what the
    invoice still asks changed)."""


class PaymentRefused(LinesheetsError):
    """A payment the store will not record: the invoice was paid, or another payment of it
    was recorded meanwhile (what is outstanding changed)."""


@dataclass(frozen=True)
class Invoice:
    """An invoice the brand issued for a stored order: the part it bills, its date and when
    payment is due. Its amounts are the order's, which never change; it is recorded so that
    printing it again gives the same invoice, with the same number and dates."""

    order_number: str
    part: InvoicePart
    issued_on: date
    due_on: date
    paid_on: date | None = None  # when the brand recorded it paid (`orders paid`)
    payment_note: str | None = None
    # The payments recorded with their amounts, in turn; none when it was paid whole at once.
    received: tuple[Installment, ...] = ()
    # What the brand gave up when it took less as payment in full (a bank's charges).
    written_off: Decimal | None = None
    # What the brand gave back of it since (credit notes), in turn.
    credited: tuple[CreditNote, ...] = ()
    # All that was received of it when it was recorded paid (None: recorded paid before
    # credit notes, when it was all it asked but what was written off).
    paid: Decimal | None = None

    def owed(self, due: Decimal) -> Decimal:
        """What it asks of `due`, its amount, once its credit notes are taken off."""
        return due - sum((each.amount for each in self.credited), Decimal(0))

    def received_of(self, due: Decimal) -> Decimal:
        """What was received of `due`, the amount it asks: once it is paid, all that was
        received then (a credit note issued after it is owed back); until then, its
        payments'."""
        if self.paid_on is not None:
            return self.paid if self.paid is not None else due - (self.written_off or 0)
        return sum((each.amount for each in self.received), Decimal(0))

    @property
    def number(self) -> str:
        """INV-SS27-000042, or with -D (deposit) or -B (balance): tied to its order, unique."""
        return self.number_of(self.order_number, self.part)

    @staticmethod
    def number_of(order_number: str, part: InvoicePart) -> str:
        """The number of an order's invoice of a part (`number`)."""
        return f"INV-{order_number}{_INVOICE_SUFFIX[part]}"

    @staticmethod
    def parse_number(text: str) -> tuple[str, InvoicePart] | None:
        """The order number and part an invoice number names, or None for another text."""
        found = re.fullmatch(r"INV-(.+?)(-D|-B)?", text.strip())
        if found is None:
            return None
        return found[1], _SUFFIX_PART[found[2] or ""]


# What a notification announces: a new order, its cancellation, amendment or shipment by the
# brand, or an invoice of it, a payment reminder or its credit notes the brand sends (by
# e-mail only, the documents attached).
Event = Literal["order.placed", "order.cancelled", "order.amended", "order.shipped",
                "invoice.full", "invoice.deposit", "invoice.balance", "invoice.reminder",
                "invoice.credit_note"]

# Who hears about an order: the brand's addresses, the buyer, the brand's webhook.
Channel = Literal["brand-email", "buyer-email", "webhook"]
CHANNELS: tuple[Channel, ...] = ("brand-email", "buyer-email", "webhook")


@dataclass(frozen=True)
class Notification:
    """One message of the outbox, claimed by a delivery worker."""

    id: int
    order_number: str
    channel: Channel
    attempts: int  # tries before this one
    order: Order
    event: Event = "order.placed"
    cancellation: Cancellation | None = None  # the order's, when it was cancelled
    invoices: tuple[Invoice, ...] = ()  # the order's, for an invoice's notification
    amendment: Amendment | None = None  # the latest, for an amendment's notification
    shipments: tuple[Shipment, ...] = ()  # every one, for a shipment's notification
    # How often it was queued again (an amendment, a shipment or a reminder after the first):
    # each round is a new message, a retry within a round the same one.
    round: int = 0

    @property
    def delivery_id(self) -> str:
        """The message's identity, the same over the retries of one round: the webhook's
        Linesheets-Delivery, the e-mail's Message-ID."""
        return str(self.id) if not self.round else f"{self.id}.{self.round}"

    @property
    def invoice(self) -> Invoice | None:
        """The invoice an `invoice.*` notification sends."""
        return next((each for each in self.invoices if f"invoice.{each.part}" == self.event),
                    None)


@dataclass(frozen=True)
class NotificationStatus:
    """Where a notification stands, for `linesheets orders show` and the tests."""

    id: int
    order_number: str
    channel: Channel
    state: Literal["pending", "sent", "failed"]  # failed: given up after its tries
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    sent_at: datetime | None
    event: Event = "order.placed"


ActivityEvent = Literal["viewed", "unlocked", "quoted"]
# (link, UTC day, event) -> (how many, the latest at): what the endpoint counted meanwhile.
ActivityCounts = Mapping[tuple[str, date, ActivityEvent], tuple[int, datetime]]


@dataclass(frozen=True)
class Activity:
    """What buyers did on a link over some days: pages viewed (`viewed`), sealed pages opened
    with the key the endpoint gave (`unlocked`), carts priced (`quoted`); how many times, and
    the latest."""

    link: str
    event: ActivityEvent
    count: int
    last_at: datetime


class OrderStore(Protocol):
    """Durable orders, idempotency records, order-number sequences and the outbox.

    The outbox: placing an order writes one notification per channel in the same
    transaction, so an acknowledged order is never without its notifications, whatever
    happens to the process afterwards. A delivery worker claims due ones, sends them, and
    records the outcome.
    """

    # The schema version the store found on opening and the one it migrated it to (equal
    # when it was current; 0 found: it created the schema).
    schema: tuple[int, int]

    def replay(self, claim: Claim) -> Receipt | None:
        """The stored answer of a claim already placed, None if new; IdempotencyConflict if the
        key placed an order with another body."""
        ...

    async def place(self, claim: Claim, prefix: str, draft: Draft,
                    notify: Sequence[Channel] = (), limits: Sequence[Limit] = ()) -> Receipt:
        """Place the draft with the next number of `prefix` (e.g. SS27-000042), unless the
        claim was placed meanwhile (then its stored answer), with one notification per channel
        of `notify` due at once. Returns after the commit. OutOfStock, and nothing stored, when
        a line of `limits` wants more than the stored orders left of its cell's stock (counted
        inside the transaction: concurrent orders cannot take the same units twice).

        Async, so a backend can commit many orders together (SQLite's group commit) without
        a thread per waiting request."""
        ...

    def taken(self, cells: Sequence[StockCell]) -> dict[StockCell, int]:
        """The units stored orders take of each cell (0 for none), for a quote to say what
        is left; an order counts them again in its own transaction."""
        ...

    def order(self, number: str) -> Order | None:
        """One stored order by number."""
        ...

    def orders(self, where: OrderFilter) -> Iterator[Order]:
        """Stored orders, oldest first."""
        ...

    def lead_delivery(self, worker: str, now: datetime, lease: timedelta) -> bool:
        """Become (or stay) the one delivery worker of all instances until now + lease; False
        while another worker's lease runs."""
        ...

    def due_notifications(self, now: datetime, limit: int,
                          lease: timedelta) -> list[Notification]:
        """Claim up to `limit` pending notifications due at `now`, oldest first; each is
        held until now + lease, so a worker that dies mid-send does not lose it."""
        ...

    def notification_sent(self, notification_id: int, now: datetime) -> None:
        """Record a delivery."""
        ...

    def notification_failed(self, notification_id: int, now: datetime, error: str,
                            retry_at: datetime | None) -> None:
        """Record a failed try: due again at retry_at, or given up when it is None."""
        ...

    def notifications(self, order_number: str | None = None) -> list[NotificationStatus]:
        """The outbox (of one order), oldest first."""
        ...

    def resend(self, order_number: str, channels: Sequence[Channel],
               now: datetime) -> list[Channel]:
        """Make the order's given-up notifications on `channels` due again now, with their
        tries counted from zero; returns the channels queued again (none were given up: [])."""
        ...

    def cancel(self, number: str, reason: str | None,
               now: datetime) -> tuple[Cancellation, bool] | None:
        """Cancel a stored order at `now`: its cancellation and True, or the earlier one and
        False when it was cancelled already; None when there is no such order. A new
        cancellation queues an `order.cancelled` notification on each channel the order's own
        notifications went to, in the same transaction."""
        ...

    def cancellations(self, numbers: Sequence[str] | None = None) -> dict[str, Cancellation]:
        """The cancelled orders (of `numbers`), by number."""
        ...

    def amend(self, amended: Order, reason: str | None, now: datetime,
              limits: Sequence[Limit] = (), after: int = 0) -> Amendment:
        """Store `amended` as the order now stands (same number), its lines replacing the old
        ones, and queue an `order.amended` notification on each channel the order's went to,
        in one transaction. `limits`: its lines' cells with a stock, counted without the
        order's own units (OutOfStock when short). `after`: the amendments the change was made
        on; another one since refuses it (no amendment overwrites one it did not see).
        AmendmentRefused for an order that is not there, was cancelled or was invoiced."""
        ...

    def amendments(self, numbers: Sequence[str] | None = None) -> dict[str, list[Amendment]]:
        """The amendments (of `numbers`), by order number, each order's in turn."""
        ...

    def ship(self, number: str, cells: Sequence[ToShip] | None,
             shipped_on: date, carrier: str | None, tracking: str | None, note: str | None,
             now: datetime) -> Shipment:
        """Record a shipment of an order's lines named by (style_no, color, size) with the
        units that left of each (None: all it has still to ship; `cells` None: every unit of
        every line still to ship), and queue an `order.shipped` notification on each channel
        the order's went to, in one transaction. ShipmentRefused says why not."""
        ...

    def shipments(self, numbers: Sequence[str] | None = None) -> dict[str, list[Shipment]]:
        """The shipments (of `numbers`), by order number, each order's in turn."""
        ...

    def issue_invoice(self, invoice: Invoice, now: datetime) -> tuple[Invoice, bool] | None:
        """Record an invoice of a standing order, once per part: it and True, or the one
        issued earlier for that part and False; None when no order of that number stands (there
        is none, or it was cancelled)."""
        ...

    def invoices(self, number: str | None = None) -> list[Invoice]:
        """The invoices issued (for an order), with their payments, each order's in the order
        they were issued."""
        ...

    def record_payment(self, number: str, part: InvoicePart, paid_on: date, note: str | None,
                       now: datetime, received: Decimal | None = None
                       ) -> tuple[Invoice, bool] | None:
        """Record that an issued invoice was paid (once), `received` in all: it, with its
        payment, and True; or with the payment recorded earlier and False; None when no such
        invoice was issued."""
        ...

    def receive(self, number: str, part: InvoicePart, payment: Installment, now: datetime, *,
                seen: int, pays: bool = False,
                written_off: Decimal | None = None) -> Invoice | None:
        """Record money received for an issued, unpaid invoice whose payments recorded so far
        are `seen` in number; with `pays`, the invoice is paid by it (`written_off`: what the
        brand gives up of what was outstanding), all its payments received. The invoice as it
        now stands, or None when no such invoice was issued; PaymentRefused when it was paid,
        or `seen` is out of date."""
        ...

    def credit(self, note: CreditNote, now: datetime) -> Invoice | None:
        """Record a credit note of an issued invoice, whose credit notes so far are one fewer
        than its turn (`note.seq`): the invoice as it now stands, or None when no such
        invoice was issued; CreditRefused when another was recorded meanwhile."""
        ...

    def remind(self, number: str, now: datetime) -> list[Channel]:
        """Queue a payment reminder of an order's unpaid invoices on each e-mail channel the
        order's own notifications went to (due again if one was sent before); returns the
        channels queued (none: the order was placed without e-mails)."""
        ...

    def send_invoice(self, invoice: Invoice, now: datetime) -> list[Channel]:
        """Queue an issued invoice's e-mail on each e-mail channel the order's own
        notifications went to (the buyer's, the brand's), once per channel; returns the
        channels newly queued."""
        ...

    def send_credit_notes(self, number: str, now: datetime) -> list[Channel]:
        """Queue the e-mail of an order's credit notes (every one issued so far) on each
        e-mail channel the order's own notifications went to, due again where one was sent
        before; returns the channels queued (none: the order was placed without e-mails)."""
        ...

    def record_activity(self, counts: ActivityCounts) -> None:
        """Add counts of buyers' activity to the stored ones (one transaction)."""
        ...

    def activity(self, since: date | None = None, until: date | None = None,
                 link: str | None = None) -> list[Activity]:
        """Buyers' activity per link and event over UTC days since (inclusive) and until
        (exclusive), of one link or all."""
        ...

    def check(self) -> None:
        """Raise StoreUnavailable unless the database answers (for /healthz)."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...
