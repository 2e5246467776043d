"""Render stage, all pages: planned pages -> rendered (and, on sealed links, sealed) files,
hashed and staged for the writer, on every core.

Pages are independent, so after loading the catalog once a build forks a worker for each
core but one, and the parent renders too (worker 0), once its own work is done. A language's
pages go out in chunks, its style pages style by style, and each worker starts with the
chunks of its own languages, so the fragments shared within a language (style cards) or by a
style's pages (galleries, size grids) are rendered by one worker, not by all, and held only
while they are used; a worker that runs out takes the other's remaining chunks from the far
end. Forked workers hash and stage each page
themselves (`writer.stage_file`) and send back only its manifest entry, so the pages' bytes
are never copied to the parent. Each process, the parent too, appends those entries to a
file of its own as it goes, which the parent reads once every worker has ended: while they
render, no process holds its pages' entries (the build's peak memory).
Images are prepared before the fork, so workers only look up what the parent already
encoded and every asset is known to the parent.
"""

from __future__ import annotations

import gc
import marshal
import multiprocessing
import os
import signal
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import IO, Any, NoReturn

from generator._trim import release_free_memory
from generator.catalog import Offer
from generator.errors import LinesheetsError
from generator.kept import Additions
from generator.pages import Page
from generator.plan import PagePlan
from generator.render import RenderError, render_block, render_template
from generator.seal import seal_body
from generator.site import Site
from generator.state import LinkState, link_state
from generator.writer import Entry, OutputFile, Staged, discard, stage_file

# Below this many pages a fork costs more than it saves (forking the loaded parent takes tens
# of milliseconds; a rebuild after one price edit renders about a hundred pages, half of them
# linesheets of hundreds of cards).
PARALLEL_FROM = 64
_PROGRESS_EVERY = 0.25  # seconds
# Pages a worker takes at a time: a few tenths of a second of work, so the workers end within
# that of each other (whole units left one idle for up to a second at the end).
CHUNK = 128
_RECORD = 4096  # cards or amounts a record of a share holds (`_Share.end`)


@dataclass(frozen=True)
class Renderer:
    """Everything a worker needs to render any page of the plan."""

    site: Site
    offers: dict[str, Offer]
    states: dict[str, LinkState]

    @classmethod
    def for_site(cls, site: Site) -> Renderer:
        """Resolve every link's offer and state once for the whole build."""
        catalog, now = site.catalog, site.settings.now
        offers = {slug: catalog.offer(slug) for slug in catalog.links}
        seasons = dict(catalog.seasons)
        states = {slug: link_state(offer, seasons, now) for slug, offer in offers.items()}
        return cls(site, offers, states)

    def page(self, plan: PagePlan) -> Page:
        """The Page object of a planned page."""
        return Page(self.site, plan, self.offers[plan.link], self.states[plan.link],
                    plan.link in self.site.keys)

    def render(self, plan: PagePlan) -> OutputFile:
        """Render a page; on a sealed link (but its chooser) encrypt the body into the shell."""
        page, templates, path = self.page(plan), self.site.settings.templates, plan.path
        name, where = f"{plan.kind}.html", f"page {plan.url} of link '{plan.link}'"
        key = self.site.keys.get(plan.link)
        if key is None or plan.kind == "chooser" or page.state == "expired":
            return OutputFile(path, render_template(templates, page.language, name, page, where))
        body = render_block(templates, page.language, name, "main", page, where)
        extra = {"sealed": seal_body(key, path, body)}
        return OutputFile(path, render_template(templates, page.language, name, page, where,
                                                extra))


@dataclass(frozen=True)
class _Work:
    """The pages to render, cut into units (chunks of a language's pages), and what staging
    them needs."""

    renderer: Renderer
    # Each unit's pages and their inputs' keys, apart. Not as (page, key) pairs: a worker
    # would touch every pair it renders, and so copy the parent's memory pages that hold
    # them, scattered among other small objects.
    units: list[tuple[tuple[PagePlan, ...], tuple[str, ...]]]
    owners: list[int]  # the worker that starts with each unit
    out: Path
    previous: Mapping[str, Entry]
    in_place: bool  # pages go straight to their names: `out` is a staging folder


_work: _Work | None = None  # set in the parent just before the fork; workers inherit it
_claims: Any = None  # multiprocessing.Array: 1 for a unit some worker has taken
_rendered: Any = None  # multiprocessing.Value: pages rendered so far, for the progress line
_failed: Any = None  # multiprocessing.Value: set by a failing worker, so the others stop


def render_all(renderer: Renderer, pages: Sequence[tuple[PagePlan, str]], out: Path,
               previous: Mapping[str, Entry], jobs: int, progress: bool,
               meanwhile: Callable[[], object] | None = None,
               in_place: bool = False) -> list[Staged]:
    """Render and stage every given page (with its inputs' key), with up to `jobs` processes
    (`in_place`: `out` is a staging folder, see `writer.stage_file`).

    `meanwhile`: the caller's own work, done while the workers render (after the pages, in
    one process); if it raises, what was staged is discarded and its error raised."""
    global _work, _claims, _rendered, _failed
    units: dict[str | None, list[tuple[PagePlan, str]]] = {}  # language -> its pages
    for plan, inputs in pages:
        units.setdefault(plan.language, []).append((plan, inputs))
    for unit in units.values():
        # A language's style pages style by style, after its other pages: the fragments of a
        # style page (gallery, size grid …) are shared by its links and currencies, so a
        # worker renders them once and drops them when it moves on (`Site.rendering`), rather
        # than holding a whole language's (about 6 MiB on the 24k-page bench site).
        unit.sort(key=lambda item: (item[0].style is not None, item[0].season or "",
                                    item[0].style or ""))
    # Each language goes out in chunks: a worker that runs out takes the other's last chunks,
    # so both finish within a chunk of each other. A worker starts with its own languages'
    # chunks, so that it renders a language's fragments (style cards …) and drops them when
    # it moves on to the next; with fewer languages than workers, they take chunks in turn.
    workers = max(1, jobs)
    chunks: list[tuple[tuple[PagePlan, ...], tuple[str, ...]]] = []
    owners: list[int] = []
    for language, unit in enumerate(units.values()):
        for start in range(0, len(unit), CHUNK):
            owners.append((language if len(units) >= workers else len(chunks)) % workers)
            part = unit[start:start + CHUNK]
            chunks.append((tuple(page for page, _key in part), tuple(key for _page, key in part)))
    work = _Work(renderer, chunks, owners, out, previous, in_place)
    context = multiprocessing.get_context("fork") if "fork" in (
        multiprocessing.get_all_start_methods()) else None
    if workers == 1 or len(pages) < PARALLEL_FROM or context is None:
        staged: list[Staged] = []
        try:
            for chunk in work.units:
                staged += _render_unit(work, chunk)
                release_free_memory()  # as a worker does (`_run_worker`)
                _report(len(staged), len(pages), progress)
            _report(len(pages), len(pages), progress, end=True)
            if meanwhile is not None:
                meanwhile()
        except BaseException:
            discard(staged, out)
            raise
        return staged
    _work, _claims = work, context.Array("b", len(work.units))
    _rendered, _failed = context.Value("q", 0), context.Value("b", 0)
    # The parent's objects (catalog, plan, compiled templates) move out of the collector's
    # reach: a worker's collections would otherwise write to every one of them, and so copy
    # the pages they share with the parent. `build.run` unfreezes them when the build ends.
    gc.freeze()
    failure: BaseException | None = None
    shares: list[tuple[list[Staged], Additions]] = []
    sent = [_share_file(os.getpid(), worker) for worker in range(workers)]
    try:
        # One process per core: the parent renders a share too (worker 0), after its own
        # work; it would only wait otherwise, and one process fewer holds a copy of its pages.
        with context.Pool(workers - 1, initializer=_worker_signals) as pool:
            result = pool.map_async(_run_forked, range(1, workers), chunksize=1)
            try:
                if meanwhile is not None:
                    meanwhile()
                # Its cards and amounts are the parent's own already: only its pages go out.
                _run_worker(0, _Share(sent[0], out), lambda: _report(
                    _rendered.value, len(pages), progress), send_additions=False)
            except BaseException as exc:  # the others stop, then their pages are discarded
                failure = exc
                with _failed.get_lock():
                    _failed.value = 1
            try:
                _await(result, lambda: _report(_rendered.value, len(pages), progress))
            except KeyboardInterrupt as exc:  # stopped while the others render: they stop
                failure = failure or exc     # too, and then all their pages are discarded
                with _failed.get_lock():
                    _failed.value = 1
                with suppress(Exception):  # what they raise: the build stops anyway
                    _await(result, lambda: None)  # a second Ctrl-C leaves at once
            except BaseException as exc:  # a worker failed after the parent's share ended
                failure = failure or exc
        # The workers have ended: only now are the shares read, the parent's own too, so
        # that no process holds them while another renders. Read on a failure too: a worker
        # that finished before it staged pages that must be discarded (one that failed or
        # stopped has discarded its own and removed its file).
        for path in sent:
            if not path.exists() and failure is not None:
                continue
            try:
                shares.append(_received(path))
            except LinesheetsError as exc:
                failure = failure or exc
    finally:
        _work = _claims = _rendered = _failed = None
        for path in sent:
            path.unlink(missing_ok=True)
    _report(len(pages), len(pages), progress, end=True)
    staged = [item for share, _additions in shares for item in share]
    if failure is not None:
        discard(staged, out)
        raise failure
    for _staged, additions in shares:  # the cards and amounts to keep for the next build
        renderer.site.kept.absorb(additions)
    return staged


def _await(result: multiprocessing.pool.AsyncResult[list[None]],
           report: Callable[[], None]) -> None:
    """Wait for the workers' result, reporting progress; raise what one of them raised."""
    while not result.ready():
        result.wait(_PROGRESS_EVERY)
        report()
    result.get()


def _run_worker(worker: int, share: _Share, report: Callable[[], None] | None = None,
                send_additions: bool = True) -> None:
    """Render units, this worker's own first, then any left by the others; stop if one failed.
    Each unit's pages go to `share` as they are staged, and the cards and amounts this
    process added to those kept between builds each time it moves on to another language
    (which shows none of them) and at the end (`send_additions`: False in the parent, which
    keeps its last ones). A worker that fails or stops discards its pages and its share
    (`report`: called after each unit, in the parent, for the progress line)."""
    work = _work
    assert work is not None, "render workers are forked after the work is set"
    count = len(work.units)
    order = [i for i in range(count) if work.owners[i] == worker]
    order += [i for i in reversed(range(count)) if work.owners[i] != worker]
    kept, language = work.renderer.site.kept, None
    try:
        for index in order:
            with _claims.get_lock():
                if _claims[index] or _failed.value:
                    continue
                _claims[index] = 1
            plans = work.units[index][0]
            if plans and plans[0].language != language:
                share.keep(kept.take_additions())
                language = plans[0].language
            share.add(_render_unit(work, work.units[index]))
            release_free_memory()  # what the chunk's pages freed, before the next is made
            with _rendered.get_lock():
                _rendered.value += len(work.units[index][0])
            if report is not None:
                report()
        if _failed.value:  # another worker failed: the build stops, leave nothing behind
            share.abandon()
            return
        share.end(work.renderer.site.kept.additions() if send_additions else ({}, {}))
    except BaseException:
        with _failed.get_lock():
            _failed.value = 1
        share.abandon()
        raise


def _worker_signals() -> None:
    """Ctrl-C reaches every process of the terminal's group: in a render worker it is the
    parent's to act on, which stops the build and the workers with it (`_failed`), each
    discarding what it staged (a KeyboardInterrupt here would end the pool's process without
    a word, and the parent would wait for its result for ever)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _stopped(_signal: int, _frame: FrameType | None) -> NoReturn:
    raise LinesheetsError("the build was stopped (SIGTERM); nothing it rendered was kept")


def _run_forked(worker: int) -> None:
    """Run a forked worker, its share going to its file (`_share_file`), which the parent
    reads once the workers have ended (`_received`)."""
    work = _work
    assert work is not None, "render workers are forked after the work is set"
    # While it renders, SIGTERM stops the worker as an error the pool reports, its staged
    # pages discarded; idle (the pool ending), the worker just ends, as the pool expects.
    signal.signal(signal.SIGTERM, _stopped)
    try:
        _run_worker(worker, _Share(_share_file(os.getppid(), worker), work.out))
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


class _Share:
    """What one render process staged, written to its file unit by unit, with what it added
    to the cards and amounts kept between builds, then an end mark. Opened with the first
    record: a process that renders nothing writes only the end."""

    def __init__(self, path: Path, out: Path) -> None:
        self.path, self._out = path, out
        self._file: IO[bytes] | None = None

    def add(self, staged: list[Staged]) -> None:
        """Write a unit's entries (its pages are discarded if they cannot be)."""
        try:
            marshal.dump(("staged", [(item.path, *item.entry, item.temporary)
                                     for item in staged]), self._open())
        except BaseException as exc:
            discard(staged, self._out)
            raise self._failed(exc) from None

    def keep(self, additions: Additions) -> None:
        """Write added cards and amounts, in records of a few thousand (one marshal of a
        96k-page site's share was a 40 MB peak)."""
        try:
            cards, amounts = additions
            for kind, items in (("cards", list(cards.items())),
                                ("amounts", list(amounts.items()))):
                for start in range(0, len(items), _RECORD):
                    marshal.dump((kind, dict(items[start:start + _RECORD])), self._open())
        except BaseException as exc:
            raise self._failed(exc) from None

    def end(self, additions: Additions) -> None:
        """Write the last added cards and amounts (`keep`) and the end mark; close the file."""
        self.keep(additions)
        try:
            file = self._open()
            marshal.dump(("end", None), file)
            file.close()
        except BaseException as exc:
            raise self._failed(exc) from None

    def abandon(self) -> None:
        """Discard the pages written so far and remove the file: this process failed or
        stopped, and the build leaves nothing behind."""
        if self._file is None:
            return
        with suppress(OSError):  # a close that failed already (a full disk) fails again
            self._file.close()
        staged, _additions = _received(self.path, complete=False)
        discard(staged, self._out)
        self.path.unlink(missing_ok=True)

    def _open(self) -> IO[bytes]:
        if self._file is None:
            self._file = self.path.open("wb")
        return self._file

    def _failed(self, exc: BaseException) -> BaseException:
        """The error to raise: a clear one for a file that cannot be written. What was
        written before is discarded with the share (`abandon`)."""
        if not isinstance(exc, OSError):
            return exc
        return LinesheetsError(f"cannot write the pages a render worker made to '{self.path}': "
                               f"{exc.strerror}; make the temporary folder writable (or point "
                               "TMPDIR at one)")


def _share_file(parent: int, worker: int) -> Path:
    """Where render process `worker` (0: the parent itself) of the build in process `parent`
    leaves its share."""
    return Path(tempfile.gettempdir()) / f"linesheets-{parent}-worker-{worker}.marshal"


def _received(path: Path, complete: bool = True) -> tuple[list[Staged], Additions]:
    """What a render process staged and added, from the share it wrote (`_Share`);
    `complete`: the share must end with the end mark (else: the records written before the
    process stopped, up to the first one it could not finish)."""
    staged: list[Staged] = []
    cards: dict[str, str] = {}
    amounts: dict[tuple[str, str, str], str] = {}
    try:
        with path.open("rb") as file:
            while True:
                try:
                    kind, records = marshal.load(file)
                except (EOFError, ValueError, TypeError):
                    if complete:
                        raise
                    break
                if kind == "end":
                    break
                if kind == "staged":
                    staged += [Staged(page, Entry(digest, size, mtime, inputs), temporary)
                               for page, digest, size, mtime, inputs, temporary in records]
                else:
                    (cards if kind == "cards" else amounts).update(records)
    except (OSError, EOFError, ValueError, TypeError) as exc:
        raise LinesheetsError(f"cannot read the pages a render worker made from '{path}' "
                              f"({exc}); build again") from exc
    return staged, (cards, amounts)


def _render_unit(work: _Work, unit: tuple[tuple[PagePlan, ...], tuple[str, ...]]
                 ) -> list[Staged]:
    """Render and stage pages, refusing any that needs an asset the parent did not prepare: a
    worker's asset would never reach the writer, and the page would link to a missing file.

    Each page is announced to the site first, which drops the URLs and fragments the
    last pages kept that this one does not show (`Site.rendering`)."""
    (plans, keys), renderer, staged = unit, work.renderer, []
    assets = renderer.site.assets
    before = {file.path for file in assets.files()}
    try:
        for plan, inputs in zip(plans, keys, strict=True):
            renderer.site.rendering(plan)
            staged.append(stage_file(work.out, work.previous, renderer.render(plan), inputs,
                                     work.in_place))
        added = sorted({file.path for file in assets.files()} - before)
        if added:
            raise RenderError(f"pages use assets the build did not prepare: {added[:3]}; add "
                              "them to build._prepare_assets")
    except BaseException:
        discard(staged, work.out)
        raise
    return staged


def _report(done: int, total: int, progress: bool, end: bool = False) -> None:
    if progress:
        print(f"\rrendered {done}/{total} pages", end="\n" if end else "", file=sys.stderr,
              flush=True)


def default_jobs() -> int:
    """One worker per core this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)
