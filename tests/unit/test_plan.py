"""The page plan: exactly link × language × currency × season × style plus the fixed pages."""

from __future__ import annotations

import re

import pytest

from generator.errors import PlanError
from generator.plan import PagePlan, _refuse_collisions, build_plan
from tests.unit.conftest import ContentDir


def test_page_set_is_the_product_of_the_links_dimensions(content: ContentDir) -> None:
    plan = build_plan(content.load())
    by_link: dict[str, list[PagePlan]] = {}
    for page in plan:
        by_link.setdefault(page.link, []).append(page)
    # open: 2 languages × 2 currencies × (home + linesheet + 2 styles + cart)
    #       + per language (1 lookbook + help) + the chooser
    assert len(by_link["open"]) == 2 * 2 * (1 + 1 + 2 + 1) + 2 * 2 + 1
    # aoyama: the buyer's one language and currency
    assert len(by_link["aoyama"]) == 1 * 1 * (1 + 1 + 2 + 1) + 1 + 1
    assert len({page.path for page in plan}) == len(plan)


def test_urls_follow_the_design(content: ContentDir) -> None:
    paths = {page.path for page in build_plan(content.load())}
    assert {
        "l/open/index.html",
        "l/open/en/jpy/index.html",
        "l/open/ja/usd/ss27/index.html",
        "l/open/ja/usd/ss27/SS27-001/index.html",
        "l/open/en/usd/cart/index.html",
        "l/open/ja/lookbook/ss27/index.html",
        "l/open/en/help/index.html",
        "l/aoyama/ja/jpy/ss27/SS27-002/index.html",
    } <= paths
    assert "l/aoyama/en/jpy/index.html" not in paths


def test_catalog_links_have_no_cart_page(content: ContentDir) -> None:
    content.edit("links/open.yaml", "season: ss27", "season: ss27\ncatalog: true")
    kinds = {page.kind for page in build_plan(content.load()) if page.link == "open"}
    assert "cart" not in kinds
    assert "linesheet" in kinds


def test_a_season_named_like_a_fixed_page_is_refused(content: ContentDir) -> None:
    (content.root / "seasons/ss27").rename(content.root / "seasons/cart")
    for name in ("links/open.yaml", "links/aoyama.yaml", "lookbooks/ss27.yaml"):
        content.edit(name, "ss27", "cart")
    problem = content.problem()
    assert problem.file == "content/seasons/cart/season.yaml"
    assert problem.message.startswith("a season cannot be called 'cart'")


def test_two_pages_on_one_path_are_a_plan_error(content: ContentDir) -> None:
    catalog = content.load()
    clash = PagePlan("cart", "open", "en", "JPY")
    assert clash.path == "l/open/en/jpy/cart/index.html"
    expected = re.escape("two pages claim 'l/open/en/jpy/cart/index.html'")
    with pytest.raises(PlanError, match=expected):
        _refuse_collisions([*build_plan(catalog), clash])


def _opaque(link: str, season: str, style_no: str) -> str:
    return f"x{len(style_no)}{style_no[::-1]}"


def test_a_rebuild_of_the_same_shape_gets_the_last_plan_back(content: ContentDir) -> None:
    plan = build_plan(content.load(), _opaque, ("keys", 1))
    content.edit("seasons/ss27/products.yaml", "wsp: 21600", "wsp: 21700")  # a price only
    assert build_plan(content.load(), _opaque, ("keys", 1)) is plan
    # Other segments (a key rotated): the plan is made again, with them.
    again = build_plan(content.load(), lambda _link, _season, style: f"o-{style}", ("keys", 2))
    assert again is not plan and "o-SS27-001" in {page.segment for page in again}
    # Without knowing what the segments depend on, nothing is reused.
    assert build_plan(content.load(), _opaque) is not build_plan(content.load(), _opaque)


@pytest.mark.parametrize(("name", "old", "new"), [
    ("seasons/ss27/products.yaml", "style_no: SS27-002", "style_no: SS27-009"),
    ("links/open.yaml", "name: SS27 open\n", "name: SS27 open\ncurrencies: [JPY]\n"),
    ("links/open.yaml", "name: SS27 open\n", "name: SS27 open\ncatalog: true\n"),
], ids=["style-renamed", "currencies", "catalog-mode"])
def test_a_catalog_of_another_shape_gets_a_new_plan(content: ContentDir, name: str, old: str,
                                                    new: str) -> None:
    plan = build_plan(content.load(), _opaque, "keys")
    content.edit(name, old, new)
    again = build_plan(content.load(), _opaque, "keys")
    assert again is not plan and again == build_plan(content.load(), _opaque)
    assert again != plan
