"""Readings kept between rebuilds: a changed file gives what a whole reading gives, parsing
only its changed items where its shape allows, and falling back to a whole reading where not."""

from __future__ import annotations

import marshal
from pathlib import Path
from typing import Any

import pytest

from generator._reparse import KeptReadings
from generator.content import _parse_plain

HEAD = "# FW25\nseason: fw25\nstyles:\n"


def _item(number: int, price: str = "100") -> str:
    return (f"- style_no: S-{number:03}\n  name: {{en: Style {number}}}\n"
            f"  description: |\n    Line one of {number}.\n    - not an item\n"
            f"  prices:\n    JPY: {{rrp: 220, wsp: {price}}}\n")


def _indented(number: int, price: str = "100") -> str:
    return "".join(f"  {line}\n" for line in _item(number, price).splitlines())


BEFORE = HEAD + "".join(_item(n) for n in range(1, 6))


class _Counting:
    """The real parse, counting the texts it is given."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def __call__(self, text: str) -> Any:
        self.texts.append(text)
        return _parse_plain(text)


def _kept(text: str = BEFORE) -> KeptReadings:
    readings = KeptReadings()
    data = _parse_plain(text)
    assert isinstance(data, dict)
    readings.remember("products.yaml", text, data)
    return readings


def test_an_unchanged_file_is_not_parsed_again() -> None:
    parse = _Counting()
    kept = _kept()
    assert kept.data("products.yaml", BEFORE, parse) == _parse_plain(BEFORE)
    assert parse.texts == []


def test_a_file_never_read_is_read_whole() -> None:
    assert KeptReadings().data("products.yaml", BEFORE, _Counting()) is None


def test_one_edited_style_is_the_only_text_parsed_again() -> None:
    after = BEFORE.replace(_item(3), _item(3, price="120"))
    parse = _Counting()
    data = _kept().data("products.yaml", after, parse)
    assert data == _parse_plain(after)
    assert parse.texts == [_item(3, price="120")]
    # And the next edit builds on this reading.
    again = after.replace(_item(4), _item(4, price="130"))
    parse = _Counting()
    assert _kept_after(after).data("products.yaml", again, parse) == _parse_plain(again)


def _kept_after(after: str) -> KeptReadings:
    kept = _kept()
    assert kept.data("products.yaml", after, _Counting()) is not None
    return kept


@pytest.mark.parametrize("after", [
    HEAD + "".join(_item(n) for n in (1, 2, 3, 4, 5, 6)),  # a style added
    HEAD + "".join(_item(n) for n in (1, 2, 4, 5)),  # one removed
    HEAD + "".join(_item(n) for n in (5, 4, 3, 2, 1)),  # reordered
    HEAD.replace("season: fw25", "season: fw26") + "".join(_item(n) for n in range(1, 6)),
    "styles:\n" + "".join(_item(n) for n in range(1, 6)),  # the head's other keys gone
    BEFORE.replace(_item(2), "# between styles\n\n" + _item(2)),  # column-0 comments
    BEFORE.replace("- style_no: S-002\n", "-   style_no: S-002\n"),  # another indent
    HEAD + "".join(_indented(n) for n in (1, 2, 4)),  # items indented under their key
], ids=["added", "removed", "reordered", "head-edited", "head-shortened", "comments",
        "indent", "indented-list"])
def test_edits_read_item_by_item_equal_a_whole_reading(after: str) -> None:
    assert _kept().data("products.yaml", after, _Counting()) == _parse_plain(after)


@pytest.mark.parametrize("after", [
    BEFORE + "notes: after the list\n",  # the list is no longer the last key
    BEFORE.replace(_item(2), "---\n" + _item(2)),  # a second document
    BEFORE.replace(_item(2), _item(2).replace("{en: Style 2}", '"Style\n- two"')),
    HEAD.replace("styles:", "styles: &all") + "".join(_item(n) for n in range(1, 6)),
    BEFORE.replace("  name: {en: Style 2}", "  name: *first"),  # alias across items
    "styles: [{style_no: S-001}]\n",  # a flow list
    HEAD + "".join(_indented(n) for n in (1, 2)) + "seasons:\n  - fw25\n",  # a key after
], ids=["key-after", "document", "quoted-dash", "anchored-key", "alias", "flow",
        "indented-key-after"])
def test_shapes_that_cannot_be_split_are_read_whole(after: str) -> None:
    assert _kept().data("products.yaml", after, _Counting()) is None


def test_an_item_that_does_not_parse_alone_sends_the_file_to_a_whole_reading() -> None:
    anchored = BEFORE.replace("  name: {en: Style 1}", "  name: &first {en: Style 1}")
    after = anchored.replace("  name: {en: Style 2}", "  name: *first")
    assert _parse_plain(after) is not None  # valid whole
    assert _kept(anchored).data("products.yaml", after, _Counting()) is None


def test_a_list_indented_under_its_key_is_read_item_by_item() -> None:
    before = HEAD + "".join(_indented(n) for n in range(1, 4))
    after = before.replace(_indented(2), _indented(2, price="120"))
    parse = _Counting()
    assert _kept(before).data("products.yaml", after, parse) == _parse_plain(after)
    assert parse.texts == [_indented(2, price="120")]


def test_a_file_of_another_shape_is_remembered_whole() -> None:
    text = "season: fw25\nname: {en: Autumn}\n"
    kept = _kept(text)
    assert kept.data("products.yaml", text, _Counting()) == _parse_plain(text)
    assert kept.data("products.yaml", "season: fw26\n", _Counting()) is None


@pytest.mark.parametrize("text", [
    "a: &a [*a]\n",  # an alias inside itself
    "a0: &a0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]\n" for n in range(1, 9)),
    "swatch: #E4DCCB\n",  # a colour YAML reads as a comment
])
def test_what_a_whole_reading_refuses_is_not_parsed_plain(text: str) -> None:
    """A watch parses an edited file this way first: it must leave such a file to the whole
    reading, which names the problem, rather than expand it or read the field as empty."""
    assert _parse_plain(text) is None


def test_saved_readings_are_what_the_next_process_reads_from(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "readings" / "v1.marshal"
    (tmp_path / "cache" / "readings").mkdir(parents=True)
    (tmp_path / "cache" / "readings" / "v0.marshal").write_bytes(b"another version's")
    kept = KeptReadings(path)
    data = _parse_plain(BEFORE)
    kept.remember("products.yaml", BEFORE, data)
    kept.remember("links/gone.yaml", "name: gone\n", {"name": "gone"})
    kept.save()
    assert sorted(p.name for p in path.parent.iterdir()) == ["v1.marshal"]  # the old one gone
    again = KeptReadings.load(path)
    parse = _Counting()
    after = BEFORE.replace(_item(3), _item(3, price="120"))
    assert again.data("products.yaml", after, parse) == _parse_plain(after)
    assert parse.texts == [_item(3, price="120")]
    again.save()  # keeps the files this build read: the link file it did not read is gone
    assert KeptReadings.load(path).data("links/gone.yaml", "name: gone\n", parse) is None
    assert KeptReadings.load(path).data("products.yaml", after, parse) == _parse_plain(after)


@pytest.mark.parametrize("stored", [b"", b"not marshal", marshal.dumps(["a list"]),
                                    marshal.dumps({"products.yaml": ("text", ["not a dict"])}),
                                    marshal.dumps({1: ("text", {})})])
def test_a_readings_file_that_is_not_what_save_writes_is_a_whole_reading(
        tmp_path: Path, stored: bytes) -> None:
    path = tmp_path / "readings.marshal"
    path.write_bytes(stored)
    kept = KeptReadings.load(path)
    assert not kept.any()
    assert kept.data("products.yaml", BEFORE, _Counting()) is None


def test_readings_unchanged_are_not_written_again(tmp_path: Path) -> None:
    path = tmp_path / "readings.marshal"
    kept = KeptReadings(path)
    kept.remember("products.yaml", BEFORE, _parse_plain(BEFORE))
    kept.save()
    written = path.stat().st_mtime_ns
    path.write_bytes(path.read_bytes())  # a later time stamp if it were written again
    touched = path.stat().st_mtime_ns
    again = KeptReadings.load(path)
    assert again.data("products.yaml", BEFORE, _Counting()) is not None
    again.save()
    assert path.stat().st_mtime_ns == touched >= written
