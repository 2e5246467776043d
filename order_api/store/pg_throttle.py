"""Unlock throttling shared by every instance on one PostgreSQL: the buckets of
order_api/throttle.py, kept in the `throttle_buckets` table instead of one process's memory.

A try locks its two rows (client on the link, the link overall; always in that order, so two
tries never deadlock), applies the same bucket rules as MemoryThrottle, and writes them back
in one transaction: a guesser spreading tries over several instances meets the same waits.
"""

from __future__ import annotations

from typing import Any

import psycopg
import psycopg_pool

from order_api.throttle import (
    CLIENT_POLICY,
    LINK_POLICY,
    BucketPair,
    ThrottlePolicy,
    _Bucket,
    admit_try,
    settle_try,
)

_COLUMNS = "misses, pending, blocked_until, last_miss"
_LINK = "*"  # the client name of a link's own bucket (no client address is "*")


class PostgresThrottle:
    """The Throttle of several instances; its rows are the buckets."""

    def __init__(self, pool: psycopg_pool.ConnectionPool[Any],
                 client: ThrottlePolicy = CLIENT_POLICY,
                 link: ThrottlePolicy = LINK_POLICY) -> None:
        self.pool, self.client_policy, self.link_policy = pool, client, link

    def admit(self, link: str, client: str, now: float) -> float:
        """Admit a try (0.0) or return the seconds to wait; an admitted try is pending."""
        with self.pool.connection() as db, db.transaction():
            pair = self._load(db, link, client, now)
            wait = admit_try(pair, now)
            self._save(db, link, client, pair)
            return wait

    def settle(self, link: str, client: str, ok: bool, now: float) -> None:
        """Record a pending try's outcome: a miss fills the buckets, a hit empties the client's."""
        with self.pool.connection() as db, db.transaction():
            pair = self._load(db, link, client, now)
            settle_try(pair, ok, now)
            self._save(db, link, client, pair)

    def _load(self, db: psycopg.Connection[Any], link: str, client: str,
              now: float) -> BucketPair:
        """The client's and the link's buckets (rows `client` and `*`), locked until commit."""
        db.execute("INSERT INTO throttle_buckets (link, client) VALUES (%s, %s), (%s, %s) "
                   "ON CONFLICT DO NOTHING", (link, client, link, _LINK))
        loaded = []
        for who, policy in ((client, self.client_policy), (_LINK, self.link_policy)):
            row = db.execute(f"SELECT {_COLUMNS} FROM throttle_buckets "
                             "WHERE link = %s AND client = %s FOR UPDATE", (link, who)).fetchone()
            assert row is not None
            bucket = _Bucket(misses=row[0], pending=row[1], blocked_until=row[2],
                             last_miss=row[3])
            bucket.forgive(policy, now)
            loaded.append((bucket, policy))
        return loaded[0], loaded[1]

    @staticmethod
    def _save(db: psycopg.Connection[Any], link: str, client: str, pair: BucketPair) -> None:
        for who, (bucket, _) in zip((client, _LINK), pair, strict=True):
            db.execute("UPDATE throttle_buckets SET misses = %s, pending = %s, "
                       "blocked_until = %s, last_miss = %s WHERE link = %s AND client = %s",
                       (bucket.misses, bucket.pending, bucket.blocked_until, bucket.last_miss,
                        link, who))
