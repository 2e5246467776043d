"""Brand settings the invoice tests share: brand.yaml's `invoicing`, and the open link's
terms with a deposit."""

from __future__ import annotations

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
