"""Codes on paper: a printed linesheet's head carries a QR code of the page it came from,
which a buyer in a showroom scans to open that linesheet, in that language and currency, and
order; `linesheets links --qr` writes each link's code for a showroom card."""

from __future__ import annotations

import contextlib
import io
import re
import zlib
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from PIL import Image

from generator.cli import main
from tests.e2e.buyer import unlock
from tests.e2e.conftest import DEMO, Built, Shop, needs_chromium

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

SITE = "https://linesheets.example.com"  # the demo's base_url


def _figure(html: str) -> str:
    found = re.search(r'<figure class="print-qr">(.*?)</figure>', html, re.DOTALL)
    assert found, "the linesheet has no QR code for its printout"
    return found[1]


def test_each_linesheet_prints_its_own_address_and_what_scanning_it_does(
    demo_build: Built
) -> None:
    for url in ("/l/ss27-open/en/jpy/ss27/", "/l/ss27-open/ja/usd/ss27/"):
        figure = _figure(demo_build.html(url))
        assert f'<span class="qr-address">{SITE}{url}</span>' in figure
        assert figure.count("<svg ") == 1 and '<svg role="img"' in figure
    assert "<title>Scan to order online</title>" in _figure(
        demo_build.html("/l/ss27-open/en/jpy/ss27/"))
    assert "<title>スキャンしてオンラインで発注</title>" in _figure(
        demo_build.html("/l/ss27-open/ja/jpy/ss27/"))
    # A catalog link takes no orders: its paper says the code shows the linesheet.
    assert "<title>Scan to see it online</title>" in _figure(
        demo_build.html("/l/ss27-instagram/en/jpy/ss27/"))


@needs_chromium
def test_the_colour_swatches_print_in_their_colours(shop: Shop, page: Page) -> None:
    """Browsers leave backgrounds out of a printout unless told (the swatch dots are
    backgrounds): each colour of the linesheet's cards must be painted in its PDF."""
    page.goto(shop.origin + "/l/ss27-open/en/jpy/ss27/")
    page.emulate_media(media="print")
    shown = page.evaluate("""() => [...new Set([...document.querySelectorAll(
        '.style-card .swatch')].map((dot) => getComputedStyle(dot).backgroundColor))]""")
    colours = {tuple(int(part) / 255 for part in re.findall(r"\d+", each)) for each in shown}
    assert len(colours) > 10
    # A link to follow is nothing on paper: the contacts end the printout.
    assert page.locator(".colophon .contacts").is_visible()
    assert not page.locator(".colophon a[href$='/help/']").is_visible()
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", page.pdf(format="A4"), re.S)
    painted = set()
    for stream in streams:
        with contextlib.suppress(zlib.error):  # fonts and pictures are other streams
            painted |= {tuple(map(float, fill.split()[:3])) for fill in re.findall(
                rb"[\d.]+ [\d.]+ [\d.]+ rg", zlib.decompress(stream))}
    missing = [colour for colour in colours
               if not any(max(abs(a - b) for a, b in zip(colour, fill, strict=True)) < 0.002
                          for fill in painted)]
    assert missing == []


@needs_chromium
def test_the_printed_code_opens_the_page_it_was_printed_from(shop: Shop, page: Page) -> None:
    import zxingcpp  # decodes QR codes from a picture, as a phone's camera does

    for url, passcode in (("/l/ss27-open/en/jpy/ss27/", None),
                          ("/l/ss27-japan-deposit/ja/jpy/ss27/", "shiosai45")):
        page.goto(shop.origin + url)
        if passcode is not None:  # a sealed body: its code is inside, once opened
            unlock(page, passcode)
        page.emulate_media(media="print")
        code = page.locator(".print-qr svg")
        code.wait_for(state="visible")
        picture = Image.open(io.BytesIO(code.screenshot())).convert("L")
        decoded = [found.text for found in zxingcpp.read_barcodes(picture)]
        assert decoded == [SITE + url], url
        page.emulate_media(media="screen")
        assert not code.is_visible()  # on paper only


@needs_chromium
def test_each_links_code_file_opens_its_address(tmp_path: Path, browser: Browser,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """`linesheets links --qr`: a code per link, for a showroom card, read back as a phone
    would, each opening its link's address."""
    import zxingcpp

    folder = tmp_path / "codes"
    assert main(["links", str(DEMO), "--now", "2026-11-27T12:00:00+00:00", "--state", "open",
                 "--qr", str(folder)]) == 0
    assert capsys.readouterr().out.endswith(f"wrote 7 QR codes to {folder} "
                                            "(asagiri-collections.svg …)\n")
    files = sorted(folder.iterdir())
    assert [path.name for path in files][:2] == ["asagiri-collections.svg", "calme-paris.svg"]
    page = browser.new_page(viewport={"width": 400, "height": 400}, device_scale_factor=2)
    try:
        for path in files:
            page.goto(path.as_uri())
            picture = Image.open(io.BytesIO(page.locator("svg").screenshot())).convert("L")
            decoded = [found.text for found in zxingcpp.read_barcodes(picture)]
            assert decoded == [f"{SITE}/l/{path.stem}/"], path.name
    finally:
        page.close()


def test_codes_cannot_go_where_a_file_is(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    occupied = tmp_path / "codes"
    occupied.write_text("not a folder")
    assert main(["links", str(DEMO), "--qr", str(occupied)]) == 1
    assert f"'{occupied}' is a file; give --qr a folder" in capsys.readouterr().err
