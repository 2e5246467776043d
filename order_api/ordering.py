"""Ordering stage: a quote or order request x the published manifest x now -> a priced Quote,
or the ApiProblem that says why not.

Every amount is recomputed here with generator.pricing and generator.cart from the manifest's
price lists, so a price a client sends has no effect and a page and an order cannot disagree.
The rules run in the order a buyer can act on: the link and season are open, the request names
what the link offers, the buyer and address fit the link, then the cart's own rules.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple

from generator.cart import CartLine, CartProblem, PricedCart, check_cart, price_cart
from generator.errors import PricingError
from generator.fields import Text
from generator.i18n import translate
from generator.manifest import Manifest, ManifestLink, ManifestSeason, ManifestStyle
from generator.models import with_colors
from generator.pricing import Step
from generator.state import link_state, season_open
from generator.vat import in_eu, vat_country
from order_api.problems import ApiProblem, invalid_fields
from order_api.schemas import (
    BuyerDetails,
    FieldError,
    OrderRequest,
    PostalAddress,
    PriceStep,
    Quote,
    QuoteRequest,
)
from order_api.store.base import Draft, Limit, OutOfStock, StockCell, breakdown_json


class _LineDetails(NamedTuple):
    """What a quote line shows of its style, colour and size, kept per build (quote_cart's
    memo)."""

    name: str  # in the request's language
    color_name: str
    skus: dict[str, str]  # by size
    jans: dict[str, str]
    delivery: str | None  # in the request's language
    pack: int | None  # the units of the size in one pack, for a style sold in packs
    steps: list[PriceStep]  # the unit price's breakdown
    breakdown: str  # the same as JSON, as order_lines stores it
    unit_price: str


# Where each cart rule points in the request, so the page can mark the right input.
_PROBLEM_FIELD = {
    "unknown_style": "style_no", "unknown_color": "color", "unknown_size": "size",
    "sold_out": "size", "duplicate_line": "size", "bad_quantity": "quantity",
    "below_moq": "quantity", "not_multiple": "quantity", "not_whole_packs": "quantity",
}


def quote_cart(manifest: Manifest, link: ManifestLink, request: QuoteRequest, now: datetime,
               memo: dict[tuple[str, ...], Any] | None = None) -> Quote:
    """Price a request for `link` at `now`, or raise the ApiProblem that refuses it.

    `memo` (one per published manifest) keeps what does not change until the next build:
    each style's unit price and each line's localized details, computed on first use.
    """
    memo = {} if memo is None else memo
    season = _orderable_season(manifest, link, request.season, now)
    _check_offer(link, request)
    ordering = isinstance(request, OrderRequest)
    if request.buyer is not None:  # required for an order; checked on a quote that has one
        _check_buyer(manifest, link, request.buyer)
    # A quote may leave out the address the order will need.
    _check_address(link, request.address, required=ordering)
    styles = _offered(link, season, memo)
    lines = [CartLine(line.style_no, line.color, line.size, line.quantity)
             for line in request.lines]
    problems = check_cart(styles, lines)
    if problems:
        raise _cart_problem(problems)
    try:
        units = memo.setdefault(("units", link.slug, season.id, request.currency), {})
        priced = price_cart(manifest.brand, link, season, styles, request.currency, lines,
                            units)
    except PricingError as exc:
        # The build checked every price of the offer; this is a manifest this version cannot
        # price (e.g. an amount too large to compute exactly): the buyer's cart is not at fault.
        raise ApiProblem("cart-rejected", f"this cart cannot be priced: {exc}") from None
    return _quote(manifest, link, season, request, priced, styles, memo)


def check_expected_total(quote: Quote, expected: str | None) -> None:
    """Refuse with 409 and the server's quote when the buyer saw another total."""
    if expected is not None and Decimal(expected) != Decimal(quote.total):
        raise ApiProblem("total-changed", f"the total is now {quote.total} {quote.currency}, "
                         f"not {expected}; check the new prices in `quote` and send the order "
                         "again with this expected_total", quote=quote)


def check_minimum_order(link: ManifestLink, quote: Quote) -> None:
    """Refuse with 422 an order that comes to less than the link's minimum in its currency,
    before tax (a quote is answered all the same: the cart shows what is missing)."""
    minimum = link.minimum_order.get(quote.currency)
    subtotal = Decimal(quote.subtotal)
    if minimum is None or subtotal >= minimum:
        return
    currency = quote.currency
    raise ApiProblem("below-minimum-order", f"the order comes to {quote.subtotal} {currency} "
                     f"before tax, and this link's minimum order is {_amount(minimum)} "
                     f"{currency}: add at least {_amount(minimum - subtotal)} {currency} to "
                     "the cart", minimum_order=_amount(minimum), quote=quote)


def stock_limits(manifest: Manifest, quote: Quote,
                 memo: dict[tuple[str, ...], Any]) -> tuple[Limit, ...]:
    """The quote's lines whose colour × size has a stock, each with the units it takes."""
    season = manifest.seasons[quote.season]
    stocked: bool | None = memo.get(("stocked", season.id))
    if stocked is None:
        stocked = memo[("stocked", season.id)] = any(style.stock for style in season.styles)
    if not stocked:
        return ()
    styles = _styles(season, memo)
    limits = []
    for position, line in enumerate(quote.lines):
        units = styles[line.style_no].stock.get(line.color, {}).get(line.size)
        if units is not None:
            limits.append(Limit(position, (season.id, line.style_no, line.color, line.size),
                                line.quantity, units))
    return tuple(limits)


def stocked_cells(season: ManifestSeason, style: str | None = None,
                  link: ManifestLink | None = None) -> dict[StockCell, int]:
    """The stock of each colour × size of a season (of one style; of the styles `link`
    offers) that has one."""
    offered = link.unit_prices.get(season.id, {}) if link is not None else None
    colors = link.colors.get(season.id, {}) if link is not None else {}
    return {(season.id, each.style_no, color, size): units for each in season.styles
            if each.stock and style in (None, each.style_no)
            and (offered is None or each.style_no in offered)
            for color, sizes in each.stock.items()
            if each.style_no not in colors or color in colors[each.style_no]
            for size, units in sizes.items()}


def stock_problem(error: OutOfStock, quote: Quote) -> ApiProblem:
    """409: lines that want more than their colour × size has left, each named with what is
    left, with the server's quote (the cart keeps showing its prices)."""
    errors = [FieldError(
        field=f"lines[{short.position}].quantity", code="out_of_stock", left=short.left,
        message=(f"only {short.left} left of {short.cell[2]} / {short.cell[3]}; order at most "
                 f"{short.left}" if short.left else
                 f"none left of {short.cell[2]} / {short.cell[3]}; remove the line"))
        for short in error.shortages]
    return ApiProblem("out-of-stock", str(error), errors=errors, quote=quote)


def draft_order(quote: Quote, request: OrderRequest, received_at: datetime,
                memo: dict[tuple[str, ...], Any]) -> Draft:
    """The order to store: the server's quote with the time and the buyer's details, serialized
    as the Order the 201 answers with; the store gives it its number. `memo`: the one
    quote_cart priced with, which keeps each line's breakdown serialized for the build."""
    kept: list[_LineDetails] = [
        details for line in quote.lines
        if (details := memo.get(_line_key(quote.link, quote.season, quote.currency,
                                          quote.language, line.style_no, line.color,
                                          line.size)))]
    # Priced with another memo: the draft serializes them from the quote.
    breakdowns = (tuple(details.breakdown for details in kept)
                  if len(kept) == len(quote.lines) else None)
    return Draft.priced(quote, request.buyer, request.address, request.note or None,
                        received_at, breakdowns)


def order_prefix(season: str) -> str:
    """The order-number prefix of a season: its id in capitals, e.g. SS27 (SS27-000042)."""
    return season.upper()


def _orderable_season(manifest: Manifest, link: ManifestLink, season_id: str,
                      now: datetime) -> ManifestSeason:
    if season_id not in link.seasons:
        offered = ", ".join(link.seasons)
        raise ApiProblem("validation-failed", f"link '{link.slug}' does not offer season "
                         f"'{season_id}'; it offers {offered}", errors=[FieldError(
                             field="season", message=f"not offered here; use one of {offered}")])
    state = link_state(link, manifest.seasons, now)
    season = manifest.seasons[season_id]
    if state == "upcoming":
        opens = link.release_at.isoformat() if link.release_at else "later"
        raise ApiProblem("not-orderable", f"link '{link.slug}' opens at {opens}; order then",
                         state=state)
    if state == "expired":
        raise ApiProblem("not-orderable", f"link '{link.slug}' has expired; ask the brand for "
                         "a new link", state=state)
    if link.catalog:
        raise ApiProblem("not-orderable", f"link '{link.slug}' is a catalog: it shows the "
                         "collection but takes no orders; contact the brand to order",
                         state="view_only")
    if not season_open(season, now):
        raise ApiProblem("not-orderable", f"orders for season '{season_id}' closed at "
                         f"{season.order_deadline.isoformat()}; contact the brand",
                         state="view_only")
    return season


def _check_offer(link: ManifestLink, request: QuoteRequest) -> None:
    errors = []
    if request.language not in link.languages:
        errors.append(FieldError(field="language", message="not offered here; use one of "
                                 + ", ".join(link.languages)))
    if request.currency not in link.currencies:
        errors.append(FieldError(field="currency", message="not offered here; use one of "
                                 + ", ".join(link.currencies)))
    if errors:
        raise invalid_fields(errors)


def _check_buyer(manifest: Manifest, link: ManifestLink, buyer: BuyerDetails) -> None:
    errors = []
    if link.intra_community:
        errors += _check_vat_number(manifest, buyer)
    if link.buyer_type == "organization":
        if buyer.company is None:
            errors.append(FieldError(field="buyer.company", message="required: this link "
                                     "orders for a company or shop; give its name"))
        if buyer.phone is None:
            errors.append(FieldError(field="buyer.phone", message="required: a number the "
                                     "brand can call about the order"))
    elif buyer.company is not None:
        errors.append(FieldError(field="buyer.company", message="this link is for personal "
                                 "orders; remove the company"))
    if errors:
        raise invalid_fields(errors)


def _check_vat_number(manifest: Manifest, buyer: BuyerDetails) -> list[FieldError]:
    """An intra-Community order's VAT number: given, and of another member state than the
    brand's, whose sales within it are charged its VAT."""
    if buyer.vat_number is None:
        return [FieldError(field="buyer.vat_number", message="required: no VAT is charged "
                           "here, so the order and its invoice carry the company's EU VAT "
                           "number, e.g. DE123456789")]
    if not in_eu(buyer.vat_number):
        return [FieldError(field="buyer.vat_number", message=f"{buyer.vat_number} is not an "
                           "EU member state's VAT number: this link sells without VAT to "
                           "businesses in the EU only; ask the brand for a link for your "
                           "country")]
    invoicing = manifest.brand.invoicing
    own = invoicing.vat_number if invoicing is not None else None
    if own is not None and vat_country(own) == vat_country(buyer.vat_number):
        return [FieldError(field="buyer.vat_number", message=f"a VAT number of "
                           f"{vat_country(own)}, where the brand is: a sale within one member "
                           "state is charged its VAT, so this link cannot take the order; ask "
                           "the brand for a link with VAT")]
    return []


def _check_address(link: ManifestLink, address: PostalAddress | None, required: bool) -> None:
    if address is None:
        if required and link.require_address:
            raise invalid_fields([FieldError(field="address", message="required: this link needs "
                                       "the delivery address")])
        return
    if link.china_only and address.country != "CN":
        raise invalid_fields([FieldError(field="address.country", message=f"'{address.country}' "
                                   "is outside mainland China; this link delivers to China "
                                   "(CN) only")])


def _cart_problem(problems: Sequence[CartProblem]) -> ApiProblem:
    errors = [FieldError(field=f"lines[{position}].{_PROBLEM_FIELD[problem.kind]}",
                         message=problem.message, code=problem.kind)
              for problem in problems for position in problem.lines]
    first = problems[0].message
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return ApiProblem("cart-rejected", f"the cart breaks the collection's rules at "
                      f"{errors[0].field}: {first}{more}; see `errors` for each line",
                      errors=errors)


def _quote(manifest: Manifest, link: ManifestLink, season: ManifestSeason,
           request: QuoteRequest, priced: PricedCart, index: dict[str, ManifestStyle],
           memo: dict[tuple[str, ...], Any]) -> Quote:
    language, default = request.language, manifest.brand.default_language

    def text(value: Text) -> str:
        return translate(value, language, default)

    lines: list[dict[str, Any]] = []
    for priced_line in priced.lines:
        line = priced_line.line
        key = _line_key(link.slug, season.id, priced.currency, language, line.style_no,
                        line.color, line.size)
        details = memo.get(key)
        if details is None:
            style = index[line.style_no]
            color = next(c for c in style.colors if c.code == line.color)
            steps = [_step(step, text) for step in priced_line.breakdown.steps]
            details = memo[key] = _LineDetails(
                text(style.name), text(color.name), style.skus.get(line.color, {}),
                style.jan.get(line.color, {}),
                text(delivery) if (delivery := color.delivery or style.delivery) is not None
                else None, style.pack.get(line.size), steps,
                breakdown_json(steps),
                _amount(priced_line.unit))
        lines.append({
            "style_no": line.style_no, "color": line.color, "size": line.size,
            "quantity": line.quantity, "name": details.name, "color_name": details.color_name,
            "sku": details.skus.get(line.size), "jan": details.jans.get(line.size),
            "delivery": details.delivery, "pack": details.pack,
            "unit_price": details.unit_price, "amount": _amount(priced_line.amount),
            "breakdown": details.steps})
    # Validated in one call, lines and taxes with it: half the time of a model per line.
    return Quote.model_validate({
        "link": link.slug, "season": season.id, "language": language,
        "currency": priced.currency, "term": link.term.code, "lines": lines,
        "subtotal": _amount(priced.subtotal),
        "taxes": [{"label": text(tax.label), "percent": _amount(tax.percent),
                   "base": _amount(tax.base), "amount": _amount(tax.amount)}
                  for tax in priced.taxes],
        "tax": _amount(priced.tax), "total": _amount(priced.total),
        "deposit_percent": _amount(priced.deposit_percent), "deposit": _amount(priced.deposit),
        "balance": _amount(priced.balance), "intra_community": link.intra_community})


def _line_key(link: str, season: str, currency: str, language: str, style_no: str,
              color: str, size: str) -> tuple[str, ...]:
    """Where quote_cart's memo keeps a line's _LineDetails (the size's: it may be priced
    apart)."""
    return ("line", link, season, currency, language, style_no, color, size)


def _styles(season: ManifestSeason,
            memo: dict[tuple[str, ...], Any]) -> dict[str, ManifestStyle]:
    """The season's styles by style number, indexed once per build."""
    index: dict[str, ManifestStyle] | None = memo.get(("styles", season.id))
    if index is None:
        index = memo[("styles", season.id)] = {style.style_no: style
                                               for style in season.styles}
    return index


def _offered(link: ManifestLink, season: ManifestSeason,
             memo: dict[tuple[str, ...], Any]) -> dict[str, ManifestStyle]:
    """The season's styles the link offers, by style number (its unit prices name them: a
    link's `styles`, `hide_styles` and exclusive styles leave the others out), each with the
    colourways it offers (`ManifestLink.colors`), indexed once per build."""
    key = ("offered", link.slug, season.id)
    index: dict[str, ManifestStyle] | None = memo.get(key)
    if index is None:
        every, prices = _styles(season, memo), link.unit_prices.get(season.id, {})
        colors = link.colors.get(season.id, {})
        # A colour it leaves out is then refused as one the style lacks.
        index = every if len(prices) == len(every) and not colors else {
            style_no: with_colors(style, set(colors[style_no])) if style_no in colors else style
            for style_no, style in every.items() if style_no in prices}
        memo[key] = index
    return index


def _step(step: Step, text: Callable[[Text], str]) -> PriceStep:
    return PriceStep(kind=step.kind, amount=_amount(step.amount),
                     percent=_amount(step.percent) if step.percent is not None else None,
                     list_name=step.list_name, source=step.source,
                     label=text(step.label) if step.label is not None else None)


def _amount(value: Decimal) -> str:
    """A decimal string as the API writes amounts: plain notation, no exponent."""
    return format(value, "f")
