"""`linesheets orders sales`: what the standing orders sold, by style, buyer, country or link,
best sellers first; amounts before tax in each currency, never converted; cancelled orders
left out. On SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from generator.cli import main
from tests.unit.invoicing import placed
from tests.unit.shop import ADDRESS, ORGANIZATION, Shop

LUMIERE = {**ORGANIZATION, "company": "Boutique Lumière", "name": "Claire Martin",
           "email": "claire@lumiere.example"}


def _sales(capsys: pytest.CaptureFixture[str], *argv: str) -> list[str]:
    assert main(["orders", "sales", *argv]) == 0
    return capsys.readouterr().out.splitlines()


@pytest.fixture
def sold(orders: Shop, capsys: pytest.CaptureFixture[str]) -> Shop:
    """Two standing orders (¥43,200 for 2 coats from Aoyama, $576.00 for 4 from Lumière in
    France) and a cancelled one."""
    placed(orders)
    placed(orders, key="key-0002", language="en", currency="USD", buyer=LUMIERE,
           address={**ADDRESS, "country": "FR"},
           lines=[{"style_no": "SS27-001", "color": "BLK", "size": "M", "quantity": 4}])
    cancelled = placed(orders, key="key-0003")
    assert main(["orders", "cancel", cancelled]) == 0
    capsys.readouterr()
    return orders


def test_sales_by_style_sum_every_standing_orders_lines(
    sold: Shop, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = _sales(capsys)
    assert lines[0].split() == ["season", "style", "name", "orders", "units", "before", "tax"]
    assert lines[1].split() == ["ss27", "SS27-001", "Trench", "coat", "2", "6", "¥43,200", "+",
                                "$576.00"]  # by currency code: JPY, USD
    assert lines[-1] == "2 orders, 6 units; before tax ¥43,200 + $576.00"


def test_sales_by_buyer_country_and_link_put_the_most_units_first(
    sold: Shop, capsys: pytest.CaptureFixture[str]
) -> None:
    buyers = _sales(capsys, "--by", "buyer")
    assert [line.split("  ")[0] for line in buyers[1:3]] == ["Boutique Lumière",
                                                             "Select Shop Aoyama"]
    assert buyers[1].split()[-3:] == ["1", "4", "$576.00"]
    assert buyers[2].split()[-3:] == ["1", "2", "¥43,200"]
    countries = _sales(capsys, "--by", "country")
    assert [line.split()[:3] for line in countries[1:3]] == [["FR", "1", "4"], ["-", "1", "2"]]
    links = _sales(capsys, "--by", "link")
    assert links[1].split() == ["open", "2", "6", "¥43,200", "+", "$576.00"]


def test_sales_rows_give_each_currency_apart_for_a_spreadsheet(
    sold: Shop, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "sales.csv"
    assert main(["orders", "sales", "--by", "buyer", "--format", "csv", "--out",
                 str(target)]) == 0
    assert capsys.readouterr().out == f"wrote {target}: 2 buyers of 2 orders\n"
    rows = list(csv.DictReader(io.StringIO(target.read_bytes().decode("utf-8-sig"))))
    assert [(row["buyer_company"], row["currency"], row["amount_before_tax"], row["units"],
             row["orders"]) for row in rows] == [
        ("Boutique Lumière", "USD", "576.00", "4", "1"),
        ("Select Shop Aoyama", "JPY", "43200", "2", "1")]


def test_no_standing_order_sold_nothing(orders: Shop, capsys: pytest.CaptureFixture[str]) -> None:
    assert _sales(capsys) == ["no orders match"]
    assert main(["orders", "sales", "--format", "xlsx"]) == 1
    assert capsys.readouterr().err == ("error: an XLSX file of sales needs a file: add --out "
                                       "sales.xlsx\n")
