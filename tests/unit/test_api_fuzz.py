"""Schemathesis over the OpenAPI document: generated requests for every operation, no 5xx, and
every answer as documented (status, content type, body schema, headers)."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.unit.conftest import ContentDir
from tests.unit.endpoint import RELEASE, SECOND, FrozenClock
from tests.unit.shop import Shop


def _app() -> object:
    """The endpoint over the scratch shop, shared by every generated case."""
    root = Path(tempfile.mkdtemp(prefix="linesheets-fuzz-"))
    # Made when the module is collected, outside any fixture: removed when the run ends.
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    return Shop(ContentDir(root / "content"), root, FrozenClock(RELEASE + 3600 * SECOND),
                f"sqlite:///{root / 'orders.sqlite3'}").app


# serial: `make test` runs it on its own, after the others: every operation's test has the
# same node id, which pytest-xdist's workers would take for one test.
pytestmark = pytest.mark.serial

schema = schemathesis.openapi.from_asgi("/api/openapi.json", _app())


@schema.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_error_and_answers_as_documented(case: schemathesis.Case[Any]) -> None:
    # Not positive_data_acceptance: a request can fit the schema and still name a country that
    # does not exist or a style the season lacks; those are 422s with their field, by design.
    case.call_and_validate(excluded_checks=[positive_data_acceptance])
