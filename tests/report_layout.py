"""Structural checks of how a report looks opened and printed (issue 20): shared by the
report tests. Each reads the saved file (openpyxl, or the package's XML where openpyxl
does not keep the detail)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from openpyxl.utils import column_index_from_string, range_boundaries

XDR = "{http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing}"


def unnamed_fonts(wb) -> list[str]:
    """Every cell (sheet!ref) that has a font without a name: LibreOffice prints it in a
    serif. An empty list when every font is named."""
    bad = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.has_style and cell.font is not None and not cell.font.name:
                    bad.append(f"{ws.title}!{cell.coordinate}")
    return bad


def print_area_bounds(ws) -> tuple[int, int, int, int]:
    """(min_col, min_row, max_col, max_row) of the sheet's print area (1-based)."""
    area = ws.print_area
    assert area, f"{ws.title} has no print area"
    ref = area.split("!")[-1].replace("$", "")
    return range_boundaries(ref)


def two_cell_anchors(path: Path, drawing: str = "xl/drawings/drawing1.xml") -> list[dict]:
    """Each chart's anchor in a drawing part: from/to column and row (0-based, as stored)
    and the to-cell offsets. A one-cell anchor (a fixed width in cm, which can run past
    the columns it starts in) fails the test."""
    import xml.etree.ElementTree as ET

    with zipfile.ZipFile(path) as z:
        root = ET.fromstring(z.read(drawing))
    assert root.find(f"{XDR}oneCellAnchor") is None, "a chart has a fixed width"
    out = []
    for a in root.findall(f"{XDR}twoCellAnchor"):
        f, t = a.find(f"{XDR}from"), a.find(f"{XDR}to")
        out.append({
            "from_col": int(f.find(f"{XDR}col").text), "from_row": int(f.find(f"{XDR}row").text),
            "to_col": int(t.find(f"{XDR}col").text), "to_row": int(t.find(f"{XDR}row").text),
            "to_col_off": int(t.find(f"{XDR}colOff").text),
            "to_row_off": int(t.find(f"{XDR}rowOff").text),
        })
    return out


def assert_inside_print_area(anchor: dict, ws) -> None:
    """The chart starts and ends within the print area's columns and rows: its right edge
    is the left edge of the column after the area's last (to_col, 0-based, offset 0)."""
    min_col, min_row, max_col, max_row = print_area_bounds(ws)
    assert anchor["from_col"] + 1 >= min_col and anchor["from_row"] + 1 >= min_row
    # to_col is 0-based: column to_col + 1 (1-based) is the first one the chart reaches
    # into; with no offset it ends at its left edge
    last_col = anchor["to_col"] + (1 if anchor["to_col_off"] else 0)
    last_row = anchor["to_row"] + (1 if anchor["to_row_off"] else 0)
    assert last_col <= max_col, (anchor, ws.print_area)
    assert last_row <= max_row, (anchor, ws.print_area)


def defined_print_titles(path: Path) -> dict[str, str]:
    """Sheet name -> its _xlnm.Print_Titles as written in workbook.xml."""
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/workbook.xml").decode()
    names = re.findall(r'<definedName name="_xlnm.Print_Titles" localSheetId="(\d+)"[^>]*>([^<]*)<',
                       xml)
    sheets = re.findall(r'<sheet [^>]*name="([^"]*)"', xml)
    return {sheets[int(i)]: ref for i, ref in names}


def col(letter: str) -> int:
    return column_index_from_string(letter)
