"""linesheets: wholesale linesheets and order links as a static site plus a small order endpoint."""

from __future__ import annotations

__version__ = "0.1.0"
