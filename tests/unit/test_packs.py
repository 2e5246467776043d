"""Prepacks: a style sold in packs (`pack: {S: 1, M: 2, L: 1}`) takes each colour in whole packs,
at the endpoint and in the brand's amendments; its lines stay one per size (what the stock,
the totals and the ERP count). On SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from gettext import NullTranslations
from pathlib import Path

import html5lib
import pytest

from generator.cli import main
from generator.manifest import Manifest
from order_api.mail import compose_order_mail
from order_api.packs import colour_packs
from order_api.schemas import Order, PricedLine
from tests.unit.conftest import ContentDir
from tests.unit.endpoint import FrozenClock
from tests.unit.shop import Shop, order


def _cells(**sizes: int) -> list[dict[str, object]]:
    return [{"style_no": "SS27-001", "color": "ECR", "size": size, "quantity": quantity}
            for size, quantity in sizes.items()]


@pytest.fixture
def packed(content: ContentDir, tmp_path: Path, api_clock: FrozenClock, database_url: str,
           monkeypatch: pytest.MonkeyPatch) -> Iterator[Shop]:
    """The scratch shop with the trench coat sold in packs of S×1 M×2 L×1 (written out of the
    sizes' order: the pages and the rules take it in theirs), the `orders` commands pointed at
    it."""
    content.edit("seasons/ss27/products.yaml", "    moq: 2",
                 "    moq: 2\n    pack: {M: 2, S: 1, L: 1}")
    shop = Shop(content, tmp_path, api_clock, database_url)
    monkeypatch.setenv("LINESHEETS_MANIFEST", str(shop.private / "manifest.json"))
    monkeypatch.setenv("DATABASE_URL", shop.database_url)
    monkeypatch.chdir(tmp_path)
    yield shop
    shop.store.close()


def test_whole_packs_are_ordered_as_one_line_a_size(packed: Shop) -> None:
    answer = packed.post("open", order(lines=_cells(S=2, M=4, L=2)))
    assert answer.status == 201, answer.json()
    stored = answer.json()
    assert [(line["size"], line["quantity"]) for line in stored["lines"]] == [
        ("S", 2), ("M", 4), ("L", 2)]
    assert stored["subtotal"] == "172800"  # 8 units at ¥21,600


@pytest.mark.parametrize("cells", [{"S": 1, "M": 2}, {"S": 2, "M": 2, "L": 2}, {"M": 2},
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
    assert "is no whole number of packs; it is sold in packs of 4 (S×1 M×2 L×1)" in (
        wrong[0]["message"])
    assert packed.stored() == 0


def test_an_amendment_keeps_whole_packs(packed: Shop, capsys: pytest.CaptureFixture[str]
                                        ) -> None:
    number = packed.post("open", order(lines=_cells(S=1, M=2, L=1))).json()["order_number"]
    assert main(["orders", "amend", number, "--line", "1=2"]) == 1
    assert ("style SS27-001 is sold in packs of 4 units: ECR would have 5, no whole number of "
            "packs; change that colour's sizes together") in capsys.readouterr().err
    assert main(["orders", "amend", number, "--line", "1=2", "--line", "2=4",
                 "--line", "3=2"]) == 0
    assert "line 1 (SS27-001 ECR S) 1 → 2; line 2 (SS27-001 ECR M) 2 → 4" in (
        capsys.readouterr().out)


def test_an_orders_lines_carry_their_pack_and_its_papers_say_the_packs(
        packed: Shop, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tote = {"style_no": "SS27-002", "color": "001", "size": "One size", "quantity": 3}
    answer = packed.post("open", order(lines=[*_cells(S=2, M=4, L=2), tote]))
    assert answer.status == 201, answer.json()
    placed = Order.model_validate(answer.json())
    # Each size's units in a pack, as the pages' pack lists them; none on a style by the unit.
    assert [(line.size, line.pack) for line in placed.lines] == [
        ("S", 1), ("M", 2), ("L", 1), ("One size", None)]
    assert packed.post("open", order(lines=_cells(S=1, M=2, L=1)), path="quote"
                       ).json()["lines"][1]["pack"] == 2

    number = placed.order_number
    assert main(["orders", "show", number]) == 0
    shown = capsys.readouterr().out
    assert "     2 packs of S×1 M×2 L×1 (the colour's lines together)" in shown
    assert shown.count("packs of") == 1  # on the colour's first line only; the tote has none
    page = tmp_path / "confirmation.html"
    assert main(["orders", "show", number, "--html", str(page)]) == 0
    html = page.read_text(encoding="utf-8")  # the order's language: Japanese
    assert html.count('<p class="line-packs">2パック（S×1 M×2 L×1）</p>') == 1
    export = tmp_path / "orders.csv"
    assert main(["orders", "export", "--out", str(export)]) == 0
    rows = list(csv.DictReader(io.StringIO(export.read_bytes().decode("utf-8-sig"))))
    assert [(row["size"], row["quantity"], row["pack"]) for row in rows] == [
        ("S", "2", "1"), ("M", "4", "2"), ("L", "2", "1"), ("One size", "3", "")]
    invoice = tmp_path / "invoice.html"
    assert main(["orders", "invoice", number, "--out", str(invoice)]) == 0
    assert invoice.read_text(encoding="utf-8").count(
        '<p class="line-packs">2パック（S×1 M×2 L×1）</p>') == 1

    manifest = Manifest.model_validate_json((packed.private / "manifest.json").read_bytes())
    mail = compose_order_mail(placed, manifest, "buyer", sender="orders@example.com",
                              recipients=["aiko@example.com"], reply_to=[],
                              message_id="<1@example.com>")
    text_part = mail.get_body(("plain",))
    html_part = mail.get_body(("html",))
    assert text_part is not None and html_part is not None
    assert "\n  2パック（S×1 M×2 L×1）\n" in text_part.get_content()
    assert "<small>2パック（S×1 M×2 L×1）</small>" in html_part.get_content()


def test_a_delivery_note_says_the_packs_a_box_holds_whole(
        packed: Shop, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tote = {"style_no": "SS27-002", "color": "001", "size": "One size", "quantity": 3}
    number = packed.post("open", order(lines=[*_cells(S=2, M=4, L=2), tote])
                         ).json()["order_number"]
    one, part = tmp_path / "one.html", tmp_path / "part.html"
    # One of the two packs: the box holds a whole pack, and one is to follow.
    assert main(["orders", "ship", number, "--line", "1=1", "--line", "2=2", "--line", "3=1",
                 "--html", str(one)]) == 0
    carried, to_follow = _delivery_tables(one)
    assert carried == [("S", "1", "1パック（S×1 M×2 L×1）"), ("M", "2", ""), ("L", "1", "")]
    assert to_follow == [("S", "1", "1パック（S×1 M×2 L×1）"), ("M", "2", ""), ("L", "1", ""),
                         ("One size", "3", "")]
    # Part of the last pack (its S alone): no pack in the box, nor whole in what follows.
    assert main(["orders", "ship", number, "--line", "1=1", "--html", str(part)]) == 0
    carried, to_follow = _delivery_tables(part)
    assert carried == [("S", "1", "")]
    assert to_follow == [("M", "2", ""), ("L", "1", ""), ("One size", "3", "")]
    capsys.readouterr()


def _delivery_tables(page: Path) -> list[list[tuple[str, str, str]]]:
    """Each table of a delivery note: every line's size, units and packs said."""
    tree = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(
        page.read_text(encoding="utf-8"))
    tables = []
    for table in tree.findall(".//table"):
        rows = []
        for row in table.findall("./tbody/tr"):
            cells = [" ".join(" ".join(cell.itertext()).split()) for cell in row]
            packs = row.find(".//p[@class='line-packs']")
            rows.append((cells[3], cells[5], "" if packs is None else packs.text or ""))
        tables.append(rows)
    return tables


@pytest.mark.parametrize(("quantities", "expected"), [
    ((1, 2, 1), {0: (1, "1 pack of S×1 M×2 L×1")}),
    ((3, 6, 3), {0: (3, "3 packs of S×1 M×2 L×1")}),
    ((2, 2, 1), {}),  # not the same number of packs in each size: its lines say it
    ((0, 0, 0), {}),
])
def test_a_colours_packs_are_counted_only_when_whole(quantities: tuple[int, int, int],
                                                     expected: dict[int, tuple[int, str]]
                                                     ) -> None:
    lines = [PricedLine(style_no="X", color="BLK", size=size, quantity=quantity, name="X",
                        color_name="Black", sku=None, jan=None, pack=units, unit_price="10",
                        amount=str(10 * quantity), breakdown=[])
             for size, quantity, units in zip("SML", quantities, (1, 2, 1), strict=True)]
    found = colour_packs(lines)
    english = NullTranslations().ngettext
    assert {at: (packs.count, packs.text(english)) for at, packs in found.items()} == expected
    stored_before = [line.model_copy(update={"pack": None}) for line in lines]
    assert colour_packs(stored_before) == {}  # an order stored before lines had their pack
