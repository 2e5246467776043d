"""The linesheet's delivery filter keys of a style card: one per time its colourways ship."""

from __future__ import annotations

from generator.pages import SEASON_DELIVERY, delivery_key
from tests.unit.conftest import ContentDir

PRODUCTS = "seasons/ss27/products.yaml"
LATER = "delivery: {from: 2027-05-01, to: 2027-05-31}"


def _keys(content: ContentDir) -> list[str]:
    return [delivery_key(product, "en") for product in content.load().styles["ss27"]]


def test_a_style_ships_with_its_season_unless_it_or_a_colourway_says_otherwise(
    content: ContentDir,
) -> None:
    assert _keys(content) == [SEASON_DELIVERY, SEASON_DELIVERY]
    content.edit(PRODUCTS, 'swatch: "#EEE8DC"}', f'swatch: "#EEE8DC", {LATER}}}')
    assert _keys(content) == ["- 2027-05-01_2027-05-31", SEASON_DELIVERY]
    content.edit(PRODUCTS, 'swatch: "#111111",', f'swatch: "#111111", {LATER},')
    # Every colourway ships later: the style no longer ships with the season at all.
    assert _keys(content) == ["2027-05-01_2027-05-31", SEASON_DELIVERY]
    content.edit(PRODUCTS, "    moq: 2\n", "    moq: 2\n    delivery: {en: Summer drop}\n")
    assert _keys(content)[0] == "2027-05-01_2027-05-31"  # the colourways' own win
