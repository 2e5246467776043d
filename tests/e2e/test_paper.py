"""The paper linesheet: printed, its head carries a QR code of the page it came from, which a
buyer in a showroom scans to open that linesheet, in that language and currency, and order."""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING

from PIL import Image

from tests.e2e.buyer import unlock
from tests.e2e.conftest import Built, Shop, needs_chromium

if TYPE_CHECKING:
    from playwright.sync_api import Page

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
