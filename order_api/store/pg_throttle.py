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

from order_api.throttle import CLIENT_POLICY, LINK_POLICY, ThrottlePolicy, _Bucket

_COLUMNS = "misses, pending, blocked_until, last_miss"


class PostgresThrottle:
    """The Throttle of several instances; its rows are the buckets."""

    def __init__(self, pool: psycopg_pool.ConnectionPool[Any],
                 client: ThrottlePolicy = CLIENT_POLICY,
                 link: ThrottlePolicy = LINK_POLICY) -> None:
        self.pool, self.client_policy, self.link_policy = pool, client, link

    def admit(self, link: str, client: str, now: float) -> float:
        """Admit a try (0.0) or return the seconds to wait; an admitted try is pending."""
        with self.pool.connection() as db, db.transaction():
            buckets = self._pair(db, link, client, now)
            wait = max(bucket.wait(policy, now) for _, bucket, policy in buckets)
            if wait == 0.0:
                for _, bucket, _ in buckets:
                    bucket.pending += 1
            self._save(db, buckets)
            return wait

    def settle(self, link: str, client: str, ok: bool, now: float) -> None:
        """Record a pending try's outcome: a miss fills the buckets, a hit empties the client's."""
        with self.pool.connection() as db, db.transaction():
            buckets = self._pair(db, link, client, now)
            (_, mine, client_policy), (_, shared, link_policy) = buckets
            mine.pending = max(0, mine.pending - 1)
            shared.pending = max(0, shared.pending - 1)
            if ok:
                mine.misses, mine.blocked_until = 0, 0.0
            else:
                mine.miss(client_policy, now)
                shared.miss(link_policy, now)
            self._save(db, buckets)

    def _pair(self, db: psycopg.Connection[Any], link: str, client: str,
              now: float) -> list[tuple[tuple[str, str], _Bucket, ThrottlePolicy]]:
        keys = ((link, client, self.client_policy), (link, "*", self.link_policy))
        db.execute("INSERT INTO throttle_buckets (link, client) VALUES (%s, %s), (%s, %s) "
                   "ON CONFLICT DO NOTHING", (link, client, link, "*"))
        pair = []
        for name, who, policy in keys:
            row = db.execute(f"SELECT {_COLUMNS} FROM throttle_buckets "
                             "WHERE link = %s AND client = %s FOR UPDATE", (name, who)).fetchone()
            assert row is not None
            bucket = _Bucket(misses=row[0], pending=row[1], blocked_until=row[2],
                             last_miss=row[3])
            bucket.forgive(policy, now)
            pair.append(((name, who), bucket, policy))
        return pair

    @staticmethod
    def _save(db: psycopg.Connection[Any],
              buckets: list[tuple[tuple[str, str], _Bucket, ThrottlePolicy]]) -> None:
        for (name, who), bucket, _ in buckets:
            db.execute("UPDATE throttle_buckets SET misses = %s, pending = %s, "
                       "blocked_until = %s, last_miss = %s WHERE link = %s AND client = %s",
                       (bucket.misses, bucket.pending, bucket.blocked_until, bucket.last_miss,
                        name, who))
