"""`linesheets import` on the command line, its XLSX template and its progress bar."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from generator.cli import main
from generator.importer._progress import Progress
from tests.unit.conftest import ContentDir
from tests.unit.sheets import HEADER, sku_rows, write_xlsx


def test_import_prints_the_summary_and_exits_0(
    content: ContentDir, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = write_xlsx(tmp_path / "products.xlsx", [HEADER, *sku_rows()])
    assert main(["import", str(sheet), "--season", "ss27", "--content", str(content.root)]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        "Imported products.xlsx into season ss27: content/seasons/ss27/products.yaml written.",
        "  styles: 0 added, 2 updated, 0 unchanged, 0 removed",
        "  SKUs:   0 added, 7 updated, 0 unchanged, 0 removed",
    ]
    assert err == ""  # no progress bar: stderr is not a terminal here
    assert main(["check", str(content.root)]) == 0


def test_import_prints_every_problem_then_a_count_and_exits_1(
    content: ContentDir, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = sku_rows()
    rows[0][11], rows[3][14] = "abc", "-1"
    sheet = write_xlsx(tmp_path / "products.xlsx", [HEADER, *rows])
    assert main(["import", str(sheet), "--season", "ss27", "--content", str(content.root)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == [
        "products.xlsx, sheet Products, row 2, column rrp_JPY: 'abc' is not a price; write a "
        "number such as 12000 or 144.50",
        "products.xlsx, sheet Products, row 5, column wsp_USD: '-1' is a negative price; "
        "prices are positive amounts",
        "2 problems found; nothing was written.",
    ]


@pytest.mark.parametrize(("args", "message"), [
    (["--season", "ss27"], "error: give the spreadsheet to import"),
    (["x.xlsx", "--season", "ss27", "--template"], "error: --template writes a blank sheet"),
    (["x.xlsx", "--season", "ss27", "--out", "y.xlsx"], "error: --out names the file"),
    (["missing.xlsx", "--season", "ss27"], "missing.xlsx: file not found at missing.xlsx"),
    (["x.csv", "--season", "nope"], "error: season 'nope' not found"),
])
def test_import_usage_errors_are_one_line_without_traceback(
    content: ContentDir, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["import", *args, "--content", str(content.root)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(message)
    assert "Traceback" not in err


def test_template_has_the_brands_columns_a_frozen_header_checks_and_an_example(
    content: ContentDir, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "template.xlsx"
    assert main(["import", "--template", "--season", "ss27", "--content", str(content.root),
                 "--out", str(out)]) == 0
    assert capsys.readouterr().out.startswith(f"wrote {out}: fill in one row per SKU")
    workbook = load_workbook(out)
    sheet = workbook["Products"]
    header = [str(cell.value) for cell in sheet[1]]
    assert header[:9] == ["style_no", "name_en", "name_ja", "category_en", "category_ja",
                          "color_code", "color_name_en", "color_name_ja", "size"]
    # every currency × (rrp and each discount term of the built-in set)
    assert [h for h in header if h.endswith("_USD")] == [
        "rrp_USD", "wsp_USD", "exw_USD", "fob_USD", "ddp_USD"]
    assert "delivery" in header and "delivery_en" not in header
    assert header[header.index("sold_out") + 1] == "stock"
    assert sheet.freeze_panes == "A2"
    assert str(sheet["A2"].value).startswith("#")  # the example row is skipped on import
    validations = {str(rule.sqref).split(":")[0]: rule.type
                   for rule in sheet.data_validations.dataValidation}
    assert "decimal" in validations.values() and "list" in validations.values()
    assert workbook.sheetnames == ["Products", "Help"]
    # Filled in (the example made real), the template imports back cleanly.
    sheet["A2"] = "SS27-001"
    workbook.save(out)
    assert main(["import", str(out), "--season", "ss27", "--content", str(content.root)]) == 0
    assert main(["import", "--template", "--season", "ss27", "--content", str(content.root),
                 "--out", str(out)]) == 1
    assert "already exists" in capsys.readouterr().err


def test_a_template_for_a_season_that_does_not_exist_is_refused(
    content: ContentDir, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A mistyped season id once gave a template that no import would take."""
    out = tmp_path / "t.xlsx"
    assert main(["import", "--template", "--season", "ss72", "--content", str(content.root),
                 "--out", str(out)]) == 1
    assert capsys.readouterr().err.startswith(
        f"error: season 'ss72' not found: {content.root.as_posix()}/seasons/ss72/season.yaml "
        "does not exist; create it first (name, order_deadline), or import into one of: ss27")
    assert not out.exists()


def test_template_in_japanese_for_a_japanese_brand(
    content: ContentDir, tmp_path: Path
) -> None:
    content.edit("brand.yaml", "default_language: en", "default_language: ja")
    content.edit("brand.yaml", "currencies: [JPY, USD]", "currencies: [JPY]")
    content.write("terms.yaml", "terms:\n  - {code: wsp_rrp, label: 掛け率, basis: retail_rate}\n"
                                "  - {code: wsp, label: 下代, basis: discount}\n")
    out = tmp_path / "テンプレート.xlsx"
    assert main(["import", "--template", "--season", "ss27", "--content", str(content.root),
                 "--out", str(out)]) == 0
    header = [str(cell.value) for cell in load_workbook(out)["Products"][1]]
    assert header[:6] == ["品番", "商品名_en", "商品名_ja", "カテゴリ_en", "カテゴリ_ja",
                          "カラー番号"]
    assert "上代_JPY" in header and "下代_JPY" in header and "最小ロット" in header
    assert "納期" in header  # one column: days, or text, in every language
    assert "在庫数" in header


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_draws_on_a_terminal_and_stays_silent_elsewhere() -> None:
    terminal = _Terminal()
    bar = Progress(terminal, "Reading p.xlsx", 5001)
    bar.update(2500)
    bar.say("checking")
    bar.finish()
    drawn = terminal.getvalue()
    assert "\rReading p.xlsx [############............]  50% 2,500/5,001 rows" in drawn
    assert "\rReading p.xlsx: checking" in drawn
    assert drawn.endswith("\r")
    quiet = io.StringIO()
    bar = Progress(quiet, "Reading p.xlsx", 5001)
    bar.update(2500)
    bar.finish()
    assert quiet.getvalue() == ""


def test_a_failed_write_is_an_error_not_a_traceback(
    content: ContentDir, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(path: Path, text: str) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("generator.importer._import.write_atomically", refuse)
    sheet = write_xlsx(tmp_path / "products.xlsx", [HEADER, *sku_rows()])
    assert main(["import", str(sheet), "--season", "ss27", "--content", str(content.root)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: cannot write ")
    assert "(Permission denied); check the folder's permissions" in err
