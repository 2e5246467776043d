"""Prepacks: a style sold in packs (`pack: {S: 1, M: 2}`) takes each colour in whole packs,
at the endpoint and in the brand's amendments; its lines stay one per size (what the stock,
the totals and the ERP count). On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.cli import main
from tests.unit.conftest import ContentDir
from tests.unit.endpoint import FrozenClock
from tests.unit.shop import Shop, order


def _cells(**sizes: int) -> list[dict[str, object]]:
    return [{"style_no": "SS27-001", "color": "BLK", "size": size, "quantity": quantity}
            for size, quantity in sizes.items()]


@pytest.fixture
def packed(content: ContentDir, tmp_path: Path, api_clock: FrozenClock, database_url: str,
           monkeypatch: pytest.MonkeyPatch) -> Iterator[Shop]:
    """The scratch shop with the trench coat sold in packs of S×1 M×2, the `orders` commands
    pointed at it."""
    content.edit("seasons/ss27/products.yaml", "    moq: 2", "    moq: 2\n    pack: {S: 1, M: 2}")
    shop = Shop(content, tmp_path, api_clock, database_url)
    monkeypatch.setenv("LINESHEETS_MANIFEST", str(shop.private / "manifest.json"))
    monkeypatch.setenv("DATABASE_URL", shop.database_url)
    monkeypatch.chdir(tmp_path)
    yield shop
    shop.store.close()


def test_whole_packs_are_ordered_as_one_line_a_size(packed: Shop) -> None:
    answer = packed.post("open", order(lines=_cells(S=2, M=4)))
    assert answer.status == 201, answer.json()
    stored = answer.json()
    assert [(line["size"], line["quantity"]) for line in stored["lines"]] == [("S", 2), ("M", 4)]
    assert stored["subtotal"] == "129600"  # 6 units at ¥21,600


@pytest.mark.parametrize("cells", [{"S": 1, "M": 1}, {"S": 2, "M": 2}, {"M": 2},
                                   {"S": 2, "M": 4, "L": 1}])
def test_a_colour_in_no_whole_number_of_packs_is_refused(packed: Shop,
                                                          cells: dict[str, int]) -> None:
    answer = packed.post("open", order(lines=_cells(**cells)))
    assert answer.status == 422
    body = answer.json()
    assert body["type"].endswith("/cart-rejected")
    wrong = [error for error in body["errors"] if error.get("code") == "not_whole_packs"]
    assert [error["field"] for error in wrong] == [
        f"lines[{index}].quantity" for index in range(len(cells))]
    assert "is no whole number of packs; it is sold in packs of 3 (S×1 M×2)" in (
        wrong[0]["message"])
    assert packed.stored() == 0


def test_an_amendment_keeps_whole_packs(packed: Shop, capsys: pytest.CaptureFixture[str]
                                        ) -> None:
    number = packed.post("open", order(lines=_cells(S=1, M=2))).json()["order_number"]
    assert main(["orders", "amend", number, "--line", "1=2"]) == 1
    assert ("style SS27-001 is sold in packs of 3 units: BLK would have 4, no whole number of "
            "packs; change that colour's sizes together") in capsys.readouterr().err
    assert main(["orders", "amend", number, "--line", "1=2", "--line", "2=4"]) == 0
    assert "line 1 (SS27-001 BLK S) 1 → 2; line 2 (SS27-001 BLK M) 2 → 4" in (
        capsys.readouterr().out)
