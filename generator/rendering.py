"""Render stage, all pages: planned pages -> rendered (and, on sealed links, sealed) files,
hashed and staged for the writer, on every core.

Pages are independent, so after loading the catalog once a build forks a worker for each
core but one, and the parent renders too (worker 0), once its own work is done. Work goes out
in units of one link × language × currency, cut into chunks, and each worker starts with the
units of its own languages, so the fragments shared within a language (style cards,
galleries, size grids) are rendered by one worker, not by all; a worker that runs out takes
the other's remaining chunks from the far end. Forked workers hash and stage each page
themselves (`writer.stage_file`) and send back only its manifest entry, so the pages' bytes
are never copied to the parent; they leave those entries in a file that the parent reads
once they have ended, so that the two never hold them at once (the build's peak memory).
Images are prepared before the fork, so workers only look up what the parent already
encoded and every asset is known to the parent.
"""

from __future__ import annotations

import gc
import marshal
import multiprocessing
import os
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
_RECORD = 4096  # entries a record of a worker's share holds (`_run_forked`)


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
        page, templates = self.page(plan), self.site.settings.templates
        name, where = f"{plan.kind}.html", f"page {plan.url} of link '{plan.link}'"
        key = self.site.keys.get(plan.link)
        if key is None or plan.kind == "chooser" or page.state == "expired":
            return OutputFile(plan.path, render_template(templates, page.language, name, page,
                                                         where))
        body = render_block(templates, page.language, name, "main", page, where)
        extra = {"sealed": seal_body(key, plan.path, body)}
        return OutputFile(plan.path, render_template(templates, page.language, name, page,
                                                     where, extra))


@dataclass(frozen=True)
class _Work:
    """The pages to render, cut into units, and what staging them needs."""

    renderer: Renderer
    units: list[list[tuple[PagePlan, str]]]  # (page, its inputs' key): chunks of link × lang × cur
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
    units: dict[tuple[str, str | None, str | None], list[tuple[PagePlan, str]]] = {}
    for plan, inputs in pages:
        units.setdefault((plan.link, plan.language, plan.currency), []).append((plan, inputs))
    languages = list(dict.fromkeys(language for _link, language, _cur in units))
    # A language's units one after the other: a worker then drops the fragments it rendered
    # for one language when it moves on to the next (`_render_unit`).
    units = dict(sorted(units.items(), key=lambda item: languages.index(item[0][1])))
    workers = max(1, jobs)
    if len(languages) >= workers:
        owners = [languages.index(language) % workers for _link, language, _cur in units]
    else:  # fewer languages than workers: share them out unit by unit
        owners = [index % workers for index in range(len(units))]
    # Each unit goes out in chunks, its owner's all the same: a worker that runs out takes the
    # other's last chunks, so both finish within a chunk of each other, not within a unit.
    chunks = [(owner, unit[start:start + CHUNK]) for owner, unit in zip(owners, units.values(),
                                                                        strict=True)
              for start in range(0, len(unit), CHUNK)]
    work = _Work(renderer, [chunk for _owner, chunk in chunks],
                 [owner for owner, _chunk in chunks], out, previous, in_place)
    context = multiprocessing.get_context("fork") if "fork" in (
        multiprocessing.get_all_start_methods()) else None
    if workers == 1 or len(pages) < PARALLEL_FROM or context is None:
        staged: list[Staged] = []
        try:
            for unit in work.units:
                staged += _render_unit(work, unit)
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
    sent = [_share_file(os.getpid(), worker) for worker in range(1, workers)]
    try:
        # One process per core: the parent renders a share too (worker 0), after its own
        # work; it would only wait otherwise, and one process fewer holds a copy of its pages.
        with context.Pool(workers - 1) as pool:
            result = pool.map_async(_run_forked, range(1, workers), chunksize=1)
            try:
                if meanwhile is not None:
                    meanwhile()
                shares.append(_run_worker(0, lambda: _report(_rendered.value, len(pages),
                                                             progress)))
            except BaseException as exc:  # the others stop, then their pages are discarded
                failure = exc
                with _failed.get_lock():
                    _failed.value = 1
            while not result.ready():
                result.wait(_PROGRESS_EVERY)
                _report(_rendered.value, len(pages), progress)
            try:
                result.get()
            except BaseException as exc:  # a worker failed after the parent's share ended
                failure = failure or exc
        # The workers have ended: only now are their shares read, so that the parent never
        # holds them while a worker still holds its own copy. Read on a failure too: a
        # worker that finished before it staged pages that must be discarded.
        for path in sent:
            if not path.exists() and failure is not None:  # the worker failed before it
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
    for _share, additions in shares[1:]:  # the cards and amounts to keep for the next build
        renderer.site.kept.absorb(additions)
    return staged


def _run_worker(worker: int,
                report: Callable[[], None] | None = None) -> tuple[list[Staged], Additions]:
    """Render units, this worker's own first, then any left by the others; stop if one failed.
    Return what it staged, and the cards and amounts it added to those kept between builds
    (`report`: called after each unit, in the parent, for the progress line)."""
    work = _work
    assert work is not None, "render workers are forked after the work is set"
    count = len(work.units)
    order = [i for i in range(count) if work.owners[i] == worker]
    order += [i for i in reversed(range(count)) if work.owners[i] != worker]
    staged: list[Staged] = []
    try:
        for index in order:
            with _claims.get_lock():
                if _claims[index] or _failed.value:
                    continue
                _claims[index] = 1
            staged += _render_unit(work, work.units[index])
            with _rendered.get_lock():
                _rendered.value += len(work.units[index])
            if report is not None:
                report()
        if _failed.value:  # another worker failed: the build stops, leave nothing behind
            discard(staged, work.out)
            return [], ({}, {})
    except BaseException:
        with _failed.get_lock():
            _failed.value = 1
        discard(staged, work.out)
        raise
    return staged, work.renderer.site.kept.additions()


def _run_forked(worker: int) -> None:
    """Run a forked worker and write what it staged and added to its file (`_share_file`),
    which the parent reads once the workers have ended (`_received`).

    Written in records of a few thousand entries, then an end mark: one marshal of the whole
    share was a 40 MB peak in the worker on the 96k-page bench site."""
    work = _work
    assert work is not None, "render workers are forked after the work is set"
    staged, (cards, amounts) = _run_worker(worker)
    path = _share_file(os.getppid(), worker)
    try:
        with path.open("wb") as file:
            for start in range(0, len(staged), _RECORD):
                marshal.dump(("staged", [(item.path, *item.entry, item.temporary)
                                         for item in staged[start:start + _RECORD]]), file)
            for kind, kept in (("cards", cards), ("amounts", amounts)):
                items = list(kept.items())
                for start in range(0, len(items), _RECORD):
                    marshal.dump((kind, dict(items[start:start + _RECORD])), file)
            marshal.dump(("end", None), file)
    except BaseException as exc:
        discard(staged, work.out)
        if isinstance(exc, OSError):
            raise LinesheetsError(f"cannot write the pages a render worker made to '{path}': "
                                  f"{exc.strerror}; make the temporary folder writable (or "
                                  "point TMPDIR at one)") from None
        raise


def _share_file(parent: int, worker: int) -> Path:
    """Where a forked worker of the build in process `parent` leaves its share."""
    return Path(tempfile.gettempdir()) / f"linesheets-{parent}-worker-{worker}.marshal"


def _received(path: Path) -> tuple[list[Staged], Additions]:
    """What a forked worker staged and added, from the file it wrote (`_run_forked`)."""
    staged: list[Staged] = []
    cards: dict[str, str] = {}
    amounts: dict[tuple[str, str, str], str] = {}
    try:
        with path.open("rb") as file:
            while True:
                kind, records = marshal.load(file)
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


def _render_unit(work: _Work, unit: Sequence[tuple[PagePlan, str]]) -> list[Staged]:
    """Render and stage pages, refusing any that needs an asset the parent did not prepare: a
    worker's asset would never reach the writer, and the page would link to a missing file.

    A unit of other pages than the last one's starts without the URLs and (in another
    language) the fragments kept for those (`Site.rendering`)."""
    renderer, staged = work.renderer, []
    if unit:
        renderer.site.rendering(unit[0][0].link, unit[0][0].language, unit[0][0].currency)
    assets = renderer.site.assets
    before = {file.path for file in assets.files()}
    try:
        for plan, inputs in unit:
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
