"""The one findings writer: an annotated copy of an input workbook.

Every checker (framework validation, level estimates, the batch) reports
:class:`addin.core.findings.Finding` records; this module turns them into feedback a manager
or HR officer can act on in Excel:

* each finding becomes a cell comment (author "MedPay") on the cell at fault - several
  findings on one cell are merged into one comment, worst first - and the cell is filled
  by the worst severity (error red, warning amber, info blue);
* a "Findings" sheet lists every finding (Severity, Code, Sheet, Cell, Message), each cell
  reference a hyperlink to the cell, with an autofilter, a frozen header and set widths;
* optional extra columns (``extra_columns``) appended after a sheet's last used column,
  e.g. the estimates' costing figures per row.

The input is opened only through :func:`addin.office.xlsx.safe.load_workbook` (read once into memory,
so it is never modified or locked), the copy is written atomically through
:mod:`addin.office.safeio` (no overwrite without ``force``) and every text goes through
:func:`addin.office.safeio.set_cell`, so a message or value starting with "=" stays text.

:func:`add_findings_sheet` and :func:`annotate_workbook` work on an open openpyxl
workbook, for the Excel add-in buttons that annotate the workbook the user has open.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from addin.core.cells import a1, parse_a1
from addin.core.errors import OutputError
from addin.core.findings import Finding, Severity, sort_key
from addin.office.safeio import atomic_write_bytes, check_writable, set_cell

AUTHOR = "MedPay"
FINDINGS_SHEET = "Findings"
FINDINGS_HEADERS = ("Severity", "Code", "Sheet", "Cell", "Message")
FINDINGS_WIDTHS = (10, 26, 24, 8, 100)

# Fill colours by severity (Excel's own "Bad", "Neutral" and a light blue).
FILLS: dict[Severity, str] = {
    Severity.ERROR: "FFC7CE",
    Severity.WARNING: "FFEB9C",
    Severity.INFO: "DDEBF7",
}
_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}

ExtraColumns = Mapping[str, Sequence[tuple[str, Mapping[int, Any]]]]
"""sheet name -> [(header, {row number: value}), ...] appended after the last used column."""

DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"


def extra_number_format(value: Any) -> str | None:
    """The number format of a value written into an added column (both engines): UK
    dates (:data:`DATE_FORMAT`, with the time for a datetime); None keeps the cell's."""
    if isinstance(value, datetime.datetime):
        return DATETIME_FORMAT
    if isinstance(value, datetime.date):
        return DATE_FORMAT
    return None


FEEDBACK_SUFFIXES = (".xlsx", ".xlsm")
"""What an annotated copy may be called: it is always an Excel workbook."""


def check_feedback_path(path: str | Path) -> Path:
    """``path`` as a Path, or an OutputError (one line, exit 2) when it does not end .xlsx
    or .xlsm: the copy is a workbook, and ``--feedback out.csv`` would otherwise write a
    workbook named .csv that Excel refuses to open as what it claims to be."""
    p = Path(path)
    if p.suffix.lower() not in FEEDBACK_SUFFIXES:
        raise OutputError("the feedback copy is an Excel workbook; its name must end .xlsx "
                          "(or .xlsm)", file=p, hint=f"for example {p.with_suffix('.xlsx').name}")
    return p


def _worst(severities: Iterable[Severity]) -> Severity:
    return min(severities, key=lambda s: _RANK[s])


def _target_cell(f: Finding) -> str | None:
    """The A1 cell a finding points at: its cell, else column A of its row, else None."""
    if f.cell:
        ref = f.cell.split(":")[0].replace("$", "")
        try:
            parse_a1(ref)
        except ValueError:
            return None
        return ref.upper()
    if f.row:
        return a1(f.row, 1)
    return None


WHOLE_SHEET = "(whole sheet)"
"""What the Findings sheet's Cell column shows for a finding about a whole sheet."""


def link_cell(f: Finding) -> str | None:
    """The cell the Findings sheet links a finding to: the cell at fault
    (:func:`_target_cell`), or A1 of its sheet when the finding is about the whole sheet
    (cell None and no row, e.g. FW-NO-TABLE), so that row too takes the reader to the
    sheet. No comment or fill is put on A1: the finding is not about that cell."""
    ref = _target_cell(f)
    if ref is None and f.sheet and not f.cell:
        return "A1"
    return ref


def cell_label(f: Finding) -> str:
    """The Findings sheet's Cell column: the cell as reported, its row's column A cell,
    :data:`WHOLE_SHEET` for a whole-sheet finding, or "" for a whole-file one."""
    if f.cell:
        return f.cell
    return _target_cell(f) or (WHOLE_SHEET if f.sheet else "")


def comment_text(findings: Sequence[Finding]) -> str:
    """One comment for all the findings on one cell, worst first, one paragraph each."""
    ordered = sorted(findings, key=lambda f: (_RANK[f.severity], f.code, f.message))
    return "\n\n".join(f"{f.severity.value.upper()} {f.code}: {f.message}" for f in ordered)


def _quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def cell_link(sheet: str, cell: str) -> str:
    """The in-workbook link target of a cell, e.g. ``'Sheet 1'!B7``."""
    return f"{_quote_sheet(sheet)}!{cell}"


def annotate_workbook(wb, findings: Iterable[Finding]) -> int:
    """Add a comment and a severity fill to each cell a finding points at.

    Findings on a sheet the workbook does not have, or with no cell, are left to the
    Findings sheet. Returns the number of cells annotated.
    """
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    by_cell: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        ref = _target_cell(f)
        if f.sheet is None or ref is None or f.sheet not in wb.sheetnames:
            continue
        by_cell.setdefault((f.sheet, ref), []).append(f)
    for (sheet, ref), items in by_cell.items():
        ws = wb[sheet]
        cell = ws[ref]
        text = comment_text(items)
        old = cell.comment
        if old is not None and old.text and old.author != AUTHOR:
            text = f"{old.text}\n\n{text}"  # keep the author's own note, ours after it
        lines = sum(1 + len(line) // 50 for line in text.split("\n"))
        comment = Comment(text, AUTHOR)
        comment.width = 360
        comment.height = min(600, max(80, 16 * lines))
        cell.comment = comment
        colour = FILLS[_worst(f.severity for f in items)]
        cell.fill = PatternFill(fill_type="solid", start_color=colour, end_color=colour)
    return len(by_cell)


def add_findings_sheet(wb, findings: Iterable[Finding], *, title: str = FINDINGS_SHEET,
                       activate: bool = True):
    """Write (or replace) the Findings sheet in an open openpyxl workbook; return it.

    Columns Severity, Code, Sheet, Cell, Message; the Cell column links to the cell at
    fault (:func:`link_cell`: A1 for a whole-sheet finding) when the workbook has that
    sheet; autofilter, frozen header row, widths.
    """
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.hyperlink import Hyperlink

    if title in wb.sheetnames:
        del wb[title]  # a re-run on an annotated copy replaces the old list
    ws = wb.create_sheet(title)
    bold = Font(bold=True)
    head_fill = PatternFill(fill_type="solid", start_color="D9D9D9", end_color="D9D9D9")
    for col, header in enumerate(FINDINGS_HEADERS, start=1):
        c = set_cell(ws, 1, col, header)
        c.font = bold
        c.fill = head_fill
    rows = sorted(findings, key=sort_key)
    link_font = Font(color="0563C1", underline="single")
    for i, f in enumerate(rows, start=2):
        sev = set_cell(ws, i, 1, f.severity.value)
        colour = FILLS[f.severity]
        sev.fill = PatternFill(fill_type="solid", start_color=colour, end_color=colour)
        set_cell(ws, i, 2, f.code)
        set_cell(ws, i, 3, f.sheet or "")
        ref = link_cell(f)
        cell = set_cell(ws, i, 4, cell_label(f))
        if f.sheet and ref and f.sheet in wb.sheetnames and f.sheet != title:
            cell.hyperlink = Hyperlink(ref=cell.coordinate, location=cell_link(f.sheet, ref),
                                       tooltip=f"Go to {f.sheet}!{ref}")
            cell.font = link_font
        msg = set_cell(ws, i, 5, f.message)
        msg.alignment = Alignment(wrap_text=True, vertical="top")
    for col, width in enumerate(FINDINGS_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    last = max(1, len(rows) + 1)
    ws.auto_filter.ref = f"A1:{get_column_letter(len(FINDINGS_HEADERS))}{last}"
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if activate:
        for other in wb.worksheets:
            other.sheet_view.tabSelected = False
        wb.active = wb.sheetnames.index(title)
        ws.sheet_view.tabSelected = True
    return ws


def last_used_column(ws) -> int:
    """The right-most column holding a value (0 for an empty sheet); styles alone don't count."""
    last = 0
    for row in ws.iter_rows():
        for cell in reversed(row):
            if cell.value is not None and cell.value != "":
                last = max(last, cell.column)
                break
    return last


def add_extra_columns(wb, extra_columns: ExtraColumns,
                      *, header_row: int | Mapping[str, int] = 1) -> dict[str, list[int]]:
    """Append columns to sheets: the header on the sheet's header row, values by row.

    ``header_row`` is one row number for every sheet or a mapping sheet -> row. Returns
    sheet -> the column numbers written.
    """
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    written: dict[str, list[int]] = {}
    for sheet, columns in extra_columns.items():
        if sheet not in wb.sheetnames:
            raise OutputError(f"cannot add columns: the workbook has no sheet {sheet!r}")
        ws = wb[sheet]
        hrow = header_row.get(sheet, 1) if isinstance(header_row, Mapping) else header_row
        col = last_used_column(ws)
        for header, values in columns:
            col += 1
            c = set_cell(ws, hrow, col, header)
            c.font = Font(bold=True)
            for row, value in values.items():
                cell = set_cell(ws, row, col, value)
                fmt = extra_number_format(value)
                if fmt:
                    cell.number_format = fmt
            ws.column_dimensions[get_column_letter(col)].width = max(12, min(40, len(str(header)) + 2))
            written.setdefault(sheet, []).append(col)
    return written


ENGINES = ("auto", "xml", "openpyxl")
"""How :func:`write_feedback_copy` makes the copy: ``xml`` rewrites only the parts that
change (:mod:`addin.office.xlsx.feedback_xml`, ~10x faster), ``openpyxl`` loads and saves the whole
workbook (the reference implementation), ``auto`` tries ``xml`` and falls back to
``openpyxl`` for what the XML engine does not handle (.xlsm, a Findings sheet already
there, legacy drawings with controls, ...)."""


def write_feedback_copy(
    src: str | Path,
    out: str | Path,
    findings: Iterable[Finding],
    *,
    force: bool = False,
    extra_columns: ExtraColumns | None = None,
    header_row: int | Mapping[str, int] = 1,
    engine: str = "auto",
    when: datetime.datetime | None = None,
) -> Path:
    """Write an annotated copy of ``src`` to ``out``; ``src`` is never modified.

    Comments and fills on the cells at fault, a Findings sheet, optional extra columns.
    The copy never carries a macro (:mod:`addin.office.xlsx.macrofree`: an input's VBA project,
    Excel 4.0 macro sheets, dialog sheets and auto-run names are dropped, by both engines;
    an .xlsm copy keeps the macro-enabled content type so Excel opens it, with nothing to
    enable). ``engine`` picks
    how the copy is made (see :data:`ENGINES`); every engine gives the same annotations.
    ``when`` (optional) fixes every clock in the file to that moment, giving the same
    bytes as :func:`addin.office.determinism.normalise_xlsx_file` would after the save, in one
    pass (the batch need not rewrite the copy to normalise it).
    """
    from addin.office.xlsx.safe import load_workbook

    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, not {engine!r}")
    src_p, out_p = Path(src), check_feedback_path(out)
    if out_p.resolve() == src_p.resolve():
        raise OutputError("the feedback copy would replace its input; choose another name",
                          file=out_p)
    check_writable(out_p, force=force)
    items = list(findings)
    macro_enabled = out_p.suffix.lower() == ".xlsm"
    if engine != "openpyxl" and src_p.suffix.lower() != ".xlsm":
        # the XML engine writes its package macro-free, typed for the output's name
        body = _xml_copy(src_p, items, extra_columns, header_row, strict=engine == "xml",
                         when=when, macro_enabled=macro_enabled)
        if body is not None:
            return atomic_write_bytes(out_p, body, force=force)
    # macros are never kept: not even read, so no macro sheet becomes a worksheet
    wb = load_workbook(src_p, data_only=False, keep_vba=False, macro_free=True)
    if extra_columns:
        add_extra_columns(wb, extra_columns, header_row=header_row)
    annotate_workbook(wb, items)
    add_findings_sheet(wb, items)
    import io

    buf = io.BytesIO()
    wb.save(buf)
    body = buf.getvalue()
    if when is not None:
        from addin.office.determinism import normalise_xlsx_bytes

        body = normalise_xlsx_bytes(body, when)
    from addin.office.xlsx.macrofree import without_macros

    # openpyxl without a VBA project types the workbook .xlsx whatever the name
    return atomic_write_bytes(out_p, without_macros(body, macro_enabled=macro_enabled), force=force)


def _missing_sheet(sheet: str) -> OutputError:
    return OutputError(f"cannot add columns: the workbook has no sheet {sheet!r}")


def _xml_copy(src: Path, items: list[Finding], extra_columns: ExtraColumns | None,
              header_row: int | Mapping[str, int], *, strict: bool,
              when: datetime.datetime | None = None,
              macro_enabled: bool | None = None) -> bytes | None:
    """The copy made by :mod:`addin.office.xlsx.feedback_xml`, or None when the openpyxl path must
    make it (``strict``: raise instead). The input passes the same safety checks as
    :func:`addin.office.xlsx.safe.load_workbook` first (read once; the sheet XML the checks
    decompressed is reused)."""
    import zipfile

    from lxml import etree

    from addin.office.xlsx import feedback_xml
    from addin.office.xlsx.safe import read_ooxml_bytes

    parts: dict[str, bytes] = {}
    data = read_ooxml_bytes(src, kind="workbook", parts=parts)
    try:
        return feedback_xml.annotated_copy(
            data, items, extra_columns=extra_columns, header_row=header_row, parts=parts,
            author=AUTHOR, title=FINDINGS_SHEET, headers=FINDINGS_HEADERS,
            widths=FINDINGS_WIDTHS, fills=FILLS, target_cell=_target_cell,
            link_cell=link_cell, cell_label=cell_label, comment_text=comment_text,
            worst=_worst, link=cell_link, number_format=extra_number_format,
            missing_sheet=_missing_sheet, when=when, macro_enabled=macro_enabled)
    except (feedback_xml.Unsupported, etree.LxmlError, zipfile.BadZipFile) as exc:
        if strict:
            raise
        del exc
        return None
