"""Golden output of the fixture site: regenerate with `make golden`, then review the diff.

Text files (HTML, CSS, JS, XML, robots.txt, _headers) are kept whole; every file, binary
images included, is listed with its SHA-256 in files.txt, so no byte changes unnoticed.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
import tempfile
from pathlib import Path

from tests.e2e.conftest import build_into

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "site"
CONTENT = FIXTURE / "content"
# A committed key store (test keys, protecting nothing) makes the sealed pages reproducible.
KEYS = FIXTURE / "private"
GOLDEN = FIXTURE / "golden"
TEXT_SUFFIXES = {".html", ".css", ".js", ".xml", ".txt", ""}


def snapshot(public: Path) -> dict[str, bytes]:
    """The golden view of a build: text files whole, plus files.txt of every file's hash."""
    files = sorted(path for path in public.rglob("*") if path.is_file())
    listing = "".join(f"{hashlib.sha256(p.read_bytes()).hexdigest()}  "
                      f"{p.relative_to(public).as_posix()}\n" for p in files)
    view = {"files.txt": listing.encode()}
    for path in files:
        if path.suffix in TEXT_SUFFIXES:
            view[path.relative_to(public).as_posix()] = path.read_bytes()
    return view


def write_golden() -> None:
    """Build the fixture site and replace the golden folder with its snapshot."""
    with tempfile.TemporaryDirectory() as folder:
        built = build_into(Path(folder), content=CONTENT, keys_from=KEYS)
        view = snapshot(built.out)
    shutil.rmtree(GOLDEN, ignore_errors=True)
    for name, data in view.items():
        target = GOLDEN / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    print(f"wrote {len(view)} golden files to {GOLDEN}", file=sys.stderr)


if __name__ == "__main__":
    write_golden()
