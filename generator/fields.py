"""Field types shared by the content models: translatable text, codes, media paths, dates.

Validators that need the brand (its languages, timezone, media folder) read it from the
pydantic validation context that `catalog.py` passes; without a context they check form only.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Annotated, Any, TypedDict
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from babel.numbers import is_currency
from pydantic import AfterValidator, BeforeValidator, Field, GetCoreSchemaHandler, ValidationInfo
from pydantic_core import core_schema


class ValidationContext(TypedDict, total=False):
    """What validators may know about the brand while checking other files."""

    languages: tuple[str, ...]
    default_language: str
    timezone: ZoneInfo
    media_root: Path


def _context(info: ValidationInfo) -> ValidationContext:
    context = info.context
    return context if isinstance(context, dict) else {}  # type: ignore[return-value]


@dataclass(frozen=True)
class Text:
    """Translatable text: one value for all languages (key "") or a value per language."""

    values: dict[str, str]

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: type[Any], handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.with_info_plain_validator_function(
            _parse_text,
            serialization=core_schema.plain_serializer_function_ser_schema(
                lambda text: text.values.get("", text.values)
            ),
        )

    def languages(self) -> tuple[str, ...]:
        """Return the languages given explicitly (empty for a single all-language value)."""
        return tuple(key for key in self.values if key)


def _parse_text(value: Any, info: ValidationInfo) -> Text:
    if isinstance(value, Text):
        return value
    if isinstance(value, str):
        if not value.strip():
            raise ValueError("text is empty; write a value or remove the field")
        return Text({"": value})
    if not isinstance(value, dict) or not value:
        raise ValueError("expected text, or a mapping of language to text such as "
                         "{en: Coat, ja: コート}")
    context = _context(info)
    allowed = context.get("languages")
    for language, text in value.items():
        if allowed is not None and language not in allowed:
            raise ValueError(f"language '{language}' is not one of the brand's languages "
                             f"({', '.join(allowed)}); fix the key or add it to brand.yaml")
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"the '{language}' text is empty; write a value or drop the key")
    default = context.get("default_language")
    if default is not None and default not in value:
        raise ValueError(f"no '{default}' text; the default language is the fallback for the "
                         "others, so it must be given")
    return Text(dict(value))


def _check_language(value: str) -> str:
    try:
        Locale.parse(value, sep="-")
    except (ValueError, UnknownLocaleError):
        raise ValueError(f"'{value}' is not a language tag Babel knows; use e.g. en, ja, fr, "
                         "zh-Hans") from None
    return value


def _check_currency(value: str) -> str:
    if not re.fullmatch(r"[A-Z]{3}", value) or not is_currency(value):
        raise ValueError(f"'{value}' is not an ISO 4217 currency code; use e.g. JPY, USD, EUR")
    return value


# CLDR's two-letter regions that are no country goods can be sent to: unknown, unions,
# pseudo-locales and outlying groupings.
_NOT_COUNTRIES = frozenset({"ZZ", "EU", "EZ", "UN", "QO", "XA", "XB"})
_TERRITORIES = frozenset(
    str(code) for code in Locale("en").territories
    if re.fullmatch("[A-Z]{2}", str(code)) and str(code) not in _NOT_COUNTRIES
)


def check_country(value: str) -> str:
    """Refuse a code that names no country (the endpoint checks buyers' addresses too)."""
    if value not in _TERRITORIES:
        raise ValueError(f"'{value}' is not an ISO 3166 country code; use e.g. JP, FR, CN, US")
    return value


def _check_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: too long for a file name
        raise ValueError(f"'{value}' is not an IANA time zone; use e.g. Asia/Tokyo, "
                         "Europe/Paris") from None
    return value


def _check_media(value: str, info: ValidationInfo) -> str:
    path = PurePosixPath(value)
    if path.is_absolute() or ".." in path.parts or "\\" in value:
        raise ValueError(f"'{value}' must be a path inside media/, like ss27/coat-black.jpg")
    media_root = _context(info).get("media_root")
    if len(value) > 255 or any(len(part) > 255 for part in path.parts):
        raise ValueError(f"media path '{value[:60]}…' is longer than a file name can be; "
                         "give the file a shorter name")
    if media_root is not None and (media_root / path).is_dir():
        raise ValueError(f"media path '{value}' is a folder; name a file in it, like "
                         f"{value.rstrip('/')}/coat-black.jpg")
    if media_root is not None and not (media_root / path).is_file():
        raise ValueError(f"media file '{value}' not found in media/; add the file or fix "
                         "the path")
    return value


# What a refused date is told to look like (the validators here and `validate.py`'s wording).
DATE_EXAMPLES = "2027-01-31T18:00 (read in the brand's timezone) or 2027-01-31T18:00:00+09:00"
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def _not_a_number(value: object) -> object:
    """Refuse a date written as a number: pydantic would read `20270131` or "1735689600" as
    seconds since 1970, a deadline in 1970 that the brand never meant."""
    text = str(value).strip() if isinstance(value, int | float | Decimal | str) else None
    if text is None or isinstance(value, bool) or not _NUMBER.fullmatch(text):
        return value
    hint = DATE_EXAMPLES
    if re.fullmatch(r"[0-9]{8}", text):
        with contextlib.suppress(ValueError):
            day = datetime.strptime(text, "%Y%m%d").date()
            hint = f"{day.isoformat()}, or with a time: {day.isoformat()}T18:00"
    raise ValueError(f"'{text}' is a number, not a date; write the date as ISO 8601, e.g. {hint}")


def _localize(value: datetime, info: ValidationInfo) -> datetime:
    """Read a naive date-time in the brand's timezone, so every instant is unambiguous; a
    year at the calendar's edge would overflow once moved to another zone."""
    if not 1970 <= value.year <= 9998:
        raise ValueError(f"{value.isoformat()} is outside the years 1970 to 9998; check the "
                         "date")
    if value.tzinfo is not None:
        return value
    timezone = _context(info).get("timezone")
    if timezone is None:
        return value
    return value.replace(tzinfo=timezone)


def _check_url(value: str) -> str:
    if not re.fullmatch(r"https?://[^\s/$.?#][^\s]*", value):
        raise ValueError(f"'{value}' is not an http(s) URL")
    try:
        parts = urlsplit(value)
        port = parts.port  # a port out of range or not a number raises
    except ValueError:
        port = 0
    if port == 0 or not parts.hostname:
        raise ValueError(f"'{value}' is not an http(s) URL: its host or port cannot be read "
                         "(an IPv6 host goes in [ ], a port is a number from 1 to 65535)")
    return value


# An address every mail server and Python's own e-mail headers take as it is: a dot-atom
# before the @ (RFC 5322 §3.2.3, ASCII) and a host name of at least two labels after it (an
# internationalized domain in its xn-- form). Quoted local parts, comments and trailing dots
# are valid in some reading of the RFCs and break a confirmation e-mail in practice.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@{_LABEL}(?:\.{_LABEL})*\.[A-Za-z][A-Za-z0-9-]*"
                    r"[A-Za-z0-9]")


def check_email(value: str) -> str:
    """Refuse what is not an e-mail address the order mails can be sent to, saying how to
    write one."""
    local, _, domain = value.rpartition("@")
    if (not _EMAIL.fullmatch(value) or len(value) > 254 or len(local) > 64
            or len(domain) > 253):
        raise ValueError(f"'{value}' is not an e-mail address; write it as name@example.com "
                         "(letters, digits and . _ + - before the @; a domain in its ASCII "
                         "xn-- form)")
    return value


def _check_swatch(value: str, info: ValidationInfo) -> str:
    if value.startswith("#"):
        if not re.fullmatch(r"#[0-9A-Fa-f]{6}", value):
            raise ValueError(f"'{value}' is not a colour; write #RRGGBB or a media path")
        return value
    media_root = _context(info).get("media_root")
    if (re.fullmatch(r"[0-9A-Fa-f]{6}", value) and media_root is not None
            and not (media_root / value).is_file()):
        # A colour copied from a design tool without its #, not a file's name.
        raise ValueError(f"'{value}' is a colour without its #: write swatch: \"#{value}\" (in "
                         "quotes: YAML reads an unquoted # as a comment)")
    return _check_media(value, info)


def _check_media_or_url(value: str, info: ValidationInfo) -> str:
    return _check_url(value) if value.startswith(("http://", "https://")) else _check_media(
        value, info)


def check_registration_number(value: str) -> str:
    """Refuse what is not a Japanese qualified-invoice issuer number (適格請求書発行事業者登録番号):
    T and 13 digits whose first is the check digit of the other twelve (as in a corporate
    number). A wrong number on an invoice costs the buyer its tax credit, so a typo is caught
    here rather than by the buyer's accountant."""
    if not re.fullmatch(r"T[0-9]{13}", value):
        raise ValueError(f"'{value}' is not a registration number; write T and its 13 digits "
                         "without spaces or hyphens, e.g. T3010401000000 (登録番号, on the "
                         "notice of registration)")
    base = value[2:]
    weighted = sum(int(digit) * (1 if place % 2 else 2)
                   for place, digit in enumerate(reversed(base), start=1))
    check = 9 - weighted % 9
    if int(value[1]) != check:
        raise ValueError(f"'{value}' is not a registration number: its check digit (the first "
                         f"after T) should be {check} for the twelve digits after it; copy the "
                         "number again from the notice of registration")
    return value


LanguageTag = Annotated[str, AfterValidator(_check_language)]
CurrencyCode = Annotated[str, AfterValidator(_check_currency)]
CountryCode = Annotated[str, AfterValidator(check_country)]
TimeZoneName = Annotated[str, AfterValidator(_check_timezone)]
MediaPath = Annotated[str, AfterValidator(_check_media)]
MediaOrUrl = Annotated[str, AfterValidator(_check_media_or_url)]
Swatch = Annotated[str, AfterValidator(_check_swatch)]
DateTime = Annotated[datetime, BeforeValidator(_not_a_number), AfterValidator(_localize)]
Url = Annotated[str, AfterValidator(_check_url)]
Email = Annotated[str, AfterValidator(check_email)]
RegistrationNumber = Annotated[str, AfterValidator(check_registration_number)]
Percent = Annotated[Decimal, Field(ge=0, le=100, decimal_places=4)]  # 8.25 %, not 1e-999999
# Ids appear in URLs and file names: lowercase ASCII, digits and inner hyphens.
SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$"


def slug_of(text: str, limit: int = 64) -> str:
    """An id in SLUG_PATTERN made of a name (`Boutique Lune` -> boutique-lune): its ASCII
    letters and digits, lowercase, hyphens between; "" for a name in another script."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:limit].strip("-")
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
Slug = Annotated[str, Field(pattern=SLUG_PATTERN, max_length=64)]
# Codes a brand already uses (style numbers, colour codes, sizes): printable, URL-safe.
Code = Annotated[str, Field(pattern=CODE_PATTERN, max_length=40)]
Label = Annotated[str, Field(min_length=1, max_length=200)]
# A phone number as people write it (a local "(03) 1234-5678" too), for a buyer's details in
# content and in an order alike: a registered buyer's fills a customer link's checkout form.
PHONE_PATTERN = r"^[+(]?[0-9][0-9 ().-]{3,38}[0-9]$"
PHONE_HINT = ("is not a phone number; write digits, with an optional + in front and spaces, "
              "( ) . or - between them, e.g. +81 3 1234 5678")
Phone = Annotated[str, Field(min_length=5, max_length=40, pattern=PHONE_PATTERN)]
