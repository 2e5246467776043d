"""API schemas: the pydantic request and response bodies (DESIGN.md §5).

Every body the endpoint reads or writes is one of these models; openapi.py generates the
document at /api/openapi.json from them, so the description and the validation cannot differ.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictInt

from generator.fields import (
    PHONE_HINT,
    PHONE_PATTERN,
    SLUG_PATTERN,
    Phone,
    check_country,
    check_email,
)
from generator.state import LinkState
from generator.vat import VatNumber

PROBLEM_JSON = "application/problem+json"
MAX_LINES = 500
MAX_QUANTITY = 10_000
# Amounts travel as decimal strings: digits, and a point followed by the currency's digits.
AMOUNT_PATTERN = r"^(0|[1-9][0-9]{0,17})(\.[0-9]{1,4})?$"
# Control characters, and the bidi overrides and isolates that make a name read as another
# in an e-mail or an ERP export (Trojan Source); letters of any script are welcome. Checked as
# patterns by pydantic-core (no Python call per field); text_problem words the refusal.
_INVISIBLE = r"\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\u202A-\u202E\u2066-\u2069"
# One line: no line breaks of any kind (U+2028 and U+2029 too: an e-mail header would break).
_NOT_ONE_LINE = r"\x00-\x1F\x7F-\x9F\u2028\u2029\u202A-\u202E\u2066-\u2069"
# What leaves a required field blank: spaces of any width and characters that show nothing.
_BLANK = r"\s\u00AD\u180E\u200B-\u200D\u2060\uFEFF"
MULTILINE_PATTERN = f"^[^{_INVISIBLE}]*$"
PLAIN_PATTERN = f"^[^{_NOT_ONE_LINE}]*$"
# A single line with at least one character that shows (a name, a company, a street).
FILLED_PATTERN = f"^[^{_NOT_ONE_LINE}]*[^{_NOT_ONE_LINE}{_BLANK}][^{_NOT_ONE_LINE}]*$"
_FORBIDDEN = re.compile(f"[{_INVISIBLE}]")
_LINE_BREAK = re.compile(r"[\n\r\t\u2028\u2029]")
_TEXT_PATTERNS = {PLAIN_PATTERN, MULTILINE_PATTERN, FILLED_PATTERN}
CURRENCY_PATTERN = r"^[A-Z]{3}$"
LANGUAGE_PATTERN = r"^[A-Za-z0-9-]+$"
COUNTRY_PATTERN = r"^[A-Z]{2}$"
# How to write a value that one of these patterns refused, for the buyer (or the page's
# developer): a regular expression is no help to either.
_PATTERN_HINTS = {
    PHONE_PATTERN: PHONE_HINT,
    CURRENCY_PATTERN: "is not a currency code; write the link's ISO 4217 code in capitals, "
                      "e.g. JPY",
    LANGUAGE_PATTERN: "is not a language tag; write one of the link's languages, e.g. en",
    COUNTRY_PATTERN: "is not a country code; write the ISO 3166 code in capitals, e.g. JP",
    SLUG_PATTERN: "is not a season id; write it as the link's pages do, in lowercase, "
                  "e.g. ss27",
    AMOUNT_PATTERN: "is not an amount; write the total as the quote gives it: digits and "
                    "the currency's decimals, no separators or symbol, e.g. 68640 or "
                    "1234.50",
}


def text_problem(pattern: str, value: object) -> str | None:
    """What is wrong with a string that one of the patterns above refused, for the buyer;
    None for any other pattern."""
    if not isinstance(value, str):
        return None
    if pattern in _PATTERN_HINTS:
        return f"'{value[:40]}' {_PATTERN_HINTS[pattern]}"
    if pattern not in _TEXT_PATTERNS:
        return None
    if pattern != MULTILINE_PATTERN and _LINE_BREAK.search(value):
        return "must be a single line"
    found = _FORBIDDEN.search(value)
    if found is not None:
        return (f"contains the invisible character U+{ord(found.group()):04X} at position "
                f"{found.start() + 1}; remove it")
    if pattern == FILLED_PATTERN:
        return "is blank; write it out"
    return None


def _text(max_length: int, min_length: int = 0, *, lines: bool = False) -> object:
    pattern = MULTILINE_PATTERN if lines else FILLED_PATTERN if min_length else PLAIN_PATTERN
    return Field(min_length=min_length, max_length=max_length, pattern=pattern)


Name = Annotated[str, _text(200, 1)]
Short = Annotated[str, _text(100, 1)]
Code = Annotated[str, _text(64, 1)]
Amount = Annotated[str, Field(pattern=AMOUNT_PATTERN, max_length=24,
                              description="A decimal string with the currency's minor digits, "
                                          "e.g. \"68640\" (JPY) or \"1234.50\" (EUR).")]


class _Body(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class UnlockRequest(_Body):
    """The passcode a buyer typed; links without a passcode unlock with an empty body."""

    passcode: str | None = Field(default=None, max_length=256,
                                 description="The link's passcode (a customer link: its buyer's).")


class OrderLine(_Body):
    """One cell of a style's colour × size grid and the quantity ordered in it."""

    style_no: Code
    color: Code = Field(description="The colour's code, e.g. BLK.")
    size: Code
    quantity: StrictInt = Field(ge=1, le=MAX_QUANTITY, description="Whole units, 1–10,000.")


class BuyerDetails(_Body):
    """Who orders: `company` for organization links (absent for personal ones), a contact
    `name` and `email`; `phone` is required for organizations."""

    company: Name | None = None
    name: Name
    # The length first: a 10 KB value is refused as too long, not read as an address.
    email: Annotated[str, Field(max_length=254, json_schema_extra={"format": "email"}),
                     AfterValidator(check_email)]
    phone: Phone | None = None
    vat_number: VatNumber | None = Field(
        default=None, description="The company's VAT number with its country prefix: an EU "
        "member state's (FR40303265045), or GB, CHE, NO; spaces, dots and hyphens are "
        "dropped. Required on an intra-Community link (no VAT charged): an EU member state's "
        "other than the brand's.",
        json_schema_extra={"maxLength": 40})


class PostalAddress(_Body):
    """Where the goods go; `country` is an ISO 3166 code (CN on a China-only link)."""

    country: Annotated[str, Field(pattern=COUNTRY_PATTERN), AfterValidator(check_country)]
    postal_code: Annotated[str, _text(20)] = ""
    region: Annotated[str, _text(100)] = ""
    city: Short
    line1: Name
    line2: Annotated[str, _text(200)] = ""


class QuoteRequest(_Body):
    """A cart to price: the season, language and currency of the page, and its lines."""

    language: Annotated[str, Field(min_length=2, max_length=20, pattern=LANGUAGE_PATTERN)]
    currency: Annotated[str, Field(pattern=CURRENCY_PATTERN)]
    season: Annotated[str, Field(pattern=SLUG_PATTERN, max_length=64)]
    lines: list[OrderLine] = Field(min_length=1, max_length=MAX_LINES)
    buyer: BuyerDetails | None = None
    address: PostalAddress | None = None
    note: Annotated[str, _text(2000, lines=True)] | None = None
    expected_total: Amount | None = Field(default=None, description="The total the buyer "
                                          "saw; another server total answers 409 with a quote.")


class OrderRequest(QuoteRequest):
    """An order: a quote request with the buyer's details (and the address where needed)."""

    buyer: BuyerDetails


class PriceStep(_Body):
    """One step of a unit price's derivation (docs/pricing.md)."""

    kind: Literal["list_price", "rate", "discount", "tax"]
    amount: Amount = Field(description="The price after this step.")
    percent: str | None = None
    list_name: str | None = None
    source: Literal["product", "season", "link", "neutral"] | None = None
    label: str | None = Field(default=None, description="In the request's language.")


class PricedLine(_Body):
    """An order line priced by the server."""

    style_no: str
    color: str
    size: str
    quantity: int
    name: str = Field(description="The style's name in the request's language.")
    color_name: str
    sku: str | None
    jan: str | None
    delivery: str | None = Field(
        default=None, description="When the style ships: its own delivery or its season's, a "
        "window of dates as an ISO 8601 interval (2027-04-15/2027-05-15) or the brand's text "
        "in the request's language; null when the collection names none.")
    pack: int | None = Field(
        default=None, ge=1, description="For a style sold in packs (a prepack of sizes): the "
        "units of this size one pack holds, so that the colour's lines together are "
        "quantity / pack packs (the same number for each size); null for a style sold by the "
        "unit.")
    unit_price: Amount = Field(description="Tax-exclusive unit price.")
    amount: Amount = Field(description="unit_price × quantity.")
    breakdown: list[PriceStep]


class TaxAmount(_Body):
    """The tax of one rate, computed once on the subtotal taxed at that rate."""

    label: str
    percent: str
    base: Amount
    amount: Amount


class Quote(_Body):
    """A cart priced by the server from the published manifest; nothing is stored."""

    link: str
    season: str
    language: str
    currency: str
    term: str = Field(description="The transaction term's code, e.g. wsp.")
    lines: list[PricedLine]
    subtotal: Amount
    taxes: list[TaxAmount]
    tax: Amount
    total: Amount
    deposit_percent: str
    deposit: Amount
    balance: Amount
    intra_community: bool = Field(default=False, description="No VAT is charged: an exempt "
                                  "supply to a business in another EU member state, which "
                                  "accounts for the VAT itself.")


class Order(Quote):
    """A stored order, as acknowledged (201) and as replayed for its Idempotency-Key."""

    order_number: str = Field(description="The brand's order number, e.g. SS27-000042.")
    received_at: datetime
    buyer: BuyerDetails
    address: PostalAddress | None
    note: str | None


class Window(_Body):
    """When a link opens and closes; null: no bound."""

    release_at: datetime | None
    expires_at: datetime | None


class SeasonStatus(_Body):
    """A season of a link: its order deadline and whether it takes orders now."""

    id: str
    order_deadline: datetime
    orderable: bool


class LinkStatus(_Body):
    """A link's state at the server's clock."""

    link: str
    state: LinkState = Field(description="upcoming | open | view_only | expired, as of "
                                         "server_time")
    sealed: bool = Field(description="The pages are encrypted; unlock releases their key.")
    passcode: bool = Field(description="Unlocking needs a passcode.")
    window: Window
    seasons: list[SeasonStatus]
    server_time: datetime


class ShippedLine(_Body):
    """Units of one line of an order in a shipment."""

    style_no: str
    color: str
    size: str
    quantity: int


class PastShipment(_Body):
    """A shipment of an order, as the brand recorded it."""

    shipped_on: date
    carrier: str | None
    tracking: str | None
    lines: list[ShippedLine]


# How much of an order has shipped, counted in units (store.base.shipping_state).
ShippingState = Literal["none", "part", "all"]


class PastOrder(_Body):
    """An order of the link as it stands: amended, shipped or cancelled since."""

    order: Order = Field(description="The order as it stands (amendments applied).")
    status: Literal["placed", "cancelled"]
    cancelled_at: datetime | None
    shipped: ShippingState = Field(
        description="How much of it has shipped, counted in units.")
    shipments: list[PastShipment]


class OrderHistory(_Body):
    """A registered buyer's orders on their own (customer) link, the latest first."""

    orders: list[PastOrder]
    more: bool = Field(description="Older orders exist beyond those listed (at most 50).")
    server_time: datetime


class StockLevels(_Body):
    """What orders can still take of each colour × size that has a stock (the others have no
    limit and are not listed)."""

    season: str
    left: dict[str, dict[str, dict[str, int]]] = Field(
        description="style_no -> colour code -> size -> units left (0: none).")
    server_time: datetime


class UnlockResponse(_Body):
    """A sealed link's page key, and a token that orders of the link carry (#6)."""

    key: str = Field(description="The raw 32-byte AES-256-GCM key, base64.")
    key_version: int = Field(description="The version the pages name as `v`; their AAD is "
                                         "'<link>:<key_version>'.")
    token: str = Field(description="Bearer token for orders of this link until expires_at.")
    expires_at: datetime = Field(description="When the token expires: at most 12 hours, and "
                                             "never after the link expires.")
    expires_in: int = Field(ge=0, description="Seconds from now until expires_at: a page "
                                              "measures the grant's life with this, so a "
                                              "device clock that is off does not matter.")


class Health(_Body):
    """The endpoint is up, with the manifest it serves."""

    status: Literal["ok"]
    links: int
    server_time: datetime


class FieldError(_Body):
    """What is wrong with one field of a request body."""

    field: str = Field(description="Dotted path, e.g. lines[0].quantity; empty: the body.")
    message: str
    code: str | None = Field(default=None, description="A cart rule's kind, e.g. below_moq, "
                                                       "sold_out, not_multiple, not_whole_packs, "
                                                       "out_of_stock.")
    left: int | None = Field(default=None, ge=0, description="out_of_stock: the units of the "
                             "line's colour and size that orders can still take.")


class Problem(_Body):
    """An error, as RFC 9457 problem details."""

    type: str = Field(description="Stable URI of the kind of problem.")
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = Field(default=None, description="Per-field errors (422).")
    state: LinkState | None = Field(default=None, description="The link's state (403 on "
                                                              "unlock outside the window).")
    retry_after: int | None = Field(default=None, description="Seconds to wait (429, 503).")
    reason: str | None = Field(default=None, description="Why a token was refused (401): "
                               "missing, malformed, signature, other-link, stale-key, expired.")
    quote: Quote | None = Field(default=None, description="The server's quote (409 when "
                                                          "expected_total differs; 422 below "
                                                          "the minimum order).")
    minimum_order: str | None = Field(default=None, description="The link's minimum order in "
                                      "the order's currency, before tax (422 "
                                      "below-minimum-order).")


