"""The largest quantity a line may have is the endpoint's (order_api.schemas.MAX_QUANTITY); the
pages' scripts refuse the same beforehand, from their one constant in cart-store.js."""

from __future__ import annotations

import re

from generator.settings import SITE_TEMPLATES
from order_api.schemas import MAX_QUANTITY


def test_the_pages_refuse_what_the_endpoint_refuses() -> None:
    script = (SITE_TEMPLATES / "static" / "cart-store.js").read_text(encoding="utf-8")
    [written] = re.findall(r"^export const MAX_QUANTITY = ([0-9_]+);$", script, re.MULTILINE)
    assert int(written) == MAX_QUANTITY
    # No template repeats it: the grid's inputs take it from the script.
    for template in SITE_TEMPLATES.glob("*.html"):
        assert f'max="{MAX_QUANTITY}"' not in template.read_text(encoding="utf-8"), template
