"""The endpoint's manifest: complete for orders, hashed passcodes, no keys, stable bytes."""

from __future__ import annotations

import base64
from decimal import Decimal
from pathlib import Path

from generator.cart import CartLine, price_cart
from generator.manifest import Manifest, build_manifest, manifest_bytes
from generator.passcode import verify_passcode
from generator.seal import KeyStore
from tests.unit.conftest import ContentDir


def _keys(tmp_path: Path) -> KeyStore:
    return KeyStore.load(tmp_path / "keys.json")


def test_manifest_round_trips_and_is_stable(content: ContentDir, tmp_path: Path) -> None:
    catalog = content.load()
    store = _keys(tmp_path)
    keys = {"aoyama": store.current("aoyama")}
    data = manifest_bytes(build_manifest(catalog, keys))
    assert manifest_bytes(build_manifest(catalog, keys)) == data
    loaded = Manifest.model_validate_json(data)
    assert loaded == build_manifest(catalog, keys)
    assert set(loaded.links) == {"aoyama", "open"}
    assert loaded.seasons["ss27"].styles[0].style_no == "SS27-001"


def test_passcodes_are_hashed_and_keys_are_absent(content: ContentDir, tmp_path: Path) -> None:
    catalog = content.load()
    key = _keys(tmp_path).current("aoyama")
    manifest = build_manifest(catalog, {"aoyama": key})
    data = manifest_bytes(manifest).decode()
    link = manifest.links["aoyama"]
    assert link.passcode_hash is not None and link.passcode_hash.startswith("scrypt$")
    assert verify_passcode("aoyama-2027", link.passcode_hash)
    assert "aoyama-2027" not in data
    assert base64.b64encode(key.secret).decode() not in data
    assert (link.key_version, manifest.links["open"].key_version) == (1, None)
    assert manifest.links["open"].passcode_hash is None


def test_customer_link_carries_its_buyers_terms(content: ContentDir, tmp_path: Path) -> None:
    manifest = build_manifest(content.load(), {})
    link = manifest.links["aoyama"]
    assert (link.kind, link.buyer, link.term.code, link.rate) == (
        "customer", "aoyama", "wsp_rrp", Decimal(50))
    assert (link.currencies, link.require_address, link.deposit_percent) == (
        ["JPY"], True, Decimal(30))
    assert link.unit_prices["ss27"]["SS27-001"]["JPY"] == Decimal(24000)  # 48,000 × 50 %


def test_the_manifest_prices_a_cart_like_the_catalog(content: ContentDir) -> None:
    catalog = content.load()
    manifest = build_manifest(catalog, {})
    lines = [CartLine("SS27-001", "BLK", "M", 2), CartLine("SS27-002", "001", "One size", 3)]
    from_catalog = price_cart(catalog.brand, catalog.offer("open"), catalog.seasons["ss27"],
                              catalog.styles["ss27"], "USD", lines)
    season = manifest.seasons["ss27"]
    from_manifest = price_cart(manifest.brand, manifest.links["open"], season, season.styles,
                               "USD", lines)
    assert from_manifest == from_catalog
    assert from_manifest.total == Decimal("435.60")  # (144 × 2 + 36 × 3) × 1.10


def test_each_style_carries_when_it_ships_for_the_order_lines(content: ContentDir) -> None:
    """Its own delivery, else its season's: a window as an ISO 8601 interval, text as given."""
    content.edit("seasons/ss27/products.yaml", "    moq: 2\n",
                 "    moq: 2\n    delivery: {en: Summer drop, ja: 夏のデリバリー}\n")
    deliveries = {style.style_no: style.delivery
                  for style in build_manifest(content.load(), {}).seasons["ss27"].styles}
    assert {number: text.values if text else None for number, text in deliveries.items()} == {
        "SS27-001": {"en": "Summer drop", "ja": "夏のデリバリー"},
        "SS27-002": {"": "2027-02-01/2027-03-15"}}
    content.edit("seasons/ss27/season.yaml", "delivery: {from: 2027-02-01, to: 2027-03-15}\n",
                 "")
    styles = build_manifest(content.load(), {}).seasons["ss27"].styles
    assert [style.delivery is None for style in styles] == [False, True]


def test_a_colourway_of_its_own_delivery_carries_it_for_its_order_lines(
    content: ContentDir,
) -> None:
    content.edit("seasons/ss27/products.yaml", "swatch: \"#EEE8DC\"}",
                 "swatch: \"#EEE8DC\", delivery: {from: 2027-05-01, to: 2027-05-31}}")
    [coat, _] = build_manifest(content.load(), {}).seasons["ss27"].styles
    deliveries = {color.code: color.delivery.values if color.delivery else None
                  for color in coat.colors}
    assert deliveries == {"BLK": None, "ECR": {"": "2027-05-01/2027-05-31"}}
    assert coat.delivery is not None and coat.delivery.values == {"": "2027-02-01/2027-03-15"}
