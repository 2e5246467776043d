"""`linesheets import` of sheets laid out for people: a title above the header, and cells
merged over a style's rows."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from generator.errors import SheetError, SheetProblem
from generator.importer import _layout as layout_module
from generator.importer import _read as read
from generator.importer import import_products
from tests.unit.conftest import ContentDir
from tests.unit.sheets import HEADER, Rows, sku_rows, write_csv, write_xlsx

PRODUCTS = "seasons/ss27/products.yaml"
TITLE = ["ASAGIRI — SS27 wholesale price list"]
DATED = ["Prices without tax", None, None, "2026-11-01"]


def _products(content: ContentDir) -> str:
    return (content.root / PRODUCTS).read_text(encoding="utf-8")


def _plain(content: ContentDir, tmp_path: Path) -> str:
    """The products file an import of the plain one-row-per-SKU sheet writes."""
    import_products(write_xlsx(tmp_path / "plain.xlsx", [HEADER, *sku_rows()]), content.root,
                    "ss27")
    return _products(content)


@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_title_rows_above_the_header_are_skipped_and_reported(
    content: ContentDir, tmp_path: Path, suffix: str
) -> None:
    expected = _plain(content, tmp_path)
    rows = [TITLE, DATED, [], HEADER, *sku_rows()]
    sheet = (write_xlsx(tmp_path / "titled.xlsx", rows) if suffix == "xlsx"
             else write_csv(tmp_path / "titled.csv", rows))
    report = import_products(sheet, content.root, "ss27")
    assert (report.header_row, report.title_rows) == (4, (1, 2))
    assert "header: row 4; rows 1, 2 above it skipped as a title" in report.summary()
    assert _products(content) == expected  # the same styles as the sheet without a title


def test_a_title_naming_one_column_is_still_a_title(content: ContentDir, tmp_path: Path) -> None:
    # "Style" alone is a style-number header; a header names the colour or the size too.
    sheet = write_xlsx(tmp_path / "p.xlsx", [["Style", "SS27 order form"], HEADER, *sku_rows()])
    report = import_products(sheet, content.root, "ss27")
    assert (report.header_row, report.title_rows) == (2, (1,))


def test_a_sheet_without_a_header_near_the_top_names_what_its_first_row_lacks(
    content: ContentDir, tmp_path: Path
) -> None:
    rows = [TITLE, *[[f"note {n}"] for n in range(10)], HEADER, *sku_rows()]
    before = _products(content)
    with pytest.raises(SheetError) as raised:
        import_products(write_xlsx(tmp_path / "p.xlsx", rows), content.root, "ss27")
    messages = [problem.message for problem in raised.value.problems]
    assert any("required column 'style_no' (品番) is missing" in message
               for message in messages), messages
    assert all(isinstance(problem, SheetProblem) and problem.row == 1
               for problem in raised.value.problems if "required column" in problem.message)
    assert _products(content) == before  # nothing written


def _products_sheet(rows: Rows = ()) -> tuple[Workbook, Worksheet]:
    """A workbook whose one sheet, Products, holds `rows`, for a test to shape further."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Products"
    for row in rows:
        sheet.append(list(row))
    return workbook, sheet


def _merged_sheet(path: Path, *, title: bool = False) -> Path:
    """The SKU rows with each style's own fields given once and merged down over its rows, a
    title merged across the top, and blank rows a merge runs on into."""
    workbook, sheet = _products_sheet()
    top = 1
    if title:
        sheet.append(TITLE)
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
        top = 2
    sheet.append(HEADER)
    rows = sku_rows()
    style_columns = [0, 1, 2, 3, 4, 11, 12, 13, 14, 15]  # style_no, names, categories,
    # prices, MOQ; colour names are merged over a colour's rows
    first = top + 1
    for index, row in enumerate(rows):
        same_style = index and row[0] == rows[index - 1][0]
        same_color = same_style and row[5] == rows[index - 1][5]
        sheet.append([None if (same_style and column in style_columns)
                      or (same_color and column in (6, 7)) else value
                      for column, value in enumerate(row)])
    coat = first + 5  # SS27-001: 6 rows; the tote's one row has nothing to merge
    for column in style_columns:
        sheet.merge_cells(start_row=first, start_column=column + 1, end_row=coat,
                          end_column=column + 1)
    for start in (first, first + 3):  # BLK, ECR: 3 sizes each
        for column in (6, 7):
            sheet.merge_cells(start_row=start, start_column=column + 1, end_row=start + 2,
                              end_column=column + 1)
    # A category merged over the tote's row and three blank rows below it.
    tote = coat + 1
    sheet.merge_cells(start_row=tote, start_column=4, end_row=tote + 3, end_column=4)
    workbook.save(path)
    return path


def test_cells_merged_over_a_styles_rows_belong_to_each_row(
    content: ContentDir, tmp_path: Path
) -> None:
    expected = _plain(content, tmp_path)
    report = import_products(_merged_sheet(tmp_path / "merged.xlsx", title=True), content.root,
                             "ss27")
    assert not report.written  # the file already says exactly this
    assert report.title_rows == (1,)
    assert _products(content) == expected


def test_merged_ranges_are_found_across_the_reading_chunks(
    content: ContentDir, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = _plain(content, tmp_path)
    monkeypatch.setattr(layout_module, "_CHUNK", 7)  # every range is cut by a chunk's end
    import_products(_merged_sheet(tmp_path / "merged.xlsx"), content.root, "ss27")
    assert _products(content) == expected


def test_without_the_merges_the_rows_below_lack_their_style(
    content: ContentDir, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The check above is not vacuous: unmerged, the same cells are missing values.
    layout = layout_module.read_layout
    monkeypatch.setattr(read, "read_layout", lambda path, title: layout_module.Layout(
        {}, layout(path, title).hidden))
    with pytest.raises(SheetError) as raised:
        import_products(_merged_sheet(tmp_path / "merged.xlsx"), content.root, "ss27")
    assert any(isinstance(problem, SheetProblem) and problem.row == 3
               for problem in raised.value.problems)


def _relocated(source: Path, path: Path) -> Path:
    """`source` with its one worksheet moved to xl/sheets/products.xml, named by an absolute
    target as some writers do: only the package's relationships say where it is."""
    with zipfile.ZipFile(source) as before, zipfile.ZipFile(path, "w") as after:
        for item in before.infolist():
            data = before.read(item)
            name = item.filename
            if name == "xl/worksheets/sheet1.xml":
                name = "xl/sheets/products.xml"
            elif name in ("xl/_rels/workbook.xml.rels", "[Content_Types].xml"):
                data = (data.replace(b'Target="/xl/worksheets/sheet1.xml"',
                                     b'Target="/xl/sheets/products.xml"')
                        .replace(b'Target="worksheets/sheet1.xml"',
                                 b'Target="/xl/sheets/products.xml"')
                        .replace(b'PartName="/xl/worksheets/sheet1.xml"',
                                 b'PartName="/xl/sheets/products.xml"'))
            after.writestr(name, data)
    return path


def test_merges_are_read_from_the_part_the_package_names(
    content: ContentDir, tmp_path: Path
) -> None:
    expected = _plain(content, tmp_path)
    moved = _relocated(_merged_sheet(tmp_path / "merged.xlsx"), tmp_path / "moved.xlsx")
    with zipfile.ZipFile(moved) as package:
        assert "xl/sheets/products.xml" in package.namelist()
        assert "xl/worksheets/sheet1.xml" not in package.namelist()
    assert 2 in layout_module.read_layout(moved, "Products").merged  # the first style's rows
    import_products(moved, content.root, "ss27")
    assert _products(content) == expected


def test_a_package_that_does_not_lead_to_the_sheet_is_refused(tmp_path: Path) -> None:
    merged = _merged_sheet(tmp_path / "merged.xlsx")
    with pytest.raises(layout_module.PartError, match="no sheet named 'Cover'"):
        layout_module.read_layout(merged, "Cover")
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(merged) as before, zipfile.ZipFile(broken, "w") as after:
        for item in before.infolist():
            if item.filename != "xl/_rels/workbook.xml.rels":
                after.writestr(item, before.read(item))
    missing = re.escape("no part 'xl/_rels/workbook.xml.rels'")
    with pytest.raises(layout_module.PartError, match=missing):
        layout_module.read_layout(broken, "Products")


@pytest.mark.parametrize(("source", "target", "part"), [
    ("xl/workbook.xml", "worksheets/sheet1.xml", "xl/worksheets/sheet1.xml"),
    ("xl/workbook.xml", "/xl/worksheets/sheet1.xml", "xl/worksheets/sheet1.xml"),
    ("xl/workbook.xml", "../sheets/s.xml", "sheets/s.xml"),
    ("", "xl/workbook.xml", "xl/workbook.xml"),
])
def test_relationship_targets_resolve_as_the_packaging_conventions_say(
    source: str, target: str, part: str
) -> None:
    assert layout_module._resolve(source, target) == part


def _workbook(path: Path, sheets: dict[str, Rows]) -> Path:
    workbook = Workbook()
    first = workbook.active
    assert first is not None
    workbook.remove(first)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def test_the_sheet_with_products_is_read_beside_a_cover_and_a_size_chart(
    content: ContentDir, tmp_path: Path
) -> None:
    expected = _plain(content, tmp_path)
    sheets: dict[str, Rows] = {
        "Cover": [TITLE, ["Season", "SS27"], ["Style", "see the next sheet"]],
        "SS27": [TITLE, HEADER, *sku_rows()],
        "Size chart": [["size", "chest", "length"], ["S", 96, 70]]}
    report = import_products(_workbook(tmp_path / "book.xlsx", sheets), content.root, "ss27")
    assert not report.written and _products(content) == expected
    assert report.title_rows == (1,)


def test_products_on_several_sheets_are_refused_not_read_in_part(
    content: ContentDir, tmp_path: Path
) -> None:
    before = _products(content)
    rows = sku_rows()
    sheets: dict[str, Rows] = {"Outerwear": [HEADER, *rows[:6]],
                               "Notes": [["Deliveries from March"]],
                               "Bags": [TITLE, HEADER, *rows[6:]]}
    with pytest.raises(SheetError) as raised:
        import_products(_workbook(tmp_path / "book.xlsx", sheets), content.root, "ss27")
    assert [problem.message for problem in raised.value.problems] == [
        "products are on 2 sheets ('Outerwear', 'Bags'), and an import reads one: it makes the "
        "season's products the sheet's, so the others' would be removed. Put them all on one "
        "sheet named Products (or 商品), which is the one read"]
    assert _products(content) == before
    # Named Products, one of them is the sheet: the brand's choice.
    sheets["Products"] = sheets.pop("Outerwear")
    report = import_products(_workbook(tmp_path / "named.xlsx", sheets), content.root, "ss27")
    assert report.source == "named.xlsx" and report.written


@pytest.mark.parametrize("chunk", [layout_module._CHUNK, 7])
def test_rows_the_sheet_hides_are_left_out_and_named(
    content: ContentDir, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    expected = _plain(content, tmp_path)
    monkeypatch.setattr(layout_module, "_CHUNK", chunk)  # 7: every row tag is cut by a chunk's end
    dropped = ["SS27-003", "Old coat", "古いコート", "Outerwear", "アウター", "BLK", "Black",
               "ブラック", "M", "SS27-003-BLK-M", None, 30000, 13500, 200, 90, None]
    rows: list[Any] = [HEADER, *sku_rows()]
    rows.insert(3, dropped)  # row 4, between SS27-001's rows
    rows.append([*dropped[:8], "L", "SS27-003-BLK-L", *dropped[10:]])  # the last row
    workbook, sheet = _products_sheet(rows)
    for number in (4, len(rows)):
        sheet.row_dimensions[number].hidden = True
    workbook.save(tmp_path / "filtered.xlsx")
    report = import_products(tmp_path / "filtered.xlsx", content.root, "ss27")
    assert report.hidden_rows == (4, len(rows))
    assert (f"hidden: rows 4, {len(rows)} left out, as the sheet hides them (a filter or an "
            "outline); unhide them to import them") in report.summary()
    assert not report.written and _products(content) == expected


def _two_row_header() -> tuple[list[Any], list[Any], list[list[Any]]]:
    """The sample's columns with the prices under 上代 and 下代, a currency under each."""
    top = [*HEADER[:11], "上代（税抜）", None, "下代", None, HEADER[15]]
    below = [None] * 11 + ["JPY", "USD", "JPY", "USD", None]
    rows = [[*row[:11], row[11], row[13], row[12], row[14], *row[15:]] for row in sku_rows()]
    return top, below, rows


def test_price_lists_over_a_row_of_currencies_read_as_one_header(
    content: ContentDir, tmp_path: Path
) -> None:
    expected = _plain(content, tmp_path)
    top, below, rows = _two_row_header()
    workbook, sheet = _products_sheet([top, below, *rows])
    sheet.merge_cells("L1:M1")
    sheet.merge_cells("N1:O1")
    for letter in "ABCDEFGHIJKP":  # the other headers span both rows
        sheet.merge_cells(f"{letter}1:{letter}2")
    workbook.save(tmp_path / "two-rows.xlsx")
    report = import_products(tmp_path / "two-rows.xlsx", content.root, "ss27")
    assert not report.written and _products(content) == expected
    # The same in CSV, the price list written once before its currencies' columns.
    import_products(write_csv(tmp_path / "two-rows.csv", [top, below, *rows]), content.root,
                    "ss27")
    assert _products(content) == expected


def test_a_row_under_the_header_with_more_than_currencies_is_data(
    content: ContentDir, tmp_path: Path
) -> None:
    top, below, rows = _two_row_header()
    below[0] = "SS27-001"  # a style number: a data row, and the prices name no currency
    with pytest.raises(SheetError) as raised:
        import_products(write_csv(tmp_path / "p.csv", [top, below, *rows]), content.root,
                        "ss27")
    assert any("names no currency, and the brand has several" in problem.message
               for problem in raised.value.problems)
