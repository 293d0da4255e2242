"""Stage 9 use case: the level estimates, the filled Initial Assessment forms and any
approved progressions in; the pay changes for payroll and the outcomes for CMT out
(policy Appendix K, stage 9: "... so that The MedPay Review Team can inform payroll of
any changes to pay at the most suitable payroll date. No payments are backdated.").

Load (with the defaults in one place: the shipped pay ranges and frameworks, today),
check (:mod:`addin.rules.assessments_checks`), compute (:mod:`addin.core.payroll`), write
(:mod:`addin.office.xlsx.payroll_report`, :mod:`addin.office.csvfile`). ``medpay
payroll`` is a thin command over :func:`run_payroll` and :func:`write_payroll`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from addin.core.errors import InputError
from addin.core.findings import Finding
from addin.core.form_context import APPROVED, Decision
from addin.core.model import EstimateRow, Level, PaySettings, SourceRef
from addin.core.paycalendar import approval_effective_date, payroll_effective_date
from addin.core.payroll import (
    CSV_COLUMNS,
    FORM_TYPE,
    INITIAL_ASSESSMENT,
    MANAGER_SIGNED_FIELD,
    PROGRESSION_APPROVED,
    PayChange,
    PayrollRun,
    id_key,
    outcome,
    place,
    range_of,
    sort_changes,
)
from addin.office.csvfile import write_csv
from addin.office.docx.harvest import Harvest
from addin.office.docx.harvested import assessments as assessments_of
from addin.office.docx.harvested import read_assessment_source
from addin.office.resources import default_frameworks
from addin.office.safeio import check_writable
from addin.office.xlsx.decisions import read_decisions
from addin.office.xlsx.estimates import NO_TABLE, read_estimates
from addin.office.xlsx.frameworks import read_frameworks
from addin.office.xlsx.payroll_report import write_outcomes_workbook, write_payroll_workbook
from addin.office.xlsx.settings import read_pay_settings
from addin.rules.assessments_checks import (
    DecisionInput,
    check_assessments,
    check_decisions,
    duplicated_rows,
    estimates_index,
)

PAYROLL_XLSX = "payroll-changes.xlsx"
PAYROLL_CSV = "payroll-changes.csv"
OUTCOMES_XLSX = "outcomes-vs-estimates.xlsx"
OUTPUTS = (PAYROLL_XLSX, PAYROLL_CSV, OUTCOMES_XLSX)
ESTIMATE_SUFFIXES = (".xlsx", ".xlsm")


def estimate_files(path: str | Path) -> list[Path]:
    """A level-estimate workbook, or every workbook in a folder (and its subfolders, in
    name order; hidden files and Excel's ``~$`` lock files left out)."""
    p = Path(path)
    if p.is_file():
        return [p]
    if not p.is_dir():
        raise InputError("is neither a level-estimate workbook nor a folder of them", file=p)
    found = sorted((f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in ESTIMATE_SUFFIXES
                    and not f.name.startswith(("~$", "."))
                    and not any(part.startswith(".") for part in f.relative_to(p).parts)),
                   key=lambda f: f.relative_to(p).as_posix().lower())
    if not found:
        raise InputError("holds no level-estimate workbooks (.xlsx)", file=p)
    return found


def load_estimates(path: str | Path, frameworks: Sequence) -> tuple[list[EstimateRow], list[Finding]]:
    """Every row of every level-estimate workbook, and the workbooks with no estimates
    table (EST-NO-TABLE)."""
    rows: list[EstimateRow] = []
    findings: list[Finding] = []
    for f in estimate_files(path):
        read = read_estimates(f, frameworks=frameworks)
        findings.extend(x for x in read.findings if x.code == NO_TABLE.code)
        rows.extend(read.rows)
    return rows, findings


@dataclass(frozen=True)
class _Pending:
    """A change waiting to be placed, in each employee's date order."""

    effective: dt.date
    order: int
    estimate: EstimateRow
    level: Level
    range: int
    reason: str
    source: str
    form: str | None = None


def run_payroll(estimates: str | Path, assessments: str | Path, *,
                decisions: str | Path | None = None, pay_ranges: str | Path | None = None,
                framework_paths: Sequence[str | Path] | None = None,
                as_of: dt.date | None = None) -> PayrollRun:
    """Read, check and compute a payroll run (nothing is written): the inputs' defaults
    (today, the shipped pay ranges and frameworks) in one place, then :func:`compute_payroll`."""
    as_of = as_of or dt.date.today()
    pay = read_pay_settings(pay_ranges)
    frameworks = read_frameworks(framework_paths if framework_paths else default_frameworks())
    rows, findings = load_estimates(estimates, frameworks)
    harvest, cells = read_assessment_source(assessments)
    read = read_decisions(decisions) if decisions is not None else []
    run = compute_payroll(rows, harvest, pay=pay, as_of=as_of, cells=cells, decisions=read,
                          decisions_file=Path(decisions).name if decisions else "",
                          sources={"estimates": Path(estimates).name,
                                   "assessments": Path(assessments).name,
                                   "decisions": Path(decisions).name if decisions else "",
                                   "pay_ranges": Path(pay.source_file or "").name})
    run.findings[:0] = findings
    return run


def has_assessments(harvest: Harvest) -> bool:
    """Whether a harvest holds any Initial Assessment form (the batch's cue to run payroll)."""
    return any(f.get("Form type") == FORM_TYPE for f in harvest.forms)


def compute_payroll(rows: Sequence[EstimateRow], harvest: Harvest, *, pay: PaySettings,
                    as_of: dt.date, cells: dict[str, dict[str, SourceRef]] | None = None,
                    decisions: Sequence[Decision] = (), decisions_file: str = "",
                    sources: dict[str, str] | None = None) -> PayrollRun:
    """The payroll run over level-estimate rows already read and a harvest of forms
    (``medpay payroll`` and the batch both come here).

    Each Initial Assessment form that passes the checks places its employee at the
    assessed level from the payroll date (:func:`addin.core.paycalendar.payroll_effective_date`
    of the manager's signature and the run date); each approved decision from its pay
    change date (:func:`addin.core.paycalendar.approval_effective_date`, never before the
    run). An employee with both gets both rows, in date order, the later one starting from
    the earlier one's new level and salary.
    """
    index, findings = estimates_index(rows)
    forms = assessments_of(harvest, cells)
    harvested = {x["File"] for x in harvest.forms}
    # the harvest's own verdicts on files that are not forms at all (unreadable, a PDF);
    # those on forms of other kinds are not this run's
    findings.extend(f for f in harvest.findings if f.file not in harvested)
    pending: list[_Pending] = []
    for a, found in zip(forms, check_assessments(forms, index, pay, as_of, duplicated_rows(rows))):
        findings.extend(found)
        if any(f.is_error for f in found):
            continue
        est = index[id_key(a.employee_id)]
        found_level, rng = a.level(), range_of(a, est)
        assert found_level is not None and rng is not None  # the checks proved them readable
        level = found_level[1]
        eff = payroll_effective_date(a.date(MANAGER_SIGNED_FIELD), as_of, pay)
        pending.append(_Pending(eff, 0, est, level, rng, INITIAL_ASSESSMENT, a.form, a.form))

    inputs = [DecisionInput(d, SourceRef(decisions_file, None, f"A{d.row}")) for d in decisions]
    for d, found in zip(inputs, check_decisions(inputs, index, pay, as_of)):
        findings.extend(found)
        if d.decision.decision != APPROVED or any(f.is_error for f in found):
            continue
        dec = d.decision
        # 7.16/7.20: January or July, the form uploaded by the deadline once decided;
        # the run date as the letter date: nothing is effective before the run
        eff = approval_effective_date(dec.submitted or dec.decision_date, dec.decision_date,
                                      pay, letter_date=as_of)
        pending.append(_Pending(eff, 1, index[id_key(dec.employee_id)], dec.new_level,
                                dec.range, PROGRESSION_APPROVED, d.label))

    changes: list[PayChange] = []
    outcomes = []
    state: dict[str, PayChange] = {}
    for p in sorted(pending, key=lambda p: (id_key(p.estimate.employee_id), p.effective, p.order)):
        key = id_key(p.estimate.employee_id)
        before = state.get(key)
        change, _ = place(p.estimate, level=p.level, range_=p.range, effective=p.effective,
                          reason=p.reason, pay=pay, as_of=as_of,
                          current_salary=before.new_salary if before else None,
                          current_level=before.new_level if before else None, source=p.source)
        state[key] = change
        changes.append(change)
        if p.form is not None:
            outcomes.append(outcome(p.estimate, p.level, p.range, p.effective, pay, as_of, p.form))
    placed = {id_key(o.estimate.employee_id) for o in outcomes}
    missing = [r for k, r in index.items() if k not in placed]
    outcomes.sort(key=lambda o: (o.estimate.directorate or "", o.estimate.team or "",
                                 id_key(o.estimate.employee_id)))
    return PayrollRun(as_of=as_of, changes=sort_changes(changes), outcomes=outcomes,
                      missing=sorted(missing, key=lambda r: id_key(r.employee_id)),
                      findings=findings, sources=dict(sources or {}))


def check_outputs(out_dir: str | Path, *, force: bool) -> None:
    """Refuse before any work when an output exists and ``force`` is not given."""
    for name in OUTPUTS:
        check_writable(Path(out_dir) / name, force=force)


def write_payroll(run: PayrollRun, out_dir: str | Path, *, force: bool = False) -> list[Path]:
    """Write the three outputs into ``out_dir``: the payroll workbook and CSV, and the
    outcomes workbook for CMT. Same run, same bytes."""
    out = Path(out_dir)
    check_outputs(out, force=force)
    out.mkdir(parents=True, exist_ok=True)
    return [
        write_payroll_workbook(out / PAYROLL_XLSX, run, force=force),
        write_csv(out / PAYROLL_CSV, CSV_COLUMNS, [c.csv_values() for c in run.changes], force=force),
        write_outcomes_workbook(out / OUTCOMES_XLSX, run, force=force),
    ]
