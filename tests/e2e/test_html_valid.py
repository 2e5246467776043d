"""Every page of the demo build is valid HTML, by the Nu HTML Checker (vnu.jar)."""

from __future__ import annotations

import json
import shutil
import subprocess

from tests.e2e.conftest import ROOT, Built

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def test_every_demo_page_is_valid_html(demo_build: Built) -> None:
    java = shutil.which("java")
    assert java, "Java is missing: apt-get install -y openjdk-17-jre-headless"
    assert VNU.is_file(), "vnu.jar is missing: run `npm ci` (make test does)"
    pages = sorted(str(path) for path in demo_build.out.rglob("*.html"))
    assert len(pages) > 1000
    # One JVM for all files: start-up dominates otherwise.
    result = subprocess.run(
        [java, "-jar", str(VNU), "--errors-only", "--format", "json", "--stdout", *pages],
        capture_output=True, text=True, timeout=600, check=False,
    )
    messages = json.loads(result.stdout)["messages"]
    shown = [f"{m.get('url', '')}:{m.get('lastLine', '')}: {m['message']}" for m in messages[:20]]
    assert messages == [], "\n".join(shown)
