"""Amending stage: a stored Order x the brand's new quantities for its lines x the manifest ->
the amended Order, priced again from its own unit prices.

What the buyer agreed to stays: each line's unit price and breakdown, the terms, the tax rate
and the deposit percent. What follows from the quantities is computed again as the order was
priced (generator.pricing): each amount, the tax once on the subtotal, the deposit with the
brand's rounding. The cart rules of the styles still in the content apply to the new
quantities (MOQ, multiples), and a cell sold out since may keep its units but not gain any.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from generator.cart import CartLine, check_cart
from generator.errors import LinesheetsError, PricingError
from generator.manifest import Manifest
from generator.pricing import exact_arithmetic, percent_of, round_money
from order_api.schemas import MAX_QUANTITY, Order, PricedLine, TaxAmount

# Cart rules about what the content offers: an order placed against an earlier build may
# name what the content has since changed; the brand's amendment does not undo that.
_OFFER_RULES = frozenset({"unknown_style", "unknown_color", "unknown_size"})


def amend_order(order: Order, quantities: Mapping[int, int], manifest: Manifest) -> Order:
    """The order with the quantities of its lines (by position, from 0) replaced; a line at
    0 is removed. LinesheetsError says what cannot be amended and why."""
    _check_quantities(order, quantities)
    wanted = [quantities.get(position, line.quantity)
              for position, line in enumerate(order.lines)]
    if not any(wanted):
        raise LinesheetsError(f"every line of order {order.order_number} would be removed: "
                              "cancel it instead (`linesheets orders cancel`)")
    if wanted == [line.quantity for line in order.lines]:
        raise LinesheetsError(f"order {order.order_number} already has these quantities: "
                              "nothing to amend")
    kept = [(line, quantity) for line, quantity in zip(order.lines, wanted, strict=True)
            if quantity]
    _check_rules(order, kept, manifest)
    currency, brand = order.currency, manifest.brand
    try:
        with exact_arithmetic(f"order {order.order_number}"):
            lines = [line.model_copy(update={
                "quantity": quantity,
                "amount": str(round_money(Decimal(line.unit_price) * quantity, currency,
                                          "half_up"))}) for line, quantity in kept]
            subtotal = sum((Decimal(line.amount) for line in lines), Decimal(0))
            subtotal = round_money(subtotal, currency, "half_up")
            taxes = [TaxAmount(label=tax.label, percent=tax.percent, base=str(subtotal),
                               amount=str(round_money(percent_of(subtotal, Decimal(tax.percent)),
                                                      currency, brand.tax.rounding)))
                     for tax in order.taxes]
            tax = sum((Decimal(each.amount) for each in taxes), Decimal(0))
            total = subtotal + tax
            deposit = round_money(percent_of(total, Decimal(order.deposit_percent)), currency,
                                  brand.rounding)
    except PricingError as exc:
        raise LinesheetsError(str(exc)) from None
    return order.model_copy(update={
        "lines": lines, "subtotal": str(subtotal), "taxes": taxes,
        "tax": str(round_money(tax, currency, "half_up")),
        "total": str(round_money(total, currency, "half_up")), "deposit": str(deposit),
        "balance": str(round_money(total - deposit, currency, "half_up"))})


def _check_quantities(order: Order, quantities: Mapping[int, int]) -> None:
    count = len(order.lines)
    for position, quantity in quantities.items():
        if not 0 <= position < count:
            raise LinesheetsError(f"order {order.order_number} has no line {position + 1}; its "
                                  f"lines are 1 to {count} (`linesheets orders show` numbers "
                                  "them)")
        if not 0 <= quantity <= MAX_QUANTITY:
            raise LinesheetsError(f"line {position + 1}: {quantity} is not a quantity; give 0 "
                                  f"(to remove the line) to {MAX_QUANTITY:,}")
    if len(order.taxes) > 1:
        raise LinesheetsError(f"order {order.order_number} is taxed at several rates, which "
                              "this version cannot amend; cancel it and let the buyer order "
                              "again")


def _check_rules(order: Order, kept: Sequence[tuple[PricedLine, int]],
                 manifest: Manifest) -> None:
    """The cart rules of the styles still offered, for the amended lines."""
    season = manifest.seasons.get(order.season)
    if season is None:
        return
    before = {(line.style_no, line.color, line.size): line.quantity for line in order.lines}
    cart = [CartLine(line.style_no, line.color, line.size, quantity) for line, quantity in kept]
    for problem in check_cart(season.styles, cart):
        if problem.kind in _OFFER_RULES:
            continue
        line = cart[problem.lines[0]]
        if problem.kind == "sold_out":
            if line.quantity <= before[(line.style_no, line.color, line.size)]:
                continue  # sold out since: the units already ordered stay
            raise LinesheetsError(f"style {line.style_no}: {line.color} in {line.size} is sold "
                                  "out; its quantity may stay or go down, not up")
        if problem.kind == "not_whole_packs":
            raise LinesheetsError(f"style {problem.style_no} is sold in packs of "
                                  f"{problem.required} units: {problem.color} would have "
                                  f"{problem.total}, no whole number of packs; change that "
                                  "colour's sizes together (the same number of packs of each)")
        if problem.kind in ("below_moq", "not_multiple"):
            rule = ("below its minimum order of" if problem.kind == "below_moq"
                    else "not a multiple of")
            raise LinesheetsError(f"style {problem.style_no} would have {problem.total} units, "
                                  f"{rule} {problem.required}; change its lines together, or "
                                  "remove them all")
        raise LinesheetsError(f"style {problem.style_no}: {problem.message}")
