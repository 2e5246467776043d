"""A link's selection of styles: `styles` (only these), `hide_styles` (every one but these) and a
style's `exclusive_to` (only on those links). What a link leaves out has no page, no card, no
mention in its lookbooks and no price in the manifest, and the endpoint takes no order for it;
every mistake in a selection is a content error that says where and what to do."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from generator.build import run
from generator.settings import BuildSettings
from tests.unit.conftest import ContentDir
from tests.unit.endpoint import FrozenClock, call
from tests.unit.shop import ADDRESS, Shop, order

BUILT = datetime(2026, 11, 27, 12, tzinfo=UTC)
TOTE = [{"style_no": "SS27-002", "color": "001", "size": "One size", "quantity": 3}]
SCARF = [{"style_no": "SS27-003", "color": "NVY", "size": "One size", "quantity": 1}]
COAT = [{"style_no": "SS27-001", "color": "BLK", "size": "M", "quantity": 2}]
THIRD = """
  - style_no: SS27-003
    name: Scarf
    category: Accessories
    colors: [{code: NVY, name: Navy}]
    sizes: [One size]
    prices:
      JPY: {rrp: 9000, wsp: 4050}
      USD: {rrp: 60, wsp: 27}
"""


def _add_scarf(content: ContentDir, *lines: str) -> None:
    """A third style, the scarf, with some lines of its own (an `exclusive_to`)."""
    path = content.root / "seasons/ss27/products.yaml"
    scarf = THIRD + "".join(f"    {line}\n" for line in lines)
    path.write_text(path.read_text(encoding="utf-8") + scarf.lstrip("\n"), encoding="utf-8")


def test_hidden_and_exclusive_styles_are_left_out_of_a_links_catalog(content: ContentDir
                                                                     ) -> None:
    _add_scarf(content, "exclusive_to: [aoyama]")
    content.edit("links/open.yaml", "lookbooks: [ss27]", "lookbooks: [ss27]\n"
                 "hide_styles: [SS27-002]")
    catalog = content.load()
    assert [p.style_no for p in catalog.link_styles("open", "ss27")] == ["SS27-001"]
    assert [p.style_no for p in catalog.link_styles("aoyama", "ss27")] == [
        "SS27-001", "SS27-002", "SS27-003"]
    # A link that leaves nothing out gets the season's own styles, as they were.
    content.edit("links/open.yaml", "hide_styles: [SS27-002]", "")
    content.edit("seasons/ss27/products.yaml", "exclusive_to: [aoyama]", "")
    catalog = content.load()
    assert catalog.link_styles("open", "ss27") is catalog.styles["ss27"]


def test_only_the_named_styles_in_the_seasons_order(content: ContentDir) -> None:
    _add_scarf(content)
    content.edit("links/open.yaml", "lookbooks: [ss27]",
                 "lookbooks: [ss27]\nstyles: [SS27-003, SS27-001]")
    catalog = content.load()
    assert [p.style_no for p in catalog.link_styles("open", "ss27")] == ["SS27-001", "SS27-003"]


@pytest.mark.parametrize(("edit", "where", "message"), [
    ("styles: [SS27-01]", "styles[0]",
     "no style 'SS27-01' in season ss27; did you mean SS27-001 or SS27-002?"),
    ("hide_styles: [XX-9]", "hide_styles[0]", "no style 'XX-9' in season ss27"),
    ("styles: [SS27-001, SS27-001]", "styles",
     "lists SS27-001 more than once; keep one of each"),
    ("styles: [SS27-001]\nhide_styles: [SS27-002]", "",
     "give `styles` (the styles to show) or `hide_styles` (the styles to leave out), not both"),
    ("hide_styles: [SS27-001, SS27-002]", "hide_styles",
     "the link shows no style of season 'ss27' (each is hidden, or exclusive to other "
     "links); show one of them, or take the season off the link"),
])
def test_a_wrong_selection_says_where_and_what_to_do(content: ContentDir, edit: str,
                                                     where: str, message: str) -> None:
    content.edit("links/open.yaml", "lookbooks: [ss27]", f"lookbooks: [ss27]\n{edit}")
    problem = content.problem()
    assert Path(problem.file).name == "open.yaml"
    assert problem.field == where
    assert message in problem.message


@pytest.mark.parametrize(("exclusive", "message"), [
    ("[nowhere]", "link 'nowhere' does not exist; known links: aoyama, open"),
    ("[open, open]", "link 'open' is listed twice"),
])
def test_a_wrong_exclusive_to_says_which_link(content: ContentDir, exclusive: str,
                                              message: str) -> None:
    _add_scarf(content, f"exclusive_to: {exclusive}")
    problem = content.problem()
    assert Path(problem.file).name == "products.yaml"
    assert problem.field.startswith("styles[2].exclusive_to")
    assert message in problem.message


def test_an_exclusive_of_a_link_without_its_season_and_one_named_by_another_link(
        content: ContentDir) -> None:
    content.write("seasons/aw27/season.yaml", """
        name: AW27
        order_deadline: 2027-07-31T18:00:00
        """)
    content.write("seasons/aw27/products.yaml", """
        styles:
          - style_no: AW27-001
            name: Hat
            category: Accessories
            colors: [{code: GRY, name: Grey}]
            sizes: [One size]
            prices:
              JPY: {rrp: 9000, wsp: 4050}
              USD: {rrp: 60, wsp: 27}
            exclusive_to: [open]
        """)
    _add_scarf(content, "exclusive_to: [aoyama]")
    content.edit("links/open.yaml", "lookbooks: [ss27]", "lookbooks: [ss27]\n"
                 "styles: [SS27-001, SS27-003]")
    messages = {(Path(p.file).name, p.field): p.message for p in content.problems()}
    assert messages == {
        ("products.yaml", "styles[0].exclusive_to[0]"):
            "link 'open' does not offer season 'aw27'; add the season to the link or take "
            "the link off this list",
        ("open.yaml", "styles[1]"):
            "style 'SS27-003' is exclusive to aoyama; add 'open' to its exclusive_to, or "
            "take it off this list",
    }


def test_a_hidden_style_needs_no_price_for_the_link(content: ContentDir) -> None:
    _add_scarf(content)
    content.edit("seasons/ss27/products.yaml", "      USD: {rrp: 60, wsp: 27}\n", "")
    content.edit("links/open.yaml", "lookbooks: [ss27]", "lookbooks: [ss27]\ncurrencies: [JPY]")
    content.write("links/usd.yaml", """
        kind: instant
        name: USD
        season: ss27
        currencies: [USD]
        transaction: {term: wsp}
        hide_styles: [SS27-003]
        """)
    assert [p.style_no for p in content.load().link_styles("usd", "ss27")] == [
        "SS27-001", "SS27-002"]


def test_the_pages_leave_out_what_the_link_does_not_show(content: ContentDir,
                                                         tmp_path: Path) -> None:
    _add_scarf(content, "exclusive_to: [aoyama]")
    content.edit("links/open.yaml", "lookbooks: [ss27]", "lookbooks: [ss27]\n"
                 "hide_styles: [SS27-001]")
    out = tmp_path / "public"
    run(BuildSettings(content=content.root, now=BUILT, out=out, private=tmp_path / "private",
                      cache=tmp_path / "cache"))
    linesheet = (out / "l/open/en/jpy/ss27/index.html").read_text(encoding="utf-8")
    assert "SS27-002" in linesheet
    assert "SS27-001" not in linesheet and "SS27-003" not in linesheet
    assert sorted(path.name for path in (out / "l/open/en/jpy/ss27").iterdir()) == [
        "SS27-002", "index.html"]
    # The lookbook shows the coat's picture, but names no style the link leaves out.
    lookbook = (out / "l/open/en/lookbook/ss27/index.html").read_text(encoding="utf-8")
    assert "SS27-001" not in lookbook and "look-styles" not in lookbook
    assert "1 style" in (out / "l/open/en/jpy/index.html").read_text(encoding="utf-8")
    # The style page of the tote, alone on the link, has no neighbours to step to.
    tote = (out / "l/open/en/jpy/ss27/SS27-002/index.html").read_text(encoding="utf-8")
    assert 'rel="prev"' not in tote and 'rel="next"' not in tote


@pytest.fixture
def selective(content: ContentDir, tmp_path: Path, api_clock: FrozenClock,
              database_url: str) -> Iterator[Shop]:
    """The scratch shop whose open link hides the tote and whose scarf (100 made) is
    Aoyama's only."""
    _add_scarf(content, "exclusive_to: [aoyama]", "stock: {NVY: {One size: 100}}")
    content.edit("links/open.yaml", "lookbooks: [ss27]", "lookbooks: [ss27]\n"
                 "hide_styles: [SS27-002]")
    shop = Shop(content, tmp_path, api_clock, database_url)
    yield shop
    shop.store.close()


def test_the_endpoint_takes_no_order_for_what_a_link_leaves_out(selective: Shop) -> None:
    for lines in (TOTE, SCARF):
        answer = selective.post("open", order(lines=lines))
        assert answer.status == 422, answer.json()
        [error] = answer.json()["errors"]
        assert (error["field"], error["code"]) == ("lines[0].style_no", "unknown_style")
    assert selective.stored() == 0
    assert selective.post("open", order(lines=COAT)).status == 201
    # Aoyama's link shows every style, its exclusive scarf too: both are ordered there.
    answer = selective.post("aoyama", order(lines=[*TOTE, *SCARF], address=ADDRESS),
                            key="key-0002", token=selective.token("aoyama"))
    assert answer.status == 201, answer.json()


def test_a_links_stock_names_only_its_own_styles(selective: Shop) -> None:
    stock = asyncio.run(call(selective.app, "GET", "/api/links/open/stock?season=ss27"))
    assert stock.status == 200
    assert stock.json()["left"] == {}  # the scarf's stock is Aoyama's business
    stock = asyncio.run(call(selective.app, "GET", "/api/links/aoyama/stock?season=ss27",
                             headers=[("Authorization", f"Bearer {selective.token('aoyama')}")]))
    assert stock.json()["left"] == {"SS27-003": {"NVY": {"One size": 100}}}
