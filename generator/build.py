"""The build: read, validate, price, plan, render, write (DESIGN.md §2). Nothing is put in
place until every page has rendered, so a template or content error leaves public/ as it was.
A rebuild renders only the pages whose inputs changed (`inputs.py`), and stops before
rendering anything when no input changed at all (`fingerprint.py`)."""

from __future__ import annotations

import gc
import hashlib
import logging
import multiprocessing
import multiprocessing.process
import os
import pathlib
import shutil
import sys
import time
from collections.abc import Iterator
from importlib.metadata import version as package_version
from itertools import islice

from generator._kept_prices import keep_prices, kept_prices
from generator._reparse import KeptReadings
from generator.assets import AssetPipeline
from generator.catalog import Catalog, keep_styles, load_catalog
from generator.content import keep_readings, readings_kept
from generator.errors import LinesheetsError
from generator.fingerprint import build_fingerprint, inputs_digest, state_window, unchanged_site
from generator.inputs import (
    card_inputs,
    code_version,
    keep_inputs,
    page_inputs,
    sitemap_inputs,
    style_inputs,
)
from generator.kept import KeptRenders
from generator.manifest import build_manifest, manifest_bytes
from generator.not_found import not_found_page
from generator.placed import keep_placed_cards, placed_cards
from generator.plan import PagePlan, build_plan
from generator.qr import load_encoder
from generator.render import compile_templates, keep_compiled_templates, refresh_templates
from generator.rendering import Renderer, default_jobs, render_all
from generator.report import BuildReport
from generator.seal import KeyStore, load_cipher
from generator.settings import BuildSettings
from generator.site import Site, site_path
from generator.sitefiles import SITEMAP, headers, is_sitemap, robots, sitemaps
from generator.state import is_sealed
from generator.writer import (
    Manifest,
    OutputFile,
    Staged,
    discard,
    intact_paths,
    keep_manifest_lines,
    read_manifest,
    stage_file,
    staging_folder,
    write_private,
    write_site,
)

log = logging.getLogger(__name__)
# A process that builds again (`stay_loaded`) renders fewer pages than this itself: with the
# cards it placed on the last build's linesheets, a price edit's 96 pages take less than
# forking a worker would save.
ALONE_BELOW = 1000


def stay_loaded() -> None:
    """Keep, in this process, what its next build can take up again: each content file's
    reading, each style's validation, unit prices, each page's key, the cards placed on each
    linesheet and the lines of the site's manifest (the plan, the manifest just written and
    the compiled templates are kept in any case). For a process that builds on every edit."""
    keep_readings()
    keep_styles()
    keep_prices()
    keep_inputs()
    keep_placed_cards()
    keep_manifest_lines()


def run(settings: BuildSettings, progress: bool = False, check_unchanged: bool = True,
        last: Manifest | None = None, inputs: bytes | None = None) -> BuildReport:
    """Build the site of a content directory into settings.out (`check_unchanged`: False
    when the caller has just found that the last build's output does not stand; `last`: the
    last build's manifest, and `inputs`: the `inputs_digest` taken for that, when the caller
    has them already)."""
    started = time.perf_counter()
    if last is None:
        last = read_manifest(settings.manifest)
    if inputs is None:
        inputs = inputs_digest(settings)  # before the content is read
    if check_unchanged and unchanged_site(settings, last, inputs):
        # Same inputs, states as they were, outputs in place: the pages would be identical.
        return BuildReport.up_to_date(last, time.perf_counter() - started)
    _check_folders(settings)
    # A one-shot build reads the content files as the last left them, but what changed
    # (a process that stays loaded keeps its readings in memory instead).
    readings = None if readings_kept() else KeptReadings.load(_readings_file(settings))
    catalog = load_catalog(settings.content, readings)
    if settings.api_url is not None:
        catalog = catalog.calling(settings.api_url)
    if readings is not None:
        # Kept now (where the reading was forked off, already kept there) and let go: they
        # are what the files parse to, whatever the build makes of them, and held while the
        # pages render they would only add to its memory.
        readings.save()
        del readings
    # The catalog (then the plan, the keys and the memo tables) lives until the build ends:
    # frozen, it is left out of the collector's full scans.
    gc.freeze()
    try:
        return _build(settings, catalog, last, progress, started, inputs)
    finally:
        gc.unfreeze()


def _readings_file(settings: BuildSettings) -> pathlib.Path:
    """Where a one-shot build keeps its readings: in the cache, named for the generator's
    code, PyYAML and Python (marshal's format), so another version starts afresh."""
    key = f"{code_version()}\0{package_version('PyYAML')}\0{sys.version_info[:2]}"
    name = hashlib.sha256(key.encode()).hexdigest()[:16]
    return settings.cache / "readings" / f"{name}.marshal"


def _build(settings: BuildSettings, catalog: Catalog, last: Manifest, progress: bool,
           started: float, digest: bytes) -> BuildReport:
    """Plan, render and write the site of a loaded catalog (`digest`: the inputs' digest
    taken before it was loaded)."""
    # Served beside the pages: under the site's folder when base_url has one.
    assets = AssetPipeline(settings.content / "media", settings.templates / "static",
                           settings.cache / "assets",
                           f"{site_path(catalog.brand.base_url)}/assets/")
    keys = KeyStore.load(settings.private / "keys.json")
    sealing = [slug for slug in catalog.links if is_sealed(catalog.offer(slug), settings.now)]
    if not settings.new_keys:
        keys.require(sealing)
    sealed = {slug: keys.current(slug) for slug in sealing}
    if sealed:
        load_cipher()  # in the parent, for the render workers to share
    version = code_version()[:16]
    site = Site(catalog, settings, assets, keys=sealed,
                kept=KeptRenders.load(settings.cache / "render", version),
                placed=placed_cards(), kept_prices=kept_prices(catalog.brand))
    refresh_templates(settings.templates)
    keep_compiled_templates(settings.cache / "templates", version)
    # A process that stays loaded has its images encoded by its earlier builds: forking it
    # to encode them would cost more than the few a new edit brings, encoded below.
    aside = _encode_aside(site) if site.placed is None else None
    try:
        plan = build_plan(catalog, site.style_segment, tuple(sorted(sealed.items())))
        fingerprint = build_fingerprint(digest, keys.stored_bytes())
        compile_templates(settings.templates, catalog.brand.default_language)
    finally:
        if aside is not None:
            aside.join()
    renderer = Renderer.for_site(site)
    _prepare_assets(site)  # from the cache the child filled
    shown = style_inputs(site)
    site.card_keys.update(card_inputs(site, shown))
    previous = last.files
    # A first build keeps no page, so it needs its pages' input keys only for the manifest
    # it writes: they are worked out while the workers render, not before.
    inputs = page_inputs(renderer, plan, shown) if previous else {}
    public = [page for page in plan if page.link not in sealed]
    # The sitemap (with a large site's parts) is kept, like a page, while its key stands.
    sitemap_key = sitemap_inputs(site, public)
    sitemap_files = {SITEMAP, *(path for path in previous if is_sitemap(path))}
    inputs.update(dict.fromkeys(sitemap_files, sitemap_key))
    same = {path: entry for path, key in inputs.items()
            if (entry := previous.get(path)) is not None and entry.inputs == key}
    on_disk = intact_paths(settings.out, same)
    remake_sitemap = not sitemap_files <= on_disk  # all of it, or none
    kept = [Staged(path, entry, None)  # same inputs: same bytes
            for path, entry in same.items()
            if path in on_disk and not (remake_sitemap and path in sitemap_files)]
    if previous:
        # `inputs` keys the planned pages first, in the plan's order (page_inputs walks the
        # plan; the sitemap's come after): their paths, not each made again (24k of them).
        assert not plan or next(iter(inputs)) == plan[0].path, "page keys in the plan's order"
        pages = islice(inputs.items(), len(plan))
        todo = [(page, key) for page, (path, key) in zip(plan, pages, strict=True)
                if path not in on_disk]
    else:  # a first build keeps no page: it renders them all, keyed while they render
        todo = [(page, "") for page in plan]
    # Into a folder that does not exist yet, the site is staged whole beside it and renamed
    # into place at once, not file by file (a 24k-page site: 24k renames fewer).
    staging = staging_folder(settings.out)
    folder = settings.out if staging is None else staging
    site_files: list[Staged] = []
    manifest = b""

    def meanwhile() -> None:  # the parent's own work, while the workers render
        nonlocal manifest
        # The endpoint's manifest prices every style through the site's memo, so the
        # parent's share of the pages then finds its prices made.
        manifest = manifest_bytes(build_manifest(catalog, sealed, site.price))
        if not previous:
            inputs.update(page_inputs(renderer, plan, shown))
        # Each staged as soon as it is made, like the pages: the parent holds a sitemap part
        # or two at a time, not the whole sitemap, while it renders its share.
        for file in _site_files(site, catalog, public, remake_sitemap):
            key = sitemap_key if is_sitemap(file.path) else ""
            site_files.append(stage_file(folder, previous, file, key,
                                         in_place=staging is not None))

    if site.kept.draws_qr_codes() and any(page.kind == "linesheet" for page, _key in todo):
        load_encoder()  # in the parent, for the render processes to share (as the cipher)
    window = state_window(catalog, settings.now)
    jobs = settings.jobs or default_jobs()
    if site.placed is not None and len(todo) < ALONE_BELOW:
        jobs = 1  # here, where the placed cards are kept: a worker's would be lost
    try:
        staged = render_all(renderer, todo, folder, previous, jobs, progress, meanwhile,
                            in_place=staging is not None)
        staged += site_files
        try:
            files = assets.files()
        except BaseException:
            discard(staged, folder)
            raise
        report = write_site(files, settings.out, settings.manifest, fingerprint,
                            kept + staged, window, previous,
                            staging, inputs, len(plan))
    except BaseException:
        discard(site_files, folder)  # render_all discards only the pages it staged
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        raise
    write_private(settings.private / "manifest.json", manifest)
    site.kept.save()
    keys.save()  # only now: a failed build must not leave keys for pages never published
    return BuildReport(
        pages=len(plan), files=len(report.written) + report.unchanged,
        written=len(report.written), unchanged=report.unchanged, removed=len(report.removed),
        seconds=time.perf_counter() - started, rendered=len(todo), window=window,
        folder=site_path(catalog.brand.base_url),
    )


def _check_folders(settings: BuildSettings) -> None:
    """Refuse, before anything is rendered, an output or private folder the build could not
    write to: a site of 24k pages renders for seconds before its first file is written, and
    the private manifest and keys are written after the site, which would otherwise be
    published with sealed pages whose keys are nowhere."""
    out, private = settings.out, settings.private
    if out.exists() and not out.is_dir():
        raise LinesheetsError(f"the output folder '{out}' is a file; give --out a folder "
                              "(default public/)")
    # What goes to the CDN must not carry the content (the buyers' passcodes and addresses),
    # the page keys and passcode hashes, nor the cache beside them (the cards of sealed links
    # in the clear).
    if _within(settings.content, out) or _within(out, settings.content):
        raise LinesheetsError(f"the output folder '{out}' and the content folder "
                              f"'{settings.content}' are one inside the other: the content "
                              "(buyers' passcodes and addresses among it) would be published "
                              "with the site, or the site mixed into it; give --out a folder "
                              "apart (default public/)")
    for inside in (private, settings.cache):
        if _within(inside, out):
            raise LinesheetsError(f"the private folder '{private}' (or the cache beside it) is "
                                  f"inside the output folder '{out}': its page keys, passcode "
                                  "hashes and the sealed links' cards would be published with "
                                  "the site; give --private a folder outside --out (default "
                                  "build/private/)")
    # A first build stages the site beside the folder it does not have yet (staging_folder).
    _check_writable(out if out.is_dir() else out.parent, "output folder", "--out", "public/")
    if private.exists() and not private.is_dir():
        raise LinesheetsError(f"the private folder '{private}' is a file; give --private a "
                              "folder (default build/private/)")
    _check_writable(private, "private folder", "--private", "build/private/")
    for name in ("manifest.json", "keys.json"):
        if (private / name).is_dir():
            raise LinesheetsError(f"'{private / name}' is a folder; the build writes a file "
                                  "there: move the folder away")


def _within(path: pathlib.Path, folder: pathlib.Path) -> bool:
    """Whether `path` is `folder` or inside it (links followed, as the files will be)."""
    path, folder = path.resolve(), folder.resolve()
    return path == folder or folder in path.parents


def _check_writable(folder: pathlib.Path, name: str, option: str, default: str) -> None:
    if folder.exists() and not folder.is_dir():
        raise LinesheetsError(f"'{folder}' is a file, not a folder; give {option} a folder "
                              f"(default {default})")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LinesheetsError(f"cannot make the {name} '{folder}': {exc.strerror}; give "
                              f"{option} a folder (default {default})") from None
    probe = folder / f".{os.getpid()}.probe"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise LinesheetsError(f"cannot write in the {name} '{folder}': {exc.strerror}; check "
                              "its permissions and free space") from None


def _encode_aside(site: Site) -> multiprocessing.process.BaseProcess | None:
    """Start a child that encodes the images into the asset cache while this process plans,
    compiles the templates and prices: the other core, idle until the render, encodes (Pillow
    holds the interpreter while it encodes, so a thread would not), and the parent's own pass
    then finds every image done. None where processes cannot be forked.

    The child reports nothing: what it could not encode, the parent encodes again and reports
    (the cache is written atomically, so a child stopped midway leaves no half entry)."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    child = multiprocessing.get_context("fork").Process(
        target=_encode, args=(site,), name="linesheets-images", daemon=True)
    child.start()
    return child


def _encode(site: Site) -> None:
    try:
        _prepare_assets(site)
    except BaseException:  # the parent does it again, and reports what fails
        return


def _prepare_assets(site: Site) -> None:
    """Encode every image the pages can show, and fingerprint the static files, before the
    render workers fork: they then find everything ready, and the parent knows every asset."""
    catalog, assets = site.catalog, site.assets
    assets.static("site.css")
    assets.static("site.js")
    assets.static("unlock.js")
    assets.static("not-found.js")  # the 404 page's, made beside the pages
    for shown in (catalog.brand.logo, catalog.brand.icon):  # as they are, on every page
        if shown:
            assets.media(shown)
    if catalog.brand.logo:  # its width and height too, in every page's header
        assets.size(catalog.brand.logo)
    for link in catalog.links.values():
        background = link.background
        if background.type == "video" and background.src and "://" not in background.src:
            assets.media(background.src)
        if link.video and "://" not in link.video:  # a film on the link home
            assets.media(link.video)
    for path in catalog.pictures():
        assets.picture(path)


def _site_files(site: Site, catalog: Catalog, public: list[PagePlan],
                with_sitemap: bool = True) -> Iterator[OutputFile]:
    """robots.txt, _headers, 404.html and the sitemap of the public pages (each with its URL
    in the link's every language, as the pages' hreflang links give it), unless the last one
    stands; made one after the other, as the caller stages them."""
    yield robots(site.origin, site.base_path)
    yield headers(site.base_path, catalog.brand.api_url)
    yield not_found_page(site)
    if with_sitemap:
        yield from sitemaps(site.origin, site.base_path, _in_every_language(catalog, public))


def _in_every_language(catalog: Catalog, public: list[PagePlan]) -> list[tuple[PagePlan, ...]]:
    """The public pages as the same page in each of its link's languages, in the link's
    order of languages (a page without a language, a link's chooser, alone). The sitemap lists
    a page's languages together and makes their alternates once, from pages rather than
    from their URLs: tables of 24k URLs and paths were the parent's largest transient while
    the render workers ran."""
    groups: dict[tuple[str | None, ...], list[PagePlan]] = {}
    for page in public:
        variant = (page.link, page.kind, page.currency, page.season, page.style, page.lookbook)
        groups.setdefault(variant, []).append(page)
    languages = {slug: catalog.offer(slug).languages for slug in catalog.links}
    return [tuple(sorted(group, key=lambda page: languages[page.link].index(page.language)
                         if page.language is not None else 0))
            for group in groups.values()]
