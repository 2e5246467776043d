"""Asset benchmark: publish the demo brand's images (content/media) as responsive variants from
an empty cache and again from the warm cache, and compare libwebp's effort levels on a sample."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from bench import Result, best_of
from generator.assets import MAX_PIXELS, AssetPipeline, ImageSettings
from generator.assets._images import encode_variants
from generator.settings import SITE_TEMPLATES

ROOT = Path(__file__).resolve().parents[1]
MEDIA = ROOT / "content" / "media"
IMAGES = (".jpg", ".jpeg", ".png")
REPEATS = 3
SAMPLE = 4  # every 4th image for the effort comparison: its cold encodes take about 15 s
METHODS = (4, 5, 6)


def run() -> list[Result]:
    """Run the asset cases and return their results."""
    names = sorted(path.relative_to(MEDIA).as_posix() for path in MEDIA.rglob("*")
                   if path.suffix.lower() in IMAGES)
    with tempfile.TemporaryDirectory(prefix="bench-assets-") as folder:
        cold, cold_time = _publish(names, Path(folder))
        warm_pipeline: list[AssetPipeline] = []
        warm_time = best_of(REPEATS, lambda: warm_pipeline.append(_publish(names, Path(folder))[0]))
    files = cold.files()
    assert all(p.files() == files and p.encodes == 0 for p in warm_pipeline), "cache missed"
    source = sum((MEDIA / name).stat().st_size for name in names)
    webp = sum(len(file.data) for file in files if file.path.endswith(".webp"))
    fallback = sum(len(file.data) for file in files) - webp
    return [
        Result(f"picture: {len(names)} demo images, empty cache", len(names), cold_time,
               f"images; {cold.encodes} variants encoded: {source / 1e6:.1f} MB of sources -> "
               f"{webp / 1e6:.1f} MB WebP + {fallback / 1e6:.1f} MB fallback"),
        Result(f"picture: {len(names)} demo images, warm cache", len(names), warm_time,
               "images; 0 variants encoded; best of 3"),
        *_methods(names[::SAMPLE]),
    ]


def _publish(names: list[str], cache: Path) -> tuple[AssetPipeline, float]:
    """Ask a new pipeline for every image and its files, as one build would; time it."""
    start = time.perf_counter()
    pipeline = AssetPipeline(MEDIA, SITE_TEMPLATES, cache)
    for name in names:
        pipeline.picture(name)
    pipeline.files()
    return pipeline, time.perf_counter() - start


def _methods(names: list[str]) -> list[Result]:
    """Encode the sample's variants (no cache) at each libwebp effort level."""
    sources = [(name, (MEDIA / name).read_bytes()) for name in names]
    results = []
    for method in METHODS:
        settings = ImageSettings(webp_method=method)
        start = time.perf_counter()
        variants = [v for name, data in sources
                    for v in encode_variants(data, name, settings, MAX_PIXELS)]
        seconds = time.perf_counter() - start
        webp = sum(len(v.data) for v in variants if v.ext == "webp")
        results.append(Result(f"encode_variants, WebP method {method}: {len(names)} images",
                              len(names), seconds, f"images; {webp / 1e6:.2f} MB WebP"))
    return results


def main() -> None:
    """Run this case alone and print its table."""
    from bench.__main__ import _table

    print(_table(run()))


if __name__ == "__main__":
    main()
