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


@dataclass(frozen=True, order=True)
class SheetProblem:
    """One thing wrong in an imported spreadsheet: file, sheet, row and column where known."""

    file: str
    sheet: str  # "" for CSV files, which have one unnamed sheet
    row: int  # 0 when the problem concerns the whole file or sheet
    position: int  # the column's number, so problems sort left to right; 0 for none
    column: str  # the header as written, or "" for a whole row
    message: str

    def __str__(self) -> str:
        parts = [self.file]
        if self.sheet:
            parts.append(f"sheet {self.sheet}")
        if self.row:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return f"{', '.join(parts)}: {self.message}"


class SheetError(LinesheetsError):
    """A spreadsheet cannot be imported; carries every problem of every row, and nothing is
    written. Problems of content files the import depends on come as ContentProblems."""

    def __init__(self, problems: Sequence[SheetProblem | ContentProblem]) -> None:
        sheet = sorted(p for p in problems if isinstance(p, SheetProblem))
        content = sorted(p for p in problems if isinstance(p, ContentProblem))
        self.problems: tuple[SheetProblem | ContentProblem, ...] = (*sheet, *content)
        count = len(self.problems)
        summary = f"{count} problem{'s' if count != 1 else ''} in the spreadsheet"
        super().__init__("\n".join([summary, *(str(p) for p in self.problems)]))


class AssetError(LinesheetsError):
    """An image, media or static file cannot be published (missing, unreadable, corrupt, too
    large)."""
