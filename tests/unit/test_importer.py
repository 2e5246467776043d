"""`linesheets import`: both layouts, both header languages, XLSX and CSV, codes kept as text."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.catalog import load_catalog
from generator.content import read_content
from generator.errors import SheetError
from generator.fields import Text
from generator.importer import import_products
from generator.models import Product
from tests.unit.conftest import ContentDir
from tests.unit.sheets import HEADER, JA_HEADER, jan, sku_rows, write_csv, write_xlsx

PRODUCTS = "seasons/ss27/products.yaml"


def _styles(content: ContentDir) -> dict[str, Product]:
    return {product.style_no: product for product in load_catalog(content.root).styles["ss27"]}


def _raw(content: ContentDir) -> list[dict[str, object]]:
    entry = next(e for e in read_content(content.root).entries if e.kind == "products")
    styles: list[dict[str, object]] = entry.data["styles"]
    return styles


def test_one_row_per_sku_xlsx_imports_and_the_catalog_checks(
    content: ContentDir, tmp_path: Path
) -> None:
    sheet = write_xlsx(tmp_path / "products.xlsx", [HEADER, *sku_rows()])
    report = import_products(sheet, content.root, "ss27")
    assert report.written
    styles = _styles(content)  # load_catalog passes: `linesheets check` would too
    coat = styles["SS27-001"]
    assert [color.code for color in coat.colors] == ["BLK", "ECR"]
    assert coat.sizes == ["S", "M", "L"]
    assert coat.name.values == {"en": "Trench coat", "ja": "トレンチコート"}
    assert coat.moq == 2
    assert str(coat.prices["USD"]["wsp"]) == "144.00"  # the file's spelling of an equal amount
    assert coat.skus["ECR"]["L"] == "SS27-001-ECR-L"
    assert coat.jan["BLK"]["S"] == jan("490123456000")
    tote = styles["SS27-002"]
    assert (tote.colors[0].code, tote.sizes, tote.moq) == ("001", ["One size"], 1)


def test_one_row_per_style_csv_is_expanded_into_every_combination(
    content: ContentDir, tmp_path: Path
) -> None:
    sheet = write_csv(tmp_path / "styles.csv", [
        ["style_no", "name", "category", "colors", "color_name_en", "color_name_ja", "sizes",
         "rrp_JPY", "wsp_JPY", "rrp_USD", "wsp_USD"],
        ["SS27-001", "Coat", "Outerwear", "BLK, NVY", "Black, Navy", "ブラック、ネイビー",
         "S, M, L", "48,000", "21600", "320.00", "144.00"],
        ["SS27-002", "Tote", "Bags", "001", "Natural", "ナチュラル", "One size", "12000", "5400",
         "80", "36"],
    ])
    report = import_products(sheet, content.root, "ss27")
    coat = _styles(content)["SS27-001"]
    assert [(c.code, c.name.values) for c in coat.colors] == [
        ("BLK", {"en": "Black", "ja": "ブラック"}), ("NVY", {"en": "Navy", "ja": "ネイビー"})]
    assert coat.sizes == ["S", "M", "L"]
    assert coat.name.values == {"": "Coat"}
    assert str(coat.prices["JPY"]["rrp"]) == "48000"
    assert (report.styles.added, report.styles.updated) == (0, 2)
    # BLK and the tote keep their cells; NVY's are new; ECR, no longer in the sheet, goes.
    assert str(report.skus) == "3 added, 0 updated, 4 unchanged, 3 removed"


def test_one_row_per_style_with_japanese_headers(content: ContentDir, tmp_path: Path) -> None:
    header = ["品番", "商品名", "カテゴリ", "カラー展開", "カラー名_en", "サイズ展開", "上代_JPY",
              "下代_JPY", "上代_USD", "下代_USD", "備考"]
    rows = [["SS27-001", "Coat", "Outer", "BLK、ECR", "Black、Ecru", "S、M", 48000, 21600, 320,
             144, "メモ"],
            ["SS27-002", "Tote", "Bags", "001", "Natural", "F", 12000, 5400, 80, 36, None]]
    import_products(write_xlsx(tmp_path / "p.xlsx", [header, *rows]), content.root, "ss27")
    coat = _styles(content)["SS27-001"]
    assert [(c.code, c.name.values["en"]) for c in coat.colors] == [("BLK", "Black"),
                                                                    ("ECR", "Ecru")]
    assert (coat.sizes, coat.category.values) == (["S", "M"], {"": "Outer"})


def test_japanese_headers_in_a_shift_jis_csv(content: ContentDir, tmp_path: Path) -> None:
    sheet = write_csv(tmp_path / "商品.csv", [JA_HEADER, *sku_rows()], encoding="cp932")
    import_products(sheet, content.root, "ss27")
    coat = _styles(content)["SS27-001"]
    assert coat.category.values == {"en": "Outerwear", "ja": "アウター"}
    assert coat.colors[1].name.values == {"en": "Ecru", "ja": "エクリュ"}
    assert str(coat.prices["USD"]["rrp"]) == "320.00"


def test_yen_prices_as_japanese_sheets_write_them(content: ContentDir, tmp_path: Path) -> None:
    """A Shift_JIS file's yen sign is the byte of a backslash; "¥48,000-" ends with a dash."""
    rows = sku_rows()
    rows[0][11], rows[0][12] = "\\48,000-", "\\21,600"
    sheet = write_csv(tmp_path / "商品.csv", [JA_HEADER, *rows], encoding="cp932")
    import_products(sheet, content.root, "ss27")
    coat = _styles(content)["SS27-001"]
    assert (str(coat.prices["JPY"]["rrp"]), str(coat.prices["JPY"]["wsp"])) == ("48000", "21600")


def test_sizes_and_codes_typed_full_width_are_the_ones_in_the_content(
    content: ContentDir, tmp_path: Path
) -> None:
    """Typed with a Japanese input method, "Ｍ" and "ＥＣＲ" are M and ECR: the re-import keeps
    the sizes' SKUs, JAN codes and sold-out cells instead of starting new sizes without them."""
    import_products(write_xlsx(tmp_path / "first.xlsx", [HEADER, *sku_rows()]), content.root,
                    "ss27")
    wide = str.maketrans("SMLECRBK", "ＳＭＬＥＣＲＢＫ")
    rows = [[*row[:5], str(row[5]).translate(wide), *row[6:8], str(row[8]).translate(wide),
             *row[9:]] if row[0] == "SS27-001" else row for row in sku_rows()]
    import_products(write_xlsx(tmp_path / "again.xlsx", [HEADER, *rows]), content.root, "ss27")
    coat = _styles(content)["SS27-001"]
    assert ([color.code for color in coat.colors], coat.sizes) == (["BLK", "ECR"],
                                                                   ["S", "M", "L"])
    assert coat.skus["ECR"]["L"] == "SS27-001-ECR-L"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
def test_utf8_csv_with_or_without_bom(
    content: ContentDir, tmp_path: Path, encoding: str
) -> None:
    sheet = write_csv(tmp_path / "products.csv", [JA_HEADER, *sku_rows()], encoding=encoding)
    import_products(sheet, content.root, "ss27")
    assert _styles(content)["SS27-002"].name.values == {"en": "Tote", "ja": "トート"}


def test_japanese_headers_in_xlsx_with_full_width_and_tax_note(
    content: ContentDir, tmp_path: Path
) -> None:
    header = [*JA_HEADER[:11], "上代（税抜）_JPY", "下代 JPY", "ＲＲＰ＿ＵＳＤ", "wsp (USD)",
              "入数"]
    sheet = write_xlsx(tmp_path / "products.xlsx", [header, *sku_rows()])
    import_products(sheet, content.root, "ss27")
    coat = _styles(content)["SS27-001"]
    assert (coat.multiple, str(coat.prices["JPY"]["wsp"])) == (2, "21600")


def test_codes_stay_text_leading_zeros_and_no_scientific_notation(
    content: ContentDir, tmp_path: Path
) -> None:
    rows = sku_rows()
    rows[0][10] = int(jan("049012345600"))  # a JAN Excel stored as a number: its zero is lost
    rows[1][10] = float(jan("490123456001"))  # and one stored as a float (4.9e12)
    rows[6][5] = 1  # colour code 001 stored as the number 1, shown with a "000" format
    sheet = write_xlsx(tmp_path / "products.xlsx", [HEADER, *rows], formats={"F8": "000"})
    import_products(sheet, content.root, "ss27")
    styles = _styles(content)
    assert styles["SS27-001"].jan["BLK"] == {
        "S": jan("049012345600"), "M": jan("490123456001"), "L": jan("490123456002")}
    assert styles["SS27-002"].colors[0].code == "001"
    text = (content.root / PRODUCTS).read_text(encoding="utf-8")
    assert f"'{jan('049012345600')}'" in text  # quoted: every YAML reader sees text
    assert "'001'" in text
    assert "e+" not in text


def test_sizes_keep_the_order_the_rows_give_across_colours(
    content: ContentDir, tmp_path: Path
) -> None:
    header = ["style_no", "name", "category", "color", "size", "wsp_JPY", "wsp_USD", "rrp_JPY"]
    rows = [["SS27-001", "Coat", "Outer", "BLK", "M", 1, 1, 2],
            ["SS27-001", None, None, "BLK", "L", None, None, None],
            ["SS27-001", None, None, "ECR", "S", None, None, None],
            ["SS27-001", None, None, "ECR", "M", None, None, None],
            ["SS27-002", "Tote", "Bags", "001", "One size", 1, 1, 2]]
    import_products(write_xlsx(tmp_path / "p.xlsx", [header, *rows]), content.root, "ss27")
    assert _styles(content)["SS27-001"].sizes == ["S", "M", "L"]


def test_blank_rows_comment_rows_and_skipped_columns_are_ignored(
    content: ContentDir, tmp_path: Path
) -> None:
    header = [*HEADER, "#internal cost", "備考", None]
    rows = [[*row, 999, "memo", None] for row in sku_rows()]
    rows.insert(2, [None] * len(header))
    rows.insert(0, ["#SS27-999", "an example the brand left in"])
    import_products(write_xlsx(tmp_path / "p.xlsx", [header, *rows]), content.root, "ss27")
    assert list(_styles(content)) == ["SS27-001", "SS27-002"]


def test_the_sheet_named_products_is_read_when_there_are_several(
    content: ContentDir, tmp_path: Path
) -> None:
    path = write_xlsx(tmp_path / "book.xlsx", [HEADER, *sku_rows()])
    from openpyxl import load_workbook

    workbook = load_workbook(path)
    notes = workbook.create_sheet("Notes", 0)
    notes.append(["nothing to import here"])
    workbook.save(path)
    import_products(path, content.root, "ss27")
    assert list(_styles(content)) == ["SS27-001", "SS27-002"]


def test_raw_yaml_is_stable_and_in_the_models_key_order(
    content: ContentDir, tmp_path: Path
) -> None:
    sheet = write_xlsx(tmp_path / "products.xlsx", [HEADER, *sku_rows()])
    import_products(sheet, content.root, "ss27")
    first = (content.root / PRODUCTS).read_bytes()
    assert list(_raw(content)[0]) == ["style_no", "name", "category", "colors", "sizes",
                                      "prices", "moq", "skus", "jan"]
    report = import_products(sheet, content.root, "ss27")
    assert not report.written
    assert (content.root / PRODUCTS).read_bytes() == first


def test_a_delivery_column_gives_each_style_its_drop(content: ContentDir,
                                                     tmp_path: Path) -> None:
    """Days (typed, or a cell Excel holds as a day) are a window; other text stays text."""
    from datetime import datetime

    rows = [[*row, None] for row in sku_rows()]
    rows[0][-1] = "2027/4/15〜2027/5/15"  # the coat's first row: a window, as typed in Japan
    rows[6][-1] = datetime(2027, 6, 1)  # the tote: one day, a cell Excel holds as a date
    sheet = write_xlsx(tmp_path / "p.xlsx", [[*HEADER, "納期"], *rows])
    import_products(sheet, content.root, "ss27")
    styles = _styles(content)
    window = styles["SS27-001"].delivery
    assert window is not None and not isinstance(window, Text)
    assert (window.start.isoformat(), window.end.isoformat()) == ("2027-04-15", "2027-05-15")
    day = styles["SS27-002"].delivery
    assert day is not None and not isinstance(day, Text)
    assert day.start == day.end and day.start.isoformat() == "2027-06-01"
    text = (content.root / PRODUCTS).read_text(encoding="utf-8")
    assert "    delivery: {from: '2027-04-15', to: '2027-05-15'}\n" in text
    # The same days again change nothing; text in their place replaces the window.
    assert import_products(sheet, content.root, "ss27").styles.unchanged == 2
    rows[0][-1], rows[6][-1] = "Apr 2027", None
    import_products(write_xlsx(tmp_path / "p.xlsx", [[*HEADER, "delivery_en"], *rows]),
                    content.root, "ss27")
    coat = _styles(content)["SS27-001"]
    assert isinstance(coat.delivery, Text) and coat.delivery.values == {"en": "Apr 2027"}


def test_sizes_the_rows_price_apart_become_size_prices(content: ContentDir,
                                                     tmp_path: Path) -> None:
    """One row per SKU at the price of its size: the price most sizes have is the style's,
    the others are sizes priced apart; a re-import of the same sheet changes nothing."""
    rows = sku_rows()
    for row in rows:
        if row[0] == "SS27-001" and row[8] == "L":
            row[12], row[14] = 23000, "153.00"  # L: more, in both colours
    sheet = write_xlsx(tmp_path / "p.xlsx", [HEADER, *rows])
    import_products(sheet, content.root, "ss27")
    coat = _styles(content)["SS27-001"]
    assert (str(coat.prices["JPY"]["wsp"]), str(coat.prices["USD"]["wsp"])) == ("21600",
                                                                                 "144.00")
    assert {size: {currency: {name: str(amount) for name, amount in lists.items()}
                   for currency, lists in prices.items()}
            for size, prices in coat.size_prices.items()} == {
        "L": {"JPY": {"wsp": "23000"}, "USD": {"wsp": "153.00"}}}
    text = (content.root / PRODUCTS).read_text(encoding="utf-8")
    assert ("    size_prices:\n      L:\n        JPY: {wsp: 23000}\n        USD: {wsp: 153.00}\n"
            in text)
    assert import_products(sheet, content.root, "ss27").styles.unchanged == 2
    # Without its USD columns, the sheet leaves the USD price of L as products.yaml has it,
    # and a size it no longer has loses its own prices.
    columns = [index for index, name in enumerate(HEADER) if "USD" not in name]
    header = [HEADER[index] for index in columns]
    rows = [[row[index] for index in columns] for row in rows]
    import_products(write_xlsx(tmp_path / "q.xlsx", [header, *rows]), content.root, "ss27")
    kept = _styles(content)["SS27-001"].size_prices["L"]
    assert (str(kept["JPY"]["wsp"]), str(kept["USD"]["wsp"])) == ("23000", "153.00")
    rows = [row for row in rows if row[8] != "L"]
    import_products(write_xlsx(tmp_path / "r.xlsx", [header, *rows]), content.root, "ss27")
    coat = _styles(content)["SS27-001"]
    assert coat.sizes == ["S", "M"] and coat.size_prices == {}


def test_a_pack_column_sells_a_style_in_packs(content: ContentDir, tmp_path: Path) -> None:
    """The units of each size in one pack, in every colour's rows: the style's `pack`; a
    re-import without the column, or with its cells empty, keeps it (an empty cell erases
    nothing); one with other numbers changes it."""
    rows = sku_rows()
    units = {"S": 1, "M": 2, "L": 1}
    header = [*HEADER, "pack"]
    packed = [[*row, units[str(row[8])] if row[0] == "SS27-001" else None] for row in rows]
    sheet = write_xlsx(tmp_path / "p.xlsx", [header, *packed])
    import_products(sheet, content.root, "ss27")
    assert _styles(content)["SS27-001"].pack == units
    assert _styles(content)["SS27-002"].pack == {}
    assert "    pack: {S: 1, M: 2, L: 1}\n" in (content.root / PRODUCTS).read_text("utf-8")
    import_products(write_xlsx(tmp_path / "q.xlsx", [HEADER, *rows]), content.root, "ss27")
    assert _styles(content)["SS27-001"].pack == units  # no column: written by hand, kept
    emptied = [[*row, None] for row in rows]
    import_products(write_xlsx(tmp_path / "r.xlsx", [header, *emptied]), content.root, "ss27")
    assert _styles(content)["SS27-001"].pack == units
    doubled = [[*row, 2 * units[str(row[8])] if row[0] == "SS27-001" else None]
               for row in rows]
    import_products(write_xlsx(tmp_path / "s.xlsx", [header, *doubled]), content.root, "ss27")
    assert _styles(content)["SS27-001"].pack == {"S": 2, "M": 4, "L": 2}


def test_a_size_has_one_number_in_a_pack(content: ContentDir, tmp_path: Path) -> None:
    rows = sku_rows()
    header = [*HEADER, "アソート"]
    packed = [[*row, (3 if row[5] == "ECR" else 2) if row[0] == "SS27-001" else None]
              for row in rows]
    with pytest.raises(SheetError) as caught:
        import_products(write_xlsx(tmp_path / "p.xlsx", [header, *packed]), content.root,
                        "ss27")
    assert ("style 'SS27-001' size 'S' has アソート '2' in row 2, and '3' here; a size has "
            "one number in a pack in every colour") in str(caught.value)
