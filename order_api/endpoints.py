"""Handlers: request -> parsed body -> access rules -> JSON response (DESIGN.md §5).

Thin on purpose: the rules live in access.py and throttle.py, the bodies in schemas.py, and
every error leaves as an ApiProblem that app.py renders as problem details.
"""

from __future__ import annotations

import base64
import json
import math
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from generator import __version__
from generator.manifest import ManifestLink
from order_api.access import (
    check_passcode,
    describe_link,
    sign_token,
    token_expiry,
    unlock_state,
)
from order_api.problems import ApiProblem, validation_problem
from order_api.published import Published, PublishedSource
from order_api.schemas import Health, UnlockRequest, UnlockResponse, openapi_document
from order_api.settings import ApiSettings
from order_api.throttle import Throttle, client_address, link_name

Body = TypeVar("Body", bound=BaseModel)
NO_STORE = {"Cache-Control": "no-store"}


class Endpoints:
    """The API's handlers, bound to the settings, the build they serve and the throttle."""

    def __init__(self, settings: ApiSettings, source: PublishedSource,
                 throttle: Throttle) -> None:
        self.settings, self.source, self.throttle = settings, source, throttle
        self._openapi = openapi_document(__version__)

    async def link_state(self, request: Request) -> Response:
        """GET /api/links/{link}: the link's state at the server clock."""
        slug = request.path_params["link"]
        manifest = self.source.current().manifest
        link = manifest.links.get(slug)
        if link is None:
            raise ApiProblem("unknown-link", f"there is no link '{slug}'; check the address "
                             "you were given, or ask the brand for a new link")
        status = describe_link(link, manifest.seasons, self.settings.clock())
        return _json(status, headers=NO_STORE)

    async def unlock(self, request: Request) -> Response:
        """POST /api/links/{link}/unlock: check the passcode, release the page key."""
        slug = request.path_params["link"]
        body = await read_json(request, UnlockRequest, self.settings.max_body)
        published = self.source.current()
        link = published.manifest.links.get(slug)
        if link is not None:
            # Before the passcode: outside the window a right passcode must not be told apart.
            self._refuse_outside_window(published, link)
            if link.passcode_hash is None:
                return self._release(published, link)
        client = client_address(request.client.host if request.client else None)
        name = link_name(slug)
        # Throttled tries are refused before scrypt runs: a flood of them costs nothing.
        wait = self.throttle.admit(name, client, self.settings.clock().timestamp())
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            raise ApiProblem("too-many-tries", "too many wrong passcodes for this link; "
                             f"wait {seconds} s, then try again",
                             headers={"Retry-After": str(seconds)}, retry_after=seconds)
        ok = False
        try:
            ok = await run_in_threadpool(check_passcode, link, body.passcode or "")
        finally:
            self.throttle.settle(name, client, ok, self.settings.clock().timestamp())
        if not ok or link is None:
            # Word for word the same for an unknown link: the answer must not tell which.
            raise ApiProblem("passcode-rejected", "this passcode does not open the link; check "
                             "it with whoever shared the link (after a few wrong tries you have "
                             "to wait before the next)")
        return self._release(published, link)

    async def health(self, request: Request) -> Response:
        """GET /healthz: up, with the number of links served."""
        manifest = self.source.current().manifest
        return _json(Health(status="ok", links=len(manifest.links),
                            server_time=self.settings.clock()), headers=NO_STORE)

    async def openapi(self, request: Request) -> Response:
        """GET /api/openapi.json: the OpenAPI 3.1 document."""
        return JSONResponse(self._openapi)

    def _release(self, published: Published, link: ManifestLink) -> Response:
        # Again after the passcode: a window that closed while scrypt ran still refuses.
        self._refuse_outside_window(published, link)
        key = published.keys.get(link.slug)
        if key is None:
            raise ApiProblem("not-sealed", f"link '{link.slug}' is not sealed: its pages are "
                             "public and need no key")
        # The clock again, after the scrypt wait, so the token's expiry is measured from now.
        expires_at = token_expiry(link, self.settings.clock())
        answer = UnlockResponse(
            key=base64.b64encode(key.secret).decode(), key_version=key.version,
            token=sign_token(self.settings.token_secret, link.slug, key.version, expires_at),
            expires_at=expires_at)
        return _json(answer, headers=NO_STORE)

    def _refuse_outside_window(self, published: Published, link: ManifestLink) -> None:
        state = unlock_state(link, published.manifest.seasons, self.settings.clock())
        if state == "upcoming" and link.release_at is not None:
            raise ApiProblem("outside-window", f"link '{link.slug}' opens at "
                             f"{link.release_at.isoformat()}; unlock it then", state=state)
        if state == "expired" and link.expires_at is not None:
            raise ApiProblem("outside-window", f"link '{link.slug}' expired at "
                             f"{link.expires_at.isoformat()}; ask the brand for a new link",
                             state=state)


async def read_json(request: Request, model: type[Body], max_body: int) -> Body:
    """Read a JSON request body into `model`: 415 if not JSON, 413 past max_body bytes, 400 if
    malformed, 422 with per-field errors if invalid. An empty body reads as {}."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type and media_type != "application/json":
        raise _not_json(media_type)
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_body:
        raise _too_large(max_body)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_body:  # counted on the stream: Content-Length may be absent or wrong
            raise _too_large(max_body)
        chunks.append(chunk)
    data = b"".join(chunks)
    if data and not media_type:
        raise _not_json("untyped")
    try:
        parsed: Any = json.loads(data) if data.strip() else {}
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiProblem("invalid-json", f"the body is not valid JSON: {exc}") from None
    try:
        return model.model_validate(parsed)
    except ValidationError as exc:
        raise validation_problem(exc, "the body") from None


def _not_json(media_type: str) -> ApiProblem:
    return ApiProblem("unsupported-media-type", f"the body is '{media_type}'; send JSON with "
                      "Content-Type: application/json")


def _too_large(max_body: int) -> ApiProblem:
    return ApiProblem("content-too-large", f"the body is larger than {max_body // 1024} KiB; "
                      "send less")


def _json(model: BaseModel, headers: dict[str, str]) -> JSONResponse:
    return JSONResponse(model.model_dump(mode="json"), headers=headers)
