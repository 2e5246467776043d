"""Tests of the asset stage: responsive image variants, the image cache, media and static
fingerprinting, and the errors a brand meets."""

from __future__ import annotations

import hashlib
import io
import random
import re
import shutil
from pathlib import Path

import pytest
from PIL import Image, ImageCms

from generator.assets import MAX_PIXELS, AssetPipeline, ImageSettings, Picture
from generator.assets._images import variant_widths
from generator.errors import AssetError
from generator.writer import OutputFile

IMAGE_NAME = re.compile(r"assets/img/(?P<hash>[0-9a-f]{16})-(?P<width>\d+)\.(?P<ext>webp|jpg|png)")


def _photo(width: int, height: int, mode: str = "RGB", seed: int = 1) -> Image.Image:
    """Draw soft colour blotches, about as compressible as a photo, in a fixed way."""
    rng = random.Random(seed)
    small = (max(1, width // 20), max(1, height // 20))
    noise = Image.frombytes("RGB", small, rng.randbytes(small[0] * small[1] * 3))
    image = noise.resize((width, height), Image.Resampling.BICUBIC)
    if mode == "RGBA":
        image.putalpha(Image.linear_gradient("L").resize((width, height)))
    return image.convert(mode) if mode != image.mode else image


def _save(root: Path, name: str, image: Image.Image, format: str, **options: object) -> str:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, format, **options)
    return name


@pytest.fixture
def media(tmp_path: Path) -> Path:
    root = tmp_path / "media"
    _save(root, "styles/ss27/SS27-001-BLK.jpg", _photo(1600, 500), "JPEG", quality=90)
    _save(root, "styles/ss27/SS27-002-NVY.jpg", _photo(300, 400, seed=2), "JPEG")
    return root


def _pipeline(media: Path, cache: Path, settings: ImageSettings | None = None,
              max_pixels: int = MAX_PIXELS) -> AssetPipeline:
    return AssetPipeline(media, media.parent / "static", cache, settings=settings,
                         max_pixels=max_pixels)


def _widths(picture: Picture) -> list[int]:
    return [int(entry.rsplit(" ", 1)[1].removesuffix("w")) for entry in picture.srcset.split(", ")]


def _open(files: list[OutputFile], url: str) -> Image.Image:
    path = url.removeprefix("/")
    return Image.open(io.BytesIO(next(f.data for f in files if f.path == path)))


def test_image_names_are_content_hashes_without_the_source_name(
        media: Path, tmp_path: Path) -> None:
    pipeline = _pipeline(media, tmp_path / "cache")
    picture = pipeline.picture("styles/ss27/SS27-001-BLK.jpg")
    files = pipeline.files()
    assert [f.path for f in files] == sorted(f.path for f in files)
    for file in files:
        match = IMAGE_NAME.fullmatch(file.path)
        assert match, file.path
        assert match["hash"] == hashlib.sha256(file.data).hexdigest()[:16]
    urls = [picture.src, *(entry.split(" ")[0] for entry in picture.srcset.split(", "))]
    assert sorted(url.removeprefix("/") for url in urls) == [f.path for f in files]
    assert not any(part in url for url in urls for part in ("SS27", "ss27", "BLK", "styles"))


def test_variants_have_the_planned_widths_and_heights(media: Path, tmp_path: Path) -> None:
    pipeline = _pipeline(media, tmp_path / "cache")
    picture = pipeline.picture("styles/ss27/SS27-001-BLK.jpg")
    assert _widths(picture) == [480, 960, 1440]
    assert (picture.width, picture.height) == (960, 300)
    assert picture.src.endswith("-960.jpg")
    files = pipeline.files()
    fallback = _open(files, picture.src)
    assert (fallback.format, fallback.size) == ("JPEG", (960, 300))
    for entry in picture.srcset.split(", "):
        url, width = entry.split(" ")
        variant = _open(files, url)
        assert variant.format == "WEBP"
        assert variant.size == (int(width[:-1]), round(500 * int(width[:-1]) / 1600))


def test_narrow_images_are_never_upscaled(media: Path, tmp_path: Path) -> None:
    picture = _pipeline(media, tmp_path / "cache").picture("styles/ss27/SS27-002-NVY.jpg")
    assert _widths(picture) == [300]
    assert (picture.width, picture.height) == (300, 400)
    assert variant_widths(900, (480, 960, 1440)) == (480, 900)
    assert variant_widths(1000, (480, 960, 1440)) == (480, 960)  # 1000 is too close to 960
    assert variant_widths(480, (480, 960, 1440)) == (480,)


def test_transparent_png_keeps_a_png_fallback_and_webp_alpha(
        media: Path, tmp_path: Path) -> None:
    _save(media, "logo.png", _photo(600, 200, "RGBA"), "PNG")
    _save(media, "opaque.png", _photo(600, 200, "RGBA").convert("RGB").convert("RGBA"), "PNG")
    pipeline = _pipeline(media, tmp_path / "cache")
    logo = pipeline.picture("logo.png")
    files = pipeline.files()
    assert logo.src.endswith("-600.png")
    assert _open(files, logo.src).mode == "RGBA"
    assert _open(files, logo.srcset.split(" ")[0]).mode == "RGBA"
    assert pipeline.picture("opaque.png").src.endswith(".jpg")


def test_cmyk_and_palette_images_become_rgb(media: Path, tmp_path: Path) -> None:
    _save(media, "cmyk.jpg", _photo(500, 500).convert("CMYK"), "JPEG")
    _save(media, "palette.png", _photo(500, 500).convert("P"), "PNG")
    pipeline = _pipeline(media, tmp_path / "cache")
    for name in ("cmyk.jpg", "palette.png"):
        picture = pipeline.picture(name)
        assert picture.src.endswith(".jpg")
        assert _open(pipeline.files(), picture.src).mode == "RGB"


def test_orientation_is_applied_and_metadata_stripped(media: Path, tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    exif[0x010F] = "SecretCam"  # Make
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    _save(media, "phone.jpg", _photo(400, 300), "JPEG", exif=exif, icc_profile=srgb)
    pipeline = _pipeline(media, tmp_path / "cache")
    picture = pipeline.picture("phone.jpg")
    assert (picture.width, picture.height) == (300, 400)
    for file in pipeline.files():
        image = Image.open(io.BytesIO(file.data))
        assert not {"exif", "icc_profile", "xmp"} & set(image.info), file.path
        assert not image.getexif()
        assert b"SecretCam" not in file.data


def test_two_builds_give_byte_identical_files(media: Path, tmp_path: Path) -> None:
    (tmp_path / "static").mkdir()
    (tmp_path / "static/site.css").write_text("body { margin: 0 }\n")
    first = _pipeline(media, tmp_path / "one")
    second = _pipeline(media, tmp_path / "two")
    for pipeline in (first, second):
        pipeline.picture("styles/ss27/SS27-001-BLK.jpg")
        pipeline.static("site.css")
    assert first.files() == second.files()
    assert first.encodes == second.encodes == 4


def test_a_rebuild_from_the_cache_encodes_nothing(media: Path, tmp_path: Path) -> None:
    cold = _pipeline(media, tmp_path / "cache")
    pictures = [cold.picture(name) for name in ("styles/ss27/SS27-001-BLK.jpg",
                                                "styles/ss27/SS27-002-NVY.jpg")]
    assert cold.encodes == 4 + 2
    warm = _pipeline(media, tmp_path / "cache")
    assert [warm.picture(name) for name in ("styles/ss27/SS27-001-BLK.jpg",
                                            "styles/ss27/SS27-002-NVY.jpg")] == pictures
    assert warm.encodes == 0
    assert warm.files() == cold.files()


def test_each_source_is_processed_once_per_build(media: Path, tmp_path: Path) -> None:
    shutil.copy(media / "styles/ss27/SS27-001-BLK.jpg", media / "copy.jpg")
    pipeline = _pipeline(media, tmp_path / "cache")
    pictures = {pipeline.picture(name) for name in ("styles/ss27/SS27-001-BLK.jpg", "copy.jpg",
                                                   "styles/ss27/SS27-001-BLK.jpg")}
    assert len(pictures) == 1
    assert pipeline.encodes == 4
    assert len(pipeline.files()) == 4


def test_changed_settings_invalidate_the_cache(media: Path, tmp_path: Path) -> None:
    before = _pipeline(media, tmp_path / "cache").picture("styles/ss27/SS27-002-NVY.jpg")
    changed = _pipeline(media, tmp_path / "cache", settings=ImageSettings(jpeg_quality=60))
    after = changed.picture("styles/ss27/SS27-002-NVY.jpg")
    assert changed.encodes == 2
    assert after.src != before.src
    assert after.srcset == before.srcset  # same WebP settings, same bytes, same names


def test_a_damaged_cache_entry_is_encoded_again(media: Path, tmp_path: Path) -> None:
    cold = _pipeline(media, tmp_path / "cache")
    cold.picture("styles/ss27/SS27-002-NVY.jpg")
    (cached,) = (tmp_path / "cache").glob("*/*/300.webp")
    cached.write_bytes(cached.read_bytes()[:100])  # as if a build died mid-write
    again = _pipeline(media, tmp_path / "cache")
    again.picture("styles/ss27/SS27-002-NVY.jpg")
    assert again.encodes == 2
    assert again.files() == cold.files()
    assert not list((tmp_path / "cache").rglob("*.tmp"))


def test_only_assets_asked_for_are_published(media: Path, tmp_path: Path) -> None:
    pipeline = _pipeline(media, tmp_path / "cache")
    assert pipeline.files() == []
    pipeline.picture("styles/ss27/SS27-002-NVY.jpg")
    assert sorted(f.path.rsplit("-", 1)[1] for f in pipeline.files()) == ["300.jpg", "300.webp"]


def test_media_is_copied_as_is_under_its_hash(media: Path, tmp_path: Path) -> None:
    (media / "video").mkdir()
    (media / "video/SS27-runway.MP4").write_bytes(b"\x00\x00\x00\x18ftypmp42 not really")
    pipeline = _pipeline(media, tmp_path / "cache")
    url = pipeline.media("video/SS27-runway.MP4")
    digest = hashlib.sha256(b"\x00\x00\x00\x18ftypmp42 not really").hexdigest()[:16]
    assert url == f"/assets/media/{digest}.mp4"
    assert pipeline.files() == [OutputFile(f"assets/media/{digest}.mp4",
                                           b"\x00\x00\x00\x18ftypmp42 not really")]


def test_static_names_follow_their_bytes(tmp_path: Path) -> None:
    static = tmp_path / "static"
    (static / "js").mkdir(parents=True)
    (static / "site.css").write_text("body { color: #111 }\n")
    (static / "js/cart.js").write_text("export {};\n")
    pipeline = AssetPipeline(tmp_path / "media", static, tmp_path / "cache")
    css = pipeline.static("site.css")
    digest = hashlib.sha256(b"body { color: #111 }\n").hexdigest()[:8]
    assert css == f"/assets/site.{digest}.css"
    assert re.fullmatch(r"/assets/js/cart\.[0-9a-f]{8}\.js", pipeline.static("js/cart.js"))
    (static / "site.css").write_text("body { color: #222 }\n")
    assert AssetPipeline(tmp_path / "media", static, tmp_path / "cache").static("site.css") != css


def test_stylesheet_references_are_fingerprinted(tmp_path: Path) -> None:
    static = tmp_path / "static"
    (static / "fonts").mkdir(parents=True)
    (static / "fonts/body.woff2").write_bytes(b"wOF2 font")
    (static / "site.css").write_text(
        '@font-face { src: url("fonts/body.woff2?v=1") format("woff2"), url(data:,x); }\n'
        "a { background: url(https://example.com/x.png) }\n")
    pipeline = AssetPipeline(tmp_path / "media", static, tmp_path / "cache", "https://cdn.test")
    url = pipeline.static("site.css")
    assert url.startswith("https://cdn.test/site.")
    files = {f.path: f.data for f in pipeline.files()}
    font = hashlib.sha256(b"wOF2 font").hexdigest()[:8]
    assert files[f"assets/fonts/body.{font}.woff2"] == b"wOF2 font"
    css = files["assets/" + url.removeprefix("https://cdn.test/")].decode()
    assert f'url("fonts/body.{font}.woff2?v=1")' in css
    assert "url(data:,x)" in css and "url(https://example.com/x.png)" in css


def test_a_missing_stylesheet_reference_names_the_stylesheet(tmp_path: Path) -> None:
    (tmp_path / "static").mkdir()
    (tmp_path / "static/site.css").write_text("a { background: url(img/gone.png) }")
    pipeline = AssetPipeline(tmp_path / "media", tmp_path / "static", tmp_path / "cache")
    with pytest.raises(AssetError, match=r"stylesheet 'site.css'.*'img/gone.png' not found"):
        pipeline.static("site.css")


def test_module_imports_are_fingerprinted_and_shared(tmp_path: Path) -> None:
    """Imported modules get their fingerprinted names; two pages' modules share one copy."""
    static = tmp_path / "static"
    (static / "lib").mkdir(parents=True)
    (static / "lib/money.js").write_text("export const money = 1;\n")
    (static / "state.js").write_text('import { money } from "./lib/money.js";\nexport {};\n')
    (static / "grid.js").write_text(
        'import { money } from "./lib/money.js";\nimport "./state.js";\n'
        "export * from './state.js';\nconst later = () => import(\"./lib/money.js\");\n"
        'import { x } from "https://cdn.test/x.js";\n')
    pipeline = AssetPipeline(tmp_path / "media", static, tmp_path / "cache")
    grid = pipeline.static("grid.js")
    files = {f.path: f.data for f in pipeline.files()}
    money = hashlib.sha256(b"export const money = 1;\n").hexdigest()[:8]
    state = pipeline.static("state.js").removeprefix("/assets/")
    text = files[grid.removeprefix("/")].decode()
    assert text.count(f'"./lib/money.{money}.js"') == 2
    assert f'import "./{state}";' in text and f"export * from './{state}';" in text
    assert '"https://cdn.test/x.js"' in text
    assert f'from "./lib/money.{money}.js"' in files[f"assets/{state}"].decode()
    # A changed dependency renames every module that imports it.
    (static / "lib/money.js").write_text("export const money = 2;\n")
    again = AssetPipeline(tmp_path / "media", static, tmp_path / "cache")
    assert again.static("grid.js") != grid


def test_module_import_cycles_and_missing_modules_are_errors(tmp_path: Path) -> None:
    static = tmp_path / "static"
    static.mkdir()
    (static / "a.js").write_text('import "./b.js";\n')
    (static / "b.js").write_text('import "./a.js";\n')
    (static / "c.js").write_text('import { y } from "./gone.js";\n')
    pipeline = AssetPipeline(tmp_path / "media", static, tmp_path / "cache")
    with pytest.raises(AssetError, match=r"'a.js' refers to itself"):
        pipeline.static("a.js")
    with pytest.raises(AssetError, match=r"module 'c.js'.*'gone.js' not found"):
        pipeline.static("c.js")


@pytest.mark.parametrize(("name", "content", "message"), [
    ("styles/nope.jpg", None, r"media file 'styles/nope.jpg' not found in '.*media'"),
    ("broken.jpg", b"\xff\xd8\xff\xe0 not a jpeg", r"image 'broken.jpg' is damaged or truncated"),
    ("notes.jpg", b"hello", r"'notes.jpg' is not a JPEG, PNG, WebP or GIF image"),
    ("../secret.jpg", None, r"media path '../secret.jpg' is not a path inside"),
])
def test_unusable_images_raise_asset_errors(media: Path, tmp_path: Path, name: str,
                                            content: bytes | None, message: str) -> None:
    if content is not None:
        (media / name).write_bytes(content)
    with pytest.raises(AssetError, match=message):
        _pipeline(media, tmp_path / "cache").picture(name)


def test_a_truncated_image_is_reported_as_damaged(media: Path, tmp_path: Path) -> None:
    whole = (media / "styles/ss27/SS27-001-BLK.jpg").read_bytes()
    (media / "cut.jpg").write_bytes(whole[: len(whole) // 2])
    with pytest.raises(AssetError, match=r"image 'cut.jpg' is damaged or truncated"):
        _pipeline(media, tmp_path / "cache").picture("cut.jpg")


def test_an_image_over_the_pixel_limit_is_refused(media: Path, tmp_path: Path) -> None:
    pipeline = _pipeline(media, tmp_path / "cache", max_pixels=200_000)
    too_large = r"'styles/ss27/SS27-001-BLK.jpg' is 1600×500 pixels, over the limit of 200,000"
    with pytest.raises(AssetError, match=too_large):
        pipeline.picture("styles/ss27/SS27-001-BLK.jpg")
    assert pipeline.picture("styles/ss27/SS27-002-NVY.jpg").width == 300


def test_a_logo_gives_its_size_for_the_page_to_keep_its_place(tmp_path: Path) -> None:
    """The logo is published as it is; its width and height (an SVG's viewBox) go in the
    page, so the header does not move when it arrives."""
    media = tmp_path / "media"
    media.mkdir()
    Image.new("RGB", (1000, 240), "white").save(media / "logo.png")
    (media / "logo.svg").write_text('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/'
                                    'svg" viewBox="0 0 320.5 80"><path d="M0 0h1"/></svg>')
    (media / "bare.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10"/>')
    pipeline = AssetPipeline(media, tmp_path / "static", tmp_path / "cache")
    assert pipeline.size("logo.png") == (1000, 240)
    assert pipeline.size("logo.svg") == (320, 80)
    assert pipeline.size("bare.svg") is None  # no proportions to keep: no attributes
