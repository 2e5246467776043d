"""Incremental builds: after an edit, a rebuild renders only the pages that show what changed,
and its output is byte-identical to a clean build of the edited content."""

from __future__ import annotations

import errno
import hashlib
import json
import marshal
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from jinja2 import Environment
from markupsafe import Markup

from generator import _kept_prices as kept_prices_module
from generator import build, placed, rendering, writer
from generator import catalog as catalog_module
from generator import content as content_module
from generator import inputs as inputs_module
from generator.assets import _pipeline
from generator.assets._images import encode_variants as _original_encode
from generator.build import run
from generator.catalog import load_catalog
from generator.errors import LinesheetsError
from generator.inputs import template_closure
from generator.pages import Page
from generator.plan import PageKind, PagePlan, build_plan
from generator.report import BuildReport
from generator.seal import KeyStore
from generator.settings import SITE_TEMPLATES, BuildSettings
from generator.site import Site
from generator.sitefiles import URLS_PER_SITEMAP, is_sitemap_part, sitemaps
from generator.state import is_sealed
from generator.writer import OutputFile, _record
from tests.e2e.conftest import FROZEN
from tests.e2e.golden import CONTENT, KEYS

PRICE = "JPY: {rrp: 48000, wsp: 21600}"  # SS27-001 in the fixture's products.yaml


def _tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _settings(folder: Path, content: Path, templates: Path, jobs: int = 0,
              now: datetime = FROZEN) -> BuildSettings:
    return BuildSettings(content=content, now=now, out=folder / "public",
                         private=folder / "private", cache=folder / "cache",
                         manifest=folder / "public-manifest.json", templates=templates, jobs=jobs)


def _build(folder: Path, content: Path, templates: Path, jobs: int = 0,
           now: datetime = FROZEN) -> BuildReport:
    """Build with the fixture's committed keys (so sealed pages compare byte for byte)."""
    if not (folder / "private" / "keys.json").exists():
        (folder / "private").mkdir(parents=True, exist_ok=True)
        shutil.copy2(KEYS / "keys.json", folder / "private" / "keys.json")
    return run(_settings(folder, content, templates, jobs, now))


@pytest.fixture
def sources(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the fixture content and of the templates, to edit."""
    content, templates = tmp_path / "content", tmp_path / "templates"
    shutil.copytree(CONTENT, content)
    shutil.copytree(SITE_TEMPLATES, templates)
    return content, templates


def _plan(content: Path, private: Path) -> tuple[PagePlan, ...]:
    catalog = load_catalog(content)
    store = KeyStore.load(private / "keys.json")

    def segment(link: str, season: str, style_no: str) -> str:
        if is_sealed(catalog.offer(link), FROZEN):
            return store.current(link).opaque(f"{season}/{style_no}")
        return style_no

    return build_plan(catalog, segment)


def _rebuild_matches_clean_build(tmp_path: Path, content: Path, templates: Path) -> BuildReport:
    """Rebuild into the first build's folder; return its report after checking its output
    against a clean build of the same sources."""
    report = _build(tmp_path / "site", content, templates)
    clean = _build(tmp_path / "clean", content, templates)
    assert clean.rendered == clean.pages
    assert _tree(tmp_path / "site" / "public") == _tree(tmp_path / "clean" / "public")
    return report


def test_one_price_edited_renders_only_the_pages_that_show_it(
    tmp_path: Path, sources: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    content, templates = sources
    first = _build(tmp_path / "site", content, templates)
    products = content / "seasons" / "ss27" / "products.yaml"
    text = products.read_text(encoding="utf-8")
    assert PRICE in text
    products.write_text(text.replace(PRICE, PRICE.replace("21600", "21700")), encoding="utf-8")
    parsed: list[str] = []
    whole = content_module._parse_plain

    def counted(text: str) -> Any:
        parsed.append(text)
        return whole(text)

    monkeypatch.setattr(content_module, "_parse_plain", counted)

    report = _rebuild_matches_clean_build(tmp_path, content, templates)

    # The first build left its readings in its cache: the rebuild parsed the edited style.
    [style] = parsed
    assert style.startswith("  - style_no: SS27-001\n") and "21700" in style

    showing = [page for page in _plan(content, tmp_path / "site" / "private")
               if page.currency == "JPY" and (page.kind == "linesheet" or (
                   page.kind == "style" and page.style == "SS27-001"))]
    assert showing and len(showing) < first.pages // 4
    assert report.rendered == len(showing)
    # Links on the retail-rate term price from the RRP: their pages render but do not change.
    assert 0 < report.written < report.rendered
    assert (report.pages, report.removed) == (first.pages, 0)


def _moved_first(products: Path, style_no: str) -> None:
    """Move a style to the top of its products.yaml (each style's block as written)."""
    text = products.read_text(encoding="utf-8")
    head, *blocks = re.split(r"(?m)^(?=  - style_no: )", text)
    moved = [block for block in blocks if block.startswith(f"  - style_no: {style_no}\n")]
    assert len(moved) == 1, style_no
    rest = [block for block in blocks if block is not moved[0]]
    products.write_text(head + "".join(f"{block.rstrip()}\n" for block in moved + rest),
                        encoding="utf-8")


def test_a_style_renamed_or_moved_rerenders_the_style_pages_beside_it(
    tmp_path: Path, sources: tuple[Path, Path]
) -> None:
    """A style page names the styles before and after it: their new name, or new order, is
    on it after a rebuild as after a clean build."""
    content, templates = sources
    _build(tmp_path / "site", content, templates)
    products = content / "seasons" / "ss27" / "products.yaml"
    products.write_text(products.read_text(encoding="utf-8").replace("name: Tote\n",
                                                                      "name: Tote bag\n"),
                        encoding="utf-8")
    renamed = _rebuild_matches_clean_build(tmp_path, content, templates)
    coat = (tmp_path / "site/public/l/open/en/jpy/ss27/SS27-001/index.html").read_text()
    assert 'rel="next"' in coat and "Tote bag" in coat and 'rel="prev"' not in coat
    assert 0 < renamed.rendered < renamed.pages
    _moved_first(products, "SS27-002")
    assert _build(tmp_path / "site", content, templates).rendered > 0
    assert _tree(tmp_path / "site/public") == _tree(_clean_elsewhere(tmp_path, content,
                                                                     templates))
    coat = (tmp_path / "site/public/l/open/en/jpy/ss27/SS27-001/index.html").read_text()
    assert 'rel="prev"' in coat and 'rel="next"' not in coat


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_styles_own_delivery_and_the_seasons_rebuild_as_a_clean_build(
    tmp_path: Path, sources: tuple[Path, Path]
) -> None:
    """A style's own delivery is on its card, its style pages and the linesheet's filter;
    the season's is on its other styles' pages and labels the filter's first choice."""
    content, templates = sources
    _build(tmp_path / "site", content, templates)
    linesheet = tmp_path / "site/public/l/open/en/jpy/ss27/index.html"
    assert 'name="delivery"' not in linesheet.read_text()
    _replace(content / "seasons/ss27/products.yaml", "    moq: 2",
             "    moq: 2\n    delivery: {from: 2027-04-15, to: 2027-05-15}")
    dropped = _rebuild_matches_clean_build(tmp_path, content, templates)
    assert 0 < dropped.rendered < dropped.pages
    assert "Apr 15, 2027 – May 15, 2027" in linesheet.read_text()
    _replace(content / "seasons/ss27/season.yaml", "to: 2027-03-15", "to: 2027-03-31")
    _rebuild_matches_clean_build(tmp_path, content, templates)
    assert re.search(r'name="delivery" value="-"> Feb 1, 2027 – Mar 31, 2027',
                     linesheet.read_text())


def test_a_links_selection_and_an_exclusive_style_rebuild_as_a_clean_build(
    tmp_path: Path, sources: tuple[Path, Path]
) -> None:
    """A link's `hide_styles` and a style's `exclusive_to` change which pages a link has,
    what its linesheet lists, its home's count and its style pages' neighbours."""
    content, templates = sources
    _build(tmp_path / "site", content, templates)
    public = tmp_path / "site/public"
    _replace(content / "links/open.yaml", "transaction: {term: wsp}",
             "transaction: {term: wsp}\nhide_styles: [SS27-002]")
    hidden = _rebuild_matches_clean_build(tmp_path, content, templates)
    assert 0 < hidden.rendered < hidden.pages
    assert not (public / "l/open/en/jpy/ss27/SS27-002").exists()
    assert "Tote" not in (public / "l/open/en/jpy/ss27/index.html").read_text()
    coat = (public / "l/open/en/jpy/ss27/SS27-001/index.html").read_text()
    assert 'rel="next"' not in coat
    assert (public / "l/aoyama").exists()
    _replace(content / "links/open.yaml", "\nhide_styles: [SS27-002]", "")
    _replace(content / "seasons/ss27/products.yaml", "    moq: 2",
             "    moq: 2\n    exclusive_to: [aoyama]")
    assert _build(tmp_path / "site", content, templates).rendered > 0
    assert _tree(public) == _tree(_clean_elsewhere(tmp_path, content, templates))
    assert not (public / "l/open/en/jpy/ss27/SS27-001").exists()
    assert (public / "l/open/en/jpy/ss27/SS27-002/index.html").exists()


def test_a_links_colourways_rebuild_as_a_clean_build(
    tmp_path: Path, sources: tuple[Path, Path]
) -> None:
    """A link's `hide_colors` and a colourway's `exclusive_to` change the coat's card, its
    style pages and the linesheet's colour filter on that link only; the cards kept between
    builds are those of the colours each link shows."""
    content, templates = sources
    _build(tmp_path / "site", content, templates)
    public = tmp_path / "site/public"
    _replace(content / "links/open.yaml", "transaction: {term: wsp}",
             "transaction: {term: wsp}\nhide_colors: {SS27-001: [ECR]}")
    hidden = _rebuild_matches_clean_build(tmp_path, content, templates)
    assert 0 < hidden.rendered < hidden.pages
    coat = (public / "l/open/en/jpy/ss27/SS27-001/index.html").read_text()
    assert 'data-color="BLK"' in coat and 'data-color="ECR"' not in coat
    # The ecru made Aoyama's: hidden on every other link, the open one's hide no longer
    # needed; then back on every link.
    _replace(content / "seasons/ss27/products.yaml", 'swatch: "#EEE8DC"}',
             'swatch: "#EEE8DC", exclusive_to: [aoyama]}')
    _replace(content / "links/open.yaml", "\nhide_colors: {SS27-001: [ECR]}", "")
    assert _build(tmp_path / "site", content, templates).rendered > 0
    assert _tree(public) == _tree(_clean_elsewhere(tmp_path, content, templates))
    assert 'data-color="ECR"' not in (public / "l/open/en/jpy/ss27/index.html").read_text()
    _replace(content / "seasons/ss27/products.yaml", ', exclusive_to: [aoyama]}', "}")
    assert _build(tmp_path / "site", content, templates).rendered > 0
    assert _tree(public) == _tree(_clean_elsewhere(tmp_path, content, templates))
    assert 'data-color="ECR"' in (public / "l/open/en/jpy/ss27/SS27-001/index.html").read_text()


def test_a_file_saved_while_a_build_reads_the_content_is_built_by_the_next(
    tmp_path: Path, sources: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The editor's save lands after the build read the content, before it finished: that
    build is of the text before, so the next one must not find the site up to date."""
    content, templates = sources
    _build(tmp_path / "site", content, templates)
    products = content / "seasons" / "ss27" / "products.yaml"
    text = products.read_text(encoding="utf-8")

    def plan_then_save(*args: Any, **kwargs: Any) -> tuple[PagePlan, ...]:
        plan = build_plan(*args, **kwargs)  # the content is read: the editor saves now
        products.write_text(text.replace(PRICE, PRICE.replace("21600", "21700")),
                            encoding="utf-8")
        return plan

    with monkeypatch.context() as patched:
        patched.setattr(build, "build_plan", plan_then_save)
        products.write_text(text.replace(PRICE, "JPY: {rrp: 48000, wsp: 21650}"),
                            encoding="utf-8")
        _build(tmp_path / "site", content, templates)  # of 21650, while the file says 21700
    report = _rebuild_matches_clean_build(tmp_path, content, templates)
    assert report.rendered > 0
    page = (tmp_path / "site" / "public" / "l" / "open" / "en" / "jpy" / "ss27" / "SS27-001"
            / "index.html").read_text(encoding="utf-8")
    assert 'data-unit="21700"' in page


@pytest.mark.parametrize(("template", "kind", "before"), [
    ("help.html", "help", "</article>"),
    ("_style_grid.html", "style", "</table>"),
    ("_style_card.html", "linesheet", "</li>"),
])
def test_a_template_edited_rerenders_only_the_pages_that_use_it(
    tmp_path: Path, sources: tuple[Path, Path], template: str, kind: str, before: str
) -> None:
    content, templates = sources
    _build(tmp_path / "site", content, templates)
    path = templates / template
    text = path.read_text(encoding="utf-8")
    assert before in text
    path.write_text(text.replace(before, f"<!-- edited -->{before}"), encoding="utf-8")

    report = _rebuild_matches_clean_build(tmp_path, content, templates)

    using = [page for page in _plan(content, tmp_path / "site" / "private") if page.kind == kind]
    assert report.rendered == len(using)
    # A sealed page whose body is not rendered (an expired link's screen) may not change.
    assert 0 < report.written <= len(using)


def test_a_rebuild_without_change_renders_and_writes_nothing(
    tmp_path: Path, sources: tuple[Path, Path]
) -> None:
    content, templates = sources
    first = _build(tmp_path / "site", content, templates)
    again = _build(tmp_path / "site", content, templates)
    assert (again.rendered, again.written, again.removed) == (0, 0, 0)
    assert again.unchanged == first.files
    assert again.pages == first.pages  # as the manifest records it
    # A manifest from before it recorded the count: the pages are counted from its entries.
    manifest = tmp_path / "site" / "public-manifest.json"
    data = json.loads(manifest.read_text())
    assert data.pop("pages") == first.pages
    manifest.write_text(json.dumps(data))
    assert _build(tmp_path / "site", content, templates).pages == first.pages


def test_a_no_change_rebuild_answers_before_loading_the_models(tmp_path: Path) -> None:
    """`linesheets build` with nothing changed stops at the fingerprint, before pydantic, the
    models and Jinja2 load: most of its time went to those imports when the pages' policy
    (sitefiles.py) reached the link models for the video players' hosts. Checked in a new
    interpreter, where nothing else has imported them."""
    from tests.unit.conftest import ContentDir

    content = ContentDir(tmp_path / "content")
    argv = ["build", str(content.root), "--out", str(tmp_path / "public"), "--private",
            str(tmp_path / "private"), "--now", "2026-11-27T00:00:00+00:00"]
    script = (f"import sys\nfrom generator.cli import main\nassert main({argv!r}) == 0\n"
              "print(sorted({name.partition('.')[0] for name in sys.modules}))")
    first, again = (subprocess.run([sys.executable, "-c", script], capture_output=True,
                                   text=True, timeout=120, check=True) for _ in range(2))
    assert "pydantic" in first.stdout  # a build that renders loads them
    loaded = again.stdout
    assert "0 written" in loaded and "0 pages rendered" in loaded
    for heavy in ("pydantic", "jinja2", "babel", "yaml", "PIL"):
        assert f"'{heavy}'" not in loaded, heavy


def test_a_rebuild_after_a_deadline_renders_the_pages_whose_state_changed(
    tmp_path: Path, sources: tuple[Path, Path]
) -> None:
    """No file changed, but the season's order deadline (2027-01-31 18:00 in Tokyo) passed
    between the builds: the no-change shortcut must not apply."""
    content, templates = sources
    first = _build(tmp_path / "site", content, templates)
    # A day later, still before the deadline: the states are the first build's, nothing to do,
    # and the summary counts the pages the first build made.
    unchanged = _build(tmp_path / "site", content, templates, now=FROZEN + timedelta(days=1))
    assert (unchanged.rendered, unchanged.written, unchanged.pages) == (0, 0, first.pages)
    later = datetime(2027, 2, 1, tzinfo=UTC)
    again = _build(tmp_path / "site", content, templates, now=later)
    clean = _build(tmp_path / "clean", content, templates, now=later)
    assert again.rendered == clean.rendered == first.pages  # every link offers that season
    assert again.written > 0
    assert _tree(tmp_path / "site" / "public") == _tree(tmp_path / "clean" / "public")


def test_each_page_kind_declares_every_template_it_renders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sources: tuple[Path, Path]
) -> None:
    """The templates a page really loads (includes, fragments, helpers) are all in its kind's
    closure, which is what its inputs' key covers."""
    content, templates = sources
    loaded: dict[PageKind, set[str]] = defaultdict(set)
    current: list[PageKind] = []
    load = Environment._load_template
    render = rendering.Renderer.render

    def record_load(self: Environment, name: str, globals: object) -> object:
        if current:  # a page's; site files (404.html) are made again on every build
            loaded[current[-1]].add(name)
        return load(self, name, globals)  # type: ignore[arg-type]

    def record_render(self: rendering.Renderer, plan: PagePlan) -> object:
        current.append(plan.kind)
        try:
            return render(self, plan)
        finally:
            current.pop()

    monkeypatch.setattr(Environment, "_load_template", record_load)
    monkeypatch.setattr(rendering.Renderer, "render", record_render)
    _build(tmp_path / "site", content, templates, jobs=1)  # one process: every load is seen
    assert set(loaded) >= {"chooser", "home", "linesheet", "style", "cart", "lookbook", "help"}
    for kind, names in loaded.items():
        assert names <= set(template_closure(templates, kind)), kind


def test_style_page_fragments_are_rendered_once_and_held_only_while_their_style_renders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sources: tuple[Path, Path]
) -> None:
    """A style page's fragments (gallery, facts, size grid) are shared by the style's pages in
    every link and currency: rendered once a language, and, since the style's pages are
    rendered together, dropped when the next style's begin (a whole language's were ~6 MiB a
    render process at the build's memory peak)."""
    content, templates = sources
    renders: Counter[tuple[str, str, str, str, bool]] = Counter()
    styles_held: list[int] = []
    style_pages: Counter[tuple[str | None, str | None, str | None]] = Counter()
    fragment, render = Site.fragment, rendering.Renderer.render

    def record_fragment(self: Site, key: tuple[str, str, str, str, bool],
                        make: Callable[[], str], kept: str | None = None, strip: bool = True,
                        style_page: bool = False) -> Markup:
        def counted() -> str:
            renders[key] += 1
            return make()
        if style_page:
            styles_held.append(len({held[1:4] for held in self._style_fragments}))
        return fragment(self, key, counted if style_page else make, kept, strip, style_page)

    def record_render(self: rendering.Renderer, plan: PagePlan) -> object:
        if plan.kind == "style":
            style_pages[plan.language, plan.season, plan.style] += 1
        return render(self, plan)

    monkeypatch.setattr(Site, "fragment", record_fragment)
    monkeypatch.setattr(rendering.Renderer, "render", record_render)
    _build(tmp_path / "site", content, templates, jobs=1)
    assert max(style_pages.values()) > 1  # a style shown by several links or currencies
    assert renders and set(renders.values()) == {1}
    assert {(language, season, style) for _name, language, season, style, _o in renders} == (
        set(style_pages))
    assert max(styles_held) == 1


def test_each_chunk_of_pages_returns_the_memory_it_freed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sources: tuple[Path, Path]
) -> None:
    """A build in one process (one core) returns the C heap's free pages after every chunk of
    pages, as the render workers do: linesheets of half a megabyte each otherwise held the
    process at its high-water mark."""
    content, templates = sources
    calls: list[int] = []
    monkeypatch.setattr(rendering, "release_free_memory", lambda: calls.append(1))
    monkeypatch.setattr(rendering, "CHUNK", 4)
    report = _build(tmp_path / "site", content, templates, jobs=1)
    assert report.rendered > 4 * 2 and len(calls) >= report.rendered / 4


_original_worker = rendering._run_worker


def _counted_worker(worker: int, *args: Any, **kwargs: Any) -> object:
    """A render worker that leaves a mark, with its process: proof that the build forked."""
    marks = Path(os.environ["LINESHEETS_TEST_MARKS"])
    (marks / f"worker-{worker}").write_text(str(os.getpid()), encoding="ascii")
    return _original_worker(worker, *args, **kwargs)


def test_workers_taking_each_others_chunks_build_what_one_process_builds(
        tmp_path: Path, sources: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """Two workers on chunks of three pages (so they take many from each other's languages)
    write the same bytes as one process, every page once."""
    content, templates = sources
    single = _build(tmp_path / "one", content, templates, jobs=1)
    marks = tmp_path / "marks"
    marks.mkdir()
    monkeypatch.setenv("LINESHEETS_TEST_MARKS", str(marks))
    monkeypatch.setattr(rendering, "CHUNK", 3)
    monkeypatch.setattr(rendering, "PARALLEL_FROM", 1)
    monkeypatch.setattr(rendering, "_run_worker", _counted_worker)
    split = _build(tmp_path / "two", content, templates, jobs=2)
    assert sorted(mark.name for mark in marks.iterdir()) == ["worker-0", "worker-1"]
    pids = {mark.name: mark.read_text(encoding="ascii") for mark in marks.iterdir()}
    assert pids["worker-0"] == str(os.getpid()) != pids["worker-1"]  # the parent, a child
    assert (split.pages, split.rendered) == (single.pages, single.rendered)
    assert _tree(tmp_path / "two" / "public") == _tree(tmp_path / "one" / "public")
    # Each process's share came back through a file, which is gone.
    assert not any(rendering._share_file(os.getpid(), worker).exists() for worker in (0, 1))
    # Every card and amount either process made reached the file kept for the next build,
    # though each hands them over, and forgets them, as it moves on to another language.
    assert _kept_renders(tmp_path / "two") == _kept_renders(tmp_path / "one")


def _importing_worker(worker: int, *args: Any, **kwargs: Any) -> object:
    """A render worker that notes the modules its process imported while it rendered."""
    before = set(sys.modules)
    try:
        return _original_worker(worker, *args, **kwargs)
    finally:
        marks = Path(os.environ["LINESHEETS_TEST_MARKS"])
        (marks / f"imports-{worker}").write_text(" ".join(sorted(set(sys.modules) - before)),
                                                encoding="ascii")


def test_render_processes_import_nothing_once_forked(
        tmp_path: Path, sources: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """A first build loads what its pages need before it forks, the QR codes' encoder too:
    a module imported by a render process would be held once a process, not shared."""
    for name in [name for name in sys.modules if name.partition(".")[0] == "segno"]:
        monkeypatch.delitem(sys.modules, name)  # as in a new process
    marks = tmp_path / "marks"
    marks.mkdir()
    monkeypatch.setenv("LINESHEETS_TEST_MARKS", str(marks))
    monkeypatch.setattr(rendering, "PARALLEL_FROM", 1)
    monkeypatch.setattr(rendering, "_run_worker", _importing_worker)
    _build(tmp_path / "site", *sources, jobs=2)
    imports = {mark.name: mark.read_text(encoding="ascii") for mark in marks.iterdir()}
    assert imports == {"imports-0": "", "imports-1": ""}
    assert "segno" in sys.modules  # the parent's, which drew the codes
    # A price edited: its linesheets render again, their codes kept: nothing loads segno.
    for name in [name for name in sys.modules if name.partition(".")[0] == "segno"]:
        monkeypatch.delitem(sys.modules, name)
    products = sources[0] / "seasons" / "ss27" / "products.yaml"
    text = products.read_text(encoding="utf-8")
    products.write_text(text.replace(PRICE, PRICE.replace("21600", "21700")), encoding="utf-8")
    assert _build(tmp_path / "site", *sources, jobs=2).rendered > 0
    assert "segno" not in sys.modules


def _kept_renders(folder: Path) -> Any:
    [path] = (folder / "cache" / "render").iterdir()
    return marshal.loads(path.read_bytes())


def _marked_stage(*args: Any, **kwargs: Any) -> Any:
    """stage_file that notes, in any process, each page it wrote to a temporary file."""
    staged = writer.stage_file(*args, **kwargs)
    if staged.temporary is not None:
        marks = Path(os.environ["LINESHEETS_TEST_MARKS"])
        (marks / f"staged-{os.getpid()}-{os.urandom(4).hex()}").touch()
    return staged


def _failing_shares(tmp_path: Path, sources: tuple[Path, Path],
                    monkeypatch: pytest.MonkeyPatch) -> tuple[Path, dict[str, str]]:
    """A built site whose every style page then changes, rebuilt by two processes on chunks
    of two pages, each page written to a temporary file noted in the marks folder."""
    content, templates = sources
    _build(tmp_path / "site", content, templates)
    grid = templates / "_style_grid.html"  # every style page changes
    grid.write_text(grid.read_text(encoding="utf-8").replace(
        "</table>", "<!-- edited --></table>"), encoding="utf-8")
    marks = tmp_path / "marks"
    marks.mkdir()
    monkeypatch.setenv("LINESHEETS_TEST_MARKS", str(marks))
    monkeypatch.setattr(rendering, "PARALLEL_FROM", 1)
    monkeypatch.setattr(rendering, "CHUNK", 2)
    monkeypatch.setattr(rendering, "stage_file", _marked_stage)
    return marks, _tree(tmp_path / "site" / "public")


def test_a_worker_that_cannot_hand_its_share_back_fails_the_build_cleanly(
        tmp_path: Path, sources: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """Each process's share goes through the temporary folder: if it cannot be written
    there, the build stops with a message naming it, and no page is left behind."""
    marks, before = _failing_shares(tmp_path, sources, monkeypatch)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "no-such-folder"))
    with pytest.raises(LinesheetsError, match="cannot write the pages a render worker made"):
        _build(tmp_path / "site", *sources, jobs=2)
    assert any(marks.iterdir())  # pages were staged before the share failed...
    assert _tree(tmp_path / "site" / "public") == before  # ...and are gone


class _FullDisk:
    """A file whose writes fail as on a full disk."""

    def __init__(self, file: Any) -> None:
        self.file = file

    def write(self, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    def close(self) -> None:
        self.file.close()


_original_add = rendering._Share.add


def test_a_share_that_fails_midway_discards_the_pages_written_before(
        tmp_path: Path, sources: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """A share whose disk fills after some units were written: the process reads back what it
    wrote and removes those pages and the share; the build stops with the disk's error."""
    marks, before = _failing_shares(tmp_path, sources, monkeypatch)
    calls: dict[int, int] = defaultdict(int)

    def add(share: Any, staged: list[Any]) -> None:
        calls[os.getpid()] += 1
        if calls[os.getpid()] == 4:
            share._file = _FullDisk(share._file)
        _original_add(share, staged)

    monkeypatch.setattr(rendering._Share, "add", add)
    with pytest.raises(LinesheetsError, match="No space left on device"):
        _build(tmp_path / "site", *sources, jobs=2)
    assert len(list(marks.iterdir())) > 4  # more pages staged than the failing units held
    assert _tree(tmp_path / "site" / "public") == before
    assert not any(rendering._share_file(os.getpid(), worker).exists() for worker in (0, 1))


@pytest.mark.parametrize("data", [
    b"not marshal data",
    marshal.dumps(("staged", [])),  # cut short: no end mark
])
def test_a_worker_share_that_cannot_be_read_is_a_clear_error(
        tmp_path: Path, data: bytes) -> None:
    share = tmp_path / "share.marshal"
    share.write_bytes(data)
    with pytest.raises(LinesheetsError, match="cannot read the pages a render worker made"):
        rendering._received(share)


def _marked_encode(*args: Any, **kwargs: Any) -> Any:
    """encode_variants that notes which process encoded."""
    marks = Path(os.environ["LINESHEETS_TEST_MARKS"])
    (marks / f"encoded-{os.getpid()}-{os.urandom(4).hex()}").touch()
    return _original_encode(*args, **kwargs)


def test_images_are_encoded_aside_while_the_build_plans(
        tmp_path: Path, sources: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """A child encodes the images; the build finds them in the cache and encodes none itself.
    A child that fails leaves the work to the build, whose output is the same."""
    content, templates = sources
    marks = tmp_path / "marks"
    marks.mkdir()
    monkeypatch.setenv("LINESHEETS_TEST_MARKS", str(marks))
    monkeypatch.setattr(_pipeline, "encode_variants", _marked_encode)
    _build(tmp_path / "aside", content, templates)
    encoders = {mark.name.split("-")[1] for mark in marks.iterdir()}
    assert encoders and str(os.getpid()) not in encoders  # every image, and in a child
    for mark in marks.iterdir():
        mark.unlink()
    monkeypatch.setattr(build, "_encode", _failing_encode)
    _build(tmp_path / "itself", content, templates)
    assert {mark.name.split("-")[1] for mark in marks.iterdir()} == {str(os.getpid())}
    assert _tree(tmp_path / "itself" / "public") == _tree(tmp_path / "aside" / "public")


def _failing_encode(site: object) -> None:
    os._exit(3)  # as a child killed midway: nothing encoded


def test_a_failure_while_the_workers_render_leaves_the_output_as_it_was(
        tmp_path: Path, sources: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """The sitemap is made while the workers render; if making it fails, the build fails
    with its error once they end, and nothing they staged is left behind."""
    content, templates = sources
    _build(tmp_path / "site", content, templates)
    before = _tree(tmp_path / "site" / "public")
    (content / "seasons" / "ss27" / "products.yaml").write_text(
        (content / "seasons" / "ss27" / "products.yaml").read_text(encoding="utf-8").replace(
            PRICE, "JPY: {rrp: 48000, wsp: 21700}"), encoding="utf-8")

    def broken(*args: object) -> None:
        time.sleep(1)  # the worker has ended by then: its share too must be discarded
        raise RuntimeError("no sitemap today")

    monkeypatch.setattr(build, "_site_files", broken)
    monkeypatch.setattr(rendering, "PARALLEL_FROM", 1)
    with pytest.raises(RuntimeError, match="no sitemap today"):
        _build(tmp_path / "site", content, templates, jobs=2)
    assert _tree(tmp_path / "site" / "public") == before  # no page replaced, no temporary


def test_ctrl_c_while_the_parent_waits_for_a_worker_leaves_the_output_as_it_was(
        tmp_path: Path, sources: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """The parent has staged its share and waits for the worker's when the build is stopped
    (Ctrl-C, SIGTERM): the worker stops, and the pages of both are discarded."""
    content, templates = sources
    _build(tmp_path / "site", content, templates)
    before = _tree(tmp_path / "site" / "public")
    products = content / "seasons" / "ss27" / "products.yaml"
    products.write_text(products.read_text(encoding="utf-8").replace(
        PRICE, "JPY: {rrp: 48000, wsp: 21700}"), encoding="utf-8")
    waits = []
    original = rendering._await

    def interrupted(*args: Any) -> None:
        waits.append(args)
        if len(waits) == 1:
            raise KeyboardInterrupt
        original(*args)

    monkeypatch.setattr(rendering, "_await", interrupted)
    monkeypatch.setattr(rendering, "PARALLEL_FROM", 1)
    with pytest.raises(KeyboardInterrupt):
        _build(tmp_path / "site", content, templates, jobs=2)
    assert len(waits) == 2  # it waited for the worker to stop
    assert _tree(tmp_path / "site" / "public") == before  # no page replaced, no temporary


_original_render = rendering.Renderer.render


def _render_failing_in(language: str) -> Any:
    def render(self: rendering.Renderer, plan: PagePlan) -> Any:
        if plan.language == language and plan.kind == "style":
            raise RuntimeError(f"cannot render {plan.url}")
        return _original_render(self, plan)
    return render


@pytest.mark.parametrize("language", ["en", "ja"])
def test_a_page_that_fails_in_either_process_leaves_the_output_as_it_was(
        tmp_path: Path, sources: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch,
        language: str) -> None:
    """The parent renders a share (the first language's) and a forked worker the rest: a page
    failing in either stops the build with its error, and nothing staged is left behind, nor
    the sitemap the parent staged meanwhile (gone from disk, it is made again)."""
    content, templates = sources
    _build(tmp_path / "site", content, templates)
    (tmp_path / "site" / "public" / "sitemap.xml").unlink()
    before = _tree(tmp_path / "site" / "public")
    (templates / "style.html").write_text(
        (templates / "style.html").read_text(encoding="utf-8") + "\n", encoding="utf-8")
    monkeypatch.setattr(rendering.Renderer, "render", _render_failing_in(language))
    monkeypatch.setattr(rendering, "PARALLEL_FROM", 1)
    monkeypatch.setattr(rendering, "CHUNK", 2)
    with pytest.raises(RuntimeError, match="cannot render"):
        _build(tmp_path / "site", content, templates, jobs=2)
    assert _tree(tmp_path / "site" / "public") == before


def test_a_first_build_into_a_new_folder_is_put_in_place_whole(
        tmp_path: Path, sources: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """Into a folder that does not exist, the pages are staged under their own names in a
    folder beside it, renamed into place at once: the same bytes as a build into an existing
    folder, with no staging folder left, and a rebuild after it still renders nothing."""
    content, templates = sources
    monkeypatch.setattr(rendering, "PARALLEL_FROM", 1)
    (tmp_path / "existing" / "public").mkdir(parents=True)
    into_existing = _build(tmp_path / "existing", content, templates, jobs=2)
    fresh = _build(tmp_path / "fresh", content, templates, jobs=2)
    assert _tree(tmp_path / "fresh" / "public") == _tree(tmp_path / "existing" / "public")
    assert (fresh.written, fresh.unchanged) == (into_existing.written, 0) == (fresh.files, 0)
    assert sorted(p.name for p in (tmp_path / "fresh").iterdir()) == [
        "cache", "private", "public", "public-manifest.json"]
    again = _build(tmp_path / "fresh", content, templates, jobs=2)
    assert (again.rendered, again.written) == (0, 0)


def test_a_failing_first_build_into_a_new_folder_leaves_nothing(
        tmp_path: Path, sources: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    content, templates = sources
    monkeypatch.setattr(rendering.Renderer, "render", _render_failing_in("ja"))
    monkeypatch.setattr(rendering, "PARALLEL_FROM", 1)
    monkeypatch.setattr(rendering, "CHUNK", 2)
    with pytest.raises(RuntimeError, match="cannot render"):
        _build(tmp_path / "site", content, templates, jobs=2)
    assert sorted(p.name for p in (tmp_path / "site").iterdir()) == ["cache", "private"]


def _counting_sitemaps(monkeypatch: pytest.MonkeyPatch,
                       urls_per_file: int = URLS_PER_SITEMAP) -> list[int]:
    made: list[int] = []

    def counting(origin: str, base_path: str,
                 pages: Sequence[Sequence[PagePlan]]) -> Iterator[OutputFile]:
        made.append(1)
        return sitemaps(origin, base_path, pages, urls_per_file)

    monkeypatch.setattr("generator.build.sitemaps", counting)
    return made


def test_the_sitemap_is_made_again_only_when_its_pages_change(
        tmp_path: Path, sources: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """A price edit leaves every URL as it was: the last sitemap stands (and the output is
    still a clean build's). A link that speaks one more language, a sitemap edited by hand:
    it is made again, as a clean build makes it."""
    content, templates = sources
    _build(tmp_path / "site", content, templates)
    made = _counting_sitemaps(monkeypatch)
    products = content / "seasons" / "ss27" / "products.yaml"
    products.write_text(products.read_text(encoding="utf-8").replace(
        PRICE, PRICE.replace("21600", "21700")), encoding="utf-8")
    _build(tmp_path / "site", content, templates)
    assert made == []
    press = content / "links" / "press.yaml"
    press.write_text(press.read_text(encoding="utf-8").replace("languages: [ja]",
                                                               "languages: [ja, en]"))
    _build(tmp_path / "site", content, templates)
    assert len(made) == 1
    on_disk = tmp_path / "site" / "public" / "sitemap.xml"
    on_disk.write_text(on_disk.read_text(encoding="utf-8").replace("<url>", "<url> "))
    _build(tmp_path / "site", content, templates)
    assert len(made) == 2
    _build(tmp_path / "clean", content, templates)
    assert _tree(tmp_path / "site" / "public") == _tree(tmp_path / "clean" / "public")


def _sitemap_parts(folder: Path) -> list[str]:
    return sorted((p.name for p in folder.iterdir() if is_sitemap_part(p.name)),
                  key=lambda name: int(name[8:-4]))


def _listed(public: Path) -> list[str]:
    """The page URLs a site's sitemap lists, through its index when it has parts."""
    index = (public / "sitemap.xml").read_text(encoding="utf-8")
    files = re.findall(r"<sitemap><loc>[^<]*/(sitemap-\d+\.xml)</loc></sitemap>", index)
    texts = [(public / name).read_text(encoding="utf-8") for name in files] or [index]
    return [url for text in texts for url in re.findall(r"<url><loc>([^<]*)</loc>", text)]


def test_a_large_sitemap_is_kept_and_remade_as_a_whole_with_its_parts(
        tmp_path: Path, sources: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """A site with more public pages than a sitemap takes (here 7) gets parts and an index.
    A price edit keeps them all; a part gone from disk has them all made again; a link in
    fewer languages has fewer parts, and the ones left over go. Each time the output is a
    clean build's, every public page listed once."""
    content, templates = sources
    made = _counting_sitemaps(monkeypatch, urls_per_file=7)
    site = tmp_path / "site"
    first = _build(site, content, templates)
    again = _build(site, content, templates)  # nothing changed: the parts are no pages
    assert (again.written, again.pages, again.files) == (0, first.pages, first.files)
    public = site / "public"
    parts = _sitemap_parts(public)
    listed = _listed(public)
    assert len(parts) == -(-len(listed) // 7) > 1 and len(listed) == len(set(listed))
    assert "/l/open/en/jpy/ss27/" in "".join(listed)
    assert not any("/l/press/" in url for url in listed)  # sealed: never listed
    products = content / "seasons" / "ss27" / "products.yaml"
    products.write_text(products.read_text(encoding="utf-8").replace(
        PRICE, PRICE.replace("21600", "21700")), encoding="utf-8")
    assert _build(site, content, templates).written > 0 and len(made) == 1
    (public / parts[-1]).unlink()
    _build(site, content, templates)
    assert len(made) == 2 and _sitemap_parts(public) == parts
    link = content / "links" / "open.yaml"
    text = link.read_text(encoding="utf-8")
    link.write_text(text + "languages: [en]\n", encoding="utf-8")  # half the pages
    _build(site, content, templates)
    fewer = _sitemap_parts(public)
    assert len(made) == 3 and 1 < len(fewer) < len(parts)  # the parts left over are gone
    assert _tree(public) == _tree(_clean_elsewhere(tmp_path, content, templates))
    link.write_text(text, encoding="utf-8")
    _build(site, content, templates)
    # (the clean build above made one too)
    assert len(made) == 5 and _sitemap_parts(public) == parts and _listed(public) == listed
    assert _tree(public) == _tree(_clean_elsewhere(tmp_path, content, templates))


def _clean_elsewhere(tmp_path: Path, content: Path, templates: Path) -> Path:
    folder = tmp_path / f"clean-{time.monotonic_ns()}"
    _build(folder, content, templates)
    return folder / "public"


# The modules that keep something between the builds of a process that stays loaded.
_STAYING: tuple[Any, ...] = (content_module, catalog_module, kept_prices_module,
                             inputs_module, placed)


def _clean_build_elsewhere(tmp_path: Path, content: Path, templates: Path) -> Path:
    """A clean build of the sources, keeping nothing of this process's earlier builds."""
    kept = [module._kept for module in _STAYING]
    for module in _STAYING:
        module._kept = None
    try:
        folder = tmp_path / f"clean-{time.monotonic_ns()}"
        assert _build(folder, content, templates).rendered > 0
    finally:
        for module, value in zip(_STAYING, kept, strict=True):
            module._kept = value
    return folder / "public"


def _noted(method: Callable[..., Any], kind: str, notes: list[str]) -> Callable[..., Any]:
    """A Page method that notes each call of it in `notes`, then does what it did."""

    def noted(page: Page, *args: Any) -> Any:
        notes.append(kind)
        return method(page, *args)

    return noted


def test_rebuilds_by_a_process_that_stays_loaded_match_clean_builds(
    tmp_path: Path, sources: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a watch keeps between its builds (each file's reading, each style's validation,
    the plan, the manifest written, the cards placed on the linesheets) gives the pages a
    clean build gives, edit after edit, and spares the cards of the styles left as they
    were."""
    content, templates = sources
    for module in _STAYING:
        monkeypatch.setattr(module, "_kept", None)
    monkeypatch.setattr(_record, "_lines", None)
    build.stay_loaded()
    rendered_cards: list[str] = []
    render_card = Page.card

    def counted(page: Page, product: Any, lazy: bool) -> Any:
        rendered_cards.append(product.style_no)
        return render_card(page, product, lazy)

    monkeypatch.setattr(Page, "card", counted)
    filters: list[str] = []  # each linesheet filter worked out, by kind
    for kind in ("_categories", "_deliveries", "_color_families"):
        monkeypatch.setattr(Page, kind, _noted(getattr(Page, kind), kind, filters))
    products = content / "seasons" / "ss27" / "products.yaml"
    site = tmp_path / "site"
    edits = [
        (products, PRICE, PRICE.replace("21600", "21700")),
        (products, "JPY: {rrp: 12000, wsp: 5400}", "JPY: {rrp: 12000, wsp: 5500}"),
        (products, "JPY: {rrp: 48000, wsp: 21700}", "JPY: {rrp: 48000, wsp: 21800}"),
        (products, "name: {en: Trench coat,", "name: {en: Trench coat II,"),
        (products, "name: Tote\n", "name: Tote bag\n"),  # on SS27-001's page, as the next
        (products, "    moq: 2", "    moq: 2\n    measurements: [{label: {en: Chest, ja: 身幅}, "
         "values: {S: 52, M: 55, L: 58}}]"),  # a size chart: SS27-001's style pages
        (products, "    moq: 2", "    moq: 2\n    delivery: {from: 2027-04-15, to: 2027-05-15}"),
        (products, "name: {en: Black, ja: ブラック}, swatch: \"#111111\"",
         "name: {en: Jet, ja: ジェット}, swatch: \"#111111\""),  # the colour filter's label
        (products, 'swatch: "#111111"', 'swatch: "#151515"'),  # and its swatch
        (products, "category: Bags", "category: Totes"),  # the category filter
        (products, "    moq: 2", "    moq: 2\n    size_prices: {L: {JPY: {wsp: 23000}}}"),
        (products, "size_prices: {L: {JPY: {wsp: 23000}}}",
         "size_prices: {L: {JPY: {wsp: 23100}}}"),  # a size's price: its style's pages
        (content / "seasons" / "ss27" / "season.yaml", "to: 2027-03-15", "to: 2027-03-31"),
        (content / "links" / "press.yaml", "rate: 45", "rate: 50"),  # its offer: its prices
        (content / "seasons" / "ss27" / "season.yaml", "header_image:",
         "rates: {wsp_rrp: {rate: 40}}\nheader_image:"),  # a season's rate: the press prices
        (content / "brand.yaml", "rate: 10", "rate: 8"),  # every taxed price
        (content / "links" / "open.yaml", "transaction: {term: wsp}", "transaction: {term: wsp}"
         "\ncurrencies: [JPY]"),  # the link's pages change, its cards with them
        (content / "links" / "open.yaml", "currencies: [JPY]",
         "currencies: [JPY]\nhide_styles: [SS27-002]"),  # the tote off one link
        (content / "links" / "open.yaml", "\nhide_styles: [SS27-002]", ""),
        (content / "links" / "open.yaml", "currencies: [JPY]",
         "currencies: [JPY]\nhide_colors: {SS27-001: [ECR]}"),  # a colourway off one link
        (products, 'swatch: "#EEE8DC"}', 'swatch: "#EEE8DC", exclusive_to: [aoyama]}'),
        (content / "links" / "open.yaml", "\nhide_colors: {SS27-001: [ECR]}", ""),
        (products, 'swatch: "#EEE8DC", exclusive_to: [aoyama]}', 'swatch: "#EEE8DC"}'),
        (products, "    moq: 2", "    moq: 2\n    exclusive_to: [aoyama]"),  # the coat too
        (templates / "_style_card.html", "</li>", "<!-- edited --></li>"),
    ]
    _build(site, content, templates, jobs=1)
    for number, (path, old, new) in enumerate(edits):
        text = path.read_text(encoding="utf-8")
        assert old in text, (number, old)
        path.write_text(text.replace(old, new), encoding="utf-8")
        rendered_cards.clear()
        filters.clear()
        report = _build(site, content, templates, jobs=1)
        cards = list(rendered_cards)
        assert _tree(site / "public") == _tree(_clean_build_elsewhere(tmp_path, content,
                                                                      templates)), number
        assert report.rendered > 0
        if number == 2:  # a price edit after the first: only the edited style's cards,
            assert cards and set(cards) == {"SS27-001"}
            assert not filters  # and the linesheets' filters as they were
    # A style moved: the linesheets' order and the style pages' neighbours, as a clean build.
    _moved_first(products, "SS27-002")
    assert _build(site, content, templates, jobs=1).rendered > 0
    assert _tree(site / "public") == _tree(_clean_build_elsewhere(tmp_path, content, templates))


def _changed(value: Any, rng: random.Random) -> Any:
    """A value a brand might write instead: a number moved, a text added to or turned round,
    a flag flipped, an item of a list dropped, turned round or repeated, a key dropped."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + rng.choice([1, -1, 10, 100])
    if isinstance(value, float):
        return round(value * rng.choice([1.1, 0.9]), 2)
    if isinstance(value, str):
        return value + rng.choice([" II", "x"]) if rng.random() < 0.8 else value[::-1]
    if isinstance(value, list) and value:
        changed = list(value)
        choice = rng.random()
        if choice < 0.4:
            del changed[rng.randrange(len(changed))]
        elif choice < 0.7:
            changed.reverse()
        else:
            changed.append(rng.choice(changed))
        return changed
    if isinstance(value, dict) and value:
        dropped = rng.choice(list(value))
        return {key: item for key, item in value.items() if key != dropped}
    return value


def _spots(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """The path of every value of a YAML document."""
    if path:
        yield path
    items = (node.items() if isinstance(node, dict)
             else enumerate(node) if isinstance(node, list) else ())
    for key, value in items:
        yield from _spots(value, (*path, key))


def test_random_edits_rebuilt_by_a_process_that_stays_loaded_match_clean_builds(
    tmp_path: Path, sources: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Beyond the edits chosen above: 20 edits drawn at random (seeded, so each run makes the
    same ones) from any value of any content file (half of them of the styles' file), each kept
    only when the content stays
    valid, each rebuilt by the loaded process on one or two processes and compared with a
    clean build. (Runs of thousands of such edits, on this fixture and the demo brand, found
    no difference.)"""
    content, templates = sources
    for module in _STAYING:
        monkeypatch.setattr(module, "_kept", None)
    monkeypatch.setattr(_record, "_lines", None)
    build.stay_loaded()
    site = tmp_path / "site"
    _build(site, content, templates, jobs=1)
    files = sorted(content.rglob("*.yaml"))
    products = content / "seasons" / "ss27" / "products.yaml"  # the most edited: half the draws
    rng = random.Random(24)
    made: list[str] = []
    while len(made) < 20:
        path = products if rng.random() < 0.5 else rng.choice(files)
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text)
        spot = rng.choice(list(_spots(data)))
        parent = data
        for key in spot[:-1]:
            parent = parent[key]
        parent[spot[-1]] = _changed(parent[spot[-1]], rng)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                        encoding="utf-8")
        try:
            load_catalog(content)
        except LinesheetsError:
            path.write_text(text, encoding="utf-8")  # not valid: another edit instead
            continue
        made.append(f"{path.relative_to(content)} {spot}")
        _build(site, content, templates, jobs=rng.choice([1, 2]))
        assert _tree(site / "public") == _tree(_clean_build_elsewhere(tmp_path, content,
                                                                      templates)), made[-1]
