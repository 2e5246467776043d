"""Which notifications an order queues, from the delivery settings of the environment and the
brand's targets; bad settings refused with the variable's name; the retry schedule."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

import pytest

from generator.cli import main
from generator.models import Notifications
from order_api.notify import MAX_RETRY, channels_for, delivery_worker, retry_delay
from order_api.published import PublishedSource
from order_api.settings import ApiConfigError, ApiSettings, DeliverySettings, SmtpServer
from tests.unit.conftest import ContentDir
from tests.unit.endpoint import FrozenClock
from tests.unit.shop import Shop, order

TOKEN = "s" * 40
HOOK_SECRET = "h" * 40
MAIL = {"LINESHEETS_SMTP_URL": "smtps://mailer%40brand:p%40ss-word@smtp.example.com",
        "LINESHEETS_MAIL_FROM": "Brand Orders <orders@brand.example>"}


def _delivery(**environ: str) -> DeliverySettings:
    return ApiSettings.from_environment({"LINESHEETS_TOKEN_SECRET": TOKEN} | environ).delivery


def test_delivery_settings_come_from_the_environment() -> None:
    delivery = _delivery(**MAIL, LINESHEETS_WEBHOOK_SECRET=HOOK_SECRET,
                         LINESHEETS_WEBHOOK_URL="https://erp.example.com/hooks")
    assert delivery.smtp == SmtpServer(host="smtp.example.com", port=465, security="tls",
                                       username="mailer@brand", password="p@ss-word")
    assert delivery.mail_from == "Brand Orders <orders@brand.example>"
    assert delivery.webhook_secret == HOOK_SECRET.encode()
    assert delivery.webhook_url == "https://erp.example.com/hooks"
    assert "p@ss-word" not in repr(delivery) and HOOK_SECRET not in repr(delivery)


def test_nothing_is_configured_by_default() -> None:
    assert _delivery() == DeliverySettings()


@pytest.mark.parametrize(("url", "server"), [
    ("smtps://u%40x:p%2Fq%23r@smtp.example.com", SmtpServer("smtp.example.com", 465, "tls",
                                                            "u@x", "p/q#r")),
    ("smtp://u:p@[2001:db8::1]:587?starttls=true", SmtpServer("2001:db8::1", 587, "starttls",
                                                              "u", "p")),
])
def test_encoded_credentials_and_ipv6_hosts_are_read(url: str, server: SmtpServer) -> None:
    delivery = _delivery(LINESHEETS_SMTP_URL=url, LINESHEETS_MAIL_FROM="o@brand.example")
    assert delivery.smtp == server


def test_a_webhook_path_may_hold_an_at_sign_after_a_port() -> None:
    delivery = _delivery(LINESHEETS_WEBHOOK_URL="https://erp.example.com:8443/hooks/v@2",
                         LINESHEETS_WEBHOOK_SECRET=HOOK_SECRET)
    assert delivery.webhook_url == "https://erp.example.com:8443/hooks/v@2"


@pytest.mark.parametrize(("url", "server"), [
    ("smtp://relay.internal", SmtpServer("relay.internal", 25, "none")),
    ("smtp://relay.internal:2525/", SmtpServer("relay.internal", 2525, "none")),
    ("smtp://u:p@smtp.example.com?starttls=true",
     SmtpServer("smtp.example.com", 587, "starttls", "u", "p")),
    ("smtps://smtp.example.com:1465", SmtpServer("smtp.example.com", 1465, "tls")),
])
def test_smtp_urls_name_the_server_and_its_security(url: str, server: SmtpServer) -> None:
    delivery = _delivery(LINESHEETS_SMTP_URL=url, LINESHEETS_MAIL_FROM="o@brand.example")
    assert delivery.smtp == server


@pytest.mark.parametrize(("environ", "message"), [
    ({"LINESHEETS_SMTP_URL": "https://u:secret-pw@smtp.example.com"},
     "LINESHEETS_SMTP_URL is 'https://u:…@smtp.example.com'; it must start with smtps://"),
    ({"LINESHEETS_SMTP_URL": "smtps://smtp.example.com:port"}, "port that is not a number"),
    ({"LINESHEETS_SMTP_URL": "smtps://smtp.example.com:0"}, "port that is not a number"),
    ({"LINESHEETS_SMTP_URL": "smtps://"}, "needs a host"),
    ({"LINESHEETS_SMTP_URL": "smtp://u:secret-pw@smtp.example.com"},
     "would send its password unencrypted; use smtps://… or add \\?starttls=true"),
    ({"LINESHEETS_SMTP_URL": "smtp://smtp.example.com?tls=1"}, "options other than"),
    ({"LINESHEETS_SMTP_URL": "smtps://smtp.example.com?starttls=true"}, "keep one"),
    ({"LINESHEETS_SMTP_URL": "smtps://smtp.example.com"},
     "LINESHEETS_MAIL_FROM is not; set it to the sender"),
    ({"LINESHEETS_MAIL_FROM": "orders@brand.example"}, "LINESHEETS_SMTP_URL is not"),
    ({"LINESHEETS_SMTP_URL": "smtps://smtp.example.com", "LINESHEETS_MAIL_FROM": "Orders"},
     "LINESHEETS_MAIL_FROM is 'Orders', which has no e-mail address"),
    ({"LINESHEETS_SMTP_URL": "smtps://smtp.example.com",
      "LINESHEETS_MAIL_FROM": "o@brand.example\nBcc: x@evil.example"}, "has a line break"),
    ({"LINESHEETS_SMTP_URL": "smtps://smtp.example.com",
      "LINESHEETS_MAIL_FROM": "Orders\u2028<o@brand.example>"}, "has a line break"),
    ({"LINESHEETS_SMTP_URL": "smtps://user:secret-pw@[::1"},
     "'smtps://user:…@\\[::1': its host is not a host name or an IPv6 address"),
    ({"LINESHEETS_SMTP_URL": "smtps://u:secret-pw/x@smtp.example.com"},
     "its password \\(or user name\\) has a /, \\? or # that is not percent-encoded"),
    ({"LINESHEETS_SMTP_URL": "smtps://u:secret-pw#x@smtp.example.com"},
     "that is not percent-encoded; write / as %2F"),
    ({"LINESHEETS_WEBHOOK_URL": "https://hook:secret-pw@erp.example.com:abc/h",
      "LINESHEETS_WEBHOOK_SECRET": HOOK_SECRET},
     "'https://hook:…@erp.example.com:abc/h': it has a port that is not a number"),
    ({"LINESHEETS_WEBHOOK_URL": "https://erp example.com/h",
      "LINESHEETS_WEBHOOK_SECRET": HOOK_SECRET}, "its host is not a host name"),
    ({"LINESHEETS_WEBHOOK_URL": "https://u:secret-pw@[::1/h",
      "LINESHEETS_WEBHOOK_SECRET": HOOK_SECRET}, "its host is not a host name"),
    ({"LINESHEETS_WEBHOOK_SECRET": "short"},
     "LINESHEETS_WEBHOOK_SECRET has 5 bytes; it needs at least 32"),
    ({"LINESHEETS_WEBHOOK_URL": "https://erp.example.com/hooks"},
     "LINESHEETS_WEBHOOK_URL is set but LINESHEETS_WEBHOOK_SECRET is not"),
    ({"LINESHEETS_WEBHOOK_URL": "ftp://u:secret-pw@erp.example.com",
      "LINESHEETS_WEBHOOK_SECRET": HOOK_SECRET},
     "LINESHEETS_WEBHOOK_URL is 'ftp://u:…@erp.example.com', which is not an http"),
])
def test_bad_delivery_settings_are_refused_without_echoing_passwords(
        environ: dict[str, str], message: str) -> None:
    with pytest.raises(ApiConfigError, match=message) as refused:
        _delivery(**environ)
    assert "secret-pw" not in str(refused.value)


def test_the_api_command_refuses_bad_delivery_settings_before_it_starts(
        api_private: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("LINESHEETS_TOKEN_SECRET", TOKEN)
    monkeypatch.setenv("LINESHEETS_MANIFEST", str(api_private / "manifest.json"))
    monkeypatch.setenv("LINESHEETS_KEYS", str(api_private / "keys.json"))
    monkeypatch.setenv("LINESHEETS_SMTP_URL", "smtp://mailer:hunter2@smtp.example.com")
    assert main(["api", "--port", "8123"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: LINESHEETS_SMTP_URL would send its password unencrypted")
    assert "hunter2" not in err


def test_the_delivery_interval_is_bounded() -> None:
    with pytest.raises(ApiConfigError, match="the delivery interval is 0 s"):
        DeliverySettings(interval=0)


SMTP = SmtpServer("smtp.example.com", 465, "tls")
HOOK = b"h" * 32


@pytest.mark.parametrize(("delivery", "brand", "channels"), [
    (DeliverySettings(), Notifications(emails=["o@brand.example"],
                                       webhook="https://erp.example.com/h"), ()),
    (DeliverySettings(smtp=SMTP, mail_from="o@brand.example"), Notifications(),
     ("buyer-email",)),
    (DeliverySettings(smtp=SMTP, mail_from="o@brand.example"),
     Notifications(emails=["o@brand.example"]), ("brand-email", "buyer-email")),
    (DeliverySettings(webhook_secret=HOOK), Notifications(), ()),
    (DeliverySettings(webhook_secret=HOOK), Notifications(webhook="https://erp.example.com/h"),
     ("webhook",)),
    (DeliverySettings(webhook_secret=HOOK, webhook_url="https://erp.example.com/h"),
     Notifications(), ("webhook",)),
])
def test_an_order_queues_only_the_channels_that_have_a_target(
        delivery: DeliverySettings, brand: Notifications, channels: tuple[str, ...]) -> None:
    assert channels_for(delivery, brand) == channels


def test_nothing_is_queued_or_run_when_nothing_is_configured(
        content: ContentDir, tmp_path: Path, api_clock: FrozenClock,
        caplog: pytest.LogCaptureFixture) -> None:
    content.edit("brand.yaml", "timezone: Asia/Tokyo\n", "timezone: Asia/Tokyo\n"
                 "notifications: {emails: [o@brand.example], webhook: 'https://e.example/h'}\n")
    shop = Shop(content, tmp_path, api_clock)
    try:
        placed = shop.post("open", order())
        assert placed.status == 201
        assert shop.store.notifications() == []
        source = PublishedSource(shop.settings.manifest, shop.settings.keys, 0.0)
        assert delivery_worker(shop.settings, source, shop.store) is None
    finally:
        shop.store.close()
    # The brand named targets the settings cannot reach: the operator is told at start.
    assert "LINESHEETS_SMTP_URL is not set: no order e-mails are sent" in caplog.text
    assert "LINESHEETS_WEBHOOK_SECRET is not set: no webhooks are sent" in caplog.text


def test_retries_back_off_exponentially_with_jitter_up_to_a_cap() -> None:
    rng = random.Random(8)
    for tries, base in [(1, 10), (2, 30), (3, 90), (4, 270), (7, 3600), (8, 3600)]:
        waits = [retry_delay(tries, rng) for _ in range(200)]
        assert all(timedelta(seconds=base * 0.75) <= wait <= timedelta(seconds=base * 1.25)
                   for wait in waits)
        assert len(set(waits)) > 100  # jittered, not one value
    assert retry_delay(1000, rng) <= MAX_RETRY * 1.25
