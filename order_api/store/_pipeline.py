"""SQLite group commit, pipelined: the event loop writes each batch, a thread commits it.

A writer thread that runs every statement of a batch hands the GIL to the event loop at each
statement and waits for it back (up to the interpreter's switch interval while the loop is
busy), so batches crawled while requests piled up. Here the event loop writes a batch on its
own connection (a few statements; SQLite never waits on disk for them) and the thread runs
only the COMMIT, whose fsync is the slow part and releases the GIL for all of it. While one
batch commits, the next gathers, and it is written as soon as the commit ends: one fsync per
batch, an answer for each order only after the commit that holds it.

If another connection holds the file's write lock (the delivery worker, `linesheets orders`,
another process), the loop does not wait for it: it tries again a moment later, and fails the
batch as unavailable after the busy timeout.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import suppress

from order_api.store._group import Outcome, Placement, settle
from order_api.store.base import Channel, Claim, Draft, Limit, Receipt, StoreUnavailable

log = logging.getLogger(__name__)

Write = Callable[[sqlite3.Connection, list[Placement]], list[Outcome]]
_RETRY = 0.002  # seconds before trying the write lock again; doubled up to _MAX_RETRY
_MAX_RETRY = 0.05


class CommitPipeline:
    """The order writes of one SQLite store: `write` places a batch inside a transaction."""

    def __init__(self, connect: Callable[[], sqlite3.Connection], write: Write,
                 busy_timeout: float) -> None:
        self._connect, self._write, self._busy_timeout = connect, write, busy_timeout
        self._db: sqlite3.Connection | None = None
        self._pending: list[Placement] = []
        self._committing = False  # set by the loop when it hands a batch over, reset by the thread
        self._closed = False
        self._thread: threading.Thread | None = None
        self._commits: queue.SimpleQueue[tuple[list[Placement], list[Outcome]] | None] = (
            queue.SimpleQueue())
        self._guard = threading.Lock()  # the thread's start and stop

    async def place(self, claim: Claim, prefix: str, draft: Draft,
                    notify: Sequence[Channel], limits: Sequence[Limit] = ()) -> Receipt:
        """Queue a placement; its outcome comes after the commit that holds it."""
        if self._closed:
            raise StoreUnavailable("the order store is closed (the endpoint is stopping); "
                                   "try again in a moment")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Receipt] = loop.create_future()
        self._pending.append(Placement(claim, prefix, draft, tuple(notify), loop, future,
                                       tuple(limits)))
        # Once the requests of this turn of the loop have queued theirs (a no-op while a
        # batch commits: the commit's end writes what gathered meanwhile).
        loop.call_soon(self._write_pending, loop, time.monotonic())
        return await future

    def close(self) -> None:
        """Commit what is under way and what is queued; later placements are refused."""
        self._closed = True
        with self._guard:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._commits.put(None)  # after the batch being committed
            thread.join()
        self._committing = False
        if self._pending:
            # Nothing runs the loop's callbacks any more: write and commit here, waiting for
            # the write lock as long as the busy timeout allows.
            batch, self._pending = self._pending, []
            if self._db is None:
                self._db = self._connect()
            self._db.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout * 1000)}")
            outcomes = self._begin_and_write(batch)
            if outcomes is not None:
                outcomes = _commit(self._db, batch, outcomes)
                settle([(job.future, outcome) for job, outcome in zip(batch, outcomes,
                                                                      strict=True)])
        if self._db is not None:
            self._db.close()
            self._db = None

    def _write_pending(self, loop: asyncio.AbstractEventLoop, since: float) -> None:
        if self._committing or self._closed or not self._pending:
            return  # closing: close() writes what is pending
        if self._db is None:
            self._db = self._connect()
            self._db.execute("PRAGMA busy_timeout = 0")  # the loop never sleeps on the lock
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                self._fail_pending(exc)
                return
            waited = time.monotonic() - since
            if waited < self._busy_timeout:
                loop.call_later(min(_MAX_RETRY, _RETRY * 2 ** min(10, int(waited / _RETRY))),
                                self._write_pending, loop, since)
            else:
                self._fail_pending(exc)
            return
        batch, self._pending = self._pending, []
        try:
            outcomes = self._write(self._db, batch)
        except Exception as exc:  # the database's refusal, or a defect: the batch goes
            _rollback(self._db)
            _settle_failed(batch, exc)
            return
        self._committing = True
        self._start_thread()
        self._commits.put((batch, outcomes))

    def _begin_and_write(self, batch: list[Placement]) -> list[Outcome] | None:
        assert self._db is not None
        try:
            self._db.execute("BEGIN IMMEDIATE")
            return self._write(self._db, batch)
        except Exception as exc:
            _rollback(self._db)
            _settle_failed(batch, exc)
            return None

    def _start_thread(self) -> None:
        with self._guard:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="orders-commit",
                                                daemon=True)
                self._thread.start()

    def _run(self) -> None:
        """The thread: COMMIT each batch handed over, then answer its orders on their loop."""
        while True:
            job = self._commits.get()
            if job is None:
                return
            batch, outcomes = job
            assert self._db is not None
            outcomes = _commit(self._db, batch, outcomes)
            self._committing = False
            by_loop: dict[asyncio.AbstractEventLoop,
                          list[tuple[asyncio.Future[Receipt], Outcome]]] = {}
            for placement, outcome in zip(batch, outcomes, strict=True):
                by_loop.setdefault(placement.loop, []).append((placement.future, outcome))
            for loop, answers in by_loop.items():
                with suppress(RuntimeError):  # the caller's loop is gone: nobody waits
                    loop.call_soon_threadsafe(self._answer, loop, answers)

    def _answer(self, loop: asyncio.AbstractEventLoop,
                answers: list[tuple[asyncio.Future[Receipt], Outcome]]) -> None:
        settle(answers)
        self._write_pending(loop, time.monotonic())  # what gathered during the commit

    def _fail_pending(self, exc: Exception) -> None:
        batch, self._pending = self._pending, []
        _settle_failed(batch, exc)


def _commit(db: sqlite3.Connection, batch: list[Placement],
            outcomes: list[Outcome]) -> list[Outcome]:
    try:
        db.execute("COMMIT")
    except sqlite3.Error as exc:
        _rollback(db)
        return [_unavailable(exc)] * len(batch)
    return outcomes


def _rollback(db: sqlite3.Connection) -> None:
    if db.in_transaction:
        with suppress(sqlite3.Error):
            db.execute("ROLLBACK")


def _settle_failed(batch: list[Placement], exc: Exception) -> None:
    if isinstance(exc, sqlite3.Error):
        log.warning("%d orders not stored: %s", len(batch), exc)
        failure: Exception = _unavailable(exc)
    else:
        log.error("%d orders not stored", len(batch), exc_info=exc)
        failure = exc
    settle([(job.future, failure) for job in batch])


def _unavailable(exc: sqlite3.Error) -> StoreUnavailable:
    return StoreUnavailable(f"the order database did not accept the order: {exc}; send it "
                            "again with the same Idempotency-Key")

