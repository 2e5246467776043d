"""Order storage: the interface the endpoint uses, and `open_store` choosing a backend by URL.

SQLite in a file by default (nothing to install); PostgreSQL (postgresql://…) for several
instances implements the same OrderStore, and shares unlock throttling between them.
"""

from __future__ import annotations

import sys
from pathlib import Path

from order_api.store.base import (
    CHANNELS,
    NUMBER_SLOT,
    Activity,
    ActivityCounts,
    ActivityEvent,
    Amendment,
    AmendmentRefused,
    Cancellation,
    Channel,
    Claim,
    CreditNote,
    CreditRefused,
    Draft,
    Event,
    IdempotencyConflict,
    Installment,
    Invoice,
    InvoicePart,
    Limit,
    Notification,
    NotificationStatus,
    OrderFilter,
    OrderStore,
    OutOfStock,
    PaymentRefused,
    Receipt,
    Shipment,
    ShipmentRefused,
    Shortage,
    StockCell,
    StoreError,
    StoreUnavailable,
    ToShip,
    shipped_units,
    shipping_state,
    shortages,
)
from order_api.store.sqlite import SQLiteStore
from order_api.throttle import MemoryThrottle, Throttle

__all__ = ["CHANNELS", "DEFAULT_DATABASE_URL", "NUMBER_SLOT", "Activity", "ActivityCounts",
           "ActivityEvent", "Amendment", "AmendmentRefused",
           "Cancellation", "Channel", "Claim", "CreditNote", "CreditRefused", "Draft", "Event",
           "IdempotencyConflict", "Installment", "Invoice", "InvoicePart", "Limit",
           "Notification", "NotificationStatus", "OrderFilter", "OrderStore", "OutOfStock",
           "PaymentRefused", "Receipt", "SQLiteStore", "Shipment", "ShipmentRefused",
           "Shortage", "StockCell", "StoreError", "StoreUnavailable", "ToShip", "inspect_store",
           "open_store", "shipped_units", "shipping_state", "shortages", "sqlite_path",
           "store_throttle"]

DEFAULT_DATABASE_URL = "sqlite:///data/orders.sqlite3"


def open_store(database_url: str | None) -> OrderStore:
    """Open (creating and migrating) the store a DATABASE_URL names; None: the default file."""
    url = database_url or DEFAULT_DATABASE_URL
    path = sqlite_path(url)
    if path is not None:
        return SQLiteStore(path)
    if url.startswith(("postgresql://", "postgres://")):
        from order_api.store.postgres import PostgresStore  # psycopg loads only when used

        return PostgresStore(url)
    raise _not_understood(url)


def _not_understood(url: str) -> StoreError:
    return StoreError(f"DATABASE_URL '{_redacted(url)}' is not understood; give an SQLite file "
                      "as sqlite:///relative/path.db or sqlite:////absolute/path.db, or a "
                      "PostgreSQL database as postgresql://user:password@host:5432/name")


def inspect_store(database_url: str | None) -> tuple[int, int, int] | None:
    """The schema version a DATABASE_URL's store is at, the one this version migrates it to,
    and the orders it holds, read without changing it; None for an SQLite file not there yet
    (the endpoint creates it)."""
    url = database_url or DEFAULT_DATABASE_URL
    path = sqlite_path(url)
    if path is not None:
        if not path.exists():
            return None
        from order_api.store.sqlite import MIGRATIONS, inspect_file

        schema, orders = inspect_file(path)
        return schema, len(MIGRATIONS), orders
    if not url.startswith(("postgresql://", "postgres://")):
        raise _not_understood(url)
    from order_api.store import postgres  # psycopg loads only when used

    schema, orders = postgres.inspect_database(url)
    return schema, len(postgres.MIGRATIONS), orders


def sqlite_path(url: str) -> Path | None:
    """The file an SQLite DATABASE_URL names; None for another kind of URL."""
    if not url.startswith("sqlite:///"):
        return None
    path, options, _rest = url.removeprefix("sqlite:///").partition("?")
    if options or "#" in path:
        raise StoreError(f"DATABASE_URL '{url}' has options after the file's path; an "
                         "SQLite URL names the file only, e.g. sqlite:///data/orders.db")
    return Path(path)


def store_throttle(store: OrderStore) -> Throttle:
    """The unlock throttle that fits the store: shared through PostgreSQL by every instance,
    or in this process's memory (SQLite serves one instance)."""
    postgres = sys.modules.get("order_api.store.postgres")  # not loaded: not a PostgresStore
    if postgres is not None and isinstance(store, postgres.PostgresStore):
        from order_api.store.pg_throttle import PostgresThrottle

        return PostgresThrottle(store.pool)
    return MemoryThrottle()


def _redacted(url: str) -> str:
    # A URL may carry a password; never print it back.
    scheme, _, rest = url.partition("://")
    return f"{scheme}://…" if rest else url[:40]
