"""Checks on the filled Initial Assessment forms (and approved decisions) before any pay
change goes to payroll (policy Appendix K, stage 9). Registered rule functions over the
records of :mod:`addin.core.payroll`; they never open a file.

Each finding names the form file and the field (and, when the forms came as a harvest
workbook, the sheet and cell); an assessment with an error finding gets no payroll row
and no outcome, the others go on. The safer reading throughout: a form that cannot be
trusted to belong to the employee, or whose date or level cannot be read, changes
nobody's pay until a person has checked it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace

from addin.core.costing import not_costed_reason
from addin.core.findings import ERROR, Checker, Finding, declare
from addin.core.form_context import APPROVED, Decision
from addin.core.model import EstimateRow, Level, PaySettings, SourceRef
from addin.core.payroll import (
    DATE_FIELDS,
    EMPLOYEE_SIGNED_FIELD,
    ID_FIELD,
    LEVEL_FIELD,
    MANAGER_SIGNED_FIELD,
    MEETING_FIELD,
    SIGNATURE_DATE_FIELDS,
    Assessment,
    id_key,
    range_of,
)

POLICY = "Appendix K stage 9"
GROUP = "payroll"
_UK = "%d/%m/%Y"


def _d(d: dt.date) -> str:
    return d.strftime(_UK)


NO_LEVEL = declare(
    "PAY-NO-LEVEL", "No assessed level",
    "An Initial Assessment form has no assessed level, so the outcome is not known and "
    "no pay change can be made.",
    "{form}: no assessed level (field {field}); no pay change until the manager records "
    "the outcome of the meeting", ERROR, group=GROUP, policy=POLICY)
LEVEL_INVALID = declare(
    "PAY-LEVEL-INVALID", "Assessed level not A, B or C",
    "The assessed level on an Initial Assessment form is not A, B or C (there is no level "
    "above C, policy 7.14).",
    "{form}: assessed level {value!r} (field {field}) is not A, B or C; no pay change",
    ERROR, group=GROUP, policy="7.14")
UNKNOWN_RANGE = declare(
    "PAY-UNKNOWN-RANGE", "Range not in the pay ranges",
    "The range an employee is assessed in is not in the pay-ranges workbook, so there is "
    "no pay point to pay.",
    "{form}: range {range} (field {field}) is not in the pay-ranges workbook (it has "
    "ranges {ranges}); no pay change", ERROR, group=GROUP, policy="7.14")
IDENTITY_ALTERED = declare(
    "PAY-IDENTITY-ALTERED", "Locked identity field altered",
    "A locked identity field of an Initial Assessment form (employee ID, range...) was "
    "changed after the form was generated, so the outcome may be paid to the wrong person.",
    "{form}: the locked {field} was altered after the form was generated ({detail}); no "
    "pay change until the form is checked with the employee", ERROR, group=GROUP, policy=POLICY)
NOT_IN_ESTIMATES = declare(
    "PAY-NOT-IN-ESTIMATES", "Employee not in the estimates",
    "The employee on a form (or an approved decision) is not in the level-estimate "
    "workbooks, so there is no current salary, FTE or team to pay from.",
    "{form}: employee {employee_id!r} (field {field}) is not in the level estimates; no "
    "pay change", ERROR, group=GROUP, policy=POLICY)
DUPLICATE_FORM = declare(
    "PAY-DUPLICATE-FORM", "Two forms for one employee",
    "An employee has more than one Initial Assessment form; neither is paid until one is "
    "withdrawn.",
    "{form}: employee {employee_id} (field {field}) also has the form(s) {others}; keep one "
    "form per employee - no pay change until then", ERROR, group=GROUP, policy=POLICY)
DATE_INVALID = declare(
    "PAY-DATE-INVALID", "Date not readable",
    "A date on an Initial Assessment form (meeting, signatures) cannot be read as a date.",
    "{form}: {value!r} (field {field}) is not a date; no pay change", ERROR, group=GROUP,
    policy=POLICY)
NOT_SIGNED = declare(
    "PAY-NOT-SIGNED", "Manager's signature not dated",
    "An Initial Assessment form has no manager's signature date: the outcome is not signed "
    "off and the payroll date (which counts from it) cannot be set.",
    "{form}: no manager's signature date (field {field}); no pay change until the manager "
    "signs and dates the form", ERROR, group=GROUP, policy=POLICY)
SIGNED_IN_FUTURE = declare(
    "PAY-SIGNED-IN-FUTURE", "Signature dated in the future",
    "A signature date on an Initial Assessment form is after the date of the run.",
    "{form}: the {what} ({field}) is dated {date}, after the run date {as_of}; no pay change",
    ERROR, group=GROUP, policy=POLICY)
SIGNED_BEFORE_MEETING = declare(
    "PAY-SIGNED-BEFORE-MEETING", "Signed before the meeting",
    "A signature date on an Initial Assessment form is before the assessment meeting it "
    "records.",
    "{form}: the {what} ({field}) is dated {date}, before the meeting on {meeting}; no pay "
    "change", ERROR, group=GROUP, policy=POLICY)
ESTIMATE_INCOMPLETE = declare(
    "PAY-ESTIMATE-INCOMPLETE", "Estimate row cannot be paid from",
    "The level-estimate row of an assessed employee lacks what a pay change needs (current "
    "salary, FTE more than 0 and at most 1).",
    "{form}: employee {employee_id}'s level-estimate row cannot be paid from ({reason}); "
    "no pay change", ERROR, group=GROUP, policy=POLICY)
ESTIMATE_AMBIGUOUS = declare(
    "PAY-ESTIMATE-AMBIGUOUS", "Employee on several estimate rows",
    "The employee on a form is on more than one level-estimate row, so it is not known "
    "which salary, FTE and team to pay from.",
    "{form}: employee {employee_id} (field {field}) is on {count} level-estimate rows "
    "({rows}); no pay change until one row is left", ERROR, group=GROUP, policy=POLICY)
FORM_PROBLEM = declare(
    "PAY-FORM-PROBLEM", "Form failed the harvest's checks",
    "The harvest found an error on an Initial Assessment form (answer fields lost or "
    "deleted, text edited outside the answer fields), so its answers cannot be trusted.",
    "{form}: {problems}; no pay change until the form is checked", ERROR, group=GROUP,
    policy=POLICY)

_WHAT = {MANAGER_SIGNED_FIELD: "manager's signature", EMPLOYEE_SIGNED_FIELD: "employee's signature"}


@dataclass
class PayrollContext:
    """What every check needs besides the form: the estimates by employee ID, the forms
    by employee ID, the pay ranges and the run date."""

    estimates: Mapping[str, EstimateRow]
    """:func:`addin.core.payroll.id_key` -> the one level-estimate row of that employee."""
    pay: PaySettings
    as_of: dt.date
    forms_by_id: Mapping[str, Sequence[str]] = field(default_factory=dict)
    """:func:`addin.core.payroll.id_key` -> every form naming that employee."""
    duplicated: Mapping[str, Sequence[str]] = field(default_factory=dict)
    """:func:`addin.core.payroll.id_key` -> the estimate rows (file!sheet!cell) of an
    employee on more than one row (left out of ``estimates``)."""

    def estimate(self, a: Assessment) -> EstimateRow | None:
        return self.estimates.get(id_key(a.employee_id))


def forms_by_id(assessments: Sequence[Assessment]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for a in assessments:
        if a.employee_id:
            out.setdefault(id_key(a.employee_id), []).append(a.form)
    return out


ASSESSMENT_CHECKS: Checker[Assessment, PayrollContext] = Checker("assessments")


@ASSESSMENT_CHECKS.rule(NO_LEVEL, LEVEL_INVALID)
def assessed_level(a: Assessment, ctx: PayrollContext) -> Iterator[Finding]:
    try:
        found = a.level()
    except ValueError:
        yield LEVEL_INVALID.at(a.source(LEVEL_FIELD), form=a.form, field=LEVEL_FIELD,
                               value=a.text(LEVEL_FIELD))
        return
    if found is None:
        yield NO_LEVEL.at(a.source(LEVEL_FIELD), form=a.form, field=LEVEL_FIELD)


@ASSESSMENT_CHECKS.rule(IDENTITY_ALTERED)
def identity_unchanged(a: Assessment, ctx: PayrollContext) -> Iterator[Finding]:
    for tag, detail in a.identity_changes:
        yield IDENTITY_ALTERED.at(a.source(tag), form=a.form, field=tag, detail=detail)


@ASSESSMENT_CHECKS.rule(FORM_PROBLEM)
def form_sound(a: Assessment, ctx: PayrollContext) -> Iterator[Finding]:
    if a.form_errors:
        yield FORM_PROBLEM.at(a.source("File"), form=a.form, problems="; ".join(a.form_errors))


@ASSESSMENT_CHECKS.rule(NOT_IN_ESTIMATES, ESTIMATE_AMBIGUOUS, DUPLICATE_FORM, ESTIMATE_INCOMPLETE)
def known_employee(a: Assessment, ctx: PayrollContext) -> Iterator[Finding]:
    if a.identity_changes:
        return  # the ID cannot be trusted: IDENTITY_ALTERED says so already
    estimate = ctx.estimate(a)
    rows = ctx.duplicated.get(id_key(a.employee_id))
    if estimate is None and rows:
        yield ESTIMATE_AMBIGUOUS.at(a.source(ID_FIELD), form=a.form, field=ID_FIELD,
                                    employee_id=a.employee_id, count=len(rows),
                                    rows=", ".join(rows))
        return
    if estimate is None:
        yield NOT_IN_ESTIMATES.at(a.source(ID_FIELD), form=a.form, field=ID_FIELD,
                                  employee_id=a.employee_id)
        return
    others = [f for f in ctx.forms_by_id.get(id_key(a.employee_id), ()) if f != a.form]
    if others:
        yield DUPLICATE_FORM.at(a.source(ID_FIELD), form=a.form, field=ID_FIELD,
                                employee_id=a.employee_id, others=", ".join(others))
    try:
        found, rng = a.level(), range_of(a, estimate)
    except ValueError:
        return  # LEVEL_INVALID / UNKNOWN_RANGE say so
    if found is None or (rng is not None and rng not in ctx.pay.ranges):
        return
    reason = payable_reason(estimate, rng, found[1], ctx.pay)
    if reason:
        yield ESTIMATE_INCOMPLETE.at(estimate.source("current_salary"), form=a.form,
                                     employee_id=a.employee_id, reason=reason)


def payable_reason(estimate: EstimateRow, range_: int | None, level: Level,
                   pay: PaySettings) -> str | None:
    """Why the employee of ``estimate`` cannot be placed at ``level`` of ``range_``: the
    costing's own preconditions (:func:`addin.core.costing.not_costed_reason`) with the
    range and level the assessment or decision gives."""
    return not_costed_reason(replace(estimate, range=range_, estimated_level=level), pay)


@ASSESSMENT_CHECKS.rule(UNKNOWN_RANGE)
def range_known(a: Assessment, ctx: PayrollContext) -> Iterator[Finding]:
    """The range is the form's own when it states one, else the level-estimate row's;
    either way the pay-ranges workbook must hold it."""
    tag = a.range_tag()
    if tag is not None:
        try:
            rng = a.form_range()
        except ValueError:
            yield UNKNOWN_RANGE.at(a.source(tag), form=a.form, field=tag, range=repr(a.text(tag)),
                                   ranges=_ranges(ctx))
            return
        if rng not in ctx.pay.ranges:
            yield UNKNOWN_RANGE.at(a.source(tag), form=a.form, field=tag, range=rng,
                                   ranges=_ranges(ctx))
        return
    estimate = ctx.estimate(a)
    if estimate is not None and estimate.range is not None and estimate.range not in ctx.pay.ranges:
        yield UNKNOWN_RANGE.at(estimate.source("range"), form=a.form,
                               field="Range of the level estimates", range=estimate.range,
                               ranges=_ranges(ctx))


def _ranges(ctx: PayrollContext) -> str:
    return ", ".join(str(r) for r in sorted(ctx.pay.ranges))


@ASSESSMENT_CHECKS.rule(DATE_INVALID, NOT_SIGNED, SIGNED_IN_FUTURE, SIGNED_BEFORE_MEETING)
def dates_in_order(a: Assessment, ctx: PayrollContext) -> Iterator[Finding]:
    dates: dict[str, dt.date | None] = {}
    for tag in DATE_FIELDS:
        try:
            dates[tag] = a.date(tag)
        except ValueError:
            yield DATE_INVALID.at(a.source(tag), form=a.form, field=tag, value=a.text(tag))
    if MANAGER_SIGNED_FIELD in dates and dates[MANAGER_SIGNED_FIELD] is None:
        yield NOT_SIGNED.at(a.source(MANAGER_SIGNED_FIELD), form=a.form, field=MANAGER_SIGNED_FIELD)
    meeting = dates.get(MEETING_FIELD)
    for tag in SIGNATURE_DATE_FIELDS:
        signed = dates.get(tag)
        if signed is None:
            continue
        if signed > ctx.as_of:
            yield SIGNED_IN_FUTURE.at(a.source(tag), form=a.form, field=tag, what=_WHAT[tag],
                                      date=_d(signed), as_of=_d(ctx.as_of))
        if meeting is not None and signed < meeting:
            yield SIGNED_BEFORE_MEETING.at(a.source(tag), form=a.form, field=tag, what=_WHAT[tag],
                                           date=_d(signed), meeting=_d(meeting))


def check_assessments(assessments: Sequence[Assessment], estimates: Mapping[str, EstimateRow],
                      pay: PaySettings, as_of: dt.date,
                      duplicated: Mapping[str, Sequence[str]] | None = None) -> list[list[Finding]]:
    """The findings of every assessment, one list per assessment in the order given
    (``duplicated``: :func:`estimates_index`'s employees on several rows)."""
    ctx = PayrollContext(estimates, pay, as_of, forms_by_id(assessments), duplicated or {})
    return [ASSESSMENT_CHECKS.run(a, ctx) for a in assessments]


# ----------------------------------------------------------------------------- decisions


@dataclass(frozen=True)
class DecisionInput:
    """An approved decision with where it came from (the decisions workbook and row)."""

    decision: Decision
    source: SourceRef

    @property
    def label(self) -> str:
        return f"{self.source.file} row {self.decision.row}"


DECISION_CHECKS: Checker[DecisionInput, PayrollContext] = Checker("decisions")


@DECISION_CHECKS.rule(NOT_IN_ESTIMATES, ESTIMATE_INCOMPLETE, UNKNOWN_RANGE)
def decision_payable(d: DecisionInput, ctx: PayrollContext) -> Iterator[Finding]:
    if d.decision.decision != APPROVED:
        return
    estimate = ctx.estimates.get(id_key(d.decision.employee_id))
    if estimate is None:
        yield NOT_IN_ESTIMATES.at(d.source, form=d.label, field="Employee ID",
                                  employee_id=d.decision.employee_id)
        return
    if d.decision.range not in ctx.pay.ranges:
        yield UNKNOWN_RANGE.at(d.source, form=d.label, field="Range", range=d.decision.range,
                               ranges=_ranges(ctx))
    elif reason := payable_reason(estimate, d.decision.range, d.decision.new_level, ctx.pay):
        yield ESTIMATE_INCOMPLETE.at(estimate.source("current_salary"), form=d.label,
                                     employee_id=d.decision.employee_id, reason=reason)


def check_decisions(decisions: Sequence[DecisionInput], estimates: Mapping[str, EstimateRow],
                    pay: PaySettings, as_of: dt.date) -> list[list[Finding]]:
    ctx = PayrollContext(estimates, pay, as_of)
    return [DECISION_CHECKS.run(d, ctx) for d in decisions]


# ----------------------------------------------------------------------------- estimates

ESTIMATE_DUPLICATE = declare(
    "PAY-ESTIMATE-DUPLICATE", "Employee twice in the estimates",
    "An employee ID is on more than one level-estimate row, so it is not known which "
    "salary, FTE and team to pay from; the employee gets no pay change.",
    "employee {employee_id} is also on {others}; an employee belongs on one row only - no "
    "pay change", ERROR, group=GROUP, policy=POLICY)


def estimates_index(rows: Sequence[EstimateRow]) -> tuple[dict[str, EstimateRow], list[Finding]]:
    """The level-estimate rows by :func:`addin.core.payroll.id_key`; rows without an
    employee ID are left out, and an ID on two rows is left out with a finding at each
    (:func:`duplicated_rows` lists them)."""
    by_id: dict[str, list[EstimateRow]] = {}
    for row in rows:
        if row.employee_id:
            by_id.setdefault(id_key(row.employee_id), []).append(row)
    index, findings = {}, []
    for key, found in by_id.items():
        if len(found) == 1:
            index[key] = found[0]
            continue
        for row in found:
            others = ", ".join(str(o.source("employee_id")) for o in found if o is not row)
            findings.append(ESTIMATE_DUPLICATE.at(row.source("employee_id"),
                                                  employee_id=row.employee_id, others=others))
    return index, findings


def duplicated_rows(rows: Sequence[EstimateRow]) -> dict[str, list[str]]:
    """:func:`addin.core.payroll.id_key` -> where each row is, for every employee ID on
    more than one level-estimate row."""
    by_id: dict[str, list[str]] = {}
    for row in rows:
        if row.employee_id:
            by_id.setdefault(id_key(row.employee_id), []).append(str(row.source("employee_id")))
    return {k: v for k, v in by_id.items() if len(v) > 1}
