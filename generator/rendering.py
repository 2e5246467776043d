"""Render stage, all pages: a plan -> rendered (and, on sealed links, sealed) files, on every core.

Pages are independent, so a build forks one worker per core after loading the catalog once;
each worker renders a share of the plan. Images are prepared before the fork, so workers only
look up what the parent already encoded and every asset is known to the parent.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from generator.catalog import Offer
from generator.pages import Page
from generator.plan import PagePlan
from generator.render import RenderError, render_block, render_template
from generator.seal import seal_body
from generator.site import Site
from generator.state import LinkState, link_state
from generator.writer import OutputFile

# Below this many pages a fork costs more than it saves.
PARALLEL_FROM = 400
CHUNK = 128


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


_worker: Renderer | None = None  # set in the parent just before the fork; workers inherit it


def _render_chunk(chunk: Sequence[PagePlan]) -> list[OutputFile]:
    assert _worker is not None, "render workers are forked after the renderer is set"
    return _render_prepared(_worker, chunk)


def _render_prepared(renderer: Renderer, chunk: Sequence[PagePlan]) -> list[OutputFile]:
    """Render pages, refusing any that needs an asset the parent did not prepare: a worker's
    asset would never reach the writer, and the page would link to a missing file."""
    assets = renderer.site.assets
    before = {file.path for file in assets.files()}
    files = [renderer.render(plan) for plan in chunk]
    added = sorted({file.path for file in assets.files()} - before)
    if added:
        raise RenderError(f"pages use assets the build did not prepare: {added[:3]}; add "
                          "them to build._prepare_assets")
    return files


def render_all(renderer: Renderer, plan: Sequence[PagePlan], jobs: int,
               progress: bool) -> list[OutputFile]:
    """Render every planned page, in plan order, with up to `jobs` processes."""
    global _worker
    files: list[OutputFile] = []
    chunks = [plan[start:start + CHUNK] for start in range(0, len(plan), CHUNK)]
    parallel = jobs > 1 and len(plan) >= PARALLEL_FROM and "fork" in (
        multiprocessing.get_all_start_methods())
    if parallel:
        _worker = renderer
        try:
            with multiprocessing.get_context("fork").Pool(jobs) as pool:
                for rendered in _report(pool.imap(_render_chunk, chunks), len(plan), progress):
                    files += rendered
        finally:
            _worker = None
    else:
        for rendered in _report((_render_prepared(renderer, c) for c in chunks),
                                len(plan), progress):
            files += rendered
    return files


def _report(chunks: Iterator[list[OutputFile]], total: int,
            progress: bool) -> Iterator[list[OutputFile]]:
    done = 0
    for rendered in chunks:
        done += len(rendered)
        if progress:
            print(f"\rrendered {done}/{total} pages", end="", file=sys.stderr, flush=True)
        yield rendered
    if progress:
        print(file=sys.stderr)


def default_jobs() -> int:
    """One worker per core this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)
