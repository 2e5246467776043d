"""The printable order confirmation page is valid HTML by the Nu HTML Checker, in every
language and shape of order (company or person, address or none, deposit or none)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

from order_api.confirmation import render_confirmation
from order_api.schemas import Order
from tests.e2e.test_html_valid import VNU
from tests.unit.sample_orders import ORDERS


def test_every_confirmation_page_is_valid_html(tmp_path: Path) -> None:
    java = shutil.which("java")
    assert java, "Java is missing: apt-get install -y openjdk-17-jre-headless"
    assert VNU.is_file(), "vnu.jar is missing: run `npm ci` (make test does)"
    pages = []
    for language in ("en", "ja", "zh-Hans", "zh-Hant", "ko", "fr", "it"):
        for index, document in enumerate(ORDERS):
            order = Order.model_validate({**document, "language": language,
                                          "order_number": f"SS27-00000{index}"})
            page = tmp_path / f"{language}-{index}.html"
            page.write_text(render_confirmation(order, ZoneInfo("Asia/Tokyo"), "ASAGIRI"),
                            "utf-8")
            pages.append(str(page))
    result = subprocess.run(
        [java, "-jar", str(VNU), "--format", "json", "--stdout", *pages],
        capture_output=True, text=True, timeout=300, check=False,
    )
    messages = json.loads(result.stdout)["messages"]
    shown = [f"{m.get('url', '')}:{m.get('lastLine', '')}: {m['message']}" for m in messages]
    assert messages == [], "\n".join(shown)
