"""The built-in transaction terms, used when a brand has no terms.yaml."""

from __future__ import annotations

from generator.fields import Text
from generator.models import Term

RETAIL_LIST = "rrp"  # the price list a retail_rate term multiplies

DEFAULT_TERMS: tuple[Term, ...] = (
    Term(code="wsp_rrp", basis="retail_rate", label=Text({"": "WSP/RRP"}),
         description=Text({"": "Wholesale price as a rate of the recommended retail price "
                               "(掛け率)"})),
    Term(code="wsp", basis="discount", label=Text({"": "WSP"}),
         description=Text({"": "Wholesale price list"})),
    Term(code="exw", basis="discount", label=Text({"": "EXW"}),
         description=Text({"": "Ex works: the buyer collects at the brand's premises"})),
    Term(code="fob", basis="discount", label=Text({"": "FOB"}),
         description=Text({"": "Free on board at the port of shipment"})),
    Term(code="ddp", basis="discount", label=Text({"": "DDP"}),
         description=Text({"": "Delivered duty paid to the buyer's door"})),
)


def price_list_of(term: Term) -> str:
    """Name the price list a term derives unit prices from: `rrp`, or the term's own code."""
    return RETAIL_LIST if term.basis == "retail_rate" else term.code
