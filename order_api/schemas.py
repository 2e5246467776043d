"""API schemas: the pydantic request and response bodies, and the OpenAPI 3.1 document of them.

Every body the endpoint reads or writes is one of these models, so the document at
/api/openapi.json is generated from the same types that validate requests (DESIGN.md §5).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from generator.state import LinkState

PROBLEM_JSON = "application/problem+json"
SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$"


class _Body(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class UnlockRequest(_Body):
    """The passcode a buyer typed; links without a passcode unlock with an empty body."""

    passcode: str | None = Field(default=None, max_length=256,
                                 description="The link's passcode (a customer link: its buyer's).")


class Window(_Body):
    """When a link opens and closes; null: no bound."""

    release_at: datetime | None
    expires_at: datetime | None


class SeasonStatus(_Body):
    """A season of a link: its order deadline and whether it takes orders now."""

    id: str
    order_deadline: datetime
    orderable: bool


class LinkStatus(_Body):
    """A link's state at the server's clock."""

    link: str
    state: LinkState = Field(description="upcoming | open | view_only | expired, as of "
                                         "server_time")
    sealed: bool = Field(description="The pages are encrypted; unlock releases their key.")
    passcode: bool = Field(description="Unlocking needs a passcode.")
    window: Window
    seasons: list[SeasonStatus]
    server_time: datetime


class UnlockResponse(_Body):
    """A sealed link's page key, and a token that orders of the link carry (#6)."""

    key: str = Field(description="The raw 32-byte AES-256-GCM key, base64.")
    key_version: int = Field(description="The version the pages name as `v`; their AAD is "
                                         "'<link>:<key_version>'.")
    token: str = Field(description="Bearer token for orders of this link until expires_at.")
    expires_at: datetime = Field(description="When the token expires: at most 12 hours, and "
                                             "never after the link expires.")


class Health(_Body):
    """The endpoint is up, with the manifest it serves."""

    status: Literal["ok"]
    links: int
    server_time: datetime


class FieldError(_Body):
    """What is wrong with one field of a request body."""

    field: str = Field(description="Dotted path, e.g. lines[0].quantity; empty: the body.")
    message: str


class Problem(_Body):
    """An error, as RFC 9457 problem details."""

    type: str = Field(description="Stable URI of the kind of problem.")
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = Field(default=None, description="Per-field errors (422).")
    state: LinkState | None = Field(default=None, description="The link's state (403 on "
                                                              "unlock outside the window).")
    retry_after: int | None = Field(default=None, description="Seconds to wait (429).")


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


_PROBLEMS: dict[int, tuple[str, type[BaseModel]]] = {
    status: (text, Problem) for status, text in (
        (400, "Malformed JSON"), (413, "Body larger than 256 KiB"), (415, "Not JSON"),
        (422, "Invalid body, with per-field errors"), (500, "Server error"))}

OPERATIONS = (
    Operation("get", "/api/links/{link}", "getLinkState",
              "The link's state now: window, season deadlines, server time",
              {200: ("The state", LinkStatus), 404: ("No such link", Problem)},
              link_parameter=True),
    Operation("post", "/api/links/{link}/unlock", "unlockLink",
              "Check a passcode inside the link's window; release the page key and a token",
              {200: ("The page key and an order token", UnlockResponse),
               401: ("Wrong passcode, or no such link (one answer for both)", Problem),
               403: ("Outside the link's window; `state` says which side", Problem),
               409: ("The link is not sealed: its pages are public", Problem),
               429: ("Too many tries; wait Retry-After seconds", Problem), **_PROBLEMS},
              request=UnlockRequest),
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
        if 429 in operation.responses:
            item["responses"]["429"]["headers"] = {"Retry-After": {
                "description": "Seconds before the next try is admitted.",
                "schema": {"type": "integer", "minimum": 1}}}
        if operation.link_parameter:
            item["parameters"] = [{"name": "link", "in": "path", "required": True,
                                   "schema": {"type": "string", "pattern": SLUG_PATTERN,
                                              "maxLength": 64}}]
        if operation.request is not None:
            item["requestBody"] = {"required": False, "content": {"application/json": {
                "schema": refs[(operation.request, "validation")]}}}
        paths.setdefault(operation.path, {})[operation.method] = item
    return {
        "openapi": "3.1.0",
        "info": {"title": "linesheets order endpoint", "version": version,
                 "description": "Link state and passcode unlock (DESIGN.md §5); errors are "
                                "RFC 9457 problem details."},
        "paths": paths,
        "components": {"schemas": schemas.get("$defs", {})},
    }
