"""Asset stage: images, media and static files asked for while rendering -> content-hash named
files under assets/ (OutputFile) and the URLs, srcset and sizes the templates put in pages.

Images become WebP variants at 480, 960 and 1440 pixels wide (never upscaled) plus one JPEG
(PNG where transparent) fallback, cached between builds in build/cache/images/.
"""

from __future__ import annotations

from generator.assets._check import check_marks, check_pictures
from generator.assets._images import ImageSettings
from generator.assets._pipeline import MAX_PIXELS, AssetPipeline, Picture

__all__ = ["MAX_PIXELS", "AssetPipeline", "ImageSettings", "Picture", "check_marks",
           "check_pictures"]
