"""Group commit: what waits for a commit (Placement), how the waiting requests are answered
(settle), and the writer thread of the PostgreSQL store (GroupWriter), which takes every
placement waiting in its queue and has the store commit them as one transaction.

Under load many orders share one commit (one row lock on the season's number and one WAL
flush); alone, an order waits for nobody. The store's `commit` gives one outcome per
placement, in order: a receipt, or the exception that placement alone failed with (an
IdempotencyConflict), or for all of them the failure of the transaction. An order is
answered only after the commit that holds it. SQLite's store pipelines instead
(order_api/store/_pipeline.py): its statements never wait on the network, so the event loop
writes them and a thread only commits.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass

from order_api.store import _sql
from order_api.store.base import (
    Channel,
    Claim,
    Draft,
    IdempotencyConflict,
    Limit,
    OutOfStock,
    Receipt,
    StockCell,
    StoreUnavailable,
    shortages,
)

MAX_BATCH = 128  # placements per transaction: bounds the time the write lock is held


@dataclass(frozen=True)
class Placement:
    """An order waiting for the writer, and where to send the outcome."""

    claim: Claim
    prefix: str
    draft: Draft
    notify: tuple[Channel, ...]
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Receipt]
    limits: tuple[Limit, ...] = ()  # its lines whose colour × size has a stock


Outcome = Receipt | Exception
Commit = Callable[[list[Placement]], list[Outcome]]
Stored = tuple[str, str, str]  # a placed claim's fingerprint, order number and document
# The units stored orders take of each cell, read inside the batch's transaction.
Taken = Callable[[set[StockCell]], dict[StockCell, int]]


@dataclass(frozen=True)
class Numbered:
    """A new order of a batch with its number and stored document."""

    job: Placement
    number: str
    document: str


def number_batch(batch: list[Placement], known: dict[tuple[str, str], Stored],
                 count_up: Callable[[str, int], int],
                 taken: Taken | None = None) -> tuple[list[Numbered], list[Outcome]]:
    """The batch's new orders, numbered, and every placement's outcome, for a store to insert
    inside the transaction that numbered them.

    `known`: the claims of the batch already stored. The first placement of a claim that is
    not, and whose lines the stock allows, is a new order; a later one with the same claim
    gets its answer (or, with another body, IdempotencyConflict), as does one whose claim is
    stored. `taken(cells)`: the units stored orders take of each cell with a stock, called
    once, before any number is given; the batch's orders then take from what is left in
    their order, and one that wants more than is left gets OutOfStock. `count_up(prefix, n)`
    counts a season's number row up by the batch's n new orders and returns its new last
    number; called once per prefix, in sorted order, so numbers stay gapless and concurrent
    batches lock the rows in one order.
    """
    cells = {limit.cell for job in batch for limit in job.limits}
    counted = taken(cells) if cells and taken is not None else {}
    first: dict[tuple[str, str], Placement] = {}
    refused: dict[int, OutOfStock] = {}
    for index, job in enumerate(batch):
        claim = (job.claim.link, job.claim.key)
        if claim in known or claim in first:
            continue
        if job.limits:
            short = shortages(job.limits, counted)
            if short:
                refused[index] = OutOfStock(short)  # its claim stays free for a retry
                continue
            for limit in job.limits:
                counted[limit.cell] = counted.get(limit.cell, 0) + limit.quantity
        first[claim] = job
    counts: dict[str, int] = {}
    for job in first.values():
        counts[job.prefix] = counts.get(job.prefix, 0) + 1
    following = {prefix: count_up(prefix, counts[prefix]) - counts[prefix] + 1
                 for prefix in sorted(counts)}
    numbered: dict[tuple[str, str], Numbered] = {}
    for claim, job in first.items():
        number = _sql.number(job.prefix, following[job.prefix])
        following[job.prefix] += 1
        numbered[claim] = Numbered(job, number, job.draft.document(number))
    outcomes: list[Outcome] = []
    for index, job in enumerate(batch):
        if index in refused:
            outcomes.append(refused[index])
            continue
        claim = (job.claim.link, job.claim.key)
        new = numbered.get(claim)
        if new is not None and new.job is job:
            outcomes.append(Receipt(number=new.number, body=new.document.encode(),
                                    replayed=False))
            continue
        stored = known.get(claim)
        if stored is None:  # placed earlier in this batch
            assert new is not None, "a claim not stored is the first of the batch's"
            stored = (new.job.claim.fingerprint, new.number, new.document)
        try:
            outcomes.append(_sql.answer(stored, job.claim))
        except IdempotencyConflict as conflict:
            outcomes.append(conflict)
    return list(numbered.values()), outcomes


class GroupWriter:
    """The writer thread of one store, started with the first placement."""

    def __init__(self, commit: Commit, name: str) -> None:
        self._commit, self._name = commit, name
        self._queue: queue.SimpleQueue[Placement | None] = queue.SimpleQueue()
        self._guard = threading.Lock()  # the thread's start and stop
        self._thread: threading.Thread | None = None
        self._closed = False

    async def place(self, claim: Claim, prefix: str, draft: Draft,
                    notify: Sequence[Channel], limits: Sequence[Limit] = ()) -> Receipt:
        """Queue a placement; its outcome comes after the commit that holds it."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Receipt] = loop.create_future()
        with self._guard:
            if self._closed:
                raise StoreUnavailable("the order store is closed (the endpoint is stopping); "
                                       "try again in a moment")
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()
            self._queue.put(Placement(claim, prefix, draft, tuple(notify), loop, future,
                                      tuple(limits)))
        return await future

    def close(self) -> None:
        """Commit what is queued, then stop the thread; later placements are refused."""
        with self._guard:
            self._closed = True
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)  # after every placement already queued
            thread.join()

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch, stop = [first], False
            while len(batch) < MAX_BATCH:
                try:
                    job = self._queue.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    stop = True
                    break
                batch.append(job)
            # One wake-up per event loop and batch, not per order.
            by_loop: dict[asyncio.AbstractEventLoop,
                          list[tuple[asyncio.Future[Receipt], Outcome]]] = {}
            for job, outcome in zip(batch, self._commit(batch), strict=True):
                by_loop.setdefault(job.loop, []).append((job.future, outcome))
            for loop, outcomes in by_loop.items():
                with suppress(RuntimeError):  # the caller's loop is gone: nobody waits
                    loop.call_soon_threadsafe(settle, outcomes)
            if stop:
                return


def settle(outcomes: list[tuple[asyncio.Future[Receipt], Outcome]]) -> None:
    """Answer each waiting request with its outcome."""
    for future, outcome in outcomes:
        if future.done():
            continue  # the request went away; a retry with its key gets the stored order
        with suppress(RuntimeError):  # its event loop is closed: nobody waits
            if isinstance(outcome, Exception):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)
