"""The endpoint's handlers over HTTP: link state, unlock, throttling, request bodies."""

from __future__ import annotations

import asyncio
import base64
import logging
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient
from starlette.types import Message

from generator.seal import KeyStore
from order_api.access import verify_token
from order_api.app import create_app
from tests.unit.endpoint import (
    EXPIRY,
    RELEASE,
    SECOND,
    SECRET,
    FrozenClock,
    call,
    count_verifications,
    settings_for,
)

PROBLEM = "https://linesheets.dev/problems/"


def _key(api_private: Path, link: str) -> str:
    store = KeyStore.load(api_private / "keys.json")
    return base64.b64encode(store.current(link).secret).decode()


def test_the_state_comes_from_the_server_clock(
    api_client: TestClient, api_clock: FrozenClock
) -> None:
    answer = api_client.get("/api/links/preview")
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-store"
    assert answer.json() == {
        "link": "preview", "state": "open", "sealed": True, "passcode": True,
        "window": {"release_at": "2027-01-10T01:00:00Z", "expires_at": "2027-01-20T01:00:00Z"},
        "seasons": [{"id": "ss27", "order_deadline": "2027-01-31T09:00:00Z",
                     "orderable": True}],
        "server_time": "2027-01-10T02:00:00Z"}
    for moment, state in ((RELEASE - SECOND, "upcoming"), (RELEASE, "open"),
                          (EXPIRY - SECOND, "open"), (EXPIRY, "expired")):
        api_clock.now = moment
        assert api_client.get("/api/links/preview").json()["state"] == state


def test_an_unknown_link_has_no_state(api_client: TestClient) -> None:
    answer = api_client.get("/api/links/nope")
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["type"] == PROBLEM + "unknown-link"


def test_the_right_passcode_releases_the_key_and_a_token(
    api_client: TestClient, api_private: Path, api_clock: FrozenClock
) -> None:
    answer = api_client.post("/api/links/preview/unlock", json={"passcode": "preview-pass"})
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-store"
    body = answer.json()
    assert (body["key"], body["key_version"]) == (_key(api_private, "preview"), 1)
    assert (body["expires_at"], body["expires_in"]) == ("2027-01-10T14:00:00Z", 12 * 3600)
    claims = verify_token(SECRET, body["token"], link="preview", key_version=1, now=api_clock.now)
    assert claims.expires_at.isoformat() == "2027-01-10T14:00:00+00:00"


@pytest.mark.parametrize(("moment", "status", "state"), [
    (RELEASE - SECOND, 403, "upcoming"), (RELEASE, 200, None), (RELEASE + SECOND, 200, None),
    (EXPIRY - SECOND, 200, None), (EXPIRY, 403, "expired"), (EXPIRY + SECOND, 403, "expired"),
])
def test_unlock_only_inside_the_window(
    api_client: TestClient, api_clock: FrozenClock, moment: datetime, status: int,
    state: str | None
) -> None:
    api_clock.now = moment
    answer = api_client.post("/api/links/preview/unlock", json={"passcode": "preview-pass"})
    assert answer.status_code == status
    if state is not None:
        assert answer.json()["type"] == PROBLEM + "outside-window"
        assert answer.json()["state"] == state
    else:
        assert answer.json()["expires_at"] <= "2027-01-20T01:00:00Z"


def test_an_unknown_link_and_a_wrong_passcode_get_one_answer(
    api_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    verified = count_verifications(monkeypatch)
    wrong = api_client.post("/api/links/preview/unlock", json={"passcode": "guess"})
    unknown = api_client.post("/api/links/nope/unlock", json={"passcode": "guess"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.content == unknown.content
    assert dict(wrong.headers) == dict(unknown.headers)
    assert wrong.json()["type"] == PROBLEM + "passcode-rejected"
    assert len(verified) == 2  # scrypt ran for both: the timing does not tell them apart


def test_no_passcode_is_asked_for_and_not_counted_as_a_wrong_try(
    api_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    verified = count_verifications(monkeypatch)
    for _ in range(8):  # past the free tries: none of these is one
        for body in ({}, {"passcode": None}, {"passcode": ""}, {"passcode": " \n"}):
            for link in ("preview", "nope"):  # an unknown link gets the same answer
                answer = api_client.post(f"/api/links/{link}/unlock", json=body)
                assert answer.status_code == 422, answer.text
                assert answer.json()["errors"] == [{
                    "field": "passcode", "message": "required: this link opens with a "
                    "passcode; type the one you were given with the link"}]
    assert verified == []
    right = api_client.post("/api/links/preview/unlock", json={"passcode": "preview-pass"})
    assert right.status_code == 200


def test_spaces_around_a_typed_passcode_are_left_out(api_client: TestClient) -> None:
    answer = api_client.post("/api/links/preview/unlock",
                             json={"passcode": "  preview-pass\n"})
    assert answer.status_code == 200


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/api"), ("GET", "/api/"), ("POST", "/api/links/open/orders/"),
    ("POST", "/api/links/open/quote/"), ("GET", "/api/links/open/"),
])
def test_a_path_with_or_without_a_slash_too_many_is_a_404_problem(
    api_client: TestClient, method: str, path: str
) -> None:
    answer = api_client.request(method, path, json={}, follow_redirects=False)
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"
    assert "openapi.json" in answer.json()["detail"]


def test_a_client_that_goes_away_mid_body_is_no_error(
    api_client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    """A phone that loses its connection while it sends is logged as such, not as a failure
    of the endpoint with a traceback."""
    parts: list[Message] = [
        {"type": "http.request", "body": b'{"language": "en",', "more_body": True},
        {"type": "http.disconnect"}]
    messages = iter(parts)
    sent: list[Message] = []

    async def receive() -> Message:
        return next(messages)

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "POST", "scheme": "http", "path": "/api/links/open/quote",
             "raw_path": b"/api/links/open/quote", "root_path": "", "query_string": b"",
             "headers": [(b"content-type", b"application/json"), (b"content-length", b"500")],
             "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000)}
    async def call() -> None:
        await api_client.app(scope, receive, send)

    with caplog.at_level(logging.INFO, logger="order_api"):
        asyncio.run(call())
    assert sent == []  # nobody to answer
    assert [record.levelno for record in caplog.records] == [logging.INFO]
    assert "went away before its request arrived whole" in caplog.records[0].getMessage()
    assert caplog.records[0].exc_info is None


def test_a_customer_link_opens_with_its_buyers_passcode(
    api_client: TestClient, api_private: Path
) -> None:
    answer = api_client.post("/api/links/aoyama/unlock", json={"passcode": "aoyama-2027"})
    assert answer.status_code == 200
    assert answer.json()["key"] == _key(api_private, "aoyama")


def test_a_link_without_passcode_gets_its_key_once_released(
    api_client: TestClient, api_private: Path, api_clock: FrozenClock
) -> None:
    api_clock.now = RELEASE - SECOND
    early = api_client.post("/api/links/drop/unlock")
    assert (early.status_code, early.json()["state"]) == (403, "upcoming")
    api_clock.now = RELEASE
    for answer in (api_client.post("/api/links/drop/unlock"),
                   api_client.post("/api/links/drop/unlock", json={}),
                   api_client.post("/api/links/drop/unlock", json={"passcode": "anything"})):
        assert answer.status_code == 200
        assert answer.json()["key"] == _key(api_private, "drop")


def test_a_public_link_has_no_key(api_client: TestClient) -> None:
    answer = api_client.post("/api/links/open/unlock")
    assert (answer.status_code, answer.json()["type"]) == (409, PROBLEM + "not-sealed")


def test_ten_thousand_wrong_passcodes_unlock_nothing(
    api_private: Path, api_clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The flood is refused before scrypt runs; after the wait the right passcode works."""
    verified = count_verifications(monkeypatch)
    app = create_app(settings_for(api_private, api_clock))

    async def flood() -> list[Any]:
        answers = []
        for attempt in range(10_000):
            answers.append(await call(app, "POST", "/api/links/preview/unlock",
                                      {"passcode": f"guess-{attempt}"}))
        return answers

    answers = asyncio.run(flood())
    statuses = [answer.status for answer in answers]
    assert 200 not in statuses
    assert len(verified) <= 10
    first_refusal = statuses.index(429)
    assert first_refusal <= 10 and set(statuses[first_refusal:]) == {429}
    refusal = answers[-1]
    assert refusal.headers["content-type"] == "application/problem+json"
    assert refusal.json()["type"] == PROBLEM + "too-many-tries"
    wait = int(refusal.headers["retry-after"])
    assert refusal.json()["retry_after"] == wait and 1 <= wait <= 300

    api_clock.advance(wait)
    right = asyncio.run(call(app, "POST", "/api/links/preview/unlock",
                             {"passcode": "preview-pass"}))
    assert right.status == 200
    other = asyncio.run(call(app, "POST", "/api/links/preview/unlock",
                             {"passcode": "guess"}, client="198.51.100.9"))
    assert other.status == 401  # another address was never throttled


@pytest.mark.parametrize(("request_args", "status", "slug"), [
    ({"content": b'{"passcode": ', "headers": {"content-type": "application/json"}}, 400,
     "invalid-json"),
    ({"content": b"passcode=x", "headers": {"content-type": "text/plain"}}, 415,
     "unsupported-media-type"),
    ({"content": b'{"passcode": "x"}'}, 415, "unsupported-media-type"),
    ({"content": b"[" + b" " * 300_000 + b"]", "headers": {"content-type": "application/json"}},
     413, "content-too-large"),
    ({"content": iter([b"[", b" " * 200_000, b" " * 200_000, b"]"]),
      "headers": {"content-type": "application/json"}}, 413, "content-too-large"),
])
def test_bad_bodies_are_problems(
    api_client: TestClient, request_args: dict[str, Any], status: int, slug: str
) -> None:
    answer = api_client.post("/api/links/preview/unlock", **request_args)
    assert answer.status_code == status
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert (problem["type"], problem["status"]) == (PROBLEM + slug, status)
    assert problem["title"] and problem["detail"]


def test_invalid_fields_are_listed(api_client: TestClient) -> None:
    answer = api_client.post("/api/links/preview/unlock", json={"passcode": 7, "pascode": "x"})
    assert answer.status_code == 422
    problem = answer.json()
    assert problem["type"] == PROBLEM + "validation-failed"
    assert problem["errors"] == [
        {"field": "passcode", "message": "Input should be a valid string"},
        {"field": "pascode", "message": "unknown field; remove it (docs/api.md lists the "
                                        "fields)"}]
    body = api_client.post("/api/links/preview/unlock", json=["x"]).json()
    assert body["errors"][0]["field"] == ""


def test_keys_are_never_logged(
    api_client: TestClient, api_private: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    api_client.post("/api/links/preview/unlock", json={"passcode": "preview-pass"})
    key = _key(api_private, "preview")
    assert all(key not in record.getMessage() for record in caplog.records)


