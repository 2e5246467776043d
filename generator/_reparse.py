"""Read stage, between builds: a content file's text -> its plain data, taken from the last
reading of the file where the text is the same, item by item for a file that ends in a long
top-level list (a season's styles): an edit to one style then parses that style again, not the
500 or 2,000 around it. A process that stays loaded (`--watch`, `serve`) keeps the readings in
memory; a one-shot `linesheets build` keeps them in a file of its cache folder (`load`, `save`),
so a build after one price edit reads the content in hundredths of a second, not tenths.

A file is split only where its shape makes the split exact: the list is the last key of the
file, written as a block sequence (`- ` lines, at column 0 or indented), and every other line
from the first item on is indented further, blank or a comment. YAML can then not carry
anything from one item into the next; an item that still fails alone (an alias to an anchor
in another item, a tag declared above) sends the file back to a whole reading, so what comes
out is always what `content.read_content` gives.
"""

from __future__ import annotations

import marshal
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Parse = Callable[[str], Any]  # a text's plain data; None if it is not one valid plain document

_FIRST_ITEM = re.compile(r"^( *)-(?=[ \n]|$)", re.MULTILINE)  # a block sequence's item
_KEY = re.compile(r"([A-Za-z_][\w-]*):[ \t]*(?:#.*)?")  # `styles:`, alone on its line
_UNSEEN = object()
_UNSPLIT = object()


@dataclass(frozen=True)
class _Split:
    head: str  # the file up to the list's key line, that line left out
    key: str
    items: tuple[str, ...]  # each item's text, from its `- ` to the next


@dataclass(frozen=True)
class _Reading:
    text: str
    data: dict[str, Any]
    # None: the file cannot be read item by item; _UNSPLIT: not worked out until an edit
    # needs it (a reading kept for no edit then holds no copy of the text in items)
    split: _Split | object | None


class KeptReadings:
    """The last reading of each file, by its name."""

    def __init__(self, path: Path | None = None) -> None:
        self._files: dict[str, _Reading] = {}
        self.path = path  # the file a one-shot build keeps them in; None: this process only
        self._read: set[str] = set()  # the files this build read: those `save` keeps
        self._changed = False  # a reading this build made: the file is out of date

    @classmethod
    def load(cls, path: Path) -> KeptReadings:
        """The readings the last build saved in `path`; none when the file is absent,
        unreadable or not what `save` writes (it then only costs a whole reading)."""
        kept = cls(path)
        try:
            stored = marshal.loads(path.read_bytes())
        except (OSError, EOFError, ValueError, TypeError):
            return kept
        if isinstance(stored, dict):
            for name, entry in stored.items():
                if (isinstance(name, str) and isinstance(entry, tuple) and len(entry) == 2
                        and isinstance(entry[0], str) and isinstance(entry[1], dict)):
                    kept.remember(name, *entry)
        kept._read.clear()
        kept._changed = False
        return kept

    def any(self) -> bool:
        """Whether it holds a reading of any file."""
        return bool(self._files)

    def data(self, name: str, text: str, parse: Parse) -> dict[str, Any] | None:
        """The file's data from the last reading where it is the same, parsing only its
        changed items; None when it must be read whole (then `remember` what that gives)."""
        last = self._files.get(name)
        if last is None:
            return None
        self._read.add(name)
        if last.text == text:
            return last.data
        split = _split(text)
        if split is None:
            return None
        if last.split is _UNSPLIT:
            last = _split_reading(last)
        if not isinstance(last.split, _Split):
            return None
        data = _assemble(split, last.split, last.data, parse)
        if data is not None:
            self._files[name] = _Reading(text, data, split)
            self._changed = True
        return data

    def remember(self, name: str, text: str, data: dict[str, Any]) -> None:
        """Keep a whole reading of a file (one without problems) for the next."""
        self._read.add(name)
        self._changed = True
        self._files[name] = _Reading(text, data, _UNSPLIT)

    def save(self) -> None:
        """Write the readings of the files this build read to `path`, for the next build,
        and remove the files of other versions beside it; a file that cannot be written only
        costs the next build a whole reading."""
        if self.path is None or not self._changed:
            return
        stored = {name: (reading.text, reading.data) for name, reading in self._files.items()
                  if name in self._read}
        folder = self.path.parent
        temporary = folder / f".{self.path.name}.{os.getpid()}.tmp"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            temporary.write_bytes(marshal.dumps(stored))
            temporary.replace(self.path)
            for other in folder.iterdir():
                if other != self.path and not other.name.startswith("."):
                    other.unlink(missing_ok=True)
        except (OSError, ValueError):  # ValueError: data marshal cannot write
            temporary.unlink(missing_ok=True)


def _split_reading(reading: _Reading) -> _Reading:
    """A reading with its split worked out: None where its data is not the shape the split
    assumes (it is then read whole each time it changes)."""
    split = _split(reading.text)
    data = reading.data
    items = data.get(split.key) if split is not None else None
    if split is not None and not (isinstance(items, list) and len(items) == len(split.items)
                                  and next(reversed(data)) == split.key):
        split = None
    return _Reading(reading.text, data, split)


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


def _assemble(split: _Split, last: _Split, last_data: dict[str, Any],
              parse: Parse) -> dict[str, Any] | None:
    if split.head == last.head and split.key == last.key:
        data = {key: value for key, value in last_data.items() if key != split.key}
    elif all(_insignificant(line) for line in split.head.splitlines(keepends=True)):
        data = {}
    else:
        data = parse(split.head)
        if not isinstance(data, dict) or split.key in data:
            return None
    known = dict(zip(last.items, last_data[last.key], strict=True))
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
