"""Buyers' activity: sealed pages unlocked and carts priced, counted per link and UTC day by
the endpoint, written without holding a request up, and `linesheets orders activity` telling
the brand, link by link, who looked and who ordered."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from starlette.testclient import TestClient

from generator.cli import main
from order_api.activity import ActivityLog
from order_api.store import Activity, ActivityCounts, StoreUnavailable
from tests.unit.endpoint import FrozenClock
from tests.unit.shop import Shop, order

LINE = {"style_no": "SS27-001", "color": "BLK", "size": "M", "quantity": 2}


def _browse(shop: Shop, unlocks: int, quotes: int, views: int = 0) -> None:
    """What buyers do in the pages: view `open`, unlock `preview` and price carts on `open`,
    plus a later ask of a state, an unknown link, a wrong passcode and a refused cart, which
    count for nothing."""
    with TestClient(shop.app) as client:  # its lifespan writes the counts as it ends
        for _ in range(views):  # a page as it opens; then its minute's ask, not a view
            assert client.get("/api/links/open?viewed=1").status_code == 200
            assert client.get("/api/links/open").status_code == 200
        assert client.get("/api/links/nowhere?viewed=1").status_code == 404
        for _ in range(unlocks):
            assert client.post("/api/links/preview/unlock",
                               json={"passcode": "preview-pass"}).status_code == 200
        assert client.post("/api/links/preview/unlock",
                           json={"passcode": "guess"}).status_code == 401
        for _ in range(quotes):
            assert client.post("/api/links/open/quote",
                               json=order(buyer=None, note=None)).status_code == 200
        refused = order(buyer=None, note=None, lines=[LINE | {"style_no": "SS27-999"}])
        assert client.post("/api/links/open/quote", json=refused).status_code == 422


def test_views_unlocks_and_priced_carts_are_counted_per_link_and_utc_day(
    shop: Shop, api_clock: FrozenClock
) -> None:
    first = api_clock.now
    _browse(shop, unlocks=2, quotes=3, views=5)
    api_clock.advance(24 * 3600)
    _browse(shop, unlocks=0, quotes=1)
    later = api_clock.now
    assert shop.store.activity() == [Activity("open", "quoted", 4, later),
                                     Activity("open", "viewed", 5, first),
                                     Activity("preview", "unlocked", 2, first)]
    next_day = later.date()
    assert shop.store.activity(since=next_day) == [Activity("open", "quoted", 1, later)]
    assert shop.store.activity(until=next_day, link="open") == [
        Activity("open", "quoted", 3, first), Activity("open", "viewed", 5, first)]
    assert shop.store.activity(link="drop") == []


class _Refusing:
    """A store whose database refuses the first write, then takes them."""

    def __init__(self) -> None:
        self.written: list[dict[Any, tuple[int, datetime]]] = []
        self.refused = False

    def record_activity(self, counts: ActivityCounts) -> None:
        if not self.refused:
            self.refused = True
            raise StoreUnavailable("the order database did not answer")
        self.written.append(dict(counts))


def test_counts_the_database_refused_are_written_with_the_next(api_clock: FrozenClock,
                                                               caplog: pytest.LogCaptureFixture
                                                               ) -> None:
    store = _Refusing()
    log = ActivityLog(store, api_clock)  # type: ignore[arg-type]  # only record_activity
    day = api_clock.now.date()
    log.count("open", "quoted")
    asyncio.run(log.flush())
    assert store.written == []
    assert "kept for the next try" in caplog.text
    api_clock.advance(60)
    log.count("open", "quoted")
    log.count("preview", "unlocked")
    asyncio.run(log.flush())
    assert store.written == [{("open", day, "quoted"): (2, api_clock.now),
                              ("preview", day, "unlocked"): (1, api_clock.now)}]
    asyncio.run(log.flush())  # nothing new: nothing written
    assert len(store.written) == 1


@pytest.fixture
def browsed(orders: Shop, api_clock: FrozenClock) -> Iterator[Shop]:
    """The shop after a day of buyers: `preview` unlocked twice and no order, `open` three
    carts priced and one order."""
    _browse(orders, unlocks=2, quotes=3, views=7)
    api_clock.advance(600)
    assert orders.post("open", order()).status == 201
    yield orders


def test_the_activity_report_puts_the_latest_first_with_the_orders(
    browsed: Shop, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["orders", "activity"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["link", "kind", "pages", "viewed", "unlocked", "carts",
                                "priced", "orders", "before", "tax", "last", "seen",
                                "(Asia/Tokyo)"]
    assert lines[1].split()[:7] == ["open", "instant", "7", "0", "3", "1", "¥43,200"]
    assert lines[2].split()[:7] == ["preview", "instant", "0", "2", "0", "0", "-"]
    assert lines[-1] == ("2 links: 7 pages viewed, unlocked 2 times, 3 carts priced, 1 order; "
                         "days of views, unlocks and carts are UTC days")


def test_the_activity_report_takes_a_link_and_days(
    browsed: Shop, api_clock: FrozenClock, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["orders", "activity", "--link", "preview"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines[1:-2]] == ["preview"]
    tomorrow = (api_clock.now + timedelta(days=2)).date()
    assert main(["orders", "activity", "--since", tomorrow.isoformat()]) == 0
    assert capsys.readouterr().out == "no activity or orders match\n"
    assert main(["orders", "activity", "--until", date(2027, 1, 1).isoformat()]) == 0
    assert capsys.readouterr().out == "no activity or orders match\n"


def test_the_activity_as_csv_and_xlsx_for_a_spreadsheet(
    browsed: Shop, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["orders", "activity", "--format", "csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out.lstrip("\ufeff"))))
    assert rows[0] == ["link", "kind", "pages_viewed", "unlocked", "carts_priced", "orders",
                       "currency", "amount_before_tax", "last_seen"]
    assert rows[1][:8] == ["open", "instant", "7", "0", "3", "1", "JPY", "43200"]
    assert rows[1][8].endswith("+09:00")  # in the brand's timezone, with its offset
    assert rows[2][:8] == ["preview", "instant", "0", "2", "0", "0", "", ""]
    assert main(["orders", "activity", "--out", "activity.xlsx"]) == 0
    assert capsys.readouterr().out == "wrote activity.xlsx: 2 links\n"
    sheet = openpyxl.load_workbook(tmp_path / "activity.xlsx").active
    assert sheet is not None and sheet.title == "Activity"
    assert [cell.value for cell in sheet[2]][:8] == ["open", "instant", 7, 0, 3, 1, "JPY", 43200]
    assert sheet.cell(row=2, column=8).number_format == "#,##0"
