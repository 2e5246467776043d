"""A link's selection of colourways: its `hide_colors` (these colours of these styles left
out) and a colourway's own `exclusive_to` (only on those links). What a link leaves out of a
style has no swatch, picture or grid row there, none of its sold-out sizes, stock or codes,
and the endpoint takes no order for it; a style left with no colour is left out whole; every
mistake is a content error that says where and what to do."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from generator.build import run
from generator.manifest import Manifest
from generator.settings import BuildSettings
from tests.unit.conftest import ContentDir
from tests.unit.endpoint import FrozenClock, call
from tests.unit.shop import ADDRESS, Shop, order

BUILT = datetime(2026, 11, 27, 12, tzinfo=UTC)
ECRU = '{code: ECR, name: {en: Ecru, ja: エクリュ}, swatch: "#EEE8DC"'
ECRU_COAT = [{"style_no": "SS27-001", "color": "ECR", "size": "M", "quantity": 2}]
BLACK_COAT = [{"style_no": "SS27-001", "color": "BLK", "size": "M", "quantity": 2}]


def _hide(content: ContentDir, selection: str) -> None:
    content.edit("links/open.yaml", "lookbooks: [ss27]", f"lookbooks: [ss27]\n{selection}")


def _exclusive(content: ContentDir, owners: str) -> None:
    """The coat's ecru made exclusive to some links."""
    content.edit("seasons/ss27/products.yaml", ECRU, f"{ECRU}, exclusive_to: {owners}")


def test_a_link_shows_a_style_without_the_colours_it_leaves_out(content: ContentDir) -> None:
    content.edit("seasons/ss27/products.yaml", "    moq: 2",
                 "    moq: 2\n    sold_out: {ECR: [S], BLK: [L]}\n    stock: {ECR: {M: 5}}\n"
                 "    skus: {ECR: {M: C-ECR-M}, BLK: {M: C-BLK-M}}")
    _hide(content, "hide_colors: {SS27-001: [ECR]}")
    catalog = content.load()
    coat, tote = catalog.link_styles("open", "ss27")
    assert [color.code for color in coat.colors] == ["BLK"]
    # Its cells go with it: what the pages and the order form read of the coat.
    assert (coat.sold_out, coat.stock, coat.skus) == ({"BLK": ["L"]}, {}, {"BLK": {"M": "C-BLK-M"}})
    assert catalog.colorway(coat) == "BLK"
    assert catalog.link_style("open", "ss27", "SS27-001") is coat
    # The tote keeps its one colour: the season's own Product, unchanged.
    assert tote is catalog.styles["ss27"][1] and catalog.colorway(tote) == ""
    # Aoyama's link leaves nothing out: the season's own styles.
    assert catalog.link_styles("aoyama", "ss27") is catalog.styles["ss27"]


def test_an_exclusive_colourway_shows_only_on_its_links(content: ContentDir) -> None:
    _exclusive(content, "[aoyama]")
    catalog = content.load()
    assert [c.code for c in catalog.link_style("open", "ss27", "SS27-001").colors] == ["BLK"]
    assert catalog.link_styles("aoyama", "ss27") is catalog.styles["ss27"]
    # A style whose every colour is another link's is not on the link at all.
    content.edit("seasons/ss27/products.yaml", '[{code: "001", name: Natural}]',
                 '[{code: "001", name: Natural, exclusive_to: [aoyama]}]')
    catalog = content.load()
    assert [p.style_no for p in catalog.link_styles("open", "ss27")] == ["SS27-001"]


@pytest.mark.parametrize(("selection", "where", "message"), [
    ("hide_colors: {SS27-01: [BLK]}", "hide_colors.SS27-01",
     "no style 'SS27-01' in season ss27; did you mean SS27-001 or SS27-002?"),
    ("hide_colors: {SS27-001: [RED]}", "hide_colors.SS27-001[0]",
     "style 'SS27-001' has no colour 'RED' (its colours: BLK, ECR)"),
    ("hide_colors: {SS27-001: [BLK, ECR]}", "hide_colors.SS27-001",
     "leaves out every colour of style 'SS27-001'; to leave the style out, put it in "
     "hide_styles"),
    ("hide_colors: {SS27-001: []}", "hide_colors",
     "names no colour of SS27-001; list the colour codes to leave out"),
    ("hide_colors: {SS27-001: [BLK, BLK]}", "hide_colors",
     "lists BLK of SS27-001 more than once; keep one of each"),
])
def test_a_wrong_hide_colors_says_where_and_what_to_do(content: ContentDir, selection: str,
                                                       where: str, message: str) -> None:
    _hide(content, selection)
    problem = content.problem()
    assert Path(problem.file).name == "open.yaml"
    assert problem.field == where
    assert message in problem.message


@pytest.mark.parametrize(("owners", "message"), [
    ("[nowhere]", "link 'nowhere' does not exist; known links: aoyama, open"),
    ("[open, open]", "link 'open' is listed twice"),
])
def test_a_wrong_colour_exclusive_to_says_which_link(content: ContentDir, owners: str,
                                                     message: str) -> None:
    _exclusive(content, owners)
    problem = content.problem()
    assert Path(problem.file).name == "products.yaml"
    assert problem.field.startswith("styles[0].colors[1].exclusive_to")
    assert message in problem.message


def test_a_colourway_exclusive_beyond_its_style_and_a_style_named_without_a_colour(
        content: ContentDir) -> None:
    content.edit("seasons/ss27/products.yaml", "    moq: 2",
                 "    moq: 2\n    exclusive_to: [aoyama]")
    _exclusive(content, "[open]")
    content.edit("seasons/ss27/products.yaml", '[{code: "001", name: Natural}]',
                 '[{code: "001", name: Natural, exclusive_to: [aoyama]}]')
    _hide(content, "styles: [SS27-002]")
    messages = {(Path(p.file).name, p.field): p.message for p in content.problems()}
    assert messages == {
        ("products.yaml", "styles[0].colors[1].exclusive_to[0]"):
            "the style is exclusive to aoyama, so link 'open' never shows it; add 'open' to "
            "the style's exclusive_to or take it off this list",
        ("open.yaml", "styles[0]"):
            "every colour of style 'SS27-002' is exclusive to other links; add 'open' to the "
            "exclusive_to of one of its colours, or take it off this list",
    }


def test_the_pages_and_the_manifest_leave_out_a_hidden_colourway(content: ContentDir,
                                                                 tmp_path: Path) -> None:
    _hide(content, "hide_colors: {SS27-001: [ECR]}")
    content.write("links/all.yaml", """
        kind: instant
        name: Everything
        season: ss27
        transaction: {term: wsp}
        """)
    out, private = tmp_path / "public", tmp_path / "private"
    run(BuildSettings(content=content.root, now=BUILT, out=out, private=private,
                      cache=tmp_path / "cache"))

    def page(path: str) -> str:
        return (out / path / "index.html").read_text(encoding="utf-8")

    for link, colors in (("open", ["BLK"]), ("all", ["BLK", "ECR"])):
        coat = page(f"l/{link}/en/jpy/ss27/SS27-001")
        assert [c for c in ("BLK", "ECR") if f'data-color="{c}"' in coat] == colors, link
        linesheet = page(f"l/{link}/en/jpy/ss27")
        card = linesheet[linesheet.index("SS27-001"):linesheet.index("SS27-002")]
        assert [c for c in ("BLK", "ECR") if f'data-color="{c}"' in card] == colors, link
    assert "Ecru" not in page("l/open/en/jpy/ss27")  # nor in its colour filter
    manifest = Manifest.model_validate_json((private / "manifest.json").read_bytes())
    assert manifest.links["open"].colors == {"ss27": {"SS27-001": ["BLK"]}}
    assert manifest.links["all"].colors == {}


@pytest.fixture
def colorful(content: ContentDir, tmp_path: Path, api_clock: FrozenClock,
             database_url: str) -> Iterator[Shop]:
    """The scratch shop whose coat's ecru (50 made) is Aoyama's only."""
    _exclusive(content, "[aoyama]")
    content.edit("seasons/ss27/products.yaml", "    moq: 2",
                 "    moq: 2\n    stock: {ECR: {M: 50}, BLK: {M: 40}}")
    shop = Shop(content, tmp_path, api_clock, database_url)
    yield shop
    shop.store.close()


def test_the_endpoint_takes_no_order_for_a_colourway_a_link_leaves_out(colorful: Shop) -> None:
    answer = colorful.post("open", order(lines=ECRU_COAT))
    assert answer.status == 422, answer.json()
    [error] = answer.json()["errors"]
    assert (error["field"], error["code"]) == ("lines[0].color", "unknown_color")
    assert "ECR" in error["message"] and "BLK" in error["message"]
    quote = colorful.post("open", order(lines=ECRU_COAT), path="quote", key=None)
    assert quote.status == 422
    assert colorful.stored() == 0
    assert colorful.post("open", order(lines=BLACK_COAT)).status == 201
    answer = colorful.post("aoyama", order(lines=ECRU_COAT, address=ADDRESS), key="key-0002",
                           token=colorful.token("aoyama"))
    assert answer.status == 201, answer.json()


def test_a_links_stock_names_only_its_own_colourways(colorful: Shop) -> None:
    stock = asyncio.run(call(colorful.app, "GET", "/api/links/open/stock?season=ss27"))
    assert stock.json()["left"] == {"SS27-001": {"BLK": {"M": 40}}}
    stock = asyncio.run(call(colorful.app, "GET", "/api/links/aoyama/stock?season=ss27",
                             headers=[("Authorization", f"Bearer {colorful.token('aoyama')}")]))
    assert stock.json()["left"] == {"SS27-001": {"ECR": {"M": 50}, "BLK": {"M": 40}}}
