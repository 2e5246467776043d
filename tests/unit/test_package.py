"""The wheel: everything the code reads is in it, and an installed copy starts and builds a
brand's own repository from any folder, with no clone of linesheets beside it."""

from __future__ import annotations

import os
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


def test_an_installed_copy_starts_checks_and_builds_a_brand_repository(
    wheel: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site-packages"
    zipfile.ZipFile(wheel).extractall(site)
    work = tmp_path / "work"
    work.mkdir()
    # The dependencies from this environment, the project only from the wheel: PYTHONPATH
    # comes before the editable install's finder.
    env = {**os.environ, "PYTHONPATH": str(site)}

    def linesheets(*argv: str, cwd: Path) -> str:
        done = subprocess.run(
            [sys.executable, "-c", "import sys; from generator.cli import main; "
             "sys.exit(main())", *argv],
            cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        return done.stdout

    where = subprocess.run(
        [sys.executable, "-c", "import generator, order_api; "
         "print(generator.__file__); print(order_api.__file__)"],
        cwd=work, env=env, check=True, capture_output=True, text=True).stdout.split()
    assert all(Path(path).is_relative_to(site) for path in where), where

    linesheets("init", "kumo", "--name", "Kumo", "--languages", "en,ja", "--currencies",
               "JPY", "--timezone", "Asia/Tokyo", cwd=work)
    brand = work / "kumo"
    assert linesheets("check", cwd=brand).startswith("ok: Kumo: 1 season, 3 styles")
    assert "pages rendered" in linesheets("build", cwd=brand)
    season = next(path.name for path in (brand / "content/seasons").iterdir())
    linesheet = brand / f"public/l/{season}-open/ja/jpy/{season}/index.html"
    assert "Poplin Shirt" in linesheet.read_text()
    assert any((brand / "public/assets").glob("site.*.css"))
    assert (brand / "build/private/manifest.json").is_file()
