"""An order's whole life in the back office, as a brand runs it: placed through the link,
amended, shipped in two parts with a delivery note, invoiced (deposit, then balance) and
e-mailed, paid, listed as outstanding, reminded; every view and every notification agreeing
at each step. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from generator.cli import main
from tests.unit.invoicing import DEPOSIT, INVOICING
from tests.unit.receivers import SmtpSink
from tests.unit.shop import Shop, order

LINES = [{"style_no": "SS27-001", "color": "BLK", "size": "M", "quantity": 2},
         {"style_no": "SS27-001", "color": "ECR", "size": "S", "quantity": 2},
         {"style_no": "SS27-002", "color": "001", "size": "One size", "quantity": 3}]


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code = main(["orders", *argv])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return captured.out


def test_an_order_from_placing_to_its_last_payment(
    announcing: Shop, smtp_sink: SmtpSink, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    brand = announcing.content.root / "brand.yaml"
    brand.write_text(brand.read_text("utf-8") + INVOICING, "utf-8")
    announcing.content.edit("links/open.yaml", *DEPOSIT)
    announcing.republish()
    placed = announcing.post("open", order(lines=LINES), key="key-0001")
    assert placed.status == 201, placed.json()
    number = placed.json()["order_number"]
    worker = announcing.worker()

    def delivered() -> list[str]:
        """The subjects of what the outbox sends now (the buyer's copy)."""
        smtp_sink.mails.clear()
        asyncio.run(worker.deliver_due())
        return sorted(str(mail.message["Subject"]) for mail in smtp_sink.mails
                      if mail.recipients == ["aiko@example.com"])

    assert delivered() == [f"【Atelier Test】ご注文 {number} を承りました"]
    # Amended before anything ships or is invoiced: the tote to 6.
    assert "total ¥112,860 → ¥130,680" in _run(capsys, "amend", number, "--line", "3=6")
    assert delivered() == [f"【Atelier Test】ご注文 {number} の内容が変更されました"]
    # The first part ships; the shipped line cannot go below what left, the others may change.
    _run(capsys, "ship", number, "--line", "1", "--tracking", "4455", "--html", "note-1.html")
    assert main(["orders", "amend", number, "--line", "1=1"]) == 1
    assert "line SS27-001 BLK M has shipped 2 units" in capsys.readouterr().err
    assert "total ¥130,680 → ¥83,160" in _run(capsys, "amend", number, "--line", "2=0")
    assert delivered() == [f"【Atelier Test】ご注文 {number} の内容が変更されました",
                           f"【Atelier Test】ご注文 {number} の商品を発送しました"]
    # The deposit is invoiced, e-mailed and paid; then nothing can be amended.
    out = _run(capsys, "invoice", number, "--send")
    assert f"invoice INV-{number}-D" in out and "the deposit, ¥24,948 due by" in out
    assert delivered() == [f"Atelier Test より請求書 INV-{number}-D"]
    assert main(["orders", "amend", number, "--line", "2=3"]) == 1
    assert "has been invoiced" in capsys.readouterr().err
    _run(capsys, "paid", f"INV-{number}-D")
    # The rest ships, the balance is invoiced; the register shows what is outstanding.
    assert "every line has shipped" in _run(capsys, "ship", number)
    out = _run(capsys, "invoice", number, "--part", "balance", "--send")
    assert "the balance, ¥58,212 due by" in out
    assert sorted(delivered()) == [f"Atelier Test より請求書 INV-{number}-B",
                                   f"【Atelier Test】ご注文 {number} の商品を発送しました"]
    register = _run(capsys, "invoices").splitlines()
    assert register[-1] == "2 invoices; outstanding ¥58,212"
    assert _run(capsys, "remind") == "no invoice is overdue: nothing to remind\n"
    # Every view agrees on the order as it stands.
    assert _run(capsys, "list").splitlines()[1].split()[-3:] == ["8", "¥83,160", "shipped"]
    totals = _run(capsys, "totals")
    assert "BLK Black  -  2  -      2" in totals and "001 Natural         6      6" in totals
    assert totals.endswith("1 order; 2 styles, 2 colours and sizes, 8 units\n")
    shown = _run(capsys, "show", number)
    for expected in ("AMENDED", "Shipments", "Invoices", f"INV-{number}-D    deposit",
                     "buyer-email (shipment) sent", "buyer-email (deposit invoice) sent"):
        assert expected in shown, expected
    assert all(note.state == "sent" for note in announcing.store.notifications(number))
    assert (tmp_path / "note-1.html").is_file()
