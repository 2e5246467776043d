"""Benchmarks of the project's hot paths, run by `make bench` (figures in docs/benchmarks.md)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Result:
    """One measured case: how many operations took how long."""

    case: str
    operations: int
    seconds: float
    note: str = ""

    @property
    def rate(self) -> float:
        """Operations per second."""
        return self.operations / self.seconds if self.seconds else float("inf")


def best_of(repeats: int, work: Callable[[], object]) -> float:
    """Time `work` `repeats` times and return the fastest run, in seconds."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best
