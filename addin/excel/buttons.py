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

Each button calls exactly the library function its CLI command calls (the command adds
only argument parsing and printing):

| button                     | function                           | core (same as the CLI command)                |
| ---                        | ---                                | ---                                           |
| Validate framework         | :func:`validate_framework`         | ``app.validate.validate_framework`` (``validate-framework``) |
| Validate estimates         | :func:`validate_estimates`         | ``app.validate.validate_estimates`` (``validate-estimates``) |
| Cost estimates             | :func:`cost_estimates`             | ``app.cost.cost_workbook`` (``cost``)      |
| Generate application forms | :func:`generate_application_forms` | ``app.forms.forms_from_estimates`` (``forms application``) |
| Generate appraisal forms   | :func:`generate_appraisal_forms`   | ``app.forms.forms_from_estimates`` (``forms appraisal``) |
| Generate PDP forms         | :func:`generate_pdp_forms`         | ``app.forms.forms_from_estimates`` (``forms pdp``) |
| Generate Initial Assessment forms | :func:`generate_initial_assessment_forms` | ``app.forms.forms_from_estimates`` (``forms initial-assessment``) |
| Generate letters           | :func:`generate_letters`           | ``forms.generate_letters`` (``letters``)      |
| Harvest forms              | :func:`harvest_forms`              | ``harvest.harvest`` + ``form_table``/``problem_table`` (``harvest``) |
| New estimates workbook     | :func:`new_estimates_template`     | ``estimates_template.write_estimates_template`` (``template estimates``) |
| New framework workbook     | :func:`new_framework_template`     | ``framework_template.write_framework_template`` (``template framework``) |
| Settings                   | :func:`settings`                   | the add-in's settings (:func:`addin.excel.udfs.conf_setting`) |
| Help                       | :func:`help_text`                  | what each button and function does            |

Validate estimates, run from desktop Excel (``next_to`` given: the user's own file), also
writes the feedback copy the command line's ``validate-estimates --feedback`` writes
(:func:`addin.app.feedback.write_estimates_feedback`: coloured cells with comments, a
Findings sheet, Eligible / Reasons / Effective date columns) next to the workbook and
opens it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from addin.app import validate as app_validate
from addin.app.cost import cost_workbook
from addin.app.feedback import write_estimates_feedback
from addin.app.forms import forms_from_estimates
from addin.app.inputs import framework_paths
from addin.app.letters import letters_from_decisions
from addin.core.costing import money
from addin.core.errors import MedpayError
from addin.core.findings import Report, sort_key
from addin.core.money import format_gbp
from addin.excel.udfs import (
    ENV_VAR,
    FRAMEWORKS_VAR,
    FUNCTIONS,
    _conf_files,
    frameworks_folder,
    pay_ranges_path,
)
from addin.office.docx.forms import index_name, made_files
from addin.office.docx.harvest import form_table, harvest_folders, problem_table
from addin.office.resources import default_pay_ranges, frameworks_dir
from addin.office.safeio import safe_filename, set_cell
from addin.office.xlsx.estimates import read_estimates
from addin.office.xlsx.estimates_template import write_estimates_template
from addin.office.xlsx.feedback import FINDINGS_HEADERS, FINDINGS_SHEET, FINDINGS_WIDTHS, cell_link
from addin.office.xlsx.framework_template import write_framework_template
from addin.office.xlsx.frameworks import read_frameworks
from addin.office.xlsx.settings import read_pay_settings

__all__ = [
    "BUTTONS",
    "DESCRIPTIONS",
    "ButtonResult",
    "COSTS_SHEET",
    "SheetOutput",
    "apply_to_workbook",
    "cost_estimates",
    "failure",
    "findings_sheet",
    "fresh_output_folder",
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


@dataclass
class ButtonResult:
    """What one button did: the message-box text and what to put in the workbook."""

    title: str
    summary: str
    sheet: SheetOutput | None = None
    folder: Path | None = None
    files: list[Path] = field(default_factory=list)
    report: Report | None = None
    open_file: Path | None = None
    """A file the Excel wrapper opens when the button is done (a feedback copy, a new
    template workbook, the settings file); the user's own workbook is then left as it is."""
    ok: bool = True
    """False when the button found errors (the message box shows a warning icon)."""


# --------------------------------------------------------------------------- helpers


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def findings_sheet(report: Report) -> SheetOutput:
    """The Findings sheet of a report: the columns of :mod:`addin.office.xlsx.feedback`'s Findings
    sheet, each cell reference linking to the cell at fault."""
    rows: list[list[Any]] = []
    links: dict[tuple[int, int], str] = {}
    for i, f in enumerate(sorted(report.findings, key=sort_key)):
        rows.append([f.severity.value, f.code, f.sheet or "", f.cell or "", f.message])
        if f.sheet and f.cell:
            links[(i, 3)] = cell_link(f.sheet, f.cell.split(":")[0].replace("$", ""))
    return SheetOutput(
        title=FINDINGS_SHEET, header=list(FINDINGS_HEADERS), rows=rows, links=links,
        widths=dict(enumerate(FINDINGS_WIDTHS)),
    )


def _report_summary(what: str, report: Report) -> str:
    if not report.findings:
        return f"{what}: no problems found."
    other = len(report.findings) - report.errors - report.warnings
    parts = [_plural(report.errors, "error"), _plural(report.warnings, "warning")]
    if other:
        parts.append(f"{other} note{'' if other == 1 else 's'}")
    return f"{what}: {', '.join(parts)}. See the Findings sheet; each cell reference links to the cell."


def _pay_path(pay_ranges: str | Path | None) -> Path | None:
    """The pay-ranges workbook a button uses: the one given, else the one the add-in's
    settings name (:func:`addin.excel.udfs.pay_ranges_path`), else None (the shipped one)."""
    return Path(pay_ranges) if pay_ranges else pay_ranges_path()


def _frameworks(frameworks: Sequence[str | Path] | None) -> list[Path]:
    """The framework workbooks a button uses: the ones given, else the workbooks of the
    folder the add-in's settings name (``MEDPAY_FRAMEWORKS``,
    :func:`addin.excel.udfs.frameworks_folder`), else the shipped ones
    (:func:`addin.app.inputs.framework_paths`)."""
    if not frameworks:
        folder = frameworks_folder()
        if folder is not None:
            return sorted(p for p in folder.glob("*.xlsx") if not p.name.startswith("~$"))
    return framework_paths(frameworks)


def output_folder(workbook: str | Path, what: str) -> Path:
    """Where a button writes documents: a folder next to the workbook, named after it
    (``Team estimates - application forms``)."""
    p = Path(workbook)
    return p.parent / safe_filename(f"{p.stem} - {what}")


def fresh_output_folder(workbook: str | Path, what: str) -> Path:
    """:func:`output_folder` when nothing of that name exists yet, else the first free
    ``... (2)``, ``... (3)``: a button never writes into (or over) an earlier run's folder."""
    first = output_folder(workbook, what)
    folder, n = first, 1
    while folder.exists() or folder.is_symlink():
        n += 1
        folder = numbered_folder(first, n)
    return folder


def numbered_folder(first: Path, n: int) -> Path:
    """The ``n``-th copy of the output folder ``first``: ``<first> (n)`` (n >= 2)."""
    return first.with_name(safe_filename(f"{first.name} ({n})"))


def fresh_output_file(workbook: str | Path, what: str, suffix: str = ".xlsx") -> Path:
    """A new file next to the workbook: ``<book> - <what><suffix>``, or ``... (2)``,
    ``(3)``... when that exists - a button never writes over an earlier run's file."""
    p = Path(workbook)
    n = 1
    while True:
        name = f"{p.stem} - {what}" if n == 1 else f"{p.stem} - {what} ({n})"
        target = p.parent / (safe_filename(name) + suffix)
        if not (target.exists() or target.is_symlink()):
            return target
        n += 1


def form_button_kinds() -> list[str]:
    """The forms the Generate buttons make: ``<kind>`` of every ``generate_<kind>_forms``
    in :data:`BUTTONS` (each writes ``<book> - <kind> forms`` next to the workbook,
    :func:`_forms`)."""
    return [name[len("generate_"):-len("_forms")].replace("_", "-") for name in BUTTONS
            if name.startswith("generate_") and name.endswith("_forms")]


def forms_folders(workbook: str | Path) -> list[Path]:
    """Every folder next to the workbook the Generate buttons could have made: for each of
    :func:`form_button_kinds`, ``<book> - <kind> forms`` and its numbered copies
    ``(2)``, ``(3)``... (:func:`fresh_output_folder`, gaps allowed), that exist as folders;
    by kind, then number."""
    found: list[Path] = []
    for kind in form_button_kinds():
        first = output_folder(workbook, f"{kind} forms")
        copies: list[tuple[int, Path]] = []
        pattern = re.compile(re.escape(first.name) + r" \((\d+)\)")
        try:
            siblings = list(first.parent.iterdir())
        except OSError:
            siblings = []
        for p in siblings:
            m = pattern.fullmatch(p.name)
            if m and int(m.group(1)) >= 2 and numbered_folder(first, int(m.group(1))) == p:
                copies.append((int(m.group(1)), p))
        found += [p for _, p in sorted([(1, first), *copies]) if p.is_dir() and not p.is_symlink()]
    return found


ACTIONS: dict[str, str] = {
    "validate_framework": "validate the framework",
    "validate_estimates": "validate the estimates",
    "cost_estimates": "cost the estimates",
    "generate_application_forms": "generate the application forms",
    "generate_appraisal_forms": "generate the appraisal forms",
    "generate_pdp_forms": "generate the PDP forms",
    "generate_initial_assessment_forms": "generate the Initial Assessment forms",
    "generate_letters": "generate the letters",
    "harvest_forms": "harvest the forms",
    "new_estimates_template": "write a new estimates workbook",
    "new_framework_template": "write a new framework workbook",
    "settings": "show the settings",
    "help_text": "show the help",
}
"""Button id -> what it does, for "MedPay could not <action>: ..."."""

_FLAG = re.compile(r"(?<![\w-])--[a-z][\w-]*")
_MAX_REASON = 300


def _shorten(text: str, limit: int = _MAX_REASON) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def failure(name: str, exc: BaseException) -> ButtonResult:
    """The message box for a button that failed, as one line: ``MedPay could not <action>:
    <reason>``. A :class:`~addin.core.errors.MedpayError` gives its one-line text (file, cell,
    what is wrong) without a hint that names a command-line flag - Excel users have no
    command line; anything else is a fault in MedPay, said so, with its reason shortened
    (never a traceback)."""
    action = ACTIONS.get(name, name.replace("_", " "))
    if isinstance(exc, MedpayError):
        hint = exc.hint
        try:
            if hint and _FLAG.search(hint):
                exc.hint = None
            reason = exc.one_line()
        finally:
            exc.hint = hint
        text = f"MedPay could not {action}: {_shorten(reason)}"
    else:
        reason = _shorten(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
        text = (f"MedPay could not {action}: {reason}; this is an unexpected error in MedPay, not "
                "a problem with your workbook - please report it to the MedPay team.")
    title = LABELS.get(name, name)
    return ButtonResult(title, text, ok=False)


# --------------------------------------------------------------------------- buttons


def validate_framework(workbook: str | Path) -> ButtonResult:
    """Validate framework: check the workbook against the Appendix H layout and the
    Appendix K house rules for writing CPFs (:func:`addin.app.validate.validate_framework`)."""
    report = app_validate.validate_framework(workbook)
    return ButtonResult("Validate framework", _report_summary("Framework", report),
                        sheet=findings_sheet(report), report=report, ok=report.errors == 0)


def validate_estimates(workbook: str | Path, *, pay_ranges: str | Path | None = None,
                       frameworks: Sequence[str | Path] | None = None,
                       as_of: dt.date | None = None,
                       next_to: str | Path | None = None) -> ButtonResult:
    """Validate estimates: check a level-estimate spreadsheet (Appendix K stage 8) with
    :func:`addin.app.validate.validate_estimates`, against the shipped frameworks. With
    ``next_to`` (the user's own file; desktop Excel), also write the annotated feedback copy
    ``<book> - feedback.xlsx`` next to it - the same copy as ``validate-estimates
    --feedback`` (:func:`addin.app.feedback.write_estimates_feedback`), in a fresh file,
    never over an earlier one - to be opened (``open_file``)."""
    fws = read_frameworks(_frameworks(frameworks))
    read = read_estimates(workbook, frameworks=fws)
    report = app_validate.validate_estimates(
        workbook, frameworks=fws, pay=read_pay_settings(_pay_path(pay_ranges)), as_of=as_of, read=read)
    rows = report.extra.get("rows") or []
    eligible = sum(1 for r in rows if r.get("eligible"))
    summary = _report_summary("Level estimates", report)
    if rows:
        summary += (f" {eligible} of {_plural(len(rows), 'employee')} may apply to progress at "
                    "the next window.")
    copy = None
    if next_to is not None:
        copy = fresh_output_file(next_to, "feedback")  # .xlsx: the copy carries no macros
        write_estimates_feedback(workbook, copy, report, read)
        summary = summary.replace("See the Findings sheet", f"See {copy.name} (opened)")
        if not report.findings:
            summary += f" Eligibility columns: {copy.name} (opened)."
    return ButtonResult("Validate estimates", summary, sheet=findings_sheet(report),
                        report=report, ok=report.errors == 0, open_file=copy,
                        files=[copy] if copy else [], folder=copy.parent if copy else None)


def cost_estimates(workbook: str | Path, *, pay_ranges: str | Path | None = None,
                   frameworks: Sequence[str | Path] | None = None,
                   as_of: dt.date | None = None, cola: Decimal | None = None) -> ButtonResult:
    """Cost estimates: every row's change to its estimated level, with employer on-costs,
    then totals overall and by directorate - :func:`addin.app.cost.cost_workbook`, as
    ``medpay cost``. Rows costing cannot use are listed as not costed."""

    run = cost_workbook(workbook, framework_paths=_frameworks(frameworks),
                        pay_ranges=_pay_path(pay_ranges), as_of=as_of, cola=cola)
    out_rows: list[list[Any]] = []
    links: dict[tuple[int, int], str] = {}
    for row, cost in run.costed:
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
    skipped = [n.row for n in run.not_costed]
    t = run.totals
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
    summary = (f"Costed {_plural(len(run.costed), 'employee')}: full-year cost "
               f"{format_gbp(t.overall.full_year_cost)}, in-year cost "
               f"{format_gbp(t.overall.in_year_cost)}"
               f"{f', {t.honoured} salary honoured' if t.honoured else ''}.")
    if skipped:
        summary += f" {_plural(len(skipped), 'row')} not costed (see the Costs sheet)."
    return ButtonResult("Cost estimates", summary, sheet=sheet, ok=not skipped)


def _forms(kind: str, workbook: str | Path, *, out_dir: str | Path | None, force: bool,
           pay_ranges: str | Path | None, frameworks: Sequence[str | Path] | None,
           as_of: dt.date | None, next_to: str | Path | None = None) -> ButtonResult:
    """:func:`addin.app.forms.forms_from_estimates`, as ``medpay forms KIND``, into
    ``out_dir``; by default a new folder next to the workbook (or ``next_to``, the user's
    own file when ``workbook`` is a temporary copy of it): ``<book> - KIND forms``, or
    ``<book> - KIND forms (2)`` and so on when that exists - never an earlier run's folder."""
    first = output_folder(next_to or workbook, f"{kind} forms")
    folder = Path(out_dir) if out_dir else fresh_output_folder(next_to or workbook, f"{kind} forms")
    made = forms_from_estimates(kind, workbook, framework_paths=_frameworks(frameworks),
                                pay_ranges=_pay_path(pay_ranges), as_of=as_of,
                                out_dir=folder, force=force)
    files = made_files(made, folder)
    skipped = len(made) - len(files)
    title = f"Generate {kind} forms"
    summary = f"{title}: wrote {_plural(len(files), 'document')} to {folder}"
    summary += f"; {_plural(skipped, 'employee')} skipped (see {index_name(kind)})." if skipped else "."
    if not out_dir and folder != first:
        summary += (f" {first.name} already exists (an earlier run), so these went to a new "
                    f"folder, {folder.name}; nothing was overwritten.")
    return ButtonResult(title, summary, folder=folder, files=files)


def generate_application_forms(workbook: str | Path, *, out_dir: str | Path | None = None,
                               force: bool = False, pay_ranges: str | Path | None = None,
                               frameworks: Sequence[str | Path] | None = None,
                               as_of: dt.date | None = None,
                               next_to: str | Path | None = None) -> ButtonResult:
    """Generate application forms: one Appendix F Application for Career Progression per
    employee eligible and estimated above their current level, into a new folder next to
    the workbook (see :func:`_forms`)."""
    return _forms("application", workbook, out_dir=out_dir, force=force, pay_ranges=pay_ranges,
                  frameworks=frameworks, as_of=as_of, next_to=next_to)


def generate_appraisal_forms(workbook: str | Path, *, out_dir: str | Path | None = None,
                             force: bool = False, pay_ranges: str | Path | None = None,
                             frameworks: Sequence[str | Path] | None = None,
                             as_of: dt.date | None = None,
                             next_to: str | Path | None = None) -> ButtonResult:
    """Generate appraisal forms: one Appendix B appraisal form per employee of the
    estimates workbook, into a new folder next to it (see :func:`_forms`)."""
    return _forms("appraisal", workbook, out_dir=out_dir, force=force, pay_ranges=pay_ranges,
                  frameworks=frameworks, as_of=as_of, next_to=next_to)


def generate_pdp_forms(workbook: str | Path, *, out_dir: str | Path | None = None,
                       force: bool = False, pay_ranges: str | Path | None = None,
                       frameworks: Sequence[str | Path] | None = None,
                       as_of: dt.date | None = None,
                       next_to: str | Path | None = None) -> ButtonResult:
    """Generate PDP forms: one Personal Development Plan per employee of the estimates
    workbook, into a new folder next to it (see :func:`_forms`)."""
    return _forms("pdp", workbook, out_dir=out_dir, force=force, pay_ranges=pay_ranges,
                  frameworks=frameworks, as_of=as_of, next_to=next_to)


def generate_initial_assessment_forms(workbook: str | Path, *, out_dir: str | Path | None = None,
                                      force: bool = False, pay_ranges: str | Path | None = None,
                                      frameworks: Sequence[str | Path] | None = None,
                                      as_of: dt.date | None = None,
                                      next_to: str | Path | None = None) -> ButtonResult:
    """Generate Initial Assessment forms: one protected Initial Assessment form per valid
    row of the estimates workbook (``forms initial-assessment``), into a new folder next
    to it (see :func:`_forms`)."""
    return _forms("initial-assessment", workbook, out_dir=out_dir, force=force,
                  pay_ranges=pay_ranges, frameworks=frameworks, as_of=as_of, next_to=next_to)


def generate_letters(workbook: str | Path, *, out_dir: str | Path | None = None,
                     force: bool = False, pay_ranges: str | Path | None = None,
                     frameworks: Sequence[str | Path] | None = None,
                     as_of: dt.date | None = None,
                     next_to: str | Path | None = None) -> ButtonResult:
    """Generate letters: one approved/declined outcome letter per row of the open
    DECISIONS workbook (README, section forms), as ``medpay letters --decisions``, into a
    new folder ``<book> - letters`` next to it."""
    folder = Path(out_dir) if out_dir else fresh_output_folder(next_to or workbook, "letters")
    done = letters_from_decisions(workbook, out_dir=folder, framework_paths=_frameworks(frameworks),
                                  pay_ranges=_pay_path(pay_ranges), as_of=as_of, force=force)
    summary = f"Generate letters: wrote {_plural(len(done.letters), 'letter')} to {folder}."
    if done.warnings:
        summary += "\nCheck these decisions' dates:\n" + "\n".join(done.warnings)
    return ButtonResult("Generate letters", summary, folder=folder, files=list(done.letters))


def new_estimates_template(workbook: str | Path | None = None, *,
                           pay_ranges: str | Path | None = None,
                           frameworks: Sequence[str | Path] | None = None,
                           next_to: str | Path | None = None, rows: int = 200) -> ButtonResult:
    """New estimates workbook: the level-estimate spreadsheet managers fill in (``medpay
    template estimates``: drop-downs from the frameworks, pay points from the pay ranges),
    as a new file next to the open workbook, opened when written."""
    where = next_to or workbook or Path.home() / "MedPay.xlsx"
    out = fresh_output_file(where, "level estimates")
    write_estimates_template(out, read_frameworks(_frameworks(frameworks)),
                             read_pay_settings(_pay_path(pay_ranges)), rows=rows)
    return ButtonResult("New estimates workbook",
                        f"New estimates workbook: wrote {out} (opened).",
                        files=[out], folder=out.parent, open_file=out)


def new_framework_template(workbook: str | Path | None = None, *,
                           next_to: str | Path | None = None) -> ButtonResult:
    """New framework workbook: a blank Career Progression Framework to write in, in the
    Appendix H layout (``medpay template framework``), next to the open workbook, opened."""
    where = next_to or workbook or Path.home() / "MedPay.xlsx"
    out = fresh_output_file(where, "framework")
    write_framework_template(out)
    return ButtonResult("New framework workbook",
                        f"New framework workbook: wrote {out} (opened). Check it with Validate "
                        "framework when it is written.", files=[out], folder=out.parent,
                        open_file=out)


def settings(workbook: str | Path | None = None, **_: Any) -> ButtonResult:
    """Settings: what the add-in uses - the Python running it, the pay-ranges workbook and
    the frameworks folder - and the file that sets them (``%USERPROFILE%\\.medpay\\medpay.conf``,
    written by scripts/install-windows.ps1), opened for editing when it exists."""
    import sys

    conf = next((f for f in _conf_files() if f.is_file()), None)
    pay = pay_ranges_path()
    fws = frameworks_folder()
    lines = [
        f"Python: {sys.executable}",
        f"Pay ranges ({ENV_VAR}): {pay or f'{default_pay_ranges()} (shipped)'}",
        f"Frameworks folder ({FRAMEWORKS_VAR}): {fws or f'{frameworks_dir()} (shipped)'}",
    ]
    if conf:
        lines.append(f"Settings file: {conf} (opened; save it and press the button again).")
    else:
        lines.append(f"Settings file: none yet - create {_conf_files()[0]} with lines such as "
                     f'"{ENV_VAR}","C:\\HR\\pay-ranges.xlsx" (scripts/install-windows.ps1 writes it).')
    return ButtonResult("Settings", " ".join(lines), open_file=conf)


HELP_URL = "docs/excel-install.md"


def help_text(workbook: str | Path | None = None, **_: Any) -> ButtonResult:
    """Help: what every button does (:data:`DESCRIPTIONS`) and the worksheet functions."""
    parts = [f"{LABELS[b]}: {DESCRIPTIONS[b]}" for b in BUTTONS if b != "help_text"]
    parts.append("Worksheet functions (Formulas > Insert Function, category MedPay): "
                 + ", ".join(FUNCTIONS) + ". A bad argument shows #VALUE! or #N/A; "
                 "=MEDPAY_WHY(\"MEDPAY_SALARY\", A2, B2) says why.")
    parts.append(f"Installing and settings: {HELP_URL} in the MedPay folder.")
    return ButtonResult("Help", "\n".join(parts))


HARVEST_SHEET = "Harvested forms"


def harvest_forms(workbook: str | Path, *, forms_dir: str | Path | None = None,
                  next_to: str | Path | None = None) -> ButtonResult:
    """Harvest forms: read the filled-in forms in every folder next to the workbook (or
    ``next_to``, the user's own file when ``workbook`` is a temporary copy) that the
    Generate buttons could have made (:func:`forms_folders`: application and appraisal,
    every numbered copy), unless ``forms_dir`` names one folder, with
    :func:`addin.office.docx.harvest.harvest_folders` (``medpay harvest`` of each), and list them as a
    sheet: the forms table (:func:`addin.office.docx.harvest.form_table`), then a blank row and the
    problems (:func:`addin.office.docx.harvest.problem_table`). The message box names the folders read."""
    book = next_to or workbook
    if forms_dir:
        folders = [Path(forms_dir)]
    else:
        # none yet: harvest the first application folder, for its one-line error
        folders = forms_folders(book) or [output_folder(book, "application forms")]
    result = harvest_folders(folders)
    header, body = form_table(result)
    if len(folders) == 1:
        where = f"{folders[0]}"
    else:
        where = (f"{len(folders)} folders in {folders[0].parent}: "
                 + ", ".join(f.name for f in folders))
    summary = f"Harvest forms: read {_plural(len(result.forms), 'form')} from {where}."
    bold: set[int] = set()
    if result.findings:
        summary += f" {_plural(len(result.findings), 'problem')} found (listed below the forms)."
        problems_header, problems = problem_table(result)
        body.append([])
        bold.add(len(body))
        body.append(list(problems_header))
        body.extend(problems)
    dates = {c for c in range(len(header))
             if any(isinstance(r[c], dt.date) for r in body[:len(result.forms)] if c < len(r))}
    return ButtonResult("Harvest forms", summary,
                        sheet=SheetOutput(title=HARVEST_SHEET, header=header, rows=body,
                                          widths={0: 40}, date_columns=dates, bold_rows=bold),
                        folder=folders[0], ok=not any(f.is_error for f in result.findings))


BUTTONS: dict[str, Callable[..., ButtonResult]] = {
    "validate_framework": validate_framework,
    "validate_estimates": validate_estimates,
    "cost_estimates": cost_estimates,
    "generate_application_forms": generate_application_forms,
    "generate_appraisal_forms": generate_appraisal_forms,
    "generate_pdp_forms": generate_pdp_forms,
    "generate_initial_assessment_forms": generate_initial_assessment_forms,
    "generate_letters": generate_letters,
    "harvest_forms": harvest_forms,
    "new_estimates_template": new_estimates_template,
    "new_framework_template": new_framework_template,
    "settings": settings,
    "help_text": help_text,
}
"""Ribbon button id -> function. The ribbon XML, the VBA callbacks and the xlwings
wrappers are generated from this table (``scripts/build_addin``)."""

LABELS: dict[str, str] = {
    "validate_framework": "Validate framework",
    "validate_estimates": "Validate estimates",
    "cost_estimates": "Cost estimates",
    "generate_application_forms": "Generate application forms",
    "generate_appraisal_forms": "Generate appraisal forms",
    "generate_pdp_forms": "Generate PDP forms",
    "generate_initial_assessment_forms": "Generate Initial Assessment forms",
    "generate_letters": "Generate letters",
    "harvest_forms": "Harvest forms",
    "new_estimates_template": "New estimates workbook",
    "new_framework_template": "New framework workbook",
    "settings": "Settings",
    "help_text": "Help",
}

DESCRIPTIONS: dict[str, str] = {
    "validate_framework": "Check this framework workbook against the Appendix H layout and the "
                          "Appendix K writing rules; lists each problem with a link to its cell.",
    "validate_estimates": "Check this level-estimate workbook and work out who may apply to "
                          "progress; opens a copy with each problem cell coloured and commented "
                          "and Eligible / Reasons / Effective date columns.",
    "cost_estimates": "Cost every row's move to its estimated level with employer on-costs, "
                      "with totals overall and by directorate, on a Costs sheet.",
    "generate_application_forms": "Write an Application for Career Progression (Appendix F) for "
                                  "each eligible employee estimated above their level, into a new "
                                  "folder next to this workbook.",
    "generate_appraisal_forms": "Write an appraisal form (Appendix B) for each employee of this "
                                "workbook, into a new folder next to it.",
    "generate_pdp_forms": "Write a Personal Development Plan form for each employee of this "
                          "workbook, into a new folder next to it.",
    "generate_initial_assessment_forms": "Write a protected Initial Assessment form for each "
                                         "valid row of this workbook, into a new folder next to it.",
    "generate_letters": "This workbook is a decisions workbook: write an approved or declined "
                        "outcome letter for each row, into a new folder next to it.",
    "harvest_forms": "Read back the filled-in forms from the folders the Generate buttons made "
                     "and list them, with any problems, on a sheet.",
    "new_estimates_template": "Write a new level-estimate workbook for managers to fill in, with "
                              "drop-downs from the frameworks, and open it.",
    "new_framework_template": "Write a blank Career Progression Framework workbook in the "
                              "Appendix H layout, and open it.",
    "settings": "Show which Python, pay-ranges workbook and frameworks folder MedPay uses, and "
                "open the settings file to change them.",
    "help_text": "What each MedPay button and worksheet function does, and where the install "
                 "guide is.",
}
"""Button id -> what it does: the ribbon's screentip (supertip) and the Help text."""


# --------------------------------------------------------------------------- openpyxl output


def apply_to_workbook(wb, result: ButtonResult):
    """Put a button's sheet into an open openpyxl workbook (replacing one of the same
    name), exactly as the Excel wrapper does; return the sheet (None when the button
    wrote documents only). Texts go through :func:`addin.office.safeio.set_cell`."""
    out = result.sheet
    if out is None:
        return None
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.hyperlink import Hyperlink

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
