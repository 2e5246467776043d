"""Import stage, settings: a read content tree -> what the import needs from brand.yaml and
terms.yaml (languages, currencies, price lists, the validation context), and the season it
fills."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from generator.catalog import validate_content
from generator.content import ContentTree
from generator.errors import LinesheetsError
from generator.fields import ValidationContext
from generator.models import Brand, TermsFile
from generator.terms import DEFAULT_TERMS, RETAIL_LIST


@dataclass(frozen=True)
class BrandInfo:
    """The brand's settings that shape a sheet: its columns and how cells are validated."""

    languages: tuple[str, ...]
    default_language: str
    currencies: tuple[str, ...]
    price_lists: tuple[str, ...]  # `rrp`, then the code of every discount term
    context: ValidationContext


def read_brand(tree: ContentTree) -> BrandInfo:
    """Validate brand.yaml and terms.yaml; raise ContentError with every problem when invalid."""
    brand_entry = next(iter(tree.of_kind("brand")), None)
    terms_entry = next(iter(tree.of_kind("terms")), None)
    try:
        if brand_entry is None:
            raise _Invalid
        brand = Brand.model_validate(brand_entry.data)
        context: ValidationContext = {
            "media_root": tree.root / "media", "timezone": ZoneInfo(brand.timezone),
            "languages": tuple(brand.languages), "default_language": brand.default_language,
        }
        terms = (DEFAULT_TERMS if terms_entry is None else
                 tuple(TermsFile.model_validate(terms_entry.data, context=dict(context)).terms))
    except (ValidationError, _Invalid):
        # The catalog's own loader words and locates every problem of these files.
        validate_content(tree)
        raise LinesheetsError("brand.yaml or terms.yaml is invalid; run `linesheets check`"
                              ) from None
    lists = (RETAIL_LIST, *(term.code for term in terms if term.basis == "discount"))
    return BrandInfo(tuple(brand.languages), brand.default_language, tuple(brand.currencies),
                     tuple(dict.fromkeys(lists)), context)


class _Invalid(Exception):
    """brand.yaml is missing."""


def require_season(tree: ContentTree, content: Path, season: str) -> None:
    """Refuse a season without its season.yaml, naming those there are: an import into it,
    or a template named for it (a mistyped id would give a sheet no import takes)."""
    if not any(entry.ident == season for entry in tree.of_kind("season")):
        known = ", ".join(entry.ident for entry in tree.of_kind("season")) or "none yet"
        raise LinesheetsError(
            f"season '{season}' not found: {content.as_posix()}/seasons/{season}/season.yaml "
            f"does not exist; create it first (name, order_deadline), or import into one of: "
            f"{known}")
