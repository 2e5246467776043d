"""Run every benchmark case and print the machine and a Markdown table of the results."""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path

import babel

from bench import Result, assets, importer, orders, pricing, site


def _cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def _table(results: list[Result]) -> str:
    rows = ["| case | operations | time | per second | note |", "|---|---:|---:|---:|---|"]
    rows += [f"| {r.case} | {r.operations:,} | {r.seconds:.3f} s | {r.rate:,.0f} | {r.note} |"
             for r in results]
    return "\n".join(rows)


def main() -> None:
    """Print the machine, then run each case and print its results."""
    print(f"machine: {os.cpu_count()} CPUs, {_cpu_model()}; Python {platform.python_version()}"
          f" ({sys.implementation.name}); Babel {babel.__version__}", flush=True)
    results = pricing.run() + assets.run() + importer.run() + orders.run() + site.run()
    print(_table(results))


if __name__ == "__main__":
    main()
