"""Render stage helper: a QR code of an address as inline SVG, for the paper linesheet, so a
buyer holding the printout in a showroom opens the same linesheet, and orders, on a phone.

segno writes it deterministically (the same address, the same bytes: builds stay
reproducible), as one path of dark modules with the standard quiet zone of four modules;
the print stylesheet sizes it.
"""

from __future__ import annotations

import io

# M recovers from 15 % damage (a fold, a coffee ring) and keeps a linesheet's address at
# version 4 to 6: about 33 to 41 modules across, readable at 24 mm from a phone.
_ERROR = "m"
_INK = "#1c1c1c"  # site.css's --ink


def load_encoder() -> None:
    """Import segno now: a build that draws QR codes calls this before it forks its render
    processes, so that they share the parent's copy instead of each importing its own (about
    2 MiB a process, with the `ssl` module that its writers reach through `xml.sax`)."""
    import segno  # noqa: F401


def qr_svg(address: str, label: str) -> str:
    """An <svg> of `address`'s QR code, its title `label` (what a screen reader says), as
    HTML (segno escapes the title)."""
    import segno  # 30 ms to import: only a build that renders a linesheet pays it

    code = segno.make(address, error=_ERROR, micro=False, boost_error=False)
    svg = code.svg_inline(scale=1, border=4, dark=_INK, light=None, omitsize=True,
                          svgclass="qr", lineclass=None, title=label)
    return svg.replace("<svg ", '<svg role="img" ', 1)


def qr_file(address: str, label: str) -> bytes:
    """A standalone SVG file of `address`'s QR code (for a showroom card, a lookbook's back
    page): a millimetre a module, about 4 cm across with its quiet zone; its title `label`."""
    import segno

    code = segno.make(address, error=_ERROR, micro=False, boost_error=False)
    out = io.BytesIO()
    code.save(out, kind="svg", scale=1, border=4, dark=_INK, light="#ffffff", title=label,
              unit="mm", svgclass=None, lineclass=None)
    return out.getvalue()
