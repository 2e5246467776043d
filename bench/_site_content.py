"""Site benchmark, input: the synthetic catalog of ../shared/bench (catalog.json) -> a content
tree in our format (brand, one season, one instant link per buyer, one image per colour)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from PIL import Image, ImageDraw

SEASON = "fw25"
DEFAULT_LANGUAGE = "en"
# Our language tags are BCP 47 as the brand writes them; the catalog says `zh` for Simplified.
LANGUAGE_TAGS = {"en": "en", "ja": "ja", "fr": "fr", "zh": "zh-Hans"}
IMAGE_SIZE = (480, 600)  # one WebP width (480) and one JPEG fallback per image
# A swatch per colour code of make_catalog.py; codes it may add later fall back to grey.
SWATCHES = {
    "BLK": "#1C1C1C", "WHT": "#F4F2EE", "NVY": "#1F2A44", "GRY": "#8A8D91",
    "BEI": "#D8C7A8", "KHA": "#8F8458", "BRN": "#6B4A32", "RED": "#B3262E",
    "OLV": "#5E6B3A", "ECR": "#E8E0CC", "CML": "#B98A56", "SKY": "#8DB6D9",
    "BRD": "#6D1F2F", "CHR": "#3A3B3D", "PNK": "#E7A6B6", "MNT": "#A8D8C2",
}
_GREY = "#CCCCCC"

Json = dict[str, Any]


def write_content(catalog: Json, root: Path) -> int:
    """Replace `root` with the catalog as content; return the pages our plan will have.

    Per link × language × currency: home, linesheet, one page per style and the cart; per
    link × language a help page, per link a chooser (no lookbooks, no passcodes).
    """
    if root.exists():
        shutil.rmtree(root)
    languages = [lang["code"] for lang in catalog["langs"]]
    currencies = [currency["code"] for currency in catalog["currencies"]]
    decimals = {currency["code"]: int(currency["decimals"]) for currency in catalog["currencies"]}
    labels = {lang["code"]: lang["labels"] for lang in catalog["langs"]}
    _dump(root / "brand.yaml", _brand(languages, currencies))
    _dump(root / "seasons" / SEASON / "season.yaml", {
        "name": _season_name(catalog),
        "order_deadline": "2030-01-31T18:00:00+09:00",  # open as of the benchmark's --now
    })
    _dump(root / "seasons" / SEASON / "products.yaml", {
        "styles": [_style(style, labels, decimals) for style in catalog["styles"]]})
    for link in catalog["links"]:
        _dump(root / "links" / f"{link['id']}.yaml", _link(link, labels))
    codes = sorted({color["code"] for style in catalog["styles"] for color in style["colors"]})
    for code in codes:
        _write_image(root / "media" / _image(code), SWATCHES.get(code, _GREY))
    styles, links = len(catalog["styles"]), len(catalog["links"])
    return links * (1 + len(languages) * (1 + len(currencies) * (styles + 3)))


def edit_price(catalog: Json, root: Path, step: int) -> str:
    """Edit one style's price (its `wsp` in every currency, up by `step` minor units) in the
    catalog and in `root`'s products.yaml, as a brand would; return the style's number."""
    decimals = {currency["code"]: int(currency["decimals"]) for currency in catalog["currencies"]}
    labels = {lang["code"]: lang["labels"] for lang in catalog["langs"]}
    style = catalog["styles"][len(catalog["styles"]) // 2]
    for currency, lists in style["prices"].items():
        lists["wsp"] = round(lists["wsp"] + step / 10 ** decimals[currency], decimals[currency])
    _dump(root / "seasons" / SEASON / "products.yaml", {
        "styles": [_style(each, labels, decimals) for each in catalog["styles"]]})
    return str(style["style_no"])


def _text(values: Mapping[str, str]) -> dict[str, str]:
    """A translatable text: catalog language codes -> our language tags."""
    return {LANGUAGE_TAGS[language]: text for language, text in values.items()}


def _brand(languages: list[str], currencies: list[str]) -> Json:
    return {
        "name": "Atelier Bench",
        "default_language": DEFAULT_LANGUAGE,
        "languages": [LANGUAGE_TAGS[language] for language in languages],
        "currencies": currencies,
        "timezone": "Asia/Tokyo",
        "base_url": "https://catalog.example",
        "contacts": [{"name": "Wholesale desk", "email": "wholesale@catalog.example"}],
    }


def _season_name(catalog: Json) -> dict[str, str]:
    season = str(catalog["links"][0]["season"]) if catalog["links"] else SEASON.upper()
    return {LANGUAGE_TAGS[lang["code"]]: f"{lang['labels']['season']} {season}"
            for lang in catalog["langs"]}


def _style(style: Json, labels: Mapping[str, Mapping[str, str]],
           decimals: Mapping[str, int]) -> Json:
    category = f"cat_{style['category']}"
    return {
        "style_no": style["style_no"],
        "name": _text(style["name"]),
        "description": _text(style["description"]),
        "category": {LANGUAGE_TAGS[lang]: text[category] for lang, text in labels.items()},
        "composition": _text(style["material"]),
        "colors": [{"code": color["code"], "name": _text(color["name"]),
                    "swatch": SWATCHES.get(color["code"], _GREY),
                    "images": [_image(color["code"])]} for color in style["colors"]],
        # Our model prices a style, not a size: the catalog's size upcharges are dropped.
        "sizes": [size["code"] for size in style["sizes"]],
        "prices": {currency: {name: _amount(amount, decimals[currency])
                              for name, amount in sorted(lists.items())}
                   for currency, lists in style["prices"].items()},
    }


def _amount(value: float, digits: int) -> str:
    """A price as the text a brand would type: the currency's minor digits, never a float."""
    return f"{value:.{digits}f}"


def _link(link: Json, labels: Mapping[str, Mapping[str, str]]) -> Json:
    terms = link["terms"]
    return {
        "kind": "instant",
        "season": SEASON,
        "name": f"{link['buyer']} · {link['season']}",
        "description": {LANGUAGE_TAGS[lang]: f"{labels[lang]['terms']}: {text}"
                        for lang, text in terms.items()},
        "transaction": {"term": "wsp", "discount": _percent(link["discount"])},
        "show_terms": True,
    }


def _percent(fraction: float) -> str:
    return f"{fraction * 100:.6g}"


def _image(code: str) -> str:
    return f"colors/{code}.jpg"


def _write_image(path: Path, swatch: str) -> None:
    """Draw a small, deterministic product stand-in: the colour with a lighter band."""
    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", IMAGE_SIZE, swatch)
    draw = ImageDraw.Draw(image)
    width, height = IMAGE_SIZE
    draw.rectangle((width // 6, height // 5, width * 5 // 6, height * 4 // 5),
                   outline="#FFFFFF", width=6)
    image.save(path, "JPEG", quality=85)


def _dump(path: Path, data: Json) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100),
                    encoding="utf-8")


def read_catalog(path: Path) -> Json:
    """Load catalog.json as make_catalog.py wrote it."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"'{path}' is not a catalog made by make_catalog.py")
    return data
