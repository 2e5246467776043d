"""`linesheets buyers import`: a sheet of stockists becomes buyer files (and customer links),
each with a passcode that only the brand's passcodes file holds in clear; every problem of
every row at once, and nothing written while any remains."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import Workbook

from generator.cli import main
from generator.passcode import verify_passcode
from tests.unit.conftest import ContentDir

SHEET = "\n".join((
    "Company,Contact,E-mail,Phone,Country,Language,Currency,Term,Discount,Deposit,Address,"
    "City,Postal code",
    "Boutique Lune,Claire Martin,claire@lune.example,+33 1 42 00 00 00,FR,en,USD,wsp,5,30,"
    "12 rue de Bretagne,Paris,75003",
    "Shop Kiyomizu,清水 健,ken@kiyomizu.example,075-555-0100,JP,,,wsp_rrp,,,,,", ""))


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["buyers", "import", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_each_row_becomes_a_buyer_with_its_link_and_a_passcode_only_the_brand_holds(
    content: ContentDir, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = tmp_path / "stockists.csv"
    sheet.write_text(SHEET, "utf-8")
    passcodes = tmp_path / "passcodes.csv"
    code, out, _ = _run(capsys, str(sheet), "--content", str(content.root), "--passcodes",
                        str(passcodes), "--links", "ss27")
    assert code == 0, out
    assert out.startswith("Imported 2 buyers from stockists.csv")
    catalog = content.load()
    lune, kiyomizu = catalog.buyers["boutique-lune"], catalog.buyers["shop-kiyomizu"]
    assert (lune.company, lune.name, lune.country, lune.currency) == (
        "Boutique Lune", "Claire Martin", "FR", "USD")
    assert (lune.transaction.term, str(lune.transaction.discount), lune.billing,
            str(lune.deposit_percent)) == ("wsp", "5", "with_deposit", "30")
    assert lune.address is not None and lune.address.city == "Paris"
    # What the row leaves out: the brand's default language and first currency.
    assert (kiyomizu.language, kiyomizu.currency, kiyomizu.name) == ("en", "JPY", "清水 健")
    assert catalog.offer("boutique-lune").kind == "customer"
    assert catalog.offer("shop-kiyomizu").seasons == ("ss27",)
    assert "discount: 5" in (content.root / "buyers/boutique-lune.yaml").read_text()

    assert passcodes.stat().st_mode & 0o777 == 0o600
    rows = list(csv.DictReader(io.StringIO(passcodes.read_text("utf-8-sig"))))
    assert [(row["id"], row["link"]) for row in rows] == [
        ("boutique-lune", "https://example.com/l/boutique-lune/"),
        ("shop-kiyomizu", "https://example.com/l/shop-kiyomizu/")]
    for row in rows:
        stored = catalog.buyers[row["id"]].passcode
        assert stored is not None and stored.hash is not None
        assert verify_passcode(row["passcode"], stored.hash)
        assert row["passcode"] not in (content.root / f"buyers/{row['id']}.yaml").read_text()


def test_every_problem_of_every_row_is_named_and_nothing_is_written(
    content: ContentDir, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = tmp_path / "stockists.csv"
    sheet.write_text(
        "Company,Contact,Email,Phone,Country,Currrency\n"
        "Boutique Lune,Claire Martin,claire@lune.example,+33 1 42 00 00 00,France,USD\n"
        "Boutique Lune,Claire Again,claire2@lune.example,+33 1 42 00 00 01,FR,USD\n"
        "Select Shop Aoyama,Aiko Tanaka,not-an-address,+81 3 1234 5678,JP,JPY\n", "utf-8")
    content.write("buyers/select-shop-aoyama.yaml",
                  (content.root / "buyers/aoyama.yaml").read_text())
    before = _tree(content.root)
    code, _, err = _run(capsys, str(sheet), "--content", str(content.root), "--passcodes",
                        str(tmp_path / "passcodes.csv"), "--links", "ss27")
    assert code == 1
    for expected in (
        "stockists.csv:1: Currrency: unknown column 'Currrency'; did you mean 'currency'?",
        "stockists.csv:2: country: 'France' is not an ISO 3166 country code",
        "stockists.csv:3: id: 'boutique-lune' again (row 2)",
        "stockists.csv:4: id: buyers/select-shop-aoyama.yaml exists",
        "problems found; nothing was written.",
    ):
        assert expected in err, expected
    assert _tree(content.root) == before
    assert not (tmp_path / "passcodes.csv").exists()
    sheet.write_text(SHEET, "utf-8")
    code, _, err = _run(capsys, str(sheet), "--content", str(content.root), "--passcodes",
                        str(tmp_path / "passcodes.csv"), "--links", "ss27,aw99")
    assert (code, err) == (1, f"error: --links: no season aw99 in {content.root} (its seasons: "
                              "ss27); give the seasons' ids\n")
    assert _tree(content.root) == before


def test_an_xlsx_with_a_title_above_its_header_imports_without_links(
    content: ContentDir, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Stockists"
    sheet.append(["Our stockists, December 2026"])
    sheet.append([])
    sheet.append(["ID", "Shop", "Name", "Mail", "Tel", "Country", "VAT"])
    sheet.append(["lune", "Boutique Lune", "Claire Martin", "claire@lune.example",
                  "+33 1 42 00 00 00", "FR", "FR 40 303 265 045"])
    book.save(tmp_path / "stockists.xlsx")
    passcodes = tmp_path / "passcodes.csv"
    code, out, err = _run(capsys, str(tmp_path / "stockists.xlsx"), "--content",
                          str(content.root), "--passcodes", str(passcodes))
    assert code == 0, err
    assert "customer link" not in out
    buyer = content.load().buyers["lune"]
    assert buyer.vat_number == "FR40303265045"
    assert not (content.root / "links/lune.yaml").exists()
    [row] = csv.DictReader(io.StringIO(passcodes.read_text("utf-8-sig")))
    assert (row["id"], row["link"]) == ("lune", "")


def test_a_passcodes_file_is_never_overwritten(
    content: ContentDir, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = tmp_path / "stockists.csv"
    sheet.write_text(SHEET, "utf-8")
    passcodes = tmp_path / "passcodes.csv"
    passcodes.write_text("the passcodes of an earlier import\n")
    code, _, err = _run(capsys, str(sheet), "--content", str(content.root), "--passcodes",
                        str(passcodes))
    assert code == 1 and "passcodes.csv exists; give a new file" in err
    assert passcodes.read_text() == "the passcodes of an earlier import\n"
    assert not (content.root / "buyers/boutique-lune.yaml").exists()


@pytest.mark.parametrize(("where", "message"), [
    ("missing/passcodes.csv", "no folder {tmp}/missing for the passcodes file; make it, or "
                              "give a file in a folder that exists"),
    ("/proc/passcodes.csv", "cannot write the passcodes to /proc/passcodes.csv: No such file "
                            "or directory; nothing was written"),
])
def test_a_passcodes_file_that_cannot_be_written_stops_the_import_first(
    content: ContentDir, tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str,
    message: str
) -> None:
    sheet = tmp_path / "stockists.csv"
    sheet.write_text(SHEET, "utf-8")
    before = _tree(content.root)
    code, _, err = _run(capsys, str(sheet), "--content", str(content.root), "--passcodes",
                        str(tmp_path / where))
    assert (code, err) == (1, f"error: {message.format(tmp=tmp_path)}\n")
    assert _tree(content.root) == before


def test_a_folder_given_as_the_sheet_is_named_so(
    content: ContentDir, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(capsys, str(tmp_path), "--content", str(content.root), "--passcodes",
                        str(tmp_path / "passcodes.csv"))
    assert code == 1 and f"{tmp_path.as_posix()} is a folder; give the sheet's file" in err
