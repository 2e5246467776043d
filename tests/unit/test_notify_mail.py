"""Order e-mails through the outbox: to the brand and to the buyer, over SMTP to a local
server, plain text and HTML in the order's language, with every figure of the order."""

from __future__ import annotations

import asyncio
import csv
import io
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from aiosmtpd.smtp import Envelope
from starlette.testclient import TestClient

from order_api.app import create_app
from order_api.notify import DeliveryWorker
from order_api.settings import DeliverySettings, read_smtp_url
from tests.unit.conftest import ContentDir
from tests.unit.endpoint import FrozenClock
from tests.unit.receivers import WAIT, SmtpSink, free_port
from tests.unit.shop import ADDRESS, Shop, order

BRAND = "orders@atelier.example"
SENDER = "Atelier Test Orders <noreply@atelier.example>"


def _mail_shop(content: ContentDir, tmp_path: Path, clock: FrozenClock, smtp_url: str) -> Shop:
    content.edit("brand.yaml", "timezone: Asia/Tokyo\n", "timezone: Asia/Tokyo\n"
                 f"notifications: {{emails: [{BRAND}, sales@atelier.example]}}\n")
    return Shop(content, tmp_path, clock, delivery=DeliverySettings(
        smtp=read_smtp_url(smtp_url), mail_from=SENDER, interval=0.01))


@pytest.fixture
def mail_shop(content: ContentDir, tmp_path: Path, api_clock: FrozenClock,
              smtp_sink: SmtpSink) -> Iterator[Shop]:
    """A shop whose brand gets order e-mails through the local SMTP server."""
    shop = _mail_shop(content, tmp_path, api_clock, smtp_sink.url)
    yield shop
    shop.store.close()


def _deliver(worker: DeliveryWorker) -> int:
    return asyncio.run(worker.deliver_due())


def test_an_order_mails_the_brand_and_the_buyer_in_the_order_language(
        mail_shop: Shop, smtp_sink: SmtpSink) -> None:
    placed = mail_shop.post("open", order(note="Deliver <b>before</b> March 10 & call"))
    assert placed.status == 201, placed.body
    assert _deliver(mail_shop.worker()) == 2
    brand, buyer = sorted(smtp_sink.mails, key=lambda mail: len(mail.recipients), reverse=True)
    assert brand.recipients == [BRAND, "sales@atelier.example"]
    assert buyer.recipients == ["aiko@example.com"]
    assert brand.message["Subject"] == "新規注文 SS27-000001（Select Shop Aoyama）"
    assert buyer.message["Subject"] == "【Atelier Test】ご注文 SS27-000001 を承りました"
    assert buyer.message["To"] == "Aiko Tanaka <aiko@example.com>"
    assert (brand.message["Reply-To"], buyer.message["Reply-To"]) == (
        "aiko@example.com", f"{BRAND}, sales@atelier.example")
    assert brand.sender == "noreply@atelier.example"
    assert buyer.message["Auto-Submitted"] == "auto-generated"
    assert brand.message["Content-Language"] == buyer.message["Content-Language"] == "ja"
    for mail in (brand, buyer):
        text, html = mail.part("plain"), mail.part("html")
        for part in (text, html):
            assert "SS27-000001" in part and "2027年1月10日 11:00:00 JST" in part
            assert "トレンチコート" in part and "ブラック (BLK)" in part  # names in Japanese
            for amount in ("￥21,600", "￥43,200", "￥4,320", "￥47,520"):
                assert amount in part
            assert "消費税 10%" in part and "Select Shop Aoyama" in part
        assert "数量: 2 × 単価: ￥21,600 = ￥43,200" in text
        assert "小計: ￥43,200" in text and "合計: ￥47,520" in text
        assert "Deliver <b>before</b> March 10 & call" in text  # plain text as typed
        assert "Deliver &lt;b&gt;before&lt;/b&gt; March 10 &amp; call" in html
        assert "前払金" not in text  # no deposit on this link
        assert "納期: 2027年2月1日 – 2027年3月15日" in text  # every line ships with the season
    assert "新規注文が入りました" in brand.part("plain")
    # The brand's mail carries the order's lines as the CSV export writes them.
    [attachment] = list(brand.message.iter_attachments())
    assert (attachment.get_filename(), attachment.get_content_type()) == (
        "SS27-000001.csv", "text/csv")
    payload = attachment.get_payload(decode=True)
    assert isinstance(payload, bytes)
    [row] = list(csv.DictReader(io.StringIO(payload.decode("utf-8-sig"), newline="")))
    assert (row["order_number"], row["style_no"], row["quantity"], row["unit_price"],
            row["received_at"]) == ("SS27-000001", "SS27-001", "2", "21600",
                                    "2027-01-10T11:00:00+09:00")  # the brand's time zone
    assert list(buyer.message.iter_attachments()) == []
    assert "ご注文いただきありがとうございます" in buyer.part("plain")
    assert [n.state for n in mail_shop.store.notifications()] == ["sent", "sent"]


def test_a_mail_shows_the_address_deposit_and_balance(mail_shop: Shop,
                                                      smtp_sink: SmtpSink) -> None:
    placed = mail_shop.post("aoyama", order(address=ADDRESS), token=mail_shop.token("aoyama"))
    assert placed.status == 201, placed.body
    _deliver(mail_shop.worker())
    for mail in smtp_sink.mails:
        text, html = mail.part("plain"), mail.part("html")
        assert "納品先\n1-2-3 Jingumae\n150-0001 Tokyo Shibuya-ku\n日本\n" in text
        assert "1-2-3 Jingumae<br>150-0001 Tokyo Shibuya-ku<br>日本" in html
        assert "合計: ￥52,800\n前払金（30%）: ￥15,840\n残金: ￥36,960\n" in text
        assert "￥15,840" in html and "￥36,960" in html


def test_a_mail_says_when_each_line_ships_when_they_ship_apart(
        mail_shop: Shop, smtp_sink: SmtpSink) -> None:
    mail_shop.content.edit("seasons/ss27/products.yaml", "    moq: 3\n",
                           "    moq: 3\n    delivery: {en: Summer drop, ja: 夏のデリバリー}\n")
    mail_shop.republish()
    lines = [{"style_no": "SS27-001", "color": "BLK", "size": "M", "quantity": 2},
             {"style_no": "SS27-002", "color": "001", "size": "One size", "quantity": 3}]
    placed = mail_shop.post("open", order(lines=lines))
    assert placed.status == 201, placed.body
    assert [line["delivery"] for line in placed.json()["lines"]] == [
        "2027-02-01/2027-03-15", "夏のデリバリー"]  # the season's, the tote's own
    _deliver(mail_shop.worker())
    for mail in smtp_sink.mails:
        text, html = mail.part("plain"), mail.part("html")
        assert "納期: 2027年2月1日 – 2027年3月15日" in text and "納期: 夏のデリバリー" in text
        assert "<small>納期: 夏のデリバリー</small>" in html
        assert "\n納期:" not in text.split("スタイル:")[0]  # not for the order as a whole


def test_each_mail_keeps_one_message_id_across_tries(mail_shop: Shop,
                                                     smtp_sink: SmtpSink) -> None:
    mail_shop.post("open", order())
    _deliver(mail_shop.worker())
    ids = {mail.message["Message-ID"] for mail in smtp_sink.mails}
    assert ids == {"<SS27-000001.brand-email.1@atelier.example>",
                   "<SS27-000001.buyer-email.2@atelier.example>"}


def test_mail_is_retried_while_the_smtp_server_is_down_then_sent(
        content: ContentDir, tmp_path: Path, api_clock: FrozenClock) -> None:
    sink = SmtpSink(free_port())  # not listening yet
    shop = _mail_shop(content, tmp_path, api_clock, sink.url)
    try:
        shop.post("open", order())
        worker = shop.worker()
        assert _deliver(worker) == 2
        outbox = shop.store.notifications()
        assert [(n.state, n.attempts) for n in outbox] == [("pending", 1), ("pending", 1)]
        assert all("could not be reached" in (n.last_error or "") for n in outbox)
        # 10 s after the failure, give or take the jitter.
        for n in outbox:
            assert n.next_attempt_at is not None
            assert timedelta(seconds=7.5) <= n.next_attempt_at - api_clock.now \
                <= timedelta(seconds=12.5)
        assert _deliver(worker) == 0  # not due yet
        sink.start()
        api_clock.advance(13)
        assert _deliver(worker) == 2
        assert len(sink.mails) == 2
        assert [(n.state, n.attempts, n.last_error) for n in shop.store.notifications()] == [
            ("sent", 2, None), ("sent", 2, None)]
    finally:
        sink.stop()
        shop.store.close()


def test_a_rejected_mailbox_is_given_up_at_once(mail_shop: Shop, smtp_sink: SmtpSink,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    async def refuse(server: object, session: object, envelope: Envelope, address: str,
                     options: list[str]) -> str:
        if address == "aiko@example.com":
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)  # what aiosmtpd does when no hook answers
        return "250 OK"

    monkeypatch.setattr(smtp_sink, "handle_RCPT", refuse, raising=False)
    mail_shop.post("open", order())
    _deliver(mail_shop.worker())
    states = {n.channel: (n.state, n.attempts, n.last_error)
              for n in mail_shop.store.notifications()}
    assert states["brand-email"] == ("sent", 1, None)
    state, attempts, error = states["buyer-email"]
    assert (state, attempts) == ("failed", 1)
    assert error is not None and error.startswith("gave up after 1 tries: ")
    assert "550 5.1.1 no such mailbox" in error


def test_the_running_endpoint_sends_the_mails_of_an_order(
        content: ContentDir, tmp_path: Path, api_clock: FrozenClock,
        smtp_sink: SmtpSink) -> None:
    """Through the app's lifespan: the worker runs in the background and sends on its own."""
    shop = _mail_shop(content, tmp_path, api_clock, smtp_sink.url)
    shop.store.close()
    with TestClient(create_app(shop.settings)) as client:
        placed = client.post("/api/links/open/orders", json=order(),
                             headers={"Idempotency-Key": "key-mail-0001"})
        assert placed.status_code == 201
        deadline = time.monotonic() + WAIT
        while len(smtp_sink.mails) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
    assert sorted(len(mail.recipients) for mail in smtp_sink.mails) == [1, 2]


def test_a_cancelled_order_mails_the_brand_and_the_buyer_again(
        mail_shop: Shop, smtp_sink: SmtpSink) -> None:
    assert mail_shop.post("open", order()).status == 201
    worker = mail_shop.worker()
    assert _deliver(worker) == 2
    assert mail_shop.store.cancel("SS27-000001", "生地の入荷がありません", mail_shop.clock.now)
    assert _deliver(worker) == 2
    later = smtp_sink.mails[2:]
    brand, buyer = sorted(later, key=lambda mail: len(mail.recipients), reverse=True)
    assert brand.message["Subject"] == "注文キャンセル SS27-000001（Select Shop Aoyama）"
    assert buyer.message["Subject"] == "【Atelier Test】ご注文 SS27-000001 はキャンセルとなりました"
    for mail in (brand, buyer):
        for part in (mail.part("plain"), mail.part("html")):
            assert "このご注文は2027年1月10日 11:00:00 JSTにキャンセルされました。" in part
            assert "理由: 生地の入荷がありません" in part
            assert "トレンチコート" in part  # the order it cancels, as it was placed
    [attachment] = list(brand.message.iter_attachments())
    payload = attachment.get_payload(decode=True)
    assert isinstance(payload, bytes)
    [row] = list(csv.DictReader(io.StringIO(payload.decode("utf-8-sig"), newline="")))
    assert (row["status"], row["cancel_reason"]) == ("cancelled", "生地の入荷がありません")
    assert [(n.event, n.state) for n in mail_shop.store.notifications()] == [
        ("order.placed", "sent"), ("order.placed", "sent"),
        ("order.cancelled", "sent"), ("order.cancelled", "sent")]
