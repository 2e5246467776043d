"""Model stage: raw entries -> pydantic models, pydantic's errors -> located ContentProblems."""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from generator.content import RawEntry
from generator.errors import ContentProblem, FieldPath
from generator.fields import (
    CODE_PATTERN,
    DATE_EXAMPLES,
    PHONE_HINT,
    PHONE_PATTERN,
    SLUG_PATTERN,
    ValidationContext,
)

ModelT = TypeVar("ModelT", bound=BaseModel)


def validate_entry(
    entry: RawEntry, model: type[ModelT], context: ValidationContext,
    problems: list[ContentProblem], data: Any = None, base: FieldPath = (),
) -> ModelT | None:
    """Validate an entry (or the part of it at `base`) against a model; None when invalid."""
    try:
        return model.model_validate(entry.data if data is None else data, context=dict(context))
    except ValidationError as exc:
        problems.extend(_problems(entry, model, exc, base))
        return None


def _problems(
    entry: RawEntry, model: type[BaseModel], exc: ValidationError, base: FieldPath
) -> list[ContentProblem]:
    found: dict[FieldPath, ContentProblem] = {}
    for error in exc.errors(include_url=False):
        names_key = error["type"] in ("missing", "extra_forbidden")
        path = _data_path(entry.data, (*base, *error["loc"]), len(base), names_key)
        message = _message(model, error, path[len(base):])
        # A union reports once per member; the first message is the one that fits.
        found.setdefault(path, entry.problem(path, message))
    return list(found.values())


def _data_path(data: Any, loc: tuple[Any, ...], start: int, names_key: bool) -> FieldPath:
    """Drop the union tags pydantic puts in a loc, keeping the keys that are in the data.

    The last part of a missing or unknown field's loc is a key even when the data lacks it.
    """
    path: list[str | int] = list(loc[:start])
    node = data
    for part in loc[:start]:
        node = _child(node, part)
    for index, part in enumerate(loc[start:], start=start):
        child = _child(node, part)
        is_last = index == len(loc) - 1
        if child is not _MISSING or (is_last and names_key and isinstance(node, dict)):
            path.append(part)
            node = child
    return tuple(path)


_MISSING = object()


def _child(node: Any, part: Any) -> Any:
    if isinstance(node, dict) and isinstance(part, str):
        return node.get(part, _MISSING)
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return _MISSING


def _message(model: type[BaseModel], error: Any, path: FieldPath) -> str:
    kind = error["type"]
    value = error.get("input")
    if kind == "missing":
        return f"required field '{path[-1]}' is missing; add it" if path else (
            "a required field is missing")
    if kind == "extra_forbidden":
        return _unknown_key_message(model, path)
    message = str(error["msg"]).removeprefix("Value error, ")
    if kind == "model_type":
        return "expected a mapping of fields (key: value)"
    if kind in ("list_type", "dict_type"):
        shape = "a list (- item)" if kind == "list_type" else "a mapping (key: value)"
        return f"expected {shape}, got '{_show(value)}'"
    # pydantic's own wording for these names its internals ("after validation", "Decimal
    # object", a regular expression); a brand needs what to write.
    if kind == "too_short" and isinstance(value, list | dict):
        least = error.get("ctx", {}).get("min_length", 1)
        return (f"is empty; give at least {least} item{'s' if least != 1 else ''}"
                if not value else f"has too few items; give at least {least}")
    if kind == "decimal_max_places":
        places = error.get("ctx", {}).get("decimal_places", 0)
        return f"'{_show(value)}' has more than {places} decimal places; round it"
    if kind in ("decimal_type", "decimal_parsing"):
        return f"expected a number such as 12000 or 144.50, got '{_show(value)}'"
    if kind.startswith(("datetime_", "date_")):
        return f"'{_show(value)}' is not a date; write it as ISO 8601, e.g. {DATE_EXAMPLES}"
    if kind == "string_pattern_mismatch":
        hint = _PATTERN_HINTS.get(str(error.get("ctx", {}).get("pattern")))
        if hint is not None:
            return f"'{_show(value)}' {hint}"
    if isinstance(value, str | int | float) and kind != "value_error":
        return f"{message}, got '{_show(value)}'"
    return message


_PATTERN_HINTS = {
    PHONE_PATTERN: PHONE_HINT,
    CODE_PATTERN: "is not a code; use letters, digits and . _ - (no spaces), starting with "
                  "a letter or digit, e.g. SS27-001",
    SLUG_PATTERN: "is not an id; use lowercase letters, digits and inner hyphens, e.g. ss27 "
                  "or spring-open",
}


def _show(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _unknown_key_message(model: type[BaseModel], path: FieldPath) -> str:
    key = str(path[-1]) if path else ""
    owner = _model_at(model, path[:-1])
    if owner is None:
        return f"unknown field '{key}'; remove it"
    hint = getattr(owner, "field_hints", {}).get(key)
    if hint:
        return f"unknown field '{key}': {hint}"
    allowed = sorted(field.alias or name for name, field in owner.model_fields.items())
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    if close:
        return f"unknown field '{key}'; did you mean '{close[0]}'?"
    return f"unknown field '{key}'; the fields here are: {', '.join(allowed)}"


def _model_at(model: type[BaseModel], path: FieldPath) -> type[BaseModel] | None:
    """Find the model class that owns the mapping at a data path."""
    current: Any = model
    for part in path:
        current = _step(current, part)
        if current is None:
            return None
    return _first_model(current)


def _step(annotation: Any, part: str | int) -> Any:
    model = _first_model(annotation)
    if model is not None and isinstance(part, str):
        field = model.model_fields.get(part) or next(
            (f for f in model.model_fields.values() if f.alias == part), None)
        return field.annotation if field is not None else None
    for option in _options(annotation):
        origin = typing.get_origin(option)
        args = typing.get_args(option)
        if origin is list and isinstance(part, int):
            return args[0]
        if origin is dict and isinstance(part, str):
            return args[1]
    return None


def _options(annotation: Any) -> list[Any]:
    """Flatten Optional, unions and Annotated into the plain types they allow."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _options(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [opt for arg in typing.get_args(annotation) for opt in _options(arg)]
    return [annotation]


def _first_model(annotation: Any) -> type[BaseModel] | None:
    for option in _options(annotation):
        if isinstance(option, type) and issubclass(option, BaseModel):
            return option
    return None
