"""Import benchmark: `linesheets import` of a generated 5,000-SKU XLSX (one row per SKU) into a
scratch content tree, first import and re-import, plus the same rows as CSV and the XLSX read
alone. Run with the others by `make bench`, or alone with `python -m bench.importer`."""

from __future__ import annotations

import csv
import re
import tempfile
import textwrap
import zipfile
from pathlib import Path

from openpyxl import Workbook

from bench import Result, best_of
from generator.catalog import load_catalog
from generator.importer import import_products
from generator.importer._read import open_sheet

STYLES, COLORS, SIZES = 250, ("BLK", "NVY", "ECR", "OLV"), ("XS", "S", "M", "L", "XL")
SKUS = STYLES * len(COLORS) * len(SIZES)  # 5,000
REPEATS = 3
TARGET_SECONDS = 5.0  # the target for the 5,000-SKU XLSX
HEADER = ["style_no", "name_en", "name_ja", "category_en", "category_ja", "color_code",
          "color_name_en", "color_name_ja", "size", "sku", "jan", "rrp_JPY", "wsp_JPY",
          "rrp_USD", "wsp_USD", "rrp_EUR", "wsp_EUR", "moq", "composition_en",
          "composition_ja", "origin_en", "origin_ja"]
_COLOR_NAMES = {"BLK": ("Black", "ブラック"), "NVY": ("Navy", "ネイビー"),
                "ECR": ("Ecru", "エクリュ"), "OLV": ("Olive", "オリーブ")}
_CONTENT = {
    "brand.yaml": """
        name: Bench Atelier
        default_language: en
        languages: [en, ja]
        currencies: [JPY, USD, EUR]
        timezone: Asia/Tokyo
        base_url: https://example.com
        """,
    "seasons/ss27/season.yaml": """
        name: {en: Spring Summer 2027, ja: 2027年春夏}
        order_deadline: 2027-01-31T18:00:00
        """,
    "links/open.yaml": """
        kind: instant
        name: SS27
        season: ss27
        transaction: {term: wsp}
        """,
}


def _jan(number: int) -> str:
    body = f"490{number:09d}"
    total = sum(int(digit) * (1, 3)[index % 2] for index, digit in enumerate(body))
    return body + str((10 - total % 10) % 10)


def _rows() -> list[list[object]]:
    """One row per SKU; a style's fields on every row, as exported by most systems."""
    rows: list[list[object]] = []
    for style in range(1, STYLES + 1):
        rrp = 8000 + style * 100
        for color in COLORS:
            english, japanese = _COLOR_NAMES[color]
            for size in SIZES:
                style_no = f"SS27-{style:03d}"
                rows.append([style_no, f"Style {style}", f"スタイル {style}", "Tops", "トップス",
                             color, english, japanese, size, f"{style_no}-{color}-{size}",
                             _jan(len(rows)), rrp, rrp * 45 // 100, rrp / 100,
                             rrp * 45 / 10_000, round(rrp / 110, 2), round(rrp * 45 / 11_000, 2),
                             2,
                             "Cotton 100%", "綿 100%", "Made in Japan", "日本製"])
    return rows


def _content(root: Path) -> Path:
    for name, text in _CONTENT.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return root


def _write_inputs(folder: Path) -> tuple[Path, Path]:
    rows = _rows()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Products")
    for row in [HEADER, *rows]:
        sheet.append(row)
    xlsx = folder / "products.xlsx"
    workbook.save(xlsx)
    csv_path = folder / "products.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([HEADER, *rows])
    return xlsx, csv_path


_INLINE = re.compile(r'<c r="([A-Z]+\d+)" t="inlineStr"><is><t>([^<]*)</t></is></c>')


def _as_excel_writes(source: Path, target: Path) -> Path:
    """Rewrite openpyxl's inline strings as a shared-string table, the way Excel saves."""
    strings: dict[str, int] = {}

    def shared(match: re.Match[str]) -> str:
        index = strings.setdefault(match[2], len(strings))
        return f'<c r="{match[1]}" t="s"><v>{index}</v></c>'

    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            data = old.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = _INLINE.sub(shared, data.decode("utf-8")).encode("utf-8")
                assert b"inlineStr" not in data
            elif item.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" '
                                    b'ContentType="application/vnd.openxmlformats-'
                                    b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
            elif item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdStrings" Type='
                                    b'"http://schemas.openxmlformats.org/officeDocument/2006/'
                                    b'relationships/sharedStrings" Target="sharedStrings.xml"/>'
                                    b"</Relationships>")
            new.writestr(item, data)
        table = "".join(f"<si><t>{text}</t></si>" for text in strings)
        new.writestr("xl/sharedStrings.xml", (
            '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
            f'spreadsheetml/2006/main" count="{len(strings)}" uniqueCount="{len(strings)}">'
            f"{table}</sst>"))
    return target


def _read_only(path: Path) -> int:
    with open_sheet(path) as sheet:
        return sum(1 for _ in sheet.rows)


def run() -> list[Result]:
    """Run the import cases and return their results."""
    with tempfile.TemporaryDirectory(prefix="linesheets-bench-") as scratch:
        folder = Path(scratch)
        xlsx, csv_path = _write_inputs(folder)
        content = _content(folder / "content")
        products = content / "seasons/ss27/products.yaml"

        def first_import(source: Path) -> None:
            products.unlink(missing_ok=True)
            import_products(source, content, "ss27")

        first = best_of(REPEATS, lambda: first_import(xlsx))
        catalog = load_catalog(content)  # what `linesheets check` sees after the import
        assert sum(len(p.colors) * len(p.sizes) for p in catalog.styles["ss27"]) == SKUS
        # One run each: re-reading a 5,000-SKU products.yaml is slow (see the docs).
        again = best_of(1, lambda: import_products(xlsx, content, "ss27"))
        from_csv = best_of(REPEATS, lambda: first_import(csv_path))
        excel = _as_excel_writes(xlsx, folder / "excel.xlsx")
        from_excel = best_of(REPEATS, lambda: first_import(excel))
        read = best_of(1, lambda: _read_only(xlsx))
        size = xlsx.stat().st_size
    verdict = "under" if first < TARGET_SECONDS else "OVER"
    return [
        Result(f"import XLSX, {SKUS:,} SKUs ({STYLES} styles), first import", SKUS, first,
               f"SKUs; best of {REPEATS}; {verdict} the {TARGET_SECONDS:.0f} s target"),
        Result("re-import of the same XLSX (merge, nothing to write)", SKUS, again,
               "SKUs; one run"),
        Result("import the same rows as CSV (UTF-8)", SKUS, from_csv,
               f"SKUs; best of {REPEATS}"),
        Result("import the same XLSX with shared strings, as Excel saves it", SKUS, from_excel,
               f"SKUs; best of {REPEATS}"),
        Result(f"read the XLSX alone (openpyxl read-only, {size // 1024:,} KiB)", SKUS, read,
               "rows; one run; part of the first line"),
    ]


def main() -> None:
    """Run this case alone and print its table."""
    from bench.__main__ import _table

    print(_table(run()))


if __name__ == "__main__":
    main()
