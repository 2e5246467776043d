"""Model stage: the pydantic models of every content file (DESIGN.md §3), frozen and strict.

Each model checks what it can see alone; what needs several files (a link's season exists, a
style has a price for the link's term) is checked in `catalog.py`.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, TypeVar
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationInfo,
    field_validator,
    model_validator,
)

from generator.fields import (
    Code,
    CountryCode,
    CurrencyCode,
    DateTime,
    Email,
    Label,
    LanguageTag,
    MediaPath,
    Percent,
    Phone,
    RegistrationNumber,
    Slug,
    Swatch,
    Text,
    TimeZoneName,
    Url,
)

if TYPE_CHECKING:  # the manifest's style is filtered as a Product is (`with_colors`)
    from generator.manifest import ManifestStyle
from generator.passcode import MIN_LENGTH, is_passcode_hash
from generator.vat import VatNumber

Rounding = Literal["down", "half_up", "up"]
Basis = Literal["retail_rate", "discount"]
BuyerType = Literal["organization", "personal"]
Billing = Literal["without_deposit", "with_deposit"]
# A size label as printed on the grid: "M", "36", "One size"; no line breaks or slashes.
Size = Annotated[str, Field(pattern=r"^[^\s/](?:[^\n/]{0,18}[^\s/])?$")]
# Below a trillion in any currency, to a ten-thousandth: beyond either, exact pricing would
# refuse the amount at build time, far from the line that wrote it.
Price = Annotated[Decimal, Field(gt=0, lt=10**12, decimal_places=4, allow_inf_nan=False)]
TermCode = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,19}$")]
ItemCode = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9 ._/-]{0,39}$")]
# Hosts browsers trust on plain http, even from an https page (this machine's own).
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


class ContentModel(BaseModel):
    """Base of every content model: immutable, and unknown keys are errors."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)
    # Keys users put in the wrong file, with the hint that replaces "unknown field".
    field_hints: ClassVar[dict[str, str]] = {}


class Contact(ContentModel):
    """Someone a buyer can reach: shown on link pages and in the buyer instructions."""

    name: Label
    role: Text | None = None
    email: Email | None = None
    phone: Label | None = None
    line: Label | None = None  # LINE id, the messaging app Japanese buyers use
    wechat: Label | None = None  # WeChat id, for buyers in China
    whatsapp: Label | None = None
    instagram: Label | None = None


class Tax(ContentModel):
    """The brand's sales or consumption tax."""

    rate: Percent = Decimal(0)
    label: Text = Text({"": "Tax"})
    rounding: Rounding = "down"  # Japanese invoices round consumption tax down by custom


class Notifications(ContentModel):
    """Where the brand hears about orders."""

    emails: list[Email] = []
    webhook: Url | None = None


class BankAccount(ContentModel):
    """Where buyers pay the brand's invoices in some currencies, written as the bank gives it
    (a Japanese account, an IBAN and BIC, a SWIFT transfer …): printed on the invoice as is."""

    currencies: list[CurrencyCode] = Field(min_length=1)
    details: Text


class Invoicing(ContentModel):
    """What the brand's invoices carry besides the order (`linesheets orders invoice`)."""

    issuer: Text | None = None  # the legal name (株式会社…); the brand's name by default
    address: Text | None = None  # the issuer's address, on as many lines as written
    registration_number: RegistrationNumber | None = None  # Japan's T + 13 digits
    # The brand's VAT number (FR40303265045; GB…, CHE…, NO… outside the EU), on its invoices;
    # `intra_community` links and buyers need an EU member state's
    vat_number: VatNumber | None = None
    deposit_due_days: int = Field(default=14, ge=0, le=365)  # after the invoice's date
    balance_due_days: int = Field(default=30, ge=0, le=365)
    bank_accounts: list[BankAccount] = []
    note: Text | None = None  # e.g. who bears the bank charges

    @model_validator(mode="after")
    def _one_account_per_currency(self) -> Invoicing:
        first: dict[str, int] = {}
        for index, account in enumerate(self.bank_accounts):
            for currency in account.currencies:
                if currency in first:
                    raise ValueError(
                        f"bank_accounts {first[currency] + 1} and {index + 1} both take "
                        f"{currency}; give each currency one account, so an invoice says "
                        "where to pay")
                first[currency] = index
        return self

    def account(self, currency: str) -> BankAccount | None:
        """The account an invoice in `currency` asks to be paid into, if the brand has one."""
        return next((each for each in self.bank_accounts if currency in each.currencies), None)


class Brand(ContentModel):
    """brand.yaml: the brand's general settings."""

    name: Text
    description: Text | None = None
    logo: MediaPath | None = None
    # A square image for browser tabs and home screens (180×180 px or larger, or an SVG).
    icon: MediaPath | None = None
    default_language: LanguageTag
    languages: list[LanguageTag] = Field(min_length=1)
    currencies: list[CurrencyCode] = Field(min_length=1)
    timezone: TimeZoneName
    base_url: Url
    api_url: Annotated[str, Field(pattern=r"^(https?://[^\s]+|/[^\s]*)$")] = "/api"
    rounding: Rounding = "half_up"  # unit prices and deposits
    tax: Tax = Tax()
    contacts: list[Contact] = []
    notifications: Notifications = Notifications()
    invoicing: Invoicing | None = None

    @field_validator("api_url")
    @classmethod
    def _api_address(cls, api_url: str, info: ValidationInfo) -> str:
        """Where the pages call the endpoint's API. The endpoint's origin alone
        (https://api.example.com) means its API there, under /api, where `linesheets api`
        serves it. An endpoint on plain http behind pages on https is refused: browsers block
        those calls (mixed content), so no passcode, quote or order would get through; this
        machine's own addresses are exempt, as browsers exempt them (a local test)."""
        base_url = info.data.get("base_url")
        api = urlsplit(api_url)
        if (base_url is not None and urlsplit(base_url).scheme == "https"
                and api.scheme == "http" and api.hostname not in LOCAL_HOSTS):
            raise ValueError(f"'{api_url}' is plain http, and the pages are on https "
                             f"(base_url {base_url}): browsers block their calls to it; give "
                             "the endpoint's https:// address, or a path on the pages' host "
                             "such as /api")
        if api.scheme and api.path in ("", "/") and not api.query:
            return f"{api_url.rstrip('/')}/api"
        return api_url


class Term(ContentModel):
    """A transaction term: how a unit price is derived from the style's price lists."""

    code: TermCode
    label: Text
    basis: Basis
    description: Text | None = None


class TermsFile(ContentModel):
    """terms.yaml: the terms the brand trades on (replaces the built-in set)."""

    terms: list[Term] = Field(min_length=1)


class TermParameter(ContentModel):
    """A rate (retail_rate terms) or a discount (discount terms), in percent."""

    rate: Percent | None = None
    discount: Percent | None = None

    @model_validator(mode="after")
    def _one_parameter(self) -> TermParameter:
        if self.rate is not None and self.discount is not None:
            raise ValueError("give either rate or discount, not both")
        if self.rate is None and self.discount is None:
            raise ValueError("give a rate (retail_rate terms) or a discount (discount terms)")
        return self


class Transaction(ContentModel):
    """The term a link or buyer trades on, with its rate or discount (neutral when absent)."""

    term: TermCode
    rate: Percent | None = None
    discount: Percent | None = None


class DeliveryWindow(ContentModel):
    """Dates between which a season, or a style of it, ships."""

    start: date = Field(alias="from")
    end: date = Field(alias="to")

    @model_validator(mode="after")
    def _ordered(self) -> DeliveryWindow:
        if self.end < self.start:
            raise ValueError(f"delivery ends ({self.end}) before it starts ({self.start})")
        return self


def _delivery_kind(value: Any) -> str:
    if isinstance(value, dict) and ("from" in value or "to" in value):
        return "window"
    return "text"


# `delivery:` is either text ("Feb–Mar 2027", or per language) or {from: date, to: date}.
Delivery = Annotated[
    Annotated[DeliveryWindow, Tag("window")] | Annotated[Text, Tag("text")],
    Discriminator(_delivery_kind),
]


class Season(ContentModel):
    """seasons/<id>/season.yaml: one linesheet."""

    id: Slug | None = None  # defaults to the folder name, and must match it when given
    name: Text
    order_deadline: DateTime
    delivery: Delivery | None = None
    description: Text | None = None
    header_image: MediaPath | None = None
    rates: dict[TermCode, TermParameter] = {}  # per-term overrides for every style of the season


class Color(ContentModel):
    """One colourway of a style."""

    code: Code
    name: Text
    swatch: Swatch | None = None  # #RRGGBB or a swatch image under media/
    images: list[MediaPath] = []
    # Its own delivery (a colourway in a later drop); None: the style's, else the season's.
    delivery: Delivery | None = None
    # The links it is exclusive to (a colour made for one shop): every other link shows the
    # style without it. Empty: every link that shows the style.
    exclusive_to: list[Slug] = []


class Measurement(ContentModel):
    """One point of measure of a style, a row of its size chart: what is measured, and the
    measure of each size."""

    label: Text
    values: dict[Size, Annotated[Decimal, Field(gt=0, lt=10_000, decimal_places=1)]] = Field(
        min_length=1)


class Product(ContentModel):
    """One style of a season."""

    style_no: Code
    name: Text
    description: Text | None = None
    category: Text
    composition: Text | None = None
    origin: Text | None = None
    # Its own delivery (a later drop, a carry-over shipping at once); None: the season's.
    delivery: Delivery | None = None
    colors: list[Color] = Field(min_length=1)
    sizes: list[Size] = Field(min_length=1)
    # currency -> price list -> amount: `rrp` plus one list per discount term (wsp, exw …)
    prices: dict[CurrencyCode, dict[TermCode, Price]] = Field(min_length=1)
    # size -> currency -> price list -> amount: the sizes priced apart (a plus size, a kids'
    # run by height); each replaces the style's amount of that list for its size
    size_prices: dict[Size, dict[CurrencyCode, dict[TermCode, Price]]] = {}
    rates: dict[TermCode, TermParameter] = {}  # per-term overrides, strongest
    moq: int = Field(default=1, ge=1, le=100_000)
    multiple: int = Field(default=1, ge=1, le=10_000)
    # A prepack: the sizes and units of one pack ({S: 1, M: 2, L: 2, XL: 1}); each colour of
    # the style is then ordered in whole packs only (a number of packs, each all its sizes)
    pack: dict[Size, Annotated[int, Field(ge=1, le=1_000)]] = {}
    sold_out: dict[Code, list[Size]] = {}  # colour code -> sizes no longer available
    # colour -> size -> units the brand can take orders for, over every link and buyer: each
    # order takes from them, and one that wants more than is left is refused; a cell not
    # listed has no limit (limited production, stock on hand)
    stock: dict[Code, dict[Size, Annotated[int, Field(ge=0, le=10_000_000)]]] = {}
    skus: dict[Code, dict[Size, ItemCode]] = {}  # colour -> size -> the brand's SKU
    jan: dict[Code, dict[Size, Annotated[str, Field(pattern=r"^(\d{8}|\d{13})$")]]] = {}
    measurements: list[Measurement] = []  # its size chart, in `measurement_unit`
    measurement_unit: Literal["cm", "in"] = "cm"
    # The links it is exclusive to (a key account's exclusive, a capsule made for one shop):
    # every other link leaves it out, its pages and its orders alike. Empty: every link.
    exclusive_to: list[Slug] = []

    @field_validator("pack")
    @classmethod
    def _pack_in_size_order(cls, pack: dict[str, int],
                            info: ValidationInfo) -> dict[str, int]:
        """The pack in the order of `sizes`, as every page shows a style's sizes, however
        the brand wrote it (a size that is not the style's stays, last, for the check)."""
        sizes = info.data.get("sizes") or []
        return ({size: pack[size] for size in sizes if size in pack}
                | {size: units for size, units in pack.items() if size not in sizes})


_Styled = TypeVar("_Styled", "Product", "ManifestStyle")
_Cell = TypeVar("_Cell")  # what a style keeps by colour code: sold-out sizes, stock, codes


def with_colors(style: _Styled, codes: Collection[str]) -> _Styled:
    """A style with only some of its colourways (those of `codes`), and only their sold-out
    sizes, stock and SKU/JAN codes: a link's pages read the content's Product so, and the
    endpoint the manifest's style."""
    def kept(cells: dict[str, _Cell]) -> dict[str, _Cell]:
        return {code: value for code, value in cells.items() if code in codes}

    return style.model_copy(update={
        "colors": [color for color in style.colors if color.code in codes],
        "sold_out": kept(style.sold_out), "stock": kept(style.stock),
        "skus": kept(style.skus), "jan": kept(style.jan)})


class ProductsFile(ContentModel):
    """seasons/<id>/products.yaml: the styles of a season."""

    styles: list[Product] = []


class LookbookPage(ContentModel):
    """One image of a lookbook, with the styles it shows."""

    image: MediaPath
    caption: Text | None = None
    styles: list[Code] = []


class Lookbook(ContentModel):
    """lookbooks/<id>.yaml: a sequence of editorial images."""

    title: Text
    season: Slug | None = None  # the season whose style numbers the pages name
    description: Text | None = None
    pages: list[LookbookPage] = Field(min_length=1)


class Address(ContentModel):
    """A postal address."""

    country: CountryCode
    postal_code: Label | None = None
    region: Label | None = None
    city: Label
    line1: Label
    line2: Label | None = None


class Passcode(ContentModel):
    """A link's passcode: a plain value, or a hash from `linesheets passcode hash`."""

    enabled: bool = True
    value: Annotated[str, Field(min_length=MIN_LENGTH, max_length=128)] | None = None
    hash: str | None = None

    @model_validator(mode="after")
    def _one_secret(self) -> Passcode:
        if self.value is not None and self.hash is not None:
            raise ValueError("give either value or hash, not both")
        if self.enabled and self.value is None and self.hash is None:
            raise ValueError("the passcode is enabled but has no value or hash; add "
                             "`value: …` or a hash from `linesheets passcode hash`")
        if self.hash is not None and not is_passcode_hash(self.hash):
            raise ValueError("hash is not a hash from `linesheets passcode hash`; run it again "
                             "and paste its whole output")
        return self

    @property
    def secret(self) -> str | None:
        """The stored value or hash, when the passcode is on."""
        return (self.hash or self.value) if self.enabled else None


class Buyer(ContentModel):
    """buyers/<id>.yaml: a registered buyer with established terms."""

    type: BuyerType
    company: Label | None = None  # organizations only
    name: Label  # the contact person (or the personal buyer)
    email: Email
    phone: Phone | None = None
    country: CountryCode
    language: LanguageTag
    currency: CurrencyCode
    transaction: Transaction
    billing: Billing = "without_deposit"
    deposit_percent: Percent | None = None
    # The least an order may come to before tax, per currency (a minimum opening order).
    minimum_order: dict[CurrencyCode, Price] = {}
    apply_tax: bool = False
    tax_exempt: bool = False  # its orders carry no tax (an export: a buyer abroad)
    # A business in another EU member state than the brand's: its orders carry no VAT (exempt
    # intra-Community supplies, the buyer accounting for it); needs its `vat_number`
    intra_community: bool = False
    vat_number: VatNumber | None = None  # its VAT number, on its orders and invoices
    address: Address | None = None
    passcode: Passcode | None = None  # opens the buyer's customer links
