"""Problem details: every error the endpoint answers -> one RFC 9457 application/problem+json.

Each kind has a stable slug, so clients branch on `type` and never on the human `detail`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pydantic import ValidationError
from pydantic_core import ErrorDetails
from starlette.responses import JSONResponse

from generator.errors import format_field_path
from order_api.schemas import PROBLEM_JSON, FieldError, Problem, text_problem

TYPE_BASE = "https://linesheets.dev/problems/"

# slug -> (status, title); the slugs are part of the API (docs/api.md lists them).
KINDS: dict[str, tuple[int, str]] = {
    "invalid-json": (400, "The body is not valid JSON"),
    "cors-rejected": (400, "Cross-origin request not allowed"),
    "invalid-idempotency-key": (400, "The Idempotency-Key header is not valid"),
    "idempotency-key-missing": (400, "The Idempotency-Key header is required"),
    "passcode-rejected": (401, "Passcode not accepted"),
    "token-rejected": (401, "Unlock the link to order"),
    "outside-window": (403, "The link is not open"),
    "not-orderable": (403, "Not taking orders"),
    "not-found": (404, "Not found"),
    "unknown-link": (404, "No such link"),
    "method-not-allowed": (405, "Method not allowed"),
    "not-sealed": (409, "The link is not sealed"),
    "total-changed": (409, "The total has changed"),
    "out-of-stock": (409, "Not enough left"),
    "content-too-large": (413, "The body is too large"),
    "unsupported-media-type": (415, "The body must be JSON"),
    "validation-failed": (422, "The body is not valid"),
    "cart-rejected": (422, "The cart breaks the collection's rules"),
    "below-minimum-order": (422, "The order is below the minimum"),
    "idempotency-key-reused": (422, "The Idempotency-Key was used for another order"),
    "too-many-tries": (429, "Too many tries"),
    "internal-error": (500, "Internal error"),
    "storage-unavailable": (503, "Orders cannot be stored right now"),
}
_BY_STATUS = {400: "invalid-json", 404: "not-found", 405: "method-not-allowed",
              413: "content-too-large", 415: "unsupported-media-type"}


class ProblemResponse(JSONResponse):
    """A JSON response with the problem media type."""

    media_type = PROBLEM_JSON


class ApiProblem(Exception):
    """An error to answer as problem details; raised by handlers, rendered by the app."""

    def __init__(self, slug: str, detail: str, *, errors: Sequence[FieldError] = (),
                 headers: Mapping[str, str] | None = None, **extensions: object) -> None:
        super().__init__(detail)
        self.slug, self.detail, self.errors = slug, detail, list(errors)
        self.headers = dict(headers or {})
        self.extensions = extensions

    @property
    def status(self) -> int:
        """The HTTP status of this kind of problem."""
        return KINDS[self.slug][0]

    def response(self) -> ProblemResponse:
        """Render the problem."""
        status, title = KINDS[self.slug]
        problem = Problem.model_validate({
            "type": TYPE_BASE + self.slug, "title": title, "status": status,
            "detail": self.detail, "errors": self.errors or None, **self.extensions})
        return ProblemResponse(problem.model_dump(mode="json", exclude_none=True),
                               status_code=status, headers=self.headers)


def slug_for_status(status: int) -> str:
    """The problem kind of a bare HTTP error raised by the router or static files."""
    return _BY_STATUS.get(status, "not-found" if 400 <= status < 500 else "internal-error")


def invalid_fields(errors: list[FieldError]) -> ApiProblem:
    """A 422 naming the body's fields a rule refused, with what is wrong with each."""
    fields = ", ".join(error.field for error in errors)
    return ApiProblem("validation-failed", f"the body has invalid fields: {fields}; see "
                      "`errors` for each one", errors=errors)


def validation_problem(exc: ValidationError, what: str) -> ApiProblem:
    """Turn pydantic's errors into a 422 with one entry per field."""
    errors = [FieldError(field=format_field_path(tuple(error["loc"])), message=_message(error))
              for error in exc.errors(include_url=False)]
    fields = ", ".join(sorted({e.field or "(body)" for e in errors}))
    return ApiProblem("validation-failed", f"{what} has invalid fields: {fields}; see "
                      "`errors` for each one", errors=errors)


def _message(error: ErrorDetails) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "unknown field; remove it (docs/api.md lists the fields)"
    if kind == "missing":
        return "required"
    if kind == "string_pattern_mismatch":
        return text_problem(str(error.get("ctx", {}).get("pattern")), error.get("input")) or (
            error["msg"])
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return "must be a whole number, written as a JSON number (2, not \"2\" or 2.0)"
    if kind == "value_error":  # our own checks' messages, without pydantic's prefix
        return error["msg"].removeprefix("Value error, ")
    return error["msg"]
