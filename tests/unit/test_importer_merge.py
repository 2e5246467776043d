"""Re-import: styles by style number, SKUs by code, hand-written fields kept, changes counted."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from generator.catalog import load_catalog
from generator.cli import main
from generator.errors import SheetError, SheetProblem
from generator.importer import import_products
from generator.models import DeliveryWindow, Product
from tests.unit.conftest import ContentDir
from tests.unit.sheets import HEADER, sku_rows, write_xlsx

PRODUCTS = "seasons/ss27/products.yaml"
HAND_WRITTEN = """
    # SS27 — kept: the opening comment block of a file survives a re-import.
    styles:
      - style_no: SS27-001
        name: {en: Trench coat, ja: トレンチコート}
        description: {en: Old words., ja: 説明はそのまま。}
        category: {en: Outerwear, ja: アウター}
        colors:
          - {code: BLK, name: {en: Black, ja: ブラック}, swatch: "#111111",
             images: [styles/ss27-001-blk.jpg]}
          - {code: ECR, name: {en: Ecru, ja: エクリュ}, swatch: "#EEE8DC"}
        sizes: [S, M, L]
        prices:
          JPY: {rrp: 48000, wsp: 21600}
          USD: {rrp: 320.00, wsp: 144.00}
        rates: {wsp_rrp: {rate: 55}}
        moq: 2
        sold_out: {BLK: [S]}
        skus:
          BLK: {S: SS27-001-BLK-S, M: SS27-001-BLK-M, L: SS27-001-BLK-L}
          ECR: {S: SS27-001-ECR-S, M: SS27-001-ECR-M, L: SS27-001-ECR-L}
      - style_no: SS27-002
        name: Tote
        category: Bags
        colors: [{code: "001", name: Natural}]
        sizes: [One size]
        prices:
          JPY: {rrp: 12000, wsp: 5400}
          USD: {rrp: 80, wsp: 36}
      - style_no: SS27-009
        name: Dropped
        category: Bags
        colors: [{code: "001", name: Natural}]
        sizes: [One size]
        prices:
          JPY: {rrp: 12000, wsp: 5400}
          USD: {rrp: 80, wsp: 36}
    """
SHEET = ["style_no", "name_en", "description_en", "color_code", "color_name_ja", "size",
         "sku", "rrp_JPY", "wsp_JPY"]


def _coat_rows() -> list[list[object]]:
    rows: list[list[object]] = []
    for color in ("BLK", "ECR"):
        for size in ("S", "M", "L"):
            rows.append(["SS27-001", "Trench coat", "New words.", color, None, size,
                         f"SS27-001-{color}-{size}", 48000, 21600])
    return rows


def _styles(content: ContentDir) -> dict[str, Product]:
    return {p.style_no: p for p in load_catalog(content.root).styles["ss27"]}


def test_reimport_keeps_what_the_sheet_does_not_carry(
    content: ContentDir, tmp_path: Path
) -> None:
    content.write(PRODUCTS, HAND_WRITTEN)
    rows = [*_coat_rows(), ["SS27-002", "Tote bag", None, "001", "ナチュラル", "One size",
                            None, 12000, 5400]]
    report = import_products(write_xlsx(tmp_path / "p.xlsx", [SHEET, *rows]), content.root,
                             "ss27")
    styles = _styles(content)
    coat = styles["SS27-001"]
    assert coat.description is not None
    assert coat.description.values == {"en": "New words.", "ja": "説明はそのまま。"}
    assert coat.category.values == {"en": "Outerwear", "ja": "アウター"}
    assert (coat.colors[0].swatch, coat.colors[0].images) == ("#111111",
                                                              ["styles/ss27-001-blk.jpg"])
    assert coat.sold_out == {"BLK": ["S"]}
    assert coat.rates["wsp_rrp"].rate == 55
    assert str(coat.prices["USD"]["wsp"]) == "144.00"
    tote = styles["SS27-002"]
    assert tote.name.values == {"en": "Tote bag"}  # the one text was the default language's
    assert tote.colors[0].name.values == {"en": "Natural", "ja": "ナチュラル"}
    assert list(styles) == ["SS27-001", "SS27-002"]
    assert str(report.styles) == "0 added, 2 updated, 0 unchanged, 1 removed"
    assert report.removed_styles == ("SS27-009",)
    assert str(report.skus) == "0 added, 0 updated, 7 unchanged, 1 removed"
    text = (content.root / PRODUCTS).read_text(encoding="utf-8")
    assert text.startswith("# SS27 — kept: the opening comment block of a file survives a "
                           "re-import.\n\nstyles:\n")


def test_reimport_reports_added_updated_unchanged_and_moves_skus_by_code(
    content: ContentDir, tmp_path: Path
) -> None:
    content.write(PRODUCTS, HAND_WRITTEN)
    rows = _coat_rows()
    rows[0][6], rows[1][6] = None, "SS27-001-BLK-S"  # the code moves from S to M
    rows[1][2] = None  # an empty cell keeps the file's value
    rows.append(["SS27-003", "Cap", None, "NVY", None, "F", "SS27-003-NVY-F", 6000, 2700])
    sheet = [[*SHEET, "category", "wsp_USD", "sold_out"],
             *[[*row, "Hats" if row[0] == "SS27-003" else None, 20, "yes" if
                row[3] == "ECR" and row[5] == "L" else None] for row in rows]]
    report = import_products(write_xlsx(tmp_path / "p.xlsx", sheet), content.root, "ss27")
    assert str(report.styles) == "1 added, 1 updated, 0 unchanged, 2 removed"
    assert report.removed_styles == ("SS27-002", "SS27-009")
    # Updated: BLK-S (its code moved away, and it is no longer sold out), BLK-M (took that
    # code, matched by its cell), ECR-L (sold out now). Removed: the tote and SS27-009.
    assert str(report.skus) == "1 added, 3 updated, 3 unchanged, 2 removed"
    coat = _styles(content)["SS27-001"]
    assert coat.skus["BLK"] == {"M": "SS27-001-BLK-S", "L": "SS27-001-BLK-L"}
    assert coat.sold_out == {"ECR": ["L"]}  # the sheet's sold-out column replaces the file's
    assert coat.description is not None and coat.description.values["en"] == "New words."
    assert str(coat.prices["USD"]["wsp"]) == "20"


def test_reimporting_the_same_sheet_changes_nothing(
    content: ContentDir, tmp_path: Path
) -> None:
    sheet = write_xlsx(tmp_path / "p.xlsx", [HEADER, *sku_rows()])
    import_products(sheet, content.root, "ss27")
    written = (content.root / PRODUCTS).read_bytes()
    report = import_products(sheet, content.root, "ss27")
    assert not report.written
    assert str(report.styles) == "0 added, 0 updated, 2 unchanged, 0 removed"
    assert str(report.skus) == "0 added, 0 updated, 7 unchanged, 0 removed"
    assert "unchanged, not rewritten" in report.summary()
    assert (content.root / PRODUCTS).read_bytes() == written


def test_one_column_of_one_languages_names_keeps_the_others(
    content: ContentDir, tmp_path: Path
) -> None:
    """A sheet with a name column for no language (商品名) holding the Japanese names: the
    English ones stay; a name that is new in that column still replaces them all."""
    content.write(PRODUCTS, HAND_WRITTEN)
    sheet = [["style_no", "商品名", "color_code", "size", "rrp_JPY", "wsp_JPY"],
             *[["SS27-001", "トレンチコート", color, size, 48000, 21600]
               for color in ("BLK", "ECR") for size in ("S", "M", "L")],
             ["SS27-002", "トートバッグ", "001", "One size", 12000, 5400]]
    import_products(write_xlsx(tmp_path / "p.xlsx", sheet), content.root, "ss27")
    styles = _styles(content)
    assert styles["SS27-001"].name.values == {"en": "Trench coat", "ja": "トレンチコート"}
    assert styles["SS27-002"].name.values == {"": "トートバッグ"}


def test_a_description_the_sheet_repeats_as_the_file_has_it_is_no_change(
    content: ContentDir, tmp_path: Path
) -> None:
    """A YAML block (`|`) ends in a line break that a cell never has: the same words."""
    coat = HAND_WRITTEN[:HAND_WRITTEN.index("      - style_no: SS27-002")].replace(
        "description: {en: Old words., ja: 説明はそのまま。}",
        "description:\n          en: |\n            Old words.\n"
        "            Two lines.\n          ja: 説明はそのまま。")
    content.write(PRODUCTS, coat)
    written = (content.root / PRODUCTS).read_bytes()
    rows = [[*row[:2], "Old words.\nTwo lines.", *row[3:]] for row in _coat_rows()]
    report = import_products(write_xlsx(tmp_path / "again.xlsx", [SHEET, *rows]),
                             content.root, "ss27")
    assert str(report.styles) == "0 added, 0 updated, 1 unchanged, 0 removed"
    assert (content.root / PRODUCTS).read_bytes() == written


def test_first_import_into_a_season_without_products(
    content: ContentDir, tmp_path: Path
) -> None:
    (content.root / PRODUCTS).unlink()
    report = import_products(write_xlsx(tmp_path / "p.xlsx", [HEADER, *sku_rows()]),
                             content.root, "ss27")
    assert str(report.styles) == "2 added, 0 updated, 0 unchanged, 0 removed"
    assert report.summary().splitlines() == [
        "Imported p.xlsx into season ss27: content/seasons/ss27/products.yaml written.",
        "  styles: 2 added, 0 updated, 0 unchanged, 0 removed",
        "  SKUs:   7 added, 0 updated, 0 unchanged, 0 removed",
    ]
    text = (content.root / PRODUCTS).read_text(encoding="utf-8")
    assert text.startswith("# The styles of season ss27, written by `linesheets import`.")
    assert sorted(p.name for p in (content.root / "seasons/ss27").iterdir()) == ["products.yaml",
                                                                                "season.yaml"]


def test_keeping_the_others_adds_and_updates_and_removes_nothing(
    content: ContentDir, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content.write(PRODUCTS, HAND_WRITTEN)
    before = _styles(content)
    rows = [["SS27-002", "Tote bag", None, "001", None, "One size", None, 12000, 5400, None,
             None],
            ["SS27-003", "Cap", None, "NVY", None, "F", "SS27-003-NVY-F", 6000, 2700, "Hats",
             20]]
    sheet = write_xlsx(tmp_path / "p.xlsx", [[*SHEET, "category", "wsp_USD"], *rows])
    assert main(["import", str(sheet), "--season", "ss27", "--content", str(content.root),
                 "--keep-others"]) == 0
    assert capsys.readouterr().out.splitlines()[1:3] == [
        "  styles: 1 added, 1 updated, 2 unchanged, 0 removed",
        "  SKUs:   1 added, 0 updated, 8 unchanged, 0 removed"]
    styles = _styles(content)
    # The file's order, the new style last; the styles the sheet does not list as they were.
    assert list(styles) == ["SS27-001", "SS27-002", "SS27-009", "SS27-003"]
    assert styles["SS27-001"] == before["SS27-001"]
    assert styles["SS27-009"] == before["SS27-009"]
    assert styles["SS27-002"].name.values == {"en": "Tote bag"}
    # Without it, the sheet is the season's list: what it does not list would go, and the
    # lookbook that shows SS27-001 would point at nothing, so nothing is written.
    with pytest.raises(SheetError) as raised:
        import_products(sheet, content.root, "ss27")
    assert "style 'SS27-001' is not in season 'ss27'" in str(raised.value)
    assert list(_styles(content)) == ["SS27-001", "SS27-002", "SS27-009", "SS27-003"]


def test_keeping_the_others_locates_each_problem_at_its_row(
    content: ContentDir, tmp_path: Path
) -> None:
    """With --keep-others the file's styles come first, so a sheet's style is not at its
    own index among the styles written: a row's problem with another's once stopped the
    import with a traceback, and a catalog problem pointed at another row, or none."""
    content.write(PRODUCTS, HAND_WRITTEN)
    before = (content.root / PRODUCTS).read_bytes()
    header = [*SHEET, "category", "wsp_USD"]
    tote = ["SS27-002", "Tote bag", None, "001", None, "One size", None, 12000, 5400, None, 36]
    cap = ["SS27-003", "Cap", None, "NVY", None, "F", "SS27-003-NVY-F", 6000, 2700, None, 18]

    def refused(*rows: Sequence[object]) -> list[str]:
        with pytest.raises(SheetError) as raised:
            import_products(write_xlsx(tmp_path / "p.xlsx", [header, *rows]), content.root,
                            "ss27", keep_others=True)
        return [str(problem) for problem in raised.value.problems]

    # The tote's price is no number, and the cap has no category.
    assert refused([*tote[:7], "abc", *tote[8:]], cap) == [
        "p.xlsx, sheet Products, row 2, column rrp_JPY: 'abc' is not a price; write a number "
        "such as 12000 or 144.50",
        "p.xlsx, sheet Products, row 3: style 'SS27-003' has no category; fill a category "
        "column (category, カテゴリ …) on one of its rows, or write it in products.yaml",
    ]
    # The cap has no USD price for the open link.
    assert refused(tote, [*cap[:9], "Hats", None]) == [
        "p.xlsx, sheet Products, row 3: style 'SS27-003' has no USD 'wsp' price, which link "
        "open needs; fill its wsp_USD column (or write prices.USD.wsp in products.yaml)",
    ]
    assert (content.root / PRODUCTS).read_bytes() == before


def test_keep_others_is_refused_with_the_template(
    content: ContentDir, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", "--template", "--season", "ss27", "--content", str(content.root),
                 "--keep-others", "--out", str(tmp_path / "t.xlsx")]) == 1
    assert "--keep-others is for an import" in capsys.readouterr().err
    assert not (tmp_path / "t.xlsx").exists()


def test_a_size_chart_written_by_hand_survives_a_reimport(
    content: ContentDir, tmp_path: Path
) -> None:
    chart = ("    measurement_unit: in\n    measurements:\n"
             "      - {label: {en: Chest, ja: 身幅}, values: {S: 20.5, M: 21.5, L: 22.5}}\n")
    content.write(PRODUCTS, HAND_WRITTEN.replace("        moq: 2\n",
                                                 "        moq: 2\n" + "    " + chart.replace(
                                                     "\n    ", "\n        ")))
    before = _styles(content)["SS27-001"]
    assert before.measurement_unit == "in" and len(before.measurements) == 1
    rows = [*_coat_rows(), ["SS27-002", "Tote", None, "001", None, "One size", None, 12000,
                            5400]]
    import_products(write_xlsx(tmp_path / "p.xlsx", [SHEET, *rows]), content.root, "ss27")
    after = _styles(content)["SS27-001"]
    assert (after.measurement_unit, after.measurements) == ("in", before.measurements)


def test_a_stock_column_sets_each_cells_stock_and_zero_is_sold_out(
    content: ContentDir, tmp_path: Path
) -> None:
    content.write(PRODUCTS, HAND_WRITTEN.replace(
        "        sold_out: {BLK: [S]}\n",
        "        sold_out: {BLK: [S]}\n        stock: {ECR: {S: 5, M: 9}}\n"))
    units = {("BLK", "S"): "12", ("BLK", "M"): "0", ("ECR", "S"): None, ("ECR", "M"): "１,２００"}
    rows = [[*row, units.get((str(row[3]), str(row[5])))] for row in _coat_rows()]
    report = import_products(write_xlsx(tmp_path / "p.xlsx", [[*SHEET, "在庫数"], *rows]),
                             content.root, "ss27")
    coat = _styles(content)["SS27-001"]
    # BLK S was sold out and has 12 now; BLK M has none: sold out; ECR S keeps the file's 5
    # (an empty cell erases nothing); ECR M is the sheet's 1,200 (full-width, with a comma).
    assert coat.stock == {"BLK": {"S": 12}, "ECR": {"S": 5, "M": 1200}}
    assert coat.sold_out == {"BLK": ["M"]}
    # As a brand writes them: bare numbers, not quoted text.
    assert "    stock:\n      BLK: {S: 12}\n      ECR: {S: 5, M: 1200}\n" in (
        content.root / PRODUCTS).read_text("utf-8")
    assert report.written
    # BLK S (available with a stock), BLK M (sold out), ECR M (a stock): updated SKUs.
    assert str(report.skus) == "0 added, 3 updated, 3 unchanged, 2 removed"
    # Without the column, a re-import keeps the stock of the cells that remain.
    rows = [row for row in _coat_rows() if row[5] != "S"]
    import_products(write_xlsx(tmp_path / "q.xlsx", [SHEET, *rows]), content.root, "ss27")
    coat = _styles(content)["SS27-001"]
    assert coat.stock == {"ECR": {"M": 1200}}
    assert coat.sold_out == {"BLK": ["M"]}


def test_the_sold_out_column_wins_over_a_stock_and_a_bad_stock_is_refused_at_its_cell(
    content: ContentDir, tmp_path: Path
) -> None:
    content.write(PRODUCTS, HAND_WRITTEN)
    rows = [[*row, 8, "yes" if (row[3], row[5]) == ("ECR", "L") else None]
            for row in _coat_rows()]
    import_products(write_xlsx(tmp_path / "p.xlsx", [[*SHEET, "stock", "sold_out"], *rows]),
                    content.root, "ss27")
    coat = _styles(content)["SS27-001"]
    assert coat.sold_out == {"ECR": ["L"]}
    assert coat.stock == {"BLK": {"S": 8, "M": 8, "L": 8}, "ECR": {"S": 8, "M": 8}}
    before = (content.root / PRODUCTS).read_text(encoding="utf-8")
    rows[1][-2] = "2.5"
    with pytest.raises(SheetError) as raised:
        import_products(write_xlsx(tmp_path / "q.xlsx", [[*SHEET, "stock", "sold_out"], *rows]),
                        content.root, "ss27")
    [problem] = raised.value.problems
    assert isinstance(problem, SheetProblem)
    assert (problem.row, problem.message) == (3, "'2.5' is not a number of units: write a "
                                                 "whole number from 0 to 10,000,000")
    assert (content.root / PRODUCTS).read_text(encoding="utf-8") == before


def test_a_cell_the_sold_out_column_closes_loses_its_stock(
    content: ContentDir, tmp_path: Path
) -> None:
    content.write(PRODUCTS, HAND_WRITTEN.replace(
        "        sold_out: {BLK: [S]}\n", "        stock: {ECR: {L: 5, M: 9}}\n"))
    rows = [[*row, "yes" if (row[3], row[5]) == ("ECR", "L") else None]
            for row in _coat_rows()]
    import_products(write_xlsx(tmp_path / "p.xlsx", [[*SHEET, "sold_out"], *rows]),
                    content.root, "ss27")
    coat = _styles(content)["SS27-001"]  # loads: no cell is both sold out and stocked
    assert (coat.sold_out, coat.stock) == ({"ECR": ["L"]}, {"ECR": {"M": 9}})


def test_a_colour_whose_rows_give_another_delivery_ships_apart(
    content: ContentDir, tmp_path: Path
) -> None:
    content.write(PRODUCTS, HAND_WRITTEN)
    season, later = "2027-02-01 – 2027-03-15", "2027/5/1〜2027/5/31"
    rows = [[*row, season if row[3] == "BLK" else later] for row in _coat_rows()]
    import_products(write_xlsx(tmp_path / "p.xlsx", [[*SHEET, "delivery"], *rows]),
                    content.root, "ss27")
    coat = _styles(content)["SS27-001"]
    assert isinstance(coat.delivery, DeliveryWindow) and str(coat.delivery.start) == "2027-02-01"
    black, ecru = coat.colors
    assert black.delivery is None
    assert isinstance(ecru.delivery, DeliveryWindow)
    assert (str(ecru.delivery.start), str(ecru.delivery.end)) == ("2027-05-01", "2027-05-31")
    assert black.swatch == "#111111"  # what the sheet has no column for stays
    # The ecru ships with its style again: its own delivery goes; empty cells keep it.
    rows = [[*row, season] for row in _coat_rows()]
    import_products(write_xlsx(tmp_path / "q.xlsx", [[*SHEET, "delivery"], *rows]),
                    content.root, "ss27")
    assert _styles(content)["SS27-001"].colors[1].delivery is None
    rows = [[*row, season if row[3] == "BLK" else later] for row in _coat_rows()]
    import_products(write_xlsx(tmp_path / "r.xlsx", [[*SHEET, "delivery"], *rows]),
                    content.root, "ss27")
    rows = [[*row, season if row[3] == "BLK" else None] for row in _coat_rows()]
    import_products(write_xlsx(tmp_path / "s.xlsx", [[*SHEET, "delivery"], *rows]),
                    content.root, "ss27")
    assert _styles(content)["SS27-001"].colors[1].delivery is not None


def test_a_colour_whose_rows_disagree_on_its_delivery_is_refused_at_the_cell(
    content: ContentDir, tmp_path: Path
) -> None:
    content.write(PRODUCTS, HAND_WRITTEN)
    before = (content.root / PRODUCTS).read_text(encoding="utf-8")
    rows = [[*row, "Apr 2027" if row[5] == "L" else "Mar 2027"] for row in _coat_rows()]
    with pytest.raises(SheetError) as raised:
        import_products(write_xlsx(tmp_path / "p.xlsx", [[*SHEET, "delivery"], *rows]),
                        content.root, "ss27")
    [problem, _] = raised.value.problems  # BLK's L row and ECR's
    assert isinstance(problem, SheetProblem)
    assert (problem.row, problem.message) == (4, (
        "colour 'BLK' of style 'SS27-001' has delivery 'Mar 2027' in row 2, and 'Apr 2027' "
        "here; a colour ships once, so make its rows agree or leave this cell empty"))
    assert (content.root / PRODUCTS).read_text(encoding="utf-8") == before


def test_a_styles_exclusive_to_survives_a_reimport(content: ContentDir, tmp_path: Path) -> None:
    """The links a style is exclusive to are the brand's, not the sheet's: kept as written."""
    content.write(PRODUCTS, HAND_WRITTEN.replace(
        "        moq: 2\n", "        moq: 2\n        exclusive_to: [aoyama]\n"))
    assert _styles(content)["SS27-001"].exclusive_to == ["aoyama"]
    rows = [*_coat_rows(), ["SS27-002", "Tote", None, "001", None, "One size", None, 12000,
                            5400]]
    import_products(write_xlsx(tmp_path / "p.xlsx", [SHEET, *rows]), content.root, "ss27")
    assert _styles(content)["SS27-001"].exclusive_to == ["aoyama"]
    assert load_catalog(content.root).link_styles("open", "ss27")[0].style_no == "SS27-002"


def test_a_colourways_exclusive_to_survives_a_reimport(content: ContentDir,
                                                      tmp_path: Path) -> None:
    """So do the links a colourway is exclusive to: the sheet has no column for them."""
    content.write(PRODUCTS, HAND_WRITTEN.replace(
        'swatch: "#EEE8DC"}', 'swatch: "#EEE8DC", exclusive_to: [aoyama]}'))
    import_products(write_xlsx(tmp_path / "p.xlsx", [SHEET, *_coat_rows()]), content.root,
                    "ss27")
    ecru = _styles(content)["SS27-001"].colors[1]
    assert (ecru.code, ecru.exclusive_to) == ("ECR", ["aoyama"])
    coat = load_catalog(content.root).link_style("open", "ss27", "SS27-001")
    assert [color.code for color in coat.colors] == ["BLK"]
