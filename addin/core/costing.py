"""What a pay change costs: new salary, salary honouring, employer on-costs, full-year
and in-year cost, and totals by directorate, team and framework. Pure functions over
``Decimal``; every rate and date comes from :class:`addin.core.model.PaySettings` (the
pay-ranges workbook), never from a literal here.

Rules (MedPay PPP policy, shared/seeds/001, and issue 4):

* New salary = the pay point of the role's range at the estimated level (7.14: "Level A
  - Developing: Start of the pay range; Level B - Practising: Mid-point ...; Level C -
  Accomplished: Top of the pay range"). Salaries here are annual FULL-TIME salaries, as
  the pay points are; the employee's FTE turns them into pay.
* Salary honouring (Appendix K stage 9: "If members of the team are assessed at a lower
  level than they are currently paid, their salary will be honoured"): when the pay point
  is below the current salary, the current salary is honoured - no change, cost 0,
  ``honoured`` flagged. "Honoured" means that and only that, everywhere (costing,
  validation messages, the CMT report): :func:`is_honoured` is its one home. A pay point
  equal to the current salary is "no change", not honoured; above it, a "pay rise"
  (:func:`change_kind`).
* Annual increase = (new - current) x FTE.
* The change takes effect on the next pay change date (7.16, 7.20, Appendix F:
  :func:`addin.core.paycalendar.next_effective_date` of ``as_of``), never backdated.
* Employer on-costs on the increase:

  - National Insurance is MARGINAL: rate x (max(0, new pay - threshold) - max(0, old
    pay - threshold)), pay = salary x FTE, threshold = the annual secondary threshold.
    Employer NI is only due on pay above the threshold, so an increase costs NI only on
    the part of the new pay that is above it (for almost every salary in ranges 2-8 that
    is the whole increase; for very low FTEs it can be less or nothing).
  - Pension and the apprenticeship levy: their rates x the annual increase.

* Full-year cost = increase + NI + pension + levy.
* In-year cost = full-year cost x whole months from the effective date to the end of its
  financial year (31 March) / 12: 9 months for 1 July, 3 for 1 January.
* Cost-of-living award (``cola``, a percentage; 8.1 "usually applied from 01 April",
  Settings "Cost-of-living award applies from"): models an award for the financial year
  that contains the effective date, not yet in the pay-ranges workbook. It raises every
  pay point AND the current salary (8.1: "an additional across-the-board pay increase
  for all staff") from the COLA date, so the cost reported is that of the progression
  on top of the award, not the award itself. With the shipped Settings the COLA date
  (1 April) starts the financial year, so it is in force for the whole in-year window
  and the full year; were it set later in the year, in-year months before it are costed
  at the old rates and the full-year figures at the new ones.
* Money is ``Decimal``; each figure is computed exactly from the inputs and rounded
  half-up to the penny only at its end (:func:`addin.core.money.round_penny`),
  so a row's rounded parts may differ from its rounded total by a penny. Totals add the
  rounded row figures, so they equal the sum of what each row shows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from addin.core.model import EstimateRow, Level, PaySettings
from addin.core.money import round_penny
from addin.core.paycalendar import add_months, months_between, next_effective_date

__all__ = [
    "CHANGE_KINDS",
    "HONOURED",
    "NO_CHANGE",
    "PAY_RISE",
    "change_kind",
    "is_honoured",
    "CostRow",
    "CostRun",
    "CostSums",
    "CostTotals",
    "cost_change",
    "cost_row",
    "cost_rows",
    "financial_year_end",
    "money",
    "not_costed_reason",
    "NotCosted",
    "totals",
]

ZERO = Decimal("0")
FINANCIAL_YEAR_START = (4, 1)
"""The UK public-sector financial year runs 1 April - 31 March (issue 4: "to the end of
that financial year (31 March)"); statutory, so not a Settings row."""
MONEY_FIELDS = ("annual_increase", "employer_ni", "pension", "levy", "full_year_cost",
                "in_year_cost")
NONE_KEY = "(not given)"


PAY_RISE = "pay rise"
NO_CHANGE = "no change"
HONOURED = "honoured"
CHANGE_KINDS = (PAY_RISE, NO_CHANGE, HONOURED)
"""What placing an employee at the estimated level does to their salary."""


def is_honoured(pay_point: Decimal, current_salary: Decimal) -> bool:
    """Whether the current salary is honoured: the pay point of the estimated level
    (7.14; both annual full-time figures) is below it. Appendix K stage 9: "If members
    of the team are assessed at a lower level than they are currently paid, their salary
    will be honoured." The policy words it by level; what is honoured is pay, so a lower
    level whose pay point is not below the salary (a salary below the range) is not
    honoured, and a salary above the estimated level's pay point is honoured even at the
    same level. The one home of "honoured": costing, validation and reports call this."""
    return pay_point < current_salary


def change_kind(pay_point: Decimal, current_salary: Decimal) -> str:
    """:data:`PAY_RISE` (pay point above the current salary), :data:`NO_CHANGE` (equal)
    or :data:`HONOURED` (below: :func:`is_honoured`)."""
    if is_honoured(pay_point, current_salary):
        return HONOURED
    return PAY_RISE if pay_point > current_salary else NO_CHANGE


def money(value: Decimal) -> Decimal:
    """Round half-up to the penny: the only rounding, at the end of each figure
    (:func:`addin.core.money.round_penny`, the one home of the rule)."""
    return round_penny(value)


def financial_year_end(d: dt.date) -> dt.date:
    """31 March ending the financial year that contains ``d``."""
    start = dt.date(d.year, *FINANCIAL_YEAR_START)
    if d < start:
        start = dt.date(d.year - 1, *FINANCIAL_YEAR_START)
    return dt.date(start.year + 1, *FINANCIAL_YEAR_START) - dt.timedelta(days=1)


def _cola_date(effective: dt.date, pay: PaySettings) -> dt.date:
    """When a COLA for the financial year containing ``effective`` applies from: the
    first Settings COLA date on or after the start of that financial year."""
    fy_start = financial_year_end(effective) + dt.timedelta(days=1)
    fy_start = fy_start.replace(year=fy_start.year - 1)
    month, day = pay.settings.cola_effective
    d = dt.date(fy_start.year, month, day)
    return d if d >= fy_start else dt.date(fy_start.year + 1, month, day)


@dataclass(frozen=True)
class CostRow:
    """The cost of one employee's change. Money figures are rounded to the penny."""

    employee_id: str
    current_salary: Decimal
    """Annual full-time salary as entered."""
    new_salary: Decimal
    """Annual full-time salary from the effective date: the pay point (7.14), raised by
    any COLA; the (raised) current salary when honoured."""
    honoured: bool
    effective_date: dt.date
    annual_increase: Decimal
    employer_ni: Decimal
    pension: Decimal
    levy: Decimal
    full_year_cost: Decimal
    in_year_cost: Decimal
    in_year_months: int = 0
    fte: Decimal = Decimal(1)
    range: int | None = None
    level: Level | None = None
    directorate: str | None = None
    team: str | None = None
    framework: str | None = None
    cola: Decimal | None = None
    pay_point: Decimal | None = None
    """The pay-ranges figure for the range at the estimated level (7.14), before any COLA."""

    @property
    def change(self) -> str:
        """:func:`change_kind` of the pay point and the current salary. A row built
        without its pay point (by hand, in a test) falls back on its ``honoured`` flag and
        its increase."""
        if self.pay_point is not None:
            return change_kind(self.pay_point, self.current_salary)
        return HONOURED if self.honoured else PAY_RISE if self.annual_increase > 0 else NO_CHANGE

    def to_json(self) -> dict[str, Any]:
        """Money as decimal strings ("1234.56"), dates as ISO strings."""
        return {
            "employee_id": self.employee_id,
            "current_salary": str(money(self.current_salary)),
            "new_salary": str(money(self.new_salary)),
            "honoured": self.honoured,
            "effective_date": self.effective_date.isoformat(),
            **{name: str(getattr(self, name)) for name in MONEY_FIELDS},
            "in_year_months": self.in_year_months,
            "fte": str(self.fte),
            "range": self.range,
            "level": self.level.value if self.level else None,
            "directorate": self.directorate,
            "team": self.team,
            "framework": self.framework,
        }


@dataclass(frozen=True)
class _Annual:
    increase: Decimal
    ni: Decimal
    pension: Decimal
    levy: Decimal

    @property
    def total(self) -> Decimal:
        return self.increase + self.ni + self.pension + self.levy


def _annual(current: Decimal, new: Decimal, fte: Decimal, pay: PaySettings) -> _Annual:
    """Exact (unrounded) annual increase and on-costs for salaries ``current`` -> ``new``."""
    s = pay.settings
    old_pay, new_pay = current * fte, new * fte
    increase = new_pay - old_pay
    t = s.ni_secondary_threshold
    ni = s.employer_ni_rate * (max(ZERO, new_pay - t) - max(ZERO, old_pay - t))
    return _Annual(increase, ni, s.employer_pension_rate * increase,
                   s.apprenticeship_levy_rate * increase)


def cost_change(
    *,
    employee_id: str,
    current_salary: Decimal,
    fte: Decimal,
    range_: int,
    level: Level,
    as_of: dt.date,
    pay: PaySettings,
    cola: Decimal | None = None,
    directorate: str | None = None,
    team: str | None = None,
    framework: str | None = None,
    effective: dt.date | None = None,
) -> CostRow:
    """Cost moving ``employee_id`` to ``level`` of ``range_`` (see the module docstring).

    ``effective`` is the date the change takes effect when the caller already knows it
    (an initial assessment's payroll date, :func:`addin.core.paycalendar.payroll_effective_date`);
    None means the next pay change date after ``as_of`` (7.16, 7.20).

    ``current_salary`` is the annual full-time salary, ``fte`` in (0, 1], ``cola`` a
    percentage (``Decimal("3")`` = 3%). Raises KeyError for a range the pay-ranges
    workbook does not hold and ValueError for an FTE outside (0, 1] or a negative COLA.
    """
    current = Decimal(current_salary)
    fte = Decimal(fte)
    if not ZERO < fte <= 1:
        raise ValueError(f"FTE must be more than 0 and at most 1, got {fte}")
    if current < 0:
        raise ValueError(f"current salary must not be negative, got {current}")
    if cola is not None and Decimal(cola) < 0:
        raise ValueError(f"a cost-of-living award must not be negative, got {cola}%")
    point = pay.pay_point(range_, level)  # 7.14
    if effective is None:
        effective = next_effective_date(as_of, pay)  # 7.16, 7.20
    fy_end = financial_year_end(effective)
    months = months_between(effective, fy_end + dt.timedelta(days=1))
    uplift = Decimal(1) + (Decimal(cola) / 100 if cola else ZERO)
    cola_from = _cola_date(effective, pay) if cola else None

    honoured = is_honoured(point, current)  # Appendix K stage 9
    if change_kind(point, current) != PAY_RISE:
        # Salary honoured (or no change): no increase, no cost.
        new = current * uplift
        full = in_year = ZERO
        parts = _Annual(ZERO, ZERO, ZERO, ZERO)
    else:
        new = point * uplift
        parts = _annual(current * uplift, new, fte, pay)
        full = parts.total
        if cola_from is None or cola_from <= effective:
            in_year = full * months / 12
        else:  # an award later in the year: months before it at the old rates
            base = _annual(current, point, fte, pay).total
            in_year = sum(((full if add_months(effective, i) >= cola_from else base)
                           for i in range(months)), ZERO) / 12
    return CostRow(
        employee_id=employee_id,
        current_salary=current,
        new_salary=money(new),
        honoured=honoured,
        effective_date=effective,
        annual_increase=money(parts.increase),
        employer_ni=money(parts.ni),
        pension=money(parts.pension),
        levy=money(parts.levy),
        full_year_cost=money(full),
        in_year_cost=money(in_year),
        in_year_months=months,
        fte=fte,
        range=range_,
        level=level,
        directorate=directorate,
        team=team,
        framework=framework,
        cola=Decimal(cola) if cola is not None else None,
        pay_point=point,
    )


_NEEDED = {"current_salary": "current salary", "fte": "FTE", "range": "range",
           "estimated_level": "estimated level"}
"""The fields costing needs, with the words a reason names them by."""


def not_costed_reason(row: EstimateRow, pay: PaySettings) -> str | None:
    """Why a level-estimate row cannot be costed, or None when it can: costing needs a
    current salary (not negative), an FTE more than 0 and at most 1, a range the
    pay-ranges workbook holds and an estimated level."""
    if (row.current_salary is None or row.fte is None or row.range is None
            or row.estimated_level is None):
        missing = [label for name, label in _NEEDED.items() if getattr(row, name) is None]
        return "no " + ", ".join(missing)
    if row.range not in pay.ranges:
        return f"range {row.range} is not in the pay-ranges workbook"
    if not ZERO < row.fte <= 1:
        return f"FTE {row.fte} is not more than 0 and at most 1"
    if row.current_salary < 0:
        return f"current salary {row.current_salary} is negative"
    return None


def cost_row(row: EstimateRow, pay: PaySettings, as_of: dt.date,
             cola: Decimal | None = None) -> CostRow | None:
    """Cost one level-estimate row, or None when it lacks what costing needs
    (:func:`not_costed_reason` says what)."""
    salary, fte, range_, level = row.current_salary, row.fte, row.range, row.estimated_level
    # not_costed_reason is the one home of the rule; the None tests repeat what it has
    # checked so that the types narrow
    if (not_costed_reason(row, pay) is not None
            or salary is None or fte is None or range_ is None or level is None):
        return None
    return cost_change(
        employee_id=row.employee_id or f"row {row.row}",
        current_salary=salary,
        fte=fte,
        range_=range_,
        level=level,
        as_of=as_of,
        pay=pay,
        cola=cola,
        directorate=row.directorate,
        team=row.team,
        framework=row.framework,
    )


@dataclass
class CostSums:
    """Rows counted and the sum of their rounded money figures."""

    rows: int = 0
    honoured: int = 0
    increases: int = 0
    """Pay rises: rows whose pay point is above the current salary."""
    no_change: int = 0
    annual_increase: Decimal = ZERO
    employer_ni: Decimal = ZERO
    pension: Decimal = ZERO
    levy: Decimal = ZERO
    full_year_cost: Decimal = ZERO
    in_year_cost: Decimal = ZERO

    def add(self, row: CostRow) -> None:
        # MONEY_FIELDS spelt out: a batch adds every row to four sums, and setattr/getattr
        # by name was most of the CMT report's time (a test pins that every one of them is summed)
        self.rows += 1
        change = row.change
        self.honoured += change == HONOURED
        self.increases += change == PAY_RISE
        self.no_change += change == NO_CHANGE
        self.annual_increase += row.annual_increase
        self.employer_ni += row.employer_ni
        self.pension += row.pension
        self.levy += row.levy
        self.full_year_cost += row.full_year_cost
        self.in_year_cost += row.in_year_cost

    def to_json(self) -> dict[str, Any]:
        return {"rows": self.rows, "honoured": self.honoured, "increases": self.increases,
                "no_change": self.no_change,
                **{name: str(money(getattr(self, name))) for name in MONEY_FIELDS}}


@dataclass
class CostTotals:
    """Totals overall and by directorate, team and framework (keys sorted; a blank
    value is grouped under "(not given)")."""

    overall: CostSums = field(default_factory=CostSums)
    by_directorate: dict[str, CostSums] = field(default_factory=dict)
    by_team: dict[str, CostSums] = field(default_factory=dict)
    by_framework: dict[str, CostSums] = field(default_factory=dict)

    @property
    def honoured(self) -> int:
        return self.overall.honoured

    def to_json(self) -> dict[str, Any]:
        return {
            "overall": self.overall.to_json(),
            "honoured": self.overall.honoured,
            "by_directorate": {k: v.to_json() for k, v in self.by_directorate.items()},
            "by_team": {k: v.to_json() for k, v in self.by_team.items()},
            "by_framework": {k: v.to_json() for k, v in self.by_framework.items()},
        }


def group_key(value: str | None) -> str:
    """The group a directorate, team or framework name falls in: trimmed, a blank one
    under "(not given)"."""
    return (value or "").strip() or NONE_KEY


def sums_by(pairs: Iterable[tuple[Any, CostRow]]) -> dict[Any, CostSums]:
    """``(key, row)`` pairs added up by key, keys in sorted order."""
    groups: dict[Any, CostSums] = {}
    for key, row in pairs:
        sums = groups.get(key)
        if sums is None:
            sums = groups[key] = CostSums()
        sums.add(row)
    return dict(sorted(groups.items()))


def totals(rows: Iterable[CostRow]) -> CostTotals:
    """Add up rows overall and by directorate, team and framework."""
    rows = list(rows)
    overall = CostSums()
    for row in rows:
        overall.add(row)
    return CostTotals(
        overall=overall,
        by_directorate=sums_by((group_key(r.directorate), r) for r in rows),
        by_team=sums_by((group_key(r.team), r) for r in rows),
        by_framework=sums_by((group_key(r.framework), r) for r in rows),
    )


@dataclass(frozen=True)
class NotCosted:
    """A level-estimate row costing could not use, and why (:func:`not_costed_reason`)."""

    row: int
    employee_id: str | None
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"row": self.row, "employee_id": self.employee_id, "reason": self.reason}


@dataclass
class CostRun:
    """Every row of a level-estimate workbook costed: the costed rows (each with the row
    it came from), those not costed, and the totals of the costed ones."""

    costed: list[tuple[EstimateRow, CostRow]]
    not_costed: list[NotCosted]
    totals: CostTotals

    @property
    def rows(self) -> list[CostRow]:
        return [cost for _, cost in self.costed]


def cost_rows(rows: Iterable[EstimateRow], pay: PaySettings, as_of: dt.date,
              cola: Decimal | None = None) -> CostRun:
    """Cost every row (:func:`cost_row`), keep the ones that cannot be costed with their
    reason, and add up the rest (:func:`totals`). ``medpay cost`` and the Excel button
    Cost estimates both run this."""
    costed: list[tuple[EstimateRow, CostRow]] = []
    not_costed: list[NotCosted] = []
    for row in rows:
        cost = cost_row(row, pay, as_of, cola)
        if cost is None:
            not_costed.append(NotCosted(row.row, row.employee_id, not_costed_reason(row, pay) or ""))
        else:
            costed.append((row, cost))
    return CostRun(costed, not_costed, totals(cost for _, cost in costed))
