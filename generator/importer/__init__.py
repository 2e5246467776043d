"""Import stage: a brand's product spreadsheet (XLSX or CSV) -> seasons/<id>/products.yaml,
with every row problem reported at once and nothing written unless all is well.

Modules in stage order: _brand (settings), _read (cells), _columns (headers), _values and
_rows (rows -> styles), _style, _merge (into the current file), _check (models, catalog,
atomic write), _yaml (the file's text); _template writes the blank XLSX form. _buyers reads
a sheet of stockists into buyer files and customer links (`linesheets buyers import`).
"""

from __future__ import annotations

from generator.importer._buyers import BuyersReport, import_buyers
from generator.importer._import import ImportReport, import_products
from generator.importer._merge import Changes
from generator.importer._read import DEFAULT_ROW_LIMIT
from generator.importer._template import write_template

__all__ = ["DEFAULT_ROW_LIMIT", "BuyersReport", "Changes", "ImportReport", "import_buyers",
           "import_products", "write_template"]
