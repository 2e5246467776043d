"""`make demo` prints every demo link with the passcode that opens it, and refuses a busy port."""

from __future__ import annotations

import socket
import subprocess
import sys

from generator.catalog import load_catalog
from generator.passcode import verify_passcode
from tests.e2e.conftest import DEMO, ROOT

SCRIPT = ROOT / "scripts" / "demo_links.py"


def _run(port: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), str(DEMO), "--port", str(port)],
                          capture_output=True, text=True, timeout=120, check=False)


def test_every_link_is_printed_with_a_passcode_that_opens_it() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = _run(port)
    assert result.returncode == 0, result.stderr
    catalog = load_catalog(DEMO)
    lines = {line.split("/l/")[1].split("/")[0]: line for line in result.stdout.splitlines()
             if f"http://127.0.0.1:{port}/l/" in line}
    assert sorted(lines) == sorted(catalog.links)
    for slug, line in lines.items():
        stored = catalog.offer(slug).passcode
        if stored is None:
            assert "passcode" not in line
            continue
        printed = line.rsplit("passcode ", 1)[1]
        assert printed == stored or verify_passcode(printed, stored), line


def test_a_busy_port_stops_the_demo_with_the_reason() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        result = _run(busy.getsockname()[1])
    assert result.returncode == 1
    assert "is in use" in result.stderr and "make demo PORT=" in result.stderr
