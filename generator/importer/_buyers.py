"""Import stage for registered buyers: a sheet of the brand's stockists (XLSX or CSV, a row a
buyer) -> buyers/<id>.yaml each, with a passcode made for each and, for the seasons asked, a
customer link of its own; the passcodes go to a file of the brand's (only their hashes into
the content).

A brand opening with linesheets has its stockists in a spreadsheet already: typing eighty
buyer files and links by hand is where mistakes and passcodes get lost. Every row is checked
with the whole catalog before anything is written, every problem named with its row; a
buyer or link that exists already is left alone and the row refused.
"""

from __future__ import annotations

import csv
import io
import itertools
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from difflib import get_close_matches
from pathlib import Path
from typing import Any

from generator.catalog import validate_content
from generator.content import ContentTree, RawEntry, read_content
from generator.errors import ContentError, ContentProblem, LinesheetsError
from generator.fields import SLUG_PATTERN, slug_of
from generator.importer._check import write_atomically
from generator.importer._read import HEADER_SEARCH, Row, open_sheet
from generator.importer._yaml import bare_number, dump_mapping
from generator.passcode import hash_passcode, new_passcode

# Each column the sheet may have, by the names brands give it (compared in lower case, with
# spaces and punctuation as underscores).
COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "buyer_id"),
    "type": ("type", "buyer_type"),
    "company": ("company", "shop", "store", "company_name"),
    "name": ("name", "contact", "contact_name", "contact_person"),
    "email": ("email", "e_mail", "mail"),
    "phone": ("phone", "tel", "telephone"),
    "country": ("country", "country_code"),
    "language": ("language", "lang"),
    "currency": ("currency",),
    "term": ("term", "transaction_term"),
    "rate": ("rate",),
    "discount": ("discount",),
    "deposit_percent": ("deposit_percent", "deposit"),
    "apply_tax": ("apply_tax",),
    "tax_exempt": ("tax_exempt",),
    "intra_community": ("intra_community",),
    "vat_number": ("vat_number", "vat", "vat_id"),
    "postal_code": ("postal_code", "zip", "postcode", "zip_code"),
    "region": ("region", "state", "prefecture"),
    "city": ("city",),
    "line1": ("line1", "address", "address1", "address_line_1"),
    "line2": ("line2", "address2", "address_line_2"),
}
_ALIASES = {alias: column for column, aliases in COLUMNS.items() for alias in aliases}
_ADDRESS = ("postal_code", "region", "city", "line1", "line2")
_FLAGS = ("apply_tax", "tax_exempt", "intra_community")
HEADER = ("# A registered buyer, imported by `linesheets buyers import` from {file}; its passcode "
          "is kept\n# as a hash (the brand has it in the passcodes file of that import).")
LINK_HEADER = "# The customer link of buyers/{id}.yaml, made by `linesheets buyers import`."


@dataclass(frozen=True)
class BuyersReport:
    """What an import wrote."""

    buyers: tuple[str, ...]  # the new buyers' ids, in the sheet's order
    links: tuple[str, ...]  # the customer links made (one a buyer, when seasons were given)
    passcodes: Path


def import_buyers(source: Path, content: Path, passcodes: Path,
                  seasons: Sequence[str] = ()) -> BuyersReport:
    """Write a buyer file (and, with `seasons`, a customer link) for each row of `source`,
    and their passcodes to `passcodes`; raise ContentError with every problem, writing
    nothing, when any row or the catalog with them is wrong."""
    if passcodes.exists():
        raise LinesheetsError(f"{passcodes} exists; give a new file for the passcodes (an "
                              "import never overwrites one: it may be the only copy of "
                              "earlier passcodes)")
    if not passcodes.parent.is_dir():
        raise LinesheetsError(f"no folder {passcodes.parent} for the passcodes file; make it, "
                              "or give a file in a folder that exists")
    tree = read_content(content)
    brand = next((entry.data for entry in tree.of_kind("brand")), None)
    if not isinstance(brand, dict):
        raise LinesheetsError(f"{content} has no readable brand.yaml; run `linesheets check "
                              f"{content}` first")
    known = sorted(entry.ident for entry in tree.of_kind("season"))
    unknown = [season for season in seasons if season not in known]
    if unknown:
        raise LinesheetsError(f"--links: no season {', '.join(unknown)} in {content} (its "
                              f"seasons: {', '.join(known) or 'none'}); give the seasons' ids")
    rows, problems = _read_rows(source)
    taken = {(entry.kind, entry.ident) for entry in tree.entries}
    made: list[_Made] = []
    seen: dict[str, int] = {}
    for row, values in rows:
        ident = values.get("id") or slug_of(values.get("company") or values.get("name") or "")
        problem = _id_problem(ident, seen.get(ident))
        problem = problem or next((f"{folder}/{ident}.yaml exists; the import adds new buyers "
                                   "only: give this row another id, or edit that file"
                                   for kind, folder in (("buyer", "buyers"), ("link", "links"))
                                   if (kind, ident) in taken
                                   and (kind == "buyer" or seasons)), None)
        if problem is not None:
            problems.append(ContentProblem(source.name, row.number, "id", problem))
            continue
        seen[ident] = row.number
        passcode = new_passcode()
        made.append(_Made(row, ident, _buyer_data(values, brand, passcode), passcode))
    if not made and not problems:
        problems.append(ContentProblem(source.name, 0, "", "no buyers below the header row"))
    entries = [entry for each in made
               for entry in _entries(content, source.name, each, seasons)]
    problems += _catalog_problems(tree, entries)
    if problems:
        raise ContentError(sorted(problems, key=lambda p: (p.file, p.line, p.field)))
    try:
        _write_passcodes(passcodes, made, seasons, str(brand.get("base_url", "")))
    except OSError as exc:
        raise LinesheetsError(f"cannot write the passcodes to {passcodes}: "
                              f"{exc.strerror or exc}; nothing was written") from None
    try:
        for entry in entries:
            entry.path.parent.mkdir(parents=True, exist_ok=True)
            header = (HEADER.format(file=source.name) if entry.kind == "buyer"
                      else LINK_HEADER.format(id=entry.ident))
            write_atomically(entry.path, dump_mapping(entry.data, header))
    except BaseException as exc:
        for entry in entries:
            entry.path.unlink(missing_ok=True)
        passcodes.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise LinesheetsError(f"cannot write into {content}: {exc.strerror or exc}; "
                                  "nothing was written") from None
        raise
    idents = tuple(each.ident for each in made)
    return BuyersReport(idents, idents if seasons else (), passcodes)


@dataclass(frozen=True)
class _Made:
    """A row's new buyer: its id, its file's fields, and the passcode made for it."""

    row: Row
    ident: str
    data: dict[str, Any]
    passcode: str


def _id_problem(ident: str, earlier: int | None) -> str | None:
    if not ident:
        return "no company or name to make the buyer's id of; fill one, or the id column"
    if not re.fullmatch(SLUG_PATTERN, ident) or len(ident) > 64:
        return f"'{ident}' is no id: lowercase letters, digits and inner hyphens, up to 64"
    if earlier is not None:
        return f"'{ident}' again (row {earlier}); give one of them its own id"
    return None


def _read_rows(source: Path) -> tuple[list[tuple[Row, dict[str, str]]],
                                      list[ContentProblem]]:
    """The sheet's rows as {column: text}, and the problems of its header."""
    problems: list[ContentProblem] = []
    with open_sheet(source, is_header=_is_header) as sheet:
        rows: Iterator[Row] = sheet.rows
        looked = list(itertools.islice(rows, HEADER_SEARCH))
        header = next((row for row in looked if _is_header(row)), None)
        if header is None:
            raise LinesheetsError(f"{source.name}: no header row naming the buyers' columns "
                                  "(company or name, and email) in its first rows; see "
                                  "docs/import.md, \"Buyers\"")
        rest = itertools.chain(looked[looked.index(header) + 1:], rows)
        columns: dict[int, str] = {}
        for index, raw in enumerate(header.cells):
            if not raw:
                continue
            key = _key(raw)
            column = _ALIASES.get(key)
            if column is None:
                near = get_close_matches(key, list(_ALIASES), n=1)
                hint = f"; did you mean '{near[0]}'?" if near else "; see docs/import.md"
                problems.append(ContentProblem(source.name, header.number, raw,
                                               f"unknown column '{raw}'{hint}"))
            elif column in columns.values():
                problems.append(ContentProblem(source.name, header.number, raw,
                                               f"a second '{column}' column"))
            else:
                columns[index] = column
        read = []
        for row in rest:
            values = {column: text for index, column in columns.items()
                      if (text := row.get(index)) is not None and text != ""}
            if values:
                read.append((row, values))
        return read, problems


def _is_header(row: Row) -> bool:
    named = {_ALIASES.get(_key(cell)) for cell in row.cells if cell}
    return "email" in named and bool(named & {"company", "name"})


def _key(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", text.strip().lower()).strip("_")


def _buyer_data(values: dict[str, str], brand: dict[str, Any],
                passcode: str) -> dict[str, Any]:
    """A buyer file's fields from a row: as text, as the loader reads every value; the
    brand's default language and first currency where the row gives none."""
    languages, currencies = brand.get("languages"), brand.get("currencies")
    data: dict[str, Any] = {"type": values.get("type", "organization")}
    for field in ("company", "name", "email", "phone", "country"):
        if field in values:
            data[field] = values[field]
    data["language"] = values.get("language") or brand.get("default_language") or (
        languages[0] if isinstance(languages, list) and languages else "en")
    data["currency"] = values.get("currency") or (
        currencies[0] if isinstance(currencies, list) and currencies else "")
    transaction = {"term": values.get("term", "wsp")}
    for field in ("rate", "discount"):
        if field in values:
            transaction[field] = bare_number(values[field])
    data["transaction"] = transaction
    if "deposit_percent" in values:
        data["billing"] = "with_deposit"
        data["deposit_percent"] = bare_number(values["deposit_percent"])
    for flag in _FLAGS:
        if flag in values:
            data[flag] = values[flag]
    if "vat_number" in values:
        data["vat_number"] = values["vat_number"]
    address = {field: values[field] for field in _ADDRESS if field in values}
    if address:
        data["address"] = {"country": values.get("country", ""), **address}
    data["passcode"] = {"hash": hash_passcode(passcode)}
    return data


def _entries(content: Path, sheet: str, made: _Made,
             seasons: Sequence[str]) -> list[RawEntry]:
    """The buyer's file (and its link's), as the loader would read them, located at the
    row: every problem of theirs names the sheet and the row."""
    ident, line = made.ident, made.row.number
    buyer = RawEntry(kind="buyer", ident=ident, path=content / "buyers" / f"{ident}.yaml",
                     name=sheet, data=made.data, lines=_every_field(made.data, line))
    if not seasons:
        return [buyer]
    name = made.data.get("company") or made.data.get("name") or ident
    link = {"kind": "customer", "buyer": ident, "seasons": list(seasons), "name": name}
    return [buyer, RawEntry(kind="link", ident=ident, path=content / "links" / f"{ident}.yaml",
                            name=sheet, data=link, lines=_every_field(link, line))]


def _every_field(data: dict[str, Any], line: int,
                 base: tuple[str | int, ...] = ()) -> dict[tuple[str | int, ...], int]:
    lines: dict[tuple[str | int, ...], int] = {base: line}
    for key, value in data.items():
        if isinstance(value, dict):
            lines |= _every_field(value, line, (*base, key))
        else:
            lines[(*base, key)] = line
    return lines


def _catalog_problems(tree: ContentTree, entries: list[RawEntry]) -> list[ContentProblem]:
    """The whole catalog checked with the new files in it."""
    try:
        validate_content(ContentTree(tree.root, [*tree.entries, *entries],
                                     list(tree.problems)))
    except ContentError as exc:
        return list(exc.problems)
    return []


def _write_passcodes(path: Path, made: list[_Made],
                     seasons: Sequence[str], base_url: str) -> None:
    """The new buyers' passcodes, with what to send each: a CSV only its owner may read,
    never over another file."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(["id", "company", "name", "email", "link", "passcode"])
    for each in made:
        link = f"{base_url.rstrip('/')}/l/{each.ident}/" if seasons else ""
        writer.writerow([each.ident, each.data.get("company", ""), each.data.get("name", ""),
                         each.data.get("email", ""), link, each.passcode])
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(handle, "w", encoding="utf-8-sig", newline="") as file:
        file.write(text.getvalue())
