"""Import stage, reading: a CSV or XLSX file -> its non-blank rows as text cells, lazily.

XLSX is read with openpyxl in read-only mode and CSV record by record, so a huge sheet costs
the memory of one row, and reading stops at the row limit instead of at the sheet's end.
"""

from __future__ import annotations

import codecs
import csv
import warnings
import zipfile
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from generator.errors import SheetError, SheetProblem
from generator.importer._layout import DAMAGED_PACKAGE, Layout, read_layout

DEFAULT_ROW_LIMIT = 100_000
# Japanese Excel saves CSV as CP932 (Shift_JIS plus vendor characters such as ①, ㈱); a
# megabyte nearly always reaches the first product name, which tells the two encodings apart.
SNIFF_BYTES = 1 << 20
PREFERRED_SHEETS = ("products", "商品", "商品一覧")
XLSX_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")
CSV_DELIMITERS = {".csv": ",", ".tsv": "\t", ".txt": "\t"}
_OTHER_FORMATS = {
    ".xls": "is an Excel 97–2003 workbook; open it in Excel and save it as .xlsx "
            "(Excel Workbook) or as CSV UTF-8",
    ".ods": "is an OpenDocument spreadsheet; save it as .xlsx or CSV",
    ".numbers": "is a Numbers document; export it as Excel (.xlsx) or CSV",
}


class Number(str):
    """The text of a cell the spreadsheet stored as a number (it may have lost leading zeros)."""

    __slots__ = ()


@dataclass(frozen=True)
class Row:
    """One non-blank row: its number in the sheet and its cells as stripped text or None."""

    number: int
    cells: tuple[str | None, ...]
    faults: tuple[tuple[int, str], ...] = ()  # (column index, message): cells unreadable as text
    # (column index, ISO day) of the faulted cells Excel holds as days: a fault in a column of
    # codes or sizes, where Excel made a day of "3-4", but a day in a delivery column.
    days: tuple[tuple[int, str], ...] = ()

    def get(self, index: int) -> str | None:
        """Return the text of a column, None when the cell is empty or absent."""
        return self.cells[index] if index < len(self.cells) else None


@dataclass
class Sheet:
    """An open sheet: where it is, an estimate of its size, and its rows (header first)."""

    file: str  # the file's name as the brand knows it, e.g. products.xlsx
    name: str  # the sheet's name; "" for CSV
    rows: Generator[Row, None, None]
    total: int | None  # the last row number the file declares, for the progress bar
    # Rows with values that Excel hides (filtered out, collapsed, hidden by hand), left out
    # as they are read: what the brand sees is what is imported, and the report says which.
    hidden: list[int] = field(default_factory=list)

    def problem(self, row: int, message: str, position: int = 0, column: str = "") -> SheetProblem:
        """Make a problem located in this sheet; position is the 1-based column number."""
        return SheetProblem(self.file, self.name, row, position, column, message)


# How far down a sheet its header row is looked for: a title, a date and a blank line or two
# often sit above it in the sheets brands keep.
HEADER_SEARCH = 10
IsHeader = Callable[[Row], bool]


@contextmanager
def open_sheet(path: Path, row_limit: int = DEFAULT_ROW_LIMIT,
               is_header: IsHeader | None = None) -> Iterator[Sheet]:
    """Open a CSV or XLSX file for reading; raise SheetError when it cannot be read at all.

    A workbook's sheet is the one named Products (商品, 商品一覧); else the one sheet whose top
    rows hold a row `is_header` accepts (a cover or a size chart beside it is no products
    sheet); else the first. Products on several sheets are refused: the import replaces the
    season's products with the sheet's, so reading one would remove the others'."""
    suffix = path.suffix.lower()
    if path.is_dir():
        raise SheetError([SheetProblem(path.name, "", 0, 0, "", f"{path.as_posix()} is a "
                                       "folder; give the sheet's file")])
    if suffix in _OTHER_FORMATS:
        raise SheetError([SheetProblem(path.name, "", 0, 0, "", _OTHER_FORMATS[suffix])])
    if suffix not in XLSX_SUFFIXES and suffix not in CSV_DELIMITERS:
        raise SheetError([SheetProblem(path.name, "", 0, 0, "", f"'{path.suffix}' files cannot "
                                       "be imported; save the sheet as .xlsx or .csv")])
    if not path.is_file():
        raise SheetError([SheetProblem(path.name, "", 0, 0, "", f"file not found at "
                                       f"{path.as_posix()}; check the path")])
    with warnings.catch_warnings():
        # openpyxl warns about features it drops (extensions, unknown styles); none carry data.
        warnings.filterwarnings("ignore", module="openpyxl")
        if suffix in XLSX_SUFFIXES:
            with _open_xlsx(path, row_limit, is_header) as sheet:
                yield sheet
        else:
            sheet = Sheet(path.name, "", _csv_rows(path, CSV_DELIMITERS[suffix], row_limit), None)
            try:
                yield sheet
            finally:
                sheet.rows.close()


@contextmanager
def _open_xlsx(path: Path, row_limit: int, is_header: IsHeader | None) -> Iterator[Sheet]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        # data_only=False shows formulas as formulas: their cached results may be stale or
        # absent (files written by scripts), and a silently wrong price is worse than an error.
        workbook = load_workbook(path, read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, OSError) as exc:
        raise _unreadable(path.name, str(exc)) from None
    except _DAMAGED:
        raise _unreadable(path.name, "a part of it is damaged") from None
    try:
        sheets: list[Any] = list(workbook.worksheets)
        if not sheets:
            raise SheetError([SheetProblem(path.name, "", 0, 0, "", "the workbook has no "
                                           "worksheet")])
        chosen = next((ws for ws in sheets if ws.title.casefold() in PREFERRED_SHEETS), None)
        if chosen is None:
            chosen = _products_sheet(sheets, path.name, is_header)
        total = chosen.max_row
        # The declared dimension can be wrong (some writers put A1); read to the real end.
        chosen.reset_dimensions()
        try:
            layout = read_layout(path, chosen.title)
        except DAMAGED_PACKAGE:
            raise _unreadable(path.name, "a part of it is damaged") from None
        rows = _xlsx_rows(chosen, path.name, row_limit, layout)
        try:
            yield Sheet(path.name, chosen.title, rows, total, layout.skipped)
        finally:
            rows.close()
    finally:
        workbook.close()


def _products_sheet(sheets: list[Any], file: str, is_header: IsHeader | None) -> Any:
    """The sheet with products among several: the one whose top rows hold a header."""
    if len(sheets) == 1 or is_header is None:
        return sheets[0]
    with_header = [sheet for sheet in sheets if _has_header(sheet, file, is_header)]
    if len(with_header) > 1:
        names = ", ".join(f"'{sheet.title}'" for sheet in with_header)
        raise SheetError([SheetProblem(file, "", 0, 0, "", (
            f"products are on {len(with_header)} sheets ({names}), and an import reads one: "
            "it makes the season's products the sheet's, so the others' would be removed. "
            "Put them all on one sheet named Products (or 商品), which is the one read"))])
    return with_header[0] if with_header else sheets[0]


def _has_header(worksheet: Any, file: str, is_header: IsHeader) -> bool:
    seen = 0
    for number, values in enumerate(_damaged_guard(worksheet.iter_rows(values_only=True), file),
                                    start=1):
        cells = tuple(str(value).strip() or None if value is not None else None
                      for value in values)
        if any(cells):
            if is_header(Row(number, cells)):
                return True
            seen += 1
            if seen == HEADER_SEARCH:
                break
    return False


# What openpyxl raises on a damaged part of a workbook (a broken XML file inside it, a cell
# pointing at a shared string that is not there, a chart where a sheet was expected).
_DAMAGED = (ElementTree.ParseError, KeyError, IndexError, AttributeError, TypeError, ValueError)


def _unreadable(file: str, why: str) -> SheetError:
    return SheetError([SheetProblem(file, "", 0, 0, "", f"not a readable XLSX file ({why}); "
                                    "open it in Excel and save it again as .xlsx")])


def _damaged_guard(rows: Iterator[tuple[Any, ...]], file: str) -> Iterator[tuple[Any, ...]]:
    """The worksheet's rows, a damaged one refused with the file's name."""
    while True:
        try:
            cells = next(rows)
        except StopIteration:
            return
        except _DAMAGED:
            raise _unreadable(file, "a part of it is damaged") from None
        yield cells


def _xlsx_rows(worksheet: Any, file: str, row_limit: int,
               layout: Layout) -> Generator[Row, None, None]:
    merged, hidden = layout.merged, layout.hidden
    first: int | None = None
    down: dict[int, tuple[int, str | None]] = {}  # column -> (last row, top-left text)
    for number, cells in enumerate(_damaged_guard(worksheet.iter_rows(), file), start=1):
        if first is not None and number - first > row_limit:
            raise SheetError([_limit_problem(file, worksheet.title, number, row_limit)])
        texts: list[str | None] = []
        faults: list[tuple[int, str]] = []
        days: list[tuple[int, str]] = []
        for index, cell in enumerate(cells):
            value = cell.value
            if value is None:
                texts.append(None)
            elif value.__class__ is str and cell.data_type == "s":
                texts.append(value.strip() or None)  # most cells: plain text, read fast
            else:
                text, fault = _xlsx_text(cell)
                texts.append(text)
                if fault is not None:
                    faults.append((index, fault))
                    if isinstance(value, date):  # a datetime too
                        day = value.date() if isinstance(value, datetime) else value
                        days.append((index, day.isoformat()))
        shown = faults or any(text is not None for text in texts)
        if down:
            # Below a merged cell's top: its value, in a row with a value of its own (the
            # blank rows a range runs on into stay blank).
            for column, (last, text) in list(down.items()):
                if last < number:
                    del down[column]
                elif shown:
                    texts += [None] * (column + 1 - len(texts))
                    texts[column] = texts[column] or text
        for column, last in merged.get(number, ()):
            down[column] = (last, texts[column] if column < len(texts) else None)
        if shown and number in hidden:
            layout.skipped.append(number)
        elif shown:
            first = number if first is None else first
            yield Row(number, tuple(texts), tuple(faults), tuple(days))


def _xlsx_text(cell: Any) -> tuple[str | None, str | None]:
    """Turn a cell into text, or explain why it cannot be read as a value."""
    value = cell.value
    if value is None:
        return None, None
    kind = getattr(cell, "data_type", "n")
    if kind == "f":
        formula = getattr(value, "text", value)
        return None, (f"'{formula}' is a formula, and the import reads values only; copy the "
                      "column and paste it back as values (Paste Special → Values)")
    if kind == "e":
        return None, f"'{value}' is an Excel error; fix the cell or its formula"
    if isinstance(value, str):
        return value.strip() or None, None
    if isinstance(value, bool):
        return ("yes" if value else "no"), None
    if isinstance(value, datetime | date | time | timedelta):
        shown = value.date() if isinstance(value, datetime) and value.time() == time() else value
        return None, (f"'{shown}' is a date: Excel turned what was typed into a date; format "
                      "the column as Text and type the value again")
    text = _number_text(value)
    number_format = str(getattr(cell, "number_format", "General"))
    if text.isdigit() and set(number_format) == {"0"} and len(number_format) > len(text):
        # A "000" format shows the leading zeros a code lost when it was stored as a number.
        text = text.zfill(len(number_format))
    return Number(text), None


def _number_text(value: int | float | Decimal) -> str:
    """Write a number the way it was typed: 48000 not 48000.0, 4901234567894 not 4.9e12."""
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        # Excel shows 15 significant digits, and so does the brand: 48000 × 0.45 is stored as
        # 21600.000000000004 but is 21600 on screen, and here.
        return format(Decimal(f"{value:.15g}").normalize(), "f")
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def _limit_problem(file: str, sheet: str, number: int, row_limit: int) -> SheetProblem:
    return SheetProblem(file, sheet, number, 0, "", (
        f"the sheet goes on past {row_limit:,} rows below the header, the most one import "
        "reads; nothing was imported. Split the products into several files, or delete the "
        "empty rows below your data (Excel can keep a million formatted, empty rows)"))


def _csv_rows(path: Path, delimiter: str, row_limit: int) -> Generator[Row, None, None]:
    encoding = _sniff_encoding(path)
    number = 0
    first: int | None = None
    try:
        with path.open(encoding=encoding, newline="") as handle:
            for number, record in enumerate(csv.reader(handle, delimiter=delimiter), start=1):
                if first is not None and number - first > row_limit:
                    raise SheetError([_limit_problem(path.name, "", number, row_limit)])
                cells: list[str | None] = []
                for cell in record:
                    text = cell.strip()
                    # CSV has no cell types; digits are marked for the rules that read numbers
                    # (a 12-digit JAN still gets its zero back), and kept as typed otherwise.
                    cells.append(None if not text else Number(text) if text.isascii() and
                                 text.isdigit() else text)
                if any(cell is not None for cell in cells):
                    first = number if first is None else first
                    yield Row(number, tuple(cells))
    except UnicodeDecodeError as exc:
        raise SheetError([SheetProblem(path.name, "", number + 1, 0, "", (
            f"byte {exc.object[exc.start:exc.start + 1]!r} is not {_ENCODING_NAMES[encoding]} "
            "text; save the file as CSV UTF-8 (Excel: File → Save As → CSV UTF-8)"))]) from None
    except csv.Error as exc:
        raise SheetError([SheetProblem(path.name, "", number + 1, 0, "", (
            f"not readable as CSV ({exc}); save the file again as CSV UTF-8"))]) from None


_ENCODING_NAMES = {"utf-8-sig": "UTF-8", "cp932": "Shift_JIS (CP932)"}


def _sniff_encoding(path: Path) -> str:
    """Tell UTF-8 (with or without BOM) from CP932, the encoding Japanese Excel writes."""
    try:
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError as exc:
        raise SheetError([SheetProblem(path.name, "", 0, 0, "", f"cannot be read "
                                       f"({exc.strerror}); check the file's permissions")]
                         ) from None
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise SheetError([SheetProblem(path.name, "", 0, 0, "", (
            "the file is UTF-16 text (Excel's \"Unicode text\"); save it as CSV UTF-8"))])
    for encoding in ("utf-8-sig", "cp932"):
        try:
            # final=False: the sniffed head may end inside a multi-byte character.
            codecs.getincrementaldecoder(encoding)().decode(head, final=False)
        except UnicodeDecodeError:
            continue
        return encoding
    raise SheetError([SheetProblem(path.name, "", 0, 0, "", (
        "the file is neither UTF-8 nor Shift_JIS text; save it as CSV UTF-8"))])
