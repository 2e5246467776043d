"""Ordering from a spreadsheet, in Chromium: a linesheet's order form downloads (an Excel
workbook, or CSV) with a row a colour and a column a size (the cart's quantities in it), comes
back filled in and fills the cart; an order confirmation's CSV orders the same again; a file
with a problem changes nothing and says what is wrong on which row; the form is there only
where the season takes orders."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from playwright.sync_api import expect

from tests.e2e.buyer import fill_grid
from tests.e2e.conftest import Shop, needs_chromium
from tests.e2e.test_buyer_pages import serious_violations

if TYPE_CHECKING:
    from playwright.sync_api import FilePayload, Page

pytestmark = needs_chromium

LINESHEET = "/l/ss27-open/en/jpy/ss27/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORM_COLUMNS = ["style_no", "name", "color", "color_name", "price", "currency", "moq",
                "multiple", "pack", "packs"]


def _download(page: Page) -> list[dict[str, str]]:
    with page.expect_download() as download:
        page.click("[data-order-form-download-csv]")
    assert download.value.suggested_filename == "ss27-open-ss27-jpy-order-form.csv"
    data = Path(download.value.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _choose(page: Page, name: str, data: bytes, mime: str = "text/csv") -> None:
    payload: FilePayload = {"name": name, "mimeType": mime, "buffer": data}
    page.set_input_files("[data-order-form-file]", files=[payload])


def _csv(rows: list[list[str]], encoding: str = "utf-8-sig", separator: str = ",") -> bytes:
    text = io.StringIO(newline="")
    csv.writer(text, delimiter=separator, lineterminator="\r\n").writerows(rows)
    return text.getvalue().encode(encoding)


def _cart(page: Page, link: str = "ss27-open",
          currency: str = "JPY") -> dict[str, list[list[object]]]:
    """A link's stored cart in a currency: style -> [colour, size, quantity] of each cell."""
    stored = page.evaluate(f"localStorage.getItem('linesheets:{link}:{currency}:cart')")
    return {entry["style"]: [[c["color"], c["size"], c["quantity"]] for c in entry["cells"]]
            for entry in json.loads(stored or '{"styles": []}')["styles"]}


def test_the_order_form_comes_back_filled_in_and_fills_the_cart(shop: Shop, phone: Page) -> None:
    phone.goto(shop.origin + LINESHEET + "SS27-009/")
    fill_grid(phone, {("BLK", "S"): 3, ("SND", "L"): 2})
    phone.goto(shop.origin + LINESHEET)
    phone.locator("[data-order-form]").wait_for(state="visible")
    rows = _download(phone)
    header = list(rows[0])
    assert header[:len(FORM_COLUMNS)] == FORM_COLUMNS
    assert header[len(FORM_COLUMNS):len(FORM_COLUMNS) + 5] == ["XS", "S", "M", "L", "XL"]
    assert "One size" in header and "42" in header  # every size of the collection, once
    by_row = {(row["style_no"], row["color"]): row for row in rows}
    cards = phone.locator(".style-card")
    assert len(rows) == sum(cards.nth(n).locator(".swatches li").count()
                            for n in range(cards.count()))  # a row a colour of every style
    # The cart's quantities are in it; sold-out cells and sizes a style lacks say so.
    cardigan = by_row[("SS27-009", "BLK")]
    assert (cardigan["name"], cardigan["color_name"], cardigan["price"]) == (
        "Linen Cardigan", "Black", "16300")
    assert (cardigan["S"], cardigan["M"], cardigan["42"]) == ("3", "", "—")
    assert by_row[("SS27-009", "SND")]["L"] == "2"
    assert by_row[("SS27-001", "BLK")]["XS"] == "Sold out"
    tee = by_row[("SS27-007", "NVY")]
    assert (tee["pack"], tee["packs"], tee["M"]) == ("XS×1 S×2 M×2 L×2 XL×1", "", "")
    # Filled in as a spreadsheet program saves it: the cardigan's black changed, its sand
    # emptied, two packs of the tee; every other row as it was.
    by_row[("SS27-009", "BLK")].update({"S": "", "M": "6"})
    by_row[("SS27-009", "SND")]["L"] = ""
    by_row[("SS27-007", "NVY")]["packs"] = "2"
    _choose(phone, "order.csv", _csv([header, *[list(row.values()) for row in by_row.values()]]))
    expect(phone.locator("[data-order-form-result]")).to_have_text(
        "Put in your cart: styles 2 · units 22. View cart")
    assert _cart(phone) == {
        "SS27-009": [["BLK", "M", 6]],
        "SS27-007": [["NVY", size, 2 * units]
                     for size, units in {"XS": 1, "S": 2, "M": 2, "L": 2, "XL": 1}.items()]}
    # The cards of the styles in the cart say how many units it holds of them.
    expect(phone.locator(".style-card:has(.style-no:text-is('SS27-009')) [data-in-cart]")
           ).to_have_text("In your cart: 6")
    assert phone.locator("[data-in-cart]").count() == 2
    assert serious_violations(phone) == []
    # The same file again gives the same cart (its colours take their place, not add up).
    _choose(phone, "order.csv", _csv([header, *[list(row.values()) for row in by_row.values()]]))
    expect(phone.locator("[data-order-form-result]")).to_contain_text("units 22")
    assert _cart(phone)["SS27-009"] == [["BLK", "M", 6]]
    # The form downloaded now carries the packs; the cart phone quotes what the form put.
    again = {(row["style_no"], row["color"]): row for row in _download(phone)}
    assert again[("SS27-007", "NVY")]["packs"] == "2"
    phone.click("[data-order-form-result] a")
    phone.locator("[data-cart-totals]").wait_for(state="visible")
    # 6 cardigans at ¥16,300 and 2 packs of the tee at ¥68,800
    expect(phone.locator("[data-total=subtotal]")).to_have_text("¥235,400")


def test_a_form_with_problems_changes_nothing_and_names_each_row(shop: Shop, phone: Page) -> None:
    phone.goto(shop.origin + LINESHEET + "SS27-009/")
    fill_grid(phone, {("BLK", "S"): 3})
    phone.goto(shop.origin + LINESHEET)
    phone.locator("[data-order-form]").wait_for(state="visible")
    before = _cart(phone)
    header = ["style_no", "color", "packs", "XS", "S", "M", "L", "XL", "Total"]
    _choose(phone, "order.csv", _csv([
        header,
        ["SS27-999", "BLK", "", "", "1", "", "", "", "1"],       # 2: no such style
        ["SS27-009", "RED", "", "", "1", "", "", "", "1"],       # 3: no such colour
        ["SS27-009", "BLK", "", "", "2.5", "", "", "", ""],      # 4: not a whole number
        ["SS27-001", "BLK", "", "4", "", "", "", "", "4"],       # 5: a sold-out cell
        ["SS27-007", "NVY", "", "1", "1", "1", "1", "1", "5"],   # 6: not whole packs
        ["SS27-009", "SND", "2", "", "", "", "", "", ""],        # 7: packs of a style without
        ["SS27-009", "SND", "", "", "20000", "", "", "", ""],    # 8: over the most a cell takes
        ["ss２７-００９", "snd", "", "", "", "4", "", "", "4"],   # full-width and lower case: fine
        ["", "", "", "", "", "", "", "", "12"],                  # a total row: left alone
    ]))
    result = phone.locator("[data-order-form-result]")
    expect(result).to_contain_text("Nothing was put in your cart.")
    assert result.locator("li").all_inner_texts() == [
        "Row 2: there is no style SS27-999 in this collection.",
        "Row 3: SS27-009 has no colour “RED” (its colours: SND, BLK).",
        "Row 4, column S: “2.5” is not a whole number from 0 to 10,000.",
        "Row 5: SS27-001 in Black, size XS, is sold out.",
        "Row 7: SS27-009 is not sold in packs; type the units of each size instead.",
        "Row 8, column S: “20000” is not a whole number from 0 to 10,000.",
        "Row 6: SS27-007 is sold in packs of XS×1 S×2 M×2 L×2 XL×1; give a whole number of "
        "packs of Navy.",
    ]
    assert _cart(phone) == before
    # An old binary workbook, a damaged one, a stranger's file and an empty form are each
    # refused with why.
    _choose(phone, "order.xls", bytes.fromhex("d0cf11e0a1b11ae1") + bytes(64),
            "application/vnd.ms-excel")
    expect(result).to_have_text("This is an old Excel workbook (.xls): save it as an Excel "
                                "workbook (.xlsx) or as “CSV UTF-8”, then choose that file.")
    _choose(phone, "order.xlsx", b"PK\x03\x04" + bytes(64), XLSX)
    expect(result).to_have_text("The file could not be read. Choose the order form saved as "
                                "CSV or as an Excel workbook (.xlsx).")
    _choose(phone, "list.csv", _csv([["name", "email"], ["Aiko", "aiko@example.com"]]))
    expect(result).to_have_text("The file has no style_no column: start from the order form "
                                "of this page.")
    _choose(phone, "blank.csv", _csv([["style_no", "color", "M"], ["SS27-009", "BLK", ""]]))
    expect(result).to_contain_text("The file holds no quantities")
    assert _cart(phone) == before
    assert serious_violations(phone) == []


def test_a_japanese_excel_file_and_a_confirmation_csv_order_again(shop: Shop,
                                                                    page: Page) -> None:
    page.goto(shop.origin + "/l/ss27-open/ja/jpy/ss27/")
    page.locator("[data-order-form]").wait_for(state="visible")
    # An order confirmation's lines (checkout.js's CSV) as Japanese Excel re-saves them:
    # Shift_JIS, colours by their names only, a packed style's sizes a line each.
    lines = [["order_number", "style_no", "style_name", "color", "color_name", "size", "sku",
              "jan", "quantity", "unit_price", "amount", "currency", "delivery"]]
    names = page.evaluate("""() => Object.fromEntries([...document.querySelectorAll(
        '.style-card')].flatMap((card) => [...card.querySelectorAll('.swatches li')].map((li) =>
        [card.querySelector('.style-no').textContent.trim() + ' ' + li.dataset.color,
         li.textContent.trim()])))""")
    lines.append(["SS27-000042", "SS27-009", "", "", names["SS27-009 SND"], "M", "", "", "4",
                  "16300", "65200", "JPY", ""])
    for size, units in {"XS": 1, "S": 2, "M": 2, "L": 2, "XL": 1}.items():
        lines.append(["SS27-000042", "SS27-007", "", "", names["SS27-007 ECR"], size, "", "",
                       str(units * 3), "8600", "", "JPY", ""])
    _choose(page, "SS27-000042.csv", _csv(lines, "shift_jis"))
    expect(page.locator("[data-order-form-result] a")).to_be_visible()
    assert _cart(page) == {
        "SS27-009": [["SND", "M", 4]],
        "SS27-007": [["ECR", size, 3 * units]
                     for size, units in {"XS": 1, "S": 2, "M": 2, "L": 2, "XL": 1}.items()]}
    # A European Excel's CSV: semicolons; a colour's name typed where its code goes.
    _choose(page, "form.csv", _csv([["style_no", "color", "S"], ["SS27-009",
                                                               names["SS27-009 BLK"], "5"]],
                                   separator=";"))
    expect(page.locator("[data-order-form-result] a")).to_be_visible()
    assert _cart(page)["SS27-009"] == [["SND", "M", 4], ["BLK", "S", 5]]


def test_an_excel_workbook_fills_the_cart(shop: Shop, phone: Page, tmp_path: Path) -> None:
    """The form saved by a spreadsheet program as .xlsx: numbers as numbers, text in shared
    strings or inline, a blank row left out of the file, the rows' numbers kept."""
    phone.goto(shop.origin + LINESHEET)
    phone.locator("[data-order-form]").wait_for(state="visible")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Order form"
    sheet.append(["style_no", "name", "color", "packs", "S", "M", "L"])
    sheet.append(["SS27-009", "Linen Cardigan", "BLK", None, 2, 3, None])
    sheet.append(["ｓｓ２７-００７", None, "NVY", 1, None, None, None])
    sheet.append([])  # a blank row: not written in the file
    sheet.append(["SS27-009", None, "SND", None, None, None, "4"])  # a number typed as text
    book.create_sheet("Notes").append(["style_no", "color", "M"])  # not the first sheet
    path = tmp_path / "order.xlsx"
    book.save(path)
    _choose(phone, "order.xlsx", path.read_bytes(), XLSX)
    expect(phone.locator("[data-order-form-result]")).to_have_text(
        "Put in your cart: styles 2 · units 17. View cart")
    assert _cart(phone) == {
        "SS27-009": [["BLK", "S", 2], ["BLK", "M", 3], ["SND", "L", 4]],
        "SS27-007": [["NVY", size, units]
                     for size, units in {"XS": 1, "S": 2, "M": 2, "L": 2, "XL": 1}.items()]}
    # A problem in a workbook names its row as the spreadsheet program numbers it.
    sheet.cell(row=5, column=7, value=2.5)
    book.save(path)
    _choose(phone, "order.xlsx", path.read_bytes(), XLSX)
    expect(phone.locator("[data-order-form-result] li")).to_have_text(
        "Row 5, column L: “2.5” is not a whole number from 0 to 10,000.")


def _download_workbook(page: Page) -> bytes:
    with page.expect_download() as download:
        page.click("[data-order-form-download]")
    assert download.value.suggested_filename == "ss27-open-ss27-jpy-order-form.xlsx"
    return Path(download.value.path()).read_bytes()


def test_the_order_form_downloads_as_an_excel_workbook(shop: Shop, phone: Page,
                                                       tmp_path: Path) -> None:
    """The workbook a buyer fills: typed cells (numbers as numbers), the cells to type in
    shaded and limited to whole numbers, the others grey, each row's units and the totals
    as formulas, the heading and the style columns frozen, a landscape printout whose first
    row heads every page; filled in and chosen again, it fills the cart."""
    phone.goto(shop.origin + LINESHEET + "SS27-009/")
    fill_grid(phone, {("BLK", "S"): 3})
    phone.goto(shop.origin + LINESHEET)
    phone.locator("[data-order-form]").wait_for(state="visible")
    data = _download_workbook(phone)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None  # every entry's CRC holds
        assert {info.compress_type for info in archive.infolist()} == {zipfile.ZIP_DEFLATED}
    assert _download_workbook(phone) == data  # the same cart, the same bytes
    path = tmp_path / "form.xlsx"
    path.write_bytes(data)
    book = load_workbook(path)
    sheet = book.active
    assert sheet is not None
    assert sheet.title == phone.locator(".season-head h1").inner_text().strip()[:31]
    # Each column's label in the page's language over its name, which is what is read back.
    title = phone.title()
    assert sheet["A1"].value == f"{title} (JPY)" and "ASAGIRI" in title
    labels, header = [cell.value for cell in sheet[2]], [cell.value for cell in sheet[3]]
    sizes = header[len(FORM_COLUMNS):-1]
    assert header[:len(FORM_COLUMNS)] == FORM_COLUMNS and header[-1] == "units"
    assert sizes[:5] == ["XS", "S", "M", "L", "XL"] and "42" in sizes
    assert labels[:4] == ["Style no.", "Style", "Colour", "Colour name"]
    assert labels[len(FORM_COLUMNS):] == [*sizes, "Quantity"]
    assert all(cell.font.b for cell in sheet[2])
    rows = {(row[0].value, row[2].value): row for row in sheet.iter_rows(min_row=4)
            if row[0].value}
    cards = phone.locator(".style-card")
    assert len(rows) == sum(cards.nth(n).locator(".swatches li").count()
                            for n in range(cards.count()))
    at = {name: index for index, name in enumerate(header)}
    letter = {name: get_column_letter(index + 1) for index, name in enumerate(header)}
    cardigan = rows[("SS27-009", "BLK")]
    assert [cardigan[at[name]].value for name in ("name", "color_name", "price", "currency",
                                                   "moq", "multiple", "S", "M", "42")] == [
        "Linen Cardigan", "Black", 16300, "JPY", 1, 1, 3, None, "—"]
    assert cardigan[at["price"]].number_format == "#,##0"
    row = cardigan[0].row
    first, last = letter[sizes[0]], letter[sizes[-1]]
    assert cardigan[at["units"]].value == f"=SUM({first}{row}:{last}{row})"
    # The cells to type in are shaded one way, the ones that take nothing another.
    typed, closed = cardigan[at["S"]].fill.fgColor.rgb, cardigan[at["42"]].fill.fgColor.rgb
    assert typed != closed and cardigan[at["M"]].fill.fgColor.rgb == typed
    assert cardigan[at["packs"]].fill.fgColor.rgb == closed  # not sold in packs
    assert rows[("SS27-001", "BLK")][at["XS"]].value == "Sold out"
    tee = rows[("SS27-007", "NVY")]
    assert tee[at["pack"]].value == "XS×1 S×2 M×2 L×2 XL×1"
    assert tee[at["packs"]].fill.fgColor.rgb == typed
    assert tee[at["M"]].fill.fgColor.rgb == closed
    packs = letter["packs"]
    assert tee[at["units"]].value == f"={packs}{tee[0].row}*8"
    total = sheet[sheet.max_row]
    assert (total[0].value, total[1].value) == (None, "Total")
    units = letter["units"]
    assert total[at["units"]].value == f"=SUM({units}4:{units}{sheet.max_row - 1})"
    assert sheet.freeze_panes == "E4"
    (rule,) = sheet.data_validations.dataValidation
    assert (rule.type, rule.operator, rule.formula1, rule.formula2) == (
        "whole", "between", "0", "10000")
    assert str(rule.sqref) == f"{packs}4:{last}{sheet.max_row - 1}"  # not the totals
    assert rule.error == "Type a whole number from 0 to 10,000."
    assert sheet.print_title_rows == "$1:$3"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.column_dimensions["B"].width > sheet.column_dimensions["C"].width
    # Chosen again as it came, it changes nothing; filled in, its colours take their place.
    _choose(phone, "form.xlsx", data, XLSX)
    expect(phone.locator("[data-order-form-result]")).to_contain_text("units 3.")
    assert _cart(phone) == {"SS27-009": [["BLK", "S", 3]]}
    cardigan[at["S"]].value, cardigan[at["M"]].value = None, 6
    tee[at["packs"]].value = 2
    book.save(path)
    _choose(phone, "form.xlsx", path.read_bytes(), XLSX)
    expect(phone.locator("[data-order-form-result]")).to_contain_text("units 22.")
    assert _cart(phone) == {
        "SS27-009": [["BLK", "M", 6]],
        "SS27-007": [["NVY", size, 2 * units]
                     for size, units in {"XS": 1, "S": 2, "M": 2, "L": 2, "XL": 1}.items()]}
    # A problem names the row as the spreadsheet program numbers it, under the heads.
    cardigan[at["M"]].value = "six"
    book.save(path)
    _choose(phone, "form.xlsx", path.read_bytes(), XLSX)
    expect(phone.locator("[data-order-form-result] li")).to_have_text(
        f"Row {row}, column M: “six” is not a whole number from 0 to 10,000.")
    # On the Japanese page the labels are Japanese; the names under them stay.
    phone.goto(shop.origin + LINESHEET.replace("/en/", "/ja/"))
    phone.locator("[data-order-form]").wait_for(state="visible")
    path.write_bytes(_download_workbook(phone))
    japanese = load_workbook(path).active
    assert japanese is not None
    assert [cell.value for cell in japanese[2]][:2] == ["品番", "スタイル"]
    assert [cell.value for cell in japanese[3]] == header


def test_the_form_is_only_where_the_season_takes_orders(shop: Shop, page: Page) -> None:
    page.goto(shop.origin + "/l/ss27-instagram/en/jpy/ss27/")  # a catalog: no cart
    page.locator("[data-filters] input[name=q]").wait_for(state="visible")
    assert page.locator("[data-order-form], [data-order-form-link]").count() == 0
    # The build took orders; the server says the deadline has passed since: the form goes.
    shop.clock.advance(timedelta(days=3400).total_seconds())  # past 31 January 2036
    page.goto(shop.origin + LINESHEET)
    expect(page.locator("[data-order-form]")).to_be_hidden()
    expect(page.locator("[data-order-form-link]")).to_be_hidden()
    shop.clock.advance(-timedelta(days=3400).total_seconds())
    page.reload()
    page.click("[data-order-form-link]")
    expect(page.locator("[data-order-form]")).to_be_in_viewport()


def test_a_colourway_the_link_leaves_out_is_not_in_its_form(shop: Shop, phone: Page) -> None:
    """The China link shows the tee without its grey: its order form has no grey row, and a
    file that orders the grey is refused, naming the colours the tee has there."""
    phone.goto(shop.origin + "/l/ss27-china/zh-hans/usd/ss27/")
    phone.locator("[data-order-form]").wait_for(state="visible")
    with phone.expect_download() as download:
        phone.click("[data-order-form-download-csv]")
    text = Path(download.value.path()).read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [row["color"] for row in rows if row["style_no"] == "SS27-006"] == ["WHT", "BLK", "SND"]
    _choose(phone, "order.csv", _csv([["style_no", "color", "M"], ["SS27-006", "GRY", "2"]]))
    problem = phone.locator("[data-order-form-result] li")
    expect(problem).to_contain_text("GRY")
    expect(problem).to_contain_text("WHT, BLK, SND")
    assert _cart(phone, "ss27-china", "USD") == {}


def _ods(rows: str) -> bytes:
    """An OpenDocument spreadsheet (.ods) as LibreOffice saves one: a ZIP whose content.xml
    holds the sheet's rows (`rows`: its table-row elements)."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.3">'
        '<office:body><office:spreadsheet><table:table table:name="Order form">'
        f'{rows}</table:table></office:spreadsheet></office:body></office:document-content>')
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet",
                         compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return data.getvalue()


def _row(*cells: str, repeated: int = 1) -> str:
    more = f' table:number-rows-repeated="{repeated}"' if repeated > 1 else ""
    return f"<table:table-row{more}>{''.join(cells)}</table:table-row>"


def _text(value: str) -> str:
    return (f'<table:table-cell office:value-type="string"><text:p>{value}</text:p>'
            "</table:table-cell>")


def _number(value: float, repeated: int = 1) -> str:
    more = f' table:number-columns-repeated="{repeated}"' if repeated > 1 else ""
    return (f'<table:table-cell office:value-type="float" office:value="{value}"{more}>'
            f"<text:p>{value}</text:p></table:table-cell>")


def _empty(repeated: int = 1) -> str:
    return f'<table:table-cell table:number-columns-repeated="{repeated}"/>'


def test_a_libreoffice_spreadsheet_fills_the_cart(shop: Shop, phone: Page) -> None:
    """The form saved as OpenDocument (.ods, LibreOffice's own format): numbers as numbers,
    repeated cells and rows counted as the program numbers them, the empty rows and columns
    it writes to the sheet's edge left out."""
    phone.goto(shop.origin + LINESHEET)
    phone.locator("[data-order-form]").wait_for(state="visible")
    sheet = "".join([
        _row(_text("style_no"), _text("color"), _text("S"), _text("M"), _text("L")),
        _row(_empty(1024), repeated=2),  # rows 2 and 3 left empty
        _row(_text("SS27-009"), _text("BLK"), _number(2, repeated=2), _empty(1021)),
        _row(_text("SS27-009"), _text("SND"), _empty(2), _number(4)),
        _row(_empty(1024), repeated=1048570),  # to the sheet's edge
    ])
    _choose(phone, "order.ods", _ods(sheet), "application/vnd.oasis.opendocument.spreadsheet")
    expect(phone.locator("[data-order-form-result]")).to_contain_text("styles 1 · units 8.")
    assert _cart(phone) == {"SS27-009": [["BLK", "S", 2], ["BLK", "M", 2], ["SND", "L", 4]]}
    # A problem names the row LibreOffice shows it in.
    _choose(phone, "order.ods", _ods(sheet.replace(_number(4), _text("four"))),
            "application/vnd.oasis.opendocument.spreadsheet")
    expect(phone.locator("[data-order-form-result] li")).to_have_text(
        "Row 5, column L: “four” is not a whole number from 0 to 10,000.")
