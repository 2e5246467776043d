"""Import stage, validation: the merged styles -> the content models and then the whole catalog,
in memory, with every problem located back at its sheet cell; then the atomic write.

The new products file is a RawEntry whose "line numbers" are ids of sheet cells, so the models'
and the catalog's own checks, which locate problems by line, locate them in the sheet.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.catalog import validate_content
from generator.content import ContentTree, RawEntry
from generator.errors import ContentError, ContentProblem, FieldPath, SheetProblem
from generator.importer._brand import BrandInfo
from generator.importer._columns import Columns
from generator.importer._read import Sheet
from generator.importer._style import Ref, SheetStyle
from generator.models import Product
from generator.validate import validate_entry

_MISSING = re.compile(r"^required field '(\w+)' is missing; add it$")
_PRICE_HINT = re.compile(r"add prices\.([A-Z]{3})\.(\w+)$")
_STYLE_INDEX = re.compile(r"^styles\[(\d+)\]")
_HINTS = {
    "name": "fill a name column (name_en, 商品名 …) on one of its rows",
    "category": "fill a category column (category, カテゴリ …) on one of its rows",
    "prices": "fill at least one price column (rrp_JPY, 上代_JPY …)",
}


@dataclass
class CellLines:
    """Stand-in line numbers: each id is a sheet cell (id 1: the sheet as a whole)."""

    refs: list[Ref] = field(default_factory=lambda: [(0, 0), (0, 0)])
    ids: dict[Ref, int] = field(default_factory=dict)
    lines: dict[FieldPath, int] = field(default_factory=lambda: {(): 1, ("styles",): 1})

    def add(self, path: FieldPath, ref: Ref) -> None:
        """Locate a field path of the products file at a cell."""
        if ref not in self.ids:
            self.ids[ref] = len(self.refs)
            self.refs.append(ref)
        self.lines[path] = self.ids[ref]


def places_of(styles: Sequence[dict[str, Any]],
              sheet_styles: Sequence[SheetStyle]) -> tuple[int, ...]:
    """Where each style of the sheet is among the styles to write: with `--keep-others` the
    file's styles come first, in their order, so a sheet's style is not at its own index."""
    index = {str(style.get("style_no")): place for place, style in enumerate(styles)}
    return tuple(index[style.style_no] for style in sheet_styles)


def products_entry(
    season: str, path: Path, name: str, styles: list[dict[str, Any]],
    sheet_styles: Sequence[SheetStyle],
) -> tuple[RawEntry, CellLines]:
    """Make the new products file as the loader would read it, located in the sheet (a style
    the file kept, not in the sheet, is located at the sheet as a whole)."""
    cells = CellLines()
    for place, style in zip(places_of(styles, sheet_styles), sheet_styles, strict=True):
        cells.add(("styles", place), (style.row, 0))
        for source, ref in style.sources.items():
            cells.add(("styles", place, *source), ref)
    entry = RawEntry(kind="products", ident=season, path=path, name=name,
                     data={"styles": styles}, lines=cells.lines)
    return entry, cells


def check_styles(
    entry: RawEntry, sheet_styles: Sequence[SheetStyle], brand: BrandInfo
) -> list[ContentProblem]:
    """Validate each style the sheet read without problems against the Product model."""
    problems: list[ContentProblem] = []
    styles = entry.data["styles"]
    for place, sheet_style in zip(places_of(styles, sheet_styles), sheet_styles, strict=True):
        if not sheet_style.broken:
            validate_entry(entry, Product, brand.context, problems, data=styles[place],
                           base=("styles", place))
    return problems


def check_catalog(tree: ContentTree, entry: RawEntry) -> list[ContentProblem]:
    """Check the whole catalog with the new products file in place of the old one."""
    others = [e for e in tree.entries if not (e.kind == "products" and e.ident == entry.ident)]
    swapped = ContentTree(root=tree.root, entries=[*others, entry],
                          problems=[p for p in tree.problems if p.file != entry.name])
    try:
        validate_content(swapped)
    except ContentError as exc:
        return list(exc.problems)
    return []


def locate(
    problems: Sequence[ContentProblem], entry: RawEntry, cells: CellLines, sheet: Sheet,
    columns: Columns,
) -> list[SheetProblem | ContentProblem]:
    """Turn problems of the new products file into sheet problems; keep the others."""
    located: list[SheetProblem | ContentProblem] = []
    for problem in problems:
        if problem.file != entry.name:
            located.append(problem)
            continue
        row, position = cells.refs[problem.line] if problem.line < len(cells.refs) else (0, 0)
        column = columns.header(position - 1) if position else ""
        located.append(sheet.problem(row, _reword(problem, entry), position, column))
    return located


def _reword(problem: ContentProblem, entry: RawEntry) -> str:
    """Say in the sheet's terms what the content checks say in products.yaml's."""
    match = _STYLE_INDEX.match(problem.field)
    style_no = entry.data["styles"][int(match[1])]["style_no"] if match else ""
    missing = _MISSING.match(problem.message)
    if missing and missing[1] in _HINTS and style_no:
        return (f"style '{style_no}' has no {missing[1]}; {_HINTS[missing[1]]}, or write it in "
                "products.yaml")
    return _PRICE_HINT.sub(r"fill its \2_\1 column (or write prices.\1.\2 in products.yaml)",
                           problem.message)


def write_atomically(path: Path, text: str) -> None:
    """Write a file whole or not at all: a temporary file beside it, renamed over it."""
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                         suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        Path(temporary).chmod(mode)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
