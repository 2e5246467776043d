"""The terms a link's pages show (`show_terms`): each wording built from the link's offer."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from generator.build import run
from generator.settings import BuildSettings
from tests.unit.conftest import ContentDir

BUILT = datetime(2026, 11, 27, 12, tzinfo=UTC)


def test_a_retail_rate_term_without_a_rate_shows_the_retail_price(content: ContentDir,
                                                                   tmp_path: Path) -> None:
    """A `wsp_rrp` link without a rate prices at the whole RRP; its terms once stopped the
    build with a traceback (the 100 % was an int the formatter could not take)."""
    content.edit("links/open.yaml", "transaction: {term: wsp}",
                 "transaction: {term: wsp_rrp}\nshow_terms: true")
    out = tmp_path / "public"
    run(BuildSettings(content=content.root, now=BUILT, out=out, private=tmp_path / "private",
                      cache=tmp_path / "cache"))
    home = (out / "l/open/en/jpy/index.html").read_text(encoding="utf-8")
    assert "100% of the retail price" in home
    linesheet = (out / "l/open/en/jpy/ss27/index.html").read_text(encoding="utf-8")
    assert 'data-amount="48000"' in linesheet  # the coat at its RRP
