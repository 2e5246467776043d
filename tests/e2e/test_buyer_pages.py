"""The buyer's pages on a phone and a desktop, in two languages: screenshots for review
(build/screenshots/), no sideways scrolling at 360 px, no serious or critical axe-core
violations, and a size grid that works with the keyboard alone."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from tests.e2e.buyer import fill_grid, unlock
from tests.e2e.conftest import ROOT, WAIT_MS, Shop, needs_chromium

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = needs_chromium

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "build" / "screenshots"
VIEWPORTS = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 800}}
PAGES = {"home": "", "linesheet": "ss27/", "style": "ss27/SS27-006/", "cart": "cart/"}


@pytest.fixture(params=sorted(VIEWPORTS))
def sized(request: pytest.FixtureRequest, browser: Browser) -> Iterator[tuple[str, Page]]:
    """A page on a phone-sized or a desktop viewport."""
    # axe-core goes in as an inline script, which the site's policy (rightly) blocks.
    context = browser.new_context(viewport=VIEWPORTS[request.param],  # type: ignore[arg-type]
                                  device_scale_factor=1, bypass_csp=True)
    context.set_default_timeout(WAIT_MS)
    try:
        yield request.param, context.new_page()
    finally:
        context.close()


def serious_violations(page: Page) -> list[tuple[str, str, list[str]]]:
    """Run axe-core on the page: the serious and critical violations, with where they are."""
    if not AXE.is_file():
        raise AssertionError(f"{AXE} is missing: run `npm ci` (make test does)")
    page.add_script_tag(path=AXE)
    result: dict[str, Any] = page.evaluate("""() => axe.run(document, {runOnly: {type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})""")
    return [(v["id"], v["impact"], [n["target"][0] for n in v["nodes"][:3]])
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("language", ["en", "ja"])
def test_main_pages_fit_a_phone_and_pass_axe(shop: Shop, sized: tuple[str, Page],
                                             language: str) -> None:
    viewport, page = sized
    base = f"{shop.origin}/l/ss27-open/{language}/jpy/"
    page.goto(base + PAGES["style"])
    fill_grid(page, {("WHT", "M"): 2, ("BLK", "S"): 1})
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems = {}
    for name, path in PAGES.items():
        page.goto(base + path)
        if name == "cart":
            page.locator("form[data-checkout]").wait_for(state="visible")
        page.screenshot(path=SCREENSHOTS / f"{language}-{viewport}-{name}.png", full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= VIEWPORTS[viewport]["width"], f"{name} scrolls sideways: {width} px"
        if name == "style":  # five sizes fit without scrolling the grid itself
            grid = page.locator(".grid-scroll")
            inner, shown = grid.evaluate("(el) => [el.scrollWidth, el.clientWidth]")
            assert inner <= shown, f"the size grid scrolls sideways: {inner} px in {shown} px"
        if viewport == "phone":  # the rules do not depend on the width; run them once a page
            problems[name] = serious_violations(page)
    assert not any(problems.values()), problems


def test_the_link_homes_sections_stand_apart(shop: Shop, sized: tuple[str, Page]) -> None:
    """Collections, lookbooks and terms each begin well below what ends the section before,
    as a magazine's do, on a phone as on a desktop (their headings once sat on the text)."""
    _, page = sized
    page.goto(f"{shop.origin}/l/ss27-open/en/jpy/")
    gaps = page.evaluate("""() => ['.seasons', '.lookbooks', '.terms'].map((name) => {
        const section = document.querySelector(name);
        const before = section.previousElementSibling.getBoundingClientRect();
        return section.getBoundingClientRect().top - before.bottom; })""")
    assert all(gap >= 32 for gap in gaps), gaps


def test_unlock_page_passes_axe(shop: Shop, sized: tuple[str, Page]) -> None:
    _, page = sized
    page.goto(f"{shop.origin}/l/ss27-japan-deposit/ja/jpy/")
    page.locator("[data-unlock-form]").wait_for(state="visible")
    assert serious_violations(page) == []


def test_the_grid_works_with_the_keyboard_alone(shop: Shop, page: Page) -> None:
    page.goto(f"{shop.origin}/l/hakobune-kyoto/ja/jpy/ss27/")
    unlock(page, "hakobune-2027")
    page.keyboard.press("Tab")
    page.locator(".style-card a").first.focus()
    page.keyboard.press("Enter")
    page.locator("form[data-grid] button[type=submit]").wait_for()
    page.locator("form[data-grid] input").first.focus()
    for _ in range(2):
        page.keyboard.press("ArrowUp")
    page.keyboard.press("Tab")
    page.keyboard.type("1")
    page.keyboard.press("Enter")  # submits the grid: "Add to cart"
    page.locator("[data-grid-added] a").wait_for()
    assert page.inner_text("[data-cart-count]") == "3"
