"""Make the demo brand's film for the ss27-open link home from its SS27 lookbook pictures.

Usage: python scripts/make_demo_video.py content   (needs ffmpeg: apt-get install -y ffmpeg)

Writes content/media/films/ss27-shiosai.mp4: the season's header, then each page of the
`ss27-shiosai` lookbook, the camera moving slowly down each picture, one dissolving into the
next; 960 × 540 at 24 frames a second, H.264 (main profile, yuv420p, the index at the front
so that a phone starts playing before the whole file has arrived), no sound.

The frames are drawn here with Pillow from the pictures `scripts/make_demo_images.py` made,
the same on every run; ffmpeg only encodes them.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from PIL import Image

WIDTH, HEIGHT, FPS = 960, 540, 24
HOLD, FADE = 3.0, 0.6  # seconds on each picture, seconds of dissolve between two
LOOKBOOK = "ss27-shiosai"
SEASON = "ss27"


def _pan(picture: Image.Image, frames: int) -> Iterator[Image.Image]:
    """A picture scaled to the frame's width (or its height, for a wide one), the frame
    moving from its top to its bottom (left to right), eased in and out."""
    scale = max(WIDTH / picture.width, HEIGHT / picture.height) * 1.06
    scaled = picture.resize((round(picture.width * scale), round(picture.height * scale)),
                            Image.Resampling.LANCZOS)
    room_x, room_y = scaled.width - WIDTH, scaled.height - HEIGHT
    for index in range(frames):
        t = index / max(1, frames - 1)
        eased = t * t * (3 - 2 * t)
        x, y = round(room_x * eased), round(room_y * eased)
        yield scaled.crop((x, y, x + WIDTH, y + HEIGHT))


def frames(media: Path) -> Iterator[bytes]:
    """Every frame of the film, as raw RGB."""
    pictures = [media / "seasons" / f"{SEASON}.jpg",
                *sorted((media / "lookbooks").glob(f"{LOOKBOOK}-*.jpg"),
                        key=lambda path: int(path.stem.rsplit("-", 1)[1]))]
    hold, fade = round(HOLD * FPS), round(FADE * FPS)
    previous: list[Image.Image] = []
    for path in pictures:
        with Image.open(path) as opened:
            shots = list(_pan(opened.convert("RGB"), hold + fade))
        for index, shot in enumerate(shots[:fade]):  # dissolve from the last picture's end
            if previous:
                shot = Image.blend(previous[index], shot, (index + 1) / (fade + 1))
            yield shot.tobytes()
        for shot in shots[fade:hold]:
            yield shot.tobytes()
        previous = shots[hold:]
    for shot in previous:  # the last picture runs on
        yield shot.tobytes()


def main(content: Path) -> None:
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        sys.exit("ffmpeg is not installed; install it (apt-get install -y ffmpeg) and run again")
    out = content / "media" / "films" / f"{LOOKBOOK}.mp4"
    out.parent.mkdir(parents=True, exist_ok=True)
    encoder = subprocess.Popen(
        [ffmpeg, "-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s",
         f"{WIDTH}x{HEIGHT}", "-r", str(FPS), "-i", "-", "-c:v", "libx264", "-profile:v",
         "main", "-pix_fmt", "yuv420p", "-crf", "27", "-preset", "slow", "-tune", "film",
         "-movflags", "+faststart", "-map_metadata", "-1", "-fflags", "+bitexact", str(out)],
        stdin=subprocess.PIPE)
    assert encoder.stdin is not None
    for frame in frames(content / "media"):
        encoder.stdin.write(frame)
    encoder.stdin.close()
    if encoder.wait() != 0:
        sys.exit(f"ffmpeg failed with exit code {encoder.returncode}")
    print(f"wrote {out} ({out.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "content"))
