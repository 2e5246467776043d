"""products.yaml as the importer writes it: read back by the loader, it is exactly the text it
was made from, whatever the text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.content import read_content
from generator.importer._yaml import dump_products, leading_comments

_TEXT = st.text(st.characters(exclude_categories=("Cs", "Cc"), include_characters="\n"),
                min_size=1, max_size=20).map(str.strip).filter(bool)
_AMOUNT = st.decimals(min_value=1, max_value=10**9, places=2).map(str)
_STYLE = st.fixed_dictionaries({
    "style_no": _TEXT,
    "name": st.one_of(_TEXT, st.dictionaries(st.sampled_from(["en", "ja", "zh-Hans"]), _TEXT,
                                             min_size=1)),
    "colors": st.lists(st.fixed_dictionaries({"code": _TEXT, "name": _TEXT}), min_size=1,
                       max_size=3),
    "sizes": st.lists(_TEXT, min_size=1, max_size=5),
    "prices": st.dictionaries(st.sampled_from(["JPY", "USD"]),
                              st.dictionaries(st.sampled_from(["rrp", "wsp"]), _AMOUNT,
                                              min_size=1), min_size=1),
    "moq": st.integers(1, 1000).map(str),
    "jan": st.dictionaries(_TEXT, st.dictionaries(_TEXT, st.integers(0, 10**13 - 1).map(
        "{:013d}".format), max_size=2), max_size=2),
})


def _read_back(tmp: Path, text: str) -> Any:
    root = tmp / "content"
    (root / "seasons/s").mkdir(parents=True, exist_ok=True)
    (root / "brand.yaml").write_text("name: x\n", encoding="utf-8")
    (root / "seasons/s/season.yaml").write_text("name: x\n", encoding="utf-8")
    (root / "seasons/s/products.yaml").write_text(text, encoding="utf-8")
    tree = read_content(root)
    assert tree.problems == []
    return next(entry for entry in tree.entries if entry.kind == "products").data


@settings(max_examples=40, deadline=None)
@given(styles=st.lists(_STYLE, max_size=3))
def test_written_yaml_reads_back_as_the_same_text(
    tmp_path_factory: Any, styles: list[dict[str, Any]]
) -> None:
    text = dump_products(styles, "# header\n")
    assert _read_back(tmp_path_factory.mktemp("y"), text) == {"styles": styles}
    # Other YAML tools see text as text too (only amounts become numbers).
    typed = yaml.safe_load(text)["styles"]
    for key in ("style_no", "name", "colors", "sizes", "jan"):
        assert [style[key] for style in typed] == [style[key] for style in styles]


def test_amounts_are_bare_numbers_and_digit_codes_are_quoted() -> None:
    text = dump_products([{"style_no": "001", "sizes": ["36", "One size"],
                           "prices": {"JPY": {"rrp": "48000"}, "USD": {"rrp": "320.00"}},
                           "moq": "2", "jan": {"BLK": {"36": "0490123456789"}}}], "")
    assert text == (
        "styles:\n"
        "  - style_no: '001'\n"
        "    sizes: ['36', One size]\n"
        "    prices:\n"
        "      JPY: {rrp: 48000}\n"
        "      USD: {rrp: 320.00}\n"
        "    moq: 2\n"
        "    jan:\n"
        "      BLK: {'36': '0490123456789'}\n")


def test_only_the_opening_comment_block_is_kept() -> None:
    assert leading_comments("# one\n# two\nstyles: []\n# later\n") == "# one\n# two\n"
    assert leading_comments("styles: []\n") == ""
