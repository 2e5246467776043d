"""The order endpoint: link state, passcode unlock, server-side quotes and durable orders."""

from __future__ import annotations
