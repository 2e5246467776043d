"""Order endpoint benchmark: durable orders/s and latency at 32 concurrent clients on loopback,
against `linesheets api` (one uvicorn worker per instance) on SQLite, on PostgreSQL with one
instance and with two, next to a minimal Starlette hello-world endpoint under the same load in
the same run; the ratio to the hello-world rate is the figure (issue #6: ≥ 0.5 on SQLite).
Every server runs at once and the load alternates between them in short rounds, so a
neighbour's burst on a shared machine hits all alike; the figures are the medians over the
rounds. Each case also gives its server processes' CPU time per request (user + system, from
/proc; PostgreSQL's own processes are not counted): what a request costs the server,
whichever side of the loopback is the bottleneck.

The demo brand is built into a scratch folder and its public `ss27-open` link takes the
orders: 3 lines each, from the season's offer, every one with a new Idempotency-Key, so each
is priced, checked and committed before its 201 (SQLite: WAL, synchronous=FULL; PostgreSQL:
a throwaway cluster with fsync on). The databases live on the project's disk (not a tmpfs),
so every commit really reaches it. Afterwards each database must hold exactly the orders
acknowledged, or the run fails.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
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
    cpu: float = 0.0  # seconds of CPU its server processes used meanwhile (user + system)

    @property
    def rate(self) -> float:
        """Requests per second."""
        return self.requests / self.seconds

    def percentile(self, share: float) -> float:
        """The latency below which `share` of the requests finished, in seconds."""
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


@dataclass(frozen=True)
class Target:
    """One system under load: a name, the ports of its instances, the path it is sent to."""

    name: str
    ports: tuple[int, ...]
    path: str
    database: str | None = None  # where its orders go, checked after the run
    pids: tuple[int, ...] = ()  # its server processes, whose CPU time is measured


def run(rounds: int = ROUNDS, per_round: int = PER_ROUND,
        clients: int = CLIENTS) -> list[Result]:
    """Build the demo, start every target, alternate the load between them; report each."""
    with tempfile.TemporaryDirectory(prefix="bench-orders-", dir=ROOT / "build") as scratch, \
            _postgres() as postgres, ExitStack() as servers:
        folder = Path(scratch)
        private = _build_demo(folder)
        orders_path = f"/api/links/{LINK}/orders"
        api_env = {"LINESHEETS_TOKEN_SECRET": SECRET,
                   "LINESHEETS_MANIFEST": str(private / "manifest.json"),
                   "LINESHEETS_KEYS": str(private / "keys.json")}

        def start(command: Callable[[int], list[str]], env: dict[str, str]) -> tuple[int, int]:
            port = _free_port()
            return port, servers.enter_context(_server(command(port), folder, port, env))

        def described(name: str, started: list[tuple[int, int]], path: str,
                   database: str | None = None) -> Target:
            return Target(name, tuple(port for port, _ in started), path, database,
                          tuple(pid for _, pid in started))

        targets = [described("hello-world POST", [start(_hello_command, {})], "/hello")]
        sqlite = f"sqlite:///{folder / 'orders.sqlite3'}"
        targets.append(described("durable orders, SQLite", [
            start(_api_command, {**api_env, "DATABASE_URL": sqlite})], orders_path, sqlite))
        if postgres is not None:
            one, two = _database(postgres, "one"), _database(postgres, "two")
            targets.append(described("durable orders, PostgreSQL, 1 instance", [
                start(_api_command, {**api_env, "DATABASE_URL": one})], orders_path, one))
            targets.append(described("durable orders, PostgreSQL, 2 instances", [
                start(_api_command, {**api_env, "DATABASE_URL": two}) for _ in range(2)],
                orders_path, two))
        count = (WARM_UP + rounds * per_round) * (len(targets) - 1)
        made = _order_bodies(private / "manifest.json", count)
        bodies, samples = iter(made), itertools.cycle(made)
        keys = (f"bench-{n:08d}-{os.urandom(4).hex()}" for n in itertools.count())

        def load(target: Target, requests: int) -> Load:
            # The baseline reads the same bodies; each order is a new one with a new key.
            source = samples if target.database is None else bodies
            sent = [_request(target.path, next(source), next(keys)) for _ in range(requests)]
            before = sum(_cpu_seconds(pid) for pid in target.pids)
            done = asyncio.run(_load(target.ports, sent, clients))
            used = sum(_cpu_seconds(pid) for pid in target.pids) - before
            return Load(done.requests, done.seconds, done.latencies, used)

        for target in targets:
            load(target, WARM_UP)
        loads: dict[str, list[Load]] = {target.name: [] for target in targets}
        for _ in range(rounds):
            for target in targets:
                loads[target.name].append(load(target, per_round))
        servers.close()  # stop every endpoint (not the database): what each acknowledged
        # must be stored
        for target in targets:
            if target.database is not None:
                _check_stored(target.database, WARM_UP + rounds * per_round)
    baseline = loads[targets[0].name]
    results = [_result(f"{targets[0].name}, {clients} clients", baseline, "the baseline")]
    for target in targets[1:]:
        ratio = median(o.rate / h.rate for h, o in zip(baseline, loads[target.name],
                                                       strict=True))
        results.append(_result(
            f"{target.name}, {clients} clients", loads[target.name],
            f"{ratio:.2f}× the baseline's rate (median of {rounds} rounds' ratios)"))
    if postgres is None:
        print("orders: PostgreSQL is not installed; its cases were skipped", file=sys.stderr)
    return results


def _result(case: str, loads: list[Load], note: str) -> Result:
    """The median round as a Result; latency percentiles over every round's requests."""
    typical = sorted(loads, key=lambda load: load.rate)[len(loads) // 2]
    every = Load(0, 1.0, [latency for load in loads for latency in load.latencies])
    cpu = median(load.cpu / load.requests for load in loads)
    return Result(case, typical.requests, typical.seconds,
                  f"p50 {every.percentile(0.5) * 1e3:.1f} ms, p99 "
                  f"{every.percentile(0.99) * 1e3:.1f} ms, server CPU {cpu * 1e6:.0f} µs a "
                  f"request; {note}")


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
    link = manifest.links[LINK]
    # The styles and colourways the link offers (not another link's exclusives).
    shown = link.colors.get(SEASON, {})
    styles = [style for style in manifest.seasons[SEASON].styles
              if style.style_no in link.unit_prices[SEASON]]
    # Cells with a stock are left out: thousands of orders would take all of it; so are the
    # styles sold in packs, whose colours come a line a size, where every order here has 3.
    cells = {style.style_no: [(color.code, size) for color in style.colors
                              if color.code in shown.get(style.style_no, [color.code])
                              for size in style.sizes
                              if size not in style.sold_out.get(color.code, [])
                              and size not in style.stock.get(color.code, {})]
             for style in styles if not style.pack}
    rng = random.Random(6)
    bodies = []
    for number in range(count):
        chosen = rng.sample([s for s in styles if cells.get(s.style_no)], 3)
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


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a running process, from /proc (Linux)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def _server(command: list[str], folder: Path, port: int,
            env: dict[str, str]) -> Iterator[int]:
    log = (folder / f"server-{port}.log").open("wb")
    process = subprocess.Popen(command, cwd=folder, stdout=log, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL,
                               env={**os.environ, "PYTHONPATH": str(ROOT), **env})
    try:
        _wait_until_listening(port, process)
        yield process.pid
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


async def _load(ports: Sequence[int], requests: Sequence[bytes], clients: int) -> Load:
    """Send the requests over `clients` keep-alive connections spread over the instances'
    ports, each connection one request at a time."""
    queue = iter(requests)
    latencies: list[float] = []

    async def client(port: int) -> None:
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
    await asyncio.gather(*(client(ports[n % len(ports)]) for n in range(clients)))
    return Load(len(requests), time.perf_counter() - start, latencies)


async def _answer(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = next(int(line.split(":", 1)[1]) for line in lines[1:]
                  if line.lower().startswith("content-length:"))
    await reader.readexactly(length)
    return status


def _check_stored(url: str, expected: int) -> None:
    from order_api.store import OrderFilter, open_store

    store = open_store(url)
    try:
        stored = sum(1 for _ in store.orders(OrderFilter()))
    finally:
        store.close()
    if stored != expected:
        raise RuntimeError(f"{url.split(':')[0]} holds {stored} orders, not the {expected} "
                           "acknowledged")


@contextmanager
def _postgres() -> Iterator[str | None]:
    """A throwaway PostgreSQL cluster with fsync on (commits as durable as SQLite's), or None
    when PostgreSQL is not installed."""
    started = subprocess.run([str(ROOT / "scripts/pg_up.sh")], capture_output=True, text=True,
                             timeout=120, check=False, env={**os.environ, "PG_DURABLE": "1"})
    if started.returncode != 0:
        yield None
        return
    exports = dict(line.removeprefix("export ").split("=", 1)
                   for line in started.stdout.splitlines())
    try:
        yield exports["LINESHEETS_TEST_POSTGRES_URL"]
    finally:
        subprocess.run([str(ROOT / "scripts/pg_down.sh"), exports["PGROOT"]],
                       capture_output=True, timeout=60, check=False)


def _database(server: str, name: str) -> str:
    """A new database on the server, for one target."""
    import psycopg

    with psycopg.connect(server, autocommit=True) as db:
        db.execute(f"CREATE DATABASE bench_{name}")
    return server.rsplit("/", 1)[0] + f"/bench_{name}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


if __name__ == "__main__":
    for result in run():
        print(f"{result.case}: {result.operations:,} in {result.seconds:.2f} s = "
              f"{result.rate:,.0f}/s ({result.note})")
