"""Credit notes (`linesheets orders credit`): part of an issued invoice given back, with its
tax at the order's rate as a qualified credit note shows it; the invoice then asks less, or
the buyer is owed it back when it was paid; printed again the same; every credit note it
cannot issue refused with the reason. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import csv
import io
import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import html5lib
import pytest

from generator.cli import main
from generator.manifest import Manifest
from order_api.credit_note import credit_tax
from order_api.store import CreditNote, CreditRefused
from tests.unit.endpoint import OFFICE_TODAY, weeks_later
from tests.unit.invoicing import INVOICING, append_brand, placed
from tests.unit.old_stores import ORDER, sqlite_at
from tests.unit.receivers import SmtpSink
from tests.unit.shop import Shop


def _issue(shop: Shop, capsys: pytest.CaptureFixture[str], **changes: str) -> str:
    """An order placed and invoiced whole 40 days ago (due 30 days later): its number."""
    number = placed(shop, **changes)
    weeks_later(shop.clock)
    issued = (OFFICE_TODAY - timedelta(days=40)).isoformat()
    assert main(["orders", "invoice", number, "--date", issued]) == 0
    capsys.readouterr()
    return number


def _credit(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["orders", "credit", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _page(path: Path) -> str:
    tree = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(
        path.read_text("utf-8"))
    assert tree.get("lang") == "ja"
    return " ".join(" ".join(tree.itertext()).split())


def _register(capsys: pytest.CaptureFixture[str]) -> list[str]:
    assert main(["orders", "invoices"]) == 0
    return capsys.readouterr().out.splitlines()


def test_a_credit_note_gives_back_part_of_an_invoice_with_its_tax(
    invoicing: Shop, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    number = _issue(invoicing, capsys)  # ¥47,520 with 10 % consumption tax
    code, out, err = _credit(capsys, f"INV-{number}", "--amount", "11000", "--reason",
                             "2 shirts returned, stained")
    assert (code, err) == (0, "")
    assert out == (f"wrote CN-{number}-1.html: credit note CN-{number}-1, issued; ¥11,000 "
                   f"given back of invoice INV-{number}, which asks ¥36,520 now\n")
    text = _page(tmp_path / f"CN-{number}-1.html")
    for expected in ("返還請求書", f"CN-{number}-1", f"INV-{number}", "T3010401000000",
                     "株式会社アトリエテスト", "2 shirts returned, stained",
                     "10%対象 ￥10,000", "消費税 10% ￥1,000", "返還額合計 ￥11,000",
                     f"請求書 INV-{number} の請求額 ￥47,520", "返還後の請求額 ￥36,520"):
        assert expected in text, expected
    listed = _register(capsys)
    assert listed[1].endswith("overdue 10 days, ¥11,000 credited")
    assert listed[-1] == "1 invoice; outstanding ¥36,520, of which overdue ¥36,520"
    assert main(["orders", "show", number]) == 0
    assert (f"credit note CN-{number}-1 of {OFFICE_TODAY.isoformat()}: ¥11,000 given back, "
            "2 shirts returned, stained") in capsys.readouterr().out
    # The rest given back too: nobody owes the invoice any more.
    assert _credit(capsys, f"INV-{number}", "--amount", "36520", "--reason",
                   "Order cancelled by agreement")[0] == 0
    listed = _register(capsys)
    assert listed[1].endswith("void (credited in full), ¥47,520 credited")
    assert listed[-1] == "1 invoice; outstanding nothing"
    for command, message in ((["paid", f"INV-{number}"], "asks nothing any more"),
                             (["remind", f"INV-{number}"], "asks nothing any more"),
                             (["credit", f"INV-{number}", "--amount", "1", "--reason", "x"],
                              "is more than invoice")):
        assert main(["orders", *command]) == 1
        assert message in capsys.readouterr().err
    # Printed again, the first one is the same page: it says what the invoice asked then.
    code, out, _ = _credit(capsys, f"CN-{number}-1", "--out", str(tmp_path / "again.html"))
    assert code == 0 and f"printed again (issued {OFFICE_TODAY.isoformat()})" in out
    assert (tmp_path / "again.html").read_bytes() == (
        tmp_path / f"CN-{number}-1.html").read_bytes()


def test_a_credit_after_the_invoice_was_paid_is_owed_back(
    invoicing: Shop, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    number = _issue(invoicing, capsys)
    assert main(["orders", "paid", f"INV-{number}"]) == 0
    capsys.readouterr()
    code, out, _ = _credit(capsys, f"INV-{number}", "--amount", "11000", "--reason",
                           "Late delivery discount")
    assert code == 0 and out.endswith("; it was paid: refund the buyer ¥11,000\n")
    listed = _register(capsys)
    assert listed[1].endswith(f"paid {OFFICE_TODAY.isoformat()}, ¥11,000 credited, "
                              "¥11,000 to refund")
    assert listed[-1] == "1 invoice; outstanding nothing; to refund ¥11,000"
    target = tmp_path / "invoices.csv"
    assert main(["orders", "invoices", "--format", "csv", "--out", str(target)]) == 0
    [row] = list(csv.DictReader(io.StringIO(target.read_bytes().decode("utf-8-sig"))))
    assert (row["received"], row["outstanding"], row["credited"], row["to_refund"]) == (
        "47520", "0", "11000", "11000")


@pytest.mark.parametrize(("argv", "message"), [
    (["INV-{n}", "--amount", "1000"], "a credit note says what it gives back and why: give "
                                      "--amount (with tax, in the invoice's currency) and "
                                      "--reason"),
    (["INV-{n}", "--reason", "returned"], "give --amount"),
    (["INV-{n}", "--amount", "47521", "--reason", "x"],
     "--amount 47521 is more than invoice INV-{n} asks now: ¥47,520"),
    (["INV-{n}", "--amount", "10.5", "--reason", "x"], "--amount '10.5' is not an amount of JPY"),
    (["INV-{n}", "--amount", "100", "--reason", " "], "--reason is empty"),
    (["INV-{n}", "--amount", "100", "--reason", "x", "--date", "2099-01-01"],
     "--date 2099-01-01 is after today"),
    (["INV-{n}", "--amount", "100", "--reason", "x", "--date", "2020-01-01"],
     "--date 2020-01-01 is before invoice INV-{n} was issued"),
    (["INV-{n}-B", "--amount", "100", "--reason", "x"], "no invoice INV-{n}-B was issued"),
    (["CN-{n}-1"], "no credit note CN-{n}-1 was issued"),
    (["{n}", "--amount", "100", "--reason", "x"], "'{n}' is neither an invoice number"),
])
def test_a_credit_note_it_cannot_issue_is_refused_with_the_reason(
    invoicing: Shop, tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str],
    message: str
) -> None:
    number = _issue(invoicing, capsys)
    code, out, err = _credit(capsys, *(arg.replace("{n}", number) for arg in argv))
    assert (code, out) == (1, "")
    assert message.replace("{n}", number) in err
    [invoice] = invoicing.store.invoices(number)
    assert invoice.credited == ()
    assert not list(tmp_path.glob("CN-*.html"))


def test_a_credit_note_issued_already_keeps_its_amount_and_date(
    invoicing: Shop, capsys: pytest.CaptureFixture[str]
) -> None:
    number = _issue(invoicing, capsys)
    assert _credit(capsys, f"INV-{number}", "--amount", "1100", "--reason", "x")[0] == 0
    code, _, err = _credit(capsys, f"CN-{number}-1", "--amount", "2200")
    assert code == 1 and "keeps its amount, reason and date" in err


def test_the_store_records_a_credit_note_only_on_what_its_issuer_saw(
    invoicing: Shop, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two people crediting one invoice at once: the second, made on the invoice as it was
    before the first, is refused rather than given the same number."""
    number = _issue(invoicing, capsys)
    store, now = invoicing.store, datetime.now(UTC)
    first = CreditNote(number, "full", 1, OFFICE_TODAY, Decimal(1100), "one")
    stored = store.credit(first, now)
    assert stored is not None and stored.credited == (first,)
    with pytest.raises(CreditRefused, match=f"another credit note of invoice INV-{number}"):
        store.credit(CreditNote(number, "full", 1, OFFICE_TODAY, Decimal(2200), "two"), now)
    assert store.credit(CreditNote("SS27-000999", "full", 1, OFFICE_TODAY, Decimal(1), "x"),
                        now) is None


def test_the_tax_given_back_is_the_orders_rate_with_the_brands_rounding(
    invoicing: Shop, capsys: pytest.CaptureFixture[str]
) -> None:
    number = _issue(invoicing, capsys)
    order = invoicing.store.order(number)
    assert order is not None
    manifest = Manifest.model_validate_json((invoicing.private / "manifest.json").read_bytes())
    tax = credit_tax(order, Decimal(1000), manifest)  # 90.909…: down, as Japanese invoices
    assert tax is not None and (tax.base, tax.tax, tax.percent) == (
        Decimal(910), Decimal(90), "10%")
    assert credit_tax(order.model_copy(update={"taxes": []}), Decimal(1000), manifest) is None
    two = order.model_copy(update={"taxes": [*order.taxes, order.taxes[0].model_copy(
        update={"percent": "8"})]})
    with pytest.raises(ValueError, match="taxed at several rates"):
        credit_tax(two, Decimal(1000), manifest)


def test_money_received_for_an_order_cancelled_since_is_owed_back(
    invoicing: Shop, capsys: pytest.CaptureFixture[str]
) -> None:
    number = _issue(invoicing, capsys)
    assert main(["orders", "paid", f"INV-{number}", "--amount", "20000"]) == 0
    assert main(["orders", "cancel", number]) == 0
    capsys.readouterr()
    listed = _register(capsys)
    assert listed[1].endswith("void (order cancelled), ¥20,000 received, ¥20,000 to refund")
    assert listed[-1] == "1 invoice; outstanding nothing; to refund ¥20,000"


@pytest.fixture
def mailing(announcing: Shop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Shop:
    """A shop with invoicing whose orders are e-mailed to the brand and the buyer."""
    append_brand(announcing, INVOICING)
    monkeypatch.chdir(tmp_path)
    return announcing


def test_credit_notes_are_mailed_to_the_buyer_every_one_so_far(
    mailing: Shop, smtp_sink: SmtpSink, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    number = _issue(mailing, capsys)
    worker = mailing.worker()
    assert asyncio.run(worker.deliver_due()) == 2  # the order's own e-mails
    smtp_sink.mails.clear()
    code, out, _ = _credit(capsys, f"INV-{number}", "--amount", "11000", "--reason",
                           "2 shirts returned", "--send")
    assert code == 0 and out.splitlines()[1] == (
        "e-mail queued (brand-email, buyer-email), with the order's credit notes so far: the "
        "running endpoint sends it within a minute")
    assert asyncio.run(worker.deliver_due()) == 2
    brand, buyer = sorted(smtp_sink.mails, key=lambda mail: mail.recipients[0] !=
                          "orders@atelier.example")
    assert buyer.recipients == ["aiko@example.com"]
    assert buyer.message["Subject"] == f"Atelier Test より返還請求書 CN-{number}-1"
    assert brand.message["Subject"] == f"返還請求書 CN-{number}-1 を Select Shop Aoyama に送付"
    day = f"{OFFICE_TODAY.year}年{OFFICE_TODAY.month}月{OFFICE_TODAY.day}日"
    assert f"- CN-{number}-1（{day}）: ￥11,000（2 shirts returned）" in buyer.part("plain")
    assert f"ご注文 {number} の返還請求書を aiko@example.com に送付しました。" in (
        brand.part("plain"))
    [attached] = list(buyer.message.iter_attachments())
    assert attached.get_filename() == f"CN-{number}-1.html"
    page = attached.get_content().replace("\r\n", "\n")
    assert (tmp_path / f"CN-{number}-1.html").read_text("utf-8").rstrip() == page.rstrip()
    # The next one is mailed with the first, the latest first: a new message, not a retry.
    smtp_sink.mails.clear()
    assert _credit(capsys, f"INV-{number}", "--amount", "5500", "--reason", "Late delivery",
                   "--send")[0] == 0
    assert asyncio.run(worker.deliver_due()) == 2
    buyer = next(mail for mail in smtp_sink.mails if mail.recipients == ["aiko@example.com"])
    assert buyer.message["Subject"] == f"Atelier Test より返還請求書 CN-{number}-2"
    text = buyer.part("plain")
    assert text.index(f"CN-{number}-2") < text.index(f"CN-{number}-1")
    assert [each.get_filename() for each in buyer.message.iter_attachments()] == [
        f"CN-{number}-2.html", f"CN-{number}-1.html"]
    assert main(["orders", "show", number]) == 0
    assert "buyer-email (credit notes) sent, 1 attempt" in capsys.readouterr().out
    # Printed again, nothing is queued; with --send, the e-mail goes again.
    assert _credit(capsys, f"CN-{number}-1", "--out", "again.html")[0] == 0
    assert asyncio.run(worker.deliver_due()) == 0
    assert _credit(capsys, f"CN-{number}-1", "--out", "again.html", "--send")[0] == 0
    assert asyncio.run(worker.deliver_due()) == 2


def test_a_credit_note_is_not_mailed_where_the_order_was_not(
    invoicing: Shop, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    number = _issue(invoicing, capsys)
    code, _, err = _credit(capsys, f"INV-{number}", "--amount", "1000", "--reason", "x",
                           "--send")
    assert code == 1 and err == (
        f"error: order {number} was placed without e-mails (LINESHEETS_SMTP_URL was not "
        "set): its credit note cannot be e-mailed from here; leave out --send and send the "
        "page yourself\n")
    assert invoicing.store.invoices(number)[0].credited == ()
    assert list(tmp_path.glob("CN-*.html")) == []


def test_an_outbox_from_before_credit_note_mails_keeps_its_rounds(tmp_path: Path) -> None:
    """Schema 13's outbox is copied into one that takes the credit notes' e-mails: every
    notification kept with its round (a reminder sent twice stays a second round)."""
    from order_api.store import SQLiteStore

    path = tmp_path / "orders.sqlite3"
    with sqlite_at(path, 13) as db:
        db.execute(ORDER)
        for event, round_ in (("order.placed", 0), ("invoice.reminder", 2)):
            db.execute("INSERT INTO notifications (order_id, event, channel, state, "
                       "next_attempt_at, round) VALUES (1, ?, 'buyer-email', 'sent', "
                       "'2027-01-10T02:00:01.000000Z', ?)", (event, round_))
    store = SQLiteStore(path)
    try:
        assert store.send_credit_notes("SS27-000001", datetime(2027, 2, 1, tzinfo=UTC)) == [
            "buyer-email"]
    finally:
        store.close()
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("SELECT event, round, state FROM notifications ORDER BY id").fetchall(
        ) == [("order.placed", 0, "sent"), ("invoice.reminder", 2, "sent"),
              ("invoice.credit_note", 0, "pending")]
