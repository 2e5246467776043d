"""Print the demo brand's links, with their state and passcode, for `make demo`."""

from __future__ import annotations

import argparse
import re
from datetime import UTC, datetime
from pathlib import Path

from generator.catalog import load_catalog
from generator.state import link_state

_COMMENTED = re.compile(r"#.*passcode[^:]*:\s*[`'\"]?([^\s`'\"]+)", re.IGNORECASE)


def main() -> None:
    """Print one line per link: its URL, kind, state and how to open it."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("content", type=Path)
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    catalog = load_catalog(args.content)
    now = datetime.now(UTC)
    print(f"\n{catalog.summary()}\nServing http://127.0.0.1:{args.port}/ — the links:\n")
    for slug in catalog.links:
        offer = catalog.offer(slug)
        state = link_state(offer, dict(catalog.seasons), now)
        source = (args.content / "buyers" / f"{offer.buyer}.yaml" if offer.buyer
                  else args.content / "links" / f"{slug}.yaml")
        passcode = _passcode(source, offer.passcode)
        print(f"  http://127.0.0.1:{args.port}/l/{slug}/  {offer.kind}, {state}"
              + (f", passcode {passcode}" if passcode else ""))
    print("\nThe order endpoint runs beside the pages, on the same origin: open a link with a "
          "passcode\nabove and type it on the page. Sending orders comes with issue #6.\n")


def _passcode(source: Path, secret: str | None) -> str | None:
    """The plain passcode: the value itself, or for a hash the one the file's comment names
    (the demo writes it there so a visitor can try the link; a real brand would not)."""
    if secret is None or not secret.startswith("scrypt$"):
        return secret
    match = _COMMENTED.search(source.read_text(encoding="utf-8"))
    return match[1] if match else f"(hashed; see {source})"


if __name__ == "__main__":
    main()
