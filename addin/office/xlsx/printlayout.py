"""What a report looks like opened and printed: named fonts, column widths from the
content, page setup (issue 20, "What users see").

Shared by the report writers (:mod:`addin.office.xlsx.batch_report`,
:mod:`addin.office.xlsx.cost_report`, :mod:`addin.office.xlsx.estimates_template`):

* every font is named (:data:`FONT_NAME`): an openpyxl ``Font(bold=True)`` has no name
  and LibreOffice (and Excel on a machine without the theme font) prints it in a serif;
* column widths come from what the column holds (:func:`text_width`,
  :func:`fit_columns`, :func:`column_widths`), so a long directorate name is not cut off;
* :func:`page_setup` prints a sheet A4, landscape, one page wide, with its header row
  repeated on every page.

The sheets :func:`addin.office.xlsx.batch_report.stream_sheet_rows` streams as XML get the
same widths and page setup through openpyxl before their rows are streamed: the widths
(``<cols>``), page setup, print area and print titles live outside ``<sheetData>``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from addin.core.cells import col_letter

FONT_NAME = "Calibri"
"""The font every cell names (Carlito, metric-compatible, stands in for it on Linux)."""

MIN_WIDTH = 6.0
MAX_WIDTH = 60.0


def font(**kw: Any):
    """An openpyxl Font with :data:`FONT_NAME` (size 11 unless given)."""
    from openpyxl.styles import Font

    kw.setdefault("size", 11)
    return Font(name=FONT_NAME, **kw)


def text_width(value: Any, number_format: str | None = None) -> int:
    """Characters ``value`` shows in a cell with ``number_format``: money as
    ``£12,345.67`` (and a gap), dates as dd/mm/yyyy, other numbers as written, text as is
    (its longest line)."""
    if value is None or value == "":
        return 0
    if isinstance(value, bool):
        return 5
    if isinstance(value, (dt.date, dt.datetime)):
        return 10
    if isinstance(value, (int, float, Decimal)):
        if number_format and "£" in number_format:
            # two more: a gap before a text column to its right (money is right-aligned)
            return len(f"£{Decimal(str(value)):,.2f}") + (1 if value < 0 else 0) + 2
        if number_format == "0.00":
            return len(f"{Decimal(str(value)):.2f}")
        return len(str(value))
    return max(len(line) for line in str(value).splitlines() or [""])


def header_width(text: str, lines: int = 1, *, bold: bool = True) -> float:
    """The narrowest width showing ``text`` on at most ``lines`` lines (wrapping at
    spaces); bold text is about a tenth wider."""
    words = text.split()
    need = max((len(w) for w in words), default=0)
    while True:
        n, used = 1, 0
        for w in words:
            add = len(w) if used == 0 else used + 1 + len(w)
            if add > need and used:
                n, used = n + 1, len(w)
            else:
                used = add
        if n <= lines:
            break
        need += 1
    return need * (1.1 if bold else 1.0)


def fit(chars: float, *, minimum: float = MIN_WIDTH, maximum: float = MAX_WIDTH) -> float:
    """A column width (Excel's unit, one digit) for ``chars`` characters, with a margin."""
    return float(min(maximum, max(minimum, math.ceil(chars + 2))))


def column_widths(headers: Sequence[str], rows: Iterable[Sequence[Any]],
                  formats: Sequence[str | None], *, header_lines: int = 1,
                  minimum: float = MIN_WIDTH, maximum: float = MAX_WIDTH) -> list[float]:
    """Each column's width: its header (on ``header_lines`` lines) or its widest value."""
    need = [header_width(h, header_lines) + 2 for h in headers]  # +2: apart from the next
    for values in rows:
        for c, v in enumerate(values):
            w = text_width(v, formats[c])
            if w > need[c]:
                need[c] = w
    return [fit(n, minimum=minimum, maximum=maximum) for n in need]


def set_widths(ws, widths: Sequence[float], first_col: int = 1) -> None:
    for c, w in enumerate(widths, first_col):
        ws.column_dimensions[col_letter(c)].width = w


def fit_columns(ws, columns: Iterable[int], *, skip_rows: Iterable[int] = (),
                minimum: float = MIN_WIDTH, maximum: float = MAX_WIDTH) -> None:
    """Size ``columns`` of an openpyxl sheet from the cells written in them (bold cells a
    tenth wider; rows in ``skip_rows`` - titles meant to spill over - ignored)."""
    skip = set(skip_rows)
    need: dict[int, float] = {c: 0.0 for c in columns}
    for row in ws.iter_rows():
        for cell in row:
            if cell.column not in need or cell.row in skip or cell.value is None:
                continue
            w: float = text_width(cell.value, cell.number_format)
            if cell.font is not None and cell.font.bold:
                w *= 1.1
            need[cell.column] = max(need[cell.column], w)
    for c, n in need.items():
        ws.column_dimensions[col_letter(c)].width = fit(n, minimum=minimum, maximum=maximum)


def page_setup(ws, *, area: str | None = None, landscape: bool = True, fit_width: int = 1,
               fit_height: int = 0,
               title_rows: str | None = None, title_cols: str | None = None,
               header: str | None = None, footer: str | None = None) -> None:
    """A4, ``landscape`` or portrait, ``fit_width`` pages wide and ``fit_height`` tall (0: as
    many as it takes); ``title_rows`` (such as ``"1:1"``) printed at the top of every
    page; ``header`` centred at the top, "OFFICIAL - SENSITIVE" on the right; ``footer``
    on the left of the foot, "Page n of m" on the right."""
    if area:
        ws.print_area = area
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = fit_width
    ws.page_setup.fitToHeight = fit_height
    if title_rows:
        ws.print_title_rows = title_rows
    if title_cols:
        ws.print_title_cols = title_cols
    if header:
        ws.oddHeader.center.text = header
        ws.oddHeader.right.text = "OFFICIAL - SENSITIVE"
    if footer:
        ws.oddFooter.left.text = footer
    ws.oddFooter.right.text = "Page &P of &N"
    ws.print_options.gridLines = False


def chart_anchor(first_col: int, last_col: int, top: int, rows: int):
    """A two-cell anchor covering columns ``first_col``..``last_col`` (1-based, whole) and
    ``rows`` rows from row ``top``: the chart is exactly as wide as those columns, so it
    stays inside a print area ending at ``last_col``."""
    from openpyxl.drawing.spreadsheet_drawing import AnchorMarker, TwoCellAnchor

    return TwoCellAnchor(_from=AnchorMarker(col=first_col - 1, row=top - 1),
                         to=AnchorMarker(col=last_col, row=top - 1 + rows))


LINE_HEIGHT = 15.0
"""Points per line of 11-point Calibri."""


def wrapped_lines(text: str, width: float) -> int:
    """Lines ``text`` takes wrapped at spaces in a column ``width`` wide - counted with a
    digit's width per character, wider than most letters, so never too few."""
    per_line = max(1, int(width) - 1)
    lines = 0
    for para in str(text).split("\n"):
        n, used = 1, 0
        for word in para.split():
            add = len(word) if used == 0 else used + 1 + len(word)
            if add > per_line and used:
                n, used = n + 1, len(word)
            else:
                used = add
        lines += n
    return max(1, lines)


def fit_row_heights(ws, rows: Iterable[int], columns: Iterable[int]) -> None:
    """Give each of ``rows`` the height its wrapped text needs in ``columns``: neither
    Excel nor LibreOffice reliably sizes a row to wrapped text when opening a file, so the
    height is written."""
    cols = list(columns)
    for r in rows:
        lines = 1
        for c in cols:
            value = ws.cell(r, c).value
            if isinstance(value, str) and value:
                width = ws.column_dimensions[col_letter(c)].width or 8.43
                lines = max(lines, wrapped_lines(value, width))
        if lines > 1:
            ws.row_dimensions[r].height = LINE_HEIGHT * lines
