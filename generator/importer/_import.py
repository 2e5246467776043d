"""Import stage, the whole of it: a spreadsheet + a content directory -> seasons/<id>/
products.yaml written atomically, or SheetError with every problem and nothing written.

Order: read the brand, map the headers, read every row, merge into the current file, check
each style and then the whole catalog in memory, write.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from generator.content import YAML_SUFFIXES, ContentTree, RawEntry, read_content
from generator.errors import (
    ContentError,
    ContentProblem,
    LinesheetsError,
    SheetError,
    SheetProblem,
    relative_name,
)
from generator.importer._brand import BrandInfo, read_brand, require_season
from generator.importer._check import (
    check_catalog,
    check_styles,
    locate,
    products_entry,
    write_atomically,
)
from generator.importer._columns import Columns, find_header, header_test, map_columns
from generator.importer._merge import Changes, Merged, merge_styles
from generator.importer._progress import Progress
from generator.importer._read import DEFAULT_ROW_LIMIT, Row, Sheet, open_sheet
from generator.importer._rows import StyleBuilder
from generator.importer._yaml import DEFAULT_HEADER, dump_products, leading_comments


@dataclass(frozen=True)
class ImportReport:
    """What an import did, for the brand to read."""

    source: str  # the spreadsheet's file name
    target: str  # the products file, as named under the content directory's parent
    season: str
    styles: Changes
    skus: Changes
    removed_styles: tuple[str, ...]
    written: bool  # False when the file already said exactly this
    header_row: int = 1  # the row read as the header
    title_rows: tuple[int, ...] = ()  # non-blank rows above it, skipped as a title
    hidden_rows: tuple[int, ...] = ()  # rows Excel hides (a filter, an outline), left out

    def summary(self) -> str:
        """Describe the import in a few lines."""
        removed = (f" ({', '.join(self.removed_styles[:10])}"
                   f"{' …' if len(self.removed_styles) > 10 else ''})"
                   if self.removed_styles else "")
        outcome = "written" if self.written else "unchanged, not rewritten"
        rows = ", ".join(map(str, self.title_rows))
        plural = "s" if len(self.title_rows) > 1 else ""
        skipped = (f"\n  header: row {self.header_row}; row{plural} {rows} above it skipped "
                   "as a title" if self.title_rows else "")
        if self.hidden_rows:
            shown = ", ".join(map(str, self.hidden_rows[:10]))
            more = " …" if len(self.hidden_rows) > 10 else ""
            plural = "s" if len(self.hidden_rows) > 1 else ""
            skipped += (f"\n  hidden: row{plural} {shown}{more} left out, as the sheet hides "
                        "them (a filter or an outline); unhide them to import them")
        return (f"Imported {self.source} into season {self.season}: {self.target} {outcome}.\n"
                f"  styles: {self.styles}{removed}\n"
                f"  SKUs:   {self.skus}{skipped}")


def import_products(
    source: Path, content: Path, season: str, *, row_limit: int = DEFAULT_ROW_LIMIT,
    progress: TextIO | None = None, keep_others: bool = False,
) -> ImportReport:
    """Import a spreadsheet into a season's products.yaml; raise SheetError with every problem.

    `progress` is where a progress bar is drawn when it is a terminal (the CLI passes stderr).
    `keep_others`: the sheet adds and updates styles, and the season's other styles stay (by
    default the sheet is the season's list, and a style it does not list is removed).
    """
    tree = read_content(content)
    brand = read_brand(tree)
    path, old_entry = _target(tree, content, season)
    name = relative_name(path, content)
    with open_sheet(source, row_limit, header_test(brand)) as sheet:
        found = find_header(sheet.rows, brand)
        if found is None:
            where = f"sheet {sheet.name}" if sheet.name else "the file"
            raise SheetError([sheet.problem(0, f"{where} is empty; the first row names the "
                                            "columns (see `linesheets import --template`)")])
        header = found.row
        columns = map_columns(sheet, header, brand)
        builder = StyleBuilder(sheet, columns)
        bar = Progress(progress, f"Reading {sheet.file}", sheet.total)
        try:
            with _collector_paused():
                for row in found.rest:
                    builder.add(row)
                    bar.update(row.number)
            bar.say("checking")
            merged, problems = _merge_and_check(tree, brand, sheet, header, columns, builder,
                                                (season, path, name, old_entry), keep_others)
        finally:
            bar.finish()
        if problems:
            raise SheetError(problems)
    written = _write(path, merged.styles, old_entry, season)
    return ImportReport(sheet.file, name, season, merged.style_changes, merged.sku_changes,
                        merged.removed_styles, written, header.number,
                        tuple(row.number for row in found.titles), tuple(sheet.hidden))


def _merge_and_check(
    tree: ContentTree, brand: BrandInfo, sheet: Sheet, header: Row, columns: Columns,
    builder: StyleBuilder, target: tuple[str, Path, str, RawEntry | None],
    keep_others: bool = False,
) -> tuple[Merged, list[SheetProblem | ContentProblem]]:
    """Merge the sheet's styles into the file's, then check them; return every problem."""
    season, path, name, old_entry = target
    sheet_styles = builder.finish()
    problems: list[SheetProblem | ContentProblem] = [*columns.problems, *builder.problems]
    if not sheet_styles and not problems:
        problems.append(sheet.problem(header.number, "no products below the header row; fill "
                                      "in at least one row"))
    existing = old_entry.data.get("styles") if old_entry is not None else None
    merged = merge_styles(sheet_styles, existing if isinstance(existing, list) else [], brand,
                          keep_others)
    entry, cells = products_entry(season, path, name, merged.styles, sheet_styles)
    if problems:
        # The styles whose rows read cleanly still meet the models, so their problems come in
        # the same run; the cross-file rules wait for a clean sheet, or a price the sheet got
        # wrong would be reported again as missing.
        problems += locate(check_styles(entry, sheet_styles, brand), entry, cells, sheet,
                           columns)
    else:
        # The catalog validates every style against the models itself, located the same way.
        problems += locate(check_catalog(tree, entry), entry, cells, sheet, columns)
    return merged, problems


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause CPython's cycle collector while rows are read.

    Reading creates many small objects that live until the end and form no cycles; the
    collector would scan them over and over, which was half the time of a 100,000-row sheet.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _target(tree: ContentTree, content: Path, season: str) -> tuple[Path, RawEntry | None]:
    """Find the season's products file, and its current content when it has one."""
    require_season(tree, content, season)
    folder = content / "seasons" / season
    path = next((folder / f"products{suffix}" for suffix in YAML_SUFFIXES
                 if (folder / f"products{suffix}").is_file()), folder / "products.yaml")
    name = relative_name(path, content)
    unreadable = [problem for problem in tree.problems if problem.file == name]
    if unreadable:
        # Re-importing keeps what the file has and the sheet lacks, so the file must be read.
        raise ContentError([*unreadable, ContentProblem(
            name, 0, "", "the import keeps this file's hand-written fields, so it must be able "
            "to read it: fix the problem above, or move the file away to import from scratch")])
    entry = next((e for e in tree.of_kind("products") if e.ident == season), None)
    return path, entry


def _write(path: Path, styles: list[dict[str, Any]], old: RawEntry | None, season: str) -> bool:
    """Write the styles unless the file already holds exactly them; tell whether it wrote."""
    if old is not None and old.data == {"styles": styles}:
        return False
    previous = path.read_text(encoding="utf-8") if path.is_file() else ""
    header = leading_comments(previous) or DEFAULT_HEADER.format(season=season)
    try:
        write_atomically(path, dump_products(styles, header))
    except OSError as exc:
        raise LinesheetsError(f"cannot write {path.as_posix()} ({exc.strerror}); check the "
                              "folder's permissions and free space, then import again") from None
    return True

