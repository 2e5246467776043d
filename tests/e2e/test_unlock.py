"""The demo build through the endpoint: keys it releases open the built pages, and only theirs."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from generator.seal import LinkKey, SealedBody, SealError, open_body
from order_api.access import verify_token
from order_api.app import create_app
from order_api.settings import ApiSettings
from tests.e2e.conftest import FROZEN, Built
from tests.unit.endpoint import SECRET, FrozenClock

# The demo's gated links and the passcodes their files' comments give (customer links: the
# buyer's).
PASSCODES = {"asagiri-collections": "asagiri-buyers", "calme-paris": "calme-ss27",
             "hakobune-kyoto": "hakobune-2027", "ss27-japan-deposit": "shiosai45",
             "vivian-cheung": "vivian-hk"}
_SEALED = re.compile(r'<script type="application/json" id="sealed-body">(.*?)</script>')


@pytest.fixture
def client(demo_build: Built, tmp_path: Path) -> Iterator[TestClient]:
    private = demo_build.settings.private
    settings = ApiSettings(manifest=private / "manifest.json", keys=private / "keys.json",
                           token_secret=SECRET, clock=FrozenClock(FROZEN),
                           database_url=f"sqlite:///{tmp_path / 'orders.sqlite3'}")
    with TestClient(create_app(settings)) as client:
        yield client


def _unlock(client: TestClient, link: str) -> LinkKey:
    answer = client.post(f"/api/links/{link}/unlock", json={"passcode": PASSCODES[link]})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    verify_token(SECRET, body["token"], link=link, key_version=body["key_version"], now=FROZEN)
    return LinkKey(link, body["key_version"], base64.b64decode(body["key"]))


def _sealed_pages(demo_build: Built, link: str) -> list[tuple[str, SealedBody]]:
    pages = []
    for path in sorted((demo_build.out / "l" / link).rglob("index.html")):
        match = _SEALED.search(path.read_text(encoding="utf-8"))
        if match:
            payload = json.loads(match[1])
            url = "/" + path.parent.relative_to(demo_build.out).as_posix() + "/"
            pages.append((url, SealedBody(payload["v"], base64.b64decode(payload["iv"]),
                                          base64.b64decode(payload["ct"]))))
    return pages


@pytest.mark.parametrize("link", sorted(PASSCODES))
def test_a_released_key_opens_every_sealed_page_of_its_link(
    client: TestClient, demo_build: Built, link: str
) -> None:
    key = _unlock(client, link)
    pages = _sealed_pages(demo_build, link)
    assert len(pages) > 3
    for url, sealed in pages:
        assert open_body(key, sealed).decode() == demo_build.opened(url)


def test_a_page_of_one_link_fails_under_another_links_key(
    client: TestClient, demo_build: Built
) -> None:
    theirs = _unlock(client, "vivian-cheung")
    _, sealed = _sealed_pages(demo_build, "asagiri-collections")[0]
    with pytest.raises(SealError):
        open_body(theirs, sealed)
    # Even with the right link and version in the AAD, another link's key does not open it.
    borrowed = LinkKey("asagiri-collections", sealed.version, theirs.secret)
    with pytest.raises(SealError):
        open_body(borrowed, sealed)
    assert open_body(_unlock(client, "asagiri-collections"), sealed)


def test_the_demo_states_hold_at_the_frozen_moment(client: TestClient) -> None:
    states = {link: client.get(f"/api/links/{link}").json()["state"]
              for link in ("aw26-showroom", "aw27-preview", "ss27-instagram", "ss27-open")}
    assert states == {"aw26-showroom": "expired", "aw27-preview": "upcoming",
                      "ss27-instagram": "view_only", "ss27-open": "open"}


def test_a_link_outside_its_window_keeps_its_key(client: TestClient) -> None:
    early = client.post("/api/links/aw27-preview/unlock", json={"passcode": "sumi-preview"})
    assert (early.status_code, early.json()["state"]) == (403, "upcoming")
    late = client.post("/api/links/aw26-showroom/unlock")
    assert (late.status_code, late.json()["state"]) == (403, "expired")
    assert "key" not in early.json() and "key" not in late.json()
