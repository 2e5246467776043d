"""The OpenAPI 3.1 document: the route table x the pydantic schemas -> /api/openapi.json.

The table names each route's request body and answers; the JSON schemas come from the very
models that validate requests, so the document cannot drift from the behaviour.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from generator.fields import SLUG_PATTERN
from order_api.schemas import (
    PROBLEM_JSON,
    Health,
    LinkStatus,
    Order,
    OrderHistory,
    OrderRequest,
    Problem,
    Quote,
    QuoteRequest,
    StockLevels,
    UnlockRequest,
    UnlockResponse,
)

# Printable ASCII, as RFC 9110 field values allow; a UUID fits easily.
IDEMPOTENCY_KEY_PATTERN = r"^[\x21-\x7e]{8,255}$"


@dataclass(frozen=True)
class Operation:
    """One route of the document: what it reads and the answers it may give."""

    method: Literal["get", "post"]
    path: str
    operation_id: str
    summary: str
    responses: dict[int, tuple[str, type[BaseModel]]]
    request: type[BaseModel] | None = None
    link_parameter: bool = True
    idempotent: bool = False  # takes the Idempotency-Key header
    query: tuple[tuple[str, bool, str], ...] = ()  # (name, required, description)
    bearer: bool = False  # takes the order token on sealed links


_PROBLEMS: dict[int, tuple[str, type[BaseModel]]] = {
    status: (text, Problem) for status, text in (
        (400, "Malformed JSON (orders: or a missing or malformed Idempotency-Key)"),
        (404, "No such link or route"),
        (413, "Body larger than 256 KiB"), (415, "Not JSON"),
        (422, "Invalid body, with per-field errors"), (500, "Server error"))}

_ORDER_PROBLEMS: dict[int, tuple[str, type[BaseModel]]] = {
    401: ("A sealed link's order token is missing, invalid or expired", Problem),
    403: ("The link or season does not take orders now; `state` says why", Problem),
    404: ("No such link", Problem),
    503: ("The order store cannot be reached; try again after Retry-After seconds", Problem),
}

OPERATIONS = (
    Operation("get", "/api/links/{link}", "getLinkState",
              "The link's state now: window, season deadlines, server time",
              {200: ("The state", LinkStatus), 404: ("No such link", Problem)},
              link_parameter=True,
              query=(("viewed", False, "1 on a page's first ask as it opens: counted as a "
                                       "page viewed on the link (the answer is the same)."),)),
    Operation("post", "/api/links/{link}/unlock", "unlockLink",
              "Check a passcode inside the link's window; release the page key and a token",
              {200: ("The page key and an order token", UnlockResponse),
               401: ("Wrong passcode, or no such link (one answer for both)", Problem),
               403: ("Outside the link's window; `state` says which side", Problem),
               409: ("The link is not sealed: its pages are public", Problem),
               429: ("Too many tries; wait Retry-After seconds", Problem), **_PROBLEMS},
              request=UnlockRequest),
    Operation("post", "/api/links/{link}/quote", "quoteCart",
              "Price a cart on the server from the published catalog; nothing is stored",
              {200: ("The server's quote", Quote),
               409: ("expected_total differs, or a line wants more than its stock has left; "
                     "`quote` has the server's quote", Problem),
               **_ORDER_PROBLEMS, **_PROBLEMS},
              request=QuoteRequest, bearer=True),
    Operation("get", "/api/links/{link}/stock", "getStock",
              "The units orders can still take of each colour × size with a stock",
              {200: ("Units left per style, colour and size", StockLevels),
               401: _ORDER_PROBLEMS[401], 404: ("No such link", Problem),
               422: ("No season, or one the link does not offer", Problem),
               503: _ORDER_PROBLEMS[503]},
              bearer=True, query=(("season", True, "One of the link's seasons."),
                                  ("style", False, "One style number: only its cells."))),
    Operation("get", "/api/links/{link}/orders", "listOrders",
              "A registered buyer's orders on their own customer link, as they stand now",
              {200: ("The link's orders, the latest first", OrderHistory),
               401: _ORDER_PROBLEMS[401],
               404: ("No such link, or one that is not a customer link", Problem),
               503: _ORDER_PROBLEMS[503]},
              bearer=True),
    Operation("post", "/api/links/{link}/orders", "placeOrder",
              "Place an order: re-priced by the server, stored durably before the answer",
              {201: ("The order, stored (the same answer again for a repeated "
                     "Idempotency-Key with the same body)", Order),
               409: ("expected_total differs from the server's total, or a line wants more "
                     "than its stock has left (out-of-stock); `quote` has the server's quote",
                     Problem),
               **_ORDER_PROBLEMS, **_PROBLEMS},
              request=OrderRequest, idempotent=True, bearer=True),
    Operation("get", "/healthz", "health", "The endpoint is up",
              {200: ("Up", Health)}, link_parameter=False),
)


def openapi_document(version: str) -> dict[str, Any]:
    """Build the OpenAPI 3.1 document of OPERATIONS from the pydantic schemas."""
    models: list[tuple[type[BaseModel], JsonSchemaMode]] = []
    for operation in OPERATIONS:
        if operation.request is not None:
            models.append((operation.request, "validation"))
        models.extend((model, "serialization") for _, model in operation.responses.values())
    refs, schemas = models_json_schema(list(dict.fromkeys(models)),
                                       ref_template="#/components/schemas/{model}")
    paths: dict[str, dict[str, Any]] = {}
    for operation in OPERATIONS:
        item: dict[str, Any] = {
            "operationId": operation.operation_id, "summary": operation.summary,
            "responses": {
                str(status): {"description": text, "content": {
                    PROBLEM_JSON if model is Problem else "application/json":
                        {"schema": refs[(model, "serialization")]}}}
                for status, (text, model) in sorted(operation.responses.items())},
        }
        for status in (429, 503):
            if status in operation.responses:
                item["responses"][str(status)]["headers"] = {"Retry-After": {
                    "description": "Seconds before the next try is admitted.",
                    "schema": {"type": "integer", "minimum": 1}}}
        parameters: list[dict[str, Any]] = []
        if operation.link_parameter:
            parameters.append({"name": "link", "in": "path", "required": True,
                               "schema": {"type": "string", "pattern": SLUG_PATTERN,
                                          "maxLength": 64}})
        parameters.extend({"name": name, "in": "query", "required": required,
                           "description": description, "schema": {"type": "string"}}
                          for name, required, description in operation.query)
        if operation.idempotent:
            parameters.append({
                "name": "Idempotency-Key", "in": "header", "required": True,
                "description": "One per checkout: a retry with the same key and body gets "
                               "the same order; another body with it is refused (422).",
                "schema": {"type": "string", "pattern": IDEMPOTENCY_KEY_PATTERN}})
        if operation.bearer:
            item["security"] = [{}, {"orderToken": []}]
        if parameters:
            item["parameters"] = parameters
        if operation.request is not None:
            item["requestBody"] = {
                "required": operation.request is not UnlockRequest,
                "content": {"application/json": {
                    "schema": refs[(operation.request, "validation")]}}}
        paths.setdefault(operation.path, {})[operation.method] = item
    return {
        "openapi": "3.1.0",
        "info": {"title": "linesheets order endpoint", "version": version,
                 "description": "Link state, passcode unlock, quotes and orders (DESIGN.md "
                                "§5); errors are RFC 9457 problem details."},
        "paths": paths,
        "components": {
            "schemas": schemas.get("$defs", {}),
            "securitySchemes": {"orderToken": {
                "type": "http", "scheme": "bearer",
                "description": "The token `unlock` returns; required on sealed links."}},
        },
    }
