"""No acknowledged order is lost: buyers keep ordering, with retries, while the endpoint is
killed with SIGKILL at random moments (12) and restarted; afterwards every order answered 201 is
stored exactly once, with the total it was acknowledged with.

A real `linesheets api` process on 127.0.0.1 serves a scratch build; 16 buyers send 2,000
orders, each with its own Idempotency-Key, retrying the same request after a network error
or a 503 (as the page does). The killer strikes 10+ times at random (seeded) moments. Bounded:
the whole run must finish within DEADLINE seconds. Run on SQLite (then `integrity_check`)
and on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from order_api.store import OrderFilter, open_store
from tests.databases import BACKENDS, database_url
from tests.unit.conftest import ContentDir
from tests.unit.endpoint import SECRET, publish

BUYERS = 16
ORDERS = 2_000
KILLS = 12
DEADLINE = 300.0  # seconds for the whole run, restarts included
LINES = [{"style_no": "SS27-001", "color": "BLK", "size": "M", "quantity": 2},
         {"style_no": "SS27-002", "color": "001", "size": "One size", "quantity": 3}]


@dataclass
class Endpoint:
    """The `linesheets api` process under test, killed and restarted by the test."""

    private: Path
    database: str
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0
    log: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log = self.private.parent / "api.log"

    def start(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = self.port or probe.getsockname()[1]
        env = {**os.environ, "LINESHEETS_TOKEN_SECRET": SECRET.decode(),
               "LINESHEETS_MANIFEST": str(self.private / "manifest.json"),
               "LINESHEETS_KEYS": str(self.private / "keys.json"),
               "DATABASE_URL": self.database}
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [str(Path(sys.executable).parent / "linesheets"), "api", "--port",
                 str(self.port)], env=env, stdout=log, stderr=subprocess.STDOUT)
        self.starts += 1
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.02)
        raise AssertionError("the endpoint did not listen within 30 s")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)


def _build(tmp_path: Path) -> Path:
    content = ContentDir(tmp_path / "content")
    # An order deadline a year from now, whatever day the test runs.
    deadline = (datetime.now(UTC) + timedelta(days=365)).strftime("%Y-%m-%dT%H:%M:%S")
    content.edit("seasons/ss27/season.yaml", "order_deadline: 2027-01-31T18:00:00",
                 f"order_deadline: {deadline}")
    private = tmp_path / "private"
    publish(content.load(), private, now=datetime.now(UTC))
    return private


def _order(number: int) -> dict[str, object]:
    return {"language": "en", "currency": "JPY", "season": "ss27", "lines": LINES,
            "buyer": {"company": "Durable Select", "name": f"Buyer {number}",
                      "email": f"buyer{number}@example.com", "phone": "+81 3 1234 5678"}}


async def _buyer(client: httpx.AsyncClient, numbers: list[int],
                 acknowledged: dict[str, dict[str, str]], retries: list[int]) -> None:
    for number in numbers:
        key = f"durable-{number:05d}"
        while True:
            try:
                answer = await client.post("/api/links/open/orders", json=_order(number),
                                           headers={"Idempotency-Key": key})
            except httpx.TransportError:
                retries[0] += 1
                await asyncio.sleep(0.05)
                continue
            if answer.status_code == 503:
                retries[0] += 1
                await asyncio.sleep(0.05)
                continue
            assert answer.status_code == 201, answer.text
            body = answer.json()
            acknowledged[key] = {"number": body["order_number"], "total": body["total"]}
            break


async def _killer(endpoint: Endpoint, acknowledged: dict[str, dict[str, str]],
                  rng: random.Random) -> int:
    """Kill the endpoint once the acknowledged orders pass each of KILLS random counts, a
    random few milliseconds later, so kills land mid-request all through the run."""
    kills = 0
    for threshold in sorted(rng.sample(range(50, ORDERS - 50), KILLS)):
        while len(acknowledged) < threshold:
            await asyncio.sleep(0.005)
        await asyncio.sleep(rng.uniform(0, 0.05))
        endpoint.kill()
        kills += 1
        await asyncio.to_thread(endpoint.start)
    return kills


async def _run(endpoint: Endpoint) -> tuple[dict[str, dict[str, str]], int, int]:
    acknowledged: dict[str, dict[str, str]] = {}
    retries = [0]
    rng = random.Random(8)
    shares = [list(range(n, ORDERS, BUYERS)) for n in range(BUYERS)]
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{endpoint.port}",
                                 timeout=httpx.Timeout(10.0)) as client:
        killer = asyncio.create_task(_killer(endpoint, acknowledged, rng))
        buyers = asyncio.gather(*(_buyer(client, share, acknowledged, retries)
                                  for share in shares))
        await asyncio.wait_for(buyers, DEADLINE)
        kills = await asyncio.wait_for(killer, 60)
    return acknowledged, kills, retries[0]


@pytest.mark.parametrize("backend", BACKENDS)
def test_no_acknowledged_order_is_lost_when_the_endpoint_is_killed(backend: str,
                                                                   tmp_path: Path) -> None:
    endpoint = Endpoint(_build(tmp_path), database_url(backend, tmp_path))
    endpoint.start()
    try:
        acknowledged, kills, retries = asyncio.run(_run(endpoint))
    finally:
        endpoint.stop()
    assert kills == KILLS
    assert len(acknowledged) == ORDERS

    store = open_store(endpoint.database)
    try:
        stored = list(store.orders(OrderFilter()))
    finally:
        store.close()
    by_number = {order.order_number: order for order in stored}
    assert len(stored) == len(by_number) == ORDERS  # each once, no duplicates
    for key, answer in acknowledged.items():
        order = by_number[answer["number"]]
        assert order.buyer.email == f"buyer{int(key.split('-')[1])}@example.com"
        assert order.total == answer["total"]
    assert sorted(by_number) == [f"SS27-{n:06d}" for n in range(1, ORDERS + 1)]
    if backend == "sqlite":
        with sqlite3.connect(endpoint.database.removeprefix("sqlite:///")) as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            lines = db.execute("SELECT count(*) FROM order_lines").fetchone()[0]
            assert lines == ORDERS * len(LINES)
    print(f"\n{backend}: {ORDERS} orders by {BUYERS} buyers, {kills} kills, "
          f"{endpoint.starts} starts, {retries} retries; every acknowledged order stored once")
