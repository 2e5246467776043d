"""`linesheets api --check`: what the endpoint would run with, tried without serving or
changing anything; each problem told with what to fix, the exit code 1 on a problem."""

from __future__ import annotations

import ipaddress
import sqlite3
import ssl
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from generator.cli import main
from order_api.preflight import Finding, preflight
from order_api.store.sqlite import MIGRATIONS
from tests.unit.conftest import ContentDir
from tests.unit.endpoint import SECRET, publish
from tests.unit.old_stores import ORDER, sqlite_at
from tests.unit.receivers import SmtpSink, free_port


@pytest.fixture
def environ(content: ContentDir, tmp_path: Path, database_url: str,
            smtp_sink: SmtpSink) -> dict[str, str]:
    """A deployment's environment: its build, its order store (each backend), its SMTP
    server, a webhook."""
    publish(content.load(), tmp_path / "private")
    return {"LINESHEETS_TOKEN_SECRET": SECRET.decode(),
            "LINESHEETS_MANIFEST": str(tmp_path / "private" / "manifest.json"),
            "LINESHEETS_KEYS": str(tmp_path / "private" / "keys.json"),
            "DATABASE_URL": database_url,
            "LINESHEETS_SMTP_URL": smtp_sink.url,
            "LINESHEETS_MAIL_FROM": "Atelier <orders@atelier.example>",
            "LINESHEETS_WEBHOOK_SECRET": "w" * 40,
            "LINESHEETS_WEBHOOK_URL": "https://erp.example.com/hooks/orders"}


def _levels(findings: list[Finding]) -> dict[str, str]:
    return {finding.topic: finding.level for finding in findings}


def test_a_sound_deployment_is_told_in_order_and_nothing_is_sent(
    environ: dict[str, str], smtp_sink: SmtpSink
) -> None:
    findings = preflight(environ)
    assert _levels(findings) == {"settings": "ok", "build": "ok", "site origin": "ok",
                                 "database": "ok", "e-mail": "ok", "webhook": "ok"}
    said = {finding.topic: finding.text for finding in findings}
    assert said["build"].endswith("manifest.json: 2 links, 1 sealed (their keys in "
                                  f"{environ['LINESHEETS_KEYS']})")
    assert said["site origin"] == ("the pages call the endpoint on their own origin (/api): "
                                   "no CORS needed")
    assert said["e-mail"] == (f"127.0.0.1:{smtp_sink.port} took a connection and the sender "
                              "Atelier <orders@atelier.example> (no message sent)")
    assert said["webhook"] == ("signed with LINESHEETS_WEBHOOK_SECRET, to "
                               "https://erp.example.com/hooks/orders (nothing sent)")
    assert smtp_sink.mails == []


def test_what_the_endpoint_would_trip_on_is_told_before_it_runs(
    environ: dict[str, str], content: ContentDir, tmp_path: Path
) -> None:
    content.edit("brand.yaml", "base_url: https://example.com\n",
                 "base_url: https://example.com\napi_url: https://api.example.com\n"
                 "notifications: {emails: [orders@atelier.example]}\n")
    publish(content.load(), tmp_path / "private")
    del environ["LINESHEETS_SMTP_URL"], environ["LINESHEETS_MAIL_FROM"]
    findings = preflight(environ)
    assert [(finding.level, finding.topic) for finding in findings if finding.level != "ok"] \
        == [("warning", "site origin"), ("warning", "notifications")]
    assert "set LINESHEETS_SITE_ORIGIN=https://example.com" in str(findings[2])
    assert str(findings[-2]) == ("warning  notifications: brand.yaml lists "
                                 "notifications.emails, but LINESHEETS_SMTP_URL is not set: no "
                                 "order e-mails are sent")

    environ["LINESHEETS_SMTP_URL"] = f"smtp://127.0.0.1:{free_port()}"  # nothing listens
    environ["LINESHEETS_MAIL_FROM"] = "Atelier <orders@atelier.example>"
    environ["LINESHEETS_KEYS"] = str(tmp_path / "elsewhere.json")
    problems = [finding for finding in preflight(environ) if finding.level == "problem"]
    assert [finding.topic for finding in problems] == ["build", "e-mail"]
    assert "seals link 'aoyama', but the key store" in problems[0].text
    assert problems[1].text.startswith(f"the SMTP server {environ['LINESHEETS_SMTP_URL'][7:]} "
                                       "could not be reached or failed: ")
    assert problems[1].text.endswith("; no order e-mail would go out: check "
                                     "LINESHEETS_SMTP_URL and LINESHEETS_MAIL_FROM")

    del environ["LINESHEETS_TOKEN_SECRET"]
    assert [(finding.level, finding.topic) for finding in preflight(environ)] == [
        ("problem", "settings")]


def test_an_older_store_is_read_not_migrated_and_a_newer_one_is_a_problem(
    environ: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite_at(path, 3) as db:
        db.execute(ORDER)
    environ["DATABASE_URL"] = f"sqlite:///{path}"
    said = {finding.topic: finding for finding in preflight(environ)}
    assert said["database"].level == "ok"
    assert said["database"].text == (f"sqlite:///{path}, 1 order, at schema version 3: "
                                     "`linesheets api` migrates it to "
                                     f"{len(MIGRATIONS)} as it starts")
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 3  # as it was
        db.execute("PRAGMA user_version = 999")
    said = {finding.topic: finding for finding in preflight(environ)}
    assert (said["database"].level, said["database"].text) == (
        "problem", f"sqlite:///{path} has schema version 999, newer than this linesheets "
                   f"knows ({len(MIGRATIONS)}); upgrade linesheets")
    environ["DATABASE_URL"] = f"sqlite:///{tmp_path / 'new.sqlite3'}"
    said = {finding.topic: finding for finding in preflight(environ)}
    assert said["database"].text.endswith("new.sqlite3 does not exist yet; `linesheets api` "
                                          "creates it")
    assert not (tmp_path / "new.sqlite3").exists()


def test_the_command_prints_each_finding_and_exits_1_on_a_problem(
    environ: dict[str, str], monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str]
) -> None:
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("LINESHEETS_SITE_ORIGIN", raising=False)
    assert main(["api", "--check"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in out[:-1]] == ["ok"] * 6
    assert out[-1] == "everything checked is in order"
    monkeypatch.setenv("LINESHEETS_SMTP_URL", f"smtp://127.0.0.1:{free_port()}")
    assert main(["api", "--check"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == "1 problem, 0 warnings"


@pytest.fixture
def login_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """An SMTP server that takes mail only after STARTTLS and a login (user `orders`,
    password `right`), its certificate trusted by this test's clients; its URL without the
    user and password."""
    cert, key = _self_signed(tmp_path)
    served = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    served.load_cert_chain(cert, key)
    trusted = ssl.create_default_context

    def trusting(*args: Any, **kwargs: Any) -> ssl.SSLContext:
        context = trusted(*args, **kwargs)
        context.load_verify_locations(cafile=cert)
        return context

    monkeypatch.setattr(ssl, "create_default_context", trusting)

    def authenticate(server: Any, session: Any, envelope: Any, mechanism: str,
                     auth_data: Any) -> AuthResult:
        right = isinstance(auth_data, LoginPassword) and (
            auth_data.login, auth_data.password) == (b"orders", b"right")
        return AuthResult(success=right, handled=False)  # refused: aiosmtpd answers 535

    class OwnSenders(SmtpSink):  # takes mail from the account's own addresses only
        async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str,
                              options: list[str]) -> str:
            if not address.endswith("@atelier.example"):
                return "553 5.7.1 Sender address rejected: not owned by user orders"
            envelope.mail_from = address
            return "250 OK"

    port = free_port()
    controller = Controller(OwnSenders(port), hostname="127.0.0.1", port=port,
                            server_hostname="localhost", tls_context=served,
                            require_starttls=True, authenticator=authenticate,
                            auth_require_tls=True)
    controller.start()
    yield f"127.0.0.1:{port}"
    controller.stop()


def _self_signed(folder: Path) -> tuple[str, str]:
    """A certificate for 127.0.0.1 and its key, as PEM files."""
    private = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                   .public_key(private.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - timedelta(hours=1))
                   .not_valid_after(now + timedelta(hours=1))
                   .add_extension(x509.SubjectAlternativeName(
                       [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
                   .add_extension(x509.BasicConstraints(ca=True, path_length=None),
                                  critical=True)
                   .sign(private, hashes.SHA256()))
    cert, key = folder / "smtp.pem", folder / "smtp.key"
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key.write_bytes(private.private_bytes(serialization.Encoding.PEM,
                                          serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    return str(cert), str(key)


@pytest.mark.parametrize(("password", "sender", "level", "said"), [
    ("right", "orders@atelier.example", "ok",
     "took a connection, logged orders in and the sender orders@atelier.example (no message "
     "sent)"),
    ("wrong", "orders@atelier.example", "problem",
     "answered 535 5.7.8 Authentication credentials invalid; no order e-mail would go out: "
     "check LINESHEETS_SMTP_URL and LINESHEETS_MAIL_FROM"),
    ("right", "orders@elsewhere.example", "problem",
     "refused orders@elsewhere.example as the sender: 553 5.7.1 Sender address rejected: not "
     "owned by user orders; no order e-mail would go out: check LINESHEETS_SMTP_URL and "
     "LINESHEETS_MAIL_FROM"),
])
def test_the_smtp_login_and_sender_are_tried_as_a_delivery_makes_them(
    environ: dict[str, str], login_server: str, password: str, sender: str, level: str,
    said: str
) -> None:
    environ["LINESHEETS_SMTP_URL"] = f"smtp://orders:{password}@{login_server}?starttls=true"
    environ["LINESHEETS_MAIL_FROM"] = sender
    mail = next(finding for finding in preflight(environ) if finding.topic == "e-mail")
    assert (mail.level, mail.text) == (level, f"{login_server} {said}" if level == "ok"
                                       else f"the SMTP server {login_server} {said}")
