"""The fixture site builds exactly to its committed golden output (`make golden` to update)."""

from __future__ import annotations

import difflib
from pathlib import Path

from tests.e2e.conftest import build_into
from tests.e2e.golden import CONTENT, GOLDEN, KEYS, snapshot


def test_fixture_site_matches_the_golden_output(tmp_path: Path) -> None:
    view = snapshot(build_into(tmp_path, content=CONTENT, keys_from=KEYS).out)
    golden = {p.relative_to(GOLDEN).as_posix(): p.read_bytes()
              for p in GOLDEN.rglob("*") if p.is_file()}
    assert sorted(view) == sorted(golden), "the set of files changed; run `make golden`"
    for name, data in view.items():
        if data != golden[name]:
            diff = difflib.unified_diff(golden[name].decode().splitlines(),
                                        data.decode().splitlines(), f"golden/{name}",
                                        f"built/{name}", lineterm="", n=2)
            raise AssertionError("\n".join(list(diff)[:60]) + "\n… run `make golden` and "
                                 "review the diff if the change is intended")
