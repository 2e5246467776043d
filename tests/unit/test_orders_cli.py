"""`linesheets orders list | show | export`: orders placed in a scratch store, read back as a
table, one order's breakdown, CSV / XLSX / JSON exports and a printable confirmation page."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import html5lib
import openpyxl
import pytest

from generator.cli import main
from generator.manifest import build_manifest, manifest_bytes
from order_api.export import COLUMNS
from order_api.schemas import Order
from order_api.store import NUMBER_SLOT, Claim, Draft, SQLiteStore
from order_api.totals import COLUMNS as TOTAL_COLUMNS
from tests.unit.conftest import ContentDir
from tests.unit.sample_orders import JAPAN_STEPS, ORDERS


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A store holding ORDERS (numbered per season) and one failed notification."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("LINESHEETS_MANIFEST", str(tmp_path / "no-manifest.json"))
    store = SQLiteStore(tmp_path / "orders.sqlite3")

    def make(document: dict[str, Any]) -> Draft:
        return Draft.of(Order.model_validate({**document, "order_number": NUMBER_SLOT}))

    async def place() -> None:
        for index, document in enumerate(ORDERS):
            await store.place(
                Claim(document["link"], f"key-{index:04}", f"print-{index}"),
                document["season"].upper(), make(document),
                ("brand-email", "webhook") if index == 0 else ())

    try:
        asyncio.run(place())
        hook = store.notifications("SS27-000001")[1]
        store.notification_failed(hook.id, datetime(2027, 1, 10, 2, 1, tzinfo=UTC),
                                  "HTTP 502 from the webhook", None)
    finally:
        store.close()
    return f"sqlite:///{tmp_path / 'orders.sqlite3'}"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _numbers(table: str) -> list[str]:
    return [line.split()[0] for line in table.splitlines()[1:] if line[:1].isupper()
            and "-0" in line.split()[0]]


def test_list_shows_every_order_with_a_summary_per_currency(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(capsys, "orders", "list", "--database", database)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["number", "received", "(UTC)", "link", "season", "buyer",
                                "lines", "units", "total", "status"]
    assert lines[1].split()[:5] == ["SS27-000001", "2027-01-10", "02:00", "+00:00", "open"]
    assert "セレクトショップ青山 / 田中 愛子" in lines[1]
    assert lines[1].split()[-4:] == ["2", "6", "¥142,560", "placed"]
    assert _numbers(out) == ["SS27-000001", "SS27-000002", "AW27-000001"]
    assert lines[-1] == "3 orders, 10 units; total €120.00 + ¥142,560 + $108.00"


def test_list_filters_by_link_season_and_the_brand_day(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ("orders", "list", "--database", database)
    assert _numbers(_run(capsys, *base, "--link", "open")[1]) == ["SS27-000001", "AW27-000001"]
    assert _numbers(_run(capsys, *base, "--season", "ss27", "--link", "open")[1]) == [
        "SS27-000001"]
    # The 12th is a day in Tokyo: the order at 00:30 on the 13th there is not in it ...
    day = _run(capsys, *base, "--timezone", "Asia/Tokyo", "--since", "2027-01-10",
               "--until", "2027-01-12")[1]
    assert _numbers(day) == ["SS27-000001"]
    assert "2027-01-10 11:00 +09:00" in day
    # ... but it is in UTC's 12th; a moment with an offset is taken as it is.
    assert _numbers(_run(capsys, *base, "--since", "2027-01-12", "--until", "2027-01-12")[1]
                    ) == ["SS27-000002"]
    assert _numbers(_run(capsys, *base, "--since", "2027-01-12T15:30:00+00:00")[1]) == [
        "SS27-000002", "AW27-000001"]
    assert _run(capsys, *base, "--season", "fw99")[1].strip() == "no orders match"


@pytest.mark.parametrize(("argv", "message"), [
    (("--since", "10/01/2027"), "'10/01/2027' is not an ISO 8601 date"),
    (("--until", "2027-02-30"), "'2027-02-30' is not an ISO 8601 date"),
    (("--timezone", "Tokyo"), "'Tokyo' is not a timezone"),
    (("--timezone", "A" * 300), "is not a timezone"),  # longer than a file name
])
def test_bad_dates_and_zones_are_usage_errors(
    database: str, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], message: str
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["orders", "list", "--database", database, *argv])
    assert exited.value.code == 2
    assert message in capsys.readouterr().err


def test_a_period_that_ends_before_it_starts_is_an_error(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(capsys, "orders", "list", "--database", database,
                        "--since", "2027-02-01", "--until", "2027-01-01")
    assert (code, err) == (1, "error: --since 2027-02-01 is not before --until 2027-01-01; "
                              "no order can match\n")


@pytest.mark.parametrize(("argv", "message"), [
    (("--until", "9999-12-31"), "--until 9999-12-31 is at the edge of the calendar"),
    (("--since", "0001-01-01", "--timezone", "Asia/Tokyo"),
     "--since 0001-01-01 is at the edge of the calendar"),
])
def test_a_date_at_the_calendars_edge_is_an_error(
    database: str, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], message: str
) -> None:
    code, _, err = _run(capsys, "orders", "list", "--database", database, *argv)
    assert code == 1 and err.startswith("error: " + message), err


def test_a_mistyped_database_path_is_an_error_not_an_empty_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    typo = tmp_path / "typo-folder" / "orders.sqlite3"
    code, _, err = _run(capsys, "orders", "list", "--database", f"sqlite:///{typo}")
    assert (code, err) == (1, f"error: no order database at '{typo}'; check --database (or "
                              "DATABASE_URL): the endpoint's file, e.g. "
                              "sqlite:///data/orders.sqlite3\n")
    assert not typo.parent.exists()


def test_show_prints_the_breakdown_totals_and_notifications(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(capsys, "orders", "show", "SS27-000001", "--database", database,
                        "--timezone", "Asia/Tokyo")
    assert code == 0
    for expected in (
        "Order SS27-000001", "  received   2027-01-10 11:00 +09:00 (Asia/Tokyo)",
        "  term       wsp", "  language   ja", "  company    セレクトショップ青山",
        "  1-2-3 Jingumae", "  150-0001 Tokyo Shibuya-ku",  # the e-mails' order
        "  Deliver before March 10",
        "  1. SS27-001 トレンチコート — BLK ブラック, size M (SKU SS27-001-BLK-M, "
        "JAN 4901234567894)",
        "     2 × ¥21,600 = ¥43,200", "     RRP ¥48,000 × 45% = ¥21,600",
        "  subtotal   ¥129,600", "  消費税 10% on ¥129,600: ¥12,960", "  total      ¥142,560",
        "  deposit    ¥42,768 (30%)", "  balance    ¥99,792",
        "  brand-email  pending, 0 attempts, next 2027-01-10 11:00 +09:00",
        "  webhook      failed, 1 attempt, last error: HTTP 502 from the webhook",
    ):
        assert expected in out.splitlines(), expected


def test_show_of_an_unknown_number_exits_1_with_a_message(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(capsys, "orders", "show", "SS27-999999", "--database", database)
    assert (code, out) == (1, "")
    assert err == ("error: no order 'SS27-999999' in the order store; `linesheets orders "
                   "list` shows the numbers\n")


def test_a_bad_database_url_is_a_clean_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "orders", "list", "--database", "mysql://user:pw@host/db")
    assert code == 1
    assert "is not understood" in err
    assert "pw" not in err
    assert "Traceback" not in err


def _csv_rows(data: bytes, columns: tuple[str, ...] = COLUMNS) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert "\r\n" in text
    reader = csv.DictReader(io.StringIO(text, newline=""))
    assert tuple(reader.fieldnames or ()) == columns
    return list(reader)


def test_csv_export_has_one_row_per_line_with_the_exact_columns(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "orders.csv"
    code, printed, _ = _run(capsys, "orders", "export", "--database", database,
                            "--timezone", "Asia/Tokyo", "--out", str(out))
    assert (code, printed) == (0, f"wrote {out}: 4 lines of 3 orders\n")
    rows = _csv_rows(out.read_bytes())
    assert [(r["order_number"], r["size"], r["quantity"]) for r in rows] == [
        ("SS27-000001", "M", "2"), ("SS27-000001", "S", "4"), ("SS27-000002", "F", "3"),
        ("AW27-000001", "L", "1")]
    first = rows[0]
    assert {k: first[k] for k in ("received_at", "link", "season", "language", "currency",
                                  "term", "deposit_percent", "buyer_company", "buyer_name",
                                  "buyer_email", "ship_country", "style_no", "style_name",
                                  "color", "color_name", "sku", "jan", "unit_price",
                                  "line_total")} == {
        "received_at": "2027-01-10T11:00:00+09:00", "link": "open", "season": "ss27",
        "language": "ja", "currency": "JPY", "term": "wsp", "deposit_percent": "30",
        "buyer_company": "セレクトショップ青山", "buyer_name": "田中 愛子",
        "buyer_email": "aiko@example.com", "ship_country": "JP", "style_no": "SS27-001",
        "style_name": "トレンチコート", "color": "BLK", "color_name": "ブラック",
        "sku": "SS27-001-BLK-M", "jan": "4901234567894", "unit_price": "21600",
        "line_total": "43200"}
    assert rows[2]["unit_price"] == "36.00"


def test_csv_export_neutralises_formulas(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(capsys, "orders", "export", "--database", database, "--link", "drop")
    assert code == 0
    rows = _csv_rows(out.encode("utf-8"))
    assert rows[0]["buyer_name"] == "'=HYPERLINK(\"http://x.test\",\"a\")"
    assert rows[0]["buyer_email"] == "'-x@example.com"
    assert all(not value.startswith(("=", "+", "-", "@")) for row in rows
               for value in row.values())


def test_xlsx_export_has_numbers_dates_and_a_frozen_header(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "orders.xlsx"
    assert _run(capsys, "orders", "export", "--format", "xlsx", "--database", database,
                "--timezone", "Asia/Tokyo", "--out", str(out))[0] == 0
    sheet = openpyxl.load_workbook(out).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == COLUMNS
    assert len(rows) == 5
    assert sheet.freeze_panes == "A2"
    column = {name: index + 1 for index, name in enumerate(COLUMNS)}
    assert sheet.cell(2, column["received_at"]).value == datetime(2027, 1, 10, 11, 0)
    assert sheet.cell(2, column["quantity"]).value == 2
    assert sheet.cell(2, column["line_total"]).value == 43200
    assert sheet.cell(2, column["line_total"]).number_format == "#,##0"
    assert sheet.cell(4, column["unit_price"]).value == 36
    assert sheet.cell(4, column["unit_price"]).number_format == "#,##0.00"
    # A buyer's formula is text, not a formula.
    name = sheet.cell(4, column["buyer_name"])
    assert (name.data_type, name.value) == ("s", "=HYPERLINK(\"http://x.test\",\"a\")")


def test_xlsx_export_needs_a_file(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "orders", "export", "--format", "xlsx", "--database",
                          database)
    assert (code, out) == (1, "")
    assert err == "error: an XLSX export needs a file: add --out orders.xlsx\n"


def test_the_file_name_says_the_format_and_may_not_contradict_it(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--out orders.xlsx` without --format once wrote CSV text into it, which Excel refuses
    to open; `--out totals.xlsx` a text table."""
    workbook = tmp_path / "orders.xlsx"
    assert _run(capsys, "orders", "export", "--database", database, "--out",
                str(workbook))[0] == 0
    assert openpyxl.load_workbook(workbook).active is not None
    totals = tmp_path / "totals.csv"
    assert _run(capsys, "orders", "totals", "--database", database, "--out", str(totals))[0] == 0
    assert totals.read_text(encoding="utf-8-sig").startswith("season,style_no,")
    for command, form, name, renamed, named in (
            ("export", "xlsx", "orders.csv", "orders.xlsx", "csv"),
            ("sales", "csv", "s.xlsx", "s.csv", "xlsx"),
            ("invoices", "text", "i.csv", "i.txt", "csv")):
        wrong = tmp_path / name
        code, out, err = _run(capsys, "orders", command, "--format", form, "--database",
                              database, "--out", str(wrong))
        assert (code, out) == (1, "")
        assert err == (f"error: --out '{wrong}' ends in {wrong.suffix} but --format is {form}; "
                       f"name the file {renamed}, or give --format {named} (or leave --format "
                       "out)\n")
        assert not wrong.exists()


@pytest.mark.parametrize("arguments", [
    ["show", "SS27-000001", "--html"], ["ship", "SS27-000001", "--html"],
    ["invoice", "SS27-000001", "--out"], ["credit", "INV-SS27-000001", "--amount", "100",
                                          "--reason", "damaged", "--out"],
])
def test_a_printable_page_is_written_only_to_an_html_file(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], arguments: list[str]
) -> None:
    """`--out invoice.pdf` once wrote the HTML page into a file no PDF reader opens."""
    page = tmp_path / "invoice.pdf"
    with pytest.raises(SystemExit) as stopped:
        main(["orders", *arguments, str(page), "--database", database])
    assert stopped.value.code == 2
    assert capsys.readouterr().err.endswith(
        f"'{page}' would hold a printable page, which is HTML: name it invoice.html, then open "
        "it in a browser to print it or save it as PDF\n")
    assert not page.exists()


def test_json_export_is_the_list_of_order_documents(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(capsys, "orders", "export", "--format", "json", "--out", "-",
                        "--database", database, "--season", "ss27")
    assert code == 0
    documents = json.loads(out)
    assert [d["order_number"] for d in documents] == ["SS27-000001", "SS27-000002"]
    assert documents[0]["received_at"] == "2027-01-10T02:00:00Z"
    assert documents[0]["lines"][0]["breakdown"] == JAPAN_STEPS
    assert Order.model_validate(documents[0]).total == "142560"


def test_an_export_into_a_missing_folder_fails_cleanly_and_writes_nothing(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "missing" / "orders.csv"
    code, _, err = _run(capsys, "orders", "export", "--database", database, "--out", str(out))
    assert code == 1
    assert err == (f"error: cannot write '{out}': the folder '{out.parent}' does not exist; "
                   "create it or choose another --out\n")
    assert not out.parent.exists()


def test_a_failed_write_leaves_the_old_file_and_no_temporary(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "orders.csv"
    out.write_bytes(b"previous export")

    def full_disk(self: Path, target: Path) -> Path:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "replace", full_disk)
    code, _, err = _run(capsys, "orders", "export", "--database", database, "--out", str(out))
    assert code == 1
    assert err == f"error: cannot write '{out}': No space left on device; nothing was written\n"
    assert out.read_bytes() == b"previous export"
    assert not list(tmp_path.glob(".orders.csv.*"))


def _parse_strict(page: str) -> Any:
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    return parser.parse(page)


def test_the_confirmation_page_is_valid_html_in_the_order_language(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "SS27-000001.html"
    code, printed, _ = _run(capsys, "orders", "show", "SS27-000001", "--database", database,
                            "--timezone", "Asia/Tokyo", "--html", str(out))
    assert (code, printed) == (0, f"wrote {out}: the confirmation of order SS27-000001\n")
    page = out.read_text("utf-8")
    tree = _parse_strict(page)
    assert tree.get("lang") == "ja"
    text = "".join(tree.itertext())
    for expected in ("注文確認書", "注文番号", "SS27-000001", "セレクトショップ青山", "￥142,560",
                     "￥42,768", "￥99,792", "消費税 10%", "上代 ￥48,000 × 45% = ￥21,600",
                     "2027年1月10日 11:00:00 JST", "@media print"):
        assert expected in text or expected in page, expected


def test_the_confirmation_page_names_the_link_season_and_term(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch, content: ContentDir,
) -> None:
    """With the endpoint's manifest there, by the names the buyer saw, as the e-mails do."""
    content.write("terms.yaml", """
        terms:
          - {code: wsp_rrp, label: WSP/RRP, basis: retail_rate}
          - {code: wsp, label: {en: Wholesale, ja: 卸価格}, basis: discount}
        """)
    catalog = content.load()
    manifest = tmp_path / "manifest.json"
    manifest.write_bytes(manifest_bytes(build_manifest(catalog, {})))
    monkeypatch.setenv("LINESHEETS_MANIFEST", str(manifest))
    out = tmp_path / "SS27-000001.html"
    assert _run(capsys, "orders", "show", "SS27-000001", "--database", database,
                "--html", str(out))[0] == 0
    tree = _parse_strict(out.read_text("utf-8"))
    facts = dict(zip((dt.text for dt in tree.iter("dt")), (dd.text for dd in tree.iter("dd")),
                     strict=False))
    assert (facts["注文リンク"], facts["シーズン"], facts["取引条件"]) == (
        "SS27 open", "2027年春夏", "卸価格")


def test_the_confirmation_page_escapes_what_the_buyer_typed(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "order.html"
    assert _run(capsys, "orders", "show", "SS27-000002", "--database", database,
                "--html", str(out))[0] == 0
    page = out.read_text("utf-8")
    _parse_strict(page)
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Order confirmation" in page


def test_resend_queues_the_given_up_notifications_again(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ("orders", "resend", "--database", database)
    code, out, _ = _run(capsys, *base[:2], "SS27-000001", *base[2:], "--channel", "brand-email")
    assert (code, out) == (0, "nothing to resend for order SS27-000001: none was given up "
                              "(brand-email pending)\n")
    code, out, _ = _run(capsys, *base[:2], "SS27-000001", *base[2:])
    assert code == 0 and out.startswith("queued again for order SS27-000001: webhook; ")
    store = SQLiteStore(Path(database.removeprefix("sqlite:///")))
    try:
        hook = {n.channel: n for n in store.notifications("SS27-000001")}["webhook"]
    finally:
        store.close()
    assert (hook.state, hook.attempts, hook.last_error) == (
        "pending", 0, "HTTP 502 from the webhook")
    code, out, _ = _run(capsys, *base[:2], "SS27-000001", *base[2:])
    assert out == ("nothing to resend for order SS27-000001: none was given up (brand-email "
                   "pending, webhook pending)\n")
    code, out, _ = _run(capsys, *base[:2], "SS27-000002", *base[2:])
    assert out == ("order SS27-000002 has no notification to send: none was set up when it "
                   "was placed\n")
    code, _, err = _run(capsys, *base[:2], "SS27-999999", *base[2:])
    assert (code, err) == (1, "error: no order 'SS27-999999' in the order store; "
                              "`linesheets orders list` shows the numbers\n")


def test_each_view_of_an_order_says_when_its_lines_ship(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Lines in two drops say so line by line; lines that ship together, once for the order;
    an order from before lines recorded it, nothing."""
    show = _run(capsys, "orders", "show", "SS27-000001", "--database", database)[1]
    lines = show.splitlines()
    assert "     delivery 2027-02-01 – 2027-03-15" in lines
    assert "     delivery 2027-04-15 – 2027-05-15" in lines
    assert not any(line.startswith("  delivery") for line in lines)
    together = _run(capsys, "orders", "show", "SS27-000002", "--database", database)[1]
    assert "  delivery   Summer drop" in together.splitlines()
    assert "delivery" not in _run(capsys, "orders", "show", "AW27-000001", "--database",
                                  database)[1]

    out = tmp_path / "orders.csv"
    assert _run(capsys, "orders", "export", "--database", database, "--out", str(out))[0] == 0
    assert [row["delivery"] for row in _csv_rows(out.read_bytes())] == [
        "2027-02-01/2027-03-15", "2027-04-15/2027-05-15", "Summer drop", ""]

    page = tmp_path / "SS27-000001.html"
    assert _run(capsys, "orders", "show", "SS27-000001", "--database", database,
                "--html", str(page))[0] == 0
    text = "".join(_parse_strict(page.read_text("utf-8")).itertext())
    assert "納期：2027年2月1日 – 2027年3月15日" in text
    assert "納期：2027年4月15日 – 2027年5月15日" in text
    assert _run(capsys, "orders", "show", "SS27-000002", "--database", database,
                "--html", str(page))[0] == 0
    tree = _parse_strict(page.read_text("utf-8"))
    facts = dict(zip((dt.text for dt in tree.iter("dt")), (dd.text for dd in tree.iter("dd")),
                     strict=False))
    assert facts["Delivery"] == "Summer drop"


def test_a_cancelled_order_says_so_everywhere_and_is_not_counted(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(capsys, "orders", "cancel", "SS27-000002", "--reason",
                        " The buyer asked by phone ", "--database", database,
                        "--timezone", "Asia/Tokyo")
    assert code == 0
    assert out.startswith("cancelled order SS27-000002 at ")
    assert out.rstrip().endswith("(The buyer asked by phone); its units are back in the "
                                 "stock; no e-mail or webhook was set up for the order: tell "
                                 "the buyer yourself")
    code, again, _ = _run(capsys, "orders", "cancel", "SS27-000002", "--database", database)
    assert code == 0 and "was already cancelled at" in again and "nothing changed" in again
    _, listed, _ = _run(capsys, "orders", "list", "--database", database)
    rows = {line.split()[0]: line.split()[-1] for line in listed.splitlines()[1:4]}
    assert rows == {"SS27-000001": "placed", "SS27-000002": "cancelled",
                    "AW27-000001": "placed"}
    assert listed.splitlines()[-1] == ("2 orders, 7 units; total €120.00 + ¥142,560; "
                                       "1 cancelled, not counted")
    for status, numbers in (("placed", ["SS27-000001", "AW27-000001"]),
                            ("cancelled", ["SS27-000002"])):
        _, listed, _ = _run(capsys, "orders", "list", "--status", status, "--database", database)
        assert _numbers(listed) == numbers
    _, shown, _ = _run(capsys, "orders", "show", "SS27-000002", "--database", database)
    assert shown.splitlines()[1].split()[0] == "CANCELLED"
    assert shown.splitlines()[1].endswith(": The buyer asked by phone")
    out_file = tmp_path / "orders.csv"
    _run(capsys, "orders", "export", "--database", database, "--out", str(out_file))
    exported = _csv_rows(out_file.read_bytes())
    assert [(r["order_number"], r["status"], r["cancel_reason"]) for r in exported] == [
        ("SS27-000001", "placed", ""), ("SS27-000001", "placed", ""),
        ("SS27-000002", "cancelled", "The buyer asked by phone"),
        ("AW27-000001", "placed", "")]
    assert exported[2]["cancelled_at"].endswith("+00:00") and not exported[0]["cancelled_at"]
    _, dumped, _ = _run(capsys, "orders", "export", "--format", "json", "--out", "-",
                        "--database", database)
    documents = {d["order_number"]: d for d in json.loads(dumped)}
    assert documents["SS27-000002"]["cancelled"]["reason"] == "The buyer asked by phone"
    assert documents["SS27-000002"]["cancelled"]["at"].endswith("Z")
    assert "cancelled" not in documents["SS27-000001"]
    page = tmp_path / "cancelled.html"
    _run(capsys, "orders", "show", "SS27-000002", "--html", str(page), "--database", database)
    assert "This order was cancelled on " in page.read_text(encoding="utf-8")  # English order


@pytest.mark.parametrize(("argv", "message"), [
    (["SS27-000099"], "no order 'SS27-000099' in the order store"),
    (["SS27-000001", "--reason", "x" * 501], "the reason is 501 characters; keep it to 500"),
    (["SS27-000001", "--reason", "late\u202e"], "invisible character U+202E"),
])
def test_a_cancellation_it_cannot_make_is_refused_with_the_reason(
    database: str, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, _, err = _run(capsys, "orders", "cancel", *argv, "--database", database)
    assert code == 1 and message in err
    _, listed, _ = _run(capsys, "orders", "list", "--database", database)
    assert "cancelled" not in listed


def test_a_cancellation_is_announced_where_the_order_was(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(capsys, "orders", "cancel", "SS27-000001", "--database", database)
    assert code == 0
    assert out.rstrip().endswith("announced like the order (brand-email, webhook): the running "
                                 "endpoint sends it within a minute")
    _, shown, _ = _run(capsys, "orders", "show", "SS27-000001", "--database", database)
    outbox = shown.split("Notifications\n", 1)[1].splitlines()
    assert [line.split()[0] for line in outbox if "(cancellation) pending" in line] == [
        "brand-email", "webhook"]


def test_totals_sum_the_standing_orders_per_style_colour_and_size(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without the manifest: in the order the orders name them, as the lines name them."""
    code, out, _ = _run(capsys, "orders", "totals", "--database", database)
    assert code == 0
    assert out.split("\n\n") == [
        "ss27 · SS27-001 トレンチコート\ncolour        M  S  units\nBLK ブラック  2  4      6\n"
        "total         2  4      6",
        "ss27 · SS27-004 Tote\ncolour       F  units\nNAT Natural  3      3\ntotal        3      3",
        "aw27 · AW27-010 Manteau\ncolour      L  units\nNVY Marine  1      1\n"
        "total       1      1",
        "3 orders; 3 styles, 4 colours and sizes, 10 units\n"]
    assert _run(capsys, "orders", "cancel", "SS27-000002", "--database", database)[0] == 0
    _, out, _ = _run(capsys, "orders", "totals", "--database", database, "--season", "ss27")
    assert "SS27-004" not in out and out.endswith("1 order; 1 style, 2 colours and sizes, "
                                                  "6 units\n")
    _, out, _ = _run(capsys, "orders", "totals", "--database", database, "--status",
                     "cancelled")
    assert out.startswith("ss27 · SS27-004 Tote") and "1 order; 1 style" in out
    _, out, _ = _run(capsys, "orders", "totals", "--database", database, "--season", "fw99")
    assert out == "no orders match\n"


def test_totals_follow_the_content_and_export_a_row_per_colour_and_size(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch, content: ContentDir,
) -> None:
    """With the manifest: the season's style order, the whole size run, the names in the
    brand's default language; CSV and XLSX have one row per colour and size ordered."""
    manifest = tmp_path / "manifest.json"
    manifest.write_bytes(manifest_bytes(build_manifest(content.load(), {})))
    monkeypatch.setenv("LINESHEETS_MANIFEST", str(manifest))
    _, out, _ = _run(capsys, "orders", "totals", "--database", database, "--season", "ss27")
    assert out.split("\n\n")[0] == (
        "ss27 · SS27-001 Trench coat\ncolour     S  M  L  units\nBLK Black  4  2  -      6\n"
        "total      4  2  -      6")
    target = tmp_path / "totals.csv"
    code, out, _ = _run(capsys, "orders", "totals", "--format", "csv", "--out", str(target),
                        "--database", database)
    assert (code, out) == (0, f"wrote {target}: 4 colours and sizes of 3 orders\n")
    rows = _csv_rows(target.read_bytes(), TOTAL_COLUMNS)
    assert [(r["style_no"], r["color"], r["size"], r["units"], r["orders"]) for r in rows] == [
        ("SS27-001", "BLK", "S", "4", "1"), ("SS27-001", "BLK", "M", "2", "1"),
        ("SS27-004", "NAT", "F", "3", "1"), ("AW27-010", "NVY", "L", "1", "1")]
    assert (rows[1]["style_name"], rows[1]["sku"], rows[1]["jan"]) == (
        "Trench coat", "SS27-001-BLK-M", "4901234567894")
    book = tmp_path / "totals.xlsx"
    assert _run(capsys, "orders", "totals", "--format", "xlsx", "--out", str(book),
                "--database", database)[0] == 0
    sheet = openpyxl.load_workbook(book).active
    assert sheet is not None and sheet.title == "Totals"
    assert [cell.value for cell in sheet[1]][-2:] == ["units", "orders"]
    assert [cell.value for cell in sheet[2]][-2:] == [4, 1]
    code, _, err = _run(capsys, "orders", "totals", "--format", "xlsx", "--database", database)
    assert code == 1 and "needs a file: add --out totals.xlsx" in err
