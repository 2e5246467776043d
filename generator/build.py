"""The build: read, validate, price, plan, render, write (DESIGN.md §2). Nothing is written
until every page has rendered, so a template or content error leaves public/ as it was."""

from __future__ import annotations

import logging
import sys
import time
from dataclasses import dataclass

from generator.assets import AssetPipeline
from generator.catalog import Catalog, load_catalog
from generator.manifest import build_manifest, manifest_bytes
from generator.pages import Page
from generator.plan import PagePlan, build_plan
from generator.render import render_block, render_template
from generator.seal import KeyStore, LinkKey, seal_body
from generator.settings import BuildSettings
from generator.site import Site
from generator.sitefiles import headers, robots, sitemap
from generator.state import is_sealed, link_state
from generator.writer import OutputFile, write_private, write_site

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildReport:
    """What a build did, for the summary line."""

    pages: int
    files: int
    written: int
    unchanged: int
    removed: int
    seconds: float

    def summary(self) -> str:
        """One line for the terminal."""
        return (f"{self.pages} pages, {self.files} files: {self.written} written, "
                f"{self.unchanged} unchanged, {self.removed} removed in {self.seconds:.1f} s")


def run(settings: BuildSettings, progress: bool = False) -> BuildReport:
    """Build the site of a content directory into settings.out."""
    started = time.perf_counter()
    catalog = load_catalog(settings.content)
    assets = AssetPipeline(settings.content / "media", settings.templates / "static",
                           settings.cache / "assets")
    keys = KeyStore.load(settings.private / "keys.json")
    sealed = {slug: keys.current(slug) for slug in catalog.links
              if is_sealed(catalog.offer(slug), settings.now)}
    site = Site(catalog, settings, assets, keys=sealed)
    plan = build_plan(catalog, site.style_segment)
    files, public = _render_pages(site, plan, progress)
    files += _site_files(site, catalog, public)
    files += assets.files()
    manifest = manifest_bytes(build_manifest(catalog, sealed))
    report = write_site(files, settings.out, settings.manifest)
    write_private(settings.private / "manifest.json", manifest)
    keys.save()  # only now: a failed build must not leave keys for pages never published
    return BuildReport(
        pages=len(plan), files=len(files), written=len(report.written),
        unchanged=report.unchanged, removed=len(report.removed),
        seconds=time.perf_counter() - started,
    )


def _render_pages(
    site: Site, plan: tuple[PagePlan, ...], progress: bool
) -> tuple[list[OutputFile], list[Page]]:
    catalog, now = site.catalog, site.settings.now
    offers = {slug: catalog.offer(slug) for slug in catalog.links}
    states = {slug: link_state(offer, dict(catalog.seasons), now)
              for slug, offer in offers.items()}
    files: list[OutputFile] = []
    public: list[Page] = []
    for index, page_plan in enumerate(plan, start=1):
        offer = offers[page_plan.link]
        key = site.keys.get(page_plan.link)
        page = Page(site, page_plan, offer, states[page_plan.link], key is not None)
        data = _render(site, page, key)
        files.append(OutputFile(page_plan.path, data))
        if not page.sealed:
            public.append(page)
        if progress and (index % 200 == 0 or index == len(plan)):
            print(f"\rrendered {index}/{len(plan)} pages", end="", file=sys.stderr, flush=True)
    if progress:
        print(file=sys.stderr)
    return files, public


def _render(site: Site, page: Page, key: LinkKey | None) -> bytes:
    """Render a page; on a sealed link (except its chooser) encrypt the body into the shell."""
    templates, plan = site.settings.templates, page.plan
    name, where = f"{plan.kind}.html", f"page {plan.url} of link '{plan.link}'"
    if key is None or plan.kind == "chooser" or page.state == "expired":
        return render_template(templates, page.language, name, page, where)
    body = render_block(templates, page.language, name, "main", page, where)
    sealed = seal_body(key, plan.path, body)
    return render_template(templates, page.language, name, page, where, {"sealed": sealed})


def _site_files(site: Site, catalog: Catalog, public: list[Page]) -> list[OutputFile]:
    alternates = {page.plan.path: [(lang, url) for lang, url in page.alternates]
                  for page in public}
    return [
        sitemap(site.origin, site.base_path, [page.plan for page in public], alternates),
        robots(site.origin, site.base_path),
        headers(site.base_path, catalog.brand.api_url),
    ]
