"""`linesheets links`: every order link of the demo brand with its address, its state at a
moment and when that changes, whether a passcode opens it (never the passcode), its seasons
past their deadline marked, and who it is for; as a table or CSV rows."""

from __future__ import annotations

import csv
import io
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from generator.catalog import load_catalog
from generator.cli import main
from generator.link_list import COLUMNS, link_entries

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "content"
MOMENT = "2026-11-27T12:00:00+00:00"  # the demo's frozen moment of the site tests


def _links(capsys: pytest.CaptureFixture[str], *argv: str) -> list[str]:
    assert main(["links", str(DEMO), "--now", MOMENT, *argv]) == 0
    return capsys.readouterr().out.splitlines()


def test_every_link_is_listed_with_its_address_state_and_window(
    capsys: pytest.CaptureFixture[str]
) -> None:
    lines = _links(capsys)
    assert lines[0].split() == ["link", "kind", "state", "window", "passcode", "seasons",
                                "for", "address"]
    rows = {line.split()[0]: line for line in lines[1:11]}
    assert len(rows) == 10
    assert rows["aw26-showroom"].split()[1:5] == ["instant", "expired", "expired",
                                                  "2026-03-31"]
    assert rows["aw27-preview"].split()[1:5] == ["instant", "upcoming", "opens", "2035-01-15"]
    assert rows["ss27-instagram"].split()[1:3] == ["instant", "view-only"]
    assert "catalog" in rows["ss27-instagram"] and "China only" in rows["ss27-china"]
    assert "株式会社ハコブネ（HAKOBUNE 京都）" in rows["hakobune-kyoto"]  # a customer link's buyer
    assert rows["ss27-open"].endswith("https://linesheets.example.com/l/ss27-open/")
    # AW26 is past its deadline; the AW27 hat is Calme Paris's exclusive, the SS27 tote's
    # indigo HAKOBUNE Kyoto's.
    assert " aw26*, ss27 (1 colour out), aw27 (8/9) " in rows["asagiri-collections"]
    assert " ss27 (1 colour out), aw27 " in rows["calme-paris"]
    assert " ss27, aw27 (8/9) " in rows["hakobune-kyoto"]
    assert " ss27 (15/16, 2 colours out) " in rows["ss27-china"]  # its hide_styles, hide_colors
    assert lines[-4:] == ["10 links; times in Asia/Tokyo",
                          "* past its order deadline: shown, no longer ordered",
                          "(n/m): the link shows n of the season's m styles (its `styles`, "
                          "`hide_styles`, or styles exclusive to other links)",
                          "n colours out: colourways of the styles it shows that the link leaves "
                          "out (its `hide_colors`, or colourways exclusive to other links)"]
    # A passcode says yes, never what it is (the demo's plain one included).
    assert rows["ss27-japan-deposit"].split()[4] == "yes"
    assert "shiosai45" not in "\n".join(lines)


def test_a_state_keeps_those_links_and_a_later_moment_moves_them(
    capsys: pytest.CaptureFixture[str]
) -> None:
    upcoming = _links(capsys, "--state", "upcoming")
    assert [line.split()[0] for line in upcoming[1:-3]] == ["aw27-preview"]
    assert main(["links", str(DEMO), "--now", "2035-01-15T01:00:00+00:00", "--state",
                 "upcoming"]) == 0  # 10:00 in Tokyo: released
    assert capsys.readouterr().out == "no links match\n"


def test_csv_rows_carry_every_column_for_a_spreadsheet(
    capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["links", str(DEMO), "--now", MOMENT, "--format", "csv"]) == 0
    text = capsys.readouterr().out.removeprefix("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0]) == COLUMNS and len(rows) == 10
    preview = next(row for row in rows if row["link"] == "aw27-preview")
    assert (preview["state"], preview["passcode"], preview["release_at"]) == (
        "upcoming", "yes", "2035-01-15T10:00+09:00")
    calme = next(row for row in rows if row["link"] == "calme-paris")
    assert (calme["kind"], calme["buyer"], calme["currencies"], calme["selected_styles"]) == (
        "customer", "Calme Paris SARL", "EUR", "")
    china = next(row for row in rows if row["link"] == "ss27-china")
    assert (china["selected_styles"], china["hidden_colors"]) == ("ss27:15/16", "ss27:2")
    # Kyoto's is the indigo tote every other link leaves out.
    kyoto = next(row for row in rows if row["link"] == "hakobune-kyoto")
    assert (kyoto["selected_styles"], kyoto["hidden_colors"]) == ("aw27:8/9", "")
    assert calme["hidden_colors"] == "ss27:1"



def test_a_site_in_a_folder_gives_its_links_there(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(ROOT / "tests" / "fixtures" / "site" / "content", content)
    brand = content / "brand.yaml"
    brand.write_text(brand.read_text("utf-8").replace(
        "base_url: https://example.com\n", "base_url: https://example.com/wholesale/\n"),
        "utf-8")
    entries = link_entries(load_catalog(content), datetime(2026, 11, 27, tzinfo=UTC))
    assert entries and all(entry.url == f"https://example.com/wholesale/l/{entry.slug}/"
                           for entry in entries)


def test_content_it_cannot_read_is_refused_with_the_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["links", str(tmp_path)]) == 1
    assert "brand.yaml not found" in capsys.readouterr().err
