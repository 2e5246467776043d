"""Stored orders for the `linesheets orders` tests: three seasons' worth of what buyers send,
in three currencies, with SKU and JAN codes, a deposit, a buyer who types formulas and
markup where a name goes, lines that ship in two drops, in one, and an order placed before
lines recorded their delivery."""

from __future__ import annotations

from typing import Any

JAPAN_STEPS = [
    {"kind": "list_price", "amount": "48000", "percent": None, "list_name": "rrp",
     "source": None, "label": None},
    {"kind": "rate", "amount": "21600", "percent": "45", "list_name": None,
     "source": "link", "label": None}]


def _line(style: str, color: str, size: str, quantity: int, unit: str, amount: str,
          **extra: Any) -> dict[str, Any]:
    return {"style_no": style, "color": color, "size": size, "quantity": quantity,
            "name": extra.get("name", "トレンチコート"),
            "color_name": extra.get("color_name", "ブラック"),
            "sku": extra.get("sku"), "jan": extra.get("jan"),
            **({"delivery": extra["delivery"]} if "delivery" in extra else {}),
            "unit_price": unit,
            "amount": amount, "breakdown": extra.get("breakdown", JAPAN_STEPS)}


ORDERS: list[dict[str, Any]] = [
    {"link": "open", "season": "ss27", "language": "ja", "currency": "JPY", "term": "wsp",
     "lines": [_line("SS27-001", "BLK", "M", 2, "21600", "43200", sku="SS27-001-BLK-M",
                     jan="4901234567894", delivery="2027-02-01/2027-03-15"),
               _line("SS27-001", "BLK", "S", 4, "21600", "86400",
                     delivery="2027-04-15/2027-05-15")],  # a later drop of the same style
     "subtotal": "129600",
     "taxes": [{"label": "消費税", "percent": "10", "base": "129600", "amount": "12960"}],
     "tax": "12960", "total": "142560", "deposit_percent": "30", "deposit": "42768",
     "balance": "99792", "received_at": "2027-01-10T02:00:00Z",
     "buyer": {"company": "セレクトショップ青山", "name": "田中 愛子",
               "email": "aiko@example.com", "phone": "+81 3 1234 5678"},
     "address": {"country": "JP", "postal_code": "150-0001", "region": "Tokyo",
                 "city": "Shibuya-ku", "line1": "1-2-3 Jingumae", "line2": ""},
     "note": "Deliver before March 10"},
    # 00:30 on the 13th in Tokyo, still the 12th in UTC; a buyer who types formulas.
    {"link": "drop", "season": "ss27", "language": "en", "currency": "USD", "term": "wsp",
     "lines": [_line("SS27-004", "NAT", "F", 3, "36.00", "108.00", name="Tote",
                     color_name="Natural", delivery="Summer drop",
                     breakdown=[{"kind": "list_price", "amount": "36.00", "percent": None,
                                 "list_name": "wsp", "source": None, "label": "WSP"}])],
     "subtotal": "108.00", "taxes": [], "tax": "0.00", "total": "108.00",
     "deposit_percent": "0", "deposit": "0.00", "balance": "108.00",
     "received_at": "2027-01-12T15:30:00Z",
     "buyer": {"company": None, "name": "=HYPERLINK(\"http://x.test\",\"a\")",
               "email": "-x@example.com", "phone": None},
     "address": None, "note": "@SUM(1+1)\n<script>alert(1)</script>"},
    {"link": "open", "season": "aw27", "language": "fr", "currency": "EUR", "term": "exw",
     "lines": [_line("AW27-010", "NVY", "L", 1, "120.00", "120.00", name="Manteau",
                     color_name="Marine",
                     breakdown=[{"kind": "list_price", "amount": "120.00", "percent": None,
                                 "list_name": "exw", "source": None, "label": "EXW"}])],
     "subtotal": "120.00", "taxes": [], "tax": "0.00", "total": "120.00",
     "deposit_percent": "0", "deposit": "0.00", "balance": "120.00",
     "received_at": "2027-02-01T09:00:00Z",
     "buyer": {"company": "Boutique Lumière", "name": "Claire Martin",
               "email": "claire@example.com", "phone": "+33 1 23 45 67 89"},
     "address": None, "note": None},
]
