"""Import stage, the blank form: the brand's settings -> an XLSX template whose headers fit its
languages, currencies and terms, with a frozen header row, checks on cells and an example row.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from babel.numbers import get_currency_precision
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from generator.content import read_content
from generator.errors import LinesheetsError
from generator.importer._brand import BrandInfo, read_brand, require_season
from generator.importer._columns import FIELDS, PRICE_LISTS, TEXT_FIELDS
from generator.importer._read import DEFAULT_ROW_LIMIT

LAST_ROW = DEFAULT_ROW_LIMIT + 1  # checks cover every row one import reads
CODE_FIELDS = ("style_no", "color_code", "size", "sku", "jan")  # typed as Text: zeros stay
NUMBER_FIELDS = ("price", "moq", "multiple", "pack", "stock")
ORDER = ("style_no", "name", "category", "color_code", "color_name", "size", "sku", "jan",
         "price", "moq", "multiple", "pack", "sold_out", "stock", "delivery", "composition",
         "origin", "description")
_EXAMPLE_TEXT: dict[str, dict[str, str]] = {
    "name": {"en": "Trench coat", "ja": "トレンチコート", "zh-Hans": "风衣", "fr": "Trench"},
    "category": {"en": "Outerwear", "ja": "アウター", "zh-Hans": "外套", "fr": "Manteaux"},
    "color_name": {"en": "Black", "ja": "ブラック", "zh-Hans": "黑色", "fr": "Noir"},
    "composition": {"en": "Cotton 100%", "ja": "綿 100%", "zh-Hans": "棉 100%",
                    "fr": "Coton 100 %"},
    "origin": {"en": "Made in Japan", "ja": "日本製", "zh-Hans": "日本制造",
               "fr": "Fabriqué au Japon"},
}
_EXAMPLE_RRP = {"JPY": "48000", "USD": "320", "EUR": "290", "GBP": "250", "CNY": "2300",
                "KRW": "430000", "TWD": "9800", "HKD": "2500"}
_LIST_SHARE = {"wsp": "0.45", "exw": "0.40", "fob": "0.42", "ddp": "0.55"}  # of the rrp
_HELP: dict[str, tuple[str, str]] = {
    "style_no": ("Style number, unique in the season. A row whose style number starts with # "
                 "is skipped (row 2 is an example).",
                 "品番（シーズン内で一意）。# で始まる行は読み込まれません（2行目は記入例）。"),
    "name": ("Style name.", "商品名。"),
    "category": ("Category, e.g. Outerwear.", "カテゴリ（例: アウター）。"),
    "color_code": ("Colour code (BLK, 01). One row per SKU, or several codes separated by commas "
                   "on one row per style.", "カラー番号。1行1SKU、または1行1品番でカンマ区切り。"),
    "color_name": ("Colour name; with several codes, as many names in the same order.",
                   "カラー名。複数のときはカラー番号と同じ順に。"),
    "size": ("Size, or several sizes separated by commas, in the order to show them.",
             "サイズ。複数のときはカンマ区切り、表示する順に。"),
    "sku": ("Your SKU code for this colour and size (optional).", "SKUコード（任意）。"),
    "jan": ("JAN/EAN code, 8 or 13 digits (optional).", "JANコード（8桁または13桁、任意）。"),
    "price": ("Price without tax, per price list and currency. rrp: retail (上代); other lists "
              "belong to the brand's terms.", "税抜価格。上代（rrp）と各取引条件の価格。"),
    "moq": ("Minimum units of the style per order (default 1).", "最小ロット（既定 1）。"),
    "multiple": ("Order in multiples of (default 1).", "発注単位（既定 1）。"),
    "pack": ("For a style sold in packs only: the units of this size in one pack (every colour "
             "alike); empty: not in a pack (optional).",
             "アソート販売の品番のみ: 1パックに入るこのサイズの数（全カラー共通、任意）。"),
    "sold_out": ("yes when this colour and size is sold out.", "完売なら yes。"),
    "stock": ("Units you can take orders for in all, over every link (optional; empty: no "
              "limit, 0: sold out). Orders take from it; the grid shows what is left.",
              "受注可能数（任意。空欄は制限なし、0 は完売）。"
              "注文ごとに減り、残数は表に表示されます。"),
    "delivery": ("The style's own delivery when it ships apart from the season: two days "
                 "(2027-04-15 – 2027-05-15) or text (Apr 2027); empty: the season's (optional).",
                 "シーズンと別に出荷する品番の納期: 2027/4/15〜2027/5/15 のような期間、または文字"
                 "（4月中旬）。空欄ならシーズンの納期（任意）。"),
    "composition": ("Composition (optional).", "素材（任意）。"),
    "origin": ("Country of origin (optional).", "原産国（任意）。"),
    "description": ("Description, Markdown (optional).", "商品説明（Markdown、任意）。"),
}


@dataclass(frozen=True)
class _Column:
    header: str
    field: str
    example: str
    currency: str = ""


def write_template(content: Path, season: str, out: Path | None = None) -> Path:
    """Write an XLSX template for a season's products; return its path. Never overwrites."""
    tree = read_content(content)
    require_season(tree, content, season)
    brand = read_brand(tree)
    target = out if out is not None else Path(f"products-{season}.xlsx")
    if target.suffix.lower() != ".xlsx":
        raise LinesheetsError(f"'{target}' does not end in .xlsx; the template is an Excel "
                              "workbook")
    if target.exists():
        raise LinesheetsError(f"'{target}' already exists and may hold a filled-in sheet; "
                              "give another name with --out, or move the file away")
    columns = _columns(brand, season)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook always has one sheet
    sheet.title = "Products"
    sheet.append([column.header for column in columns])
    # Numbers go in as numbers, as a brand would type them; codes as text.
    sheet.append([Decimal(column.example) if column.field in NUMBER_FIELDS and column.example
                  else column.example for column in columns])
    bold, grey = Font(bold=True), Font(italic=True, color="808080")
    for cell in sheet[1]:
        cell.font = bold
        cell.fill = PatternFill("solid", fgColor="EDEDED")
    for cell in sheet[2]:
        cell.font = grey
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(12, len(column.header) * 1.3 + 2)
        if column.field in CODE_FIELDS:
            sheet.column_dimensions[letter].number_format = "@"
            sheet.cell(2, index).number_format = "@"
    _add_validations(sheet, columns)
    _add_help(workbook, columns)
    target.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(target)
    return target


def _columns(brand: BrandInfo, season: str) -> list[_Column]:
    japanese = brand.default_language == "ja"
    several = len(brand.languages) > 1
    columns: list[_Column] = []
    for name in ORDER:
        base = FIELDS[name][1 if japanese else 0] if name != "price" else ""
        if name in TEXT_FIELDS and name != "delivery":  # one delivery column: days are days
            for language in brand.languages if several else ("",):
                examples = _EXAMPLE_TEXT.get(name, {})
                example = examples.get(language or brand.default_language, examples.get("en", ""))
                columns.append(_Column(f"{base}_{language}" if language else base, name,
                                       example))
        elif name == "price":
            for currency in brand.currencies:
                for price_list in brand.price_lists:
                    list_header = PRICE_LISTS.get(price_list, (price_list, price_list))
                    columns.append(_Column(f"{list_header[1 if japanese else 0]}_{currency}",
                                           name, _example_price(price_list, currency), currency))
        else:
            columns.append(_Column(base, name, _example(name, season)))
    return columns


def _example(name: str, season: str) -> str:
    style = f"{season.upper()}-001"
    return {"style_no": f"#{style}", "color_code": "BLK", "size": "M",
            "sku": f"{style}-BLK-M", "jan": "4901234567894", "moq": "2", "multiple": "1",
            "sold_out": "no"}.get(name, "")


def _example_price(price_list: str, currency: str) -> str:
    digits = get_currency_precision(currency)
    rrp = Decimal(_EXAMPLE_RRP.get(currency, "100"))
    amount = rrp if price_list == "rrp" else rrp * Decimal(_LIST_SHARE.get(price_list, "0.45"))
    return str(amount.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


def _add_validations(sheet: Worksheet, columns: list[_Column]) -> None:
    rules: dict[str, DataValidation] = {
        "price": DataValidation(type="decimal", operator="greaterThan", formula1="0",
                                error="A price is a positive number, without tax."),
        "moq": DataValidation(type="whole", operator="between", formula1="1",
                              formula2="100000", error="A whole number from 1."),
        "multiple": DataValidation(type="whole", operator="between", formula1="1",
                                   formula2="10000", error="A whole number from 1."),
        "pack": DataValidation(type="whole", operator="between", formula1="1",
                               formula2="1000", error="A whole number from 1, or empty."),
        "sold_out": DataValidation(type="list", formula1='"yes,no"',
                                   error="yes when sold out, else no or empty."),
        "stock": DataValidation(type="whole", operator="between", formula1="0",
                                formula2="10000000", error="A whole number from 0."),
    }
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        rule = rules.get(column.field)
        if column.field == "jan":
            rule = DataValidation(type="custom", formula1=f"OR(LEN({letter}2)=8,"
                                  f"LEN({letter}2)=13)", error="8 or 13 digits.")
            rules["jan"] = rule
        if rule is not None:
            rule.add(f"{letter}2:{letter}{LAST_ROW}")
    for rule in rules.values():
        rule.allow_blank = True
        rule.showErrorMessage = True
        if rule.sqref:
            sheet.add_data_validation(rule)


def _add_help(workbook: Workbook, columns: list[_Column]) -> None:
    sheet = workbook.create_sheet("Help")
    sheet.append(["column", "what it holds", "内容"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column in columns:
        english, japanese = _HELP[column.field]
        sheet.append([column.header, english, japanese])
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 90
    sheet.column_dimensions["C"].width = 60
