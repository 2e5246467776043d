"""Lighthouse on a phone (simulated mobile, throttled), on the pages a buyer goes through:
every audit of accessibility, best practices and SEO passed, nothing on the page moving as it
loads, and a performance score that a busy 2-core runner still reaches (in a second audit
where another process slowed the first)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import CHROMIUM, ROOT, Shop, needs_chromium

# serial: `make test` runs it alone, after the others (a performance score is timed on the CPU).
pytestmark = [needs_chromium, pytest.mark.serial]

LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
# Of /l/ss27-open/en/jpy/: the pages with the most pictures, fonts and scripts (the link home
# and the cart scored 0.99-1.0 in every category when measured; each audit takes ~20 s).
PAGES = ("ss27/", "ss27/SS27-006/")
# Simulated from the page's own trace, yet CPU-bound: the demo scores 0.99-1.0 on a quiet
# machine; a loaded CI runner may take some off. The other categories do not depend on load.
PERFORMANCE = 0.8


def _audit(url: str, out: Path) -> dict[str, object]:
    if not LIGHTHOUSE.is_file():
        raise AssertionError(f"{LIGHTHOUSE} is missing: run `npm ci` (make test does)")
    assert shutil.which("node"), "Node.js is missing: apt-get install -y nodejs"
    done = subprocess.run(
        [str(LIGHTHOUSE), url, "--chrome-flags=--headless=new --no-sandbox --disable-gpu "
         "--disable-dev-shm-usage", "--only-categories=performance,accessibility,"
         "best-practices,seo", "--form-factor=mobile", "--output=json",
         f"--output-path={out}", "--quiet"],
        capture_output=True, text=True, timeout=240, check=False,
        env={**os.environ, "CHROME_PATH": str(CHROMIUM)})
    assert done.returncode == 0, done.stderr[-2000:]
    report: dict[str, object] = json.loads(out.read_text(encoding="utf-8"))
    return report


@pytest.mark.parametrize("path", PAGES)
def test_a_buyers_page_passes_lighthouse_on_a_phone(shop: Shop, tmp_path: Path,
                                                    path: str) -> None:
    report = _audit(f"{shop.origin}/l/ss27-open/en/jpy/{path}", tmp_path / "report.json")
    categories = report["categories"]
    audits = report["audits"]
    assert isinstance(categories, dict) and isinstance(audits, dict)
    scores = {name: category["score"] for name, category in categories.items()}
    failed = {name: [key for key, audit in audits.items()
                     if audit.get("score") is not None and audit["score"] < 1
                     and audit.get("scoreDisplayMode") == "binary"]
              for name in ("accessibility", "best-practices", "seo") if scores[name] < 1}
    assert failed == {}, scores
    assert audits["cumulative-layout-shift"]["numericValue"] < 0.01  # nothing moves
    timings = [_timings(audits)]
    if scores["performance"] < PERFORMANCE:
        # Another process's burst on a shared runner slows one audit's trace (a CI run scored
        # 0.56 while a type check ran beside it); a slow page is slow in the second audit too.
        again = _audit(f"{shop.origin}/l/ss27-open/en/jpy/{path}", tmp_path / "again.json")
        assert isinstance(again["categories"], dict) and isinstance(again["audits"], dict)
        scores["performance"] = again["categories"]["performance"]["score"]
        timings.append(_timings(again["audits"]))
    assert scores["performance"] >= PERFORMANCE, timings


def _timings(audits: dict[str, Any]) -> dict[str, str]:
    return {key: audits[key]["displayValue"] for key in (
        "first-contentful-paint", "largest-contentful-paint", "total-blocking-time",
        "cumulative-layout-shift")}
