"""The demo brand in content/: valid, complete, and in the states the showcase promises."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from generator.catalog import Catalog, load_catalog
from generator.cli import main
from generator.fields import Text
from generator.links import BrandLink, CustomerLink, InstantLink

CONTENT = Path(__file__).resolve().parents[2] / "content"
# The demo must keep its states for years: check them at two frozen moments, never at "now".
MOMENTS = (datetime(2026, 11, 27, tzinfo=UTC), datetime(2031, 6, 1, tzinfo=UTC))


@pytest.fixture(scope="module")
def demo() -> Catalog:
    return load_catalog(CONTENT)


def test_demo_content_passes_check(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(CONTENT)]) == 0
    assert capsys.readouterr().out.startswith("ok: ")


def test_demo_has_three_seasons_and_thirty_styles(demo: Catalog) -> None:
    assert len(demo.seasons) == 3
    assert sum(len(styles) for styles in demo.styles.values()) >= 30
    assert len(demo.buyers) == 3
    assert len(demo.lookbooks) >= 3
    assert {lookbook.season for lookbook in demo.lookbooks.values()} == set(demo.seasons)


def _full(text: Text | None) -> bool:
    return text is not None and {"en", "ja", "zh-Hans"} <= set(text.values)


def test_every_style_is_translated_priced_and_in_two_to_five_colours(demo: Catalog) -> None:
    for styles in demo.styles.values():
        for product in styles:
            assert _full(product.name) and _full(product.description), product.style_no
            assert 2 <= len(product.colors) <= 5 or product.sizes == ["One size"], (
                product.style_no)
            assert all(_full(color.name) and color.images for color in product.colors)
            assert {"JPY", "USD", "EUR"} <= set(product.prices), product.style_no


@pytest.mark.parametrize("moment", MOMENTS)
def test_season_states_hold_for_years(demo: Catalog, moment: datetime) -> None:
    past = [s for s, season in demo.seasons.items() if season.order_deadline < moment]
    assert past == ["aw26"]


@pytest.mark.parametrize("moment", MOMENTS)
def test_link_states_hold_for_years(demo: Catalog, moment: datetime) -> None:
    links = demo.links.values()
    expired = [link for link in links if link.expires_at and link.expires_at < moment]
    upcoming = [link for link in links if isinstance(link, InstantLink | CustomerLink)
                and link.release_at and link.release_at > moment]
    assert len(expired) == 1
    assert len(upcoming) == 1


def test_demo_covers_every_kind_of_link(demo: Catalog) -> None:
    offers = [demo.offer(slug) for slug in demo.links]
    instant = [o for o in offers if o.kind == "instant"]
    assert any(o.passcode is None and not o.catalog and o.seasons == ("ss27",) for o in instant)
    assert any(o.passcode and o.billing == "with_deposit" and o.deposit_percent == 30
               and o.term.basis == "retail_rate" and o.rate == 45 for o in instant)
    assert any(o.catalog for o in instant)
    assert any(o.china_only and o.languages == ("zh-Hans",) for o in instant)
    brand_links = [link for link in demo.links.values() if isinstance(link, BrandLink)]
    assert any(set(link.seasons) == set(demo.seasons) and link.passcode for link in brand_links)
    assert any(o.kind == "customer" and o.require_address for o in offers)


def test_the_preview_season_is_only_behind_passcodes(demo: Catalog) -> None:
    for slug in demo.links:
        offer = demo.offer(slug)
        if "aw27" in offer.seasons:
            assert offer.passcode is not None, slug
