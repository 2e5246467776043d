"""Order storage: the interface the endpoint uses, and `open_store` choosing a backend by URL.

SQLite in a file by default (nothing to install); PostgreSQL for several instances (#8)
implements the same OrderStore.
"""

from __future__ import annotations

from pathlib import Path

from order_api.store.base import (
    CHANNELS,
    Channel,
    Claim,
    IdempotencyConflict,
    Notification,
    NotificationStatus,
    OrderFilter,
    OrderStore,
    Receipt,
    StoreError,
    StoreUnavailable,
)
from order_api.store.sqlite import SQLiteStore

__all__ = ["CHANNELS", "Channel", "Claim", "IdempotencyConflict", "Notification",
           "NotificationStatus", "OrderFilter", "OrderStore", "Receipt", "SQLiteStore",
           "StoreError", "StoreUnavailable", "open_store"]

DEFAULT_DATABASE_URL = "sqlite:///data/orders.sqlite3"


def open_store(database_url: str | None) -> OrderStore:
    """Open (creating and migrating) the store a DATABASE_URL names; None: the default file."""
    url = database_url or DEFAULT_DATABASE_URL
    if url.startswith("sqlite:///"):
        return SQLiteStore(Path(url.removeprefix("sqlite:///")))
    if url.startswith(("postgresql://", "postgres://")):
        raise StoreError("PostgreSQL storage is not available in this version; leave "
                         "DATABASE_URL unset or give an SQLite file as sqlite:///path/orders.db")
    raise StoreError(f"DATABASE_URL '{_redacted(url)}' is not understood; give an SQLite file "
                     "as sqlite:///relative/path.db or sqlite:////absolute/path.db")


def _redacted(url: str) -> str:
    # A URL may carry a password; never print it back.
    scheme, _, rest = url.partition("://")
    return f"{scheme}://…" if rest else url[:40]
