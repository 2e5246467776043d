"""Cross-file rules for registered buyers: their terms, language and currency are the brand's."""

from __future__ import annotations

from generator.checks._common import (
    Problems,
    Scope,
    check_deposit,
    check_in_brand,
    check_intra_community,
    check_minimum_order,
    check_parameter,
    check_tax,
)
from generator.content import RawEntry
from generator.models import Brand, Buyer
from generator.vat import in_eu, vat_country


def check_buyer(scope: Scope, buyer: Buyer, entry: RawEntry) -> Problems:
    """Check a buyer's type, language, currency, term and deposit."""
    catalog = scope.catalog
    problems: Problems = []
    if buyer.type == "organization" and buyer.company is None:
        problems.append(entry.problem(("company",), "an organization buyer needs `company`, "
                                      "the name of the shop or firm"))
    if buyer.type == "personal" and buyer.company is not None:
        problems.append(entry.problem(("company",), "a personal buyer has no company; remove "
                                      "it or set `type: organization`"))
    problems += check_in_brand(catalog.brand, entry, ("language",), [buyer.language])
    problems += check_in_brand(catalog.brand, entry, ("currency",), [buyer.currency])
    problems += check_parameter(catalog.terms, buyer.transaction.term, buyer.transaction.rate,
                                buyer.transaction.discount, entry, ("transaction",),
                                 ("transaction", "term"))
    problems += check_deposit(buyer.billing, buyer.deposit_percent, entry)
    problems += check_minimum_order(buyer.minimum_order, [buyer.currency], entry, buyer=True)
    problems += check_tax(buyer.apply_tax, buyer.tax_exempt, entry)
    problems += check_intra_community(catalog.brand, buyer.intra_community, buyer.apply_tax,
                                      buyer.tax_exempt, buyer.type, entry)
    return problems + _check_vat_number(catalog.brand, buyer, entry)


def _check_vat_number(brand: Brand, buyer: Buyer, entry: RawEntry) -> Problems:
    """An intra-Community buyer's VAT number: there, and of another member state than the
    brand's (a sale within one state is charged its VAT)."""
    if not buyer.intra_community:
        return []
    if buyer.vat_number is None:
        return [entry.problem(("vat_number",), "an intra-Community buyer's orders and invoices "
                              "carry its EU VAT number; add vat_number")]
    if not in_eu(buyer.vat_number):
        return [entry.problem(("vat_number",), f"{buyer.vat_number} is not an EU member "
                              "state's VAT number, and an intra-Community supply is to a "
                              "business in the EU; remove intra_community (a sale outside the "
                              "EU is an export: tax_exempt)")]
    own = brand.invoicing.vat_number if brand.invoicing is not None else None
    if own is not None and vat_country(own) == vat_country(buyer.vat_number):
        return [entry.problem(("intra_community",), f"the buyer's VAT number is of "
                              f"{vat_country(own)}, as the brand's: a sale within one member "
                              "state is charged its VAT; remove intra_community")]
    return []
