"""`linesheets init`: start a brand's own repository with content that builds at once.

A brand keeps its content in its own git repository and installs linesheets as a package;
this writes that repository's first content: brand settings, a season of three example
styles, and one link of each kind (an open instant link, a stockists' brand link and a
registered buyer's customer link, the last two with passcodes), every file commented, plus
a .gitignore for what the build makes. The files are rendered from generator/starter_content/
into a folder beside the destination, checked as `linesheets check` would, and only then
moved into place: a brand never gets a half-written or invalid start.
"""

from __future__ import annotations

import json
import math
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from generator.errors import LinesheetsError
from generator.fields import CurrencyCode, LanguageTag, TimeZoneName, slug_of

STARTER = Path(__file__).resolve().parent / "starter_content"

# The example styles' retail and wholesale prices in US dollars, each scaled into the brand's
# currencies by a rough factor below and rounded to a price a brand would write: examples
# to replace, not exchange rates.
EXAMPLE_PRICES: tuple[tuple[int, int], ...] = ((680, 290), (180, 75), (60, 24))
SCALE: dict[str, float] = {
    "USD": 1, "EUR": 0.9, "GBP": 0.8, "CHF": 0.9, "JPY": 150, "CNY": 7, "HKD": 8, "TWD": 32,
    "KRW": 1400, "SGD": 1.3, "AUD": 1.5, "CAD": 1.4, "NZD": 1.7, "SEK": 10, "NOK": 10,
    "DKK": 7, "INR": 85, "THB": 35,
}
# What `linesheets build` and `serve` make, kept out of the brand's repository.
IGNORED = ("/public/", "/build/", "/data/", "/.venv/")
IGNORED_WHY = ("# linesheets: what `linesheets build` and `serve` make; build/private/ holds the\n"
               "# sealed links' keys: copy it to the endpoint and back it up, never into git\n")


@dataclass(frozen=True)
class Started:
    """What `init` wrote, for its report: the files, and the passcodes it made (only their
    hashes are in the files, so this is the one time they are shown)."""

    folder: Path
    season: str
    deadline: date
    files: tuple[str, ...]
    stockists_passcode: str
    buyer_passcode: str


def start(folder: Path, name: str, languages: Sequence[str], currencies: Sequence[str],
          timezone: str, today: date) -> Started:
    """Write the starter content into `folder` (made if missing); refuse, writing nothing,
    when it already holds content or an option is wrong."""
    name = name.strip()
    if not name:
        raise LinesheetsError("--name is empty; give the brand's name, e.g. --name 'Maison Ito'")
    if len(name) > 100 or not name.isprintable():
        raise LinesheetsError("--name is the brand's name as buyers read it: one line of at "
                              "most 100 characters")
    languages = _valid("--languages", languages, LanguageTag)
    currencies = _valid("--currencies", currencies, CurrencyCode)
    timezone = _valid("--timezone", [timezone], TimeZoneName)[0]
    content = folder / "content"
    if content.exists():
        raise LinesheetsError(f"{content} already exists; `linesheets init` starts a new "
                              "repository: give an empty folder, or edit that content")
    if folder.exists() and not folder.is_dir():
        raise LinesheetsError(f"{folder} is a file; give a folder for the brand's repository")

    from generator.passcode import hash_passcode, new_passcode

    season, season_name = _next_season(today)
    deadline = today + timedelta(days=90)
    stockists, buyer = new_passcode(), new_passcode()
    values = {
        "name": name, "domain": f"{slug_of(name, 40) or 'brand'}.example",
        "languages": languages,
        "currencies": currencies, "timezone": timezone, "season": season,
        "season_name": season_name, "deadline": f"{deadline.isoformat()}T23:59",
        "delivery_from": (deadline + timedelta(days=45)).isoformat(),
        "delivery_to": (deadline + timedelta(days=105)).isoformat(),
        "prices": [{currency: (_price(rrp, currency), _price(wsp, currency))
                    for currency in currencies} for rrp, wsp in EXAMPLE_PRICES],
        "stockists_hash": hash_passcode(stockists), "buyer_hash": hash_passcode(buyer),
        "country": "US",
    }
    files = {
        "brand.yaml": "brand.yaml",
        f"seasons/{season}/season.yaml": "season.yaml",
        f"seasons/{season}/products.yaml": "products.yaml",
        f"links/{season}-open.yaml": "open-link.yaml",
        "links/stockists.yaml": "stockists.yaml",
        "buyers/example-shop.yaml": "buyer.yaml",
        "links/example-shop.yaml": "customer-link.yaml",
    }
    rendered = {path: _render(template, values) for path, template in files.items()}
    made = not folder.exists()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _write_checked(content, rendered)  # content/ appears whole, or not at all
        _ignore_outputs(folder / ".gitignore")
    except BaseException as exc:
        if made:  # nothing left of a folder this call made
            shutil.rmtree(folder, ignore_errors=True)
        if isinstance(exc, OSError):
            raise LinesheetsError(f"cannot write the new repository in {folder}: "
                                  f"{exc.strerror or exc}; give a folder you can write to"
                                  ) from None
        raise
    return Started(folder, season, deadline,
                   (*(f"content/{path}" for path in files), ".gitignore"),
                   stockists, buyer)


def local_timezone(localtime: Path = Path("/etc/localtime")) -> str:
    """This computer's IANA zone, read off /etc/localtime's link (Linux, macOS), or UTC."""
    try:
        target = str(localtime.readlink())
    except OSError:
        return "UTC"
    zone = target.partition("zoneinfo/")[2]
    try:
        return TypeAdapter(TimeZoneName).validate_python(zone) if zone else "UTC"
    except ValidationError:
        return "UTC"


def _valid(option: str, values: Sequence[str], field: Any) -> list[str]:
    """Each value as the content files' own check takes it, or the option named with why."""
    adapter: TypeAdapter[str] = TypeAdapter(field)
    checked: list[str] = []
    for value in values:
        try:
            checked.append(adapter.validate_python(value.strip()))
        except ValidationError as exc:
            why = exc.errors()[0]["msg"].removeprefix("Value error, ")
            raise LinesheetsError(f"{option}: {why}") from None
    if not checked:
        raise LinesheetsError(f"{option} is empty; give at least one")
    repeated = sorted({value for value in checked if checked.count(value) > 1})
    if repeated:
        raise LinesheetsError(f"{option} names {', '.join(repeated)} twice; give each once")
    return checked


def _next_season(today: date) -> tuple[str, str]:
    """The season brands sell now: from July, next year's spring–summer; before, this
    year's autumn–winter (wholesale orders are taken six to nine months ahead)."""
    if today.month >= 7:
        year = today.year + 1
        return f"ss{year % 100:02d}", f"Spring–Summer {year}"
    return f"aw{today.year % 100:02d}", f"Autumn–Winter {today.year}"


def _price(dollars: int, currency: str) -> int:
    """An example amount in `currency`: scaled, then rounded to two significant digits."""
    amount = dollars * SCALE.get(currency, 1)
    step = 10 ** max(0, math.floor(math.log10(amount)) - 1)
    return int(Decimal(amount / step).quantize(Decimal(1)) * step)


def _render(template: str, values: Mapping[str, object]) -> str:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    environment = Environment(loader=FileSystemLoader(STARTER), undefined=StrictUndefined,
                              keep_trailing_newline=True, autoescape=False)
    # A YAML string of any text (quotes, colons, a leading '#'): JSON's is one.
    environment.filters["q"] = lambda value: json.dumps(str(value), ensure_ascii=False)
    return environment.get_template(template).render(values)


def _write_checked(content: Path, files: dict[str, str]) -> None:
    """Write the files into a folder beside `content`, load them as `linesheets check` does,
    then give the folder its name: nothing is left behind when either fails."""
    from generator.catalog import load_catalog
    from generator.errors import ContentError

    scratch = Path(tempfile.mkdtemp(prefix=".linesheets-init-", dir=content.parent))
    try:
        for path, text in files.items():
            (scratch / path).parent.mkdir(parents=True, exist_ok=True)
            (scratch / path).write_text(text, encoding="utf-8")
        (scratch / "media").mkdir()
        try:
            load_catalog(scratch)
        except ContentError as exc:  # a starter that does not check is this module's bug
            raise LinesheetsError("the starter content did not pass its check, so nothing "
                                  "was written; please report it:\n"
                                  + "\n".join(map(str, exc.problems))) from None
        scratch.rename(content)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _ignore_outputs(gitignore: Path) -> None:
    """Add the build's outputs to .gitignore, keeping what a brand has in it already."""
    existing = gitignore.read_text(encoding="utf-8") if gitignore.exists() else ""
    have = {line.strip().strip("/") for line in existing.splitlines()}
    missing = [entry for entry in IGNORED if entry.strip("/") not in have]
    if not missing:
        return
    if existing and not existing.endswith("\n"):
        existing += "\n"
    gitignore.write_text(existing + ("\n" if existing else "") + IGNORED_WHY
                         + "\n".join(missing) + "\n", encoding="utf-8")
