"""VAT identification numbers: the brand's own (`invoicing.vat_number`) and its buyers' (a
buyer file's `vat_number`, or what a buyer types at checkout), for the invoices that must
carry them, and for sales of goods without VAT to businesses in other EU member states
(`intra_community` links and buyers).

Such a sale is an exempt intra-Community supply (Council Directive 2006/112/EC, art. 138):
no VAT on the invoice, the buyer accounting for it at home, so the invoice must carry both
numbers (art. 226): a mistyped one costs the brand the exemption at a tax audit. Each is
checked here against its member state's format (the European Commission's VIES formats), as
written with the country prefix; whether the number is registered is for VIES to say, online.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BeforeValidator

# Member state prefix -> the format of what follows it. EL is Greece; XI, Northern Ireland,
# which trades goods under the EU's VAT rules.
EU_FORMATS: dict[str, str] = {
    "AT": r"U\d{8}", "BE": r"[01]\d{9}", "BG": r"\d{9,10}", "CY": r"\d{8}[A-Z]",
    "CZ": r"\d{8,10}", "DE": r"\d{9}", "DK": r"\d{8}", "EE": r"\d{9}", "EL": r"\d{9}",
    "ES": r"[A-Z0-9]\d{7}[A-Z0-9]", "FI": r"\d{8}", "FR": r"[A-HJ-NP-Z0-9]{2}\d{9}",
    "HR": r"\d{11}", "HU": r"\d{8}", "IE": r"\d{7}[A-WY][A-I]?|\d[A-Z+*]\d{5}[A-W]",
    "IT": r"\d{11}", "LT": r"\d{9}|\d{12}", "LU": r"\d{8}", "LV": r"\d{11}", "MT": r"\d{8}",
    "NL": r"\d{9}B\d{2}", "PL": r"\d{10}", "PT": r"\d{9}", "RO": r"[1-9]\d{1,9}",
    "SE": r"\d{10}01", "SI": r"\d{8}", "SK": r"\d{10}", "XI": r"\d{9}|\d{12}|GD\d{3}|HA\d{3}",
}
# The VAT numbers of European buyers outside the EU, which an EU brand's invoices carry too
# (their sales are exports, not intra-Community supplies): the UK, Switzerland, Norway.
OTHER_FORMATS: dict[str, str] = {
    "GB": r"\d{9}|\d{12}|GD\d{3}|HA\d{3}", "CHE": r"\d{9}(?:MWST|TVA|IVA)?", "NO": r"\d{9}(?:MVA)?",
}
_SEPARATORS = re.compile(r"[\s.\-]")
EXAMPLE = "FR40303265045 or DE123456789"


def normalize(value: str) -> str:
    """The number as VIES and invoices write it: capitals, no spaces, dots or hyphens (buyers
    copy it as their letterhead prints it, `DE 123.456.789`)."""
    return _SEPARATORS.sub("", value).upper()


def check_vat_number(value: object) -> str:
    """The number normalized, or a ValueError that says what is wrong with it."""
    if not isinstance(value, str) or len(value) > 40:
        raise ValueError(f"give the VAT number as text with its country prefix, e.g. {EXAMPLE}")
    number = normalize(value)
    prefix = vat_country(number)
    rest = number[len(prefix):]
    if prefix == "GR":
        raise ValueError(f"'{value}': Greek VAT numbers start with EL, not GR; write "
                         f"EL{rest}")
    pattern = EU_FORMATS.get(prefix) or OTHER_FORMATS.get(prefix)
    if pattern is None:
        raise ValueError(f"'{value}' does not start with the VAT prefix of an EU member state "
                         f"(FR, DE, IT, …), GB, CHE or NO; write the number with its prefix, "
                         f"e.g. {EXAMPLE}")
    if not re.fullmatch(pattern, rest):
        raise ValueError(f"'{value}' is not a VAT number of {prefix}: copy it from the "
                         "registration or an invoice, prefix and all")
    return number


def vat_country(number: str) -> str:
    """The prefix of a normalized number: the member state's (EL for Greece), or GB, CHE,
    NO."""
    return number[:3] if number.startswith("CHE") else number[:2]


def in_eu(number: str) -> bool:
    """Whether a checked number is an EU member state's (what an intra-Community supply
    needs)."""
    return vat_country(number) in EU_FORMATS


VatNumber = Annotated[str, BeforeValidator(check_vat_number)]
