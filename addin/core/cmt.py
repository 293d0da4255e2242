"""The CMT cost-monitoring figures, as plain data (no Excel here).

Policy, Appendix K, stage 8 ("Estimating levels for employees. Monitoring costs."):
"CMT are monitoring the cost of the Review. ... managers are asked by the MedPay Review
Team to make an initial assessment of their staff and estimate what level each employee
is likely to be assessed at. Managers complete a spreadsheet with the assessments for
each employee and this is sent to the MedPay Review Team. A summary report for the teams
that are ready to implement is presented at CMT each month."

Stage 9 ("Salary Honouring"): "If members of the team are assessed at a lower level
than they are currently paid, their salary will be honoured." - so the report lists
honoured salaries separately; the costing rules (``addin.core.costing``) decide which rows
are honoured (:func:`addin.core.costing.is_honoured`) and what each row costs; this module
only counts and adds up.

Two processes, not one. The estimate spreadsheet is the **initial assessment** of every
employee when a service implements its framework, and "the cost of the Review" is the
cost of placing every employee at the level the manager estimates. So CMT's totals cost
**every row that can be costed** (:func:`addin.core.costing.not_costed_reason` is None), at
its estimated level; an honoured salary costs nothing and is counted as honoured. A row
is left out only when a cell the cost needs is blank or invalid, and the report says how
many and why. The progression gates of section 7 (7.22 probation, capability and
appraisal; 7.28; time at level) govern Applications for Career Progression (Appendix F)
once the scheme runs, not this placement: eligibility is reported as what it is, "may
apply to progress at the next window", a count of its own that does not change the cost.
(Reading the policy the other way - leaving ineligible staff out - would understate the
cost CMT monitor; costing everyone is the safer reading.)

An employee in two submissions (``BATCH-DUPLICATE-ID``, flagged on both rows) is costed
once: :func:`addin.batch.run.choose_duplicate_rows` picks the row, the others carry
:attr:`BatchRow.duplicate_of` and count nowhere but in the duplicate figures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from addin.core.costing import HONOURED, NO_CHANGE, PAY_RISE, group_key, sums_by, totals
from addin.core.model import LEVELS, EstimateRow

ZERO = Decimal("0.00")
UNKNOWN = "(not given)"
"""The group of a blank directorate/team/framework: the same label as
``addin.core.costing.NONE_KEY``, so the row counts and the costing totals line up."""


DUPLICATE_RULE = ("an employee in several submissions is costed once, from the first "
                  "submission in inbox path order that can cost the row (the order the batch "
                  "reads files); when none can, the first")
"""How the batch picks the one row that costs an employee found in several submissions
(``addin.batch.run.choose_duplicate_rows``), as the reports word it."""


@dataclass
class BatchRow:
    """One employee row of one submission, with what the batch worked out for it."""

    source: str
    """The submission's path relative to the inbox (posix separators)."""
    estimate: EstimateRow
    eligible: bool | None = None
    """May apply to progress at the next window (section 7, ``addin.core.eligibility``); not a
    condition of the cost."""
    status: str | None = None
    """The eligibility as words: "Yes", "No" or "Manager to decide (6.16)" (a long-term
    absence, neither yes nor no); None where only ``eligible`` is known."""
    reasons: tuple[str, ...] = ()
    effective_date: dt.date | None = None
    cost: Any = None
    """``addin.core.costing.CostRow`` or None when the row could not be costed."""
    cost_problem: str | None = None
    """Why the row could not be costed (``addin.core.costing.not_costed_reason``)."""
    errors: int = 0
    warnings: int = 0
    duplicate_in: tuple[str, ...] = ()
    """Other submissions holding the same employee ID."""
    duplicate_of: str | None = None
    """For an employee in several submissions, on every row but the one costed: where
    the row costed is ("sub/team-b.xlsx row 5"). Such a row is in no total."""
    pay_point: Decimal | None = None
    """The pay-ranges salary for the role's range at the estimated level (7.14)."""

    @property
    def in_review(self) -> bool:
        """Whether the row is this employee's row in the Review (not a duplicate of one
        costed from another submission)."""
        return self.duplicate_of is None

    @property
    def counted(self) -> bool:
        """Whether the row's cost goes into CMT's totals: costed, and not a duplicate."""
        return self.cost is not None and self.in_review

    @property
    def change(self) -> str | None:
        """``addin.core.costing.change_kind`` of the costed row (pay rise, no change,
        honoured); None when not costed."""
        return None if self.cost is None else self.cost.change

    @property
    def honoured(self) -> bool:
        return self.change == HONOURED

    def money(self, name: str) -> Decimal:
        value = getattr(self.cost, name, None) if self.cost is not None else None
        return value if isinstance(value, Decimal) else ZERO


@dataclass
class Group:
    """Totals for one directorate, team or framework (rows in the Review only)."""

    key: tuple[str, ...]
    employees: int = 0
    may_apply: int = 0
    increases: int = 0
    honoured: int = 0
    not_costable: int = 0
    full_year: Decimal = ZERO
    in_year: Decimal = ZERO


@dataclass(frozen=True)
class DuplicateChoice:
    """An employee ID in several submissions: the row costed and the rows not costed
    again (each ``(source, row)``)."""

    employee_id: str
    costed: tuple[str, int]
    not_costed_again: tuple[tuple[str, int], ...]


@dataclass
class CmtSummary:
    as_of: dt.date
    submissions: int = 0
    unreadable: int = 0
    rows: int = 0
    """Employee rows in every readable submission."""
    employees: int = 0
    """Rows in the Review: :attr:`rows` less the duplicates not costed again."""
    pay_rises: int = 0
    no_change: int = 0
    not_costable: int = 0
    not_costable_reasons: dict[str, int] = field(default_factory=dict)
    """Why rows could not be costed -> how many (most first, then by reason)."""
    may_apply: int = 0
    """May apply to progress at the next window (section 7); not a condition of the cost."""
    duplicates: int = 0
    """Rows whose employee ID is in another submission (all flagged)."""
    duplicates_not_costed: int = 0
    duplicate_choices: list[DuplicateChoice] = field(default_factory=list)
    full_year: Decimal = ZERO
    in_year: Decimal = ZERO
    matrix: dict[str, dict[str, int]] = field(default_factory=dict)
    """current level -> estimated level -> count; keys 'A', 'B', 'C' and UNKNOWN."""
    by_directorate: list[Group] = field(default_factory=list)
    by_team: list[Group] = field(default_factory=list)
    by_framework: list[Group] = field(default_factory=list)
    honoured: list[BatchRow] = field(default_factory=list)

    @property
    def level_keys(self) -> list[str]:
        keys = [lv.value for lv in LEVELS]
        if any(UNKNOWN in self.matrix.get(k, {}) for k in self.matrix) or UNKNOWN in self.matrix:
            keys.append(UNKNOWN)
        return keys


def _label(value: object) -> str:
    text = "" if value is None else str(value).strip()
    return text or UNKNOWN


def _level(value: object) -> str:
    return getattr(value, "value", None) or UNKNOWN


def group_rows(rows: Iterable[BatchRow], key, money: dict[tuple[str, ...], Any]) -> list[Group]:
    """Count rows by ``key(row) -> tuple``; the money of each group comes from ``money``
    (``addin.core.costing.CostSums`` by the same key, added up by ``addin.core.costing.totals``)."""
    groups: dict[tuple[str, ...], Group] = {}
    for r in rows:
        k = key(r)
        g = groups.setdefault(k, Group(k))
        g.employees += 1
        g.may_apply += r.eligible is True
        g.not_costable += r.cost is None
    for k, g in groups.items():
        sums = money.get(k)
        if sums is not None:
            g.full_year = sums.full_year_cost
            g.in_year = sums.in_year_cost
            g.increases = sums.increases
            g.honoured = sums.honoured
    return [groups[k] for k in sorted(groups)]


def duplicate_choices(rows: Sequence[BatchRow]) -> list[DuplicateChoice]:
    """Each employee ID whose rows carry :attr:`BatchRow.duplicate_of`: the row costed
    and the rows not costed again, in employee ID order."""
    costed: dict[tuple[str, int], str] = {}
    others: dict[str, list[tuple[str, int]]] = {}
    for r in rows:
        if r.duplicate_of is not None:
            others.setdefault(r.duplicate_of, []).append((r.source, r.estimate.row))
    for r in rows:
        where = f"{r.source} row {r.estimate.row}"
        if where in others:
            costed[(r.source, r.estimate.row)] = (r.estimate.employee_id or "").strip()
    choices = [DuplicateChoice(emp, key, tuple(others[f"{key[0]} row {key[1]}"]))
               for key, emp in costed.items()]
    return sorted(choices, key=lambda c: (c.employee_id.casefold(), c.costed))


def summarise(rows: Sequence[BatchRow], *, as_of: dt.date, submissions: int,
              unreadable: int) -> CmtSummary:
    """Every figure of the CMT report from the batch's rows. Money is added up by the
    costing module's :func:`addin.core.costing.totals` over every costed row in the Review
    (see the module docstring: eligibility does not decide the cost)."""
    s = CmtSummary(as_of=as_of, submissions=submissions, unreadable=unreadable)
    s.rows = len(rows)
    reasons: dict[str, int] = {}
    review = [r for r in rows if r.in_review]
    for r in rows:
        if r.duplicate_in:
            s.duplicates += 1
        if not r.in_review:
            s.duplicates_not_costed += 1
    for r in review:
        cur, est = _level(r.estimate.current_level), _level(r.estimate.estimated_level)
        s.matrix.setdefault(cur, {}).setdefault(est, 0)
        s.matrix[cur][est] += 1
        s.may_apply += r.eligible is True
        change = r.change
        if change is None:
            s.not_costable += 1
            why = r.cost_problem or "not costed"
            reasons[why] = reasons.get(why, 0) + 1
        elif change == PAY_RISE:
            s.pay_rises += 1
        elif change == NO_CHANGE:
            s.no_change += 1
        else:
            s.honoured.append(r)
    s.employees = len(review)
    s.not_costable_reasons = dict(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0])))
    s.duplicate_choices = duplicate_choices(rows)
    counted = [r for r in review if r.cost is not None]
    t = totals(r.cost for r in counted)
    s.full_year = t.overall.full_year_cost
    s.in_year = t.overall.in_year_cost
    # groups are keyed by the row's own labels (as the tables show them), money included
    s.by_directorate = group_rows(review, lambda r: (_label(r.estimate.directorate),),
                                  {(k,): v for k, v in t.by_directorate.items()})
    # teams are money-grouped within the directorate the row gives, as the table shows them
    team_money = sums_by(((_label(r.estimate.directorate), group_key(r.cost.team)), r.cost)
                         for r in counted)
    s.by_team = group_rows(
        review, lambda r: (_label(r.estimate.directorate), _label(r.estimate.team)), team_money)
    s.by_framework = group_rows(review, lambda r: (_label(r.estimate.framework),),
                                {(k,): v for k, v in t.by_framework.items()})
    return s


def matrix_count(s: CmtSummary, current: str, estimated: str) -> int:
    return s.matrix.get(current, {}).get(estimated, 0)
