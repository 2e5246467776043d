"""Spreadsheets for the importer tests, made in the test: XLSX (openpyxl), CSV, and a raw
million-row XLSX written straight into its zip."""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook

# Rows of cells of any type a sheet holds; Any because a header (str) and rows (str, int,
# None …) share one list.
Rows = Sequence[Any]

HEADER = ["style_no", "name_en", "name_ja", "category_en", "category_ja", "color_code",
          "color_name_en", "color_name_ja", "size", "sku", "jan", "rrp_JPY", "wsp_JPY",
          "rrp_USD", "wsp_USD", "moq"]
JA_HEADER = ["品番", "商品名_en", "商品名_ja", "カテゴリ_en", "カテゴリ_ja", "カラー番号",
             "カラー名_en", "カラー名_ja", "サイズ", "SKUコード", "JANコード", "上代_JPY",
             "下代_JPY", "上代(USD)", "下代(USD)", "最小ロット"]


def jan(body: str) -> str:
    """Complete a 12- or 7-digit body into a JAN code with its check digit."""
    weights = (1, 3) if len(body) == 12 else (3, 1)
    total = sum(int(digit) * weights[index % 2] for index, digit in enumerate(body))
    return body + str((10 - total % 10) % 10)


def sku_rows() -> list[list[object]]:
    """One row per SKU: SS27-001 (2 colours × 3 sizes) and SS27-002 (1 × 1)."""
    rows: list[list[object]] = []
    for color, en, ja in (("BLK", "Black", "ブラック"), ("ECR", "Ecru", "エクリュ")):
        for size in ("S", "M", "L"):
            first = not rows
            rows.append(["SS27-001", "Trench coat" if first else None,
                         "トレンチコート" if first else None, "Outerwear" if first else None,
                         "アウター" if first else None, color, en, ja, size,
                         f"SS27-001-{color}-{size}", jan(f"490123456{len(rows):03d}"),
                         48000, 21600, 320, 144, 2 if first else None])
    rows.append(["SS27-002", "Tote", "トート", "Bags", "バッグ", "001", "Natural", "ナチュラル",
                 "One size", "SS27-002-001", jan("490123456100"), 12000, 5400, 80, 36, None])
    return rows


def write_xlsx(
    path: Path, rows: Rows, *, title: str = "Products",
    formats: dict[str, str] | None = None,
) -> Path:
    """Write rows into a one-sheet workbook; `formats` maps a cell ("K2") to a number format."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    for coordinate, number_format in (formats or {}).items():
        sheet[coordinate].number_format = number_format
    workbook.save(path)
    return path


def write_csv(path: Path, rows: Rows, encoding: str = "utf-8") -> Path:
    """Write rows as CSV in an encoding (utf-8-sig for Excel's CSV UTF-8, cp932 for Japanese)."""
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows([["" if cell is None else cell for cell in row]
                                      for row in rows])
    return path


_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/'
        'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
        '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
        '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.worksheet+xml"/></Types>'),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
        'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target='
        '"xl/workbook.xml"/></Relationships>'),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.'
        'org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships"><sheets><sheet name="Products" sheetId="1" r:id='
        '"rId1"/></sheets></workbook>'),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
        'schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target='
        '"worksheets/sheet1.xml"/></Relationships>'),
}


def write_full_xlsx(path: Path, rows: int = 1_048_576) -> Path:
    """Write an XLSX whose sheet fills every row Excel has, fast: XML straight into the zip."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, text in _PARTS.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://'
                        b'schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref='
                        b'"A1:C%d"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
                        b'style_no</t></is></c><c r="B1" t="inlineStr"><is><t>color</t></is>'
                        b'</c><c r="C1" t="inlineStr"><is><t>size</t></is></c></row>' % rows)
            chunk: list[bytes] = []
            for number in range(2, rows + 1):
                chunk.append(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>'
                             % (number, number, number))
                if len(chunk) == 20_000:
                    sheet.write(b"".join(chunk))
                    chunk.clear()
            sheet.write(b"".join(chunk) + b"</sheetData></worksheet>")
    return path
