"""The endpoint's ASGI app: ApiSettings -> Starlette app with its routes and middleware.

`linesheets api` runs `create_app` as a uvicorn factory (settings from the environment, one
call per worker); `linesheets serve` passes settings and the built site, which it serves on
the same origin. Every error leaves as RFC 9457 problem details, whatever raised it.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route, Router
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from order_api import heap
from order_api.endpoints import Endpoints
from order_api.notify import delivery_worker
from order_api.preflight import site_origin_problem
from order_api.problems import ApiProblem, slug_for_status
from order_api.published import PublishedSource
from order_api.settings import ApiSettings
from order_api.store import OrderStore, open_store, store_throttle
from order_api.throttle import Throttle

log = logging.getLogger(__name__)

API_PATHS = ("/api/", "/healthz")
# API answers are data, never documents: nothing may run, embed or frame them.
API_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
    "Cross-Origin-Resource-Policy": "same-site",
}
COMMON_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
# As ASGI header pairs, once: what SecurityHeaders adds where a response did not set it.
_SITE_HEADERS = tuple((name.lower().encode(), value.encode())
                      for name, value in COMMON_HEADERS.items())
_API_HEADERS = _SITE_HEADERS + tuple(
    (name.lower().encode(), value.encode())
    for name, value in (API_HEADERS | {"Cache-Control": "no-store"}).items())


def serve_app() -> Starlette:
    """The app of `linesheets api` (a uvicorn factory, one call per worker process), with the
    process's collector settled on the build it loaded (order_api/heap.py)."""
    app = create_app()
    heap.settle()
    return app


def create_app(settings: ApiSettings | None = None, *, site: Path | None = None,
               site_path: str | Callable[[], str] = "", throttle: Throttle | None = None,
               store: OrderStore | None = None) -> Starlette:
    """Make the endpoint (and, with `site`, serve that folder's files on the same origin, at
    `site_path` when base_url puts the site in a folder, e.g. "/wholesale"; a function is
    asked at each request, so `linesheets serve` follows a base_url edited while it runs)."""
    settings = settings if settings is not None else ApiSettings.from_environment()
    source = PublishedSource(settings.manifest, settings.keys, settings.reload_interval)
    owned = store is None  # a store the app opened is the app's to close
    store = open_store(settings.database_url) if store is None else store
    endpoints = Endpoints(settings, source, throttle or store_throttle(store), store)
    worker = delivery_worker(settings, source, store)
    if site is None and (refused := site_origin_problem(  # `linesheets api`: pages elsewhere
            settings.site_origin, source.current().manifest.brand)) is not None:
        log.warning("%s", refused)
    # A mount of its own, so that with the site mounted at / every /api path still gets the
    # API's 404 and 405 rather than the static files' answer. Routes are tried in order: the
    # busiest first.
    routes: list[BaseRoute] = [
        # No redirect between a path with and without its trailing slash: a client of the
        # API gets the 404 problem that names the routes, not a bare 307 built from its Host.
        Mount("/api", app=Router(routes=[
            Route("/links/{link}/orders", endpoints.orders, methods=["GET", "POST"]),
            Route("/links/{link}/quote", endpoints.quote, methods=["POST"]),
            Route("/links/{link}/stock", endpoints.stock, methods=["GET"]),
            Route("/links/{link}", endpoints.link_state, methods=["GET"]),
            Route("/links/{link}/unlock", endpoints.unlock, methods=["POST"]),
            Route("/openapi.json", endpoints.openapi, methods=["GET"]),
        ], redirect_slashes=False)),
        Route("/healthz", endpoints.health, methods=["GET"]),
    ]
    if site is not None:
        folder = site_path if callable(site_path) else lambda: site_path
        routes.append(Mount("/", app=SiteFolder(site, folder)))
    middleware = [Middleware(SecurityHeaders)]
    if settings.site_origin is not None:
        middleware.append(Middleware(
            ProblemCORSMiddleware, allow_origins=[settings.site_origin],
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type", "Authorization", "Idempotency-Key"],
            expose_headers=["Retry-After"], max_age=600))
    middleware.append(Middleware(CatchAll))

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if worker is not None:
            worker.start()  # sends the outbox, from this process while it leads
        endpoints.activity.start()
        yield
        await endpoints.activity.stop()  # what was counted, written before the store closes
        if worker is not None:
            await worker.stop()
        if owned:
            store.close()  # SQLite checkpoints its WAL; nothing acknowledged is left in memory

    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan,
                    exception_handlers={ApiProblem: _problem, HTTPException: _http_error})
    # Nor is /api redirected to /api/ (the site's folders are redirected by StaticFiles).
    app.router.redirect_slashes = False
    return app


async def _problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiProblem)
    return exc.response()


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    path, method = request.url.path, request.method
    if exc.status_code == 404:
        detail = f"nothing at '{path}'" + ("; the API's routes are listed in /api/openapi.json"
                                           if path.startswith(API_PATHS) or path == "/api"
                                           else "")
    elif exc.status_code == 405:
        allowed = (exc.headers or {}).get("Allow", "")
        detail = f"{method} is not allowed on '{path}'; use {allowed or 'another method'}"
    else:
        detail = f"{exc.detail} ({method} '{path}')"
    return ApiProblem(slug_for_status(exc.status_code), detail,
                      headers=exc.headers).response()


class SecurityHeaders:
    """Add the security headers, and `no-store` unless a response chose its own caching."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        added = _API_HEADERS if str(scope["path"]).startswith(API_PATHS) else _SITE_HEADERS

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in added if name not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class SiteFolder:
    """The built site's files at the folder base_url puts them in (`folder()`: "/wholesale",
    or "" at the root): a path outside it is not found, as any path no route takes."""

    def __init__(self, directory: Path, folder: Callable[[], str]) -> None:
        self.files = StaticFiles(directory=directory, html=True)
        self.folder = folder

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        folder = self.folder()
        path: str = scope["path"]
        if folder and path != folder and not path.startswith(f"{folder}/"):
            raise HTTPException(status_code=404)
        # As a Mount at the folder would: the files see the path below it, and redirect a
        # folder's address to its trailing slash under it.
        root = scope.get("root_path", "") + folder
        await self.files({**scope, "root_path": root}, receive, send)


class CatchAll:
    """Answer an unexpected exception with a 500 problem, logged once, without its locals."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except ClientDisconnect:  # a buyer's phone lost its connection mid-request
            log.info("%s %s: the client went away before its request arrived whole",
                     scope["method"], scope["path"])
        except Exception:
            if started:
                raise
            log.exception("%s %s failed", scope["method"], scope["path"])
            response = ApiProblem("internal-error", "the endpoint failed to answer; it has "
                                  "been logged, try again later").response()
            await response(scope, receive, send)


class ProblemCORSMiddleware(CORSMiddleware):
    """Starlette's CORS for the one site origin, refusing preflights as problem details."""

    def preflight_response(self, request_headers: Headers) -> Response:
        """Answer a preflight; a refused one becomes a 400 cors-rejected problem."""
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        reason = bytes(response.body).decode()
        headers = {k: v for k, v in response.headers.items()
                   if k.lower().startswith("access-control-") or k.lower() == "vary"}
        return ApiProblem("cors-rejected", f"{reason}: only the brand's site origin may call "
                          "the endpoint with these methods and headers",
                          headers=headers).response()
