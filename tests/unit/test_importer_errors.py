"""`linesheets import` refusals: every problem of every row at once, located; nothing written."""

from __future__ import annotations

import time
import zipfile
from pathlib import Path

import pytest

from generator.errors import ContentError, LinesheetsError, SheetError
from generator.importer import import_products
from tests.unit.conftest import ContentDir
from tests.unit.sheets import HEADER, sku_rows, write_csv, write_full_xlsx, write_xlsx

PRODUCTS = "seasons/ss27/products.yaml"


def _refusal(content: ContentDir, sheet: Path, row_limit: int = 100_000) -> list[str]:
    """Import a sheet that must be refused; check nothing was written; return the problems."""
    products = content.root / PRODUCTS
    before = products.read_bytes() if products.exists() else None
    with pytest.raises(SheetError) as caught:
        import_products(sheet, content.root, "ss27", row_limit=row_limit)
    assert (products.read_bytes() if products.exists() else None) == before
    assert not list((content.root / "seasons/ss27").glob(".*.tmp"))
    return [str(problem) for problem in caught.value.problems]


def test_every_row_problem_is_reported_at_once_with_its_cell(
    content: ContentDir, tmp_path: Path
) -> None:
    rows = sku_rows()
    rows[1][11] = "abc"  # row 3: not a price
    rows[2][13] = -320  # row 4: negative
    rows[3][1] = "Trench"  # row 5: contradicts row 2
    rows[4][9] = "SS27-001-BLK-S"  # row 6: duplicate SKU code
    rows.append(list(rows[6]))  # row 9: the tote's only SKU again (its codes too)
    assert _refusal(content, write_xlsx(tmp_path / "products.xlsx", [HEADER, *rows])) == [
        "products.xlsx, sheet Products, row 3, column rrp_JPY: 'abc' is not a price; write a "
        "number such as 12000 or 144.50",
        "products.xlsx, sheet Products, row 4, column rrp_USD: '-320' is a negative price; "
        "prices are positive amounts",
        "products.xlsx, sheet Products, row 5, column name_en: style 'SS27-001' has name_en "
        "'Trench coat' in row 2, and 'Trench' here; a style's fields come from its first row, "
        "so make the rows agree or leave this cell empty",
        "products.xlsx, sheet Products, row 6, column sku: SKU 'SS27-001-BLK-S' is already in "
        "row 2 (SS27-001 BLK S); each SKU code names one colour and size",
        "products.xlsx, sheet Products, row 9, column size: style 'SS27-002' colour '001' size "
        "'One size' is already in row 8; give each colour and size one row",
    ]


def test_a_style_whose_rows_disagree_on_price_and_colour_name(
    content: ContentDir, tmp_path: Path
) -> None:
    rows = sku_rows()
    rows[4][12] = 21000
    rows[5][6] = "Off-white"
    assert _refusal(content, write_csv(tmp_path / "p.csv", [HEADER, *rows])) == [
        "p.csv, row 6, column wsp_JPY: style 'SS27-001' size 'M' has wsp_JPY '21600' in row "
        "3, and '21000' here; a size has one price in every colour, so make the rows agree or "
        "leave this cell empty",
        "p.csv, row 7, column color_name_en: colour 'ECR' of style 'SS27-001' has "
        "color_name_en 'Ecru' in row 5, and 'Off-white' here; a style's fields come from its "
        "first row, so make the rows agree or leave this cell empty",
    ]


def test_missing_required_column(content: ContentDir, tmp_path: Path) -> None:
    header = [name if name != "size" else "sise" for name in HEADER]
    assert _refusal(content, write_xlsx(tmp_path / "p.xlsx", [header, *sku_rows()])) == [
        "p.xlsx, sheet Products, row 1: required column 'size' (サイズ) is missing; add it to "
        "the header row",
        "p.xlsx, sheet Products, row 1, column sise: unknown column; did you mean 'size'? The "
        "columns are listed in docs/import.md and in the template (`linesheets import "
        "--template`); start a header with # to have a column skipped",
    ]


def test_unknown_currency_column_is_reported_with_the_rows_problems(
    content: ContentDir, tmp_path: Path
) -> None:
    rows = [[*row, 100] for row in sku_rows()]
    rows[0][11] = "48000円"  # accepted: a yen sign
    rows[1][12] = "21,60"  # a decimal comma is not a thousands separator
    problems = _refusal(content, write_xlsx(tmp_path / "p.xlsx", [[*HEADER, "rrp_GBP"], *rows]))
    assert problems == [
        "p.xlsx, sheet Products, row 1, column rrp_GBP: currency 'GBP' is not one of the "
        "brand's (JPY, USD); add it to brand.yaml or remove the column",
        "p.xlsx, sheet Products, row 3, column wsp_JPY: '21,60' is not a price; write a number "
        "such as 12000 or 144.50 (write the decimal point as '.')",
    ]


@pytest.mark.parametrize(("header", "message"), [
    ("colr_name_ja", "unknown column; did you mean 'color_name_ja'?"),
    ("rrp_JYP", "currency 'JYP' is not one of the brand's (JPY, USD); add it to brand.yaml or "
                "remove the column"),
    ("name_fr", "'fr' is not one of the brand's languages (en, ja); add it to brand.yaml or "
                "remove the column"),
    ("上代", "names no currency, and the brand has several; write one column per currency: "
            "上代_JPY, 上代_USD"),
    ("上代(税込)_JPY", "prices are imported without tax: the pages add the tax of brand.yaml; "
                     "give prices without tax (税抜)"),
    ("fob_USD", None),  # a term the brand has: accepted
    ("wsp_JPY", "repeats column 'wsp_JPY'; keep one of them"),
])
def test_header_problems(
    content: ContentDir, tmp_path: Path, header: str, message: str | None
) -> None:
    rows = [[*row, None] for row in sku_rows()]
    sheet = write_xlsx(tmp_path / "p.xlsx", [[*HEADER, header], *rows])
    if message is None:
        import_products(sheet, content.root, "ss27")
        return
    problems = _refusal(content, sheet)
    assert len(problems) == 1
    assert problems[0].startswith(f"p.xlsx, sheet Products, row 1, column {header}: {message}")


def test_one_text_for_every_language_and_per_language_columns_do_not_mix(
    content: ContentDir, tmp_path: Path
) -> None:
    rows = [[*row, row[1]] for row in sku_rows()]
    problems = _refusal(content, write_xlsx(tmp_path / "p.xlsx", [[*HEADER, "name"], *rows]))
    assert problems == [
        "p.xlsx, sheet Products, row 1, column name: gives the name for every language, and "
        "'name_en' gives it for en; keep either this one column or one column per language"]


@pytest.mark.parametrize("kind", ["xlsx", "csv", "header only"])
def test_empty_sheet(content: ContentDir, tmp_path: Path, kind: str) -> None:
    if kind == "xlsx":
        expected = "p.xlsx, sheet Products: sheet Products is empty; the first row names the "
        sheet = write_xlsx(tmp_path / "p.xlsx", [])
    elif kind == "csv":
        expected = "p.csv: the file is empty; the first row names the columns"
        sheet = write_csv(tmp_path / "p.csv", [[], [None, None]])
    else:
        expected = ("p.xlsx, sheet Products, row 1: no products below the header row; fill in "
                    "at least one row")
        sheet = write_xlsx(tmp_path / "p.xlsx", [HEADER])
    [problem] = _refusal(content, sheet)
    assert problem.startswith(expected)


def test_formula_and_date_cells_are_refused(content: ContentDir, tmp_path: Path) -> None:
    rows = sku_rows()
    rows[0][12] = "=L2*0.45"
    rows[1][8] = __import__("datetime").datetime(2027, 3, 4)  # "3-4" typed, Excel made a date
    problems = _refusal(content, write_xlsx(tmp_path / "p.xlsx", [HEADER, *rows]))
    assert problems == [
        "p.xlsx, sheet Products, row 2, column wsp_JPY: '=L2*0.45' is a formula, and the "
        "import reads values only; copy the column and paste it back as values (Paste Special "
        "→ Values)",
        "p.xlsx, sheet Products, row 3, column size: '2027-03-04' is a date: Excel turned what "
        "was typed into a date; format the column as Text and type the value again",
    ]


def test_cell_values_that_are_not_codes(content: ContentDir, tmp_path: Path) -> None:
    rows = sku_rows()
    rows[0][5] = "ブラック"
    rows[1][8] = "S/M"
    rows[2][10] = "4901234567890"
    rows[3][15] = "0"
    rows[6][9] = "SKU*1"
    problems = _refusal(content, write_xlsx(tmp_path / "p.xlsx", [HEADER, *rows]))
    assert [problem.split(": ", 1)[0].rsplit(", ", 1)[-1] for problem in problems] == [
        "column color_code", "column size", "column jan", "column moq", "column sku"]
    assert "'ブラック' is not a colour code" in problems[0]
    assert "'4901234567890' fails the JAN check digit" in problems[2]


def test_one_row_per_style_rules(content: ContentDir, tmp_path: Path) -> None:
    header = ["style_no", "name", "category", "colors", "color_name", "sizes", "sku",
              "wsp_JPY", "wsp_USD", "rrp_JPY"]
    rows = [["SS27-001", "Coat", "Outer", "BLK, NVY", "Black", "S, M", "X-1", 1, 1, 2],
            ["SS27-002", "Tote", "Bags", "001, 001", None, "One size", None, 1, 1, 2]]
    assert _refusal(content, write_xlsx(tmp_path / "p.xlsx", [header, *rows])) == [
        "p.xlsx, sheet Products, row 2, column color_name: 'Black' gives 1 colour names for 2 "
        "colours (BLK, NVY); give one name per colour, in the same order",
        "p.xlsx, sheet Products, row 2, column sku: 'X-1' would belong to 2 colours × 2 sizes; "
        "a sku belongs to one colour and size, so give one row per SKU",
        "p.xlsx, sheet Products, row 3, column colors: colour '001' is listed twice in '001, "
        "001'; list each colour once",
    ]


def test_catalog_problems_are_located_at_the_style_row(
    content: ContentDir, tmp_path: Path
) -> None:
    header = [name for name in HEADER if name != "wsp_USD"]
    rows = [[cell for name, cell in zip(HEADER, row, strict=True) if name != "wsp_USD"]
            for row in sku_rows()]
    (content.root / PRODUCTS).unlink()  # a first import: nothing to keep from the file
    rows[0][1] = None  # the coat's English name: the default language is needed
    problems = _refusal(content, write_xlsx(tmp_path / "p.xlsx", [header, *rows]))
    # The coat's own problem, and the styles that validated checked against the links at
    # once (not in a second round), each at its row.
    assert problems == [
        "p.xlsx, sheet Products, row 2, column name_ja: no 'en' text; the default language is "
        "the fallback for the others, so it must be given",
        "p.xlsx, sheet Products, row 8: style 'SS27-002' has no USD 'wsp' price, which link "
        "open needs; fill its wsp_USD column (or write prices.USD.wsp in products.yaml)",
    ]
    rows[0][1] = "Coat"
    problems = _refusal(content, write_xlsx(tmp_path / "p.xlsx", [header, *rows]))
    assert problems == [
        "p.xlsx, sheet Products, row 2: style 'SS27-001' has no USD 'wsp' price, which link "
        "open needs; fill its wsp_USD column (or write prices.USD.wsp in products.yaml)",
        "p.xlsx, sheet Products, row 8: style 'SS27-002' has no USD 'wsp' price, which link "
        "open needs; fill its wsp_USD column (or write prices.USD.wsp in products.yaml)",
    ]


def test_a_new_style_needs_name_category_and_a_price(
    content: ContentDir, tmp_path: Path
) -> None:
    header = ["style_no", "color", "size", "rrp_JPY"]
    rows = [["SS27-001", "BLK", "S", 1], ["SS27-003", "BLK", "S", None]]
    problems = _refusal(content, write_xlsx(tmp_path / "p.xlsx", [header, *rows]))
    assert problems == [
        "p.xlsx, sheet Products, row 3: style 'SS27-003' has no category; fill a category "
        "column (category, カテゴリ …) on one of its rows, or write it in products.yaml",
        "p.xlsx, sheet Products, row 3: style 'SS27-003' has no name; fill a name column "
        "(name_en, 商品名 …) on one of its rows, or write it in products.yaml",
        "p.xlsx, sheet Products, row 3: style 'SS27-003' has no prices; fill at least one "
        "price column (rrp_JPY, 上代_JPY …), or write it in products.yaml",
    ]


def test_dropping_a_style_a_lookbook_shows_names_the_lookbook(
    content: ContentDir, tmp_path: Path
) -> None:
    rows = [row for row in sku_rows() if row[0] == "SS27-002"]
    problems = _refusal(content, write_xlsx(tmp_path / "p.xlsx", [HEADER, *rows]))
    assert problems == ["content/lookbooks/ss27.yaml:4: pages[0].styles[0]: style 'SS27-001' is "
                        "not in season 'ss27'"]


def test_full_xlsx_is_cut_off_at_the_row_limit(content: ContentDir, tmp_path: Path) -> None:
    sheet = write_full_xlsx(tmp_path / "full.xlsx")
    started = time.perf_counter()
    [problem] = _refusal(content, sheet, row_limit=2_000)
    assert time.perf_counter() - started < 10  # read lazily: the million rows are never read
    assert problem == (
        "full.xlsx, sheet Products, row 2002: the sheet goes on past 2,000 rows below the "
        "header, the most one import reads; nothing was imported. Split the products into "
        "several files, or delete the empty rows below your data (Excel can keep a million "
        "formatted, empty rows)")


def test_full_csv_is_cut_off_at_the_default_row_limit(
    content: ContentDir, tmp_path: Path
) -> None:
    sheet = tmp_path / "full.csv"
    with sheet.open("w", encoding="utf-8") as handle:
        handle.write("style_no,color,size\n")
        handle.writelines(f"S-{number},BLK,M\n" for number in range(2, 1_048_577))
    [problem] = _refusal(content, sheet)
    assert problem.startswith("full.csv, row 100002: the sheet goes on past 100,000 rows")


@pytest.mark.parametrize(("name", "data", "message"), [
    ("p.xls", b"\xd0\xcf", "p.xls: is an Excel 97–2003 workbook; open it in Excel and save it "
                            "as .xlsx (Excel Workbook) or as CSV UTF-8"),
    ("p.xlsx", b"not a zip", "p.xlsx: not a readable XLSX file (File is not a zip file); open "
                             "it in Excel and save it again as .xlsx"),
    ("p.csv", "style_no\n".encode("utf-16"), "p.csv: the file is UTF-16 text (Excel's "
                                             "\"Unicode text\"); save it as CSV UTF-8"),
    ("p.csv", b"style_no\n\x81\x20\n", "p.csv: the file is neither UTF-8 nor Shift_JIS "
                                           "text; save it as CSV UTF-8"),
    ("p.pdf", b"%PDF", "p.pdf: '.pdf' files cannot be imported; save the sheet as .xlsx or "
                       ".csv"),
])
def test_unreadable_files(
    content: ContentDir, tmp_path: Path, name: str, data: bytes, message: str
) -> None:
    (tmp_path / name).write_bytes(data)
    assert _refusal(content, tmp_path / name) == [message]


_SHEET = "xl/worksheets/sheet1.xml"
_MISSING_STRING = (b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                   b'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>999</v>'
                   b'</c></row></sheetData></worksheet>')


@pytest.mark.parametrize(("part", "data"), [
    ("xl/workbook.xml", b"<garbage"),  # broken XML where openpyxl opens the workbook
    ("xl/styles.xml", b"<garbage"),
    (_SHEET, _MISSING_STRING),  # a cell naming a shared string that is not there
])
def test_a_damaged_workbook_is_named_not_a_traceback(
    content: ContentDir, tmp_path: Path, part: str, data: bytes
) -> None:
    sound = write_xlsx(tmp_path / "sound.xlsx", [HEADER, *sku_rows()])
    damaged = tmp_path / "p.xlsx"
    with zipfile.ZipFile(sound) as source, zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            target.writestr(item.filename, data if item.filename == part
                            else source.read(item.filename))
    assert _refusal(content, damaged) == ["p.xlsx: not a readable XLSX file (a part of it is "
                                          "damaged); open it in Excel and save it again as "
                                          ".xlsx"]


def test_a_folder_given_as_the_sheet_is_named_as_one(content: ContentDir,
                                                     tmp_path: Path) -> None:
    (tmp_path / "d.csv").mkdir()
    assert _refusal(content, tmp_path / "d.csv") == [
        f"d.csv: {(tmp_path / 'd.csv').as_posix()} is a folder; give the sheet's file"]


def test_unknown_season_and_unreadable_products_file(
    content: ContentDir, tmp_path: Path
) -> None:
    sheet = write_xlsx(tmp_path / "p.xlsx", [HEADER, *sku_rows()])
    with pytest.raises(LinesheetsError, match=r"season 'ss28' not found: .*one of: ss27"):
        import_products(sheet, content.root, "ss28")
    content.write(PRODUCTS, "styles: [\n")
    with pytest.raises(ContentError) as caught:
        import_products(sheet, content.root, "ss27")
    assert "so it must be able to read it" in str(caught.value)
    assert (content.root / PRODUCTS).read_text(encoding="utf-8") == "styles: [\n"


def test_model_problems_come_with_the_row_problems(content: ContentDir, tmp_path: Path) -> None:
    (content.root / PRODUCTS).unlink()
    rows = sku_rows()
    rows[0][11] = "abc"  # the coat: a row problem
    rows[6][1] = None  # the tote: no English name, which only the model sees
    assert _refusal(content, write_xlsx(tmp_path / "p.xlsx", [HEADER, *rows])) == [
        "p.xlsx, sheet Products, row 2, column rrp_JPY: 'abc' is not a price; write a number "
        "such as 12000 or 144.50",
        "p.xlsx, sheet Products, row 8, column name_ja: no 'en' text; the default language is "
        "the fallback for the others, so it must be given",
    ]


def test_a_delivery_that_is_not_a_window_of_real_days(content: ContentDir,
                                                     tmp_path: Path) -> None:
    rows = [[*row, None] for row in sku_rows()]
    rows[0][-1] = "2027-05-15 – 2027-04-15"
    rows[6][-1] = "2027-02-30"
    rows[2][8] = __import__("datetime").datetime(2027, 3, 4)  # a day: still refused as a size
    assert _refusal(content, write_xlsx(tmp_path / "p.xlsx", [[*HEADER, "delivery"], *rows])) == [
        "p.xlsx, sheet Products, row 2, column delivery: the delivery '2027-05-15 – "
        "2027-04-15' ends before it starts; write its first day first",
        "p.xlsx, sheet Products, row 4, column size: '2027-03-04' is a date: Excel turned what "
        "was typed into a date; format the column as Text and type the value again",
        "p.xlsx, sheet Products, row 8, column delivery: '2027-02-30' is not a real day; write "
        "the delivery as two days, e.g. 2027-04-15 – 2027-05-15, or as text (Apr 2027)",
    ]
