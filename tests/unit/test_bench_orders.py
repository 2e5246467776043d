"""The order benchmark's load is made of valid orders of the demo brand, whatever the demo's
styles sell by (a pack, a multiple, a stock): `make bench` must not stop on its own input."""

from __future__ import annotations

import json
from pathlib import Path

from bench.orders import _order_bodies
from generator.catalog import load_catalog
from tests.unit.endpoint import publish

DEMO = Path(__file__).resolve().parents[2] / "content"


def test_the_benchmarks_orders_are_valid_three_line_orders(tmp_path: Path) -> None:
    publish(load_catalog(DEMO), tmp_path)
    bodies = _order_bodies(tmp_path / "manifest.json", 300)  # raises on an invalid cart
    orders = [json.loads(body) for body in bodies]
    assert len(set(bodies)) == 300
    assert {len(order["lines"]) for order in orders} == {3}
