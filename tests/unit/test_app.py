"""The app around the handlers: problem details for every error, headers, CORS, OpenAPI, site."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

import order_api.endpoints
from order_api.app import create_app
from tests.unit.conftest import ContentDir
from tests.unit.endpoint import FrozenClock, publish, settings_for

PROBLEM = "https://linesheets.dev/problems/"


def test_routing_errors_are_problems(api_client: TestClient) -> None:
    missing = api_client.get("/api/nothing")
    assert (missing.status_code, missing.json()["type"]) == (404, PROBLEM + "not-found")
    wrong = api_client.get("/api/links/preview/unlock")
    assert (wrong.status_code, wrong.json()["type"]) == (405, PROBLEM + "method-not-allowed")
    assert wrong.headers["allow"] == "POST"
    assert wrong.headers["content-type"] == "application/problem+json"


def test_a_crash_is_a_logged_500_problem(
    api_client: TestClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def boom(*args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(order_api.endpoints, "describe_link", boom)
    answer = api_client.get("/api/links/preview")
    assert answer.status_code == 500
    assert answer.json()["type"] == PROBLEM + "internal-error"
    assert "boom" not in answer.text
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert any("GET /api/links/preview failed" in r.getMessage() for r in caplog.records)


def test_security_headers(api_client: TestClient) -> None:
    for answer in (api_client.get("/api/links/preview"), api_client.get("/api/links/nope"),
                   api_client.get("/healthz")):
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["content-security-policy"].startswith("default-src 'none'")
        assert answer.headers["cache-control"] == "no-store"
        assert "access-control-allow-origin" not in answer.headers


def test_cors_allows_the_site_origin_only(api_private: Path, api_clock: FrozenClock) -> None:
    site = "https://order.example.com"
    app = create_app(settings_for(api_private, api_clock, site_origin=site))
    with TestClient(app) as api_client:
        allowed = api_client.options("/api/links/preview/unlock", headers={
            "Origin": site, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type"})
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == site
        refused = api_client.options("/api/links/preview/unlock", headers={
            "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
        assert refused.status_code == 400
        assert refused.json()["type"] == PROBLEM + "cors-rejected"
        assert "access-control-allow-origin" not in refused.headers
        simple = api_client.get("/api/links/preview", headers={"Origin": site})
        assert simple.headers["access-control-allow-origin"] == site
        assert "retry-after" in simple.headers["access-control-expose-headers"].lower()
        other = api_client.get("/api/links/preview", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers


def test_the_site_origin_is_compared_as_browsers_send_it(
    api_private: Path, api_clock: FrozenClock
) -> None:
    # Written with capitals and the default port, it is still the origin the pages send.
    settings = settings_for(api_private, api_clock, site_origin="https://Order.Example.com:443")
    assert settings.site_origin == "https://order.example.com"
    with TestClient(create_app(settings)) as api_client:
        allowed = api_client.options("/api/links/preview/unlock", headers={
            "Origin": "https://order.example.com", "Access-Control-Request-Method": "POST"})
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == "https://order.example.com"


@pytest.mark.parametrize(("api_url", "allowed", "warned"), [
    ("https://api.example.com", None, "LINESHEETS_SITE_ORIGIN is not set"),
    ("https://api.example.com", "https://www.example.com",
     "LINESHEETS_SITE_ORIGIN is https://www.example.com"),
    ("https://api.example.com", "https://Example.com:443", None),
    ("https://example.com:443/api", None, None),  # the pages' own origin
    ("/api", None, None),
])
def test_the_endpoint_warns_at_start_when_browsers_would_refuse_the_pages_calls(
    content: ContentDir, tmp_path: Path, api_clock: FrozenClock,
    caplog: pytest.LogCaptureFixture, api_url: str, allowed: str | None, warned: str | None
) -> None:
    content.edit("brand.yaml", "base_url: https://example.com\n",
                 f"base_url: https://example.com/wholesale/\napi_url: {api_url}\n")
    publish(content.load(), tmp_path / "private")
    settings = settings_for(tmp_path / "private", api_clock, site_origin=allowed)
    with caplog.at_level(logging.WARNING, logger="order_api.app"), \
            TestClient(create_app(settings)):
        pass
    said = [record.getMessage() for record in caplog.records if record.name == "order_api.app"]
    if warned is None:
        assert said == []
    else:
        assert said == [f"brand.yaml puts the pages at https://example.com (base_url) and the "
                        f"endpoint at https://api.example.com (api_url), but {warned}: browsers "
                        "will refuse the pages' unlocks, quotes and orders; set "
                        "LINESHEETS_SITE_ORIGIN=https://example.com"]
    # `linesheets serve` serves the pages itself, and a manifest of an earlier build says
    # neither URL: nothing to compare.
    caplog.clear()
    manifest = tmp_path / "private" / "manifest.json"
    earlier = json.loads(manifest.read_bytes())
    del earlier["brand"]["base_url"], earlier["brand"]["api_url"]
    with caplog.at_level(logging.WARNING, logger="order_api.app"):
        with TestClient(create_app(settings, site=tmp_path)):
            pass
        manifest.write_text(json.dumps(earlier))
        with TestClient(create_app(settings)) as client:
            assert client.get("/api/links/open").status_code == 200
    assert [record for record in caplog.records if record.name == "order_api.app"] == []


def test_without_a_site_origin_there_is_no_cors(api_client: TestClient) -> None:
    preflight = api_client.options("/api/links/preview/unlock", headers={
        "Origin": "https://order.example.com", "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 405
    assert "access-control-allow-origin" not in preflight.headers


def test_health(api_client: TestClient) -> None:
    assert api_client.get("/healthz").json() == {"status": "ok", "links": 4,
                                             "server_time": "2027-01-10T02:00:00Z"}


def test_the_openapi_document_describes_every_body(api_client: TestClient) -> None:
    document = api_client.get("/api/openapi.json").json()
    assert document["openapi"] == "3.1.0"
    schemas = document["components"]["schemas"]
    unlock = document["paths"]["/api/links/{link}/unlock"]["post"]
    request = unlock["requestBody"]["content"]["application/json"]["schema"]
    assert request == {"$ref": "#/components/schemas/UnlockRequest"}
    assert schemas["UnlockRequest"]["additionalProperties"] is False
    assert "Retry-After" in unlock["responses"]["429"]["headers"]
    assert set(document["paths"]) == {"/api/links/{link}", "/api/links/{link}/unlock",
                                      "/api/links/{link}/quote", "/api/links/{link}/orders",
                                      "/api/links/{link}/stock", "/healthz"}
    stock = document["paths"]["/api/links/{link}/stock"]["get"]
    assert [(p["name"], p["in"], p["required"]) for p in stock["parameters"]] == [
        ("link", "path", True), ("season", "query", True), ("style", "query", False)]
    place = document["paths"]["/api/links/{link}/orders"]["post"]
    key = next(p for p in place["parameters"] if p["name"] == "Idempotency-Key")
    assert (key["in"], key["required"]) == ("header", True)
    assert set(place["responses"]) >= {"201", "400", "401", "403", "409", "422", "503"}

    def refs(node: object) -> Iterator[str]:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref":
                    yield value
                yield from refs(value)
        elif isinstance(node, list):
            for item in node:
                yield from refs(item)

    names = {ref.removeprefix("#/components/schemas/") for ref in refs(document)}
    assert names and names <= set(schemas)


def test_serve_puts_the_site_and_the_api_on_one_origin(
    api_private: Path, api_clock: FrozenClock, tmp_path: Path
) -> None:
    site = tmp_path / "public"
    (site / "l" / "open").mkdir(parents=True)
    (site / "l" / "open" / "index.html").write_text("<!DOCTYPE html><title>open</title>")
    with TestClient(create_app(settings_for(api_private, api_clock), site=site)) as api_client:
        page = api_client.get("/l/open/")
        assert page.status_code == 200 and "<title>open</title>" in page.text
        assert page.headers["x-content-type-options"] == "nosniff"
        assert "content-security-policy" not in page.headers
        assert api_client.get("/api/links/open").json()["state"] == "open"
        wrong = api_client.delete("/api/links/open/unlock")
        assert (wrong.status_code, wrong.headers["allow"]) == (405, "POST")
        assert api_client.get("/l/none/").json()["type"] == PROBLEM + "not-found"


def test_serve_puts_a_site_in_a_folder_where_its_links_point(
    api_private: Path, api_clock: FrozenClock, tmp_path: Path
) -> None:
    """base_url https://example.com/wholesale/: the pages link /wholesale/l/…, so `serve`
    serves them there, and its 404.html for a missing page of that folder."""
    site = tmp_path / "public"
    (site / "l" / "open").mkdir(parents=True)
    (site / "l" / "open" / "index.html").write_text("<!DOCTYPE html><title>open</title>")
    (site / "404.html").write_text("<!DOCTYPE html><title>Page not found</title>")
    app = create_app(settings_for(api_private, api_clock), site=site, site_path="/wholesale")
    with TestClient(app) as api_client:
        page = api_client.get("/wholesale/l/open/")
        assert page.status_code == 200 and "<title>open</title>" in page.text
        missing = api_client.get("/wholesale/l/none/")
        assert missing.status_code == 404 and "<title>Page not found</title>" in missing.text
        assert api_client.get("/l/open/").json()["type"] == PROBLEM + "not-found"
        assert api_client.get("/api/links/open").json()["state"] == "open"


def test_serve_follows_the_sites_folder_as_it_changes(
    api_private: Path, api_clock: FrozenClock, tmp_path: Path
) -> None:
    """base_url edited while `serve` runs: the rebuilt pages link the new folder, and the
    files are served there from the next request on, the old place no longer."""
    site = tmp_path / "public"
    (site / "l" / "open").mkdir(parents=True)
    (site / "l" / "open" / "index.html").write_text("<!DOCTYPE html><title>open</title>")
    folder = [""]
    app = create_app(settings_for(api_private, api_clock), site=site,
                     site_path=lambda: folder[0])
    with TestClient(app, follow_redirects=False) as api_client:
        assert api_client.get("/l/open/").status_code == 200
        folder[0] = "/wholesale"
        assert api_client.get("/wholesale/l/open/").status_code == 200
        moved = api_client.get("/wholesale/l/open")  # a folder's address, to its slash
        assert (moved.status_code, moved.headers["location"]) == (
            307, "http://testserver/wholesale/l/open/")
        for outside in ("/l/open/", "/wholesalers/l/open/"):
            assert api_client.get(outside).json()["type"] == PROBLEM + "not-found", outside
        assert api_client.get("/api/links/open").json()["state"] == "open"


def test_serve_takes_the_folder_its_watch_sends_and_keeps_it_once_the_watch_stops() -> None:
    from multiprocessing import Pipe

    from generator._commands import _WatchedFolder

    moves, mover = Pipe(duplex=False)
    folder = _WatchedFolder("", moves)
    assert folder() == ""
    mover.send("/wholesale")
    mover.send("/b2b")  # two rebuilds before a request: the last one counts
    assert folder() == "/b2b"
    mover.close()  # the watch stopped (or failed): the site stays where it is
    assert folder() == "/b2b" and folder() == "/b2b"


def test_serve_finds_the_sites_folder_in_brand_yaml(tmp_path: Path) -> None:
    from generator._commands import _site_path

    (tmp_path / "brand.yml").write_text("base_url: https://example.com/wholesale/\n")
    assert _site_path(tmp_path) == "/wholesale"
    (tmp_path / "brand.yml").write_text("base_url: https://order.example.com\n")
    assert _site_path(tmp_path) == ""
