"""Cross-file rules for lookbooks: their season exists and the styles they show are in it."""

from __future__ import annotations

from generator.checks._common import Problems, Scope, unknown_message
from generator.content import RawEntry
from generator.errors import FieldPath
from generator.models import Lookbook


def check_lookbook(scope: Scope, lookbook: Lookbook, entry: RawEntry) -> Problems:
    """Check a lookbook's season and the style numbers its pages name."""
    catalog = scope.catalog
    season = lookbook.season
    if season is not None and not scope.exists("season", season):
        return [entry.problem(("season",), unknown_message("season", season, catalog.seasons))]
    if season in scope.broken_seasons or (season is not None and season not in catalog.seasons):
        return []
    known = {product.style_no for product in catalog.styles.get(season or "", ())}
    problems: Problems = []
    for index, page in enumerate(lookbook.pages):
        for position, style_no in enumerate(page.styles):
            path: FieldPath = ("pages", index, "styles", position)
            if season is None:
                problems.append(entry.problem(path, "a lookbook that names styles needs "
                                              "`season: <id>` to find them"))
                break
            if style_no not in known:
                problems.append(entry.problem(path, f"style '{style_no}' is not in season "
                                              f"'{season}'"))
    return problems
