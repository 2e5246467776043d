"""Styles validated once per process: an unchanged style is the same Product build after
build, and anything its validation read that changed (its data, the brand's context, the
media folder's files) makes it validated again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from generator import catalog as catalog_module
from generator import content as content_module
from generator._revalidate import KeptStyles
from generator.catalog import keep_styles
from generator.content import keep_readings
from generator.models import Product
from tests.unit.conftest import ContentDir

RAW = {"style_no": "S-1", "name": {"en": "Coat"}, "category": {"en": "Outerwear"},
       "colors": [{"code": "BLK", "name": {"en": "Black"}}],
       "sizes": ["M"], "prices": {"JPY": {"rrp": "100", "wsp": "50"}}}


def _product(raw: dict[str, Any]) -> Product:
    return Product.model_validate(raw, context={})


def test_a_style_is_kept_for_its_very_data_under_the_same_context(tmp_path: Path) -> None:
    kept = KeptStyles()
    context = {"media_root": tmp_path, "languages": ("en",)}
    kept.start(context)
    raw = dict(RAW)
    product = _product(raw)
    kept.put(raw, product)
    assert kept.get(raw) is product
    assert kept.get(dict(RAW)) is None  # equal data read again is another reading
    kept.start(dict(context))
    assert kept.get(raw) is product
    kept.start({**context, "languages": ("en", "ja")})
    assert kept.get(raw) is None


def _one_kept(media: Path) -> tuple[KeptStyles, dict[str, Any], dict[str, Any]]:
    """A KeptStyles that validated one style in a build (with its context and data)."""
    kept, context, raw = KeptStyles(), {"media_root": media}, dict(RAW)
    kept.start(context)
    kept.put(raw, _product(raw))
    return kept, context, raw


def test_a_file_added_to_or_removed_from_media_forgets_every_style(tmp_path: Path) -> None:
    kept, context, raw = _one_kept(tmp_path)
    (tmp_path / "styles").mkdir()
    (tmp_path / "styles" / "coat.jpg").write_bytes(b"jpg")
    kept.start(context)
    assert kept.get(raw) is None
    kept.put(raw, _product(raw))
    kept.start(context)
    assert kept.get(raw) is not None
    (tmp_path / "styles" / "coat.jpg").unlink()
    kept.start(context)
    assert kept.get(raw) is None


def test_a_style_no_build_asked_for_is_dropped_after_one_build(tmp_path: Path) -> None:
    kept, context, raw = _one_kept(tmp_path)
    kept.start(context)  # a build that no longer has the style
    kept.start(context)
    assert kept.get(raw) is None


@pytest.fixture
def staying(monkeypatch: pytest.MonkeyPatch) -> None:
    """Readings and validations kept, as `linesheets build --watch` keeps them."""
    monkeypatch.setattr(content_module, "_kept", None)
    monkeypatch.setattr(catalog_module, "_kept", None)
    keep_readings()
    keep_styles()


@pytest.mark.usefixtures("staying")
def test_unchanged_styles_are_the_same_products_and_edited_ones_new(content: ContentDir) -> None:
    first = content.load()
    content.edit("seasons/ss27/products.yaml", "wsp: 21600", "wsp: 21700")
    second = content.load()
    (one, two), (one_again, two_again) = first.styles["ss27"], second.styles["ss27"]
    assert one_again is not one and one_again.prices["JPY"]["wsp"] == 21700
    assert two_again is two


@pytest.mark.usefixtures("staying")
def test_a_picture_removed_is_reported_for_a_style_that_did_not_change(
        content: ContentDir) -> None:
    content.load()
    (content.root / "media" / "styles" / "ss27-001-blk.jpg").unlink()
    problem = content.problem()
    assert "ss27-001-blk.jpg" in problem.message and problem.line > 0
