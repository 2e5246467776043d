"""Sales to businesses in other EU member states (`intra_community`): no VAT on their orders,
the buyer's VAT number required and checked, and both numbers with the exemption's mention on
what the brand and the buyer read of the order (invoice, e-mail, confirmation, export)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import html5lib
import pytest

from generator.build import run
from generator.cli import main
from generator.manifest import Manifest
from generator.settings import BuildSettings
from generator.vat import check_vat_number, in_eu
from order_api.confirmation import render_confirmation
from order_api.mail import compose_order_mail
from order_api.store import OrderFilter
from tests.unit.conftest import ContentDir
from tests.unit.invoicing import INVOICING, append_brand
from tests.unit.shop import Shop, order

BRAND_VAT = "  vat_number: FR40303265045\n"  # under brand.yaml's `invoicing:`
MENTION = ("Exempt intra-Community supply (Article 138 of Directive 2006/112/EC): the VAT is "
           "accounted for by the buyer.")
BERLIN = {**order()["buyer"], "company": "Laden Berlin GmbH", "vat_number": "de 123.456-789"}


@pytest.mark.parametrize(("written", "number"), [
    ("DE123456789", "DE123456789"), ("de 123.456-789", "DE123456789"),
    ("FR40303265045", "FR40303265045"), ("ATU12345678", "ATU12345678"),
    ("NL123456789B01", "NL123456789B01"), ("EL123456789", "EL123456789"),
    ("IE1234567WA", "IE1234567WA"), ("ESX1234567X", "ESX1234567X"),
    ("IT 12345678901", "IT12345678901"), ("SE123456789001", "SE123456789001"),
    ("GB 123 4567 89", "GB123456789"), ("CHE-123.456.789 MWST", "CHE123456789MWST"),
    ("NO 123456789 MVA", "NO123456789MVA"),
])
def test_a_vat_number_is_taken_as_written_on_a_letterhead(written: str, number: str) -> None:
    assert check_vat_number(written) == number
    assert in_eu(number) == (number[:2] not in ("GB", "CH", "NO"))


@pytest.mark.parametrize(("written", "message"), [
    ("GR123456789", "Greek VAT numbers start with EL, not GR; write EL123456789"),
    ("US123456789", "does not start with the VAT prefix of an EU member state"),
    ("123456789", "does not start with the VAT prefix of an EU member state"),
    ("CHE12345678", "is not a VAT number of CHE"),
    ("DE12345678", "is not a VAT number of DE"),
    ("NL123456789A01", "is not a VAT number of NL"),
    ("DE" + "1" * 60, "as text with its country prefix"),
])
def test_a_wrong_vat_number_is_refused_with_what_is_wrong(written: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        check_vat_number(written)


def _brand_vat(content: ContentDir) -> None:
    """brand.yaml with invoicing and the brand's own VAT number."""
    brand = content.root / "brand.yaml"
    brand.write_text(brand.read_text("utf-8") + INVOICING + BRAND_VAT, "utf-8")


def _intra_link(content: ContentDir, extra: str = "") -> None:
    content.edit("links/open.yaml", "season: ss27", f"season: ss27\nintra_community: true{extra}")


def test_an_intra_community_link_needs_the_brands_vat_number(content: ContentDir) -> None:
    _intra_link(content)
    problem = content.problem()
    assert (problem.file, problem.field) == ("content/links/open.yaml", "intra_community")
    assert "add it to brand.yaml as invoicing: {vat_number: …}" in problem.message
    _brand_vat(content)
    assert content.load().offer("open").intra_community
    # A brand registered for VAT outside the EU (the UK) makes exports, not these supplies.
    content.edit("brand.yaml", BRAND_VAT, "  vat_number: GB123456789\n")
    problem = content.problem()
    assert "GB123456789 is not an EU member state's" in problem.message


@pytest.mark.parametrize(("extra", "field", "message"), [
    ("\napply_tax: true", "apply_tax", "intra-Community orders carry none"),
    ("\ntax_exempt: true", "intra_community", "tax_exempt for an export outside the EU"),
    ("\nbuyer_type: personal", "intra_community", "a personal buyer pays the VAT"),
])
def test_an_intra_community_link_is_for_businesses_without_tax(
    content: ContentDir, extra: str, field: str, message: str
) -> None:
    _brand_vat(content)
    _intra_link(content, extra)
    problem = content.problem()
    assert problem.field == field and message in problem.message


@pytest.mark.parametrize(("buyer", "message"), [
    ("", "carry its EU VAT number; add vat_number"),
    ("\nvat_number: FR12345678901", "the buyer's VAT number is of FR, as the brand's"),
    ("\nvat_number: US123", "does not start with the VAT prefix of an EU member state"),
    ("\nvat_number: GB123456789", "GB123456789 is not an EU member state's VAT number"),
])
def test_an_intra_community_buyer_has_a_vat_number_of_another_state(
    content: ContentDir, buyer: str, message: str
) -> None:
    _brand_vat(content)
    content.edit("buyers/aoyama.yaml", "country: JP", f"country: DE\nintra_community: true{buyer}")
    problem = content.problem()
    assert problem.file == "content/buyers/aoyama.yaml" and message in problem.message


def test_the_pages_say_no_vat_and_the_checkout_asks_the_vat_number(
    content: ContentDir, tmp_path: Path
) -> None:
    _brand_vat(content)
    _intra_link(content, "\nshow_terms: true")
    content.edit("buyers/aoyama.yaml", "country: JP",
                 "country: DE\nintra_community: true\nvat_number: DE123456789")
    out = tmp_path / "public"
    run(BuildSettings(content=content.root, now=datetime(2026, 11, 27, tzinfo=UTC), out=out,
                      private=tmp_path / "private", cache=tmp_path / "cache"))
    home = (out / "l/open/en/usd/index.html").read_text("utf-8")
    assert "Intra-EU supply: no Consumption tax charged" in home
    cart = (out / "l/open/en/usd/cart/index.html").read_text("utf-8")
    assert 'name="vat_number" required' in cart and 'data-total="tax"' not in cart
    # A link with VAT has neither.
    plain = (out / "l/aoyama/ja/jpy/cart/index.html")
    assert plain.exists()  # sealed: its body is encrypted, so its terms are read off the offer
    manifest = Manifest.model_validate_json((tmp_path / "private/manifest.json").read_bytes())
    assert [slug for slug, link in manifest.links.items() if link.intra_community] == [
        "aoyama", "open"]


@pytest.fixture
def intra(invoicing: Shop) -> Shop:
    """The shop with the brand's VAT number, its open link selling within the EU."""
    append_brand(invoicing, BRAND_VAT)
    _intra_link(invoicing.content)
    invoicing.republish()
    return invoicing


def test_an_intra_community_order_carries_no_vat_and_the_buyers_number(intra: Shop) -> None:
    quote = intra.post("open", order(buyer=None), path="quote").json()
    assert (quote["tax"], quote["taxes"], quote["intra_community"]) == ("0", [], True)
    assert quote["total"] == quote["subtotal"] == "43200"

    missing = intra.post("open", order(), key="key-0101")
    assert missing.status == 422
    assert [(e["field"], e["message"][:9]) for e in missing.json()["errors"]] == [
        ("buyer.vat_number", "required:")]
    home = intra.post("open", order(buyer={**BERLIN, "vat_number": "FR12345678901"}),
                      key="key-0102")
    assert home.status == 422
    assert "where the brand is: a sale within one member state" in str(home.json())
    swiss = intra.post("open", order(buyer={**BERLIN, "vat_number": "CHE-123.456.789 MWST"}),
                       key="key-0105")
    assert swiss.status == 422 and "is not an EU member state's VAT number" in str(swiss.json())
    typo = intra.post("open", order(buyer={**BERLIN, "vat_number": "DE1234"}), key="key-0103")
    assert typo.status == 422 and typo.json()["errors"][0]["field"] == "buyer.vat_number"
    assert list(intra.store.orders(OrderFilter())) == []

    placed = intra.post("open", order(buyer=BERLIN), key="key-0104")
    assert placed.status == 201, placed.body
    answer = placed.json()
    assert (answer["tax"], answer["total"], answer["buyer"]["vat_number"]) == (
        "0", "43200", "DE123456789")
    [stored] = intra.store.orders(OrderFilter())
    assert (stored.buyer.vat_number, stored.intra_community) == ("DE123456789", True)


def _text(page: str) -> str:
    tree = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(page)
    return " ".join(" ".join(tree.itertext()).split())


def test_the_invoice_mail_confirmation_and_export_carry_both_numbers_and_the_mention(
    intra: Shop, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answer = intra.post("open", order(language="en", currency="USD", buyer=BERLIN))
    assert answer.status == 201, answer.body
    number = answer.json()["order_number"]
    assert main(["orders", "invoice", number, "--date", "2027-01-12"]) == 0
    capsys.readouterr()
    invoice = _text((tmp_path / f"INV-{number}.html").read_text("utf-8"))
    for expected in ("VAT number: FR40303265045", "VAT number DE123456789",
                     "Registration number: T3010401000000", "Total $288.00", MENTION):
        assert expected in invoice, expected
    assert "Consumption tax" not in invoice

    [stored] = intra.store.orders(OrderFilter())
    manifest = Manifest.model_validate_json((intra.private / "manifest.json").read_bytes())
    mail = compose_order_mail(stored, manifest, "brand", sender="orders@example.com",
                              recipients=["brand@example.com"], reply_to=[],
                              message_id="<1@example.com>")
    for part in ("plain", "html"):
        body = mail.get_body((part,))
        assert body is not None
        text = body.get_content()
        assert "DE123456789" in text and MENTION in text, part
    confirmation = _text(render_confirmation(stored, ZoneInfo("Europe/Berlin"), "Atelier Test",
                                             manifest))
    assert "VAT number DE123456789" in confirmation and MENTION in confirmation

    assert main(["orders", "show", number]) == 0
    shown = capsys.readouterr().out
    assert "VAT number DE123456789" in shown and "an exempt intra-Community supply" in shown

    assert main(["orders", "export", "--format", "csv", "--out", "orders.csv"]) == 0
    rows = list(csv.DictReader(io.StringIO((tmp_path / "orders.csv").read_text("utf-8-sig"))))
    assert [row["buyer_vat_number"] for row in rows] == ["DE123456789"]


def test_a_vat_registered_brand_asks_any_company_for_its_number_optionally(
    invoicing: Shop, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Invoices in France or Italy carry the buyer's VAT number on domestic sales too: a brand
    with a VAT number asks every company for one, which the order and invoice then carry."""
    append_brand(invoicing, BRAND_VAT)
    swiss = {**BERLIN, "company": "Laden Zürich AG", "vat_number": "CHE-123.456.789 MWST"}
    placed = invoicing.post("open", order(language="en", currency="USD", buyer=swiss))
    assert placed.status == 201, placed.body
    assert (placed.json()["tax"], placed.json()["intra_community"]) == ("28.80", False)
    without = invoicing.post("open", order(), key="key-0002")  # optional: none is fine
    assert without.status == 201 and without.json()["buyer"]["vat_number"] is None
    number = placed.json()["order_number"]
    assert main(["orders", "invoice", number, "--date", "2027-01-12"]) == 0
    capsys.readouterr()
    invoice = _text((tmp_path / f"INV-{number}.html").read_text("utf-8"))
    assert "VAT number CHE123456789MWST" in invoice and "Consumption tax 10%" in invoice
    assert MENTION not in invoice


def test_the_checkout_asks_a_vat_number_only_where_it_goes_on_an_invoice(
    content: ContentDir, tmp_path: Path
) -> None:
    def cart(folder: str) -> str:
        out = tmp_path / folder
        run(BuildSettings(content=content.root, now=datetime(2026, 11, 27, tzinfo=UTC),
                          out=out, private=tmp_path / f"{folder}-private",
                          cache=tmp_path / "cache"))
        return (out / "l/open/en/usd/cart/index.html").read_text("utf-8")

    assert 'name="vat_number"' not in cart("plain")  # no VAT number of the brand's
    _brand_vat(content)
    optional = cart("registered")
    assert 'name="vat_number" maxlength' in optional and "VAT number (optional)" in optional
    content.edit("links/open.yaml", "season: ss27", "season: ss27\nbuyer_type: personal")
    assert 'name="vat_number"' not in cart("personal")  # a person has none
