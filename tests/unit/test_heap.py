"""The endpoint process's collector settings (order_api/heap.py), checked in a child process
so that the test process keeps its own."""

from __future__ import annotations

import json
import subprocess
import sys

from order_api.heap import THRESHOLDS


def test_settle_freezes_the_loaded_heap_and_raises_the_thresholds() -> None:
    script = (
        "import gc, json\n"
        "from order_api import heap\n"
        "kept = [[n] for n in range(10_000)]  # a long-lived heap, like a loaded build\n"
        "before = gc.get_freeze_count()\n"
        "heap.settle()\n"
        "print(json.dumps([before, gc.get_freeze_count(), gc.get_threshold()]))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True, timeout=60)
    before, after, thresholds = json.loads(done.stdout)
    assert before == 0 and after >= 10_000
    assert tuple(thresholds) == THRESHOLDS
