"""Asset stage, image part: one source image's bytes -> its encoded variants (pure, no disk).

Every variant is resized from the same decoded, upright, sRGB image and encoded with fixed
parameters and no metadata, so the same source and settings always give the same bytes.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError, __version__, features

from generator.errors import AssetError

# A decoder only for the formats a brand's photos come in: fewer decoders, less attack surface.
FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
_SRGB = ImageCms.createProfile("sRGB")
# A width this close to the next smaller one costs an encode and bytes for no visible gain.
_MIN_STEP = 1.2


@dataclass(frozen=True)
class ImageSettings:
    """How variants are made; changing any field gives new cache entries and new file names."""

    widths: tuple[int, ...] = (480, 960, 1440)  # each capped at the original's width
    webp_quality: int = 80
    # libwebp effort, 0-6: 5 is 5 % smaller than 4 for 5 % more time; 6 saves 3 % more for
    # 50 % more time (docs/benchmarks.md)
    webp_method: int = 5
    jpeg_quality: int = 82
    revision: int = 1  # bump when the code changes what it produces for the same settings

    def tag(self) -> str:
        """Name these settings and the codecs' versions, as the cache key's first part."""
        text = ";".join([
            f"revision={self.revision}", f"widths={','.join(map(str, self.widths))}",
            f"webp=q{self.webp_quality}m{self.webp_method}",
            f"jpeg=q{self.jpeg_quality},progressive,optimize", "png=optimize", "lanczos",
            f"pillow={__version__}", f"libwebp={features.version('webp')}",
            f"libjpeg={features.version('jpg')}", f"zlib={features.version('zlib')}",
            f"lcms={features.version('littlecms2')}",
        ])
        return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Variant:
    """One encoded variant of a source image."""

    width: int
    height: int
    ext: str  # "webp", "jpg" or "png"
    data: bytes
    digest: str  # SHA-256 hex of `data`

    @classmethod
    def of(cls, width: int, height: int, ext: str, data: bytes) -> Variant:
        """Make a variant, hashing its bytes."""
        return cls(width, height, ext, data, hashlib.sha256(data).hexdigest())


def variant_widths(width: int, widths: tuple[int, ...]) -> tuple[int, ...]:
    """Choose the widths to make for an image this wide: never wider than the original."""
    chosen: list[int] = []
    for candidate in sorted({min(w, width) for w in widths}):
        if chosen and candidate < chosen[-1] * _MIN_STEP and candidate == width:
            continue
        chosen.append(candidate)
    return tuple(chosen)


def encode_variants(data: bytes, name: str, settings: ImageSettings,
                    max_pixels: int) -> tuple[Variant, ...]:
    """Encode a WebP variant per width and one fallback (JPEG, or PNG if it has alpha) at the
    middle width. `name` is the media path, for error messages only."""
    image = _normalise(_decode(data, name, max_pixels), name)
    alpha = image.mode == "RGBA"
    widths = variant_widths(image.width, settings.widths)
    fallback = widths[len(widths) // 2]
    variants: list[Variant] = []
    for width in widths:
        height = max(1, round(image.height * width / image.width))
        resized = image if width == image.width else image.resize(
            (width, height), Image.Resampling.LANCZOS)
        variants.append(Variant.of(width, height, "webp", _save(
            resized, "WEBP", quality=settings.webp_quality, method=settings.webp_method)))
        if width == fallback and alpha:
            variants.append(Variant.of(width, height, "png",
                                       _save(resized, "PNG", optimize=True)))
        elif width == fallback:
            variants.append(Variant.of(width, height, "jpg", _save(
                resized, "JPEG", quality=settings.jpeg_quality, progressive=True,
                optimize=True, subsampling="4:2:0")))
    return tuple(variants)


def check_image(data: bytes, name: str, max_pixels: int) -> None:
    """Raise the AssetError encoding this image would raise, decoding it as the build does
    but at an eighth of its size where the format allows (a JPEG's DCT scaling: a third of
    the time, and a damaged or truncated file still fails), so `linesheets check` finds
    what would stop the build without encoding anything."""
    _normalise(_decode(data, name, max_pixels, reduced=True), name)


def _decode(data: bytes, name: str, max_pixels: int, reduced: bool = False) -> Image.Image:
    """Decode the first frame, refusing images over `max_pixels` before their pixels load."""
    fix = "replace it with a JPEG, PNG or WebP export of the photo"
    try:
        with warnings.catch_warnings():
            # The limit is ours (max_pixels); Pillow's own warning would only duplicate it.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=FORMATS)
            pixels = image.width * image.height
            if pixels > max_pixels:
                raise AssetError(
                    f"image '{name}' is {image.width}×{image.height} pixels, over the limit "
                    f"of {max_pixels:,}; resize it to about 2000 pixels wide before adding it")
            if reduced:
                image.draft(None, (max(1, image.width // 8), max(1, image.height // 8)))
            image.load()
    except Image.DecompressionBombError as exc:
        raise AssetError(f"image '{name}' is too large to decode safely ({exc}); resize it "
                         "to about 2000 pixels wide") from exc
    except UnidentifiedImageError as exc:
        raise AssetError(f"media file '{name}' is not a JPEG, PNG, WebP or GIF image; "
                         f"{fix}") from exc
    # A damaged file can fail anywhere inside a decoder, with any of these.
    except (OSError, ValueError, SyntaxError, EOFError, IndexError) as exc:
        raise AssetError(f"image '{name}' is damaged or truncated ({exc}); {fix}") from exc
    return image


def _normalise(image: Image.Image, name: str) -> Image.Image:
    """Turn the image upright and into sRGB, as RGB, or RGBA where some pixel is transparent."""
    try:
        upright = ImageOps.exif_transpose(image)
    except (OSError, ValueError, SyntaxError) as exc:  # a broken EXIF block
        raise AssetError(f"image '{name}' has unreadable EXIF data ({exc}); re-export it "
                         "without metadata") from exc
    image = upright if upright is not None else image
    target = "RGBA" if image.has_transparency_data else "RGB"
    icc = image.info.get("icc_profile")
    try:
        if image.mode not in ("RGB", "RGBA", "CMYK", "L"):
            image = image.convert(target)
        if icc:
            image = _to_srgb(image, icc, target)
        if image.mode != target:
            image = image.convert(target)
    except ValueError as exc:
        raise AssetError(f"image '{name}' has a colour mode that cannot be converted "
                         f"('{image.mode}'); re-export it as 8-bit RGB") from exc
    alpha = image.getchannel("A").getextrema() if target == "RGBA" else None
    if alpha is not None and alpha[0] == 255:
        image = image.convert("RGB")  # an alpha channel with nothing transparent in it
    image.info = {}  # resize copies info: nothing of the source's metadata may go out
    return image


def _to_srgb(image: Image.Image, icc: bytes, mode: str) -> Image.Image:
    """Convert from the embedded colour profile to sRGB, since the profile is not kept."""
    try:
        converted = ImageCms.profileToProfile(
            image, ImageCms.ImageCmsProfile(io.BytesIO(icc)), _SRGB, outputMode=mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        # A broken or mismatched profile: the pixels are then best read as sRGB already.
        return image
    return converted if converted is not None else image


def _save(image: Image.Image, format: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format, **options)
    return buffer.getvalue()
