"""The MedPay ribbon buttons, as plain functions over a workbook PATH (no Excel needed).

Each button function reads the workbook file through the same core functions the CLI
uses and returns a :class:`ButtonResult`: the summary for the message box, and either a
:class:`SheetOutput` (rows for a new sheet in the workbook: findings with links to the
cells at fault, or costs with totals) or the folder and files written for documents.

The thin Excel wrappers (:mod:`addin.excel.xlwings_buttons` for desktop Excel, the
generated xlwings Lite ``main.py`` for Excel on the web) only find the workbook, call the
function here and put the result into the open workbook; :func:`apply_to_workbook` does
the same into an openpyxl workbook, which is how the tests (and anyone without Excel)
see exactly what a button writes.

| button                     | function                        | core                                    |
| ---                        | ---                             | ---                                     |
| Validate framework         | :func:`validate_framework`      | ``framework_checks.validate_framework`` |
| Validate estimates         | :func:`validate_estimates`      | ``estimates_checks.validate_estimates`` |
| Cost estimates             | :func:`cost_estimates`          | ``estimates.read_estimates`` + ``costing`` |
| Generate application forms | :func:`generate_application_forms` | ``forms``                            |
| Generate appraisal forms   | :func:`generate_appraisal_forms`   | ``forms``                            |
| Harvest forms              | :func:`harvest_forms`           | ``harvest``                             |
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from addin.findings import Finding, Report, sort_key

__all__ = [
    "BUTTONS",
    "ButtonResult",
    "COSTS_SHEET",
    "SheetOutput",
    "apply_to_workbook",
    "cost_estimates",
    "findings_sheet",
    "generate_application_forms",
    "generate_appraisal_forms",
    "harvest_forms",
    "output_folder",
    "validate_estimates",
    "validate_framework",
]

COSTS_SHEET = "Costs"
COST_HEADERS = (
    "Row", "Employee ID", "Employee name", "Directorate", "Team", "Framework", "Range",
    "Current level", "Estimated level", "Current salary", "New salary", "Salary honoured",
    "Effective date", "Annual increase", "Employer NI", "Pension", "Apprenticeship levy",
    "Full-year cost", "In-year cost",
)
MONEY_COLUMNS = frozenset({"Current salary", "New salary", "Annual increase", "Employer NI",
                           "Pension", "Apprenticeship levy", "Full-year cost", "In-year cost"})


@dataclass
class SheetOutput:
    """A sheet a button adds to the workbook (replacing one of the same name)."""

    title: str
    header: list[str]
    rows: list[list[Any]]
    links: dict[tuple[int, int], str] = field(default_factory=dict)
    """(index into ``rows``, 0-based column) -> in-workbook target such as ``'Estimates'!C5``."""
    widths: dict[int, float] = field(default_factory=dict)
    """0-based column -> width."""
    money_columns: set[int] = field(default_factory=set)
    date_columns: set[int] = field(default_factory=set)
    bold_rows: set[int] = field(default_factory=set)
    findings: list[Finding] | None = None
    """For a findings sheet: the findings themselves (openpyxl output uses the shared
    writer :func:`addin.feedback.add_findings_sheet`)."""


@dataclass
class ButtonResult:
    """What one button did: the message-box text and what to put in the workbook."""

    title: str
    summary: str
    sheet: SheetOutput | None = None
    folder: Path | None = None
    files: list[Path] = field(default_factory=list)
    report: Report | None = None
    ok: bool = True
    """False when the button found errors (the message box shows a warning icon)."""


# --------------------------------------------------------------------------- helpers


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def findings_sheet(report: Report) -> SheetOutput:
    """The Findings sheet of a report: the columns of :mod:`addin.feedback`'s Findings
    sheet, each cell reference linking to the cell at fault."""
    from addin.feedback import FINDINGS_HEADERS, FINDINGS_SHEET, FINDINGS_WIDTHS, cell_link

    rows: list[list[Any]] = []
    links: dict[tuple[int, int], str] = {}
    for i, f in enumerate(sorted(report.findings, key=sort_key)):
        rows.append([f.severity.value, f.code, f.sheet or "", f.cell or "", f.message])
        if f.sheet and f.cell:
            links[(i, 3)] = cell_link(f.sheet, f.cell.split(":")[0].replace("$", ""))
    return SheetOutput(
        title=FINDINGS_SHEET, header=list(FINDINGS_HEADERS), rows=rows, links=links,
        widths=dict(enumerate(FINDINGS_WIDTHS)), findings=list(report.findings),
    )


def _report_summary(what: str, report: Report) -> str:
    if not report.findings:
        return f"{what}: no problems found."
    other = len(report.findings) - report.errors - report.warnings
    parts = [_plural(report.errors, "error"), _plural(report.warnings, "warning")]
    if other:
        parts.append(f"{other} note{'' if other == 1 else 's'}")
    return f"{what}: {', '.join(parts)}. See the Findings sheet; each cell reference links to the cell."


def _pay(pay_ranges: str | Path | None):
    from addin.excel.udfs import pay_settings

    return pay_settings(pay_ranges)


def _frameworks(frameworks: Sequence[str | Path] | None) -> list[Path]:
    from addin.paths import default_frameworks

    return [Path(f) for f in frameworks] if frameworks else default_frameworks()


def output_folder(workbook: str | Path, what: str) -> Path:
    """Where a button writes documents: a folder next to the workbook, named after it
    (``Team estimates - application forms``)."""
    from addin.safeio import safe_filename

    p = Path(workbook)
    return p.parent / safe_filename(f"{p.stem} - {what}")


def _call(func: Callable[..., Any], **kwargs: Any) -> Any:
    """Call a core function with the keyword arguments it accepts (the add-in passes
    every choice it has; the core decides which it needs)."""
    params = inspect.signature(func).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return func(**kwargs)
    return func(**{k: v for k, v in kwargs.items() if k in params})


# --------------------------------------------------------------------------- buttons


def validate_framework(workbook: str | Path) -> ButtonResult:
    """Validate framework: check the workbook against the Appendix H layout and the
    Appendix K house rules for writing CPFs (:func:`addin.framework_checks.validate_framework`)."""
    from addin.framework_checks import validate_framework as core

    report = core(workbook)
    return ButtonResult("Validate framework", _report_summary("Framework", report),
                        sheet=findings_sheet(report), report=report, ok=report.errors == 0)


def validate_estimates(workbook: str | Path, *, pay_ranges: str | Path | None = None,
                       frameworks: Sequence[str | Path] | None = None,
                       as_of: dt.date | None = None) -> ButtonResult:
    """Validate estimates: check a level-estimate spreadsheet (Appendix K stage 8) with
    :func:`addin.estimates_checks.validate_estimates`, against the shipped frameworks."""
    from addin.estimates_checks import validate_estimates as core

    report = core(workbook, frameworks=_frameworks(frameworks), pay=_pay(pay_ranges), as_of=as_of)
    rows = report.extra.get("rows") or []
    eligible = sum(1 for r in rows if r.get("eligible"))
    summary = _report_summary("Level estimates", report)
    if rows:
        summary += f" {eligible} of {_plural(len(rows), 'employee')} eligible to progress."
    return ButtonResult("Validate estimates", summary, sheet=findings_sheet(report),
                        report=report, ok=report.errors == 0)


def cost_estimates(workbook: str | Path, *, pay_ranges: str | Path | None = None,
                   frameworks: Sequence[str | Path] | None = None,
                   as_of: dt.date | None = None, cola: Decimal | None = None) -> ButtonResult:
    """Cost estimates: every row's change to its estimated level, with employer on-costs
    (:func:`addin.costing.cost_row`), then totals overall and by directorate
    (:func:`addin.costing.totals`). Rows costing cannot use are listed as skipped."""
    from addin.costing import cost_row, money, totals
    from addin.estimates import read_estimates
    from addin.frameworks import read_framework

    pay = _pay(pay_ranges)
    when = as_of or dt.date.today()
    read = read_estimates(workbook, frameworks=[read_framework(p) for p in _frameworks(frameworks)])
    out_rows: list[list[Any]] = []
    links: dict[tuple[int, int], str] = {}
    costed = []
    skipped: list[int] = []
    from addin.feedback import cell_link

    for row in read.rows:
        cost = cost_row(row, pay, when, cola)
        if cost is None:
            skipped.append(row.row)
            continue
        costed.append(cost)
        links[(len(out_rows), 0)] = cell_link(row.sheet, f"A{row.row}")
        out_rows.append([
            row.row, row.employee_id or "", row.employee_name or "", row.directorate or "",
            row.team or "", row.framework or "", cost.range,
            row.current_level.value if row.current_level else "",
            cost.level.value if cost.level else "",
            money(cost.current_salary), cost.new_salary, "Yes" if cost.honoured else "No",
            cost.effective_date, cost.annual_increase, cost.employer_ni, cost.pension,
            cost.levy, cost.full_year_cost, cost.in_year_cost,
        ])
    t = totals(costed)
    bold: set[int] = set()
    first_money = COST_HEADERS.index("Annual increase")

    def total_line(label: str, sums) -> list[Any]:
        line: list[Any] = [""] * len(COST_HEADERS)
        line[1] = label
        line[first_money - 1] = f"{_plural(sums.rows, 'row')}"
        for j, name in enumerate(("annual_increase", "employer_ni", "pension", "levy",
                                  "full_year_cost", "in_year_cost")):
            line[first_money + j] = money(getattr(sums, name))
        return line

    out_rows.append([""] * len(COST_HEADERS))
    bold.add(len(out_rows))  # the Total row
    out_rows.append(total_line("Total", t.overall))
    for name, sums in t.by_directorate.items():
        out_rows.append(total_line(f"Directorate: {name}", sums))
    if skipped:
        out_rows.append([""] * len(COST_HEADERS))
        note = [""] * len(COST_HEADERS)
        note[1] = ("Not costed (missing salary, FTE, range or estimated level; run Validate "
                   f"estimates): rows {', '.join(str(r) for r in skipped)}")
        out_rows.append(note)
    sheet = SheetOutput(
        title=COSTS_SHEET, header=list(COST_HEADERS), rows=out_rows, links=links,
        widths={i: max(10, min(22, len(h) + 2)) for i, h in enumerate(COST_HEADERS)},
        money_columns={i for i, h in enumerate(COST_HEADERS) if h in MONEY_COLUMNS},
        date_columns={COST_HEADERS.index("Effective date")}, bold_rows=bold,
    )
    summary = (f"Costed {_plural(len(costed), 'employee')}: full-year cost "
               f"£{money(t.overall.full_year_cost):,.2f}, in-year cost "
               f"£{money(t.overall.in_year_cost):,.2f}"
               f"{f', {t.honoured} salary honoured' if t.honoured else ''}.")
    if skipped:
        summary += f" {_plural(len(skipped), 'row')} not costed (see the Costs sheet)."
    return ButtonResult("Cost estimates", summary, sheet=sheet, ok=not skipped)


def _forms(kind: str, workbook: str | Path, out_dir: str | Path | None, force: bool,
           **choices: Any) -> ButtonResult:
    from addin import forms

    folder = Path(out_dir) if out_dir else output_folder(workbook, f"{kind} forms")
    func = getattr(forms, f"generate_{kind}_forms")
    result = _call(func, estimates=workbook, workbook=workbook, path=workbook, source=workbook,
                   out_dir=folder, output=folder, folder=folder, force=force, **choices)
    files = _files_of(result, folder)
    title = f"Generate {kind} forms"
    return ButtonResult(title, f"{title}: wrote {_plural(len(files), 'document')} to {folder}.",
                        folder=folder, files=files)


def _files_of(result: Any, folder: Path) -> list[Path]:
    """The documents a core generator reports (a list of paths, or an object with
    ``files``/``written``/``paths``), else what is in the folder."""
    for name in ("files", "written", "paths", "outputs"):
        value = getattr(result, name, None)
        if value is not None:
            result = value
            break
    if isinstance(result, (list, tuple)):
        return [Path(getattr(p, "path", p)) for p in result]
    return sorted(p for p in folder.glob("*.docx")) if folder.is_dir() else []


def generate_application_forms(workbook: str | Path, *, out_dir: str | Path | None = None,
                               force: bool = False, **choices: Any) -> ButtonResult:
    """Generate application forms: one Appendix F Application for Career Progression per
    eligible employee of the estimates workbook, into a folder next to it."""
    return _forms("application", workbook, out_dir, force, **choices)


def generate_appraisal_forms(workbook: str | Path, *, out_dir: str | Path | None = None,
                             force: bool = False, **choices: Any) -> ButtonResult:
    """Generate appraisal forms: one Appendix B appraisal form per employee of the
    estimates workbook, into a folder next to it."""
    return _forms("appraisal", workbook, out_dir, force, **choices)


def harvest_forms(workbook: str | Path, *, forms_dir: str | Path | None = None,
                  **choices: Any) -> ButtonResult:
    """Harvest forms: read the filled-in forms in the folder next to the workbook (the
    folder Generate application forms wrote, unless ``forms_dir`` names another) and list
    what they say as a sheet."""
    from addin import harvest

    folder = Path(forms_dir) if forms_dir else output_folder(workbook, "application forms")
    result = _call(harvest.harvest_forms, folder=folder, path=folder, source=folder,
                   forms_dir=folder, **choices)
    rows = getattr(result, "rows", result)
    header, body = _table(rows)
    findings = list(getattr(result, "findings", []) or [])
    summary = f"Harvest forms: read {_plural(len(body), 'form')} from {folder}."
    if findings:
        summary += f" {_plural(len(findings), 'problem')} found (listed below the forms)."
        body.append([""] * len(header))
        for f in sorted(findings, key=sort_key):
            body.append([f"{f.severity.value}: {f.code}", f"{Path(f.file).name if f.file else ''}", f.message]
                        + [""] * max(0, len(header) - 3))
    return ButtonResult("Harvest forms", summary,
                        sheet=SheetOutput(title="Harvested forms", header=header, rows=body),
                        folder=folder, ok=not findings)


def _table(rows: Any) -> tuple[list[str], list[list[Any]]]:
    """Rows (dicts or dataclasses) -> header and values, the keys in first-seen order."""
    from dataclasses import asdict, is_dataclass

    dicts = []
    for r in rows or []:
        if is_dataclass(r):
            r = asdict(r)
        elif hasattr(r, "to_json"):
            r = r.to_json()
        dicts.append(dict(r))
    header: list[str] = []
    for d in dicts:
        header.extend(k for k in d if k not in header)
    return header or ["(no forms)"], [[_plain(d.get(k)) for k in header] for d in dicts]


def _plain(value: Any) -> Any:
    if isinstance(value, (str, int, float, Decimal, dt.date, bool)) or value is None:
        return value
    return str(value)


BUTTONS: dict[str, Callable[..., ButtonResult]] = {
    "validate_framework": validate_framework,
    "validate_estimates": validate_estimates,
    "cost_estimates": cost_estimates,
    "generate_application_forms": generate_application_forms,
    "generate_appraisal_forms": generate_appraisal_forms,
    "harvest_forms": harvest_forms,
}
"""Ribbon button id -> function. The ribbon XML, the VBA callbacks and the xlwings
wrappers are generated from this table (``scripts/build_addin``)."""

LABELS: dict[str, str] = {
    "validate_framework": "Validate framework",
    "validate_estimates": "Validate estimates",
    "cost_estimates": "Cost estimates",
    "generate_application_forms": "Generate application forms",
    "generate_appraisal_forms": "Generate appraisal forms",
    "harvest_forms": "Harvest forms",
}


# --------------------------------------------------------------------------- openpyxl output


def apply_to_workbook(wb, result: ButtonResult):
    """Put a button's sheet into an open openpyxl workbook (replacing one of the same
    name), exactly as the Excel wrapper does; return the sheet (None when the button
    wrote documents only). Findings go through the shared writer
    :func:`addin.feedback.add_findings_sheet`; texts through :func:`addin.safeio.set_cell`."""
    out = result.sheet
    if out is None:
        return None
    if out.findings is not None:
        from addin.feedback import add_findings_sheet

        return add_findings_sheet(wb, out.findings, title=out.title)
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.hyperlink import Hyperlink

    from addin.safeio import set_cell

    if out.title in wb.sheetnames:
        del wb[out.title]
    ws = wb.create_sheet(out.title)
    bold = Font(bold=True)
    for c, h in enumerate(out.header, 1):
        set_cell(ws, 1, c, h).font = bold
    for i, row in enumerate(out.rows):
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            cell = set_cell(ws, i + 2, c + 1, float(value) if isinstance(value, Decimal) else value)
            if c in out.money_columns and isinstance(value, (Decimal, int, float)):
                cell.number_format = "#,##0.00"
            if c in out.date_columns and isinstance(value, dt.date):
                cell.number_format = "dd/mm/yyyy"
            if i in out.bold_rows:
                cell.font = bold
            if (i, c) in out.links:
                cell.hyperlink = Hyperlink(ref=cell.coordinate, location=out.links[(i, c)])
                cell.font = Font(color="0563C1", underline="single")
    for c, width in out.widths.items():
        ws.column_dimensions[get_column_letter(c + 1)].width = width
    ws.freeze_panes = "A2"
    for other in wb.worksheets:
        other.sheet_view.tabSelected = False
    wb.active = wb.sheetnames.index(out.title)
    ws.sheet_view.tabSelected = True
    return ws
