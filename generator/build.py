"""The build: read, validate, price, plan, render, write (DESIGN.md §2). Nothing is written
until every page has rendered, so a template or content error leaves public/ as it was."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from generator.assets import AssetPipeline
from generator.catalog import Catalog, load_catalog
from generator.fingerprint import build_fingerprint
from generator.manifest import build_manifest, manifest_bytes
from generator.pages import Page
from generator.plan import build_plan
from generator.rendering import Renderer, default_jobs, render_all
from generator.seal import KeyStore
from generator.settings import BuildSettings
from generator.site import Site
from generator.sitefiles import headers, robots, sitemap
from generator.state import is_sealed
from generator.writer import OutputFile, unchanged_output, write_private, write_site

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
    fingerprint = build_fingerprint(settings, catalog, keys.digest())
    unchanged = unchanged_output(settings.out, settings.manifest, fingerprint)
    if unchanged is not None and not keys.changed:
        # Same inputs, same moment's states, outputs in place: the pages would be identical.
        return BuildReport(pages=len(plan), files=unchanged, written=0, unchanged=unchanged,
                           removed=0, seconds=time.perf_counter() - started)
    renderer = Renderer.for_site(site)
    _prepare_assets(site)
    files = render_all(renderer, plan, settings.jobs or default_jobs(), progress)
    public = [renderer.page(page) for page in plan if page.link not in sealed]
    files += _site_files(site, catalog, public)
    files += assets.files()
    manifest = manifest_bytes(build_manifest(catalog, sealed))
    report = write_site(files, settings.out, settings.manifest, fingerprint)
    write_private(settings.private / "manifest.json", manifest)
    keys.save()  # only now: a failed build must not leave keys for pages never published
    return BuildReport(
        pages=len(plan), files=len(files), written=len(report.written),
        unchanged=report.unchanged, removed=len(report.removed),
        seconds=time.perf_counter() - started,
    )


def _prepare_assets(site: Site) -> None:
    """Encode every image the pages can show, and fingerprint the static files, before the
    render workers fork: they then find everything ready, and the parent knows every asset."""
    catalog, assets = site.catalog, site.assets
    assets.static("site.css")
    assets.static("site.js")
    assets.static("unlock.js")
    if catalog.brand.logo:
        assets.media(catalog.brand.logo)  # shown as it is, at the top of every page
    paths: list[str] = []
    offered = {season for slug in catalog.links for season in catalog.offer(slug).seasons}
    for season_id in sorted(offered):
        season = catalog.seasons[season_id]
        paths += [season.header_image] if season.header_image else []
        paths += [image for product in catalog.styles[season_id] for color in product.colors
                  for image in color.images]
    for link in catalog.links.values():
        for lookbook in link.lookbooks:
            paths += [page.image for page in catalog.lookbooks[lookbook].pages]
        background = link.background
        if background.type == "image" and background.src:
            paths.append(background.src)
        elif background.type == "video" and background.src and "://" not in background.src:
            assets.media(background.src)
    for path in dict.fromkeys(paths):
        assets.picture(path)


def _site_files(site: Site, catalog: Catalog, public: list[Page]) -> list[OutputFile]:
    alternates = {page.plan.path: [(lang, url) for lang, url in page.alternates]
                  for page in public}
    return [
        sitemap(site.origin, site.base_path, [page.plan for page in public], alternates),
        robots(site.origin, site.base_path),
        headers(site.base_path, catalog.brand.api_url),
    ]
