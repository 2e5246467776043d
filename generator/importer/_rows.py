"""Import stage, rows: sheet rows -> one SheetStyle per style number, and every row problem.

Both layouts are one rule: a row gives a style's fields and a set of colours × sizes. One row
per SKU names one colour and one size; one row per style lists them comma-separated and is
expanded into every combination. A style's fields come from its first row; a later row may
leave them empty or repeat them, never contradict them.
"""

from __future__ import annotations

from decimal import Decimal

from generator.errors import SheetProblem
from generator.importer._columns import Column, Columns
from generator.importer._read import Row, Sheet
from generator.importer._style import Fact, SheetStyle, StyleDraft, to_style
from generator.importer._values import (
    CellFault,
    check_code,
    check_size,
    check_sku,
    parse_count,
    parse_delivery,
    parse_flag,
    parse_jan,
    parse_price,
    split_list,
)

COUNT_LIMITS = {"moq": ("minimum order", 100_000), "multiple": ("order multiple", 10_000)}
PACK_MOST = 1_000  # units of a size in one pack, as products.yaml's `pack` allows
STOCK_MOST = 10_000_000  # as products.yaml's `stock` allows; 0 reads as sold out


class StyleBuilder:
    """Read rows one at a time, collecting styles and problems."""

    def __init__(self, sheet: Sheet, columns: Columns) -> None:
        self.sheet = sheet
        self.columns = columns
        self.styles: dict[str, StyleDraft] = {}
        self.problems: list[SheetProblem] = []
        self._unique: dict[str, dict[str, tuple[int, str]]] = {"sku": {}, "jan": {}}
        self._unnamed_reported: set[int] = set()
        self._prices: dict[tuple[str, str], str] = {}  # (cell text, currency) -> amount
        self._price_columns = [(column, (column.currency, column.price_list))
                               for column in columns.prices]
        # The style's own fields, each with the key its value is kept under.
        self._style_columns: list[tuple[Column, tuple[str, ...]]] = [
            (column, (name, column.language)) for name, found in columns.texts.items()
            if name != "color_name" for column in found]
        self._style_columns += [(columns.single[name], (name,)) for name in COUNT_LIMITS
                                if name in columns.single]
        self._delivery_columns = {column.index for column in columns.texts.get("delivery", [])}

    def add(self, row: Row) -> None:
        """Read one data row."""
        style_column = self.columns.single["style_no"]
        style_no = row.get(style_column.index)
        if style_no is not None and style_no.startswith("#"):
            return  # a comment row, like the template's example
        # A day in a delivery column is a delivery; anywhere else a cell Excel made a day.
        days = {index: day for index, day in row.days if index in self._delivery_columns}
        faulted = {index for index, _ in row.faults if index not in days}
        for index, message in row.faults:
            if index not in days:
                self._problem(row.number, index, message)
        for index in self.columns.unnamed:
            if row.get(index) is not None and index not in self._unnamed_reported:
                self._unnamed_reported.add(index)
                self._problem(row.number, index, f"'{row.get(index)}' is in a column without a "
                              "header; name the column, or start its header with # to skip it")
        if style_no is None:
            if style_column.index not in faulted:
                self._problem(row.number, style_column.index, "no style number; every row "
                              "needs one (start it with # to skip the row)")
            return
        try:
            check_code(style_no, "style number", "SS27-001")
        except CellFault as fault:
            self._problem(row.number, style_column.index, str(fault))
            return
        draft = self.styles.get(style_no)
        if draft is None:
            draft = self.styles[style_no] = StyleDraft(style_no, (row.number, 0))
        before = len(self.problems)
        deliveries = self._read_style_fields(row, draft, days)
        colors = self._read_list(row, "color_code", faulted)
        sizes = self._read_list(row, "size", faulted)
        if colors is not None:
            self._read_deliveries(row, draft, colors, deliveries)
        if colors is not None and sizes is not None:
            self._read_cells(row, draft, colors, sizes)
            self._read_prices(row, draft, sizes)
            self._read_pack(row, draft, sizes)
        draft.broken = draft.broken or len(self.problems) > before

    def finish(self) -> list[SheetStyle]:
        """Return the styles in the order of their first rows."""
        return [to_style(draft, self.columns) for draft in self.styles.values()]

    def _problem(self, row: int, index: int, message: str) -> None:
        self.problems.append(self.sheet.problem(row, message, index + 1,
                                                self.columns.header(index)))

    def _read_style_fields(self, row: Row, draft: StyleDraft,
                           days: dict[int, str]) -> list[tuple[tuple[str, ...], Fact]]:
        """Read the style's own fields of a row; return its deliveries, which may be its
        colours' own (`_read_deliveries`)."""
        deliveries: list[tuple[tuple[str, ...], Fact]] = []
        for column, key in self._style_columns:
            text = row.get(column.index) or days.get(column.index)
            if text is None:
                continue
            if column.field == "delivery":
                try:
                    deliveries.append((key, Fact(parse_delivery(text), row.number, column)))
                except CellFault as fault:
                    self._problem(row.number, column.index, str(fault))
                continue
            if draft.raw.get(key) == text:
                continue  # as in the style's first row: nothing new to check
            try:
                value = (parse_count(text, *COUNT_LIMITS[column.field])
                         if column.field in COUNT_LIMITS else str(text))
            except CellFault as fault:
                self._problem(row.number, column.index, str(fault))
                continue
            if self._set(draft, key, Fact(value, row.number, column)):
                draft.raw[key] = text
        return deliveries

    def _read_deliveries(self, row: Row, draft: StyleDraft, colors: list[str],
                         deliveries: list[tuple[tuple[str, ...], Fact]]) -> None:
        """A delivery is the style's where its first row gives it; a row that gives another
        gives its colours theirs (a colourway in a later drop). A colour's rows must agree."""
        for key, fact in deliveries:
            draft.facts.setdefault(key, fact)  # the style's
            language = key[1]
            for color in colors:
                first = draft.color_deliveries.setdefault((color, language), fact)
                if first is not fact and first.value != fact.value:
                    self._problem(fact.row, fact.column.index, (
                        f"colour '{color}' of style '{draft.style_no}' has "
                        f"{fact.column.header} '{first.value}' in row {first.row}, and "
                        f"'{fact.value}' here; a colour ships once, so make its rows agree or "
                        "leave this cell empty"))

    def _read_list(self, row: Row, name: str, faulted: set[int]) -> list[str] | None:
        column = self.columns.single[name]
        text = row.get(column.index)
        if text is None:
            if column.index not in faulted:
                noun = "colour code" if name == "color_code" else "size"
                self._problem(row.number, column.index, f"no {noun}; every row needs one")
            return None
        is_color = name == "color_code"
        try:
            values = [check_code(value, "colour code", "BLK, 01") if is_color
                      else check_size(value) for value in split_list(text)]
        except CellFault as fault:
            self._problem(row.number, column.index, str(fault))
            return None
        repeated = sorted({v for v in values if values.count(v) > 1}) if len(values) > 1 else []
        if repeated:
            noun = "colour" if is_color else "size"
            self._problem(row.number, column.index, f"{noun} '{repeated[0]}' is listed twice "
                          f"in '{text}'; list each {noun} once")
            return None
        return values

    def _read_cells(self, row: Row, draft: StyleDraft, colors: list[str], sizes: list[str]) -> None:
        color_column = self.columns.single["color_code"]
        size_column = self.columns.single["size"]
        self._read_color_names(row, draft, colors)
        repeated = False
        for color in colors:
            draft.color_refs.setdefault(color, (row.number, color_column.position))
            known = draft.colors.setdefault(color, [])
            for size in sizes:
                draft.size_refs.setdefault(size, (row.number, size_column.position))
                earlier = draft.cells.setdefault((color, size), row.number)
                if earlier != row.number:
                    self._problem(row.number, size_column.index, f"style '{draft.style_no}' "
                                  f"colour '{color}' size '{size}' is already in row {earlier}; "
                                  "give each colour and size one row")
                    repeated = True
                    continue
                known.append(size)
        if repeated:
            return  # the row's codes would only repeat the problem
        for name in ("sku", "jan", "sold_out", "stock"):
            column = self.columns.single.get(name)
            text = row.get(column.index) if column is not None else None
            if column is None or text is None:
                continue
            if len(colors) * len(sizes) > 1:
                self._problem(row.number, column.index, (
                    f"'{text}' would belong to {len(colors)} colours × {len(sizes)} sizes; a "
                    f"{column.header} belongs to one colour and size, so give one row per SKU"))
                continue
            self._read_code(row, draft, column, text, (colors[0], sizes[0]))

    def _read_code(
        self, row: Row, draft: StyleDraft, column: Column, text: str, cell: tuple[str, str]
    ) -> None:
        name = column.field
        try:
            value = (check_sku(text) if name == "sku" else parse_jan(text) if name == "jan"
                     else parse_count(text, "number of units", STOCK_MOST, least=0)
                     if name == "stock" else "yes" if parse_flag(text) else "no")
        except CellFault as fault:
            self._problem(row.number, column.index, str(fault))
            return
        unique = self._unique.get(name)
        if unique is not None:
            earlier = unique.setdefault(value, (row.number, f"{draft.style_no} {' '.join(cell)}"))
            if earlier[0] != row.number:
                noun = "SKU" if name == "sku" else "JAN"
                self._problem(row.number, column.index, f"{noun} '{value}' is already in row "
                              f"{earlier[0]} ({earlier[1]}); each {noun} code names one colour "
                              "and size")
                return
        draft.codes.setdefault(name, {})[cell] = Fact(value, row.number, column)

    def _read_color_names(self, row: Row, draft: StyleDraft, colors: list[str]) -> None:
        for column in self.columns.texts.get("color_name", []):
            text = row.get(column.index)
            if text is None:
                continue
            names = split_list(text) if len(colors) > 1 else [text]
            if len(names) != len(colors):
                self._problem(row.number, column.index, f"'{text}' gives {len(names)} colour "
                              f"names for {len(colors)} colours ({', '.join(colors)}); give one "
                              "name per colour, in the same order")
                continue
            for color, name in zip(colors, names, strict=True):
                key = ("colors", color, "name", column.language)
                self._set(draft, key, Fact(str(name), row.number, column),
                          f"colour '{color}' of ")

    def _read_prices(self, row: Row, draft: StyleDraft, sizes: list[str]) -> None:
        """A row's prices belong to the sizes it gives: sizes may be priced apart (an XL row
        at more), but one size has one price in every colour."""
        for column, key in self._price_columns:
            text = row.get(column.index)
            if text is None:
                continue
            value = self._prices.get((text, column.currency))
            if value is None:  # a sheet repeats a few prices over thousands of rows
                try:
                    value = self._prices[(text, column.currency)] = parse_price(text,
                                                                               column.currency)
                except CellFault as fault:
                    self._problem(row.number, column.index, str(fault))
                    continue
            by_size = draft.prices.setdefault(key, {})
            fact = None
            for size in sizes:
                first = by_size.get(size)
                if first is None:
                    by_size[size] = fact = fact or Fact(value, row.number, column)
                elif first.value != value and Decimal(first.value) != Decimal(value):
                    self._problem(row.number, column.index, (
                        f"style '{draft.style_no}' size '{size}' has {column.header} "
                        f"'{first.value}' in row {first.row}, and '{value}' here; a size has one "
                        "price in every colour, so make the rows agree or leave this cell empty"))
                    break

    def _read_pack(self, row: Row, draft: StyleDraft, sizes: list[str]) -> None:
        """A pack column gives the units of the row's sizes in one pack (a style sold in
        packs); one size has one count in every colour."""
        column = self.columns.single.get("pack")
        text = row.get(column.index) if column is not None else None
        if column is None or text is None:
            return
        try:
            value = parse_count(text, "number of units in a pack", PACK_MOST)
        except CellFault as fault:
            self._problem(row.number, column.index, str(fault))
            return
        for size in sizes:
            first = draft.pack.setdefault(size, Fact(value, row.number, column))
            if first.value != value:
                self._problem(row.number, column.index, (
                    f"style '{draft.style_no}' size '{size}' has {column.header} "
                    f"'{first.value}' in row {first.row}, and '{value}' here; a size has one "
                    "number in a pack in every colour, so make the rows agree or leave this "
                    "cell empty"))
                return

    def _set(self, draft: StyleDraft, key: tuple[str, ...], fact: Fact, owner: str = "") -> bool:
        """Keep the first row's value, telling whether this was it; report a contradiction."""
        first = draft.facts.setdefault(key, fact)
        if first is fact:
            return True
        if first.value != fact.value:
            self._problem(fact.row, fact.column.index, (
                f"{owner}style '{draft.style_no}' has {fact.column.header} '{first.value}' in "
                f"row {first.row}, and '{fact.value}' here; a style's fields come from its first "
                "row, so make the rows agree or leave this cell empty"))
        return False
