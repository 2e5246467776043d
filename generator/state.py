"""Link and season state at a moment: upcoming, open, view-only or expired (DESIGN.md §5).

Pure functions of a link, its seasons and a time, shared by the build (catalog Offers and
Seasons, state as of build time) and the endpoint (manifest links and seasons, state at
request time), so both always agree. They read links and seasons through the protocols below.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Literal, Protocol

LinkState = Literal["upcoming", "open", "view_only", "expired"]


class Window(Protocol):
    """A link's window: released at `release_at`, gone at `expires_at` (either may be open)."""

    @property
    def release_at(self) -> datetime | None: ...

    @property
    def expires_at(self) -> datetime | None: ...


class Gate(Window, Protocol):
    """A link as the state needs it: its window, whether it is a catalog, its seasons."""

    @property
    def catalog(self) -> bool: ...

    @property
    def seasons(self) -> Sequence[str]: ...


class Deadline(Protocol):
    """A season as the state needs it: its order deadline."""

    @property
    def order_deadline(self) -> datetime: ...


class Sealable(Window, Protocol):
    """A link as sealing needs it: its window, kind and passcode (catalog Offers)."""

    @property
    def kind(self) -> str: ...

    @property
    def passcode(self) -> str | None: ...


def link_state(offer: Gate, seasons: Mapping[str, Deadline], now: datetime) -> LinkState:
    """Return the state of a link: before release, inside its window, or after expiry.

    A link inside its window is `view_only` when it is a catalog or every season it offers is
    past its order deadline: buyers still browse, but nobody can order.
    """
    if is_upcoming(offer, now):
        return "upcoming"
    if is_expired(offer, now):
        return "expired"
    if offer.catalog or not any(season_open(seasons[s], now) for s in offer.seasons):
        return "view_only"
    return "open"


def is_upcoming(window: Window, now: datetime) -> bool:
    """Tell whether a link is not yet released (release_at itself is the first open moment)."""
    return window.release_at is not None and now < window.release_at


def is_expired(window: Window, now: datetime) -> bool:
    """Tell whether a link has expired (expires_at itself is the first expired moment)."""
    return window.expires_at is not None and now >= window.expires_at


def season_open(season: Deadline, now: datetime) -> bool:
    """Tell whether a season still takes orders."""
    return now < season.order_deadline


def season_orderable(state: LinkState, season: Deadline, now: datetime) -> bool:
    """Tell whether a buyer can order a season of a link in `state` now."""
    return state == "open" and season_open(season, now)


def is_sealed(offer: Sealable, now: datetime) -> bool:
    """Tell whether a link's pages are published sealed: a passcode, a customer link, not yet
    released, or expired (whose pages show only the expired screen, under opaque URLs)."""
    return (offer.passcode is not None or offer.kind == "customer" or is_upcoming(offer, now)
            or is_expired(offer, now))
