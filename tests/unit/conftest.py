"""Scratch content trees for the loader and check tests: a small valid tree, edited per test."""

from __future__ import annotations

import functools
import io
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from starlette.testclient import TestClient

from generator.catalog import Catalog, load_catalog
from generator.errors import ContentError, ContentProblem
from order_api import back_office
from tests.databases import BACKENDS
from tests.databases import database_url as database_url_for
from tests.unit.endpoint import FrozenClock

if TYPE_CHECKING:
    from tests.unit.receivers import SmtpSink, WebhookReceiver
    from tests.unit.shop import Shop

BASE_FILES: dict[str, str] = {
    "brand.yaml": """
        name: Atelier Test
        default_language: en
        languages: [en, ja]
        currencies: [JPY, USD]
        timezone: Asia/Tokyo
        base_url: https://example.com
        tax:
          rate: 10
          label: {en: Consumption tax, ja: 消費税}
        """,
    "seasons/ss27/season.yaml": """
        name: {en: Spring Summer 2027, ja: 2027年春夏}
        order_deadline: 2027-01-31T18:00:00
        delivery: {from: 2027-02-01, to: 2027-03-15}
        header_image: seasons/ss27.jpg
        """,
    "seasons/ss27/products.yaml": """
        styles:
          - style_no: SS27-001
            name: {en: Trench coat, ja: トレンチコート}
            category: {en: Outerwear, ja: アウター}
            colors:
              - {code: BLK, name: {en: Black, ja: ブラック}, swatch: "#111111",
                 images: [styles/ss27-001-blk.jpg]}
              - {code: ECR, name: {en: Ecru, ja: エクリュ}, swatch: "#EEE8DC"}
            sizes: [S, M, L]
            prices:
              JPY: {rrp: 48000, wsp: 21600}
              USD: {rrp: 320.00, wsp: 144.00}
            moq: 2
          - style_no: SS27-002
            name: Tote
            category: Bags
            colors: [{code: "001", name: Natural}]
            sizes: [One size]
            prices:
              JPY: {rrp: 12000, wsp: 5400}
              USD: {rrp: 80, wsp: 36}
        """,
    "lookbooks/ss27.yaml": """
        title: {en: SS27 lookbook, ja: 2027年春夏 ルックブック}
        season: ss27
        pages:
          - {image: lookbooks/ss27-1.jpg, styles: [SS27-001]}
        """,
    "buyers/aoyama.yaml": """
        type: organization
        company: Select Shop Aoyama
        name: Aiko Tanaka
        email: aiko@example.com
        country: JP
        language: ja
        currency: JPY
        transaction: {term: wsp_rrp, rate: 50}
        billing: with_deposit
        deposit_percent: 30
        passcode: {value: aoyama-2027}
        """,
    "links/open.yaml": """
        kind: instant
        name: SS27 open
        season: ss27
        transaction: {term: wsp}
        lookbooks: [ss27]
        """,
    "links/aoyama.yaml": """
        kind: customer
        name: Aoyama
        buyer: aoyama
        seasons: [ss27]
        require_address: true
        """,
}
MEDIA = ("seasons/ss27.jpg", "styles/ss27-001-blk.jpg", "lookbooks/ss27-1.jpg")


@functools.cache
def _small_jpeg() -> bytes:
    """A real 12×15 JPEG: `linesheets check` decodes every picture the pages show."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (12, 15), (40, 60, 90)).save(buffer, "JPEG")
    return buffer.getvalue()


class ContentDir:
    """A content tree in tmp_path that a test edits file by file."""

    def __init__(self, root: Path) -> None:
        self.root = root
        for name, text in BASE_FILES.items():
            self.write(name, text)
        for name in MEDIA:
            path = root / "media" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(_small_jpeg())

    def write(self, name: str, text: str) -> Path:
        """Write a file, dedenting the test's indentation."""
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    def edit(self, name: str, old: str, new: str) -> None:
        """Replace one exact snippet of a file; fail loudly when it is not there."""
        path = self.root / name
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {name}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    def load(self) -> Catalog:
        """Load the tree, which must be valid."""
        return load_catalog(self.root)

    def problems(self) -> list[ContentProblem]:
        """Load the tree, which must be invalid; return its problems."""
        with pytest.raises(ContentError) as caught:
            load_catalog(self.root)
        return list(caught.value.problems)

    def problem(self) -> ContentProblem:
        """Load the tree, which must have exactly one problem; return it."""
        problems = self.problems()
        assert len(problems) == 1, "\n".join(str(p) for p in problems)
        return problems[0]


@pytest.fixture
def content(tmp_path: Path) -> ContentDir:
    """A valid scratch content tree."""
    return ContentDir(tmp_path / "content")


@pytest.fixture
def api_private(content: ContentDir, tmp_path: Path) -> Path:
    """A scratch build's private folder: links `open` (public), `aoyama` (customer, the
    buyer's passcode), `preview` (passcode and window) and `drop` (no passcode, a release)."""
    from tests.unit.endpoint import DROP_LINK, PREVIEW_LINK, publish

    content.write("links/preview.yaml", PREVIEW_LINK)
    content.write("links/drop.yaml", DROP_LINK)
    publish(content.load(), tmp_path / "private")
    return tmp_path / "private"


@pytest.fixture
def api_clock() -> FrozenClock:
    """The endpoint's clock, an hour after `preview` and `drop` open."""
    from tests.unit.endpoint import RELEASE, SECOND

    return FrozenClock(RELEASE + 3600 * SECOND)


@pytest.fixture
def api_client(api_private: Path, api_clock: FrozenClock) -> Iterator[TestClient]:
    """The endpoint over the scratch build, at the frozen clock."""
    from order_api.app import create_app
    from tests.unit.endpoint import settings_for

    with TestClient(create_app(settings_for(api_private, api_clock))) as client:
        yield client


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh order database: every test that takes it runs on SQLite and on PostgreSQL."""
    return database_url_for(request.param, tmp_path)


@pytest.fixture
def shop(content: ContentDir, tmp_path: Path, api_clock: FrozenClock,
         database_url: str) -> Iterator[Shop]:
    """The endpoint over a scratch shop (tests/unit/shop.py), an hour after `preview` opens,
    on each backend."""
    from tests.unit.shop import Shop

    opened = Shop(content, tmp_path, api_clock, database_url)
    yield opened
    opened.store.close()


@pytest.fixture
def sqlite_shop(content: ContentDir, tmp_path: Path, api_clock: FrozenClock) -> Iterator[Shop]:
    """The scratch shop on SQLite only, for what is about the file itself."""
    from tests.unit.shop import Shop

    opened = Shop(content, tmp_path, api_clock, database_url_for("sqlite", tmp_path))
    yield opened
    opened.store.close()


@pytest.fixture(autouse=True)
def office_clock(api_clock: FrozenClock, monkeypatch: pytest.MonkeyPatch) -> None:
    """The back office's clock is the shop's: the `orders` commands record their changes and
    date them at the time the orders came in (or later, `weeks_later`), whatever the
    machine's date, and the delivery worker sends what they queue."""
    monkeypatch.setattr(back_office, "CLOCK", api_clock)


@pytest.fixture
def orders(shop: Shop, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Shop:
    """The scratch shop with the `linesheets orders` commands pointed at it (its store and
    manifest), run from a scratch folder."""
    monkeypatch.setenv("LINESHEETS_MANIFEST", str(shop.private / "manifest.json"))
    monkeypatch.setenv("DATABASE_URL", shop.database_url)
    monkeypatch.chdir(tmp_path)
    return shop


@pytest.fixture
def invoicing(orders: Shop) -> Shop:
    """The shop with brand.yaml's invoicing, and the `orders` commands pointed at it."""
    from tests.unit.invoicing import INVOICING, append_brand

    append_brand(orders, INVOICING)
    return orders


@pytest.fixture
def announcing(content: ContentDir, tmp_path: Path, api_clock: FrozenClock, database_url: str,
               smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch) -> Iterator[Shop]:
    """A shop whose orders are e-mailed to the brand and the buyer, on each backend, with the
    `linesheets orders` commands pointed at it."""
    from order_api.settings import DeliverySettings, read_smtp_url
    from tests.unit.shop import Shop

    content.edit("brand.yaml", "timezone: Asia/Tokyo\n", "timezone: Asia/Tokyo\n"
                 "notifications: {emails: [orders@atelier.example]}\n")
    opened = Shop(content, tmp_path, api_clock, database_url, delivery=DeliverySettings(
        smtp=read_smtp_url(smtp_sink.url), mail_from="Atelier <noreply@atelier.example>",
        interval=0.01))
    monkeypatch.setenv("LINESHEETS_MANIFEST", str(opened.private / "manifest.json"))
    monkeypatch.setenv("DATABASE_URL", opened.database_url)
    yield opened
    opened.store.close()


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    """A local SMTP server, listening, that keeps every message it gets."""
    from tests.unit.receivers import SmtpSink

    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def webhook() -> Iterator[WebhookReceiver]:
    """A local webhook receiver answering 204, or the statuses a test queues."""
    from tests.unit.receivers import WebhookReceiver

    receiver = WebhookReceiver()
    receiver.start()
    yield receiver
    receiver.stop()
