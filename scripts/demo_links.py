"""Print the demo brand's links, with their state and passcode, for `make demo`.

Run before `linesheets serve`: it also checks that the port is free, so a demo that cannot
start says why before the build rather than after it.
"""

from __future__ import annotations

import argparse
import re
import socket
import sys
from datetime import UTC, datetime
from pathlib import Path

from generator.catalog import load_catalog
from generator.state import link_state

# The demo's files say a hashed passcode in a comment ("# Passcode for the demo: …") so a
# visitor can try the link; a real brand would not.
_COMMENTED = re.compile(r"^#\s*Passcode for the demo[^:\n]*:\s*(\S+)", re.IGNORECASE | re.MULTILINE)


def main() -> int:
    """Check the port, then print one line per link: its URL, kind, state, how to open it."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("content", type=Path)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    if not _port_free(args.host, args.port):
        print(f"error: port {args.port} on {args.host} is in use (another `make demo`?); stop "
              f"that server or choose another port: make demo PORT={args.port + 1}",
              file=sys.stderr)
        return 1
    catalog = load_catalog(args.content)
    now = datetime.now(UTC)
    origin = f"http://{args.host}:{args.port}"
    print(f"\n{catalog.summary()}\nServing {origin}/ (pages and order endpoint) — the links:\n")
    for slug in catalog.links:
        offer = catalog.offer(slug)
        state = link_state(offer, dict(catalog.seasons), now)
        files = [args.content / "links" / f"{slug}.yaml"]
        if offer.buyer:
            files.append(args.content / "buyers" / f"{offer.buyer}.yaml")
        passcode = _passcode(files, offer.passcode)
        print(f"  {origin}/l/{slug}/  {offer.kind}, {state.replace('_', '-')}"
              + (f", passcode {passcode}" if passcode else ""))
    print("\nOpen a link, type its passcode where it has one, fill a size grid and send an "
          "order:\nthe endpoint prices it and stores it in data/orders.sqlite3 (or where "
          "DATABASE_URL says).\nThen, in another terminal, the back office (docs/orders.md):\n"
          "  .venv/bin/linesheets orders list                  the orders, with totals\n"
          "  .venv/bin/linesheets orders show SS27-000001      one order (--html FILE: to "
          "print)\n"
          "  .venv/bin/linesheets orders totals                units per style, colour and "
          "size\n"
          "  .venv/bin/linesheets orders sales --by buyer      what sold, buyer by buyer\n"
          "  .venv/bin/linesheets orders activity              who viewed each link, "
          "unlocked it, priced a cart\n"
          "  .venv/bin/linesheets orders invoice SS27-000001   its invoice, to print\n"
          "  .venv/bin/linesheets links content --qr build/qr  every link's address, state "
          "and QR code\n"
          "Ctrl-C stops the server.\n")
    return 0


def _port_free(host: str, port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def _passcode(files: list[Path], secret: str | None) -> str | None:
    """The plain passcode: the value itself, or for a hash the one a file's comment names."""
    if secret is None or not secret.startswith("scrypt$"):
        return secret
    for source in files:
        match = _COMMENTED.search(source.read_text(encoding="utf-8"))
        if match:
            return match[1]
    return f"(hashed; see {files[-1]})"


if __name__ == "__main__":
    sys.exit(main())
