"""The package's one base error and its kinds; a content error knows its file, line and field."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

FieldPath = tuple[str | int, ...]


class LinesheetsError(Exception):
    """Base of every error this package raises on purpose."""


def format_field_path(path: FieldPath) -> str:
    """Render ('colors', 0, 'code') as 'colors[0].code', the way a user reads YAML."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


@dataclass(frozen=True, order=True)
class ContentProblem:
    """One thing wrong in the content tree, located as precisely as the source allows."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        location = f"{self.file}:{self.line}" if self.line else self.file
        return f"{location}: {self.field}: {self.message}" if self.field else (
            f"{location}: {self.message}"
        )


class ContentError(LinesheetsError):
    """The content tree is invalid; carries every problem found, not just the first."""

    def __init__(self, problems: Sequence[ContentProblem]) -> None:
        self.problems = tuple(sorted(problems))
        count = len(self.problems)
        summary = f"{count} problem{'s' if count != 1 else ''} in the content"
        super().__init__("\n".join([summary, *(str(p) for p in self.problems)]))


class PricingError(LinesheetsError):
    """A price cannot be computed (missing list, unknown term or currency, bad quantity)."""


class PlanError(LinesheetsError):
    """The page plan is inconsistent, e.g. two pages claim one output path."""


def relative_name(path: Path, root: Path) -> str:
    """Name a file relative to the content root's parent, as a user would type it."""
    try:
        return path.relative_to(root.parent).as_posix()
    except ValueError:
        return path.as_posix()


def raise_if_any(problems: Iterable[ContentProblem]) -> None:
    """Raise one ContentError carrying every problem, if there is any."""
    collected = list(problems)
    if collected:
        raise ContentError(collected)
