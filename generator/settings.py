"""BuildSettings: where the build reads and writes, and the moment it renders states for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

# Templates, static files and interface catalogs ship inside the package (pyproject.toml's
# package-data), so an installed wheel builds a brand's site from any folder.
SITE_TEMPLATES = Path(__file__).resolve().parent / "site_templates"


@dataclass(frozen=True)
class BuildSettings:
    """Inputs of one build."""

    content: Path
    now: datetime  # link and season states are rendered as of this moment (aware)
    out: Path = Path("public")
    private: Path = Path("build/private")
    cache: Path = Path("build/cache")  # encoded images, reused by later builds
    manifest: Path = Path("build/public-manifest.json")  # what the writer put in `out`
    templates: Path = SITE_TEMPLATES
    jobs: int = 0  # render processes; 0: one per core
    # False: a sealed link without a page key stops the build rather than getting a new key
    # (`build --no-new-keys`: a CI build with the brand's key store restored from a secret)
    new_keys: bool = True
    # Replaces brand.yaml's api_url: `linesheets serve` has the pages call its own endpoint
    # (as a local preview server serves at its own address), whatever the content says.
    api_url: str | None = None
