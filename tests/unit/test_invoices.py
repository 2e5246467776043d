"""Invoices (`linesheets orders invoice`): brand.yaml's invoicing checked, each part of an
order invoiced once and printed again the same, the page carrying what a qualified invoice
must, and every invoice it cannot issue refused with the reason. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import html5lib
import pytest

from generator.cli import main
from order_api.settings import DeliverySettings, read_smtp_url
from order_api.store import Installment, Invoice, PaymentRefused
from tests.unit.conftest import ContentDir
from tests.unit.endpoint import OFFICE_TODAY, FrozenClock, weeks_later
from tests.unit.invoicing import DEPOSIT, INVOICING, append_brand, placed
from tests.unit.old_stores import ORDER, sqlite_at
from tests.unit.receivers import SmtpSink
from tests.unit.shop import Shop


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["orders", "invoice", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _register(folder: Path) -> list[dict[str, str]]:
    """`orders invoices --format csv`'s rows."""
    target = folder / "invoices.csv"
    assert main(["orders", "invoices", "--format", "csv", "--out", str(target)]) == 0
    return list(csv.DictReader(io.StringIO(target.read_bytes().decode("utf-8-sig"))))


def _text(path: Path) -> tuple[Any, str]:
    page = path.read_text("utf-8")
    tree = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(page)
    return tree, " ".join(" ".join(tree.itertext()).split())


@pytest.mark.parametrize("value", ["T3010401000000", "T7000012050002"])
def test_a_registration_number_with_its_check_digit_is_taken(
    content: ContentDir, value: str
) -> None:
    content.edit("brand.yaml", "base_url", f"invoicing: {{registration_number: {value}}}\n"
                 "base_url")
    invoicing = content.load().brand.invoicing
    assert invoicing is not None and invoicing.registration_number == value


@pytest.mark.parametrize(("value", "message"), [
    ("T4010401000000", "its check digit (the first after T) should be 3"),
    ("T301040100000", "write T and its 13 digits"),
    ("3010401000000", "write T and its 13 digits"),
    ("T3010-4010-0000-0", "write T and its 13 digits"),
])
def test_a_mistyped_registration_number_is_refused_with_the_way_out(
    content: ContentDir, value: str, message: str
) -> None:
    content.edit("brand.yaml", "base_url", f"invoicing: {{registration_number: '{value}'}}\n"
                 "base_url")
    problem = content.problem()
    assert (problem.file, problem.field) == ("content/brand.yaml", "invoicing.registration_number")
    assert message in problem.message


@pytest.mark.parametrize(("accounts", "field", "message"), [
    ("[{currencies: [EUR], details: x}]", "invoicing.bank_accounts[0].currencies[0]",
     "EUR is not one of the brand's currencies (JPY, USD); add it to currencies, or remove "
     "it"),
    ("[{currencies: [JPY], details: x}, {currencies: [USD, JPY], details: y}]",
     "invoicing", "bank_accounts 1 and 2 both take JPY; give each currency one account"),
    ("[{currencies: [], details: x}]", "invoicing.bank_accounts[0].currencies", "at least 1"),
])
def test_bank_accounts_must_each_take_the_brands_currencies_once(
    content: ContentDir, accounts: str, field: str, message: str
) -> None:
    content.edit("brand.yaml", "base_url", f"invoicing: {{bank_accounts: {accounts}}}\n"
                 "base_url")
    problem = content.problem()
    assert (problem.file, problem.field) == ("content/brand.yaml", field)
    assert message in problem.message


def test_each_part_is_issued_once_and_a_cancelled_order_gets_none(shop: Shop) -> None:
    """The store's side, on each backend: once per order and part; the first one stands."""
    first, other = placed(shop), placed(shop, key="key-0002")
    now = datetime(2027, 1, 12, 3, 0, tzinfo=UTC)
    deposit = Invoice(first, "deposit", date(2027, 1, 12), date(2027, 1, 19))
    assert shop.store.issue_invoice(deposit, now) == (deposit, True)
    again = Invoice(first, "deposit", date(2027, 2, 1), date(2027, 2, 8))
    assert shop.store.issue_invoice(again, now) == (deposit, False)
    balance = Invoice(first, "balance", date(2027, 3, 1), date(2027, 3, 31))
    assert shop.store.issue_invoice(balance, now) == (balance, True)
    assert shop.store.invoices(first) == [deposit, balance]
    assert shop.store.invoices(other) == []
    assert shop.store.issue_invoice(Invoice("SS27-000999", "full", date(2027, 1, 12),
                                            date(2027, 2, 11)), now) is None
    assert shop.store.cancel(other, None, now) is not None
    assert shop.store.issue_invoice(Invoice(other, "full", date(2027, 1, 12),
                                            date(2027, 2, 11)), now) is None
    assert shop.store.invoices(other) == []
    assert (deposit.number, balance.number) == (f"INV-{first}-D", f"INV-{first}-B")
    assert Invoice(other, "full", date(2027, 1, 12), date(2027, 2, 11)).number == (
        f"INV-{other}")


def test_a_deposit_order_is_invoiced_for_its_deposit_then_its_balance(
    invoicing: Shop, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    invoicing.content.edit("links/open.yaml", *DEPOSIT)
    invoicing.republish()
    number = placed(invoicing)
    code, out, err = _run(capsys, number, "--date", "2027-01-12")
    assert (code, err) == (0, "")
    assert out == (f"wrote INV-{number}-D.html: invoice INV-{number}-D of order {number}, "
                   "issued; the deposit, ¥14,256 due by 2027-01-19\n")
    tree, text = _text(tmp_path / f"INV-{number}-D.html")
    assert tree.get("lang") == "ja"
    for expected in ("請求書", "株式会社アトリエテスト", "東京都千代田区丸の内1-1-1",
                     "登録番号：T3010401000000", f"請求書番号 INV-{number}-D",
                     "発行日 2027年1月12日", "お支払期限 2027年1月19日",
                     "ご請求内容 前払金（30%）", f"注文番号 {number}", "Select Shop Aoyama",
                     "小計 (10%対象) ￥43,200", "消費税 10% ￥4,320", "合計 ￥47,520",
                     "前払金（30%） ￥14,256", "ご請求金額：￥14,256",
                     "2027年1月19日までにお支払いください。",
                     "エグザンプル銀行 丸の内支店 普通 1234567", "振込手数料はご負担ください。"):
        assert expected in text, expected
    # Printed again: the same invoice, whatever day it is printed.
    code, out, _ = _run(capsys, number, "--out", str(tmp_path / "again.html"))
    assert code == 0 and "printed again (issued 2027-01-12)" in out
    assert _text(tmp_path / "again.html")[1] == text
    code, out, _ = _run(capsys, number, "--part", "balance", "--date", "2027-03-01")
    assert code == 0 and f"invoice INV-{number}-B" in out and "¥33,264 due by 2027-03-31" in out
    _, balance = _text(tmp_path / f"INV-{number}-B.html")
    for expected in ("ご請求内容 残金", f"前払金控除（請求書 INV-{number}-D） -￥14,256",
                     "残金 ￥33,264", "ご請求金額：￥33,264"):
        assert expected in balance, expected
    shown = main(["orders", "show", number])
    assert shown == 0
    listed = capsys.readouterr().out.split("Invoices\n", 1)[1].split("\n\n", 1)[0]
    assert listed.splitlines() == [
        f"  INV-{number}-D    deposit  issued 2027-01-12, due 2027-01-19",
        f"  INV-{number}-B    balance  issued 2027-03-01, due 2027-03-31"]


def test_an_order_without_a_deposit_is_invoiced_whole_in_its_language(
    invoicing: Shop, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    number = placed(invoicing, language="en", currency="USD", address={
        "country": "FR", "postal_code": "75003", "city": "Paris", "line1": "12 rue de Bretagne"})
    code, out, _ = _run(capsys, number, "--date", "2027-01-12")
    assert code == 0 and out.endswith("the whole order, $316.80 due by 2027-02-11\n")
    tree, text = _text(tmp_path / f"INV-{number}.html")
    assert tree.get("lang") == "en"
    # The delivery address as on a label, its country named in the order's language.
    for expected in ("Invoice", "Atelier Test Co., Ltd.", "1-1-1 Marunouchi",
                     "12 rue de Bretagne 75003 Paris France",
                     "Registration number: T3010401000000", "Invoice for The whole order",
                     "Subtotal (Taxable at 10%) $288.00", "Consumption tax 10% $28.80",
                     "Total $316.80", "Amount due: $316.80", "Please pay by February 11, 2027.",
                     "SWIFT EXBKJPJT, account 0001234567"):
        assert expected in text, expected
    assert "Balance" not in text and "Deposit" not in text


@pytest.mark.parametrize(("deposit", "argv", "message"), [
    (False, ["--part", "deposit"], "has no deposit (its terms bill without one): issue "
                                   "--part full, or leave --part out"),
    (False, ["--part", "balance"], "has no deposit"),
    (True, ["--part", "full"], "bills a 30% deposit: issue --part deposit, then --part "
                               "balance"),
])
def test_a_part_the_terms_do_not_bill_is_refused(
    invoicing: Shop, tmp_path: Path, capsys: pytest.CaptureFixture[str], deposit: bool,
    argv: list[str], message: str,
) -> None:
    if deposit:
        invoicing.content.edit("links/open.yaml", *DEPOSIT)
        invoicing.republish()
    number = placed(invoicing)
    code, _, err = _run(capsys, number, *argv)
    assert code == 1 and message in err and err.startswith(f"error: order {number} ")
    assert invoicing.store.invoices(number) == []
    assert list(tmp_path.glob("*.html")) == []


def test_an_invoice_is_dated_on_or_after_the_day_its_order_came_in_there(
    invoicing: Shop, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The day an order came in is the brand's: received at 01:00 in Tokyo on 10 January
    (still the 9th in UTC), its invoice may be dated the 10th, not the 9th (a mistyped day
    would date it before the order existed)."""
    invoicing.clock.now = datetime(2027, 1, 9, 16, 0, tzinfo=UTC)
    number = placed(invoicing)
    code, _, err = _run(capsys, number, "--date", "2027-01-09")
    assert code == 1 and err == (
        f"error: --date 2027-01-09 is before order {number} was received (2027-01-10 in "
        "Asia/Tokyo): an invoice comes after the order it bills\n")
    assert invoicing.store.invoices(number) == [] and list(tmp_path.glob("*.html")) == []
    code, out, _ = _run(capsys, number, "--date", "2027-01-10")
    assert code == 0 and [each.issued_on for each in invoicing.store.invoices(number)] == [
        date(2027, 1, 10)], out


def test_an_issued_invoice_keeps_its_date_and_a_cancelled_order_gets_no_new_one(
    invoicing: Shop, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    number = placed(invoicing)
    assert _run(capsys, number, "--date", "2027-01-12")[0] == 0
    code, _, err = _run(capsys, number, "--date", "2027-01-13")
    assert (code, err) == (1, f"error: invoice INV-{number} was issued on 2027-01-12; an "
                              "issued invoice keeps its date: leave out --date to print it "
                              "again\n")
    other = placed(invoicing, key="key-0002")
    assert main(["orders", "cancel", other, "--reason", "Out of fabric"]) == 0
    assert main(["orders", "cancel", number]) == 0
    capsys.readouterr()
    code, _, err = _run(capsys, other)
    assert code == 1 and f"error: order {other} was cancelled at " in err
    assert "no invoice can be issued for it" in err
    assert not (tmp_path / f"INV-{other}.html").exists()
    code, _, err = _run(capsys, number, "--send")
    assert (code, err) == (1, f"error: order {number} was cancelled: its invoices are not "
                              "sent; leave out --send to print one\n")
    # An invoice issued before the cancellation prints again, saying so.
    code, _, _ = _run(capsys, number, "--out", str(tmp_path / "cancelled.html"))
    assert code == 0
    assert "このご注文は" in _text(tmp_path / "cancelled.html")[1]


def test_the_brand_hears_what_its_invoices_lack(
    shop: Shop, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", shop.database_url)
    monkeypatch.chdir(tmp_path)
    number = placed(shop)
    monkeypatch.setenv("LINESHEETS_MANIFEST", str(tmp_path / "missing.json"))
    code, _, err = _run(capsys, number)
    assert code == 1 and "an invoice names the brand and where to pay" in err
    assert shop.store.invoices(number) == []
    monkeypatch.setenv("LINESHEETS_MANIFEST", str(shop.private / "manifest.json"))
    code, _, err = _run(capsys, number)
    assert code == 0 and err == (
        "note: brand.yaml has no `invoicing`: the invoice names the brand only, with no "
        "address, registration number or bank account (docs/content-format.md)\n")
    _, text = _text(tmp_path / f"INV-{number}.html")
    assert "Atelier Test" in text and "登録番号" not in text and "お振込先" not in text
    append_brand(shop, "invoicing: {bank_accounts: [{currencies: [USD], details: SWIFT X}],\n"
                  "            issuer: '<b>Atelier</b> & Co'}\n")
    code, _, err = _run(capsys, number)
    assert code == 0 and err == ("note: brand.yaml's invoicing has no bank account for JPY: "
                                 "the invoice does not say where to pay\n")
    page = (tmp_path / f"INV-{number}.html").read_text("utf-8")
    assert "&lt;b&gt;Atelier&lt;/b&gt; &amp; Co" in page and "<b>" not in page
    code, _, err = _run(capsys, "SS27-000999")
    assert code == 1 and "no order 'SS27-000999' in the order store" in err


def test_a_database_from_before_invoices_is_migrated_and_keeps_its_orders(
    tmp_path: Path,
) -> None:
    """Schema 4 (stock, cancellations) gains the invoices, payments, amendments and
    shipments tables and the outbox's new events: its order is invoiced, paid and shipped,
    its notification kept, the invoice's e-mail and the shipment's queued."""
    from order_api.store import SQLiteStore

    path = tmp_path / "orders.sqlite3"
    with sqlite_at(path, 4) as db:
        db.execute(ORDER)
        db.execute("INSERT INTO notifications (order_id, event, channel, state, "
                   "next_attempt_at) VALUES (1, 'order.placed', 'buyer-email', 'sent', "
                   "'2027-01-10T02:00:01.000000Z')")
        db.execute("INSERT INTO order_lines VALUES (1, 0, 'SS27-001', 'BLK', 'M', NULL, NULL, "
                   "4, '10800', '43200', '[]')")
    store = SQLiteStore(path)
    try:
        invoice = Invoice("SS27-000001", "full", date(2027, 1, 12), date(2027, 2, 11))
        assert store.issue_invoice(invoice, datetime(2027, 1, 12, tzinfo=UTC)) == (invoice,
                                                                                    True)
        assert store.invoices("SS27-000001") == [invoice]
        assert store.send_invoice(invoice, datetime(2027, 1, 12, tzinfo=UTC)) == [
            "buyer-email"]
        assert [(n.event, n.channel, n.state) for n in store.notifications("SS27-000001")] == [
            ("order.placed", "buyer-email", "sent"), ("invoice.full", "buyer-email", "pending")]
        paid = store.record_payment("SS27-000001", "full", date(2027, 1, 20), None,
                                    datetime(2027, 1, 20, tzinfo=UTC))
        assert paid is not None and paid[0].paid_on == date(2027, 1, 20)
        assert paid[0].received_of(Decimal(43200)) == Decimal(43200)  # paid whole
        assert store.amendments() == {}  # the amendments table is there, empty
        assert store.shipments() == {}  # and the shipments'
        shipped = store.ship("SS27-000001", None, date(2027, 1, 21), None, None, None,
                             datetime(2027, 1, 21, tzinfo=UTC))
        assert shipped.cells == (("SS27-001", "BLK", "M", 4),)
        assert [n.event for n in store.notifications("SS27-000001")][-1] == "order.shipped"
    finally:
        store.close()


@pytest.fixture
def mailing(content: ContentDir, tmp_path: Path, api_clock: FrozenClock, database_url: str,
            smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch) -> Iterator[Shop]:
    """A shop with invoicing whose orders are e-mailed to the brand and the buyer, on each
    backend, with a deposit on its open link; the `orders` commands pointed at it."""
    content.edit("brand.yaml", "timezone: Asia/Tokyo\n", "timezone: Asia/Tokyo\n"
                 "notifications: {emails: [orders@atelier.example]}\n" + INVOICING)
    content.edit("links/open.yaml", *DEPOSIT)
    shop = Shop(content, tmp_path, api_clock, database_url, delivery=DeliverySettings(
        smtp=read_smtp_url(smtp_sink.url), mail_from="Atelier <noreply@atelier.example>",
        interval=0.01))
    monkeypatch.setenv("LINESHEETS_MANIFEST", str(shop.private / "manifest.json"))
    monkeypatch.setenv("DATABASE_URL", shop.database_url)
    monkeypatch.chdir(tmp_path)
    yield shop
    shop.store.close()


def test_an_invoice_is_mailed_to_the_buyer_with_a_copy_to_the_brand(
    mailing: Shop, smtp_sink: SmtpSink, capsys: pytest.CaptureFixture[str]
) -> None:
    number = placed(mailing)
    worker = mailing.worker()
    assert asyncio.run(worker.deliver_due()) == 2  # the order's own e-mails
    smtp_sink.mails.clear()
    code, out, _ = _run(capsys, number, "--date", "2027-01-12", "--send")
    assert code == 0
    assert out.splitlines()[1] == ("e-mail queued (brand-email, buyer-email): the running "
                                   "endpoint sends it within a minute")
    assert asyncio.run(worker.deliver_due()) == 2
    brand, buyer = sorted(smtp_sink.mails, key=lambda mail: mail.recipients[0] !=
                          "orders@atelier.example")
    assert buyer.recipients == ["aiko@example.com"]
    assert buyer.message["Subject"] == f"Atelier Test より請求書 INV-{number}-D"
    assert brand.message["Subject"] == f"請求書 INV-{number}-D を Select Shop Aoyama に送付"
    text = buyer.part("plain")
    for expected in (f"ご注文 {number} の請求書 INV-{number}-D を添付にてお送りいたします。",
                     "ご請求金額：￥14,256", "2027年1月19日までにお支払いください。",
                     "エグザンプル銀行 丸の内支店 普通 1234567", "株式会社アトリエテスト"):
        assert expected in text, expected
    assert "を aiko@example.com に送付しました" in brand.part("plain")
    [attached] = list(buyer.message.iter_attachments())
    assert attached.get_filename() == f"INV-{number}-D.html"
    page = attached.get_content().replace("\r\n", "\n")
    assert f"INV-{number}-D" in page and "登録番号：T3010401000000" in page
    # The page the command printed (mail lines end in CRLF, and the last one is ended).
    assert Path(f"INV-{number}-D.html").read_text("utf-8").rstrip() == page.rstrip()
    # Sent once: asked again, it says how the e-mails stand and queues nothing.
    code, out, _ = _run(capsys, number, "--send")
    assert code == 0 and "its e-mail was queued before (brand-email sent " in out
    assert asyncio.run(worker.deliver_due()) == 0
    assert main(["orders", "show", number]) == 0
    shown = capsys.readouterr().out
    assert "buyer-email (deposit invoice) sent, 1 attempt" in shown


def test_an_invoice_is_not_mailed_where_the_order_was_not(
    invoicing: Shop, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    number = placed(invoicing)
    code, _, err = _run(capsys, number, "--send")
    assert code == 1 and err == (
        f"error: order {number} was placed without e-mails (LINESHEETS_SMTP_URL was not "
        "set): its invoice cannot be e-mailed from here; leave out --send and send the page "
        "yourself\n")
    assert invoicing.store.invoices(number) == [] and list(tmp_path.glob("*.html")) == []


def test_payments_are_recorded_once_and_the_register_says_what_is_outstanding(
    invoicing: Shop, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    late = placed(invoicing)
    recent = placed(invoicing, key="key-0002", language="en", currency="USD")
    weeks_later(invoicing.clock)
    today = OFFICE_TODAY
    assert _run(capsys, late, "--date", (today - timedelta(days=40)).isoformat())[0] == 0
    assert _run(capsys, recent, "--date", today.isoformat())[0] == 0
    assert main(["orders", "invoices"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[0].split() == ["invoice", "issued", "due", "buyer", "amount", "status"]
    assert listed[1].split()[0] == f"INV-{late}" and listed[1].endswith("overdue 10 days")
    assert listed[2].split()[0] == f"INV-{recent}" and listed[2].endswith("due in 30 days")
    assert listed[-1] == ("2 invoices; outstanding ¥47,520 + $316.80, of which overdue "
                          "¥47,520")
    paid_on = (today - timedelta(days=2)).isoformat()
    assert main(["orders", "paid", f"INV-{late}", "--date", paid_on, "--note",
                 "Bank ref 0042"]) == 0
    assert capsys.readouterr().out == (f"recorded invoice INV-{late} (¥47,520) paid on "
                                       f"{paid_on}\n")
    assert main(["orders", "paid", f"INV-{late}"]) == 0
    assert capsys.readouterr().out == (f"invoice INV-{late} was recorded paid on {paid_on} "
                                       "already: nothing changed\n")
    assert main(["orders", "invoices", "--status", "paid"]) == 0
    paid = capsys.readouterr().out.splitlines()
    assert paid[1].endswith(f"paid {paid_on}") and paid[-1] == (
        "1 invoice; outstanding nothing")
    assert main(["orders", "invoices", "--status", "overdue"]) == 0
    assert capsys.readouterr().out == "no invoices match\n"
    rows = _register(tmp_path)
    assert [(r["invoice_number"], r["amount_due"], r["status"], r["paid_on"],
             r["payment_note"]) for r in rows] == [
        (f"INV-{late}", "47520", "paid", paid_on, "Bank ref 0042"),
        (f"INV-{recent}", "316.80", "unpaid", "", "")]
    assert main(["orders", "show", late]) == 0
    assert f", paid {paid_on}" in capsys.readouterr().out
    # An unpaid invoice of an order cancelled since is void: nobody owes it.
    assert main(["orders", "cancel", recent]) == 0
    capsys.readouterr()
    assert main(["orders", "invoices", "--status", "void"]) == 0
    void = capsys.readouterr().out.splitlines()
    assert void[1].split()[0] == f"INV-{recent}" and void[1].endswith("void (order cancelled)")
    assert void[-1] == "1 invoice; outstanding nothing"
    assert main(["orders", "invoices", "--status", "unpaid"]) == 0
    assert capsys.readouterr().out == "no invoices match\n"


@pytest.mark.parametrize(("argv", "message"), [
    (["SS27-000001"], "'SS27-000001' is not an invoice number; they read INV-SS27-000042"),
    (["INV-SS27-000001-B"], "no invoice INV-SS27-000001-B was issued"),
    (["INV-SS27-000001", "--date", "2099-01-01"], "--date 2099-01-01 is after today ("),
    (["INV-SS27-000001", "--date", "2027-01-09"], "--date 2027-01-09 is before order "
                                                  "SS27-000001 was received (2027-01-10 in "
                                                  "Asia/Tokyo): a payment comes after"),
    (["INV-SS27-000001", "--note", "ref\u202e"], "the note holds the invisible character "
                                                  "U+202E"),
])
def test_a_payment_it_cannot_record_is_refused_with_the_reason(
    invoicing: Shop, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    number = placed(invoicing)
    assert number == "SS27-000001" and _run(capsys, number)[0] == 0
    assert main(["orders", "paid", *argv]) == 1
    assert message in capsys.readouterr().err
    assert [each.paid_on for each in invoicing.store.invoices(number)] == [None]


def test_an_invoice_paid_in_parts_says_what_is_left_until_the_last_part_pays_it(
    invoicing: Shop, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    number = placed(invoicing)
    weeks_later(invoicing.clock)
    today = OFFICE_TODAY
    assert _run(capsys, number, "--date", (today - timedelta(days=40)).isoformat())[0] == 0
    first = (today - timedelta(days=3)).isoformat()
    assert main(["orders", "paid", f"INV-{number}", "--amount", "20000", "--date", first,
                 "--note", "first transfer"]) == 0
    assert capsys.readouterr().out == (
        f"recorded ¥20,000 received on {first} for invoice INV-{number}: ¥20,000 of ¥47,520 "
        "received, ¥27,520 outstanding\n")
    assert main(["orders", "invoices"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[1].endswith("overdue 10 days, ¥20,000 received")
    assert listed[-1] == "1 invoice; outstanding ¥27,520, of which overdue ¥27,520"
    # More than is left is refused, and nothing is recorded.
    assert main(["orders", "paid", f"INV-{number}", "--amount", "30000"]) == 1
    assert capsys.readouterr().err == (
        f"error: --amount 30000 is more than is outstanding of invoice INV-{number}: ¥27,520 "
        "(of ¥47,520); record what it asks\n")
    [invoice] = invoicing.store.invoices(number)
    assert [(each.amount, each.note) for each in invoice.received] == [
        (Decimal(20000), "first transfer")]
    # Without --amount: the rest, which pays it.
    assert main(["orders", "paid", f"INV-{number}"]) == 0
    assert capsys.readouterr().out == (
        f"recorded invoice INV-{number} (¥47,520) paid on {today.isoformat()}, its last "
        "¥27,520\n")
    assert main(["orders", "invoices"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[1].endswith(f"paid {today.isoformat()}")
    assert listed[-1] == "1 invoice; outstanding nothing"
    [row] = _register(tmp_path)
    assert (row["status"], row["received"], row["outstanding"], row["written_off"]) == (
        "paid", "47520", "0", "")
    assert main(["orders", "show", number]) == 0
    shown = capsys.readouterr().out
    assert f"received ¥20,000 on {first}: first transfer" in shown
    assert f"received ¥27,520 on {today.isoformat()}" in shown
    assert main(["orders", "paid", f"INV-{number}", "--amount", "5"]) == 1
    assert "nothing is outstanding" in capsys.readouterr().err


def test_a_payment_short_of_the_invoice_settles_it_with_the_rest_written_off(
    invoicing: Shop, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A transfer from abroad arrives less the banks' charges: the brand takes it as payment
    in full, and the register says what was given up."""
    number = placed(invoicing, language="en", currency="USD")
    weeks_later(invoicing.clock)
    today = OFFICE_TODAY.isoformat()
    assert _run(capsys, number)[0] == 0
    assert main(["orders", "paid", f"INV-{number}", "--amount", "301.80", "--settle",
                 "--note", "less bank charges"]) == 0
    assert capsys.readouterr().out == (
        f"recorded invoice INV-{number} paid on {today} with $301.80, $15.00 written off "
        "(of $316.80)\n")
    assert main(["orders", "invoices"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[1].endswith(f"paid {today}, $15.00 written off")
    assert listed[-1] == "1 invoice; outstanding nothing"
    [row] = _register(tmp_path)
    assert (row["status"], row["received"], row["outstanding"], row["written_off"]) == (
        "paid", "301.80", "0.00", "15.00")


@pytest.mark.parametrize(("argv", "message"), [
    (["--settle"], "--settle records a payment of less than is outstanding as paying the "
                   "invoice: give the amount received with --amount"),
    (["--amount", "0"], "--amount '0' is not an amount of JPY: write it as a "
                        "number with at most 0 decimals, without separators, e.g. 42000"),
    (["--amount", "-500"], "--amount '-500' is not an amount of JPY"),
    (["--amount", "1200.5"], "--amount '1200.5' is not an amount of JPY"),
    (["--amount", "1e4"], "--amount '1e4' is not an amount of JPY"),
    (["--amount", "12,000"], "--amount '12,000' is not an amount of JPY"),
    (["--amount", "NaN"], "--amount 'NaN' is not an amount of JPY"),
])
def test_an_amount_it_cannot_take_is_refused_with_the_way_out(
    invoicing: Shop, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    number = placed(invoicing)
    assert _run(capsys, number)[0] == 0
    assert main(["orders", "paid", f"INV-{number}", *argv]) == 1
    assert message in capsys.readouterr().err
    [invoice] = invoicing.store.invoices(number)
    assert (invoice.paid_on, invoice.received) == (None, ())


def test_the_store_records_a_payment_only_on_what_its_recorder_saw(
    invoicing: Shop, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two people recording payments of one invoice at once: the second, made on what was
    outstanding before the first, is refused rather than counted on a stale balance."""
    number = placed(invoicing)
    assert _run(capsys, number)[0] == 0
    store, now, day = invoicing.store, datetime.now(UTC), date(2027, 1, 20)
    part = store.receive(number, "full", Installment(day, Decimal(10000), None), now, seen=0)
    assert part is not None and part.received_of(Decimal(47520)) == Decimal(10000)
    with pytest.raises(PaymentRefused, match=f"another payment of invoice INV-{number} was "
                                             "recorded meanwhile"):
        store.receive(number, "full", Installment(day, Decimal(10000), None), now, seen=0)
    paid = store.receive(number, "full", Installment(day, Decimal(37520), "rest"), now, seen=1,
                         pays=True)
    assert paid is not None and paid.paid_on == day and paid.written_off is None
    with pytest.raises(PaymentRefused, match="was recorded paid on 2027-01-20"):
        store.receive(number, "full", Installment(day, Decimal(1), None), now, seen=2)
    assert store.receive("SS27-000999", "full", Installment(day, Decimal(1), None), now,
                         seen=0) is None


def test_a_reminder_of_an_invoice_paid_in_part_asks_for_what_is_left(
    mailing: Shop, smtp_sink: SmtpSink, capsys: pytest.CaptureFixture[str]
) -> None:
    number = placed(mailing)
    worker = mailing.worker()
    assert asyncio.run(worker.deliver_due()) == 2
    weeks_later(mailing.clock)
    issued = OFFICE_TODAY - timedelta(days=30)
    assert _run(capsys, number, "--date", issued.isoformat())[0] == 0  # the deposit, ¥14,256
    assert main(["orders", "paid", f"INV-{number}-D", "--amount", "10000"]) == 0
    assert main(["orders", "remind"]) == 0
    capsys.readouterr()
    smtp_sink.mails.clear()
    assert asyncio.run(worker.deliver_due()) == 2
    buyer = next(mail for mail in smtp_sink.mails if mail.recipients == ["aiko@example.com"])
    assert f"- INV-{number}-D：￥14,256 のうち未払い ￥4,256（お支払期限 " in buyer.part("plain")


def test_overdue_invoices_are_reminded_each_time_as_a_new_message(
    mailing: Shop, smtp_sink: SmtpSink, capsys: pytest.CaptureFixture[str]
) -> None:
    number = placed(mailing)
    worker = mailing.worker()
    assert asyncio.run(worker.deliver_due()) == 2  # the order's own e-mails
    weeks_later(mailing.clock)
    issued = OFFICE_TODAY - timedelta(days=30)
    assert _run(capsys, number, "--date", issued.isoformat())[0] == 0  # the deposit, due +7
    smtp_sink.mails.clear()
    assert main(["orders", "remind"]) == 0
    assert capsys.readouterr().out == (
        f"queued payment reminders of 1 order ({number}): the running endpoint sends them "
        "within a minute, each with the order's unpaid invoices\n")
    assert asyncio.run(worker.deliver_due()) == 2
    buyer = next(mail for mail in smtp_sink.mails if mail.recipients == ["aiko@example.com"])
    assert buyer.message["Subject"] == (f"【Atelier Test】ご注文 {number} のお支払いについての"
                                        "ご案内")
    text = buyer.part("plain")
    assert f"- INV-{number}-D：￥14,256（お支払期限 " in text
    assert "エグザンプル銀行 丸の内支店 普通 1234567" in text
    assert [each.get_filename() for each in buyer.message.iter_attachments()] == [
        f"INV-{number}-D.html"]
    first = buyer.message["Message-ID"]
    # Reminded again: a new message, not a copy the receiving side may drop.
    assert main(["orders", "remind", f"INV-{number}-D"]) == 0
    capsys.readouterr()
    smtp_sink.mails.clear()
    assert asyncio.run(worker.deliver_due()) == 2
    again = next(mail for mail in smtp_sink.mails if mail.recipients == ["aiko@example.com"])
    assert again.message["Message-ID"] != first and again.message["Message-ID"].endswith(
        ".1@atelier.example>")
    assert main(["orders", "show", number]) == 0
    assert "buyer-email (payment reminder) sent" in capsys.readouterr().out
    assert main(["orders", "paid", f"INV-{number}-D"]) == 0
    capsys.readouterr()
    assert main(["orders", "remind"]) == 0
    assert capsys.readouterr().out == "no invoice is overdue: nothing to remind\n"
    assert main(["orders", "remind", f"INV-{number}-D"]) == 1
    assert "was paid on" in capsys.readouterr().err
    for wrong, message in (("INV-SS27-000999", "no invoice INV-SS27-000999 was issued"),
                           ("SS27-000001", "is not an invoice number")):
        assert main(["orders", "remind", wrong]) == 1
        assert message in capsys.readouterr().err


def test_an_invoice_it_cannot_write_is_not_issued(
    invoicing: Shop, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    number = placed(invoicing)
    missing = tmp_path / "no-such-folder" / "invoice.html"
    code, _, err = _run(capsys, number, "--out", str(missing))
    assert code == 1 and f"the folder '{missing.parent}' does not exist" in err
    assert invoicing.store.invoices(number) == []


def test_the_register_reads_only_the_invoiced_orders(
    invoicing: Shop, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store holds many more orders than invoices: the register looks up each invoiced
    order by its number and never lists the whole store."""
    invoiced = placed(invoicing)
    placed(invoicing, key="key-0002")  # not invoiced
    assert _run(capsys, invoiced)[0] == 0
    store_class = type(invoicing.store)

    def every_order(*_: object) -> Iterator[object]:
        raise AssertionError("the register listed every stored order")

    monkeypatch.setattr(store_class, "orders", every_order)
    assert main(["orders", "invoices"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in listed if line.startswith("INV-")] == [
        f"INV-{invoiced}"]
    assert listed[-1].startswith("1 invoice; outstanding")
