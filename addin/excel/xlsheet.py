"""Write a button's :class:`~addin.excel.buttons.SheetOutput` into an OPEN workbook
through the xlwings object model. Only the API that desktop xlwings and xlwings Lite
share is used (``book.sheets.add``, ``range.value``/``formula``/``number_format``,
``font.bold``, ``column_width``), so the desktop add-in and the Lite ``main.py`` put the
same sheet into the workbook. Links are ``=HYPERLINK("#'Sheet'!A1", "A1")`` formulas,
which work in Excel on Windows, Mac and the web.

No xlwings import here: the book is passed in, so this module is testable with a fake.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from addin.office.safeio import csv_safe


def excel_value(value: Any) -> Any:
    """A value as it should land in a cell: Decimal -> float, text that Excel would run
    as a formula -> quoted with a leading apostrophe (formula-injection guard)."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    return csv_safe(value)


def hyperlink_formula(target: str, text: Any) -> str:
    """``=HYPERLINK("#'Estimates'!C5","C5")``: an in-workbook link as a formula."""
    def q(s: Any) -> str:
        return str(s).replace('"', '""')

    return f'=HYPERLINK("#{q(target)}","{q(text)}")'


def write_sheet(book: Any, out: Any) -> Any:
    """Replace (or add) the sheet ``out.title`` at the end of ``book`` and fill it."""
    names = [s.name for s in book.sheets]
    if out.title in names:
        book.sheets[out.title].delete()
    sheet = book.sheets.add(out.title, after=book.sheets[len(book.sheets) - 1])
    width = len(out.header)
    grid = [list(out.header)] + [
        [excel_value(v) for v in (list(row) + [None] * (width - len(row)))[:width]]
        for row in out.rows
    ]
    sheet.range((1, 1), (len(grid), width)).value = grid
    sheet.range((1, 1), (1, width)).font.bold = True
    for i in sorted(out.bold_rows):
        sheet.range((i + 2, 1), (i + 2, width)).font.bold = True
    last = len(grid)
    if last > 1:
        for c in sorted(out.money_columns):
            sheet.range((2, c + 1), (last, c + 1)).number_format = "#,##0.00"
        for c in sorted(out.date_columns):
            sheet.range((2, c + 1), (last, c + 1)).number_format = "dd/mm/yyyy"
    for (i, c), target in sorted(out.links.items()):
        text = out.rows[i][c] if c < len(out.rows[i]) else ""
        sheet.range((i + 2, c + 1)).formula = hyperlink_formula(target, text)
    for c, w in out.widths.items():
        sheet.range((1, c + 1)).column_width = w
    sheet.activate()
    return sheet
