"""The databases the order tests run against: SQLite always, PostgreSQL when there is one.

PostgreSQL comes from LINESHEETS_TEST_POSTGRES_URL (.ci/run starts a throwaway cluster with
scripts/pg_up.sh and sets it), or, when the machine has PostgreSQL installed, from a cluster
this module starts for the session and removes at exit. Each test gets a schema of its own,
so tests never see each other's orders. Under CI a missing PostgreSQL is an error, not a skip:
the PostgreSQL suite must not silently stop running.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import subprocess
import uuid
from functools import cache
from pathlib import Path
from urllib.parse import quote

import pytest

ROOT = Path(__file__).resolve().parent.parent
BACKENDS = ("sqlite", "postgresql")


@cache
def postgres_server() -> str | None:
    """The URL of a PostgreSQL database for tests, or None when there is none."""
    url = os.environ.get("LINESHEETS_TEST_POSTGRES_URL")
    if url:
        return url
    if not list(Path("/usr/lib/postgresql").glob("*/bin/initdb")) or not shutil.which("su"):
        return None
    started = subprocess.run([str(ROOT / "scripts/pg_up.sh")], capture_output=True, text=True,
                             timeout=90, check=False)
    if started.returncode != 0:
        return None
    exports = dict(re.findall(r"export (\w+)=(\S+)", started.stdout))
    atexit.register(subprocess.run, [str(ROOT / "scripts/pg_down.sh"), exports["PGROOT"]],
                    capture_output=True, timeout=60, check=False)
    return str(exports["LINESHEETS_TEST_POSTGRES_URL"])


def require_postgres() -> str:
    """The server URL, or skip the test (fail it under CI) when there is none."""
    url = postgres_server()
    if url is None:
        message = ("no PostgreSQL for the tests: install it (apt-get install postgresql) or "
                   "set LINESHEETS_TEST_POSTGRES_URL")
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return url


def fresh_schema(url: str) -> str:
    """A new empty schema on the server; the returned URL puts every table in it."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(url, autocommit=True) as db:
        db.execute(f"CREATE SCHEMA {name}")
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options={quote(f'-csearch_path={name}')}"


def database_url(backend: str, folder: Path) -> str:
    """A fresh, empty database of `backend` for one test."""
    if backend == "sqlite":
        return f"sqlite:///{folder / 'orders.sqlite3'}"
    return fresh_schema(require_postgres())
