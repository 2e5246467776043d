"""Buyers' activity on the links, as the endpoint sees it: pages viewed (a page's first ask
of the link's state, `viewed`), sealed pages opened with the key it gave (`unlocked`) and
carts priced (`quoted`), counted per link and UTC day for the brand's
`linesheets orders activity`. Nothing about the buyer is kept (no address, no device), only
how many times and when last; a customer link is one buyer's, so its counts are that buyer's.

Counted in memory and written every few seconds in one transaction, by a thread: a quote
or an unlock never waits on the database for it. A process that dies loses at most those
seconds of counts, never an order.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from contextlib import suppress
from datetime import UTC, date, datetime

from order_api.store import ActivityEvent, OrderStore, StoreUnavailable

log = logging.getLogger(__name__)

FLUSH_INTERVAL = 5.0  # seconds between writes of what was counted


class ActivityLog:
    """What buyers did since the last write, and the task that writes it."""

    def __init__(self, store: OrderStore, clock: Callable[[], datetime],
                 interval: float = FLUSH_INTERVAL) -> None:
        self._store, self._clock, self._interval = store, clock, interval
        self._counts: dict[tuple[str, date, ActivityEvent], tuple[int, datetime]] = {}
        self._task: asyncio.Task[None] | None = None

    def count(self, link: str, event: ActivityEvent) -> None:
        """One more `event` on `link`, now."""
        now = self._clock()
        key = (link, now.astimezone(UTC).date(), event)
        count, last = self._counts.get(key, (0, now))
        self._counts[key] = (count + 1, max(last, now))

    def start(self) -> None:
        """Write what is counted every interval, from now on (in the running loop)."""
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        """Stop writing periodically, then write what is left."""
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self.flush()

    async def flush(self) -> None:
        """Write what was counted; kept for the next try when the database does not take it."""
        counts, self._counts = self._counts, {}
        if not counts:
            return
        try:
            await asyncio.to_thread(self._store.record_activity, counts)
        except StoreUnavailable as exc:
            log.warning("buyers' activity not recorded yet (kept for the next try): %s", exc)
            for key, (count, last) in counts.items():
                later, latest = self._counts.get(key, (0, last))
                self._counts[key] = (count + later, max(last, latest))

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            try:
                await self.flush()
            except Exception:  # a bug must not end the counting for the process's life
                log.exception("buyers' activity could not be recorded")
