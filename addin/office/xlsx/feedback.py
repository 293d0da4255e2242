"""The one findings writer: an annotated copy of an input workbook.

Every checker (framework validation, level estimates, the batch) reports
:class:`addin.core.findings.Finding` records; this module turns them into feedback a manager
or HR officer can act on in Excel:

* each finding becomes a cell comment (author "MedPay") on the cell at fault - several
  findings on one cell are merged into one comment, worst first - and the cell is filled
  by the worst severity (error red, warning amber, info blue);
* a "Findings" sheet lists every finding (Severity, Code, Sheet, Cell, Message), each cell
  reference a hyperlink to the cell, with an autofilter, a frozen header, set widths, row
  heights that fit the wrapped messages and a legend of the fills;
* optional extra columns (``extra_columns``) appended after a sheet's last used column,
  e.g. the estimates' eligibility and costing figures per row, inside the sheet's Excel
  table when the header row is that table's.

One engine makes the copy: :mod:`addin.office.xlsx.feedback_xml` rewrites only the parts
that change (measured on the five shipped samples, 28 findings and an added column each:
13.5 ms a copy, against 73 ms for the openpyxl load-and-save it replaced). This module
holds what the copy says (labels, links, comment texts, fills, widths) and the safe entry
point: the input is read once through :func:`addin.office.xlsx.safe.read_ooxml_bytes`
(so it is never modified or locked, and passes the same safety checks as every reader),
the copy is written atomically through :mod:`addin.office.safeio` (no overwrite without
``force``), and text is never a formula (text starting = + - @ gets the quote prefix, as
:func:`addin.office.safeio.set_cell` writes it).
"""

from __future__ import annotations

import datetime
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from addin.core.cells import a1, parse_a1
from addin.core.errors import InputError, OutputError
from addin.core.findings import Finding, Severity
from addin.office.safeio import atomic_write_bytes, check_writable
from addin.office.xlsx import feedback_xml
from addin.office.xlsx.safe import OPEN_HINT, read_ooxml_bytes

AUTHOR = "MedPay"
FINDINGS_SHEET = "Findings"
FINDINGS_HEADERS = ("Severity", "Code", "Sheet", "Cell", "Message")
FINDINGS_WIDTHS = (10, 30, 24, 14, 100)
"""The Findings sheet's column widths; Code and Sheet widen to their longest text
(:func:`findings_widths`), the Cell column holds "(whole sheet)"."""
MAX_FIT_WIDTH = 60

# Fill colours by severity (Excel's own "Bad", "Neutral" and a light blue).
FILLS: dict[Severity, str] = {
    Severity.ERROR: "FFC7CE",
    Severity.WARNING: "FFEB9C",
    Severity.INFO: "DDEBF7",
}
_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}

LEGEND: tuple[tuple[str | None, str, str], ...] = (
    (FILLS[Severity.ERROR], "error", "Red: an error - correct it; the file is not accepted "
                                     "until every error is corrected"),
    (FILLS[Severity.WARNING], "warning", "Amber: a warning - check it; it may be right"),
    (FILLS[Severity.INFO], "info", "Blue: for information"),
    (None, "", "The same colour fills the cell at fault on its sheet; its comment gives "
               "the message, and the Cell link goes there."),
)
"""The Findings sheet's legend: (fill, label, what it means)."""


def findings_widths(findings: Sequence[Finding]) -> tuple[float, ...]:
    """:data:`FINDINGS_WIDTHS` with Code and Sheet widened to fit their longest text
    (two characters spare, at most :data:`MAX_FIT_WIDTH`), so no code or sheet name is
    cut off."""
    widths = list(FINDINGS_WIDTHS)
    for i, texts in ((1, [f.code for f in findings]), (2, [f.sheet or "" for f in findings])):
        longest = max((len(t) for t in texts), default=0)
        widths[i] = max(widths[i], min(MAX_FIT_WIDTH, longest + 2))
    return tuple(widths)

@dataclass(frozen=True)
class ColumnStyle:
    """How an added column looks: ``width`` (None: from its header, 12 to 40) and
    ``wrap`` (text wrapped, and each row made tall enough to show it; the cells keep the
    row's vertical alignment, so its last line sits level with the row's values)."""

    width: float | None = None
    wrap: bool = False


ExtraColumns = Mapping[str, Sequence[tuple[Any, ...]]]
"""sheet name -> [(header, {row number: value}) or (header, {row: value}, ColumnStyle),
...] appended after the last used column (inside the sheet's Excel table when the header
row is the table's and it ends just before them)."""

DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"


def extra_number_format(value: Any) -> str | None:
    """The number format of a value written into an added column: UK
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


def write_feedback_copy(
    src: str | Path,
    out: str | Path,
    findings: Iterable[Finding],
    *,
    force: bool = False,
    extra_columns: ExtraColumns | None = None,
    header_row: int | Mapping[str, int] = 1,
    when: datetime.datetime | None = None,
) -> Path:
    """Write an annotated copy of ``src`` to ``out``; ``src`` is never modified.

    Comments and fills on the cells at fault, a Findings sheet (replacing the one of a
    feedback copy sent back), optional extra columns. The copy never carries a macro
    (:mod:`addin.office.xlsx.macrofree`: an input's VBA project, Excel 4.0 macro sheets,
    dialog sheets and auto-run names are dropped); an .xlsm copy keeps the macro-enabled
    content type so Excel opens it, with nothing to enable. ``when`` (optional) fixes
    every clock in the file to that moment, giving the same bytes as
    :func:`addin.office.determinism.normalise_xlsx_file` would after the save, in one pass
    (the batch need not rewrite the copy to normalise it). A workbook the writer cannot
    rewrite with certainty (strict OOXML, a damaged part, text Excel cannot hold) is an
    InputError naming the file, never a half-written copy.
    """
    src_p, out_p = Path(src), check_feedback_path(out)
    if out_p.resolve() == src_p.resolve():
        raise OutputError("the feedback copy would replace its input; choose another name",
                          file=out_p)
    check_writable(out_p, force=force)
    parts: dict[str, bytes] = {}
    data = read_ooxml_bytes(src_p, kind="workbook", parts=parts)
    items = list(findings)
    try:
        body = feedback_xml.annotated_copy(
            data, items, extra_columns=extra_columns, header_row=header_row,
            parts=parts, author=AUTHOR, title=FINDINGS_SHEET, headers=FINDINGS_HEADERS,
            widths=findings_widths(items), fills=FILLS, legend=LEGEND, target_cell=_target_cell,
            link_cell=link_cell, cell_label=cell_label, comment_text=comment_text,
            worst=_worst, link=cell_link, number_format=extra_number_format,
            missing_sheet=_missing_sheet, when=when,
            macro_enabled=out_p.suffix.lower() == ".xlsm")
    except feedback_xml.Damaged as exc:
        raise _damaged(src_p, exc.__cause__ or exc) from exc
    except feedback_xml.Unsupported as exc:
        raise InputError(f"cannot make a feedback copy of this workbook: {exc}", file=src_p,
                         hint=OPEN_HINT) from exc
    except (etree.LxmlError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise _damaged(src_p, exc) from exc
    return atomic_write_bytes(out_p, body, force=force)


def _damaged(src: Path, exc: BaseException) -> InputError:
    """The reader's own one-line verdict on a part that does not parse."""
    return InputError(
        f"workbook is damaged and cannot be read ({type(exc).__name__}: {str(exc)[:200]})",
        file=src, hint=OPEN_HINT)


def _missing_sheet(sheet: str) -> OutputError:
    return OutputError(f"cannot add columns: the workbook has no sheet {sheet!r}")
