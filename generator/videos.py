"""Link videos: which addresses play in the site's embedded players (YouTube, Vimeo,
Bilibili) and which media files a <video> element plays.

Apart from the link models, with nothing but the standard library: the Content-Security-Policy
(sitefiles.py) names the players, and `linesheets build` writes that file on its no-change
path too, which must not import pydantic and the models to do so.
"""

from __future__ import annotations

import re

VIDEO_SUFFIXES = (".mp4", ".webm", ".mov", ".m4v")  # what a <video> element plays
_YOUTUBE = re.compile(r"(?:youtube\.com/watch\?v=|youtu\.be/|youtube\.com/embed/)([\w-]{6,})")
_VIMEO = re.compile(r"vimeo\.com/(?:video/)?(\d+)")
# Bilibili's video ids: BV and ten letters and digits. It plays in mainland China, where
# YouTube and Vimeo are blocked.
_BILIBILI = re.compile(r"bilibili\.com/video/(BV[0-9A-Za-z]{10})(?![0-9A-Za-z])")
# The players' hosts: the pages' Content-Security-Policy lets them be framed (sitefiles.py).
VIDEO_PLAYERS = ("https://www.youtube-nocookie.com", "https://player.vimeo.com",
                 "https://player.bilibili.com")
BLOCKED_IN_CHINA = {"https://www.youtube-nocookie.com": "YouTube",
                    "https://player.vimeo.com": "Vimeo"}


def video_player(url: str) -> str | None:
    """The embeddable player of a YouTube, Vimeo or Bilibili video's address, else None."""
    youtube, vimeo, bilibili = VIDEO_PLAYERS
    if match := _YOUTUBE.search(url):
        return f"{youtube}/embed/{match[1]}"
    if match := _VIMEO.search(url):
        return f"{vimeo}/video/{match[1]}"
    if match := _BILIBILI.search(url):
        return f"{bilibili}/player.html?bvid={match[1]}&autoplay=0"
    return None


def is_video_file(path: str) -> bool:
    """Tell whether a media path names a file a <video> element plays."""
    return path.lower().endswith(VIDEO_SUFFIXES)
