"""The wheel: everything the code reads is in it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("generator", "order_api")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's wheel, built from a copy of its sources (a build in place would leave
    setuptools' build/ and egg-info in the checkout)."""
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    for package in PACKAGES:
        shutil.copytree(ROOT / package, source / package,
                        ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--no-build-isolation", "--wheel-dir", str(out), str(source)],
                   check=True, capture_output=True, timeout=300)
    (built,) = out.glob("linesheets-*.whl")
    return built


def _tracked(package: str) -> set[str]:
    listed = subprocess.run(["git", "ls-files", package], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout.split()
    return set(listed)


def test_the_wheel_holds_every_file_of_the_packages(wheel: Path) -> None:
    """Templates, scripts, styles, catalogs, e-mail bodies, the starter: a file missing here
    works from the checkout and breaks for every brand that installs the package."""
    names = set(zipfile.ZipFile(wheel).namelist())
    for package in PACKAGES:
        tracked = _tracked(package)
        assert tracked, package
        assert sorted(tracked - names) == []
