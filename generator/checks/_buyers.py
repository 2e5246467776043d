"""Cross-file rules for registered buyers: their terms, language and currency are the brand's."""

from __future__ import annotations

from generator.checks._common import (
    Problems,
    Scope,
    check_deposit,
    check_in_brand,
    check_minimum_order,
    check_parameter,
    check_tax,
)
from generator.content import RawEntry
from generator.models import Buyer


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
    return problems
