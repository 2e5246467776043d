"""Each link field of the seed changes the built pages the way DESIGN.md §3 says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image

from generator.errors import ContentError
from tests.e2e.conftest import Built, build_into
from tests.unit.conftest import MEDIA, ContentDir


@pytest.fixture
def site(tmp_path: Path) -> ContentDir:
    """The unit tests' scratch tree, with real (tiny) images so the build can encode them."""
    content = ContentDir(tmp_path / "content")
    for name in MEDIA:
        Image.new("RGB", (120, 150), (200, 190, 180)).save(content.root / "media" / name, "JPEG")
    return content


def _build(site: ContentDir) -> Built:
    return build_into(site.root.parent / "out", content=site.root)


def test_video_is_embedded_privacy_friendly(site: ContentDir) -> None:
    site.edit("links/open.yaml", "season: ss27",
              "season: ss27\nvideo: https://www.youtube.com/watch?v=dQw4w9WgXcQ")
    home = _build(site).html("/l/open/en/jpy/")
    assert '<iframe src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in home


def test_a_bilibili_video_is_embedded_and_its_player_allowed(site: ContentDir) -> None:
    # Bilibili plays in mainland China, where YouTube and Vimeo are blocked.
    site.edit("links/open.yaml", "season: ss27",
              "season: ss27\nvideo: https://www.bilibili.com/video/BV1GJ411x7h7/?p=1")
    built = _build(site)
    assert ('<iframe src="https://player.bilibili.com/player.html?bvid=BV1GJ411x7h7&amp;'
            'autoplay=0"') in built.html("/l/open/en/jpy/")
    policy = next(line for line in (built.out / "_headers").read_text().splitlines()
                  if "Content-Security-Policy" in line)
    assert ("frame-src https://www.youtube-nocookie.com https://player.vimeo.com "
            "https://player.bilibili.com;") in policy


def test_a_film_of_the_brands_own_plays_in_the_page(site: ContentDir) -> None:
    film = b"\x00\x00\x00\x18ftypmp42 a film"
    (site.root / "media/films").mkdir()
    (site.root / "media/films/ss27.mp4").write_bytes(film)
    site.edit("links/open.yaml", "season: ss27", "season: ss27\nvideo: films/ss27.mp4")
    built = _build(site)
    found = re.search(r'<video src="(/assets/media/[0-9a-f]{16}\.mp4)#t=0\.1" controls '
                      r'playsinline preload="metadata"', built.html("/l/open/en/jpy/"))
    assert found, "no <video> of the film on the link home"
    assert (built.out / found[1].lstrip("/")).read_bytes() == film  # published as it is
    assert "<video" not in built.html("/l/aoyama/ja/jpy/")  # another link's home: no film


def test_background_image_and_looping_video(site: ContentDir) -> None:
    site.edit("links/open.yaml", "season: ss27",
              "season: ss27\nbackground: {type: image, src: seasons/ss27.jpg, repeat: true}")
    site.edit("links/aoyama.yaml", "buyer: aoyama", "buyer: aoyama\nbackground: "
              "{type: video, src: 'https://cdn.example.com/loop.mp4', repeat: true}")
    built = _build(site)
    assert re.search(r'class="backdrop backdrop-tiled"[^>]*url\(\'/assets/img/[0-9a-f]{16}-',
                     built.html("/l/open/en/jpy/"))
    video = built.html("/l/aoyama/ja/jpy/")
    assert 'src="https://cdn.example.com/loop.mp4"' in video and " loop>" in video


def test_apply_tax_shows_tax_inclusive_prices(site: ContentDir) -> None:
    before = _build(site).html("/l/open/en/jpy/ss27/SS27-001/")
    assert "¥21,600" in before  # the wsp list price, tax excluded
    site.edit("links/open.yaml", "season: ss27", "season: ss27\napply_tax: true")
    after = _build(site).html("/l/open/en/jpy/ss27/SS27-001/")
    assert "¥23,760" in after  # + 10 % consumption tax


def test_transaction_rate_sets_the_price_and_shows_rrp(site: ContentDir) -> None:
    site.edit("links/open.yaml", "transaction: {term: wsp}",
              "transaction: {term: wsp_rrp, rate: 45}")
    page = _build(site).html("/l/open/en/jpy/ss27/SS27-001/")
    assert "¥21,600" in page  # 48,000 × 45 %
    assert "RRP ¥48,000" in page


def test_languages_and_currencies_limit_the_pages(site: ContentDir) -> None:
    site.edit("links/open.yaml", "season: ss27", "season: ss27\nlanguages: [ja]\n"
              "currencies: [USD]")
    out = _build(site).out / "l/open"
    assert sorted(p.name for p in out.iterdir()) == ["index.html", "ja"]
    assert sorted(p.name for p in (out / "ja").iterdir()) == ["help", "lookbook", "usd"]


def test_description_is_markdown_and_contacts_override_the_brands(site: ContentDir) -> None:
    site.edit("links/open.yaml", "season: ss27", "season: ss27\n"
              "description: 'Welcome to **SS27**'\n"
              "contacts: [{name: Mika Sato, email: mika@example.com}]")
    home = _build(site).html("/l/open/en/jpy/")
    assert "<strong>SS27</strong>" in home
    assert 'href="mailto:mika@example.com"' in home


def test_deposit_billing_adds_deposit_and_balance_to_the_cart(site: ContentDir) -> None:
    built = _build(site)
    assert 'data-total="deposit"' in built.opened("/l/aoyama/ja/jpy/cart/")
    assert 'data-total="deposit"' not in built.html("/l/open/en/jpy/cart/")


def test_lookbooks_are_published_per_language_with_their_styles(site: ContentDir) -> None:
    page = _build(site).html("/l/open/ja/lookbook/ss27/")
    assert 'href="/l/open/ja/jpy/ss27/SS27-001/"' in page
    assert "2027年春夏 ルックブック" in page


def test_invalid_content_writes_nothing(site: ContentDir) -> None:
    site.edit("links/open.yaml", "season: ss27", "season: ss27\ncatalog: true")
    built = _build(site)
    before = sorted(p for p in built.out.rglob("*"))
    site.edit("seasons/ss27/products.yaml", "    moq: 2", "    moq: 0")
    with pytest.raises(ContentError, match="moq"):
        _build(site)
    assert sorted(p for p in built.out.rglob("*")) == before


def test_a_rebuild_with_unchanged_inputs_renders_nothing_and_a_change_is_seen(
    site: ContentDir,
) -> None:
    first = _build(site)
    again = _build(site)
    assert (again.report.written, again.report.unchanged) == (0, first.report.files)
    site.edit("seasons/ss27/products.yaml", "JPY: {rrp: 48000, wsp: 21600}",
              "JPY: {rrp: 48000, wsp: 22000}")
    changed = _build(site)
    assert 0 < changed.report.written < changed.report.files
    assert "¥22,000" in changed.html("/l/open/en/jpy/ss27/SS27-001/")
    (changed.out / "l/open/en/jpy/index.html").unlink()  # a damaged output is rebuilt
    assert _build(site).report.written == 1
