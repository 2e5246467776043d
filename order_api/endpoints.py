"""Handlers: request -> parsed body -> access rules -> JSON response (DESIGN.md §5).

Thin on purpose: the rules live in access.py and throttle.py, the bodies in schemas.py, and
every error leaves as an ApiProblem that app.py renders as problem details.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from generator import __version__
from generator.manifest import ManifestLink
from order_api.access import (
    TokenError,
    check_passcode,
    describe_link,
    sign_token,
    token_expiry,
    unlock_state,
    verify_token,
)
from order_api.activity import ActivityLog
from order_api.history import order_history
from order_api.notify import channels_for
from order_api.openapi import IDEMPOTENCY_KEY_PATTERN, openapi_document
from order_api.ordering import (
    check_expected_total,
    check_minimum_order,
    draft_order,
    order_prefix,
    quote_cart,
    stock_limits,
    stock_problem,
    stocked_cells,
)
from order_api.problems import ApiProblem, invalid_fields, validation_problem
from order_api.published import Published, PublishedSource
from order_api.schemas import (
    FieldError,
    Health,
    OrderRequest,
    QuoteRequest,
    StockLevels,
    UnlockRequest,
    UnlockResponse,
)
from order_api.settings import ApiSettings
from order_api.store import (
    Claim,
    IdempotencyConflict,
    OrderStore,
    OutOfStock,
    Receipt,
    StoreUnavailable,
    shortages,
)
from order_api.throttle import Throttle, client_address, link_name

Body = TypeVar("Body", bound=BaseModel)
Stored = TypeVar("Stored")
NO_STORE = {"Cache-Control": "no-store"}
_IDEMPOTENCY_KEY = re.compile(IDEMPOTENCY_KEY_PATTERN)


class Endpoints:
    """The API's handlers, bound to the settings, the build they serve and the throttle."""

    def __init__(self, settings: ApiSettings, source: PublishedSource,
                 throttle: Throttle, store: OrderStore) -> None:
        self.settings, self.source, self.throttle = settings, source, throttle
        self.store = store
        self.activity = ActivityLog(store, settings.clock)
        self._openapi = openapi_document(__version__)

    async def link_state(self, request: Request) -> Response:
        """GET /api/links/{link}: the link's state at the server clock (`?viewed=1`: asked by
        a page as it opens, counted as a page viewed)."""
        manifest = self.source.current().manifest
        link = _known_link(manifest.links, request.path_params["link"])
        status = describe_link(link, manifest.seasons, self.settings.clock())
        if request.query_params.get("viewed") == "1":  # a page's first ask: a page viewed
            self.activity.count(link.slug, "viewed")
        return _json(status, headers=NO_STORE)

    async def stock(self, request: Request) -> Response:
        """GET /api/links/{link}/stock?season=ID[&style=NO]: the units orders can still take
        of each colour × size with a stock (a style page marks its grid with them)."""
        published = self.source.current()
        manifest = published.manifest
        link = _known_link(manifest.links, request.path_params["link"])
        self._authorize(request, link)  # a sealed link's style numbers are its own
        season_id = request.query_params.get("season", "")
        if season_id not in link.seasons:
            raise invalid_fields([FieldError(field="season", message=(
                f"send ?season= one of this link's seasons ({', '.join(link.seasons)})"))])
        stock = stocked_cells(manifest.seasons[season_id], request.query_params.get("style"),
                              link)
        taken = (await self._stored(run_in_threadpool, self.store.taken, list(stock))
                 if stock else {})
        left: dict[str, dict[str, dict[str, int]]] = {}
        for cell, units in stock.items():
            _, style_no, color, size = cell
            left.setdefault(style_no, {}).setdefault(color, {})[size] = max(
                0, units - taken.get(cell, 0))
        return _json(StockLevels(season=season_id, left=left, server_time=self.settings.clock()),
                     headers=NO_STORE)

    async def orders(self, request: Request) -> Response:
        """/api/links/{link}/orders: GET lists a customer link's orders, POST places one
        (one route, so that a 405 names both methods in its Allow header)."""
        if request.method == "POST":
            return await self.place_order(request)
        return await self.past_orders(request)

    async def past_orders(self, request: Request) -> Response:
        """GET /api/links/{link}/orders: a registered buyer's orders on their own customer
        link (its token required), as they stand: amended, shipped in part or whole,
        cancelled. Other links are shared by many buyers: they list nothing."""
        manifest = self.source.current().manifest
        link = _known_link(manifest.links, request.path_params["link"])
        if link.kind != "customer":
            raise ApiProblem("not-found", f"link '{link.slug}' lists no orders: only a "
                             "registered buyer's own link (a customer link) does")
        self._authorize(request, link)
        history = await self._stored(run_in_threadpool, order_history, self.store, link.slug,
                                     self.settings.clock())
        return _json(history, headers=NO_STORE)

    async def quote(self, request: Request) -> Response:
        """POST /api/links/{link}/quote: price a cart on the server; nothing is stored."""
        body = await read_json(request, QuoteRequest, self.settings.max_body)
        published = self.source.current()
        manifest = published.manifest
        link = _known_link(manifest.links, request.path_params["link"])
        self._authorize(request, link)
        quote = quote_cart(manifest, link, body, self.settings.clock(), published.memo)
        check_expected_total(quote, body.expected_total)  # as for orders (docs/api.md)
        limits = stock_limits(manifest, quote, published.memo)
        if limits:  # what is left now; the order counts again under the write lock
            taken = await self._stored(run_in_threadpool, self.store.taken,
                                       [limit.cell for limit in limits])
            short = shortages(limits, taken)
            if short:
                raise stock_problem(OutOfStock(short), quote)
        self.activity.count(link.slug, "quoted")
        return _json(quote, headers=NO_STORE)

    async def place_order(self, request: Request) -> Response:
        """POST /api/links/{link}/orders: re-price, then store once per Idempotency-Key."""
        key = _idempotency_key(request)
        body = await read_json(request, OrderRequest, self.settings.max_body)
        published = self.source.current()
        manifest = published.manifest
        link = _known_link(manifest.links, request.path_params["link"])
        claim = Claim(link.slug, key, fingerprint(body), lambda: earlier_fingerprint(body))
        try:
            self._authorize(request, link)
        except ApiProblem as problem:
            # A token that expired (at the latest with the link) still proves who sent it: a
            # buyer whose answer was lost may fetch the order it placed, and nothing new.
            if problem.extensions.get("reason") != "expired":
                raise
            try:
                receipt = await self._stored(run_in_threadpool, self.store.replay, claim)
            except ApiProblem as failure:
                if failure.slug != "idempotency-key-reused":
                    raise
                raise problem from None  # another body under the key: nothing to fetch
            if receipt is None:
                raise
            return _created(receipt)
        now = self.settings.clock()
        try:
            quote = quote_cart(manifest, link, body, now, published.memo)
            check_expected_total(quote, body.expected_total)
            check_minimum_order(link, quote)
        except ApiProblem:
            # A retry of an acknowledged order gets its answer even if the link closed or a
            # price changed since; only a new order is refused.
            receipt = await self._stored(run_in_threadpool, self.store.replay, claim)
            if receipt is None:
                raise
        else:
            # The store checks the claim again inside its transaction: a concurrent request
            # with the same key gets the first one's order. Its notifications commit with it.
            notify = channels_for(self.settings.delivery, manifest.brand.notifications)
            draft = draft_order(quote, body, now, published.memo)
            try:
                receipt = await self._stored(self.store.place, claim,
                                             order_prefix(quote.season), draft, notify,
                                             stock_limits(manifest, quote, published.memo))
            except OutOfStock as short:
                raise stock_problem(short, quote) from None
        return _created(receipt)

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
        # What the buyer typed, without the spaces a copy from an e-mail brings along; none
        # at all is asked for, not counted as a wrong try.
        passcode = (body.passcode or "").strip()
        if not passcode:
            raise invalid_fields([FieldError(
                field="passcode", message="required: this link opens with a passcode; type "
                "the one you were given with the link")])
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
            ok = await run_in_threadpool(check_passcode, link, passcode)
        finally:
            self.throttle.settle(name, client, ok, self.settings.clock().timestamp())
        if not ok or link is None:
            # Word for word the same for an unknown link: the answer must not tell which.
            raise ApiProblem("passcode-rejected", "this passcode does not open the link; check "
                             "it with whoever shared the link (after a few wrong tries you have "
                             "to wait before the next)")
        return self._release(published, link)

    async def health(self, request: Request) -> Response:
        """GET /healthz: up and the order database answers, with the number of links served."""
        manifest = self.source.current().manifest
        await self._stored(run_in_threadpool, self.store.check)
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
        now = self.settings.clock()
        expires_at = token_expiry(link, now)
        answer = UnlockResponse(
            key=base64.b64encode(key.secret).decode(), key_version=key.version,
            token=sign_token(self.settings.token_secret, link.slug, key.version, expires_at),
            expires_at=expires_at, expires_in=int((expires_at - now).total_seconds()))
        self.activity.count(link.slug, "unlocked")
        return _json(answer, headers=NO_STORE)

    def _authorize(self, request: Request, link: ManifestLink) -> None:
        """A sealed link's quotes and orders need the token its unlock gave."""
        if link.key_version is None:
            return
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiProblem("token-rejected", f"link '{link.slug}' is sealed: send the token "
                             "its unlock returned as 'Authorization: Bearer <token>'",
                             headers={"WWW-Authenticate": "Bearer"}, reason="missing")
        try:
            verify_token(self.settings.token_secret, token.strip(), link=link.slug,
                         key_version=link.key_version, now=self.settings.clock())
        except TokenError as exc:
            raise ApiProblem("token-rejected", str(exc), reason=exc.reason,
                             headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}
                             ) from None

    async def _stored(self, call: Callable[..., Awaitable[Stored]], *args: Any) -> Stored:
        """Await a store call; its failures become problems."""
        try:
            return await call(*args)
        except IdempotencyConflict as exc:
            raise ApiProblem("idempotency-key-reused", str(exc), errors=[FieldError(
                field="Idempotency-Key", message="already used for another order")]) from None
        except StoreUnavailable as exc:
            raise ApiProblem("storage-unavailable", str(exc), headers={"Retry-After": "1"},
                             retry_after=1) from None

    def _refuse_outside_window(self, published: Published, link: ManifestLink) -> None:
        state = unlock_state(link, published.manifest.seasons, self.settings.clock())
        if state == "upcoming" and link.release_at is not None:
            raise ApiProblem("outside-window", f"link '{link.slug}' opens at "
                             f"{link.release_at.isoformat()}; unlock it then", state=state)
        if state == "expired" and link.expires_at is not None:
            raise ApiProblem("outside-window", f"link '{link.slug}' expired at "
                             f"{link.expires_at.isoformat()}; ask the brand for a new link",
                             state=state)


def fingerprint(body: BaseModel) -> str:
    """What a body is for its Idempotency-Key: "2:" and the sha256 of the JSON its model
    writes (the fields in the schema's order, defaults filled in), so the same order sent
    with other spacing or key order is the same body."""
    return "2:" + hashlib.sha256(body.model_dump_json().encode()).hexdigest()


def earlier_fingerprint(body: BaseModel) -> str:
    """The fingerprint endpoints before 0.2 stored: the sha256 of the body's canonical JSON
    (sorted keys, no spaces)."""
    canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True,
                           separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _created(receipt: Receipt) -> Response:
    """The 201 of an order: its stored bytes, marked when a retry got the earlier answer."""
    headers = NO_STORE | ({"Idempotent-Replayed": "true"} if receipt.replayed else {})
    return Response(receipt.body, status_code=201, media_type="application/json",
                    headers=headers)


def _known_link(links: Mapping[str, ManifestLink], slug: str) -> ManifestLink:
    link = links.get(slug)
    if link is None:
        raise ApiProblem("unknown-link", f"there is no link '{slug}'; check the address you "
                         "were given, or ask the brand for a new link")
    return link


def _idempotency_key(request: Request) -> str:
    key = request.headers.get("idempotency-key")
    if key is None:
        raise ApiProblem("idempotency-key-missing", "send an Idempotency-Key header, one new "
                         "random value (e.g. a UUID) per checkout, so a retry cannot order "
                         "twice")
    if not _IDEMPOTENCY_KEY.fullmatch(key):
        raise ApiProblem("invalid-idempotency-key", "the Idempotency-Key must be 8 to 255 "
                         "printable ASCII characters without spaces, e.g. a UUID")
    return key


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
        # Parsed and validated in one pass by pydantic-core.
        return model.model_validate_json(data if data.strip() else b"{}")
    except ValidationError as exc:
        malformed = [error for error in exc.errors(include_url=False, include_input=False)
                     if error["type"] == "json_invalid"]
        if malformed:
            raise ApiProblem("invalid-json", "the body is not valid JSON: "
                             f"{malformed[0]['msg']}{_encoding_hint(request, data)}") from None
        raise validation_problem(exc, "the body") from None


def _encoding_hint(request: Request, data: bytes) -> str:
    """What to change when a body is JSON in another form than UTF-8 text."""
    if request.headers.get("content-encoding", "identity").lower() != "identity":
        return "; send it uncompressed (no Content-Encoding)"
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return "; send it as UTF-8 without a byte-order mark"
    try:
        utf8 = b"\x00" not in data and bool(data.decode("utf-8"))  # NULs: UTF-16, no mark
    except UnicodeDecodeError:
        utf8 = False
    return "" if utf8 else "; send it as UTF-8 text"


def _not_json(media_type: str) -> ApiProblem:
    return ApiProblem("unsupported-media-type", f"the body is '{media_type}'; send JSON with "
                      "Content-Type: application/json")


def _too_large(max_body: int) -> ApiProblem:
    return ApiProblem("content-too-large", f"the body is larger than {max_body // 1024} KiB; "
                      "send less")


def _json(model: BaseModel, headers: dict[str, str]) -> JSONResponse:
    return JSONResponse(model.model_dump(mode="json"), headers=headers)
