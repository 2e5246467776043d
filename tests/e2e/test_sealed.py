"""Sealed links: nothing of their catalog in public/, bodies open only under their own key."""

from __future__ import annotations

import base64
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from generator.catalog import load_catalog
from generator.i18n import format_money, translate
from generator.pricing import price_style
from generator.seal import KeyStore, SealedBody, SealError, open_body, seal_body
from generator.state import is_sealed
from tests.e2e.conftest import DEMO, FROZEN, Built

SEALED_LINKS = ("asagiri-collections", "aw26-showroom", "aw27-preview", "calme-paris",
                "hakobune-kyoto", "ss27-japan-deposit", "vivian-cheung")


def _secrets_of(link: str) -> set[str]:
    """Every style number, product name and price string a sealed link's pages show."""
    catalog = load_catalog(DEMO)
    offer = catalog.offer(link)
    found: set[str] = set()
    for season in offer.seasons:
        for product in catalog.styles[season]:
            found.add(product.style_no)
            found.update(product.name.values.values())
            for currency in offer.currencies:
                price = price_style(catalog.brand, offer, catalog.seasons[season], product,
                                    currency)
                for amount in (price.net, price.display):
                    found.update(format_money(amount, currency, language)
                                 for language in offer.languages)
    return found


def _public_text(out: Path) -> list[tuple[str, str]]:
    """(where, text) of every file's contents and every file name under public/."""
    items = [(path.as_posix(), path.relative_to(out).as_posix()) for path in out.rglob("*")]
    for path in out.rglob("*"):
        if path.is_file() and path.suffix in {".html", ".xml", ".txt", ".json", ".css", ".js",
                                              ""}:
            items.append((path.as_posix(), path.read_text(encoding="utf-8")))
    return items


def test_the_demo_seals_exactly_the_gated_links() -> None:
    catalog = load_catalog(DEMO)
    sealed = [slug for slug in catalog.links if is_sealed(catalog.offer(slug), FROZEN)]
    assert tuple(sealed) == SEALED_LINKS


@pytest.mark.parametrize("link", SEALED_LINKS)
def test_a_sealed_links_catalog_appears_nowhere_in_its_pages(
    demo_build: Built, link: str
) -> None:
    secrets = _secrets_of(link)
    assert len(secrets) > 20
    pattern = re.compile("|".join(re.escape(s) for s in sorted(secrets, key=len, reverse=True)))
    hits = [(where, match[0]) for where, text in _public_text(demo_build.out / "l" / link)
            for match in [pattern.search(text)] if match]
    assert hits == []


def test_preview_and_past_seasons_appear_nowhere_in_public(demo_build: Built) -> None:
    """aw26 and aw27 are only behind sealed links: no trace of them anywhere in public/."""
    catalog = load_catalog(DEMO)
    words = {p.style_no for s in ("aw26", "aw27") for p in catalog.styles[s]}
    public = [translate(p.name, lang, "en") for p in catalog.styles["ss27"]
              for lang in catalog.brand.languages]
    names = {translate(p.name, lang, "en") for s in ("aw26", "aw27") for p in catalog.styles[s]
             for lang in catalog.brand.languages}
    # A generic name contained in a public style's name ("ウール ワイドパンツ" in "トロピカル
    # ウール ワイドパンツ") is not a leak; every other name must be absent.
    words |= {name for name in names if not any(name in other for other in public)}
    pattern = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))
    hits = [(where, match[0]) for where, text in _public_text(demo_build.out)
            for match in [pattern.search(text)] if match]
    assert hits == []


def test_a_sealed_body_opens_under_its_key_and_shows_the_catalog(demo_build: Built) -> None:
    body = demo_build.opened("/l/ss27-japan-deposit/ja/jpy/ss27/")
    assert "SS27-001" in body and "￥" in body


def test_a_body_fails_under_another_links_key(demo_build: Built) -> None:
    store = KeyStore.load(demo_build.settings.private / "keys.json")
    page = demo_build.html("/l/ss27-japan-deposit/ja/jpy/")
    payload = re.search(r'id="sealed-body">\{"v":(\d+),"iv":"([^"]+)","ct":"([^"]+)"', page)
    assert payload
    sealed = SealedBody(int(payload[1]), base64.b64decode(payload[2]),
                        base64.b64decode(payload[3]))
    other = store.current("vivian-cheung")
    with pytest.raises(SealError, match="does not open under the key of link 'vivian-cheung'"):
        open_body(other, sealed)


def test_sealing_is_deterministic_and_nonces_differ_per_plaintext(tmp_path: Path) -> None:
    store = KeyStore.load(tmp_path / "keys.json")
    key = store.current("press")
    first = seal_body(key, "l/press/ja/jpy/index.html", b"<p>A</p>")
    assert seal_body(key, "l/press/ja/jpy/index.html", b"<p>A</p>") == first
    other = seal_body(key, "l/press/ja/jpy/index.html", b"<p>B</p>")
    assert other.nonce != first.nonce
    assert open_body(key, other) == b"<p>B</p>"


def test_the_cipher_is_loaded_only_to_seal(tmp_path: Path) -> None:
    # A site without sealed links never needs it: 6 MiB of every build's memory. Checked in
    # a new interpreter, where nothing else has imported it.
    script = f"""
import sys
import generator.build, generator.cli, generator.rendering, generator.seal
assert "cryptography" not in sys.modules, "imported with the build"
store = generator.seal.KeyStore.load(__import__("pathlib").Path({str(tmp_path)!r}) / "keys.json")
generator.seal.seal_body(store.current("press"), "l/press/index.html", b"<p>A</p>")
assert "cryptography" in sys.modules, "sealed without the cipher"
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr


def test_key_store_persists_and_rotation_makes_a_new_version(tmp_path: Path) -> None:
    store = KeyStore.load(tmp_path / "private" / "keys.json")
    first = store.current("press")
    store.save()
    assert (tmp_path / "private" / "keys.json").stat().st_mode & 0o777 == 0o600
    again = KeyStore.load(tmp_path / "private" / "keys.json")
    assert again.current("press") == first
    rotated = again.rotate("press")
    assert (rotated.version, again.current("press")) == (2, rotated)
    assert rotated.secret != first.secret
    sealed = seal_body(first, "x", b"body")
    with pytest.raises(SealError):
        open_body(rotated, sealed)


def test_a_damaged_key_store_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    path.write_text('{"version": 1, "links": {"press": {"1": "not base64!"}}}')
    with pytest.raises(SealError, match="cannot read the key store"):
        KeyStore.load(path)


def test_prices_of_a_sealed_link_are_its_own(demo_build: Built) -> None:
    """The 45 % retail-rate prices are in the sealed body, tax included (apply_tax)."""
    body = demo_build.opened("/l/ss27-japan-deposit/ja/jpy/ss27/")
    assert format_money(Decimal(48510), "JPY", "ja") in body  # ¥98,000 × 45 % + 10 % tax
