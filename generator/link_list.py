"""Report stage, `linesheets links`: the catalog's links x a moment -> what a brand sends and
checks before it does: each link's address, kind, state and when that changes, whether a
passcode opens it, which seasons still take orders, its languages, currencies and buyer.

States are the endpoint's (generator/state.py) at the moment given, so what this says is what
a buyer opening the link then sees. Passcodes are never printed: a link file may hold a hash.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from generator.catalog import Catalog
from generator.errors import LinesheetsError
from generator.qr import qr_file
from generator.state import LinkState, link_state, season_open
from generator.text_table import columns
from generator.writer import write_atomic

# One row per link, for a spreadsheet; columns are only ever added at the end.
COLUMNS = ("link", "url", "kind", "state", "passcode", "release_at", "expires_at", "seasons",
           "view_only_seasons", "languages", "currencies", "buyer", "catalog", "china_only",
           "selected_styles", "hidden_colors")


@dataclass(frozen=True)
class LinkEntry:
    """A link as the brand checks it."""

    slug: str
    url: str
    kind: str
    state: LinkState
    passcode: bool  # a buyer types one to open it
    release_at: datetime | None
    expires_at: datetime | None
    seasons: tuple[str, ...]
    closed: tuple[str, ...]  # its seasons past their order deadline: view only
    languages: tuple[str, ...]
    currencies: tuple[str, ...]
    buyer: str | None  # a customer link's buyer: the company, or the person
    catalog: bool
    china_only: bool
    # the seasons of which it shows only some styles: (season, styles shown, of how many)
    selected: tuple[tuple[str, int, int], ...] = ()
    # the seasons of whose styles shown it leaves some colourways out: (season, how many)
    colors_out: tuple[tuple[str, int], ...] = ()


def link_entries(catalog: Catalog, now: datetime,
                 state: LinkState | None = None) -> list[LinkEntry]:
    """Every link (in one state), by slug, as of `now`."""
    base = catalog.brand.base_url.rstrip("/")
    entries = []
    for slug in catalog.links:
        offer = catalog.offer(slug)
        current = link_state(offer, catalog.seasons, now)
        if state not in (None, current):
            continue
        buyer = catalog.buyers[offer.buyer] if offer.buyer else None
        entries.append(LinkEntry(
            slug=slug, url=f"{base}/l/{slug}/", kind=offer.kind, state=current,
            passcode=offer.passcode is not None, release_at=offer.release_at,
            expires_at=offer.expires_at, seasons=offer.seasons,
            closed=tuple(season for season in offer.seasons
                         if not season_open(catalog.seasons[season], now)),
            languages=offer.languages, currencies=offer.currencies,
            buyer=None if buyer is None else buyer.company or buyer.name,
            catalog=offer.catalog, china_only=offer.china_only,
            selected=tuple((season, len(shown), len(catalog.styles[season]))
                           for season in offer.seasons
                           if len(shown := catalog.link_styles(slug, season))
                           < len(catalog.styles[season])),
            colors_out=tuple((season, out) for season in offer.seasons
                             if (out := _colors_out(catalog, slug, season)))))
    return entries


def _colors_out(catalog: Catalog, slug: str, season: str) -> int:
    """How many colourways of the styles a link shows of a season it leaves out."""
    every = {product.style_no: len(product.colors) for product in catalog.styles[season]}
    return sum(every[product.style_no] - len(product.colors)
               for product in catalog.link_styles(slug, season) if catalog.colorway(product))


def links_text(entries: Sequence[LinkEntry], zone: ZoneInfo) -> str:
    """A table of the links, then what its marks mean."""
    if not entries:
        return "no links match"
    rows = [("link", "kind", "state", "window", "passcode", "seasons", "for", "address")]
    for entry in entries:
        some = {season: [f"{shown}/{every}"] for season, shown, every in entry.selected}
        for season, out in entry.colors_out:
            some.setdefault(season, []).append(f"{out} colour{'s' if out != 1 else ''} out")
        seasons = ", ".join(f"{season}{'*' if season in entry.closed else ''}"
                            f"{' (' + ', '.join(some[season]) + ')' if season in some else ''}"
                            for season in entry.seasons)
        rows.append((entry.slug, entry.kind, entry.state.replace("_", "-"),
                     _window(entry, zone), "yes" if entry.passcode else "-", seasons,
                     _audience(entry), entry.url))
    count = len(entries)
    notes = [f"{count} link{'s' if count != 1 else ''}; times in {zone.key}"]
    if any(entry.closed for entry in entries):
        notes.append("* past its order deadline: shown, no longer ordered")
    if any(entry.selected for entry in entries):
        notes.append("(n/m): the link shows n of the season's m styles (its `styles`, "
                     "`hide_styles`, or styles exclusive to other links)")
    if any(entry.colors_out for entry in entries):
        notes.append("n colours out: colourways of the styles it shows that the link leaves out "
                     "(its `hide_colors`, or colourways exclusive to other links)")
    return "\n".join([*columns(rows, right=set()), "", *notes])


def links_csv(entries: Sequence[LinkEntry], zone: ZoneInfo) -> bytes:
    """One row per link in COLUMNS order: CSV in UTF-8 with a BOM (Excel reads it so)."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for entry in entries:
        writer.writerow((
            entry.slug, entry.url, entry.kind, entry.state.replace("_", "-"),
            "yes" if entry.passcode else "no", _iso(entry.release_at, zone),
            _iso(entry.expires_at, zone), " ".join(entry.seasons), " ".join(entry.closed),
            " ".join(entry.languages), " ".join(entry.currencies), entry.buyer or "",
            "yes" if entry.catalog else "no", "yes" if entry.china_only else "no",
            " ".join(f"{season}:{shown}/{every}" for season, shown, every in entry.selected),
            " ".join(f"{season}:{out}" for season, out in entry.colors_out)))
    return text.getvalue().encode("utf-8-sig")


def write_codes(entries: Sequence[LinkEntry], folder: Path, brand: str) -> list[Path]:
    """Write each link's QR code, of its address, as <slug>.svg in `folder`."""
    if folder.exists() and not folder.is_dir():
        raise LinesheetsError(f"'{folder}' is a file; give --qr a folder for the QR codes")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for entry in entries:
            path = folder / f"{entry.slug}.svg"
            write_atomic(path, qr_file(entry.url, f"{brand} · {entry.slug}"))
            written.append(path)
    except OSError as exc:
        raise LinesheetsError(f"cannot write the QR codes in '{folder}': {exc.strerror}; "
                              "check the folder's permissions and free space") from None
    return written


def _window(entry: LinkEntry, zone: ZoneInfo) -> str:
    """When the state changes next, or changed last: "opens …", "until …", "expired …"."""
    if entry.state == "upcoming" and entry.release_at is not None:
        return f"opens {_local(entry.release_at, zone)}"
    if entry.state == "expired" and entry.expires_at is not None:
        return f"expired {_local(entry.expires_at, zone)}"
    if entry.expires_at is not None:
        return f"until {_local(entry.expires_at, zone)}"
    return "-"


def _audience(entry: LinkEntry) -> str:
    """Who the link is for, where that is not every buyer."""
    return ("; ".join(part for part in (entry.buyer, "China only" if entry.china_only else None,
                                        "catalog" if entry.catalog else None) if part)
            or "-")


def _local(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _iso(moment: datetime | None, zone: ZoneInfo) -> str:
    return "" if moment is None else moment.astimezone(zone).isoformat(timespec="minutes")
