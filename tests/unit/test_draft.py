"""A new order's draft is serialized from its quote and the buyer's details without an Order
being built: its document must be, byte for byte, the one Order would write."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from order_api.schemas import FILLED_PATTERN, BuyerDetails, Order, PostalAddress, Quote
from order_api.store import NUMBER_SLOT, Draft
from tests.unit.sample_orders import ORDERS

_ORDER_FIELDS = ("order_number", "received_at", "buyer", "address", "note")
# Text a buyer may type: any script, quotes, backslashes, emoji, line breaks in notes.
# A required one-line field: what the request's pattern lets through (not blank, no line or
# paragraph separator, no bidi override).
_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1,
                max_size=40).filter(re.compile(FILLED_PATTERN).fullmatch)
_NOTE = st.none() | st.text(st.characters(codec="utf-8", exclude_categories=["Cs"],
                                          exclude_characters="\x00"), max_size=60)


def _quote(document: dict[str, Any]) -> Quote:
    return Quote.model_validate({k: v for k, v in document.items() if k not in _ORDER_FIELDS})


def _order(quote: Quote, buyer: BuyerDetails, address: PostalAddress | None, note: str | None,
           received_at: datetime) -> Order:
    return Order(**dict(quote), order_number=NUMBER_SLOT, received_at=received_at, buyer=buyer,
                 address=address, note=note)


@settings(max_examples=150, deadline=None)
@given(sample=st.sampled_from(ORDERS), company=st.none() | _TEXT, name=_TEXT,
       with_address=st.booleans(), city=_TEXT, note=_NOTE,
       received_at=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1),
                                timezones=st.sampled_from([UTC, timezone(timedelta(hours=9))])))
def test_a_priced_draft_is_the_document_order_writes(
        sample: dict[str, Any], company: str | None, name: str, with_address: bool, city: str,
        note: str | None, received_at: datetime) -> None:
    quote = _quote(sample)
    buyer = BuyerDetails(company=company, name=name, email="buyer@example.com",
                         phone="+81 3 1234 5678")
    address = PostalAddress(country="JP", city=city, line1="1-2-3") if with_address else None
    draft = Draft.priced(quote, buyer, address, note, received_at)
    whole = Draft.of(_order(quote, buyer, address, note, received_at))
    assert draft.document("SS27-000042") == whole.document("SS27-000042")
    assert draft.breakdowns == whole.breakdowns
    assert Order.model_validate_json(draft.document("SS27-000042")).order_number == (
        "SS27-000042")


def test_breakdowns_given_by_the_caller_are_the_ones_stored() -> None:
    quote = _quote(ORDERS[0])
    buyer = BuyerDetails.model_validate(ORDERS[0]["buyer"])
    kept = tuple(f"[{position}]" for position in range(len(quote.lines)))
    draft = Draft.priced(quote, buyer, None, None, datetime(2027, 1, 10, tzinfo=UTC), kept)
    assert draft.breakdowns == kept
    assert (draft.quote, draft.buyer) == (quote, buyer)
