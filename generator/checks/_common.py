"""Checks shared by the cross-file rules: term parameters, duplicates, brand subsets, deposits."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from babel.numbers import get_currency_precision

from generator.content import RawEntry
from generator.errors import ContentProblem, FieldPath
from generator.models import Brand, Term
from generator.vat import in_eu

if TYPE_CHECKING:
    from generator.catalog import Catalog

Problems = list[ContentProblem]


@dataclass(frozen=True)
class Scope:
    """What the cross-file rules look at: the valid catalog, and every id declared at all.

    A file that failed its own validation still declares its id, so references to it are not
    reported a second time as dangling; a season whose products failed in part is not checked
    for the styles it has (a link's selection, a lookbook's pages), but the styles that did
    validate are checked as any others.
    """

    catalog: Catalog
    declared: Mapping[str, frozenset[str]]  # kind -> ids with a file, valid or not
    # The seasons whose products file did not validate whole, each with the place in the file
    # of every style the catalog holds of it (a style's problem is told at its own place).
    broken_seasons: Mapping[str, tuple[int, ...]]

    def exists(self, kind: str, ident: str) -> bool:
        """Tell whether an id has a file, valid or not."""
        return ident in self.declared.get(kind, frozenset())

    def place(self, season: str, index: int) -> int:
        """Where the season's `index`-th style of the catalog is in its products file."""
        positions = self.broken_seasons.get(season)
        return index if positions is None else positions[index]


def check_parameter(
    terms: Mapping[str, Term], code: str, rate: Decimal | None, discount: Decimal | None,
    entry: RawEntry, path: FieldPath, code_path: FieldPath | None = None,
) -> Problems:
    """Check that a term exists and that its parameter (rate or discount) fits its basis.

    `path` holds the rate or discount; `code_path` names the term (default: `path`).
    """
    term = terms.get(code)
    if term is None:
        return [entry.problem(code_path or path, f"unknown term '{code}'; the brand's terms are: "
                              f"{', '.join(terms)}")]
    if term.basis == "retail_rate" and discount is not None:
        return [entry.problem((*path, "discount"), f"term '{code}' is a retail rate (掛け率): "
                              "give `rate` (percent of the retail price), not `discount`")]
    if term.basis == "discount" and rate is not None:
        return [entry.problem((*path, "rate"), f"term '{code}' is priced from its own list: "
                              "give `discount` (percent off), not `rate`")]
    # Either makes every price of the term 0: an order at 0 is no wholesale order, and a
    # typo (`rate: 0` for 50, `discount: 100` for 10) would otherwise be published.
    if rate is not None and rate == 0:
        return [entry.problem((*path, "rate"), "a rate of 0 % makes every price 0; give the "
                              "percent of the retail price the buyer pays, e.g. 50")]
    if discount is not None and discount == 100:
        return [entry.problem((*path, "discount"), "a discount of 100 % makes every price 0; "
                              "give the percent off the list price, from 0 to 99.99")]
    return []


def check_duplicates(
    entry: RawEntry, path: FieldPath, values: Sequence[str], noun: str
) -> Problems:
    """Report every value listed a second time."""
    seen: set[str] = set()
    problems: Problems = []
    for index, value in enumerate(values):
        if value in seen:
            problems.append(entry.problem((*path, index), f"{noun} '{value}' is listed twice"))
        seen.add(value)
    return problems


def check_in_brand(
    brand: Brand, entry: RawEntry, path: FieldPath, values: Sequence[str]
) -> Problems:
    """Check languages or currencies against the brand's, and that none is listed twice."""
    is_language = path[-1] in ("languages", "language")
    allowed = brand.languages if is_language else brand.currencies
    noun = "language" if is_language else "currency"
    problems: Problems = []
    for index, value in enumerate(values):
        if value not in allowed:
            where = (*path, index) if path[-1] in ("languages", "currencies") else path
            problems.append(entry.problem(where, f"{noun} '{value}' is not one of the brand's "
                                          f"({', '.join(allowed)}); add it to brand.yaml or "
                                          "remove it here"))
    if path[-1] in ("languages", "currencies"):
        problems += check_duplicates(entry, path, values, noun)
    return problems


def check_deposit(billing: str, percent: Decimal | None, entry: RawEntry) -> Problems:
    """Check that a deposit percent is given exactly when billing is with_deposit."""
    if billing == "with_deposit" and percent is None:
        return [entry.problem(("billing",), "billing with_deposit needs `deposit_percent` "
                              "(0–100)")]
    if billing == "without_deposit" and percent is not None:
        return [entry.problem(("deposit_percent",), "deposit_percent only applies with "
                              "`billing: with_deposit`; set that or remove the percent")]
    return []


def check_tax(apply_tax: bool, tax_exempt: bool, entry: RawEntry) -> Problems:
    """Check that a tax-exempt link or buyer does not also show prices with the tax."""
    if apply_tax and tax_exempt:
        return [entry.problem(("apply_tax",), "apply_tax shows prices with the tax, and "
                              "tax_exempt orders carry none; remove one of the two")]
    return []


def check_intra_community(brand: Brand, intra_community: bool, apply_tax: bool,
                          tax_exempt: bool, buyer_type: str, entry: RawEntry) -> Problems:
    """An intra-Community link or buyer: business orders with no VAT (an exempt supply to
    another EU member state), which the brand may invoice only with its own VAT number."""
    if not intra_community:
        return []
    problems: Problems = []
    here = ("intra_community",)
    if tax_exempt:
        problems.append(entry.problem(here, "intra_community and tax_exempt both leave out the "
                                      "tax, for different reasons an invoice must name; keep "
                                      "intra_community for a business in another EU member "
                                      "state, tax_exempt for an export outside the EU"))
    if apply_tax:
        problems.append(entry.problem(("apply_tax",), "apply_tax shows prices with the tax, "
                                      "and intra-Community orders carry none; remove apply_tax"))
    if buyer_type == "personal":
        problems.append(entry.problem(here, "an intra-Community supply is to businesses "
                                      "(with a VAT number); a personal buyer pays the VAT: remove "
                                      "intra_community or make the buyer an organization"))
    own = brand.invoicing.vat_number if brand.invoicing is not None else None
    if own is None:
        problems.append(entry.problem(here, "an intra-Community invoice carries the brand's "
                                      "own VAT number; add it to brand.yaml as invoicing: "
                                      "{vat_number: …}"))
    elif not in_eu(own):
        problems.append(entry.problem(here, f"the brand's VAT number {own} is not an EU "
                                      "member state's, and only a business registered for "
                                      "VAT in the EU makes intra-Community supplies; remove "
                                      "intra_community (a sale abroad is an export: "
                                      "tax_exempt)"))
    return problems


def check_minimum_order(minimum: Mapping[str, Decimal], currencies: Sequence[str],
                        entry: RawEntry, buyer: bool = False) -> Problems:
    """Check a minimum order: in currencies the link offers (`buyer`: in the buyer's
    currency), with the currency's decimals."""
    problems: Problems = []
    for currency, amount in minimum.items():
        where: FieldPath = ("minimum_order", currency)
        if currency not in currencies:
            offered = ", ".join(currencies)
            problems.append(entry.problem(where, (
                f"currency '{currency}' is not the buyer's ({offered}); give the minimum in "
                f"{offered}" if buyer else f"currency '{currency}' is not one this link "
                f"offers ({offered}); remove it or offer the currency")))
            continue
        too_precise = decimals_problem(currency, amount)
        if too_precise:
            problems.append(entry.problem(where, too_precise))
    return problems


def decimals_problem(currency: str, amount: Decimal) -> str | None:
    """Say that an amount has more decimals than its currency has, or None when it fits."""
    digits = get_currency_precision(currency)
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > digits:
        return (f"{currency} amounts have {digits} decimal{'' if digits == 1 else 's'}; "
                f"'{amount}' has {-exponent}")
    return None


def unknown_message(noun: str, value: str, known: Iterable[str]) -> str:
    """Say that a referenced id does not exist, listing the ones that do."""
    names = ", ".join(known) or "none yet"
    return f"{noun} '{value}' does not exist; known {noun}s: {names}"
