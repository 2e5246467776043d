"""What the invoice tests share: brand.yaml's `invoicing`, the open link's terms with a
deposit, and placing an order."""

from __future__ import annotations

from typing import Any

from tests.unit.shop import Shop, order

INVOICING = """
invoicing:
  issuer: {en: "Atelier Test Co., Ltd.", ja: 株式会社アトリエテスト}
  address:
    en: |
      1-1-1 Marunouchi, Chiyoda-ku
      Tokyo 100-0005
    ja: |
      〒100-0005
      東京都千代田区丸の内1-1-1
  registration_number: T3010401000000
  deposit_due_days: 7
  bank_accounts:
    - currencies: [JPY]
      details:
        en: "Example Bank, Marunouchi Branch, ordinary 1234567"
        ja: "エグザンプル銀行 丸の内支店 普通 1234567"
    - currencies: [USD]
      details: "SWIFT EXBKJPJT, account 0001234567"
  note: {en: Bank charges are borne by the buyer., ja: 振込手数料はご負担ください。}
"""
DEPOSIT = ("transaction: {term: wsp}\n",
           "transaction: {term: wsp}\nbilling: with_deposit\ndeposit_percent: 30\n")


def append_brand(shop: Shop, text: str) -> None:
    """Add settings to the shop's brand.yaml and publish it again."""
    brand = shop.content.root / "brand.yaml"
    brand.write_text(brand.read_text("utf-8") + text, "utf-8")
    shop.republish()


def placed(shop: Shop, key: str = "key-0001", **changes: Any) -> str:
    """Place an order on the open link (the sample order, with `changes`); its number."""
    answer = shop.post("open", order(**changes), key=key)
    assert answer.status == 201, answer.json()
    number: str = answer.json()["order_number"]
    return number
