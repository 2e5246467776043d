"""Read stage, in a process that stays loaded (`--watch`, `serve`): a content file's text -> its
plain data, taken from the last reading of the file where the text is the same, item by item
for a file that ends in a long top-level list (a season's styles): an edit to one style then
parses that style again, not the 500 or 2,000 around it.

A file is split only where its shape makes the split exact: the list is the last key of the
file, written as a block sequence (`- ` lines, at column 0 or indented), and every other line
from the first item on is indented further, blank or a comment. YAML can then not carry
anything from one item into the next; an item that still fails alone (an alias to an anchor
in another item, a tag declared above) sends the file back to a whole reading, so what comes
out is always what `content.read_content` gives.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Parse = Callable[[str], Any]  # a text's plain data; None if it is not one valid plain document

_FIRST_ITEM = re.compile(r"^( *)-(?=[ \n]|$)", re.MULTILINE)  # a block sequence's item
_KEY = re.compile(r"([A-Za-z_][\w-]*):[ \t]*(?:#.*)?")  # `styles:`, alone on its line
_UNSEEN = object()


@dataclass(frozen=True)
class _Split:
    head: str  # the file up to the list's key line, that line left out
    key: str
    items: tuple[str, ...]  # each item's text, from its `- ` to the next


@dataclass(frozen=True)
class _Reading:
    text: str
    data: dict[str, Any]
    split: _Split | None  # None: the file cannot be read item by item


class KeptReadings:
    """The last reading of each file, by its name."""

    def __init__(self) -> None:
        self._files: dict[str, _Reading] = {}

    def data(self, name: str, text: str, parse: Parse) -> dict[str, Any] | None:
        """The file's data from the last reading where it is the same, parsing only its
        changed items; None when it must be read whole (then `remember` what that gives)."""
        last = self._files.get(name)
        if last is None:
            return None
        if last.text == text:
            return last.data
        split = _split(text)
        if split is None or last.split is None:
            return None
        data = _assemble(split, last, parse)
        if data is not None:
            self._files[name] = _Reading(text, data, split)
        return data

    def remember(self, name: str, text: str, data: dict[str, Any]) -> None:
        """Keep a whole reading of a file (one without problems) for the next."""
        split = _split(text)
        items = data.get(split.key) if split is not None else None
        if split is not None and not (isinstance(items, list) and len(items) == len(split.items)
                                      and next(reversed(data)) == split.key):
            split = None  # not the shape the split assumes: read it whole each time it changes
        self._files[name] = _Reading(text, data, split)


def _split(text: str) -> _Split | None:
    first = _FIRST_ITEM.search(text)
    if first is None:
        return None
    lines = text[:first.start()].splitlines(keepends=True)
    while lines and _insignificant(lines[-1]):
        lines.pop()
    key = _KEY.fullmatch(lines[-1].rstrip("\n")) if lines else None
    if key is None:
        return None
    indent = len(first[1])
    body = text[first.start():]
    # Any line as little indented as the items that starts no item (another key after the
    # list, a document marker) ends the list before the end of the file: no split.
    if re.search(rf"^(?! {{{indent}}}-(?:[ \n]|$)) {{0,{indent}}}[^ \n#]", body, re.MULTILINE):
        return None
    starts = [match.start() for match in re.finditer(rf"^ {{{indent}}}-(?=[ \n]|$)", body,
                                                     re.MULTILINE)]
    items = tuple(body[start:end]
                  for start, end in zip(starts, [*starts[1:], len(body)], strict=True))
    return _Split("".join(lines[:-1]), key[1], items)


def _insignificant(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def _assemble(split: _Split, last: _Reading, parse: Parse) -> dict[str, Any] | None:
    assert last.split is not None
    if split.head == last.split.head and split.key == last.split.key:
        data = {key: value for key, value in last.data.items() if key != split.key}
    elif all(_insignificant(line) for line in split.head.splitlines(keepends=True)):
        data = {}
    else:
        data = parse(split.head)
        if not isinstance(data, dict) or split.key in data:
            return None
    known = dict(zip(last.split.items, last.data[last.split.key], strict=True))
    items = []
    for text in split.items:
        item = known.get(text, _UNSEEN)
        if item is _UNSEEN:
            parsed = parse(text)
            if not isinstance(parsed, list) or len(parsed) != 1:
                return None
            item = parsed[0]
        items.append(item)
    data[split.key] = items
    return data
