"""Link and season state at a moment: upcoming, open, view-only or expired (DESIGN.md §5).

Pure functions of an Offer and a time, shared by the build (state as of build time) and the
endpoint (state at request time), so both always agree.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from generator.catalog import Offer
from generator.models import Season

LinkState = Literal["upcoming", "open", "view_only", "expired"]


def link_state(offer: Offer, seasons: dict[str, Season], now: datetime) -> LinkState:
    """Return the state of a link: before release, inside its window, or after expiry.

    A link inside its window is `view_only` when it is a catalog or every season it offers is
    past its order deadline: buyers still browse, but nobody can order.
    """
    if offer.release_at is not None and now < offer.release_at:
        return "upcoming"
    if offer.expires_at is not None and now >= offer.expires_at:
        return "expired"
    if offer.catalog or not any(season_open(seasons[s], now) for s in offer.seasons):
        return "view_only"
    return "open"


def season_open(season: Season, now: datetime) -> bool:
    """Tell whether a season still takes orders."""
    return now < season.order_deadline


def is_sealed(offer: Offer, now: datetime) -> bool:
    """Tell whether a link's pages are published sealed: a passcode, a customer link, not yet
    released, or expired (whose pages show only the expired screen, under opaque URLs)."""
    upcoming = offer.release_at is not None and now < offer.release_at
    expired = offer.expires_at is not None and now >= offer.expires_at
    return offer.passcode is not None or offer.kind == "customer" or upcoming or expired
