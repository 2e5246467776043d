"""Read stage: content/ files -> raw entries (source file, plain data, line number of every field).

YAML scalars are kept as the text the brand typed (only an explicit null becomes None): the
models parse text into numbers, dates and booleans, so `NO` stays Norway, `001` keeps its zeros,
JAN codes never become floats and prices are exact decimals.

A file's line numbers are worked out only when a problem in it needs one: on a large season
the map of every field's line took a quarter of the reading and was rarely read.
"""

from __future__ import annotations

import marshal
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from generator._reparse import KeptReadings
from generator.errors import ContentProblem, FieldPath, format_field_path, relative_name
from generator.leftovers import is_leftover

YAML_SUFFIXES = (".yaml", ".yml")
# libyaml's parser when PyYAML was built with it (ten times faster on a large season).
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LineMap(Protocol):
    """Where each field of a file was written: a dict, or a YAML file's `YamlLines`."""

    def get(self, path: FieldPath, /) -> int | None: ...


@dataclass(frozen=True)
class RawEntry:
    """One content file as plain data, with where each field was written."""

    kind: str  # brand | terms | season | products | lookbook | buyer | link
    ident: str  # the id the file name gives (season folder, link slug …); "" for singletons
    path: Path
    name: str  # the path as shown to the user, e.g. content/links/spring.yaml
    data: Any
    lines: LineMap = field(default_factory=lambda: dict[FieldPath, int]())

    def line_of(self, path: FieldPath) -> int:
        """Return the line of a field, or of its nearest written ancestor."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return 1

    def problem(self, path: FieldPath, message: str) -> ContentProblem:
        """Make a problem located at a field of this file."""
        return ContentProblem(self.name, self.line_of(path), format_field_path(path), message)


@dataclass
class ContentTree:
    """Every raw entry of a content directory, and the problems met while reading it."""

    root: Path
    entries: list[RawEntry] = field(default_factory=list)
    problems: list[ContentProblem] = field(default_factory=list)

    def of_kind(self, kind: str) -> list[RawEntry]:
        """Return the entries of one kind, in path order."""
        return [entry for entry in self.entries if entry.kind == kind]


def read_content(root: Path, kept: KeptReadings | None = None) -> ContentTree:
    """Read every content file under root; collect problems instead of stopping at the first.
    `kept`: the last readings to take each unchanged file (or style) from, and to update (by
    default this process's, when it keeps them)."""
    kept = kept if kept is not None else _kept
    tree = ContentTree(root=root)
    if not root.is_dir():
        what = ("is a file, not the content directory" if root.exists()
                else "content directory not found")
        tree.problems.append(
            ContentProblem(root.as_posix(), 0, "", f"{what}; pass the folder that holds "
                           "brand.yaml (default: content/)")
        )
        return tree
    for kind, ident, path in _content_files(root, tree):
        entry = _read_yaml(kind, ident, path, root, tree.problems, kept)
        if entry is not None:
            tree.entries.append(entry)
    return tree


def read_content_apart(root: Path, kept: KeptReadings | None = None) -> ContentTree:
    """Read every content file as `read_content` does, but in a forked child that sends the
    tree back, where processes can fork: with `kept` holding no reading, the child saves
    its readings for the next build (`KeptReadings.save`); with the last build's readings,
    here (they hold all but what changed), then keeping this build's in them.

    Reading composes all of a file's YAML nodes, each with its marks, before any is freed; the
    holes they leave in the reader's heap stay taken, pinned by the few objects that live on
    among them. Loading the 96k-page bench catalog left its process at 171 MiB instead of 95
    (and every render worker forked from it shares that). The tree comes back as marshal data,
    plain dicts, lists and strings, in a tenth of the reading's time. If the child fails, the
    parent reads again itself, so whatever stopped the child is met, and reported, here.
    """
    if not hasattr(os, "fork") or _kept is not None:  # a watch keeps its readings here
        return read_content(root)
    if kept is not None and kept.any():
        return read_content(root, kept)
    try:
        reader, writer = os.pipe()
    except OSError:  # out of descriptors: read here
        return read_content(root, kept)
    try:
        pid = os.fork()
    except OSError:  # out of processes or memory for one: read here
        os.close(reader)
        os.close(writer)
        return read_content(root, kept)
    if pid == 0:  # the child: read, send, and leave without the parent's exit handlers
        status = 1
        try:
            os.close(reader)
            tree = read_content(root, kept)
            # Saved here, where the readings are made (the parent holds none), and before the
            # tree is sent: the parent grows as it takes it, and this process is gone by then.
            if kept is not None:
                kept.save()
            with os.fdopen(writer, "wb") as out:
                out.write(marshal.dumps(_tree_data(tree)))
            status = 0
        finally:
            os._exit(status)
    os.close(writer)
    try:
        with os.fdopen(reader, "rb") as source:
            data = source.read()
    finally:  # a child still writing meets the closed pipe and exits
        _, status = os.waitpid(pid, 0)
    if status != 0:
        return read_content(root, kept)
    return _tree_from(root, marshal.loads(data))


_Sent = tuple[list[tuple[str, str, str, str, Any, str]], list[tuple[str, int, str, str]]]


def _tree_data(tree: ContentTree) -> _Sent:
    """A tree read by `read_content` as plain values, for marshal."""
    entries = []
    for entry in tree.entries:
        assert isinstance(entry.lines, YamlLines) and entry.lines.text is not None
        entries.append((entry.kind, entry.ident, str(entry.path), entry.name, entry.data,
                        entry.lines.text))
    problems = [(p.file, p.line, p.field, p.message) for p in tree.problems]
    return entries, problems


def _tree_from(root: Path, sent: _Sent) -> ContentTree:
    entries, problems = sent
    return ContentTree(root, [RawEntry(kind, ident, Path(path), name, data, YamlLines(text))
                              for kind, ident, path, name, data, text in entries],
                       [ContentProblem(*problem) for problem in problems])


def _content_files(root: Path, tree: ContentTree) -> Iterator[tuple[str, str, Path]]:
    """Yield (kind, ident, path) for every content file, in a stable order."""
    brand = _one_of(root, "brand")
    if brand is None:
        tree.problems.append(ContentProblem(
            relative_name(root / "brand.yaml", root), 0, "",
            "brand.yaml not found; every content directory starts with the brand's settings"))
    else:
        yield "brand", "", brand
    terms = _one_of(root, "terms")
    if terms is not None:
        yield "terms", "", terms
    seasons = root / "seasons"
    for folder in sorted(p for p in seasons.iterdir() if p.is_dir()) if seasons.is_dir() else []:
        season_file = _one_of(folder, "season")
        if season_file is None:
            tree.problems.append(ContentProblem(
                relative_name(folder, root), 0, "",
                "season folder without season.yaml; add one or remove the folder"))
            continue
        yield "season", folder.name, season_file
        products = _one_of(folder, "products")
        if products is not None:
            yield "products", folder.name, products
    for folder_name, kind in (("lookbooks", "lookbook"), ("buyers", "buyer"), ("links", "link")):
        yield from _files_in(root, folder_name, kind, tree)


def _one_of(folder: Path, stem: str) -> Path | None:
    for suffix in YAML_SUFFIXES:
        candidate = folder / f"{stem}{suffix}"
        if candidate.is_file():
            return candidate
    return None


def _files_in(
    root: Path, folder_name: str, kind: str, tree: ContentTree
) -> Iterator[tuple[str, str, Path]]:
    folder = root / folder_name
    if not folder.is_dir():
        return
    seen: dict[str, Path] = {}
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.is_dir() or is_leftover(path.name):
            continue
        if path.suffix not in YAML_SUFFIXES:
            tree.problems.append(ContentProblem(
                relative_name(path, root), 0, "",
                f"not a YAML file; files in {folder_name}/ end in .yaml"))
            continue
        if path.stem in seen:
            tree.problems.append(ContentProblem(
                relative_name(path, root), 0, "",
                f"'{path.stem}' is defined twice (also {relative_name(seen[path.stem], root)}); "
                "keep one file per id"))
            continue
        seen[path.stem] = path
        yield kind, path.stem, path


def _read_yaml(
    kind: str, ident: str, path: Path, root: Path, problems: list[ContentProblem],
    kept: KeptReadings | None
) -> RawEntry | None:
    name = relative_name(path, root)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        problems.append(ContentProblem(name, 0, "", f"not UTF-8 text ({exc.reason} at byte "
                                       f"{exc.start}); save the file as UTF-8"))
        return None
    if kept is not None:
        reading = kept.data(name, text, _parse_plain)
        if reading is not None:
            return RawEntry(kind=kind, ident=ident, path=path, name=name, data=reading,
                            lines=YamlLines(text))
    found = len(problems)
    try:
        documents = list(yaml.compose_all(text, Loader=_LOADER))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 0
        problems.append(ContentProblem(name, line, "", f"invalid YAML: {exc.problem}"))
        return None
    except yaml.YAMLError as exc:
        problems.append(ContentProblem(name, 0, "", f"invalid YAML: {exc}"))
        return None
    documents = [doc for doc in documents if doc is not None]
    if not documents:
        problems.append(ContentProblem(name, 0, "", "the file is empty"))
        return None
    if len(documents) > 1:
        problems.append(ContentProblem(name, documents[1].start_mark.line + 1, "",
                                       "more than one YAML document; keep one per file"))
        return None
    if ": #" in text:
        problems += _colour_comments(name, text)
    aliases = _alias_problem(documents[0]) if "&" in text else None
    if aliases is not None:
        problems.append(ContentProblem(name, aliases[0], "", aliases[1]))
        return None
    try:
        data = _plain_data(documents[0])
    except _NotPlain:  # again, naming each key that is not text or appears twice
        data = _to_data(documents[0], (), name, problems)
    if not isinstance(data, dict):
        problems.append(ContentProblem(name, 1, "", "expected a mapping of fields (key: value)"))
        return None
    if kept is not None and len(problems) == found:
        kept.remember(name, text, data)
    return RawEntry(kind=kind, ident=ident, path=path, name=name, data=data,
                    lines=YamlLines(text))


def keep_readings() -> None:
    """Keep each file's reading for the next, in this process (`generator/_reparse.py`): a
    process that rebuilds on every edit then parses only what the edit changed."""
    global _kept
    _kept = _kept or KeptReadings()


_kept: KeptReadings | None = None


def readings_kept() -> bool:
    """Whether this process keeps its readings for its next builds (`keep_readings`)."""
    return _kept is not None


def _parse_plain(text: str) -> Any:
    """The plain data of a text that is one valid YAML document of plain keys, else None."""
    try:
        documents = [doc for doc in yaml.compose_all(text, Loader=_LOADER) if doc is not None]
        if (len(documents) != 1 or ("&" in text and _alias_problem(documents[0]) is not None)
                or (": #" in text and _COLOUR_COMMENT.search(text))):
            return None  # read again as a new file, which reports it
        return _plain_data(documents[0])
    except (yaml.YAMLError, _NotPlain):
        return None


# `key: #E4DCCB`: to YAML, a comment, and the key's value left empty.
_COLOUR_COMMENT = re.compile(r"^[ \t]*(?:-[ \t]+)?([\w-]+):[ \t]+(#[0-9A-Fa-f]{3,8})\b",
                             re.MULTILINE)


def _colour_comments(name: str, text: str) -> list[ContentProblem]:
    """A colour written unquoted after a key, which YAML reads as a comment: the field would
    be silently empty."""
    return [ContentProblem(name, text.count("\n", 0, found.start()) + 1, "",
                           f"'{found[2]}' after '{found[1]}:' is read as a YAML comment, "
                           f"leaving {found[1]} empty; quote it: {found[1]}: \"{found[2]}\"")
            for found in _COLOUR_COMMENT.finditer(text)]


# A file's values once its aliases (*name) are expanded, at most this many times the nodes it
# writes out (plus a margin): a size run used by every style is a few times; a 364-byte file
# of nested aliases ("billion laughs") would be a billion values, and gigabytes.
_ALIAS_EXPANSION = 10
_ALIAS_MARGIN = 10_000


def _alias_problem(document: Node) -> tuple[int, str] | None:
    """The line and text of what is wrong with a document's aliases: one that contains
    itself, or all of them together expanding to far more values than the file writes out;
    None when they are fine. Walked without recursion, so a deep document cannot overflow
    the stack."""
    distinct: set[int] = set()
    expanded = 0
    stack: list[tuple[Node, frozenset[int]]] = [(document, frozenset())]
    while stack:
        node, within = stack.pop()
        expanded += 1
        distinct.add(id(node))
        if expanded > _ALIAS_EXPANSION * len(distinct) + _ALIAS_MARGIN:
            return (node.start_mark.line + 1, "the aliases (*name) of this file expand to "
                    "far more values than it writes out; write the values out, or use "
                    "fewer aliases of aliases")
        if isinstance(node, ScalarNode):
            continue
        if id(node) in within:
            return (node.start_mark.line + 1, "an alias (*name) refers to a value that "
                    "contains it, which never ends; write the value out")
        inner = within | {id(node)}
        children: list[Node] = (list(node.value) if isinstance(node, SequenceNode) else
                                [part for pair in node.value for part in pair])
        stack += [(child, inner) for child in children]
    return None


class YamlLines:
    """The line of every field of a YAML file, found when first asked for by composing the
    file's text again (which `_read_yaml` has already read without error)."""

    def __init__(self, text: str) -> None:
        self.text: str | None = text  # until the lines are worked out
        self._lines: dict[FieldPath, int] = {}

    def get(self, path: FieldPath, /) -> int | None:
        """The line where a field was written, or None if it was not."""
        if self.text is not None:
            document = next(node for node in yaml.compose_all(self.text, Loader=_LOADER)
                            if node is not None)
            _record_lines(document, (), self._lines)
            self.text = None
        return self._lines.get(path)


def _scalar(node: ScalarNode) -> str | None:
    """A scalar as the text typed; None only for an explicit, unquoted null."""
    # libyaml marks a plain scalar with style "", the pure-Python parser with None
    if node.tag == "tag:yaml.org,2002:null" and not node.style:
        return None
    value: str = node.value
    return value


class _NotPlain(Exception):
    """A mapping key that is not text, or appears twice: `_to_data` says where."""


def _plain_data(node: Node) -> Any:
    """Turn a composed YAML node into plain data, as `_to_data` does for a file without a
    problem, but without following each value's path (a tenth of reading a large season)."""
    if isinstance(node, ScalarNode):
        return _scalar(node)
    if isinstance(node, SequenceNode):
        return [_plain_data(item) for item in node.value]
    if isinstance(node, MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.value in result:
                raise _NotPlain
            result[key_node.value] = _plain_data(value_node)
        return result
    return None  # pragma: no cover - compose only yields the three node kinds


def _to_data(node: Node, path: FieldPath, name: str, problems: list[ContentProblem]) -> Any:
    """Turn a composed YAML node into plain data; a key that is not text or appears twice is
    a problem (the first of the two is kept)."""
    if isinstance(node, ScalarNode):
        return _scalar(node)
    if isinstance(node, SequenceNode):
        return [_to_data(item, (*path, index), name, problems)
                for index, item in enumerate(node.value)]
    if isinstance(node, MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                problems.append(ContentProblem(name, key_node.start_mark.line + 1, "",
                                               "a key must be plain text"))
                continue
            key = key_node.value
            if key in result:
                problems.append(ContentProblem(
                    name, key_node.start_mark.line + 1, format_field_path((*path, key)),
                    f"key '{key}' appears twice in one mapping; keep one"))
                continue
            result[key] = _to_data(value_node, (*path, key), name, problems)
        return result
    return None  # pragma: no cover - compose only yields the three node kinds


def _record_lines(node: Node, path: FieldPath, lines: dict[FieldPath, int]) -> None:
    """Record the line of every path under a node: a key's line for a mapping's field (its
    value may start on the next line), the node's own for a list item; where a key appears
    twice, the first, whose value `_to_data` kept."""
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            _record_lines(item, (*path, index), lines)
    elif isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                continue
            field_path = (*path, key_node.value)
            if field_path in lines:  # the second of a repeated key: not the data's
                continue
            lines[field_path] = key_node.start_mark.line + 1
            _record_lines(value_node, field_path, lines)

