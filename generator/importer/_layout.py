"""Import stage, reading an XLSX: what read-only openpyxl does not tell of a worksheet, its
merged ranges and its hidden rows, scanned from the worksheet's XML in the package.

The worksheet's part is found as Excel finds it (ECMA-376 part 2, Open Packaging
Conventions): the package's relationships name the workbook part, the workbook lists its
sheets by name with a relationship id, and the workbook's relationships give each id its
part. Read that way, and not through openpyxl's private attributes, a new openpyxl release
cannot take the scan away.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

# A merged range in the worksheet's XML (after its rows): <mergeCell ref="A2:A5"/>.
_MERGE = re.compile(rb'<(?:[\w.-]+:)?mergeCell\b[^>]*?\bref="([A-Z]{1,3})(\d+):[A-Z]{1,3}(\d+)"')
# A row Excel hides: <row r="12" hidden="1" …>.
_HIDDEN_ROW = re.compile(rb'<(?:[\w.-]+:)?row\b[^>]*?\bhidden="(?:1|true)"[^>]*>')
_ROW_NUMBER = re.compile(rb'\br="(\d+)"')
_CHUNK = 1 << 20
# Relationship types end alike in transitional and strict OOXML; only their prefixes differ.
_OFFICE_DOCUMENT = "/officeDocument"
_PACKAGE_RELATIONSHIPS = "_rels/.rels"
_WORKBOOK = "xl/workbook.xml"  # where every writer puts it, when the package does not say


class PartError(ValueError):
    """The package does not lead to the worksheet: a missing or broken part."""


@dataclass
class Layout:
    """A worksheet's merged ranges that span rows, as {first row: [(column index, last row)
    …]}, and its hidden rows."""

    merged: dict[int, list[tuple[int, int]]]
    hidden: frozenset[int]
    skipped: list[int] = field(default_factory=list)  # hidden rows with values, as read


def read_layout(path: Path, title: str) -> Layout:
    """Scan the XML of the worksheet named `title` for merged ranges and hidden rows
    (decompressing it: a fraction of parsing it).

    A merged cell keeps its value in its top-left cell only, and the cells below read empty:
    a style number or a price merged over a style's SKU rows belongs to each of them. A row
    hidden by a filter, an outline or by hand is not what the brand sees in the sheet. The
    ranges come after the rows, which read-only openpyxl streams without either, so the
    part is scanned before its rows are read. Raises one of DAMAGED_PACKAGE on a damaged
    package.
    """
    merged: dict[int, list[tuple[int, int]]] = {}
    hidden: set[int] = set()
    tail = b""
    with zipfile.ZipFile(path) as package, package.open(_worksheet_part(package, title)) as source:
        while chunk := source.read(_CHUNK):
            text = tail + chunk
            if b"mergeCell" in text:
                for match in _MERGE.finditer(text):
                    left, top, bottom = match.groups()
                    if int(bottom) > int(top):
                        merged.setdefault(int(top), []).append((_column(left), int(bottom)))
            if b"hidden=" in text:
                for match in _HIDDEN_ROW.finditer(text):
                    number = _ROW_NUMBER.search(match[0])
                    if number is not None:
                        hidden.add(int(number[1]))
            # A tag cut in two by the chunk's end is found whole next time (and one found
            # twice counts once).
            tail = text[-300:]
    return Layout({top: sorted(set(ranges)) for top, ranges in merged.items()},
                  frozenset(hidden))


DAMAGED_PACKAGE = (PartError, zipfile.BadZipFile, zlib.error, EOFError, OSError,
                   ElementTree.ParseError)


def _worksheet_part(package: zipfile.ZipFile, title: str) -> str:
    """The name in the package of the worksheet called `title`."""
    workbook = _workbook_part(package)
    ids = {_attribute(sheet, "id"): sheet.get("name")
           for sheet in _elements(_xml(package, workbook), "sheet")}
    wanted = next((rid for rid, name in ids.items() if name == title), None)
    if wanted is None:
        raise PartError(f"the workbook lists no sheet named '{title}'")
    for relation in _elements(_xml(package, _relationships_of(workbook)), "Relationship"):
        if relation.get("Id") == wanted:
            return _resolve(workbook, relation.get("Target", ""))
    raise PartError(f"the workbook's relationships lack the sheet '{title}'")


def _workbook_part(package: zipfile.ZipFile) -> str:
    if _PACKAGE_RELATIONSHIPS not in package.namelist():
        return _WORKBOOK
    for relation in _elements(_xml(package, _PACKAGE_RELATIONSHIPS), "Relationship"):
        if relation.get("Type", "").endswith(_OFFICE_DOCUMENT):
            return _resolve("", relation.get("Target", ""))
    return _WORKBOOK


def _relationships_of(part: str) -> str:
    """The relationships part of a part: xl/workbook.xml -> xl/_rels/workbook.xml.rels."""
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{name}.rels")


def _resolve(source: str, target: str) -> str:
    """A relationship's target as a name in the package: absolute ("/xl/…") or relative to
    the folder of the part that holds the relationship."""
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def _xml(package: zipfile.ZipFile, name: str) -> ElementTree.Element:
    try:
        data = package.read(name)
    except KeyError:
        raise PartError(f"the package has no part '{name}'") from None
    return ElementTree.fromstring(data)


def _elements(root: ElementTree.Element, local: str) -> list[ElementTree.Element]:
    """Every element of that local name, in whichever namespace (transitional or strict)."""
    return [element for element in root.iter()
            if element.tag == local or element.tag.endswith("}" + local)]


def _attribute(element: ElementTree.Element, local: str) -> str | None:
    """The namespaced attribute of that local name (r:id), in whichever namespace."""
    return next((value for key, value in element.attrib.items()
                 if key.endswith("}" + local)), None)


def _column(letters: bytes) -> int:
    """The 0-based index of a column's letters: A is 0, Z 25, AA 26."""
    index = 0
    for letter in letters:
        index = index * 26 + letter - 64
    return index - 1
