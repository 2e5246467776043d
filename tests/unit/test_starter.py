"""`linesheets init`: a brand's first content that checks, builds, opens with the printed
passcodes and takes orders; every wrong option refused with nothing written."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from generator.catalog import load_catalog
from generator.cli import main
from generator.starter import local_timezone, start
from order_api.app import create_app
from tests.unit.endpoint import FrozenClock, publish, settings_for

TODAY = date(2026, 12, 2)


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def test_the_starter_checks_and_is_what_its_options_say(tmp_path: Path) -> None:
    started = start(tmp_path / "maison", "Maison d'Été: Paris", ["fr", "en"], ["EUR", "JPY"],
                    "Europe/Paris", TODAY)
    catalog = load_catalog(tmp_path / "maison" / "content")
    brand = catalog.brand
    assert (brand.default_language, brand.languages) == ("fr", ["fr", "en"])
    assert (brand.currencies, brand.timezone) == (["EUR", "JPY"], "Europe/Paris")
    assert brand.name.values[""] == "Maison d'Été: Paris"  # quoted, colon and all
    # December: next year's spring–summer, open for 90 days
    assert started.season == "ss27" and list(catalog.seasons) == ["ss27"]
    assert started.deadline == date(2027, 3, 2)
    assert catalog.seasons["ss27"].order_deadline == datetime(
        2027, 3, 2, 22, 59, tzinfo=UTC)
    assert {slug: link.kind for slug, link in catalog.links.items()} == {
        "ss27-open": "instant", "stockists": "brand", "example-shop": "customer"}
    styles = catalog.styles["ss27"]
    assert [style.style_no for style in styles] == ["SS27-001", "SS27-002", "SS27-003"]
    # every style priced in both currencies, in whole units of each
    for style in styles:
        assert set(style.prices) == {"EUR", "JPY"}
        assert style.prices["JPY"]["wsp"] < style.prices["JPY"]["rrp"]
    # spring: this year's autumn–winter
    assert start(tmp_path / "spring", "Kumo", ["en"], ["USD"], "UTC",
                 date(2027, 3, 1)).season == "aw27"


def test_the_printed_passcodes_open_their_links_and_the_open_link_takes_an_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "brand"
    assert main(["init", str(folder), "--name", "Kumo", "--languages", "en,ja",
                 "--currencies", "USD", "--timezone", "Asia/Tokyo"]) == 0
    out = capsys.readouterr().out
    codes = dict(re.findall(r"content/links/(\S+)\.yaml .*passcode: (\S+)", out))
    assert set(codes) == {"stockists", "example-shop"}
    assert codes["stockists"] != codes["example-shop"]
    assert f"cd {folder}" in out and "linesheets serve" in out
    # only the hashes are in the files
    for path in (folder / "content").rglob("*.yaml"):
        assert not any(code in path.read_text() for code in codes.values())

    catalog = load_catalog(folder / "content")
    now = datetime.now(UTC)
    publish(catalog, tmp_path / "private", now)
    season = next(iter(catalog.seasons))
    with TestClient(create_app(settings_for(tmp_path / "private", FrozenClock(now)))) as api:
        for slug, passcode in codes.items():
            unlocked = api.post(f"/api/links/{slug}/unlock", json={"passcode": passcode})
            assert unlocked.status_code == 200, unlocked.text
            assert unlocked.json()["key"]
            refused = api.post(f"/api/links/{slug}/unlock", json={"passcode": "not-it"})
            assert refused.status_code in (401, 403)
        order = {
            "language": "en", "currency": "USD", "season": season,
            "buyer": {"company": "Shop", "name": "Ann Lee", "email": "ann@shop.example",
                      "phone": "+1 212 555 0199"},
            "lines": [{"style_no": f"{season.upper()}-002", "color": "WHT", "size": size,
                       "quantity": 2} for size in ("S", "M")],
        }
        placed = api.post(f"/api/links/{season}-open/orders", json=order,
                          headers={"Idempotency-Key": "starter-1"})
        assert placed.status_code == 201, placed.text
        assert placed.json()["total"] == "300.00"  # 4 shirts at the example $75


def test_init_refuses_content_that_exists_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "brand.yaml").write_text("name: Ours\n")
    (tmp_path / ".gitignore").write_text("node_modules/\n")
    before = _tree(tmp_path)
    assert main(["init", str(tmp_path), "--name", "X", "--timezone", "UTC"]) == 1
    assert "content already exists" in capsys.readouterr().err
    assert _tree(tmp_path) == before


@pytest.mark.parametrize(("option", "value", "message"), [
    ("--languages", "en,xx-nope", "--languages: 'xx-nope' is not a language tag"),
    ("--languages", "en,ja,en", "--languages names en twice"),
    ("--languages", ",", "--languages is empty"),
    ("--currencies", "USD,usd", "--currencies: 'usd' is not an ISO 4217 currency code"),
    ("--currencies", "BTC", "--currencies: 'BTC' is not an ISO 4217 currency code"),
    ("--timezone", "Mars/Olympus", "--timezone: 'Mars/Olympus' is not an IANA time zone"),
    ("--name", "  ", "--name is empty"),
    ("--name", "K" * 101, "at most 100 characters"),
    ("--name", "Kumo\nTokyo", "one line"),
])
def test_init_refuses_a_wrong_option_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, value: str, message: str
) -> None:
    arguments = {"--name": "Kumo", "--timezone": "UTC", option: value}
    argv = ["init", str(tmp_path / "new")]
    for name, given in arguments.items():
        argv += [f"{name}={given}"]
    assert main(argv) == 1
    assert message in capsys.readouterr().err
    assert not (tmp_path / "new").exists()


def test_init_says_where_it_cannot_write(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "notes.txt").write_text("a file, not a folder")
    assert main(["init", str(tmp_path / "notes.txt" / "kumo"), "--name", "Kumo",
                 "--timezone", "UTC"]) == 1
    assert capsys.readouterr().err == (
        f"error: cannot write the new repository in {tmp_path / 'notes.txt' / 'kumo'}: Not a "
        "directory; give a folder you can write to\n")


def test_init_keeps_a_gitignore_and_adds_only_what_it_lacks(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("node_modules/\npublic/")  # no final newline
    start(tmp_path, "Kumo", ["en"], ["USD"], "UTC", TODAY)
    lines = (tmp_path / ".gitignore").read_text().splitlines()
    assert lines[:2] == ["node_modules/", "public/"]
    assert [line for line in lines if not line.startswith("#") and line] == [
        "node_modules/", "public/", "/build/", "/data/", "/.venv/"]


def test_init_in_this_folder_names_it_and_takes_its_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "atelier-nord"
    folder.mkdir()
    (folder / ".git").mkdir()  # a fresh `git init` is no content
    monkeypatch.chdir(folder)
    assert main(["init", "--timezone", "Europe/Oslo"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Started atelier-nord's linesheets in this folder:")
    assert "cd " not in out
    assert load_catalog(folder / "content").brand.timezone == "Europe/Oslo"


def test_local_timezone_reads_the_link_of_localtime(tmp_path: Path) -> None:
    zone = tmp_path / "usr/share/zoneinfo/Asia/Tokyo"
    zone.parent.mkdir(parents=True)
    zone.write_bytes(b"")
    link = tmp_path / "localtime"
    link.symlink_to(zone)
    assert local_timezone(link) == "Asia/Tokyo"
    assert local_timezone(tmp_path / "missing") == "UTC"
    plain = tmp_path / "plain"
    plain.write_bytes(b"TZif")
    assert local_timezone(plain) == "UTC"  # a copy, not a link: nothing to read the zone off
