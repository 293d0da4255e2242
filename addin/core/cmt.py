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
are honoured and what each row costs; this module only counts and adds up.

What is counted: the level matrix counts every row of every readable submission; the
costs add up the rows that are eligible (7.22/7.28, decided by ``addin.core.eligibility``
through the estimates validation) and could be costed. Rows not eligible are counted
in :attr:`CmtSummary.not_eligible` and their cost is shown in the consolidated workbook
but not added to CMT's totals: they cannot progress at the next pay date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from addin.core.model import LEVELS, EstimateRow

ZERO = Decimal("0.00")
UNKNOWN = "(not given)"
"""The group of a blank directorate/team/framework: the same label as
``addin.core.costing.NONE_KEY``, so the row counts and the costing totals line up."""


@dataclass
class BatchRow:
    """One employee row of one submission, with what the batch worked out for it."""

    source: str
    """The submission's path relative to the inbox (posix separators)."""
    estimate: EstimateRow
    eligible: bool | None = None
    reasons: tuple[str, ...] = ()
    effective_date: dt.date | None = None
    cost: Any = None
    """``addin.core.costing.CostRow`` or None when the row could not be costed."""
    cost_problem: str | None = None
    errors: int = 0
    warnings: int = 0
    duplicate_in: tuple[str, ...] = ()
    """Other submissions holding the same employee ID."""
    pay_point: Decimal | None = None
    """The pay-ranges salary for the role's range at the estimated level (7.14)."""

    @property
    def counted(self) -> bool:
        """Whether the row's cost goes into CMT's totals (eligible and costed)."""
        return self.eligible is True and self.cost is not None

    @property
    def honoured(self) -> bool:
        return bool(self.cost is not None and getattr(self.cost, "honoured", False))

    def money(self, name: str) -> Decimal:
        value = getattr(self.cost, name, None) if self.cost is not None else None
        return value if isinstance(value, Decimal) else ZERO


@dataclass
class Group:
    """Totals for one directorate, team or framework."""

    key: tuple[str, ...]
    employees: int = 0
    eligible: int = 0
    increases: int = 0
    honoured: int = 0
    full_year: Decimal = ZERO
    in_year: Decimal = ZERO


@dataclass
class CmtSummary:
    as_of: dt.date
    submissions: int = 0
    unreadable: int = 0
    employees: int = 0
    eligible: int = 0
    not_eligible: int = 0
    not_costed: int = 0
    duplicates: int = 0
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
        g.eligible += r.eligible is True
        g.honoured += r.honoured
    for k, g in groups.items():
        sums = money.get(k)
        if sums is not None:
            g.full_year = sums.full_year_cost
            g.in_year = sums.in_year_cost
            g.increases = sums.increases
    return [groups[k] for k in sorted(groups)]


def summarise(rows: Sequence[BatchRow], *, as_of: dt.date, submissions: int,
              unreadable: int) -> CmtSummary:
    """Every figure of the CMT report from the batch's rows. Money is added up by the
    costing module's :func:`addin.core.costing.totals` over the counted rows only."""
    from addin.core.costing import group_key, sums_by, totals

    s = CmtSummary(as_of=as_of, submissions=submissions, unreadable=unreadable)
    s.employees = len(rows)
    for r in rows:
        cur, est = _level(r.estimate.current_level), _level(r.estimate.estimated_level)
        s.matrix.setdefault(cur, {}).setdefault(est, 0)
        s.matrix[cur][est] += 1
        if r.eligible is True:
            s.eligible += 1
            if r.cost is None:
                s.not_costed += 1
        else:
            s.not_eligible += 1
        if r.honoured:
            s.honoured.append(r)
        if r.duplicate_in:
            s.duplicates += 1
    counted = [r for r in rows if r.counted]
    t = totals(r.cost for r in counted)
    s.full_year = t.overall.full_year_cost
    s.in_year = t.overall.in_year_cost
    s.by_directorate = group_rows(rows, lambda r: (_label(r.estimate.directorate),),
                                  {(k,): v for k, v in t.by_directorate.items()})
    # teams are money-grouped within the directorate the row gives, as the table shows them
    team_money = sums_by(((_label(r.estimate.directorate), group_key(r.cost.team)), r.cost)
                         for r in counted)
    s.by_team = group_rows(
        rows, lambda r: (_label(r.estimate.directorate), _label(r.estimate.team)), team_money)
    s.by_framework = group_rows(rows, lambda r: (_label(r.estimate.framework),),
                                {(k,): v for k, v in t.by_framework.items()})
    return s


def matrix_count(s: CmtSummary, current: str, estimated: str) -> int:
    return s.matrix.get(current, {}).get(estimated, 0)
