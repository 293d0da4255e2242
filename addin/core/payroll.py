"""Stage 9: the pay changes the MedPay Review Team sends to payroll, and how the managers'
assessments compare with their estimates. Pure records and rules: no file is read here
(the use case is :mod:`addin.app.payroll`, the checks :mod:`addin.rules.assessments_checks`).

Policy (MedPay PPP policy, shared/seeds/001, Appendix K, "Stage 9: Implementation and Pay
Forms"):

* "If there is full evidence of meeting the criteria and the initial assessment was
  incorrect, the MedPay Review Team must be advised as CMT will be provided with a cost
  monitoring report. The same will apply if someone does not achieve the initial
  assessment and they are assessed at a lower grade." -> :class:`Outcome`: estimated and
  assessed level, up / down / same, and the cost difference against the estimate.
* "Managers are asked to finalise their spreadsheet so that The MedPay Review Team can
  inform payroll of any changes to pay at the most suitable payroll date. No payments are
  backdated." -> :class:`PayChange`, dated by
  :func:`addin.core.paycalendar.payroll_effective_date` (initial assessments) and
  :func:`addin.core.paycalendar.approval_effective_date` with the run date as the letter
  date (approved progressions, 7.16/7.20: January or July, never before the run).
* "Salary Honouring: If members of the team are assessed at a lower level than they are
  currently paid, their salary will be honoured." -> every valid assessment is placed;
  one whose pay point is below the current salary gets a row with the new salary equal
  to the current one and ``honoured`` set, so payroll records the protection (the
  honouring rule itself is :func:`addin.core.costing.cost_change`'s).

Money: every figure comes from :func:`addin.core.costing.cost_change` (rounded half-up to
the penny there); differences and totals add those rounded figures, so a total equals the
sum of the rows shown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from addin.core import parsing
from addin.core.costing import ZERO, CostRow, cost_change, group_key, money
from addin.core.model import EstimateRow, Level, PaySettings, SourceRef
from addin.core.money import money_text
from addin.core.text import clean_text
from addin.core.ukdates import uk_date

FORM_TYPE = "initial-assessment"
"""``medpay_form_type`` of the Initial Assessment form (``medpay forms initial-assessment``)."""
INITIAL_ASSESSMENT = "Initial assessment"
PROGRESSION_APPROVED = "Progression approved"

UP, DOWN, SAME, NOT_ESTIMATED = "up", "down", "same", "not estimated"

# the Initial Assessment form's answer fields (content-control tags) this stage reads
LEVEL_FIELD = "assessed_level"
MEETING_FIELD = "meeting_date"
MANAGER_SIGNED_FIELD = "manager_signature_date"
EMPLOYEE_SIGNED_FIELD = "employee_signature_date"
ID_FIELD = "employee_id"
RANGE_FIELDS = ("range", "current_range", "current_range_level")
"""A locked range field the form may carry ("3", "R3", or "3A" as the application's
``current_range_level``); the first one present gives the range, else the estimates row."""
SIGNATURE_DATE_FIELDS = (MANAGER_SIGNED_FIELD, EMPLOYEE_SIGNED_FIELD)
DATE_FIELDS = (MEETING_FIELD, *SIGNATURE_DATE_FIELDS)

CSV_COLUMNS = ("employee_id", "employee_name", "directorate", "team", "job_title", "range",
               "current_level", "new_level", "current_salary", "new_salary", "fte",
               "effective_date", "reason", "honoured")
"""The payroll CSV's header (snake_case) and the order of :meth:`PayChange.csv_values`."""


def id_key(employee_id: object) -> str:
    """An employee ID as matched between files: trimmed, case-folded."""
    return clean_text(employee_id).casefold()


# ----------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class Assessment:
    """One filled Initial Assessment form, as the harvest read it (one row per form, one
    value per content-control tag)."""

    form: str
    """The form's file name as harvested (relative to the forms folder)."""
    values: Mapping[str, Any]
    """Tag -> value: text, or a date for a filled date control (``""`` when blank)."""
    identity_changes: tuple[tuple[str, str], ...] = ()
    """(field, what the harvest said) for each locked identity field changed after the
    form was generated (the harvest's FORM-PREFILL-CHANGED)."""
    form_errors: tuple[str, ...] = ()
    """The harvest's other errors on the form ("CODE: message"): answers lost, text edited
    outside the answer fields..."""
    cells: Mapping[str, SourceRef] = field(default_factory=dict)
    """Tag -> where the value was read when it came from a harvest workbook (sheet and
    cell); a tag not here is shown as the form file itself."""

    def source(self, tag: str) -> SourceRef:
        return self.cells.get(tag) or SourceRef(self.form)

    def text(self, tag: str) -> str:
        value = self.values.get(tag)
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return uk_date(value)
        return clean_text(value)

    @property
    def employee_id(self) -> str:
        return self.text(ID_FIELD)

    def date(self, tag: str) -> dt.date | None:
        """The date in ``tag``; None when blank. Raises ValueError when it is not a date."""
        value = self.values.get(tag)
        if value is None or clean_text(value) == "":
            return None
        return parsing.parse_date(value)

    def level(self) -> tuple[int | None, Level] | None:
        """(range written with it, level) of the assessed level; None when blank. Raises
        ValueError when it is not A, B or C (optionally with its range, "3B")."""
        if self.text(LEVEL_FIELD) == "":
            return None
        return parsing.parse_level(self.values.get(LEVEL_FIELD))

    def range_field(self) -> str | None:
        """The locked range field the form carries, if any (:data:`RANGE_FIELDS`)."""
        return next((t for t in RANGE_FIELDS if self.text(t)), None)

    def range_tag(self) -> str | None:
        """The field the form states its range in: the assessed level when written with
        its range ("3B"), else a locked range field (:data:`RANGE_FIELDS`); None when the
        form states no range (the level-estimate row's is used)."""
        try:
            found = self.level()
        except ValueError:
            found = None  # an unreadable level states nothing
        if found is not None and found[0] is not None:
            return LEVEL_FIELD
        return self.range_field()

    def form_range(self) -> int | None:
        """The range the form states (:meth:`range_tag`); None when it states none.
        Raises ValueError for a range field that is not a range 2-8."""
        tag = self.range_tag()
        if tag is None:
            return None
        if tag == LEVEL_FIELD:
            return parsing.parse_level(self.values.get(LEVEL_FIELD))[0]
        text = self.text(tag)
        try:
            return parsing.parse_range(text)
        except ValueError:
            found = parsing.parse_level(text)[0]  # "3A", as the application's field reads
            if found is None:
                raise
            return found


def range_of(assessment: Assessment, estimate: EstimateRow | None) -> int | None:
    """The range the assessed level is a level of: the form's own (:meth:`Assessment.form_range`),
    else the level-estimate row's."""
    stated = assessment.form_range()
    if stated is not None:
        return stated
    return estimate.range if estimate is not None else None


# ----------------------------------------------------------------------------- outputs


def _plain(value: Decimal) -> str:
    """A decimal as plain text, no exponent: 0.5 -> "0.5", 1 -> "1"."""
    text = format(value.normalize(), "f")
    return text


@dataclass(frozen=True)
class PayChange:
    """One row for payroll: an employee placed at a level from a date."""

    employee_id: str
    employee_name: str
    directorate: str
    team: str
    job_title: str
    range: int
    current_level: Level | None
    new_level: Level
    current_salary: Decimal
    """Annual full-time salary before the change."""
    new_salary: Decimal
    """Annual full-time salary from the effective date; the current one when honoured."""
    fte: Decimal
    effective_date: dt.date
    reason: str
    """:data:`INITIAL_ASSESSMENT` or :data:`PROGRESSION_APPROVED`."""
    honoured: bool
    annual_change: Decimal
    """(new - current) x FTE, from :func:`addin.core.costing.cost_change`."""
    source: str = ""
    """The form or decisions row it came from (not sent to payroll)."""

    def csv_values(self) -> list[str]:
        """The row in :data:`CSV_COLUMNS` order, as text: ISO dates, money with two
        decimal places, levels as letters, honoured Yes/No."""
        return [self.employee_id, self.employee_name, self.directorate, self.team,
                self.job_title, str(self.range),
                self.current_level.value if self.current_level else "", self.new_level.value,
                money_text(self.current_salary) or "", money_text(self.new_salary) or "",
                _plain(self.fte), self.effective_date.isoformat(), self.reason,
                "Yes" if self.honoured else "No"]

    def to_json(self) -> dict[str, Any]:
        return {**dict(zip(CSV_COLUMNS, self.csv_values())), "range": self.range,
                "honoured": self.honoured, "annual_change": money_text(self.annual_change),
                "source": self.source}


def _known(estimate: EstimateRow, name: str) -> Decimal:
    """A money or FTE field the checks proved filled (ValueError naming the cell if not)."""
    value = getattr(estimate, name)
    if value is None:
        raise ValueError(f"{estimate.source(name)}: no {name.replace('_', ' ')}")
    return value


def place(estimate: EstimateRow, *, level: Level, range_: int, effective: dt.date,
          reason: str, pay: PaySettings, as_of: dt.date, current_salary: Decimal | None = None,
          current_level: Level | None = None, source: str = "") -> tuple[PayChange, CostRow]:
    """Place the employee of ``estimate`` at ``level`` of ``range_`` from ``effective``:
    the new salary, honouring and the annual change are
    :func:`addin.core.costing.cost_change`'s. ``current_salary``/``current_level`` default
    to the estimate row's (an earlier change in the same run passes its own)."""
    salary = _known(estimate, "current_salary") if current_salary is None else current_salary
    fte = _known(estimate, "fte")
    cost = cost_change(employee_id=estimate.employee_id or "", current_salary=salary,
                       fte=fte, range_=range_, level=level, as_of=as_of, pay=pay,
                       directorate=estimate.directorate, team=estimate.team,
                       framework=estimate.framework, effective=effective)
    change = PayChange(
        employee_id=clean_text(estimate.employee_id), employee_name=clean_text(estimate.employee_name),
        directorate=clean_text(estimate.directorate), team=clean_text(estimate.team),
        job_title=clean_text(estimate.job_title), range=range_,
        current_level=estimate.current_level if current_level is None else current_level,
        new_level=level, current_salary=money(salary), new_salary=cost.new_salary,
        fte=fte, effective_date=effective, reason=reason, honoured=cost.honoured,
        annual_change=cost.annual_increase, source=source)
    return change, cost


def direction(estimated: Level | None, assessed: Level) -> str:
    """Whether the assessment came out above, below or at the estimate."""
    if estimated is None:
        return NOT_ESTIMATED
    if assessed.rank > estimated.rank:
        return UP
    return DOWN if assessed.rank < estimated.rank else SAME


@dataclass(frozen=True)
class Outcome:
    """An employee's assessed level against the manager's estimate, and what the
    difference costs (Appendix K stage 9: CMT is told where outcomes differ)."""

    estimate: EstimateRow
    assessed_level: Level
    range: int
    effective_date: dt.date
    direction: str
    at_estimate: CostRow | None
    """The change costed at the estimated level (None when the estimate gave no level)."""
    at_assessment: CostRow
    form: str = ""

    @property
    def full_year_difference(self) -> Decimal:
        """Full-year cost at the assessed level minus at the estimated level (the whole
        assessed cost when there was no estimate to cost)."""
        base = self.at_estimate.full_year_cost if self.at_estimate else ZERO
        return self.at_assessment.full_year_cost - base

    @property
    def in_year_difference(self) -> Decimal:
        base = self.at_estimate.in_year_cost if self.at_estimate else ZERO
        return self.at_assessment.in_year_cost - base

    def to_json(self) -> dict[str, Any]:
        e = self.estimate
        return {
            "employee_id": e.employee_id, "employee_name": e.employee_name,
            "directorate": e.directorate, "team": e.team, "range": self.range,
            "estimated_level": e.estimated_level.value if e.estimated_level else None,
            "assessed_level": self.assessed_level.value, "direction": self.direction,
            "effective_date": self.effective_date.isoformat(),
            "full_year_cost_estimated": money_text(self.at_estimate.full_year_cost) if self.at_estimate else None,
            "full_year_cost_assessed": money_text(self.at_assessment.full_year_cost),
            "full_year_difference": money_text(self.full_year_difference),
            "in_year_cost_estimated": money_text(self.at_estimate.in_year_cost) if self.at_estimate else None,
            "in_year_cost_assessed": money_text(self.at_assessment.in_year_cost),
            "in_year_difference": money_text(self.in_year_difference),
            "form": self.form,
        }


def outcome(estimate: EstimateRow, assessed: Level, range_: int, effective: dt.date,
            pay: PaySettings, as_of: dt.date, form: str = "") -> Outcome:
    """The outcome of one assessment: the level-estimate row costed at the assessed and
    at the estimated level with the one costing rule (:func:`addin.core.costing.cost_change`),
    from the same current salary, range and effective date, so the difference is the
    levels' alone."""

    def at(level: Level) -> CostRow:
        return cost_change(employee_id=estimate.employee_id or "",
                           current_salary=_known(estimate, "current_salary"),
                           fte=_known(estimate, "fte"),
                           range_=range_, level=level, as_of=as_of, pay=pay,
                           directorate=estimate.directorate, team=estimate.team,
                           framework=estimate.framework, effective=effective)

    at_estimate = at(estimate.estimated_level) if estimate.estimated_level is not None else None
    return Outcome(estimate, assessed, range_, effective,
                   direction(estimate.estimated_level, assessed), at_estimate, at(assessed), form)


@dataclass
class OutcomeSums:
    """Outcomes counted by direction and their cost differences added up."""

    employees: int = 0
    up: int = 0
    down: int = 0
    same: int = 0
    not_estimated: int = 0
    full_year_difference: Decimal = ZERO
    in_year_difference: Decimal = ZERO

    def add(self, o: Outcome) -> None:
        self.employees += 1
        attr = o.direction.replace(" ", "_")
        setattr(self, attr, getattr(self, attr) + 1)
        self.full_year_difference += o.full_year_difference
        self.in_year_difference += o.in_year_difference

    def to_json(self) -> dict[str, Any]:
        return {"employees": self.employees, "up": self.up, "down": self.down,
                "same": self.same, "not_estimated": self.not_estimated,
                "full_year_difference": money_text(self.full_year_difference),
                "in_year_difference": money_text(self.in_year_difference)}


@dataclass
class OutcomeTotals:
    overall: OutcomeSums
    by_directorate: dict[str, OutcomeSums]
    by_team: dict[tuple[str, str], OutcomeSums]
    """(directorate, team) -> sums: a team is shown with its directorate."""

    def to_json(self) -> dict[str, Any]:
        return {"overall": self.overall.to_json(),
                "by_directorate": {k: v.to_json() for k, v in self.by_directorate.items()},
                "by_team": [{"directorate": d, "team": t, **v.to_json()}
                            for (d, t), v in self.by_team.items()]}


def outcome_totals(outcomes: Iterable[Outcome]) -> OutcomeTotals:
    """Outcomes added up overall, by directorate and by team (keys sorted; blank names
    under "(not given)", :func:`addin.core.costing.group_key`)."""
    overall = OutcomeSums()
    by_dir: dict[str, OutcomeSums] = {}
    by_team: dict[tuple[str, str], OutcomeSums] = {}
    for o in outcomes:
        overall.add(o)
        d = group_key(o.estimate.directorate)
        by_dir.setdefault(d, OutcomeSums()).add(o)
        by_team.setdefault((d, group_key(o.estimate.team)), OutcomeSums()).add(o)
    return OutcomeTotals(overall, dict(sorted(by_dir.items())), dict(sorted(by_team.items())))


@dataclass(frozen=True)
class ControlLine:
    """Payroll's control total for one effective date."""

    effective_date: dt.date
    changes: int
    honoured: int
    annual_change: Decimal

    def to_json(self) -> dict[str, Any]:
        return {"effective_date": self.effective_date.isoformat(), "changes": self.changes,
                "honoured": self.honoured, "annual_change": money_text(self.annual_change)}


def control_totals(changes: Sequence[PayChange]) -> list[ControlLine]:
    """Count and total annual change ((new - current) x FTE, the rows' own rounded
    figures) per effective date, in date order."""
    dates = sorted({c.effective_date for c in changes})
    out = []
    for d in dates:
        rows = [c for c in changes if c.effective_date == d]
        out.append(ControlLine(d, len(rows), sum(1 for c in rows if c.honoured),
                               sum((c.annual_change for c in rows), ZERO)))
    return out


def sort_changes(changes: Iterable[PayChange]) -> list[PayChange]:
    """Payroll's order: by effective date, then employee ID, then reason."""
    return sorted(changes, key=lambda c: (c.effective_date, id_key(c.employee_id),
                                          c.employee_id, c.reason != INITIAL_ASSESSMENT))


@dataclass
class PayrollRun:
    """Everything one payroll run found: the rows for payroll, the outcomes for CMT, the
    employees whose outcome is missing, and the findings (each keeps one employee's form
    or decision out; the rest go on)."""

    as_of: dt.date
    changes: list[PayChange]
    outcomes: list[Outcome]
    missing: list[EstimateRow]
    """Employees in the level estimates with no usable Initial Assessment outcome."""
    findings: list[Any]
    """:class:`addin.core.findings.Finding` s, in the order found."""
    sources: dict[str, str] = field(default_factory=dict)
    """What was read: 'estimates', 'assessments', 'decisions', 'pay_ranges'."""

    @property
    def control(self) -> list[ControlLine]:
        return control_totals(self.changes)

    @property
    def totals(self) -> OutcomeTotals:
        return outcome_totals(self.outcomes)

    @property
    def honoured(self) -> int:
        return sum(1 for c in self.changes if c.honoured)

    def summary(self) -> str:
        """The one-line summary: changes, honoured, outcomes missing."""
        errors = sum(1 for f in self.findings if getattr(f, "is_error", False))
        return (f"{len(self.changes)} pay change(s) for payroll, {self.honoured} honoured; "
                f"{len(self.missing)} outcome(s) missing; {errors} error(s) found")

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "sources": self.sources,
            "changes": [c.to_json() for c in self.changes],
            "control": [c.to_json() for c in self.control],
            "outcomes": [o.to_json() for o in self.outcomes],
            "outcome_totals": self.totals.to_json(),
            "outcomes_missing": [{"employee_id": r.employee_id, "employee_name": r.employee_name,
                                  "directorate": r.directorate, "team": r.team,
                                  "source": str(r.source("employee_id"))} for r in self.missing],
            "findings": [f.to_json() for f in self.findings],
            "summary": {"changes": len(self.changes), "honoured": self.honoured,
                        "outcomes_missing": len(self.missing),
                        "errors": sum(1 for f in self.findings if f.is_error),
                        "text": self.summary()},
        }
