"""Draw the demo brand's images from its content files: products, seasons, lookbooks, logo.

Usage: python scripts/make_demo_images.py content

Reads the YAML under the content folder (every scalar as text, like the loader) and writes,
under content/media/:

- styles/<season>/<style_no>-<colour>.jpg   one studio picture per style × colour: a garment
  drawn after the style's category and name, in the colour's swatch, with shading, seams,
  buttons and a fabric texture guessed from its composition (900 × 1125);
- seasons/<id>.jpg                          a wide header of the season's garments on a rail;
- lookbooks/<id>-<n>.jpg                    a still life per lookbook page, of the styles the
  page names, in the colour its caption mentions;
- backgrounds/*.jpg                         the link backgrounds the link files name;
- logo.png                                  the brand's wordmark.

Drawing is deterministic: every random choice comes from a generator seeded with the names
it draws, and nothing depends on the clock, so a second run writes the same bytes.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import random
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

RGB = tuple[int, int, int]
Point = tuple[float, float]

WIDTH, HEIGHT = 900, 1125  # product pictures, portrait 4:5
SCALE = 2  # garments are drawn at twice the size, then scaled down: smooth edges
CX = WIDTH / 2
STUDIO_TOP: RGB = (241, 238, 233)
STUDIO_BOTTOM: RGB = (226, 222, 215)
JPEG_OPTIONS: dict[str, Any] = {"quality": 85, "optimize": True, "progressive": False}


# --- reading the content ------------------------------------------------------------------


@dataclass(frozen=True)
class Colorway:
    """One colour of a style, as the products file gives it."""

    code: str
    name: str  # English name, to match lookbook captions
    swatch: RGB
    images: tuple[str, ...]


@dataclass(frozen=True)
class Style:
    """One style of a season, with what the drawing needs."""

    season: str
    style_no: str
    silhouette: str
    fabric: str
    colors: tuple[Colorway, ...]


@dataclass(frozen=True)
class LookbookPage:
    """One page of a lookbook: where its picture goes and what it shows."""

    image: str
    caption: str
    styles: tuple[Style, ...]


@dataclass
class Content:
    """What the images are drawn from."""

    root: Path
    logo: str = "logo.png"
    styles: dict[str, list[Style]] = field(default_factory=dict)  # season -> styles
    headers: dict[str, str] = field(default_factory=dict)  # season -> header image path
    lookbooks: dict[str, tuple[str, list[LookbookPage]]] = field(default_factory=dict)
    backgrounds: list[str] = field(default_factory=list)


def _read_yaml(path: Path) -> Any:
    """Read a YAML file keeping every scalar as text, as the content loader does."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)


def _english(value: Any) -> str:
    """The English (or only) value of a translatable text."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        for key in ("en", ""):
            text = value.get(key)
            if isinstance(text, str):
                return text
        return next((str(text) for text in value.values()), "")
    return ""


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _sequence(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _hex(value: str) -> RGB:
    if len(value) == 7 and value.startswith("#"):
        try:
            return (int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16))
        except ValueError:
            pass
    return (150, 146, 140)


def read_content(root: Path) -> Content:
    """Collect styles, season headers, lookbook pages, link backgrounds and the logo path."""
    content = Content(root=root)
    brand = _mapping(_read_yaml(root / "brand.yaml")) if (root / "brand.yaml").is_file() else {}
    if isinstance(brand.get("logo"), str):
        content.logo = brand["logo"]
    seasons = root / "seasons"
    for folder in sorted(p for p in seasons.iterdir() if p.is_dir()) if seasons.is_dir() else []:
        settings = _mapping(_read_yaml(folder / "season.yaml")) if (
            folder / "season.yaml").is_file() else {}
        header = settings.get("header_image")
        content.headers[folder.name] = header if isinstance(header, str) else (
            f"seasons/{folder.name}.jpg")
        products = folder / "products.yaml"
        raw = _sequence(_mapping(_read_yaml(products)).get("styles")) if products.is_file() else []
        content.styles[folder.name] = [_style(folder.name, _mapping(item)) for item in raw]
    by_number = {(s.season, s.style_no): s for styles in content.styles.values() for s in styles}
    for path in sorted((root / "lookbooks").glob("*.yaml")):
        data = _mapping(_read_yaml(path))
        season = str(data.get("season", ""))
        pages = [
            LookbookPage(
                image=str(page.get("image", f"lookbooks/{path.stem}-{index}.jpg")),
                caption=_english(page.get("caption")),
                styles=tuple(by_number[(season, no)] for no in _sequence(page.get("styles"))
                             if (season, no) in by_number),
            )
            for index, page in enumerate(map(_mapping, _sequence(data.get("pages"))), start=1)
        ]
        content.lookbooks[path.stem] = (season, pages)
    for path in sorted((root / "links").glob("*.yaml")):
        background = _mapping(_mapping(_read_yaml(path)).get("background"))
        src = background.get("src")
        if background.get("type") == "image" and isinstance(src, str) and (
                src not in content.backgrounds):
            content.backgrounds.append(src)
    return content


def _style(season: str, data: dict[str, Any]) -> Style:
    style_no = str(data.get("style_no", "STYLE"))
    category = _english(data.get("category")).lower()
    name = _english(data.get("name")).lower()
    composition = _english(data.get("composition")).lower()
    colors = []
    for raw in map(_mapping, _sequence(data.get("colors"))):
        code = str(raw.get("code", "C"))
        images = tuple(str(image) for image in _sequence(raw.get("images")))
        colors.append(Colorway(
            code=code, name=_english(raw.get("name")), swatch=_hex(str(raw.get("swatch", ""))),
            images=images or (f"styles/{season}/{style_no}-{code}.jpg",),
        ))
    silhouette = silhouette_of(category, name)
    return Style(season=season, style_no=style_no, silhouette=silhouette,
                 fabric=fabric_of(silhouette, category, name, composition), colors=tuple(colors))


_SILHOUETTES: tuple[tuple[str, tuple[tuple[str, str], ...], str], ...] = (
    # (category word, ((name word, silhouette), …), default silhouette)
    ("outer", (("trench", "trench"), ("wrap", "wrap_coat"), ("belted", "wrap_coat")), "coat"),
    ("jacket", (("haori", "haori"), ("work", "work_jacket"), ("collarless", "collarless"),
                ("boxy", "boxy_jacket")), "blazer"),
    ("shirt", (("band", "band_shirt"),), "shirt"),
    ("knit", (("cardigan", "cardigan"), ("turtle", "turtleneck")), "crew_knit"),
    ("cut", (("mock", "mock_tee"), ("boat", "boat_tee"), ("long", "long_tee")), "tee"),
    ("dress", (("shirt", "shirt_dress"), ("column", "column_dress")), "jersey_dress"),
    ("skirt", (("pleat", "pleated_skirt"), ("wrap", "wrap_skirt")), "wrap_skirt"),
    ("trouser", (("drawstring", "easy_trousers"), ("easy", "easy_trousers"),
                 ("wide", "wide_trousers")), "trousers"),
    ("bag", (("tote", "tote"),), "shoulder_bag"),
    ("accessor", (("sock", "socks"), ("hat", "hat"), ("stole", "stole"), ("scarf", "stole")),
     "stole"),
)


def silhouette_of(category: str, name: str) -> str:
    """Pick the drawing for a style from its English category and name."""
    for word, by_name, default in _SILHOUETTES:
        if word in category:
            return next((kind for key, kind in by_name if key in name), default)
    return next((kind for _, by_name, _ in _SILHOUETTES for key, kind in by_name if key in name),
                "tee")


def fabric_of(silhouette: str, category: str, name: str, composition: str) -> str:
    """Guess the surface to draw from the composition and the kind of garment."""
    first = composition.split(",")[0].split("(")[0]  # the main fabric, not trims or lining
    if "velvet" in name:
        return "velvet"
    if "leather" in first or "cowhide" in first:
        return "leather"
    if "mohair" in first or "alpaca" in first:
        return "fuzzy"
    if silhouette in ("crew_knit", "turtleneck", "cardigan", "socks"):
        return "knit"
    if "tweed" in name:
        return "tweed"
    if "linen" in first:
        return "linen"
    if "indigo" in name or "work" in name:
        return "twill"
    if "canvas" in name:
        return "canvas"
    if "wool" in first or "flannel" in name:
        return "wool"
    if "nylon" in first or "quilt" in name:
        return "nylon"
    if "cut" in category:
        return "jersey"
    return "plain"


# --- colour helpers -----------------------------------------------------------------------


def _clamp(value: float) -> int:
    return max(0, min(255, round(value)))


def luminance(color: RGB) -> float:
    return 0.299 * color[0] + 0.587 * color[1] + 0.114 * color[2]


def mix(a: RGB, b: RGB, t: float) -> RGB:
    """Blend from a (t = 0) to b (t = 1)."""
    return (_clamp(a[0] + (b[0] - a[0]) * t), _clamp(a[1] + (b[1] - a[1]) * t),
            _clamp(a[2] + (b[2] - a[2]) * t))


def tone(color: RGB, factor: float) -> RGB:
    """Darken (factor < 1) or lighten (factor > 1) a colour; dark colours lighten instead."""
    if factor < 1 and luminance(color) < 60:
        return mix(color, (255, 255, 255), (1 - factor) * 0.35)
    if factor < 1:
        return mix(color, (0, 0, 0), 1 - factor)
    return mix(color, (255, 255, 255), factor - 1)


def edge_color(color: RGB) -> RGB:
    return mix(color, (255, 255, 255), 0.2) if luminance(color) < 70 else tone(color, 0.7)


def stitch_color(color: RGB) -> RGB:
    return mix(color, (255, 255, 255), 0.3) if luminance(color) < 70 else tone(color, 0.6)


def seed_of(*parts: str) -> int:
    """A stable seed from names (Python's hash() changes between runs)."""
    return int.from_bytes(hashlib.sha256("/".join(parts).encode()).digest()[:8], "big")


# --- geometry helpers ---------------------------------------------------------------------


def mirrored(points: Sequence[Point]) -> list[Point]:
    """Mirror points across the vertical centre line."""
    return [(2 * CX - x, y) for x, y in points]


def symmetric(right: Sequence[Point]) -> list[Point]:
    """A closed outline from its right half (listed top to bottom, x from the centre)."""
    half = [(CX + x, y) for x, y in right]
    return half + list(reversed(mirrored(half)))


def at(x: float, y: float) -> Point:
    """A point given as an offset from the centre line."""
    return (CX + x, y)


def chaikin(points: Sequence[Point], rounds: int = 2, closed: bool = True) -> list[Point]:
    """Round the corners of a polygon (or polyline) by corner cutting."""
    result = list(points)
    for _ in range(rounds):
        smoothed: list[Point] = [] if closed else [result[0]]
        count = len(result) if closed else len(result) - 1
        for index in range(count):
            (x0, y0), (x1, y1) = result[index], result[(index + 1) % len(result)]
            smoothed.append((0.75 * x0 + 0.25 * x1, 0.75 * y0 + 0.25 * y1))
            smoothed.append((0.25 * x0 + 0.75 * x1, 0.25 * y0 + 0.75 * y1))
        if not closed:
            smoothed.append(result[-1])
        result = smoothed
    return result


def rounded(points: Sequence[Point], radius: float, steps: int = 6) -> list[Point]:
    """A closed polygon with each corner rounded off (radius capped by the edges' lengths)."""
    result: list[Point] = []
    count = len(points)
    for index, corner in enumerate(points):
        before, after = points[index - 1], points[(index + 1) % count]
        d_in, d_out = math.dist(before, corner), math.dist(corner, after)
        if d_in == 0 or d_out == 0:
            continue
        r = min(radius, d_in / 2, d_out / 2)
        start = lerp(corner, before, r / d_in)
        end = lerp(corner, after, r / d_out)
        result.extend(curve(start, corner, end, steps))
    return result


def curve(start: Point, control: Point, end: Point, steps: int = 24) -> list[Point]:
    """A quadratic Bézier curve as points."""
    points = []
    for index in range(steps + 1):
        t = index / steps
        u = 1 - t
        points.append((u * u * start[0] + 2 * u * t * control[0] + t * t * end[0],
                       u * u * start[1] + 2 * u * t * control[1] + t * t * end[1]))
    return points


def lerp(a: Point, b: Point, t: float) -> Point:
    return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)


def ellipse_points(cx: float, cy: float, rx: float, ry: float, start: float = 0,
                   end: float = 360, steps: int = 48) -> list[Point]:
    """Points on an elliptical arc (degrees, clockwise on screen from the +x axis)."""
    return [(cx + rx * math.cos(math.radians(start + (end - start) * i / steps)),
             cy + ry * math.sin(math.radians(start + (end - start) * i / steps)))
            for i in range(steps + 1)]


# --- the garment canvas -------------------------------------------------------------------


class Garment:
    """Layers a garment is drawn into: colour, coverage, shading, and hardware on top."""

    def __init__(self, color: RGB, fabric: str, seed: int) -> None:
        size = (WIDTH * SCALE, HEIGHT * SCALE)
        self.color = color
        self.fabric = fabric
        self.rng = random.Random(seed)
        self.fill = Image.new("RGB", size, color)
        self.mask = Image.new("L", size, 0)
        self.shade = Image.new("L", size, 255)  # multiplied: below 255 darkens
        self.light = Image.new("L", size, 0)  # screened: above 0 lightens
        self.top = Image.new("RGBA", size, (0, 0, 0, 0))  # buttons, buckles, hardware
        self.textured = Image.new("L", size, 0)  # where the fabric texture shows
        self._fill = ImageDraw.Draw(self.fill)
        self._mask = ImageDraw.Draw(self.mask)
        self._shade = ImageDraw.Draw(self.shade)
        self._light = ImageDraw.Draw(self.light)
        self._top = ImageDraw.Draw(self.top)
        self._textured = ImageDraw.Draw(self.textured)

    @staticmethod
    def _xy(points: Sequence[Point]) -> list[tuple[float, float]]:
        return [(x * SCALE, y * SCALE) for x, y in points]

    def part(self, points: Sequence[Point], shade: float = 1.0, color: RGB | None = None,
             rounds: int = 2, outline: bool = True, texture: bool = True) -> None:
        """A piece of the garment: filled, counted in its outline, edged by a fine line.

        `rounds` softens the corners: 0 keeps them sharp, 1 and 2 round them off a little
        and more, 3 and up turn the outline into a smooth curve.
        """
        if rounds >= 3:
            outline_points = chaikin(points, rounds)
        elif rounds:
            outline_points = rounded(points, 7 * rounds)
        else:
            outline_points = list(points)
        xy = self._xy(outline_points)
        base = color or self.color
        self._fill.polygon(xy, fill=tone(base, shade))
        self._mask.polygon(xy, fill=255)
        self._textured.polygon(xy, fill=255 if texture else 0)
        if outline:
            self._fill.line([*xy, xy[0]], fill=edge_color(base), width=2 * SCALE, joint="curve")

    def inside(self, points: Sequence[Point], depth: float = 0.62, rounds: int = 2) -> None:
        """The inside of the garment seen through an opening (neck, front)."""
        xy = self._xy(rounded(points, 7 * rounds) if rounds else list(points))
        inner = tone(self.color, depth) if luminance(self.color) >= 60 else mix(
            self.color, (0, 0, 0), 0.45)
        self._fill.polygon(xy, fill=inner)
        self._mask.polygon(xy, fill=255)
        self._textured.polygon(xy, fill=0)

    def label(self, y: float) -> None:
        """The brand's woven label, seen inside the back neck."""
        cloth = (236, 230, 216) if luminance(self.color) < 200 else (40, 38, 36)
        self._fill.rectangle((round((CX - 20) * SCALE), round(y * SCALE),
                              round((CX + 20) * SCALE), round((y + 18) * SCALE)), fill=cloth)
        ink = tone(cloth, 0.55) if luminance(cloth) > 128 else (200, 196, 188)
        for dy, half in ((6, 13), (11, 8)):
            self._fill.line([((CX - half) * SCALE, (y + dy) * SCALE),
                             ((CX + half) * SCALE, (y + dy) * SCALE)], fill=ink, width=SCALE)

    def seam(self, points: Sequence[Point], width: float = 1.6, color: RGB | None = None,
             smooth: bool = False) -> None:
        """A seam or edge line, drawn into the fabric (it takes the shading)."""
        pts = chaikin(points, 2, closed=False) if smooth else list(points)
        self._fill.line(self._xy(pts), fill=color or edge_color(self.color),
                        width=max(1, round(width * SCALE)), joint="curve")

    def strap(self, points: Sequence[Point], width: float, color: RGB,
              edge: bool = True) -> None:
        """A handle, strap or fringe: a thick line that is part of the garment's outline."""
        xy = self._xy(points)
        wide = max(1, round(width * SCALE))
        if edge:
            self._fill.line(xy, fill=tone(color, 0.75) if luminance(color) > 60 else mix(
                color, (255, 255, 255), 0.15), width=wide + 2 * SCALE, joint="curve")
        self._fill.line(xy, fill=color, width=wide, joint="curve")
        self._mask.line(xy, fill=255, width=wide + (2 * SCALE if edge else 0), joint="curve")
        self._textured.line(xy, fill=0, width=wide + 2 * SCALE, joint="curve")

    def stitch(self, points: Sequence[Point], dash: float = 7, gap: float = 5,
               color: RGB | None = None, width: float = 1.3) -> None:
        """A row of top-stitching along a polyline."""
        ink = color or stitch_color(self.color)
        for a, b in _dashes(points, dash, gap):
            self._fill.line(self._xy([a, b]), fill=ink, width=max(1, round(width * SCALE)))

    def fold(self, points: Sequence[Point], strength: float = 0.22, width: float = 26) -> None:
        """A soft shadow along a fold of cloth (blurred later)."""
        self._shade.line(self._xy(points), fill=_clamp(255 * (1 - strength)),
                         width=round(width * SCALE), joint="curve")

    def sheen(self, points: Sequence[Point], strength: float = 0.18, width: float = 30) -> None:
        """A soft highlight where cloth catches the light (blurred later)."""
        self._light.line(self._xy(points), fill=_clamp(255 * strength),
                         width=round(width * SCALE), joint="curve")

    def button(self, x: float, y: float, radius: float = 9, color: RGB | None = None) -> None:
        """A sewn-on button with two holes and a highlight, drawn above the shading."""
        ink = color or (mix(self.color, (30, 26, 22), 0.55) if luminance(self.color) > 90
                        else mix(self.color, (235, 228, 214), 0.45))
        r, sx, sy = radius * SCALE, x * SCALE, y * SCALE
        self._top.ellipse((sx - r + 2, sy - r + 3, sx + r + 2, sy + r + 3), fill=(0, 0, 0, 60))
        self._top.ellipse((sx - r, sy - r, sx + r, sy + r), fill=(*ink, 255),
                          outline=(*tone(ink, 0.75), 255), width=SCALE)
        hole = tone(ink, 0.55)
        for dx in (-0.32, 0.32):
            hx = sx + dx * r
            self._top.ellipse((hx - 0.14 * r, sy - 0.14 * r, hx + 0.14 * r, sy + 0.14 * r),
                              fill=(*hole, 255))
        self._top.arc((sx - 0.7 * r, sy - 0.7 * r, sx + 0.7 * r, sy + 0.7 * r), 200, 260,
                      fill=(255, 255, 255, 110), width=SCALE)

    def hardware(self, points: Sequence[Point], color: RGB, outline: RGB | None = None) -> None:
        """A buckle, rivet or tab drawn above the shading."""
        xy = self._xy(points)
        self._top.polygon(xy, fill=(*color, 255), outline=(*(outline or tone(color, 0.7)), 255))

    def ring(self, box: tuple[float, float, float, float], color: RGB, width: float) -> None:
        """An open ring (a buckle frame, an eyelet) above the shading."""
        x0, y0, x1, y1 = (v * SCALE for v in box)
        self._top.rounded_rectangle((x0, y0, x1, y1), radius=3 * SCALE,
                                    outline=(*color, 255), width=round(width * SCALE))

    def rib(self, top: Sequence[Point], bottom: Sequence[Point], spacing: float = 7) -> None:
        """Rib lines between two edges of a band (cuffs, hems, necklines)."""
        length = _length(top)
        count = max(2, int(length / spacing))
        ink = tone(self.color, 0.86)
        for index in range(1, count):
            t = index / count
            self.seam([_along(top, t), _along(bottom, t)], width=1.1, color=ink)

    def render(self) -> Image.Image:
        """Flatten the layers into an RGBA garment at the picture's size."""
        size = (WIDTH, HEIGHT)
        mask = self.mask.resize(size, Image.Resampling.LANCZOS)
        fill = self.fill.resize(size, Image.Resampling.LANCZOS)
        shade = self.shade.resize(size, Image.Resampling.BILINEAR).filter(
            ImageFilter.GaussianBlur(14))
        dim = 0.5 if luminance(self.color) < 60 else 1.0  # sheen shows strongly on black
        light = self.light.resize(size, Image.Resampling.BILINEAR).filter(
            ImageFilter.GaussianBlur(18)).point(lambda v: v * dim)
        textured = self.textured.resize(size, Image.Resampling.BILINEAR)
        # Light from the upper left: a gentle falloff to the right and downwards.
        shade = ImageChops.multiply(shade, _light_falloff(size))
        # Rounded volume: darker where the cloth turns away, near the outline.
        edge = mask.filter(ImageFilter.GaussianBlur(26)).point(lambda v: 255 - (255 - v) * 0.4)
        shade = ImageChops.multiply(shade, ImageChops.lighter(edge, ImageChops.invert(mask)))
        rgb = ImageChops.multiply(fill, Image.merge("RGB", (shade, shade, shade)))
        rgb = ImageChops.screen(rgb, Image.merge("RGB", (light, light, light)))
        texture = fabric_texture(self.fabric, size, self.rng, luminance(self.color))
        texture = Image.composite(texture, Image.new("L", size, 128), textured)
        rgb = ImageChops.add(rgb, Image.merge("RGB", (texture, texture, texture)), 1.0, -128)
        top = self.top.resize(size, Image.Resampling.LANCZOS)
        garment = rgb.convert("RGBA")
        garment.putalpha(mask)
        garment.alpha_composite(top)
        return garment


def _length(points: Sequence[Point]) -> float:
    return sum(math.dist(a, b) for a, b in itertools.pairwise(points))


def _along(points: Sequence[Point], t: float) -> Point:
    """The point at fraction t of a polyline's length."""
    target = _length(points) * t
    for a, b in itertools.pairwise(points):
        step = math.dist(a, b)
        if target <= step and step > 0:
            return lerp(a, b, target / step)
        target -= step
    return points[-1]


def _dashes(points: Sequence[Point], dash: float, gap: float) -> Iterator[tuple[Point, Point]]:
    total = _length(points)
    position = gap / 2
    while position < total:
        end = min(total, position + dash)
        yield _along(points, position / total), _along(points, end / total)
        position += dash + gap


def _light_falloff(size: tuple[int, int]) -> Image.Image:
    gradient = Image.linear_gradient("L").rotate(90).resize(size)  # 255 left … 0 right
    horizontal = gradient.point(lambda v: 222 + v * 33 / 255)
    vertical = Image.linear_gradient("L").resize(size).point(lambda v: 255 - v * 16 / 255)
    return ImageChops.multiply(horizontal, vertical)


def noise(size: tuple[int, int], rng: random.Random, blur: float = 0.0) -> Image.Image:
    """Deterministic uniform noise, optionally blurred."""
    image = Image.frombytes("L", size, rng.randbytes(size[0] * size[1]))
    return image.filter(ImageFilter.GaussianBlur(blur)) if blur else image


def _contrast(image: Image.Image, amount: float) -> Image.Image:
    """Scale an L image's deviation from 128."""
    return image.point(lambda v: _clamp(128 + (v - 128) * amount))


def fabric_texture(fabric: str, size: tuple[int, int], rng: random.Random,
                   lum: float) -> Image.Image:
    """A neutral-grey (128) L image whose deviations are the weave or knit of the fabric."""
    w, h = size
    boost = 1.4 if lum < 60 else 1.0
    fine = _contrast(noise(size, rng, 0.6), 0.11 * boost)
    if fabric in ("plain", "jersey", "nylon"):
        return fine
    if fabric == "linen":
        slub = noise((max(1, w // 14), h), rng).resize(size, Image.Resampling.BILINEAR)
        return ImageChops.add(fine, _contrast(slub, 0.07 * boost), 1.0, -128)
    if fabric in ("wool", "tweed", "fuzzy"):
        cloud = noise((w // 6, h // 6), rng, 0.8).resize(size, Image.Resampling.BICUBIC)
        amount = {"wool": 0.06, "tweed": 0.12, "fuzzy": 0.1}[fabric] * boost
        texture = ImageChops.add(fine, _contrast(cloud, amount), 1.0, -128)
        if fabric == "tweed":
            flecks = noise(size, rng).point(lambda v: 168 if v > 250 else (90 if v < 4 else 128))
            texture = ImageChops.add(texture, flecks.filter(ImageFilter.GaussianBlur(0.5)),
                                     1.0, -128)
        return texture
    pattern = Image.new("L", size, 128)
    draw = ImageDraw.Draw(pattern)
    if fabric == "knit":
        for x in range(0, w, 6):
            draw.line([(x, 0), (x, h)], fill=round(128 - 9 * boost), width=1)
        for y in range(0, h, 5):
            draw.line([(0, y), (w, y)], fill=round(128 + 5 * boost), width=1)
        pattern = pattern.filter(ImageFilter.GaussianBlur(0.7))
    elif fabric in ("twill", "canvas"):
        step = 5 if fabric == "twill" else 4
        for offset in range(-h, w, step):
            draw.line([(offset, h), (offset + h, 0)] if fabric == "twill"
                      else [(offset, 0), (offset, h)], fill=round(128 - 10 * boost), width=1)
        if fabric == "canvas":
            for y in range(0, h, 4):
                draw.line([(0, y), (w, y)], fill=round(128 - 6 * boost), width=1)
        pattern = pattern.filter(ImageFilter.GaussianBlur(0.6))
        if fabric == "twill":  # indigo fades unevenly
            fade = noise((w // 20, h // 3), rng, 0.6).resize(size, Image.Resampling.BICUBIC)
            pattern = ImageChops.add(pattern, _contrast(fade, 0.12), 1.0, -128)
    elif fabric == "leather":
        grain = noise(size, rng, 1.4)
        pattern = _contrast(grain, 0.3 * boost)
    elif fabric == "velvet":
        pile = noise((w // 3, h // 3), rng, 1.0).resize(size, Image.Resampling.BICUBIC)
        pattern = _contrast(pile, 0.06 * boost)
    return ImageChops.add(fine, pattern, 1.0, -128)


# --- silhouettes --------------------------------------------------------------------------


@dataclass(frozen=True)
class TopCut:
    """The measurements of a top, in picture pixels (x from the centre line)."""

    neck: float = 62  # half width of the neck opening
    top: float = 150  # y of the neck point
    shoulder: float = 185  # half width at the shoulder point
    slope: float = 30  # how far the shoulder drops
    chest: float = 175  # half width under the arm
    armpit: float = 370
    waist: float = 168
    hem: float = 180  # half width at the hem
    length: float = 760  # y of the hem at the side
    hem_curve: float = 0  # the hem's centre lies this much lower than its sides
    sleeve: float = 430  # sleeve length from the armhole
    sleeve_angle: float = 14  # degrees out from vertical
    cuff: float = 86  # sleeve width at the cuff
    armhole: float = 115  # sleeve width at the top


def draw_top(g: Garment, cut: TopCut, sleeves: bool = True) -> None:
    """Sleeves, then the body over them, with the armhole seams and basic folds."""
    shoulder = (cut.shoulder, cut.top + cut.slope)
    armpit = (cut.chest, cut.armpit)
    if sleeves:
        for side in (1, -1):
            draw_sleeve(g, cut, side)
    hem = curve((cut.hem, cut.length), (cut.hem * 0.45, cut.length + cut.hem_curve * 1.1),
                (0, cut.length + cut.hem_curve), 10) if cut.hem_curve else [
        (cut.hem, cut.length), (0, cut.length)]
    body = [(cut.neck, cut.top), shoulder, armpit, (cut.waist, (cut.armpit + cut.length) / 2),
            *hem]
    g.part(symmetric(body), rounds=1)
    for side in (1, -1):
        g.seam([at(side * shoulder[0], shoulder[1]), at(side * (armpit[0] - 6), armpit[1])],
               smooth=True)
        g.fold([at(side * (cut.chest - 20), cut.armpit + 20),
                at(side * (cut.chest - 70), cut.armpit + 160)], strength=0.12)
        g.fold([at(side * (cut.hem - 30), cut.length - 160), at(side * (cut.hem - 45),
                                                               cut.length - 10)], 0.1, 20)
    g.sheen([at(-cut.chest * 0.45, cut.armpit - 100), at(-cut.chest * 0.5, cut.length - 80)],
            0.12, 50)


def sleeve_geometry(cut: TopCut, side: int) -> tuple[Point, Point, Point, Point]:
    """The sleeve's shoulder, cuff outer, cuff inner and armpit points (absolute)."""
    shoulder = at(side * cut.shoulder, cut.top + cut.slope)
    armpit = at(side * cut.chest, cut.armpit)
    middle = lerp(shoulder, armpit, 0.5)
    angle = math.radians(cut.sleeve_angle)
    axis = (side * math.sin(angle), math.cos(angle))
    across = (math.cos(angle) * side, -math.sin(angle))
    cuff_mid = (middle[0] + axis[0] * cut.sleeve, middle[1] + axis[1] * cut.sleeve)
    half = cut.cuff / 2
    outer = (cuff_mid[0] + across[0] * half, cuff_mid[1] + across[1] * half)
    inner = (cuff_mid[0] - across[0] * half, cuff_mid[1] - across[1] * half)
    return shoulder, outer, inner, armpit


def draw_sleeve(g: Garment, cut: TopCut, side: int) -> None:
    shoulder, outer, inner, armpit = sleeve_geometry(cut, side)
    tuck = (-side * 30, 0)
    points = [(shoulder[0] + tuck[0], shoulder[1] - 4), shoulder, outer, inner, armpit,
              (armpit[0] + tuck[0], armpit[1] + 10)]
    g.part(points, shade=0.95, rounds=1)
    g.fold([lerp(shoulder, outer, 0.35), lerp(lerp(shoulder, armpit, 0.5),
                                               lerp(outer, inner, 0.5), 0.75)], 0.14, 18)
    g.sheen([lerp(shoulder, outer, 0.15), lerp(shoulder, outer, 0.8)], 0.1, 20)


def cuff(g: Garment, cut: TopCut, depth: float = 40, ribbed: bool = False,
         button: bool = False) -> None:
    """A band at each sleeve end."""
    for side in (1, -1):
        shoulder, outer, inner, armpit = sleeve_geometry(cut, side)
        length = cut.sleeve
        t = 1 - depth / length
        top_outer = lerp(lerp(shoulder, armpit, 0.0), outer, t)
        top_inner = lerp(armpit, inner, t)
        g.part([top_outer, outer, inner, top_inner], shade=0.97, rounds=0)
        if ribbed:
            g.rib([top_outer, top_inner], [outer, inner], 6)
        if button:
            b = lerp(lerp(top_outer, outer, 0.5), lerp(top_inner, inner, 0.5), 0.25)
            g.button(b[0], b[1], 6)


def hem_band(g: Garment, cut: TopCut, depth: float = 50, ribbed: bool = True) -> None:
    y0 = cut.length - depth
    right = [(cut.hem - 2, y0), (cut.hem, cut.length), (0, cut.length + cut.hem_curve),
             (0, y0 + cut.hem_curve)]
    points = [at(x, y) for x, y in right] + [at(-x, y) for x, y in reversed(right)]
    g.part(points, shade=0.97, rounds=0)
    if ribbed:
        g.rib([at(-cut.hem + 2, y0), at(cut.hem - 2, y0)],
              [at(-cut.hem, cut.length), at(cut.hem, cut.length)], 7)


def crew_neck(g: Garment, cut: TopCut, depth: float = 58, band: float = 14,
              ribbed: bool = True) -> None:
    """A round neck: the inside of the back, then a band around the front."""
    left, right = at(-cut.neck, cut.top), at(cut.neck, cut.top)
    back = curve(left, at(0, cut.top + 16), right)
    front = curve(right, at(0, cut.top + depth * 2), left)
    g.inside(back + front, rounds=0)
    g.label(cut.top + 20)
    outer = curve(at(cut.neck + band, cut.top + 4), at(0, cut.top + depth * 2 + band * 1.7),
                  at(-cut.neck - band, cut.top + 4))
    g.part(front + outer[::-1], shade=0.97, rounds=0)
    if ribbed:
        g.rib(list(reversed(front)), list(reversed(outer)), 7)


def v_neck(g: Garment, cut: TopCut, depth: float, band: float = 16) -> None:
    left, right = at(-cut.neck, cut.top), at(cut.neck, cut.top)
    bottom = at(0, cut.top + depth)
    back = curve(left, at(0, cut.top + 16), right)
    g.inside([*back, bottom], rounds=0)
    for side in (1, -1):
        g.part([at(side * cut.neck, cut.top), at(side * (cut.neck + band), cut.top + 4),
                at(0, cut.top + depth + band * 1.6), bottom], shade=0.97, rounds=0)


def shirt_collar(g: Garment, cut: TopCut, spread: float = 1.0) -> None:
    """A collar stand behind the neck and two pointed leaves over the front."""
    top = cut.top
    g.part([at(-cut.neck - 6, top + 4), at(-cut.neck + 4, top - 26), at(cut.neck - 4, top - 26),
            at(cut.neck + 6, top + 4), at(0, top + 10)], shade=0.9, rounds=1)
    g.inside([at(-cut.neck + 6, top - 16), at(cut.neck - 6, top - 16), at(cut.neck - 4, top),
              at(0, top + 30), at(-cut.neck + 4, top)], rounds=1)
    for side in (1, -1):
        leaf = [at(side * (cut.neck - 2), top - 22), at(side * (cut.neck + 26), top + 4),
                at(side * (cut.neck + 18 + 30 * spread), top + 78),
                at(side * 6, top + 52), at(side * 2, top + 28)]
        g.part(leaf, shade=1.02, rounds=1)
        g.stitch([lerp(leaf[1], leaf[2], 0.1), lerp(leaf[1], leaf[2], 0.9)], 5, 4)
        g.fold([at(side * 20, top + 70), at(side * (cut.neck + 20), top + 90)], 0.25, 14)


def band_collar(g: Garment, cut: TopCut, height: float = 26) -> None:
    top = cut.top
    g.inside([at(-cut.neck + 4, top - height + 6), at(cut.neck - 4, top - height + 6),
              at(cut.neck - 6, top + 4), at(0, top + 26), at(-cut.neck + 6, top + 4)], rounds=1)
    for side in (1, -1):
        g.part([at(side * (cut.neck + 2), top - height), at(side * (cut.neck + 6), top + 6),
                at(side * 3, top + 38), at(side * 3, top + 38 - height)], shade=0.98, rounds=1)


def placket(g: Garment, cut: TopCut, start: float, end: float, buttons: int,
            hidden: bool = False, width: float = 16) -> None:
    g.seam([at(width, start), at(width, end)], 1.4)
    g.stitch([at(width - 5, start), at(width - 5, end)], 6, 4)
    if not hidden:
        for index in range(buttons):
            y = start + 18 + (end - start - 40) * index / max(1, buttons - 1)
            g.button(CX + width / 2 - 1, y, 7)


def lapels(g: Garment, cut: TopCut, button_y: float, width: float = 80,
           notch: bool = True, overlap: float = 0) -> None:
    """A V opening down to the top button, the lapels folded back and the collar behind."""
    top = cut.top
    g.part([at(-cut.neck - 8, top + 6), at(-cut.neck + 4, top - 24), at(cut.neck - 4, top - 24),
            at(cut.neck + 8, top + 6)], shade=0.88, rounds=1)
    g.inside([at(-cut.neck + 4, top - 14), at(cut.neck - 4, top - 14), at(overlap, button_y),
              at(-cut.neck + 4, top - 14)], rounds=0)
    g.label(top + 6)
    for side in (1, -1):
        inner = at(side * (cut.neck - 6), top - 18)
        end = at(overlap + side * 2, button_y)
        if notch:
            outline = [inner, at(side * (cut.neck + 24), top + 60),
                       at(side * (cut.neck + 10), top + 78),
                       at(side * (cut.neck + width), top + 98),
                       at(side * (cut.neck + width * 0.7), top + 180), end]
        else:  # shawl: one smooth roll from the back neck to the button
            outline = [inner, *curve(inner, at(side * (cut.neck + width * 1.25), top + 110),
                                     end, 20)[1:]]
        g.part(outline, shade=1.03, rounds=1)
        g.fold([lerp(outline[-1], outline[-2], 0.1), lerp(outline[-1], outline[-2], 0.9)],
               0.28, 10)
        g.stitch([lerp(inner, outline[1], 0.2), lerp(inner, outline[1], 0.95)], 4, 4)


def patch_pocket(g: Garment, x: float, y: float, w: float, h: float, flap: bool = False,
                 stitch: RGB | None = None) -> None:
    box = [at(x, y), at(x + w, y), at(x + w, y + h - 10), at(x + w - 10, y + h),
           at(x + 10, y + h), at(x, y + h - 10)]
    g.seam([*box, box[0]], 1.5)
    g.stitch([lerp(box[0], box[-1], 0), at(x + 5, y + h - 12), at(x + 12, y + h - 5),
              at(x + w - 12, y + h - 5), at(x + w - 5, y + h - 12), at(x + w - 5, y)], 6, 4,
             color=stitch)
    g.fold([at(x + 4, y + h + 4), at(x + w - 4, y + h + 4)], 0.14, 8)
    if flap:
        g.part([at(x - 4, y - 6), at(x + w + 4, y - 6), at(x + w + 4, y + 34),
                at(x - 4, y + 34)], shade=1.01, rounds=1)


def flap_pocket(g: Garment, x: float, y: float, w: float) -> None:
    g.part([at(x, y), at(x + w, y - 4), at(x + w, y + 34), at(x, y + 38)], shade=1.01,
           rounds=1)
    g.fold([at(x + 2, y + 44), at(x + w - 2, y + 40)], 0.25, 8)


def belt(g: Garment, y: float, left: float, right: float, height: float = 34,
         tie: bool = False, buckle: bool = False) -> None:
    g.part([at(left - 6, y), at(right + 6, y - 4), at(right + 6, y + height - 4),
            at(left - 6, y + height)], shade=1.02, rounds=1)
    g.stitch([at(left, y + 6), at(right, y + 2)], 5, 4)
    g.stitch([at(left, y + height - 6), at(right, y + height - 10)], 5, 4)
    if tie:
        knot = [at(-24, y - 8), at(22, y - 10), at(26, y + height + 6), at(-20, y + height + 8)]
        g.part(knot, shade=0.98, rounds=2)
        for dx, length in ((-16, 230), (10, 190)):
            g.part([at(dx - 14, y + height), at(dx + 14, y + height), at(dx + 20 + dx * 0.3,
                    y + height + length), at(dx - 8 + dx * 0.3, y + height + length + 6)],
                   shade=0.96, rounds=1)
    if buckle:
        metal = (186, 168, 128) if luminance(g.color) > 80 else (150, 140, 118)
        g.ring((CX + right - 70, y - 8, CX + right - 24, y + height + 4), metal, 5)


def draw_coat(g: Garment, kind: str) -> None:
    cut = TopCut(neck=66, top=130, shoulder=205, slope=34, chest=198, armpit=365, waist=200,
                 hem=232, length=1020, sleeve=460, sleeve_angle=10, cuff=98, armhole=130)
    draw_top(g, cut)
    if kind == "trench":
        lapels(g, cut, 430, width=92, overlap=-26)
        for side in (1, -1):  # storm flaps and epaulettes
            g.part([at(side * (cut.neck + 14), cut.top + 10), at(side * (cut.shoulder - 6),
                    cut.top + cut.slope + 6), at(side * (cut.shoulder - 10), cut.top + 150),
                    at(side * (cut.neck + 70), cut.top + 170)], shade=1.02, rounds=1)
        for x, y in ((-60, 470), (40, 470), (-60, 600), (40, 600), (-60, 780), (40, 780)):
            g.button(CX + x, y, 10)
        g.seam([at(-26, 430), at(-26, 1020)], 1.6)
        belt(g, 540, -cut.waist, cut.waist, tie=True)
        for side in (1, -1):
            g.seam([at(side * 150, 640), at(side * 120, 760)], 1.6)
            g.stitch([at(side * 156, 636), at(side * 126, 756)], 5, 4)
    elif kind == "wrap_coat":
        lapels(g, cut, 520, width=110, notch=False, overlap=-30)
        g.seam([at(-30, 520), at(-60, 1020)], 1.6, smooth=True)
        belt(g, 560, -cut.waist, cut.waist, tie=True)
        for side in (1, -1):
            g.seam([at(side * 150, 680), at(side * 140, 800)], 1.6)
    else:
        lapels(g, cut, 470, width=96, overlap=-20)
        for x, y in ((-70, 500), (34, 500), (-70, 640), (34, 640), (-70, 780), (34, 780)):
            g.button(CX + x, y, 11)
        g.seam([at(-20, 470), at(-20, 1020)], 1.6)
        for side in (1, -1):
            flap_pocket(g, side * 110 - (70 if side < 0 else 0), 700, 70)
    cuff(g, cut, 60)
    g.stitch([at(-cut.hem + 6, cut.length - 22), at(cut.hem - 6, cut.length - 22)], 6, 4)
    g.fold([at(-40, 700), at(-60, 1000)], 0.1, 30)


def draw_jacket(g: Garment, kind: str) -> None:
    if kind == "haori":
        draw_haori(g)
        return
    boxy = kind == "boxy_jacket"
    cut = TopCut(neck=64, top=140, shoulder=200 if boxy else 190, slope=28 if boxy else 32,
                 chest=192 if boxy else 182, armpit=370, waist=196 if boxy else 172,
                 hem=200 if boxy else 186, length=700 if boxy else 790, sleeve=420,
                 sleeve_angle=13, cuff=96, armhole=125)
    draw_top(g, cut)
    accent = (201, 162, 90) if kind == "work_jacket" else None
    if kind == "work_jacket":
        shirt_collar(g, cut, 1.3)
        g.seam([at(0, cut.top + 30), at(0, cut.length)], 1.6)
        g.stitch([at(8, cut.top + 36), at(8, cut.length)], 6, 4, color=accent)
        for index in range(5):
            g.button(CX - 2, cut.top + 70 + index * 120, 9, (150, 130, 95))
        patch_pocket(g, -150, 300, 100, 110, stitch=accent)
        for side in (1, -1):
            patch_pocket(g, side * 115 - (120 if side < 0 else 0) + (0 if side < 0 else -5),
                         520, 120, 140, stitch=accent)
        g.stitch([at(-cut.hem + 6, cut.length - 14), at(cut.hem - 6, cut.length - 14)], 6, 4,
                 color=accent)
        cuff(g, cut, 44, button=True)
        return
    if kind in ("collarless", "boxy_jacket"):
        left, right = at(-cut.neck, cut.top), at(cut.neck, cut.top)
        g.inside(curve(left, at(0, cut.top + 16), right)
                 + curve(right, at(0, cut.top + 110), left), rounds=0)
        front = curve(at(0, cut.top + 56), at(2, cut.top + 300), at(4, cut.length))
        g.seam(front, 1.7)
        g.stitch([(x + 10, y) for x, y in front], 5, 4)
        g.stitch(curve(at(-cut.neck - 8, cut.top + 4), at(0, cut.top + 126),
                       at(cut.neck + 8, cut.top + 4)), 5, 4)
        if not boxy:
            for index in range(3):
                g.button(CX - 10, cut.top + 120 + index * 120, 9)
        for side in (1, -1):
            x = side * 100 - (0 if side > 0 else 90)
            patch_pocket(g, x, cut.length - 240 if not boxy else cut.length - 210, 90, 110)
        cuff(g, cut, 50)
        return
    lapels(g, cut, 430, width=84)  # tailored
    g.seam([at(-4, 430), at(-4, cut.length - 20), at(-40, cut.length)], 1.6)
    for y in (470, 590):
        g.button(CX - 14, y, 10)
    flap_pocket(g, 95, 600, 80)
    flap_pocket(g, -175, 600, 80)
    g.seam([at(110, 300), at(170, 296)], 1.5)
    cuff(g, cut, 40)


def draw_haori(g: Garment) -> None:
    """A quilted jacket on the haori's lines: wide straight sleeves and an open front."""
    top, hem = 150, 760
    for side in (1, -1):
        sleeve = [at(side * 150, top + 20), at(side * 330, top + 40), at(side * 340, 560),
                  at(side * 205, 580), at(side * 175, 400)]
        g.part(sleeve, shade=0.95, rounds=1)
        for y in range(230, 560, 48):
            g.seam(curve(at(side * 180, y), at(side * 255, y + 14), at(side * 335, y + 4)), 1.2,
                   color=tone(g.color, 0.8))
    body = [(60, top), (190, top + 26), (198, 440), (200, hem), (0, hem)]
    g.part(symmetric(body), rounds=1)
    for y in range(220, hem - 20, 46):
        for side in (1, -1):
            g.seam(curve(at(side * 42, y), at(side * 120, y + 12), at(side * 196, y)), 1.2,
                   color=tone(g.color, 0.8))
    g.inside([at(-60, top), at(60, top), at(28, hem), at(-28, hem)], rounds=0)
    for side in (1, -1):
        band = [at(side * 60, top - 12), at(side * 92, top - 6), at(side * 64, hem),
                at(side * 28, hem)]
        g.part(band, shade=0.9, rounds=0)
        g.stitch([lerp(band[0], band[3], 0.02), lerp(band[0], band[3], 0.98)], 5, 4)
        g.seam([at(side * 190, top + 28), at(side * 196, 420)], 1.6)
        g.fold([at(side * 170, 450), at(side * 150, 740)], 0.12, 30)
    g.sheen([at(-140, 200), at(-150, 700)], 0.14, 40)


def draw_shirt(g: Garment, kind: str, dress: bool = False) -> None:
    oversized = kind == "shirt" and not dress
    cut = TopCut(neck=58, top=140, shoulder=220 if oversized else 178, slope=36 if oversized
                 else 30, chest=200 if oversized else 170, armpit=390 if oversized else 360,
                 waist=196 if oversized else 160, hem=202 if oversized else 172,
                 length=800, hem_curve=60, sleeve=420 if oversized else 440,
                 sleeve_angle=12 if oversized else 14, cuff=88 if oversized else 74)
    if dress:
        cut = TopCut(neck=56, top=120, shoulder=168, slope=28, chest=160, armpit=330, waist=138,
                     hem=250, length=1030, hem_curve=20, sleeve=380, sleeve_angle=16, cuff=78)
    draw_top(g, cut)
    if kind == "band_shirt":
        band_collar(g, cut)
        placket(g, cut, cut.top + 36, cut.length + 40, 6, hidden=True)
        g.button(CX + 4, cut.top + 14, 6)
    else:
        shirt_collar(g, cut)
        placket(g, cut, cut.top + 50, 600 if dress else cut.length + 40, 6 if dress else 7)
    g.seam(curve(at(-cut.shoulder + 10, cut.top + 100), at(0, cut.top + 116),
                 at(cut.shoulder - 10, cut.top + 100)), 1.3)  # back yoke seen at the shoulders
    if oversized:
        patch_pocket(g, 50, 290, 84, 96)
    if dress:
        g.seam(curve(at(-cut.waist, 470), at(0, 478), at(cut.waist, 470)), 1.6)
        for side in (1, -1):
            g.fold([at(side * 60, 520), at(side * 120, 1020)], 0.14, 26)
            g.sheen([at(side * 110, 560), at(side * 190, 1000)], 0.08, 30)
    cuff(g, cut, 44, button=True)
    g.stitch([at(-cut.hem + 8, cut.length - 8), at(0, cut.length + cut.hem_curve - 10),
              at(cut.hem - 8, cut.length - 8)], 5, 4)


def draw_knit(g: Garment, kind: str) -> None:
    long = kind == "cardigan" and g.fabric == "fuzzy"
    cut = TopCut(neck=60, top=150, shoulder=192, slope=36, chest=186, armpit=380, waist=176,
                 hem=172 if not long else 190, length=760 if not long else 940, sleeve=420,
                 sleeve_angle=12, cuff=70)
    draw_top(g, cut)
    cuff(g, cut, 64, ribbed=True)
    if kind == "turtleneck":
        g.inside([at(-cut.neck - 4, cut.top - 96), at(cut.neck + 4, cut.top - 96),
                  at(cut.neck, cut.top - 70), at(-cut.neck, cut.top - 70)], rounds=2)
        neck = [at(-cut.neck - 14, cut.top - 84), at(cut.neck + 14, cut.top - 84),
                at(cut.neck + 18, cut.top + 20), at(0, cut.top + 34),
                at(-cut.neck - 18, cut.top + 20)]
        g.part(neck, shade=0.98, rounds=1)
        g.rib([at(-cut.neck - 12, cut.top - 80), at(cut.neck + 12, cut.top - 80)],
              [at(-cut.neck - 16, cut.top + 18), at(cut.neck + 16, cut.top + 18)], 7)
        g.seam([at(-cut.neck - 16, cut.top - 20), at(cut.neck + 16, cut.top - 20)], 1.4)
        g.fold([at(-cut.neck, cut.top - 18), at(cut.neck, cut.top - 18)], 0.3, 10)
        hem_band(g, cut, 56)
    elif kind == "cardigan":
        depth = 300 if not long else 340
        v_neck(g, cut, depth)
        g.inside([at(-6, cut.top + depth), at(6, cut.top + depth), at(4, cut.length),
                  at(-4, cut.length)], rounds=0)
        hem_band(g, cut, 56)
        for side in (1, -1):
            band = [at(side * 4, cut.top + depth - 6), at(side * 30, cut.top + depth - 30),
                    at(side * 30, cut.length), at(side * 4, cut.length)]
            g.part(band, shade=0.97, rounds=0)
            g.rib([band[1], band[2]], [band[0], band[3]], 7)
        for index in range(5 if not long else 6):
            g.button(CX - 17, cut.top + depth + 20 + index * 74, 8)
        if long:
            for side in (1, -1):
                patch_pocket(g, side * 80 - (110 if side < 0 else 0), 650, 110, 130)
    else:
        crew_neck(g, cut, 46, 16)
        hem_band(g, cut, 56)
    for side in (1, -1):
        g.fold([at(side * 120, cut.length - 60), at(side * 110, cut.length - 260)], 0.1, 18)


def draw_tee(g: Garment, kind: str) -> None:
    long_sleeves = kind in ("long_tee", "mock_tee", "boat_tee")
    long_body = kind == "long_tee"
    cut = TopCut(neck=58 if kind != "boat_tee" else 108, top=150 if kind != "boat_tee" else 165,
                 shoulder=188, slope=30 if kind != "boat_tee" else 18, chest=178, armpit=360,
                 waist=170, hem=176, length=760 if not long_body else 860,
                 sleeve=440 if long_sleeves else 150, sleeve_angle=12 if long_sleeves else 36,
                 cuff=70 if long_sleeves else 120)
    draw_top(g, cut)
    if kind == "mock_tee":
        neck = [at(-cut.neck - 8, cut.top - 46), at(cut.neck + 8, cut.top - 46),
                at(cut.neck + 14, cut.top + 16), at(0, cut.top + 26),
                at(-cut.neck - 14, cut.top + 16)]
        g.inside([at(-cut.neck, cut.top - 56), at(cut.neck, cut.top - 56),
                  at(cut.neck - 4, cut.top - 36), at(-cut.neck + 4, cut.top - 36)], rounds=2)
        g.part(neck, shade=0.98, rounds=1)
        g.stitch([at(-cut.neck - 12, cut.top + 6), at(cut.neck + 12, cut.top + 6)], 5, 4)
    elif kind == "boat_tee":
        left, right = at(-cut.neck, cut.top), at(cut.neck, cut.top)
        g.inside(curve(left, at(0, cut.top + 8), right) + curve(right, at(0, cut.top + 50),
                                                                 left), rounds=0)
        g.stitch(curve(at(-cut.neck - 6, cut.top + 12), at(0, cut.top + 62),
                       at(cut.neck + 6, cut.top + 12)), 5, 4)
    else:
        crew_neck(g, cut, 34, 12, ribbed=False)
        g.stitch(curve(at(-cut.neck - 10, cut.top + 16), at(0, cut.top + 100),
                       at(cut.neck + 10, cut.top + 16)), 5, 4)
    for side in (1, -1):
        _, outer, inner, _ = sleeve_geometry(cut, side)
        g.stitch([lerp(outer, inner, 0.02), lerp(outer, inner, 0.98)], 5, 4)
        if kind == "long_tee":  # thumb hole
            hole = lerp(lerp(outer, inner, 0.5), (lerp(outer, inner, 0.5)[0],
                                                    lerp(outer, inner, 0.5)[1] - 40), 0.7)
            g.inside(ellipse_points(hole[0], hole[1], 10, 5, steps=16), rounds=0)
    g.stitch([at(-cut.hem + 6, cut.length - 16), at(cut.hem - 6, cut.length - 16)], 5, 4)


def draw_dress(g: Garment, kind: str) -> None:
    if kind == "shirt_dress":
        draw_shirt(g, "shirt", dress=True)
        return
    if kind == "column_dress":
        body = [(70, 150), (112, 150), (150, 330), (140, 520), (150, 800), (168, 1050),
                (0, 1060)]
        g.part(symmetric(body), rounds=1)
        left, right = at(-70, 150), at(70, 150)
        g.inside(curve(left, at(0, 170), right) + curve(right, at(0, 260), left), rounds=0)
        for side in (1, -1):
            g.seam([at(side * 112, 150), at(side * 150, 330)], 1.4)
            g.sheen([at(side * 70, 360), at(side * 90, 1020)], 0.22, 30)
            g.fold([at(side * 30, 560), at(side * 40, 1040)], 0.2, 24)
        g.sheen([at(-40, 240), at(-20, 420)], 0.16, 40)
        return
    cut = TopCut(neck=56, top=130, shoulder=172, slope=30, chest=162, armpit=340, waist=140,
                 hem=228, length=1040, hem_curve=12, sleeve=420, sleeve_angle=14, cuff=64)
    draw_top(g, cut)
    crew_neck(g, cut, 30, 12, ribbed=False)
    g.seam(curve(at(-cut.waist, 500), at(0, 506), at(cut.waist, 500)), 1.4)
    for side in (1, -1):
        g.fold([at(side * 50, 540), at(side * 90, 1030)], 0.14, 26)
        g.fold([at(side * 140, 600), at(side * 190, 1030)], 0.12, 22)
    g.stitch([at(-cut.hem + 6, cut.length - 10), at(cut.hem - 6, cut.length - 10)], 5, 4)


def waistband(g: Garment, top: float, half: float, height: float = 44,
              gathered: bool = False, loops: bool = True) -> None:
    g.part([at(-half, top), at(half, top), at(half + 2, top + height),
            at(-half - 2, top + height)], shade=1.0, rounds=0)
    g.inside([at(-half + 4, top - 8), at(half - 4, top - 8), at(half, top + 2),
              at(-half, top + 2)], rounds=1)
    g.stitch([at(-half + 6, top + height - 7), at(half - 6, top + height - 7)], 5, 4)
    if gathered:
        for index in range(1, 40):
            x = -half + 2 * half * index / 40
            g.seam([at(x, top + 6), at(x + 1, top + height - 4)], 0.8, color=tone(g.color, 0.8))
    elif loops:
        for x in (-half + 40, -60, 60, half - 40):
            g.part([at(x - 6, top - 2), at(x + 6, top - 2), at(x + 6, top + height + 10),
                    at(x - 6, top + height + 10)], shade=1.03, rounds=0)
        g.button(CX + 6, top + height / 2, 8)


def draw_trousers(g: Garment, kind: str) -> None:
    top, crotch, hem = 150, 460, 1040
    waist, hip = (190, 208) if kind != "easy_trousers" else (200, 212)
    hem_out, hem_in = {"wide_trousers": (250, 16), "easy_trousers": (150, 50)}.get(
        kind, (190, 34))
    leg = [(waist, top + 40), (hip, 340), (hem_out, hem), (hem_in, hem), (8, crotch),
           (0, crotch)]
    g.part([at(0, top + 40), *[at(x, y) for x, y in leg[:-1]]]
           + [at(-x, y) for x, y in reversed(leg[:-1])], rounds=1)
    waistband(g, top, waist, gathered=kind == "easy_trousers",
              loops=kind != "easy_trousers")
    for side in (1, -1):
        centre_top = (waist * 0.5 + 4, top + 46)
        centre_hem = ((hem_out + hem_in) / 2, hem)
        g.fold([at(side * (centre_top[0] - 6), centre_top[1] + 40),
                at(side * (centre_hem[0] - 6), centre_hem[1] - 10)], 0.12, 16)
        g.sheen([at(side * (centre_top[0] + 8), centre_top[1] + 60),
                 at(side * (centre_hem[0] + 8), centre_hem[1] - 20)], 0.12, 16)
        g.seam([at(side * (waist - 40), top + 46), at(side * (hip - 6), 300)], 1.5)
        g.fold([at(side * 20, crotch + 40), at(side * (hem_in + 10), hem - 40)], 0.1, 20)
        if kind in ("wide_trousers", "trousers"):
            for offset in ((0, 26) if kind == "wide_trousers" else (0,)):
                x = side * (centre_top[0] - offset)
                g.seam([at(x, top + 44), at(x + side * 2, top + 150)], 1.3)
        g.stitch([at(side * (hem_in + 4), hem - 16), at(side * (hem_out - 4), hem - 16)], 5, 4)
    if kind == "easy_trousers":
        for dx, length in ((-14, 170), (14, 140)):
            g.seam([at(dx, top + 30), at(dx * 1.6, top + 30 + length)], 2.6,
                   color=tone(g.color, 0.88))
            g.part(ellipse_points(CX + dx * 1.6, top + 40 + length, 6, 9, steps=12),
                   shade=0.9, rounds=0)
    else:
        g.seam([at(-2, top + 44), at(-2, 350), at(-40, 380), at(-44, 330), at(-44, top + 44)],
               1.4, smooth=True)
        g.stitch([at(-44, top + 50), at(-44, 326), at(-8, 352)], 5, 4)


def draw_skirt(g: Garment, kind: str) -> None:
    top, hem = 160, 960 if kind == "pleated_skirt" else 1010
    waist, flare = 168, 300 if kind == "pleated_skirt" else 268
    if kind == "pleated_skirt":
        count = 26
        for index in range(count):
            t0, t1 = index / count, (index + 1) / count
            x0, x1 = -waist + 2 * waist * t0, -waist + 2 * waist * t1
            h0, h1 = -flare + 2 * flare * t0, -flare + 2 * flare * t1
            y_hem = hem + 14 * math.sin(math.pi * (t0 + t1) / 2)
            g.part([at(x0, top + 40), at(x1, top + 40), at(h1, y_hem), at(h0, y_hem + 6)],
                   shade=1.0 if index % 2 else 0.9, rounds=0, outline=False)
        waistband(g, top, waist, loops=False)
        for side in (1, -1):
            g.sheen([at(side * -90, top + 90), at(side * -160, hem - 20)], 0.12, 40)
        return
    body = [(waist, top + 40), (waist + 40, 380), (flare, hem - 10), (0, hem + 6)]
    g.part(symmetric(body), rounds=1)
    waistband(g, top, waist, loops=False)
    g.seam(curve(at(waist - 60, top + 44), at(40, 560), at(flare - 120, hem - 4)), 1.8)
    g.fold(curve(at(waist - 70, top + 60), at(30, 560), at(flare - 130, hem - 10)), 0.22, 14)
    metal = (160, 144, 110)
    g.hardware([at(waist - 96, 252), at(waist - 14, 256), at(waist - 14, 278),
                at(waist - 96, 274)], tone(g.color, 0.7) if luminance(g.color) > 70 else
               (92, 62, 40))
    g.ring((CX + waist - 50, 242, CX + waist - 16, 290), metal, 4)
    for side in (1, -1):
        g.fold([at(side * 80, 420), at(side * 150, hem - 20)], 0.12, 26)
    g.stitch([at(-flare + 10, hem - 24), at(0, hem - 8), at(flare - 10, hem - 24)], 5, 4)


def draw_bag(g: Garment, kind: str) -> None:
    leather = (48, 40, 36) if luminance(g.color) < 60 else (
        (108, 70, 44) if g.fabric != "leather" else tone(g.color, 0.85))
    if kind == "tote":
        top, bottom = 430, 960
        for half, height, shade in ((130, 60, 0.8), (100, 110, 1.0)):  # back, then front
            handle = curve(at(-half, top + 30), at(0, height - 40), at(half, top + 30), 40)
            g.strap(handle, 20, tone(leather, shade))
            g.stitch(handle, 5, 4, color=tone(leather, 1.3) if luminance(leather) < 60 else
                     tone(leather, 0.7), width=1)
        g.part([at(-240, top), at(240, top), at(262, bottom), at(-262, bottom)], rounds=1)
        g.inside([at(-236, top + 2), at(236, top + 2), at(232, top - 12), at(-232, top - 12)],
                 rounds=1)
        for side in (1, -1):
            for x in (100,):
                tab = [at(side * x - 16, top - 10), at(side * x + 16, top - 10),
                       at(side * x + 16, top + 60), at(side * x - 16, top + 60)]
                g.hardware(tab, leather)
                g.hardware(ellipse_points(CX + side * x, top + 44, 4, 4, steps=12),
                           (180, 160, 120))
        g.stitch([at(-238, top + 26), at(238, top + 26)], 6, 4)
        g.fold([at(-120, top + 80), at(-150, bottom - 30)], 0.12, 40)
        g.fold([at(150, top + 60), at(170, bottom - 40)], 0.1, 30)
        g.fold([at(-250, bottom - 8), at(250, bottom - 8)], 0.2, 20)
        return
    strap = curve(at(-206, 660), at(0, -170), at(206, 660), 40)
    g.strap(strap, 16, tone(g.color, 0.92))
    g.stitch(strap, 5, 4, width=1)
    outline = ellipse_points(CX, 600, 250, 330, 0, 180, 48)
    g.part([at(-250, 600), at(250, 600), *outline[1:-1]], rounds=0)
    g.seam([at(-236, 616), at(236, 616)], 2.4, color=tone(g.color, 0.6))
    g.stitch(ellipse_points(CX, 600, 236, 316, 8, 172, 40), 5, 4)
    g.hardware([at(150, 604), at(176, 604), at(176, 650), at(150, 650)], (170, 154, 116))
    g.sheen([at(-160, 680), at(-60, 860)], 0.2, 40)
    g.fold([at(60, 700), at(120, 880)], 0.18, 40)


def draw_stole(g: Garment) -> None:
    top = 170
    panels = (((-180, top + 40), (-10, top + 40), (0, 900), (-170, 890), 0.92),
              ((-40, top), (150, top), (170, 960), (-20, 950), 1.0))
    for a, b, c, d, shade in panels:
        g.part([at(*a), at(*b), at(*c), at(*d)], shade=shade, rounds=1)
        for index in range(28):
            t = (index + 0.5) / 28
            base = lerp(at(*d), at(*c), t)
            g.strap([base, (base[0] + 2 * math.sin(index * 1.7), base[1] + 56 + 6 * math.sin(
                index * 2.3))], 2.4, tone(g.color, shade * 0.97), edge=False)
        for t in (0.3, 0.62):
            g.fold([lerp(at(*a), at(*b), t), lerp(at(*d), at(*c), t + 0.05)], 0.16, 26)
        g.stitch([lerp(at(*d), at(*a), 0.03), lerp(at(*c), at(*b), 0.03)], 4, 3)
    g.part([at(-180, top + 44), *ellipse_points(CX - 15, top + 40, 165, 60, 180, 360, 24),
            at(150, top + 4)], shade=0.97, rounds=0)
    g.fold([at(-170, top + 46), at(140, top + 10)], 0.3, 12)


def draw_socks(g: Garment) -> None:
    """A pair of rib socks laid flat, the second a little higher and to the right."""
    for dx, dy, shade in ((-170, 60, 0.93), (20, -10, 1.0)):
        def p(x: float, y: float, dx: float = dx, dy: float = dy) -> Point:
            return at(dx + x, dy + y)
        outline = [p(-60, 200), p(60, 200), p(62, 560),
                   *curve(p(62, 560), p(70, 650), p(150, 660), 8)[1:],
                   *curve(p(150, 660), p(250, 660), p(252, 720), 8)[1:],
                   *curve(p(252, 720), p(254, 780), p(180, 784), 8)[1:],
                   p(20, 784), *curve(p(20, 784), p(-66, 780), p(-64, 640), 10)[1:]]
        g.part(outline, shade=shade, rounds=0)
        g.rib([p(-58, 214), p(58, 214)], [p(-60, 560), p(60, 560)], 8)
        g.seam([p(-62, 300), p(62, 300)], 1.2, color=tone(g.color, 0.85))
        g.part([*curve(p(-64, 660), p(-60, 780), p(30, 784), 10), p(0, 700)],
               shade=shade * 0.9, rounds=0)
        g.part(curve(p(196, 664), p(252, 670), p(252, 730), 8) + curve(
            p(252, 730), p(250, 784), p(190, 784), 8) + [p(196, 664)], shade=shade * 0.9,
               rounds=0)
        g.inside([p(-56, 196), p(56, 196), p(52, 212), p(-52, 212)], rounds=1)
        g.fold([p(10, 520), p(40, 660)], 0.14, 30)


def draw_hat(g: Garment) -> None:
    crown = [at(-160, 440), at(-120, 400), at(120, 400), at(160, 440), at(186, 590),
             at(-186, 590)]
    g.part(crown, rounds=2)
    g.seam([at(0, 404), at(0, 588)], 1.4)
    g.fold([at(-100, 450), at(-130, 580)], 0.14, 30)
    brim = [at(-186, 578), at(186, 578), *ellipse_points(CX, 600, 310, 130, 0, 180, 40)[1:-1]]
    g.part([*brim[:2], at(310, 600), *brim[2:], at(-310, 600)], shade=0.97, rounds=1)
    for index in range(1, 6):
        g.stitch(ellipse_points(CX, 600, 186 + 22 * index, 20 + 20 * index, 6, 174, 36), 5, 3)
    g.part([at(-186, 560), at(186, 560), at(188, 590), at(-188, 590)], shade=0.9, rounds=0)
    for side in (1, -1):
        g.hardware(ellipse_points(CX + side * 80, 470, 6, 6, steps=12), (150, 140, 118))


def draw_garment(silhouette: str, color: RGB, fabric: str, seed: int) -> Image.Image:
    """Draw one garment as an RGBA image of the picture's size."""
    g = Garment(color, fabric, seed)
    drawers: dict[str, Callable[[Garment, str], None]] = {
        "coat": draw_coat, "trench": draw_coat, "wrap_coat": draw_coat,
        "blazer": draw_jacket, "haori": draw_jacket, "work_jacket": draw_jacket,
        "collarless": draw_jacket, "boxy_jacket": draw_jacket,
        "shirt": draw_shirt, "band_shirt": draw_shirt,
        "crew_knit": draw_knit, "turtleneck": draw_knit, "cardigan": draw_knit,
        "tee": draw_tee, "long_tee": draw_tee, "mock_tee": draw_tee, "boat_tee": draw_tee,
        "shirt_dress": draw_dress, "column_dress": draw_dress, "jersey_dress": draw_dress,
        "trousers": draw_trousers, "wide_trousers": draw_trousers,
        "easy_trousers": draw_trousers,
        "pleated_skirt": draw_skirt, "wrap_skirt": draw_skirt,
        "tote": draw_bag, "shoulder_bag": draw_bag,
        "stole": lambda garment, _: draw_stole(garment),
        "socks": lambda garment, _: draw_socks(garment),
        "hat": lambda garment, _: draw_hat(garment),
    }
    drawers.get(silhouette, draw_tee)(g, silhouette)
    return g.render()


# --- scenes -------------------------------------------------------------------------------


def vertical_gradient(size: tuple[int, int], top: RGB, bottom: RGB) -> Image.Image:
    ramp = Image.linear_gradient("L").resize(size)
    return Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), ramp)


def radial_glow(size: tuple[int, int], center: Point, radius: float,
                strength: float) -> Image.Image:
    """An L image: 0 outside, up to 255 × strength at the centre, soft."""
    glow = Image.radial_gradient("L").resize((round(radius * 2), round(radius * 2)))
    # The gradient reaches 255 only in the corners; make it 0 from the inscribed circle on.
    glow = ImageChops.invert(glow.point(lambda v: min(255, v * 256 / 181)))
    glow = glow.point(lambda v: _clamp(v * strength))
    layer = Image.new("L", size, 0)
    layer.paste(glow, (round(center[0] - radius), round(center[1] - radius)))
    return layer


def grain(image: Image.Image, rng: random.Random, amount: float) -> Image.Image:
    """A light, even film grain over a whole picture."""
    texture = _contrast(noise(image.size, rng, 0.5), amount)
    return ImageChops.add(image, Image.merge("RGB", (texture, texture, texture)), 1.0, -128)


def drop_shadow(canvas: Image.Image, garment: Image.Image, position: tuple[int, int],
                offset: tuple[int, int], blur: float, opacity: float,
                color: RGB = (60, 52, 44)) -> None:
    """Darken the canvas under a garment's outline, softly."""
    alpha = garment.getchannel("A").filter(ImageFilter.GaussianBlur(blur)).point(
        lambda v: _clamp(v * opacity))
    shadow = Image.new("RGBA", garment.size, (*color, 0))
    shadow.putalpha(alpha)
    canvas.alpha_composite(shadow, (position[0] + offset[0], position[1] + offset[1]))


def product_picture(style: Style, color: Colorway) -> Image.Image:
    """A studio picture of one colour of a style."""
    seed = seed_of(style.season, style.style_no, color.code)
    garment = draw_garment(style.silhouette, color.swatch, style.fabric, seed)
    canvas = vertical_gradient((WIDTH, HEIGHT), STUDIO_TOP, STUDIO_BOTTOM)
    glow = radial_glow((WIDTH, HEIGHT), (WIDTH * 0.42, HEIGHT * 0.4), 620, 0.35)
    canvas = Image.composite(Image.new("RGB", canvas.size, (250, 248, 245)), canvas, glow)
    canvas = canvas.convert("RGBA")
    drop_shadow(canvas, garment, (0, 0), (10, 16), 16, 0.32)
    canvas.alpha_composite(garment)
    return canvas.convert("RGB")


@dataclass(frozen=True)
class Palette:
    """A scene's wall and floor."""

    wall_top: RGB
    wall_bottom: RGB
    floor: RGB
    rail: RGB


PALETTES: dict[str, Palette] = {
    "aw26": Palette((214, 208, 199), (196, 189, 178), (164, 150, 134), (60, 52, 46)),
    "ss27": Palette((226, 225, 217), (207, 209, 202), (190, 178, 156), (120, 100, 76)),
    "aw27": Palette((92, 92, 94), (66, 66, 70), (48, 46, 46), (20, 20, 22)),
}
DEFAULT_PALETTE = Palette((225, 221, 214), (205, 200, 192), (176, 166, 152), (70, 62, 54))

_HANGING = {"coat", "trench", "wrap_coat", "blazer", "haori", "work_jacket", "collarless",
            "boxy_jacket", "shirt", "band_shirt", "crew_knit", "turtleneck", "cardigan", "tee",
            "long_tee", "mock_tee", "boat_tee", "shirt_dress", "column_dress", "jersey_dress",
            "trousers", "wide_trousers", "easy_trousers", "pleated_skirt", "wrap_skirt",
            "stole"}


def studio(size: tuple[int, int], palette: Palette, floor_y: int, rng: random.Random,
           beam: bool = True) -> Image.Image:
    """A wall with a soft shaft of window light, and a floor."""
    w, h = size
    image = vertical_gradient(size, palette.wall_top, palette.wall_bottom)
    if beam:
        shaft = Image.new("L", size, 0)
        ImageDraw.Draw(shaft).polygon([(w * 0.08, 0), (w * 0.38, 0), (w * 0.62, floor_y),
                                       (w * 0.22, floor_y)], fill=70)
        shaft = shaft.filter(ImageFilter.GaussianBlur(w / 18))
        image = Image.composite(Image.new("RGB", size, mix(palette.wall_top, (255, 250, 238),
                                                           0.5)), image, shaft)
    floor = vertical_gradient((w, h - floor_y), palette.floor, tone(palette.floor, 0.82))
    image.paste(floor, (0, floor_y))
    skirting = Image.new("L", size, 0)
    ImageDraw.Draw(skirting).rectangle((0, floor_y - 3, w, floor_y + 2), fill=90)
    image = Image.composite(Image.new("RGB", size, tone(palette.floor, 0.7)), image,
                            skirting.filter(ImageFilter.GaussianBlur(2)))
    return grain(image, rng, 0.025)


def hanger(draw: ImageDraw.ImageDraw, x: float, rail_y: float, top_y: float, scale: float,
           color: RGB) -> None:
    """A wooden hanger: a hook over the rail and a bar across the shoulders."""
    width = 180 * scale
    draw.arc((x - 14 * scale, rail_y - 10 * scale, x + 14 * scale, rail_y + 18 * scale), 180,
             20, fill=color, width=max(2, round(4 * scale)))
    draw.line([(x, rail_y + 4 * scale), (x, top_y - 16 * scale)], fill=color,
              width=max(2, round(4 * scale)))
    draw.line([(x - width / 2, top_y + 10 * scale), (x, top_y - 18 * scale),
               (x + width / 2, top_y + 10 * scale)], fill=color, width=max(3, round(9 * scale)),
              joint="curve")


def rail_scene(size: tuple[int, int], palette: Palette, pieces: Sequence[Image.Image],
               kinds: Sequence[str], rng: random.Random, rail_y: int, floor_y: int,
               scale: float, x_range: tuple[float, float]) -> Image.Image:
    """Garments hung on a rail against a wall; bags, hats and socks set on the floor."""
    w, _ = size
    canvas = studio(size, palette, floor_y, rng).convert("RGBA")
    draw = ImageDraw.Draw(canvas)
    draw.line([(w * 0.04, rail_y), (w * 0.96, rail_y)], fill=palette.rail,
              width=max(3, round(10 * scale)))
    for x in (w * 0.05, w * 0.95):  # wall brackets
        draw.line([(x, rail_y - 36 * scale), (x, rail_y)], fill=palette.rail,
                  width=max(2, round(8 * scale)))
        draw.rectangle((x - 10 * scale, rail_y - 46 * scale, x + 10 * scale,
                        rail_y - 30 * scale), fill=palette.rail)
    hanging = [index for index, kind in enumerate(kinds) if kind in _HANGING]
    standing = [index for index, kind in enumerate(kinds) if kind not in _HANGING]
    span = x_range[1] - x_range[0]
    hang_y = rail_y + round(70 * scale)  # where the garment's neck sits
    wood = mix(palette.rail, (150, 118, 84), 0.6)
    for order, index in enumerate(hanging):
        piece = pieces[index].resize((round(WIDTH * scale), round(HEIGHT * scale)),
                                     Image.Resampling.LANCZOS)
        x = x_range[0] + span * (order + 0.5) / len(hanging)
        top = 150 * scale if kinds[index] not in ("stole",) else 170 * scale
        position = (round(x - WIDTH * scale / 2), round(hang_y - top))
        drop_shadow(canvas, piece, position, (round(22 * scale), round(16 * scale)),
                    18 * scale, 0.3)
        hanger(draw, x, rail_y, hang_y, scale, wood)
        canvas.alpha_composite(piece, position)
    for order, index in enumerate(standing):
        small = scale * 0.5
        piece = pieces[index].resize((round(WIDTH * small), round(HEIGHT * small)),
                                     Image.Resampling.LANCZOS)
        box = piece.getchannel("A").getbbox() or (0, 0, piece.width, piece.height)
        x = w * (0.8 if order % 2 == 0 else 0.2) + (order // 2) * 40 * scale
        # Keep the object inside the picture, with a margin.
        x = min(max(x, w * 0.04 + (box[2] - box[0]) / 2), w * 0.96 - (box[2] - box[0]) / 2)
        x -= (box[0] + box[2]) / 2 - piece.width / 2  # centre the object, not its canvas
        position = (round(x - piece.width / 2), round(floor_y + 40 * scale - box[3]))
        contact = Image.new("L", canvas.size, 0)
        ImageDraw.Draw(contact).ellipse((position[0] + box[0], floor_y + 25 * scale,
                                         position[0] + box[2], floor_y + 55 * scale), fill=120)
        contact = contact.filter(ImageFilter.GaussianBlur(12 * scale))
        shadow = Image.new("RGBA", canvas.size, (40, 34, 30, 0))
        shadow.putalpha(contact)
        canvas.alpha_composite(shadow)
        canvas.alpha_composite(piece, position)
    return window_light(canvas.convert("RGB"), rng)


def window_light(image: Image.Image, rng: random.Random) -> Image.Image:
    """Morning light from a window on the left: soft slanted panes, darker corners."""
    w, h = image.size
    panes = Image.new("L", image.size, 0)
    draw = ImageDraw.Draw(panes)
    start = w * rng.uniform(-0.05, 0.1)
    for index in range(2):
        x0 = start + index * w * 0.2
        draw.polygon([(x0, 0), (x0 + w * 0.15, 0), (x0 + w * 0.45, h), (x0 + w * 0.3, h)],
                     fill=44)
    panes = panes.filter(ImageFilter.GaussianBlur(w / 40))
    lit = ImageChops.screen(image, Image.merge("RGB", (panes, panes, panes)))
    corners = ImageChops.invert(radial_glow(image.size, (w / 2, h / 2), max(w, h) * 0.75, 1.0))
    shade = corners.point(lambda v: 255 - v * 0.22)
    return ImageChops.multiply(lit, Image.merge("RGB", (shade, shade, shade)))


def _look_color(style: Style, caption: str, index: int) -> Colorway:
    """The colour a caption names for a style, else one that varies along the page."""
    lowered = caption.lower()
    for color in style.colors:
        if color.name and color.name.lower() in lowered:
            return color
    return style.colors[index % len(style.colors)]


def lookbook_picture(season: str, page: LookbookPage, number: int) -> Image.Image:
    """A still life of the styles one lookbook page names."""
    size = (1200, 1500)
    rng = random.Random(seed_of("lookbook", season, page.image))
    pieces, kinds = [], []
    for index, style in enumerate(page.styles):
        color = _look_color(style, page.caption, index)
        pieces.append(draw_garment(style.silhouette, color.swatch, style.fabric,
                                   seed_of(style.season, style.style_no, color.code)))
        kinds.append(style.silhouette)
    palette = PALETTES.get(season, DEFAULT_PALETTE)
    count = sum(kind in _HANGING for kind in kinds)
    scale = 1.08 if count <= 1 else (1.0 if count == 2 else 0.9)
    margin = 0.2 if count <= 1 else 0.12
    return rail_scene(size, palette, pieces, kinds, rng, rail_y=150, floor_y=1300, scale=scale,
                      x_range=(size[0] * margin + (number % 2) * 30,
                               size[0] * (1 - margin) + (number % 2) * 30))


def season_header(season: str, styles: Sequence[Style]) -> Image.Image:
    """A wide header: the season's garments on a rail, space on the left for a title."""
    size = (1600, 600)
    rng = random.Random(seed_of("header", season))
    chosen = [style for style in styles if style.silhouette in _HANGING][:7]
    pieces = [draw_garment(style.silhouette, style.colors[index % len(style.colors)].swatch,
                           style.fabric, seed_of(style.season, style.style_no,
                                                 style.colors[index % len(style.colors)].code))
              for index, style in enumerate(chosen)]
    return rail_scene(size, PALETTES.get(season, DEFAULT_PALETTE), pieces,
                      [style.silhouette for style in chosen], rng, rail_y=40, floor_y=560,
                      scale=0.45, x_range=(size[0] * 0.36, size[0] * 0.93))


def link_background(name: str) -> Image.Image:
    """An abstract backdrop for a link's pages: mist, tide or ink, by the file's name."""
    size = (1920, 1080)
    w, h = size
    rng = random.Random(seed_of("background", name))
    stem = Path(name).stem
    if "ink" in stem:
        image = vertical_gradient(size, (44, 44, 47), (26, 26, 29))
        for _ in range(9):
            glow = radial_glow(size, (rng.uniform(0, w), rng.uniform(0, h)),
                               rng.uniform(220, 520), rng.uniform(0.12, 0.3))
            image = Image.composite(Image.new("RGB", size, (96, 96, 100)), image, glow)
    elif "tide" in stem:
        image = vertical_gradient(size, (236, 233, 225), (214, 218, 216))
        lines = Image.new("L", size, 0)
        draw = ImageDraw.Draw(lines)
        for row in range(14):
            y0 = h * 0.3 + row * 48 + rng.uniform(-8, 8)
            phase, amplitude = rng.uniform(0, math.tau), 10 + row * 1.5
            draw.line([(x, y0 + amplitude * math.sin(x / 170 + phase)) for x in range(0, w + 20,
                                                                                    20)],
                      fill=60 + row * 5, width=3)
        image = Image.composite(Image.new("RGB", size, (112, 138, 160)), image,
                                lines.filter(ImageFilter.GaussianBlur(3)))
    else:  # mist
        image = vertical_gradient(size, (216, 222, 226), (240, 238, 233))
        for _ in range(7):
            band = Image.new("L", size, 0)
            y = rng.uniform(0, h)
            ImageDraw.Draw(band).ellipse((rng.uniform(-600, w * 0.5), y - 70,
                                          rng.uniform(w * 0.6, w + 600), y + 70), fill=160)
            band = band.filter(ImageFilter.GaussianBlur(60))
            image = Image.composite(Image.new("RGB", size, (250, 250, 248)), image, band)
    return grain(image, rng, 0.04)


def logo() -> Image.Image:
    """The wordmark: a sun behind three lines of mist, and ASAGIRI spaced wide."""
    scale = 4
    width, height = 1000 * scale, 240 * scale
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    ink = (34, 32, 30, 255)
    cx, cy, r = 120 * scale, 120 * scale, 84 * scale
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=ink, width=7 * scale)
    for index, (y, half) in enumerate(((cy + 8 * scale, 96), (cy + 34 * scale, 82),
                                       (cy + 60 * scale, 60))):
        gap = 11 * scale
        draw.rectangle((cx - (half + 10) * scale, y - gap / 2, cx + (half + 10) * scale,
                        y + gap / 2), fill=(0, 0, 0, 0))
        draw.line([(cx - half * scale + index * 14 * scale, y),
                   (cx + half * scale - index * 6 * scale, y)], fill=ink, width=5 * scale)
    font = ImageFont.load_default(size=112 * scale)
    x = 262 * scale
    for letter in "ASAGIRI":
        draw.text((x, 54 * scale), letter, font=font, fill=ink)
        x += round(font.getlength(letter)) + 30 * scale
    small = ImageFont.load_default(size=26 * scale)
    draw.text((266 * scale, 190 * scale), "T O K Y O", font=small, fill=(34, 32, 30, 200))
    return image.resize((width // scale, height // scale), Image.Resampling.LANCZOS)


# --- writing ------------------------------------------------------------------------------


def save_jpeg(image: Image.Image, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    image.convert("RGB").save(path, "JPEG", **JPEG_OPTIONS)


def main(argv: Sequence[str]) -> int:
    """Draw every image the content names; print what was written."""
    if len(argv) != 1:
        print("usage: make_demo_images.py CONTENT_DIR", file=sys.stderr)
        return 2
    root = Path(argv[0])
    if not (root / "brand.yaml").is_file():
        print(f"{root}/brand.yaml not found: pass the content folder", file=sys.stderr)
        return 2
    content = read_content(root)
    media = root / "media"
    written: list[Path] = []
    for season, styles in content.styles.items():
        for style in styles:
            for color in style.colors:
                picture = product_picture(style, color)
                for image in color.images:
                    save_jpeg(picture, media / image)
                    written.append(media / image)
        save_jpeg(season_header(season, styles), media / content.headers[season])
        written.append(media / content.headers[season])
    for season, pages in content.lookbooks.values():
        for number, page in enumerate(pages, start=1):
            save_jpeg(lookbook_picture(season, page, number), media / page.image)
            written.append(media / page.image)
    for name in content.backgrounds:
        save_jpeg(link_background(name), media / name)
        written.append(media / name)
    logo_path = media / content.logo
    logo_path.parent.mkdir(parents=True, exist_ok=True)
    logo().save(logo_path, "PNG", optimize=True)
    written.append(logo_path)
    total = sum(path.stat().st_size for path in set(written))
    print(f"wrote {len(set(written))} images under {media}/ ({total / 1_000_000:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
