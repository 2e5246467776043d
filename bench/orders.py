"""Order endpoint benchmark: durable orders/s and latency at 32 concurrent clients on loopback,
against one uvicorn worker (`linesheets api`) on SQLite, next to a minimal Starlette
hello-world endpoint under the same load in the same run; the ratio of the two rates is the
figure (issue #6: ≥ 0.5). Both servers run at once and the load alternates between them in
short rounds, so a neighbour's burst on a shared machine hits both alike; the figures are
the medians over the rounds.

The demo brand is built into a scratch folder and its public `ss27-open` link takes the
orders: 3 lines each, from the season's offer, every one with a new Idempotency-Key, so each
is priced, checked and committed (WAL, synchronous=FULL) before its 201. The database lives on
the project's disk (not a tmpfs), so every commit really reaches it. Afterwards the database
must hold exactly the orders acknowledged, or the run fails.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import random
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from statistics import median

from bench import Result

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = 32
WARM_UP = 200  # requests before timing: imports, caches, the first pages of the database
ROUNDS = 7
PER_ROUND = 500  # timed requests per endpoint and round
LINK, SEASON, CURRENCY = "ss27-open", "ss27", "JPY"
SECRET = "bench-" + "s" * 40
_START_TIMEOUT = 60.0


@dataclass(frozen=True)
class Load:
    """What one endpoint did under the load."""

    requests: int
    seconds: float
    latencies: list[float]  # seconds, one per timed request

    @property
    def rate(self) -> float:
        """Requests per second."""
        return self.requests / self.seconds

    def percentile(self, share: float) -> float:
        """The latency below which `share` of the requests finished, in seconds."""
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run(rounds: int = ROUNDS, per_round: int = PER_ROUND,
        clients: int = CLIENTS) -> list[Result]:
    """Build the demo, start both endpoints, alternate the load between them; report both."""
    with tempfile.TemporaryDirectory(prefix="bench-orders-", dir=ROOT / "build") as scratch, \
            ExitStack() as servers:
        folder = Path(scratch)
        private = _build_demo(folder)
        database = folder / "orders.sqlite3"
        hello_port, api_port = _free_port(), _free_port()
        servers.enter_context(_server(_hello_command(hello_port), folder, hello_port, {}))
        servers.enter_context(_server(_api_command(api_port), folder, api_port, {
            "LINESHEETS_TOKEN_SECRET": SECRET,
            "LINESHEETS_MANIFEST": str(private / "manifest.json"),
            "LINESHEETS_KEYS": str(private / "keys.json"),
            "DATABASE_URL": f"sqlite:///{database}"}))
        made = _order_bodies(private / "manifest.json", WARM_UP + rounds * per_round)
        bodies, samples = iter(made), itertools.cycle(made)
        keys = (f"bench-{n:08d}-{os.urandom(4).hex()}" for n in itertools.count())
        orders_path = f"/api/links/{LINK}/orders"

        def requests(path: str, count: int) -> list[bytes]:
            # The baseline reads the same bodies; each order is a new one with a new key.
            source = bodies if path == orders_path else samples
            return [_request(path, next(source), next(keys)) for _ in range(count)]

        asyncio.run(_load(hello_port, requests("/hello", WARM_UP), clients))
        asyncio.run(_load(api_port, requests(orders_path, WARM_UP), clients))
        hello, placed = [], []
        for _ in range(rounds):
            hello.append(asyncio.run(_load(hello_port, requests("/hello", per_round), clients)))
            placed.append(asyncio.run(_load(api_port, requests(orders_path, per_round),
                                            clients)))
        servers.close()  # stop the endpoint: what it acknowledged must be in the file
        stored = _stored(database)
    if stored != WARM_UP + rounds * per_round:
        raise RuntimeError(f"the database holds {stored} orders, not the "
                           f"{WARM_UP + rounds * per_round} acknowledged")
    ratio = median(o.rate / h.rate for h, o in zip(hello, placed, strict=True))
    return [_result(f"hello-world POST, {clients} clients", hello, "the baseline"),
            _result(f"durable orders (SQLite), {clients} clients", placed,
                    f"{ratio:.2f}× the baseline's rate (median of {rounds} rounds' ratios); "
                    f"{stored:,} stored")]


def _result(case: str, loads: list[Load], note: str) -> Result:
    """The median round as a Result; latency percentiles over every round's requests."""
    typical = sorted(loads, key=lambda load: load.rate)[len(loads) // 2]
    every = Load(0, 1.0, [latency for load in loads for latency in load.latencies])
    return Result(case, typical.requests, typical.seconds,
                  f"p50 {every.percentile(0.5) * 1e3:.1f} ms, p99 "
                  f"{every.percentile(0.99) * 1e3:.1f} ms; {note}")


def _build_demo(folder: Path) -> Path:
    from generator.build import run as build
    from generator.settings import BuildSettings

    private = folder / "private"
    build(BuildSettings(content=ROOT / "content", now=datetime.now(UTC), out=folder / "public",
                        private=private, cache=ROOT / "build" / "cache",
                        manifest=folder / "public-manifest.json"))
    return private


def _order_bodies(manifest_path: Path, count: int) -> list[bytes]:
    """`count` distinct valid orders of 3 lines each, seeded; checked with the cart rules."""
    from generator.cart import CartLine, check_cart
    from generator.manifest import Manifest

    manifest = Manifest.model_validate_json(manifest_path.read_bytes())
    styles = manifest.seasons[SEASON].styles
    cells = {style.style_no: [(color.code, size) for color in style.colors
                              for size in style.sizes
                              if size not in style.sold_out.get(color.code, [])]
             for style in styles}
    rng = random.Random(6)
    bodies = []
    for number in range(count):
        chosen = rng.sample([s for s in styles if cells[s.style_no]], 3)
        lines = []
        for style in chosen:
            color, size = rng.choice(cells[style.style_no])
            quantity = -(-style.moq // style.multiple) * style.multiple * rng.randint(1, 3)
            lines.append(CartLine(style.style_no, color, size, quantity))
        problems = check_cart(styles, lines)
        if problems:
            raise RuntimeError(f"the benchmark made an invalid cart: {problems[0]}")
        bodies.append(json.dumps({
            "language": "en", "currency": CURRENCY, "season": SEASON,
            "buyer": {"company": "Bench Select", "name": f"Buyer {number}",
                      "email": f"buyer{number}@example.com", "phone": "+81 3 1234 5678"},
            "lines": [{"style_no": line.style_no, "color": line.color, "size": line.size,
                       "quantity": line.quantity} for line in lines],
        }).encode())
    return bodies


def _hello_command(port: int) -> list[str]:
    return [sys.executable, "-m", "bench._hello", str(port)]


def _api_command(port: int) -> list[str]:
    return [str(Path(sys.executable).parent / "linesheets"), "api", "--port", str(port)]


@contextmanager
def _server(command: list[str], folder: Path, port: int,
            env: dict[str, str]) -> Iterator[None]:
    log = (folder / f"server-{port}.log").open("wb")
    process = subprocess.Popen(command, cwd=folder, stdout=log, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL,
                               env={**os.environ, "PYTHONPATH": str(ROOT), **env})
    try:
        _wait_until_listening(port, process)
        yield
    except RuntimeError as exc:
        log.flush()
        tail = log.name and Path(log.name).read_text(errors="replace")[-2000:]
        raise RuntimeError(f"{exc}; its output:\n{tail}") from None
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
    if process.returncode not in (0, -15):
        raise RuntimeError(f"`{' '.join(command)}` exited with {process.returncode}; see "
                           f"{folder / log.name}")


def _wait_until_listening(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + _START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode} before listening")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"the server did not listen on port {port} within {_START_TIMEOUT} s")


def _request(path: str, body: bytes, key: str) -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Idempotency-Key: {key}\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body


async def _load(port: int, requests: Sequence[bytes], clients: int) -> Load:
    """Send the requests over `clients` keep-alive connections, each one at a time."""
    queue = iter(requests)
    latencies: list[float] = []

    async def client() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for raw in queue:
                sent = time.perf_counter()
                writer.write(raw)
                status = await _answer(reader)
                latencies.append(time.perf_counter() - sent)
                if status not in (200, 201):
                    raise RuntimeError(f"the endpoint answered {status}")
        finally:
            writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return Load(len(requests), time.perf_counter() - start, latencies)


async def _answer(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = next(int(line.split(":", 1)[1]) for line in lines[1:]
                  if line.lower().startswith("content-length:"))
    await reader.readexactly(length)
    return status


def _stored(database: Path) -> int:
    with sqlite3.connect(database) as db:
        return int(db.execute("SELECT count(*) FROM orders").fetchone()[0])


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


if __name__ == "__main__":
    for result in run():
        print(f"{result.case}: {result.operations:,} in {result.seconds:.2f} s = "
              f"{result.rate:,.0f}/s ({result.note})")
