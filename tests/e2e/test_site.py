"""The demo site: the page set, each seed field visible in the pages, metadata, reproducibility."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest

from generator.catalog import load_catalog
from generator.plan import build_plan
from generator.seal import KeyStore
from generator.state import is_sealed
from tests.e2e.conftest import DEMO, FROZEN, ROOT, Built, build_into

FIXTURE = ROOT / "tests" / "fixtures" / "site" / "content"


def _tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_every_planned_page_is_written_and_nothing_else(demo_build: Built) -> None:
    catalog = load_catalog(DEMO)
    store = KeyStore.load(demo_build.settings.private / "keys.json")

    def segment(link: str, season: str, style_no: str) -> str:
        if is_sealed(catalog.offer(link), FROZEN):
            return store.current(link).opaque(f"{season}/{style_no}")
        return style_no

    planned = {page.path for page in build_plan(catalog, segment)}
    html = {path for path in _tree(demo_build.out) if path.endswith(".html")}
    assert html == planned | {"404.html"}  # the host's page for a missing address
    assert demo_build.report.pages == len(planned)
    assert {"sitemap.xml", "robots.txt", "_headers", "404.html"} <= set(_tree(demo_build.out))


def test_two_builds_are_byte_identical_and_a_rebuild_writes_nothing(
    demo_build: Built, tmp_path: Path
) -> None:
    # Same content and same keys: the same bytes, sealed pages included.
    again = build_into(tmp_path, keys_from=demo_build.settings.private)
    assert _tree(again.out) == _tree(demo_build.out)
    rebuilt = build_into(tmp_path, cache=again.settings.cache)
    assert (rebuilt.report.written, rebuilt.report.removed) == (0, 0)
    assert rebuilt.report.unchanged == rebuilt.report.files


def test_open_link_has_prices_grid_and_cart(demo_build: Built) -> None:
    style = demo_build.html("/l/ss27-open/ja/jpy/ss27/SS27-001/")
    assert 'name="q.ECR.M"' in style
    assert 'class="sold-out"' in style  # SS27-001 BLK XS is sold out in the demo
    assert "￥" in style
    assert (demo_build.out / "l/ss27-open/ja/jpy/cart/index.html").is_file()


def test_catalog_link_shows_no_cart_and_no_grid_inputs(demo_build: Built) -> None:
    home = demo_build.html("/l/ss27-instagram/en/usd/")
    style = demo_build.html("/l/ss27-instagram/en/usd/ss27/SS27-001/")
    assert "/cart/" not in home and 'type="number"' not in style
    assert not (demo_build.out / "l/ss27-instagram/en/usd/cart").exists()


def test_china_only_link_fixes_the_checkout_country(demo_build: Built) -> None:
    cart = demo_build.html("/l/ss27-china/zh-hans/usd/cart/")
    assert '<input type="hidden" name="country" value="CN">' in cart
    assert 'lang="zh-Hans"' in cart


def test_buyer_type_shapes_the_checkout(demo_build: Built) -> None:
    organization = demo_build.html("/l/ss27-open/en/usd/cart/")
    personal = demo_build.opened("/l/vivian-cheung/en/usd/cart/")
    assert 'name="company"' in organization and 'name="phone"' in organization
    assert 'name="company"' not in personal and 'name="phone"' not in personal


def test_customer_link_requires_the_address(demo_build: Built) -> None:
    cart = demo_build.opened("/l/hakobune-kyoto/ja/jpy/cart/")
    assert re.search(r'name="line1"[^>]*required', cart)


@pytest.mark.parametrize("url", ["/l/aw27-preview/en/jpy/", "/l/aw26-showroom/en/jpy/aw26/"])
def test_upcoming_and_expired_links_show_their_screen_and_no_styles(
    demo_build: Built, url: str
) -> None:
    page = demo_build.html(url)
    assert 'class="screen"' in page
    assert not re.search(r"\b(AW27|AW26)-\d{3}\b", page)


def test_season_past_its_deadline_is_view_only(demo_build: Built) -> None:
    linesheet = demo_build.opened("/l/asagiri-collections/en/eur/aw26/")
    url = re.findall(r'href="(/l/asagiri-collections/en/eur/aw26/[a-z2-7]{16}/)"', linesheet)[0]
    page = demo_build.opened(url)
    assert 'type="number"' not in page
    assert "Orders for this collection are closed." in page


def test_public_pages_carry_sharing_metadata(demo_build: Built) -> None:
    page = demo_build.html("/l/ss27-open/en/jpy/ss27/")
    assert '<meta property="og:image" content="https://' in page
    assert 'hreflang="ja"' in page and 'hreflang="zh-Hans"' in page
    assert "noindex" not in page
    sitemap = (demo_build.out / "sitemap.xml").read_text()
    assert "/l/ss27-open/en/jpy/ss27/" in sitemap


def test_sealed_pages_are_noindex_and_absent_from_the_sitemap(demo_build: Built) -> None:
    page = demo_build.html("/l/ss27-japan-deposit/ja/jpy/")
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert "og:" not in page and "hreflang=" not in page.split("</head>")[0]
    sitemap = (demo_build.out / "sitemap.xml").read_text()
    for slug in ("ss27-japan-deposit", "asagiri-collections", "hakobune-kyoto", "aw27-preview"):
        assert f"/l/{slug}/" not in sitemap


def test_show_terms_displays_term_billing_and_tax(demo_build: Built) -> None:
    home = demo_build.opened("/l/ss27-japan-deposit/en/jpy/")
    assert 'class="terms"' in home
    assert "45%" in home and "30%" in home
    linesheet = demo_build.opened("/l/ss27-japan-deposit/en/jpy/ss27/")
    style_url = re.findall(r'href="(/l/ss27-japan-deposit/en/jpy/ss27/[a-z2-7]{16}/)"',
                           linesheet)[0]
    style = demo_build.opened(style_url)
    assert 'class="breakdown"' in style and 'class="rrp"' in style


def test_print_stylesheet_is_linked_with_page_numbers(demo_build: Built) -> None:
    css = next((demo_build.out / "assets").glob("site.*.css")).read_text()
    assert "@media print" in css and "counter(page)" in css


def test_every_asset_a_page_references_is_published(demo_build: Built) -> None:
    """Logo, pictures, styles and scripts: no page links to a file the build did not write."""
    referenced: set[str] = set()
    for page in demo_build.out.rglob("*.html"):
        # A URL's fragment (a film's #t=0.1) names a part of the file, not another file.
        referenced |= set(re.findall(r'(/assets/[^"\'\s)#]+)', page.read_text(encoding="utf-8")))
    assert any("/assets/media/" in url for url in referenced)  # the brand's logo
    assert any(url.endswith(".mp4") for url in referenced)  # ss27-open's film
    missing = sorted(url for url in referenced if not (demo_build.out / url.lstrip("/")).is_file())
    assert missing == []


def test_a_site_under_a_folder_links_its_pages_and_assets_from_that_folder(
    tmp_path: Path
) -> None:
    """base_url with a path (https://example.com/wholesale/): the site is published in that
    folder, so every address a page gives, of a page or of an asset, starts with it."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    brand = content / "brand.yaml"
    text = brand.read_text(encoding="utf-8")
    assert "base_url: https://example.com\n" in text
    brand.write_text(text.replace("base_url: https://example.com\n",
                                  "base_url: https://example.com/wholesale/\n"), encoding="utf-8")
    built = build_into(tmp_path / "site", content=content)
    assets: set[str] = set()
    for page in built.out.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        rooted = re.findall(r'(?:href|src|content)="(/[^"]*)"', html)
        rooted += [url.split()[0] for found in re.findall(r'srcset="([^"]+)"', html)
                   for url in found.split(", ")]
        assert rooted, page
        outside = [url for url in rooted if not url.startswith("/wholesale/")]
        assert outside == [], f"{page.relative_to(built.out)} links outside the folder"
        assets |= {url for url in rooted if url.startswith("/wholesale/assets/")}
    assert any(url.endswith(".css") for url in assets) and any(".js" in url for url in assets)
    missing = sorted(url for url in assets
                     if not (built.out / url.removeprefix("/wholesale/")).is_file())
    assert missing == []


def test_the_brand_icon_is_every_page_tab_icon(demo_build: Built) -> None:
    """The demo's square icon, published as it is, in the head of public and sealed pages
    alike (the golden fixture, without one, asks for none: no /favicon.ico 404 a page)."""
    icon = (DEMO / "media" / "icon.png").read_bytes()
    for url in ("/l/ss27-open/en/jpy/ss27/", "/l/ss27-japan-deposit/ja/jpy/"):
        head = demo_build.html(url).split("</head>")[0]
        [href] = re.findall(r'<link rel="icon" href="([^"]+)">', head)
        assert f'<link rel="apple-touch-icon" href="{href}">' in head
        assert (demo_build.out / href.lstrip("/")).read_bytes() == icon


def test_a_chooser_with_one_choice_takes_the_buyer_to_it(demo_build: Built) -> None:
    """The China link speaks one language in one currency: its address opens that home at
    once (the button stays); a link with choices waits for the buyer's."""
    china = demo_build.html("/l/ss27-china/")
    assert '<meta http-equiv="refresh" content="0; url=/l/ss27-china/zh-hans/usd/">' in china
    assert 'href="/l/ss27-china/zh-hans/usd/"' in china.split("</head>")[1]
    assert (demo_build.out / "l/ss27-china/zh-hans/usd/index.html").is_file()
    assert 'http-equiv="refresh"' not in demo_build.html("/l/ss27-open/")


def _steps(page: str) -> dict[str, str]:
    return dict(re.findall(r'<a rel="(prev|next)" href="([^"]+)"', page))


def test_a_style_page_links_the_styles_before_and_after_it(demo_build: Built) -> None:
    """On a phone a buyer goes from style to style without going back to the linesheet."""
    season = "/l/ss27-open/en/jpy/ss27"
    assert _steps(demo_build.html(f"{season}/SS27-002/")) == {
        "prev": f"{season}/SS27-001/", "next": f"{season}/SS27-003/"}
    assert _steps(demo_build.html(f"{season}/SS27-001/")) == {"next": f"{season}/SS27-002/"}
    assert _steps(demo_build.html(f"{season}/SS27-016/")) == {"prev": f"{season}/SS27-015/"}
    # On a sealed link the neighbours' addresses are its opaque ones, and are pages.
    linesheet = demo_build.opened("/l/ss27-japan-deposit/en/jpy/ss27/")
    first, second = re.findall(r'href="(/l/ss27-japan-deposit/en/jpy/ss27/[a-z2-7]{16}/)"',
                               linesheet)[:2]
    assert _steps(demo_build.opened(first)) == {"next": second}
    assert (demo_build.out / second.strip("/") / "index.html").is_file()


def test_a_size_chart_is_a_table_in_the_pages_language(demo_build: Built) -> None:
    coat = demo_build.html("/l/ss27-open/ja/jpy/ss27/SS27-001/")
    chart = re.search(r'<table class="measurements">(.*?)</table>', coat, re.S)
    assert chart, "no size chart on SS27-001's page"
    rows = [re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", row)
            for row in re.findall(r"<tr>(.*?)</tr>", chart[1], re.S)]
    assert rows[0] == ["", "XS", "S", "M", "L"]
    assert rows[1] == ["身幅", "56", "58", "60", "62"]
    assert rows[4] == ["袖丈", "56.5", "58", "59.5", "61"]
    assert "<caption>サイズ詳細（cm）</caption>" in chart[1]
    assert "measurements" not in demo_build.html("/l/ss27-open/ja/jpy/ss27/SS27-002/")


def _cards(linesheet: str) -> dict[str, str]:
    """Each card of a linesheet (its HTML after the style number), by style number."""
    return dict(re.findall(r'<span class="style-no">([^<]+)</span>(.*?)</li>\s*(?:<li class='
                           r'"style-card"|</ol>)', linesheet, re.S))


def test_a_style_sold_out_in_every_colour_and_size_says_so_on_its_card(
    demo_build: Built
) -> None:
    cards = _cards(demo_build.html("/l/ss27-open/en/jpy/ss27/"))
    assert '<p class="all-sold-out">Sold out</p>' in cards["SS27-015"]
    assert [number for number, card in cards.items() if "all-sold-out" in card] == ["SS27-015"]


def test_a_buyers_minimum_order_is_among_the_terms_and_in_the_cart(demo_build: Built) -> None:
    home = demo_build.opened("/l/calme-paris/en/eur/")
    assert re.search(r"<dt>Minimum order value</dt>\s*<dd>€1,500.00 before tax</dd>", home)
    cart = demo_build.opened("/l/calme-paris/en/eur/cart/")
    assert 'data-minimum="1500"' in cart
    assert "Minimum order value" not in demo_build.html("/l/ss27-open/en/eur/")


def test_a_tax_exempt_buyer_sees_no_tax_in_the_terms_or_the_cart(demo_build: Built) -> None:
    home = demo_build.opened("/l/calme-paris/en/eur/")
    assert re.search(r"<dt>Prices</dt>\s*<dd>Tax-free \(export\)</dd>", home)
    assert 'data-total="tax"' not in demo_build.opened("/l/calme-paris/en/eur/cart/")
    assert 'data-total="tax"' in demo_build.opened("/l/hakobune-kyoto/ja/jpy/cart/")


def test_a_style_of_a_later_drop_says_when_and_the_linesheet_filters_by_delivery(
    demo_build: Built
) -> None:
    """The demo's linen cardigan and stole ship in a summer drop, after the season's own, and
    so does the cupro dress in tide blue (its other colours ship with the season)."""
    linesheet = demo_build.html("/l/ss27-open/en/jpy/ss27/")
    cards = _cards(linesheet)
    later = "Apr 15, 2027 – May 15, 2027"
    assert [number for number, card in cards.items() if 'class="delivery"' in card] == [
        "SS27-009", "SS27-015"]
    assert f'<p class="delivery" data-dates="{later}">Delivery: {later}</p>' in cards["SS27-009"]
    assert [number for number, card in cards.items() if 'class="color-delivery"' in card] == [
        "SS27-010"]
    assert f'<p class="color-delivery">Tide blue: delivery {later}</p>' in cards["SS27-010"]
    # The cardigan's black is a small lot: its card says the style is limited.
    assert [number for number, card in cards.items() if 'class="limited"' in card] == [
        "SS27-009"]
    assert '<p class="limited">Limited quantities</p>' in cards["SS27-009"]
    assert re.findall(r'<input type="radio" name="delivery" value="([^"]*)"[^>]*> ([^<\n]+)',
                      linesheet) == [("", "All deliveries"),
                                     ("-", "Jan 15, 2027 – Mar 31, 2027"),
                                     ("2027-04-15_2027-05-15", later)]
    keys = {number: key for key, number in re.findall(
        r'<li class="style-card"[^>]* data-delivery="([^"]+)"[^>]*>\s*<a href="[^"]*/'
        r'(SS27-\d+)/"', linesheet)}
    assert {number: key for number, key in keys.items() if key != "-"} == {
        "SS27-009": "2027-04-15_2027-05-15", "SS27-010": "- 2027-04-15_2027-05-15",
        "SS27-015": "2027-04-15_2027-05-15"}
    # A style page says when the style ships: its own delivery, else its season's.
    assert ('<p class="delivery">納期：2027年4月15日 – 2027年5月15日</p>'
            in demo_build.html("/l/ss27-open/ja/jpy/ss27/SS27-009/"))
    assert ('<p class="delivery">納期：2027年1月15日 – 2027年3月31日</p>'
            in demo_build.html("/l/ss27-open/ja/jpy/ss27/SS27-001/"))
    dress = demo_build.html("/l/ss27-open/en/jpy/ss27/SS27-010/")
    assert '<p class="delivery">Delivery: Jan 15, 2027 – Mar 31, 2027</p>' in dress
    assert f'<p class="delivery">Tide blue: delivery {later}</p>' in dress
    # A season whose styles all ship together has nothing to filter by.
    winter = demo_build.opened("/l/asagiri-collections/en/jpy/aw27/")
    assert 'class="style-card"' in winter and 'name="delivery"' not in winter


def test_the_demos_selections_leave_styles_off_some_links(demo_build: Built) -> None:
    """The China link hides the wide trousers a distributor carries there; the AW27 bucket
    hat is Calme Paris's exclusive: no other link has its page or names it."""
    china = _cards(demo_build.html("/l/ss27-china/zh-hans/usd/ss27/"))
    assert "SS27-012" not in china and len(china) == 15
    assert not (demo_build.out / "l/ss27-china/zh-hans/usd/ss27/SS27-012").exists()
    assert "SS27-012" in _cards(demo_build.html("/l/ss27-open/en/jpy/ss27/"))
    shiosai = demo_build.html("/l/ss27-china/zh-hans/lookbook/ss27-shiosai/")
    assert "SS27-012" not in shiosai and "SS27-004" in shiosai  # its caption names the rest
    calme = demo_build.opened("/l/calme-paris/en/eur/aw27/")
    assert "AW27-009" in calme
    for url in ("/l/asagiri-collections/en/jpy/aw27/", "/l/hakobune-kyoto/ja/jpy/aw27/"):
        assert "AW27-009" not in demo_build.opened(url), url
    assert "AW27-009" not in demo_build.opened("/l/asagiri-collections/en/lookbook/aw27-sumi/")


def test_the_demos_colourways_left_out_and_exclusive(demo_build: Built) -> None:
    """The China link shows the tee without its grey (sold there under a licence); the
    canvas tote's indigo is HAKOBUNE Kyoto's: the other links show its ecru and black."""
    def colors(html: str) -> list[str]:
        return re.findall(r'<li[^>]* data-color="([A-Z]+)"', html)

    tee = demo_build.html("/l/ss27-china/zh-hans/usd/ss27/SS27-006/")
    assert 'data-color="GRY"' not in tee and 'data-color="WHT"' in tee
    assert 'data-color="GRY"' in demo_build.html("/l/ss27-open/en/jpy/ss27/SS27-006/")
    assert colors(_cards(demo_build.html("/l/ss27-open/en/jpy/ss27/"))["SS27-014"]) == [
        "ECR", "BLK"]
    kyoto = demo_build.opened("/l/hakobune-kyoto/ja/jpy/ss27/")
    assert 'data-color="IND"' in kyoto[kyoto.index("SS27-014"):]


def test_a_size_priced_apart_shows_on_the_card_and_the_style_page(demo_build: Built) -> None:
    """The demo's Indigo Work Jacket costs more in XL."""
    cards = _cards(demo_build.html("/l/ss27-open/en/jpy/ss27/"))
    assert '<span class="unit">¥27,800 – ¥29,800</span>' in cards["SS27-003"]
    assert '<span class="unit">¥47,000</span>' in cards["SS27-001"]  # one price: as it was
    # Its page gives each size's price: with its derivation where the link shows its terms.
    jacket = demo_build.html("/l/ss27-open/en/jpy/ss27/SS27-003/")
    assert re.findall(r'<li class="size-run">([^<]+)</li><li>([^<]+)</li>', jacket) == [
        ("XS · S · M · L", "WSP ¥27,800"), ("XL", "WSP ¥29,800")]
    assert 'data-size-units="{&#34;XL&#34;:&#34;29800&#34;}"' in jacket
    catalog = demo_build.html("/l/ss27-instagram/en/jpy/ss27/SS27-003/")  # terms not shown
    assert re.findall(r'<li><span class="size-run">([^<]+)</span> ([^<]+)</li>', catalog) == [
        ("XS · S · M · L", "¥27,800"), ("XL", "¥29,800")]
    coat = demo_build.html("/l/ss27-open/en/jpy/ss27/SS27-001/")
    assert "size-run" not in coat and coat.count('class="breakdown"') == 1
    # On a retail-rate link the RRP too: ¥58,000 and XL's ¥62,000 at 45 %, shown with tax.
    deposit = demo_build.opened("/l/ss27-japan-deposit/en/jpy/ss27/")
    card = deposit[deposit.index("Indigo Work Jacket"):]
    assert re.search(r'<span class="unit">¥28,710 – ¥30,690</span>\s*'
                     r'<span class="rrp">RRP ¥58,000 – ¥62,000</span>', card)


def test_a_customer_links_help_says_where_its_orders_are(demo_build: Built) -> None:
    where = "Your orders on this link are listed under the cart as they stand"
    assert where in demo_build.opened("/l/vivian-cheung/en/help/")
    assert where not in demo_build.html("/l/ss27-open/en/help/")  # many buyers: no list
