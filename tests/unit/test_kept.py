"""Cards, amounts and QR codes kept between builds: what one build adds, the next finds; anything
unreadable means starting empty."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from generator.i18n import format_money
from generator.kept import KeptRenders
from generator.qr import qr_svg


def test_what_a_build_adds_the_next_build_finds(tmp_path: Path) -> None:
    kept = KeptRenders.load(tmp_path, "v1")
    kept.add_card("key:lazy", "<li>card</li>")
    assert kept.money(Decimal("12600"), "JPY", "ja") == format_money(Decimal("12600"), "JPY",
                                                                     "ja")
    kept.save()
    again = KeptRenders.load(tmp_path, "v1")
    assert again.card("key:lazy") == "<li>card</li>"
    assert again.amounts == kept.amounts
    assert again.additions() == ({}, {})


def test_another_version_starts_empty_and_its_file_is_replaced(tmp_path: Path) -> None:
    old = KeptRenders.load(tmp_path, "v1")
    old.add_card("key:eager", "<li>old</li>")
    old.save()
    new = KeptRenders.load(tmp_path, "v2")
    assert new.card("key:eager") is None
    new.add_card("key:eager", "<li>new</li>")
    new.save()
    assert [path.name for path in tmp_path.iterdir()] == [new.path.name if new.path else ""]


def test_a_damaged_file_means_starting_empty(tmp_path: Path) -> None:
    kept = KeptRenders.load(tmp_path, "v1")
    assert kept.path is not None
    kept.path.write_bytes(b"\x00not marshal")
    assert KeptRenders.load(tmp_path, "v1").cards == {}


def test_worker_additions_reach_the_parent(tmp_path: Path) -> None:
    parent, worker = KeptRenders.load(tmp_path, "v1"), KeptRenders()
    worker.add_card("key:lazy", "<li>card</li>")
    worker.money(Decimal("108.00"), "EUR", "fr")
    parent.absorb(worker.additions())
    parent.save()
    again = KeptRenders.load(tmp_path, "v1")
    assert again.card("key:lazy") == "<li>card</li>"
    assert again.amounts == {("108.00", "EUR", "fr"): format_money(Decimal("108.00"), "EUR",
                                                                   "fr")}


def test_additions_taken_are_handed_over_once_and_forgotten(tmp_path: Path) -> None:
    kept = KeptRenders.load(tmp_path, "v1")
    kept.add_card("key:lazy", "<li>card</li>")
    kept.money(Decimal("108.00"), "EUR", "fr")
    taken = kept.take_additions()
    assert taken == ({"key:lazy": "<li>card</li>"},
                     {("108.00", "EUR", "fr"): format_money(Decimal("108.00"), "EUR", "fr")})
    assert (kept.card("key:lazy"), kept.amounts, kept.additions()) == (None, {}, ({}, {}))
    parent = KeptRenders.load(tmp_path, "v1")
    parent.absorb(taken)
    parent.save()
    assert KeptRenders.load(tmp_path, "v1").card("key:lazy") == "<li>card</li>"


def test_a_qr_code_is_encoded_once_across_builds(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    address = "https://linesheets.example.com/l/ss27-open/en/jpy/ss27/"
    kept = KeptRenders.load(tmp_path, "v1")
    svg = kept.qr_code(address, "Scan to order online")
    assert svg == qr_svg(address, "Scan to order online")
    kept.save()
    again = KeptRenders.load(tmp_path, "v1")

    def encode(address: str, label: str) -> str:
        raise AssertionError(f"{address} was encoded again")

    monkeypatch.setattr("generator.kept.qr_svg", encode)
    assert again.qr_code(address, "Scan to order online") == svg
    # Another title is another code: encoded (here, refused) rather than taken.
    with pytest.raises(AssertionError, match="encoded again"):
        again.qr_code(address, "Scan to see it online")
