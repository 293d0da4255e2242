"""Validation of a level-estimate spreadsheet (policy Appendix K, stage 8) and the
eligibility of each row (policy 7.22, 7.28, 2.2, via :mod:`addin.core.eligibility`).

Each rule is a small function registered on :data:`ESTIMATES` with the codes it raises;
every finding points at the cell at fault. :func:`validate_estimates` reads the workbook
(:mod:`addin.office.xlsx.estimates`), runs the rules and the rules engine, and returns one
:class:`addin.core.findings.Report` whose ``extra["rows"]`` holds the eligibility per row.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from addin.core.cells import parse_a1
from addin.core.costing import is_honoured
from addin.core.eligibility import assess_row, casual_aggregate_required, is_casual
from addin.core.estimates_table import EXCEL_ERROR_LEAD, REQUIRED, EstimatesRead, column_header
from addin.core.findings import ERROR, WARNING, Checker, Finding, declare
from addin.core.model import EstimateRow, Framework, PaySettings, Role
from addin.core.money import format_amount
from addin.core.paycalendar import next_effective_date
from addin.core.text import norm_key
from addin.core.ukdates import uk_date

GROUP = "estimates"

# ----------------------------------------------------------------------------- context


@dataclass
class EstimatesContext:
    """What the rules need besides the rows: the frameworks, pay ranges and the date.

    Holds an index of the frameworks' roles by normalised title, built once, so looking
    up 50 rows x several rules costs dictionary look-ups (the batch validates thousands of
    workbooks against the same context).
    """

    frameworks: list[Framework] = field(default_factory=list)
    pay: PaySettings | None = None
    as_of: dt.date = field(default_factory=dt.date.today)

    def __post_init__(self) -> None:
        self._keys: dict[str, str] = {}
        self._by_name: dict[str, list[int]] = {}
        self._roles: list[dict[str, list[Role]]] = []
        for i, fw in enumerate(self.frameworks):
            for k in {norm_key(fw.name), norm_key(fw.job_family)} - {""}:
                self._by_name.setdefault(k, []).append(i)
            index: dict[str, list[Role]] = {}
            for role in fw.roles:
                index.setdefault(norm_key(role.title), []).append(role)
            self._roles.append(index)
        self._found: dict[tuple[str | None, str | None], tuple[Role, ...]] = {}
        self._role: dict[tuple[str | None, str | None, int | None], Role | None] = {}
        self._ranges: dict[tuple[str | None, str | None], list[int]] = {}
        self._pro_rata: dict[tuple[Decimal | None, Decimal | None, int | None], str | None] = {}

    def pro_rata(self, row: EstimateRow) -> str | None:
        """:func:`pro_rata_reason` for a row, remembered per (salary, FTE, range): two
        rules ask it of every row, and a team repeats the same figures. None without a
        salary or pay ranges."""
        memo = (row.current_salary, row.fte, row.range)
        if memo in self._pro_rata:
            return self._pro_rata[memo]
        found = self._pro_rata[memo] = (
            None if self.pay is None or row.current_salary is None
            else pro_rata_reason(row.current_salary, row.fte, row.range, self.pay))
        return found

    def key(self, text: str | None) -> str:
        if not text:
            return ""
        k = self._keys.get(text)
        if k is None:
            k = self._keys[text] = norm_key(text)
        return k

    def named(self, row: EstimateRow) -> list[int]:
        """Indexes of the frameworks the row's Framework column names (name or job family)."""
        return self._by_name.get(self.key(row.framework), [])

    def searched(self, row: EstimateRow) -> list[int]:
        """The frameworks a row's job title is looked up in: the one its Framework column
        names, else all of them."""
        return self.named(row) or list(range(len(self.frameworks)))

    def roles(self, row: EstimateRow) -> list[Role]:
        """Every role with the row's job title in the searched frameworks."""
        return list(self._roles_of(row))

    def _roles_of(self, row: EstimateRow) -> tuple[Role, ...]:
        """:meth:`roles`, remembered per (Framework, Job title) text: the answer depends
        on nothing else, and a team's rows share a handful of titles."""
        memo = (row.framework, row.job_title)
        found = self._found.get(memo)
        if found is None:
            k = self.key(row.job_title)
            found = self._found[memo] = tuple(
                r for i in self.searched(row) for r in self._roles[i].get(k, ()))
        return found

    def _ranges_of(self, row: EstimateRow) -> list[int]:
        """The ranges (sorted, each once) of the roles :meth:`roles` finds for a row,
        remembered like them. Callers must not change the list."""
        memo = (row.framework, row.job_title)
        ranges = self._ranges.get(memo)
        if ranges is None:
            ranges = self._ranges[memo] = sorted({r.range for r in self._roles_of(row) if r.range})
        return ranges

    def role_for(self, row: EstimateRow) -> Role | None:
        """The framework role of a row: by job title and range (any range when blank or
        when no role has that range)."""
        memo = (row.framework, row.job_title, row.range)
        if memo in self._role:
            return self._role[memo]
        roles = self._roles_of(row)
        found = roles[0] if roles else None
        for role in roles:
            if row.range is None or role.range == row.range:
                found = role
                break
        self._role[memo] = found
        return found


def role_for(row: EstimateRow, frameworks: Sequence[Framework]) -> Role | None:
    """The framework role of a row: by job title and range (any range when blank)."""
    return EstimatesContext(frameworks=list(frameworks)).role_for(row)


# ----------------------------------------------------------------------------- codes

MISSING = declare(
    "EST-MISSING", "Missing value",
    "A required column is blank on an employee row.",
    "{column} is blank; fill it in for every employee",
    ERROR, group=GROUP, policy="Appendix K",
)
BAD_VALUE = declare(
    "EST-BAD-VALUE", "Unreadable value",
    "A value cannot be read as what its column holds; the message says what was expected.",
    "{column}: {expected}",
    ERROR, group=GROUP, policy="Appendix K",
)
BAD_LEVEL = declare(
    "EST-BAD-LEVEL", "Level not A, B or C",
    "A current or estimated level is not A, B or C (or names another range than the row's).",
    "{column}: {expected}",
    ERROR, group=GROUP, policy="7.14",
)
DUPLICATE_ID = declare(
    "EST-DUPLICATE-ID", "Duplicate employee ID",
    "The same employee ID is on more than one row; reported on every row that has it.",
    "Employee ID {employee_id} is on {count} rows ({rows}); each employee must appear once",
    ERROR, group=GROUP, policy="Appendix K",
)
UNKNOWN_JOB = declare(
    "EST-UNKNOWN-JOB", "Job title not in the framework",
    "The job title is not a role in the framework(s) the estimates are checked against.",
    "Job title '{title}' is not in {where}{hint}",
    ERROR, group=GROUP, policy="Appendix K",
)
RANGE_MISMATCH = declare(
    "EST-RANGE-MISMATCH", "Range does not match the role",
    "The Range given for a row is not the range of its job title in the framework, or is "
    "blank where the title exists at several ranges.",
    "{problem}",
    ERROR, group=GROUP, policy="7.14",
)
BELOW_CURRENT = declare(
    "EST-BELOW-CURRENT", "Estimated level below current",
    "The estimated level is lower than the current level. The salary is honoured only "
    "when the estimated level's pay point is below the current salary.",
    "Estimated level {estimated} is below the current level {current}; {honouring}",
    WARNING, group=GROUP, policy="Appendix K",
)
LEVEL_JUMP = declare(
    "EST-LEVEL-JUMP", "More than one level above current",
    "The estimated level is more than one level above the current level.",
    "Estimated level {estimated} is {steps} levels above the current level {current}; "
    "check the evidence supports skipping a level",
    WARNING, group=GROUP, policy="Appendix K stage 5",
)
SALARY_OUTSIDE = declare(
    "EST-SALARY-OUTSIDE", "Salary outside the role's range",
    "The current (full-time) salary is below the start or above the top of the role's "
    "pay range.",
    "Current salary £{salary} is {side} range {range} (£{low} to £{high}); check the "
    "salary is the full-time annual figure and the range is right",
    WARNING, group=GROUP, policy="7.14",
)
PRO_RATA_SALARY = declare(
    "EST-PRO-RATA-SALARY", "Salary entered pro rata",
    "A part-time employee's salary looks like the pro-rata figure (FTE x a pay point of "
    "the range, within £1, or below the bottom of the range): the costing applies the "
    "FTE itself, so the salary must be the full-time figure.",
    "Current salary £{salary} at FTE {fte} {why}; enter the full-time salary; FTE is "
    "applied by the costing",
    ERROR, group=GROUP, policy="Appendix K",
)
BAD_FTE = declare(
    "EST-BAD-FTE", "FTE not in (0, 1]",
    "The full-time equivalent must be more than 0 and at most 1.",
    "FTE {fte} is not more than 0 and at most 1; write 1 for full time, 0.5 for half time",
    ERROR, group=GROUP, policy="Appendix K",
)
FUTURE_DATE = declare(
    "EST-FUTURE-DATE", "Date in the future",
    "A start date in post, date at current level or previous request date is after the "
    "as-of date.",
    "{column} {date} is after {as_of}; it cannot be in the future",
    ERROR, group=GROUP, policy="Appendix K",
)
LEVEL_BEFORE_START = declare(
    "EST-LEVEL-BEFORE-START", "Date at level before start in post",
    "The date at the current level is earlier than the start date in post.",
    "Date at current level {level_date} is before the start date in post {start}; an "
    "employee reaches a level in this post on or after starting it",
    ERROR, group=GROUP, policy="7.28",
)
CASUAL = declare(
    "EST-CASUAL", "Casual contract",
    "Casual staff are not usually assessed under the scheme (policy 2.2).",
    "Casual staff are not usually assessed under the MedPay scheme (policy 2.2); keep "
    "this row only if the employee has a {months}-month working aggregate",
    WARNING, group=GROUP, policy="2.2",
)
UNKNOWN_FRAMEWORK = declare(
    "EST-UNKNOWN-FRAMEWORK", "Framework not loaded",
    "The Framework column names a framework that is not among those checked against.",
    "Framework '{name}' is not one of the frameworks checked against ({known}); the job "
    "title was looked up in all of them",
    WARNING, group=GROUP, policy="Appendix K",
)

ESTIMATES: Checker[EstimatesRead, EstimatesContext] = Checker("estimates")

_LEVEL_FIELDS = ("current_level", "estimated_level")


# ----------------------------------------------------------------------------- rules


@ESTIMATES.rule(MISSING)
def missing_values(read: EstimatesRead, ctx: EstimatesContext) -> Iterator[Finding]:
    """Required columns blank (a column absent altogether is EST-MISSING-COLUMN once)."""
    for row in read.rows:
        for fld in REQUIRED:
            if getattr(row, fld) is not None:
                continue  # the common case first; the order of these tests is immaterial
            if fld == "appraisal_outcome" and row.long_absence:
                continue  # 6.16: no appraisal outcome is required after a long absence
            cell = row.cells.get(fld)
            if cell is None or cell in read.uncached or (row.row, fld) in read.errors:
                continue
            yield MISSING.at(row.source(fld), column=column_header(read, fld))


@ESTIMATES.rule(BAD_VALUE, BAD_LEVEL)
def unreadable_values(read: EstimatesRead, ctx: EstimatesContext) -> Iterator[Finding]:
    """Values the parsers refused, with what was expected (level fields: EST-BAD-LEVEL),
    and cells showing an Excel error (#N/A, #DIV/0!: EST-BAD-VALUE in any column - the
    cell holds no level at all)."""
    by_row = {r.row: r for r in read.rows}
    for (rownum, fld), expected in sorted(read.errors.items()):
        row = by_row.get(rownum)
        if row is None:
            continue
        code = (BAD_LEVEL if fld in _LEVEL_FIELDS and not expected.startswith(EXCEL_ERROR_LEAD)
                else BAD_VALUE)
        yield code.at(row.source(fld), column=column_header(read, fld), expected=expected)


@ESTIMATES.rule(DUPLICATE_ID)
def duplicate_ids(read: EstimatesRead, ctx: EstimatesContext) -> Iterator[Finding]:
    """Each employee once per file; the finding is on EVERY row sharing the ID."""
    seen: dict[str, list[EstimateRow]] = {}
    for row in read.rows:
        if row.employee_id:
            seen.setdefault(ctx.key(row.employee_id) or row.employee_id, []).append(row)
    for rows in seen.values():
        if len(rows) > 1:
            listed = ", ".join(str(r.row) for r in rows)
            for row in rows:
                yield DUPLICATE_ID.at(row.source("employee_id"), employee_id=row.employee_id,
                                      count=len(rows), rows=listed)


@ESTIMATES.rule(UNKNOWN_JOB, UNKNOWN_FRAMEWORK)
def job_titles(read: EstimatesRead, ctx: EstimatesContext) -> Iterator[Finding]:
    """The job title must be a role in the framework(s) (Appendix K: estimates are made
    against the final draft framework)."""
    if not ctx.frameworks:
        return
    known_names = sorted({fw.name for fw in ctx.frameworks})
    for row in read.rows:
        if row.framework and not ctx.named(row):
            yield UNKNOWN_FRAMEWORK.at(row.source("framework"), name=row.framework,
                                       known=", ".join(known_names))
        if not row.job_title:
            continue
        if ctx._roles_of(row):
            continue
        fws = [ctx.frameworks[i] for i in ctx.searched(row)]
        titles = sorted({r.title for fw in fws for r in fw.roles})
        close = difflib.get_close_matches(row.job_title, titles, n=1, cutoff=0.6)
        if not close:
            lowered = {t.lower(): t for t in titles}
            close = [lowered[c] for c in difflib.get_close_matches(
                row.job_title.lower(), list(lowered), n=1, cutoff=0.6)]
        where = (f"the framework '{fws[0].name}'" if len(fws) == 1
                 else "any of the frameworks " + ", ".join(f"'{fw.name}'" for fw in fws))
        hint = f"; did you mean '{close[0]}'?" if close else "; use the drop-down list of job titles"
        yield UNKNOWN_JOB.at(row.source("job_title"), title=row.job_title, where=where, hint=hint)


@ESTIMATES.rule(RANGE_MISMATCH)
def ranges_match_roles(read: EstimatesRead, ctx: EstimatesContext) -> Iterator[Finding]:
    """The Range column must be the range of the job title (policy 7.14: each job has one
    pay range); a title used at several ranges needs the Range filled in."""
    if not ctx.frameworks:
        return
    for row in read.rows:
        if not row.job_title or (row.row, "range") in read.errors:
            continue
        ranges = ctx._ranges_of(row)
        if not ranges:
            continue  # unknown title (EST-UNKNOWN-JOB) or a role without a range
        if row.range is None:
            if len(ranges) > 1 and "range" in row.cells:
                listed = " or ".join(str(r) for r in ranges)
                yield RANGE_MISMATCH.at(row.source("range"), problem=(
                    f"Range is blank and '{row.job_title}' exists at ranges {listed}; "
                    "write the range"))
            continue
        if row.range not in ranges:
            listed = " or ".join(str(r) for r in ranges)
            yield RANGE_MISMATCH.at(row.source("range"), problem=(
                f"Range {row.range} does not match '{row.job_title}', which is range "
                f"{listed} in the framework"))


@ESTIMATES.rule(BELOW_CURRENT, LEVEL_JUMP)
def level_steps(read: EstimatesRead, ctx: EstimatesContext) -> Iterator[Finding]:
    """Appendix K, salary honouring: "If members of the team are assessed at a lower level
    than they are currently paid, their salary will be honoured." The policy says nothing
    about moving up more than one level at once; the warning follows the framework design
    rule of Appendix K stage 5 (each level's evidence builds on the previous one: "a
    minimum of XX months ... working at the previous level"), so an A -> C estimate is
    worth a second look, not an error."""
    for row in read.rows:
        cur, est = row.current_level, row.estimated_level
        if cur is None or est is None:
            continue
        if read.errors and any((row.row, f) in read.errors for f in _LEVEL_FIELDS):
            continue
        if est.rank < cur.rank:
            yield BELOW_CURRENT.at(row.source("estimated_level"), estimated=est.value,
                                   current=cur.value, honouring=_honouring(row, ctx))
        elif est.rank - cur.rank > 1:
            yield LEVEL_JUMP.at(row.source("estimated_level"), estimated=est.value,
                                current=cur.value, steps=est.rank - cur.rank)


def _honouring(row, ctx: EstimatesContext) -> str:
    """What a lower level means for pay: honoured only when the pay point is below the
    current salary (:func:`addin.core.costing.is_honoured`, the one home of "honoured")."""
    if (ctx.pay is None or row.current_salary is None or row.range is None
            or row.range not in ctx.pay.ranges):
        return ("the salary is honoured if the level's pay point is below the current "
                "salary (Appendix K, salary honouring)")
    point = ctx.pay.pay_point(row.range, row.estimated_level)
    if is_honoured(point, row.current_salary):
        return (f"its pay point £{_money(point)} is below the current salary "
                f"£{_money(row.current_salary)}, so if confirmed the salary will be honoured "
                "(Appendix K, salary honouring)")
    return (f"its pay point £{_money(point)} is not below the current salary "
            f"£{_money(row.current_salary)}, so no salary is honoured")


@functools.lru_cache(maxsize=4096)
def _money(value: Decimal) -> str:
    """An amount as a message shows it, half-up (:func:`addin.core.money.format_amount`).
    Memoised: the text depends on the amount's value alone (equal Decimals round to the
    same penny), and a batch's messages repeat the same pay points and salaries; the
    salary warnings' formatting was most of their rules' cost (issue 21's profile)."""
    return format_amount(value, trim_zero_pence=True)


_POUND = Decimal(1)


def pro_rata_reason(salary: Decimal, fte: Decimal | None, range_: int | None,
                    pay: PaySettings) -> str | None:
    """Why a part-time row's salary looks entered pro rata, or None. The template asks for
    the full-time salary (the costing multiplies by FTE); a salary within £1 of FTE x a
    pay point of the row's range, or below the bottom of the range while FTE < 1, is the
    pro-rata figure (£14,193.60 at 0.6 FTE is 0.6 x £23,656, range 2 level A)."""
    if fte is None or not (0 < fte < 1) or range_ is None or range_ not in pay.ranges:
        return None
    pr = pay.ranges[range_]
    for level, point in (("A", pr.a), ("B", pr.b), ("C", pr.c)):
        if abs(salary - fte * point) <= _POUND:
            return (f"is FTE x the range {range_} level {level} pay point "
                    f"£{_money(point)}")
    if salary < pr.a:
        return f"is below the bottom of range {range_} (£{_money(pr.a)})"
    return None


@ESTIMATES.rule(PRO_RATA_SALARY)
def salary_full_time(read: EstimatesRead, ctx: EstimatesContext) -> Iterator[Finding]:
    """The salary column is the full-time salary (template: "Current annual FULL-TIME
    salary"); a pro-rata figure would be costed twice pro rata."""
    if ctx.pay is None:
        return
    for row in read.rows:
        if row.current_salary is None or row.fte is None:  # no FTE: pro_rata_reason says None
            continue
        why = ctx.pro_rata(row)
        if why:
            yield PRO_RATA_SALARY.at(row.source("current_salary"),
                                     salary=_money(row.current_salary),
                                     fte=f"{row.fte.normalize():f}", why=why)


@ESTIMATES.rule(SALARY_OUTSIDE)
def salary_in_range(read: EstimatesRead, ctx: EstimatesContext) -> Iterator[Finding]:
    """Pay ranges (Settings workbook; 7.14: Level A is the start and Level C the top of
    the pay range). A salary already reported as pro rata is not reported again."""
    if ctx.pay is None:
        return
    for row in read.rows:
        if row.current_salary is None or row.range is None or row.range not in ctx.pay.ranges:
            continue
        if ctx.pro_rata(row):
            continue
        pr = ctx.pay.ranges[row.range]
        side = ("below the start of" if row.current_salary < pr.a
                else "above the top of" if row.current_salary > pr.c else None)
        if side:
            yield SALARY_OUTSIDE.at(row.source("current_salary"), salary=_money(row.current_salary),
                                    side=side, range=row.range, low=_money(pr.a), high=_money(pr.c))


@ESTIMATES.rule(BAD_FTE)
def fte_in_bounds(read: EstimatesRead, ctx: EstimatesContext) -> Iterator[Finding]:
    for row in read.rows:
        if row.fte is not None and not (0 < row.fte <= 1):
            yield BAD_FTE.at(row.source("fte"), fte=f"{row.fte.normalize():f}")


@ESTIMATES.rule(FUTURE_DATE, LEVEL_BEFORE_START)
def dates_make_sense(read: EstimatesRead, ctx: EstimatesContext) -> Iterator[Finding]:
    """Dates cannot be after the as-of date; the current level is reached in post
    (policy 7.28: new appointees are appointed at a level A, B or C)."""
    for row in read.rows:
        for fld in ("start_date", "date_at_level", "previous_request"):
            d = getattr(row, fld)
            if d is not None and d > ctx.as_of:
                yield FUTURE_DATE.at(row.source(fld), column=column_header(read, fld),
                                     date=uk_date(d), as_of=uk_date(ctx.as_of))
        if row.start_date and row.date_at_level and row.date_at_level < row.start_date:
            yield LEVEL_BEFORE_START.at(row.source("date_at_level"),
                                        level_date=uk_date(row.date_at_level), start=uk_date(row.start_date))


@ESTIMATES.rule(CASUAL)
def casual_contracts(read: EstimatesRead, ctx: EstimatesContext) -> Iterator[Finding]:
    """Policy 2.2: "Casual staff are not usually subject to MedPay scheme assessment.
    Normally, an individual will be required to have achieved a six-month working
    aggregate to be assessed against the Career Progression Framework." """
    if ctx.pay is None:  # a context for role look-ups only: no Settings, no limit to cite
        return
    settings = ctx.pay
    for row in read.rows:
        if is_casual(row.contract_type):
            yield CASUAL.at(row.source("contract_type"),
                            months=casual_aggregate_required(settings))


# ----------------------------------------------------------------------------- entry point


def _moves_up(row: EstimateRow) -> bool:
    """A pay change follows only when the estimate is above the current level."""
    cur, est = row.current_level, row.estimated_level
    return cur is not None and est is not None and est.rank > cur.rank


def _row_problems(read: EstimatesRead, findings: Sequence[Finding]
                  ) -> tuple[dict[int, list[str]], dict[int, set[str]]]:
    """Per row number: the cells of the errors found on it (in column order), and the
    fields whose cell could not be read (unparseable, an Excel error, a formula without
    a saved value)."""
    cells: dict[int, set[str]] = {}
    for f in findings:
        if f.severity is not ERROR or not f.cell or f.sheet != read.sheet:
            continue
        try:
            r, _ = parse_a1(f.cell)
        except ValueError:
            continue
        if read.header_row is None or r > read.header_row:
            cells.setdefault(r, set()).add(f.cell)
    ordered = {r: sorted(found, key=lambda c: parse_a1(c)[1]) for r, found in cells.items()}
    unreadable: dict[int, set[str]] = {}
    for r, fld in read.errors:
        unreadable.setdefault(r, set()).add(fld)
    if read.uncached:
        for row in read.rows:
            for fld, cell in row.cells.items():
                if cell in read.uncached:
                    unreadable.setdefault(row.row, set()).add(fld)
    return ordered, unreadable


def eligibility_rows(
    read: EstimatesRead, ctx: EstimatesContext, findings: Sequence[Finding] | None = None,
) -> list[dict[str, Any]]:
    """Eligibility per row from the rules engine (policy 7.22, 7.28, 2.2): eligible or
    not with every reason, and - for an eligible row estimated above its current level -
    the date the pay change would take effect (7.16/7.20).

    ``findings`` are the reader's and the rules' findings (None: found here). A row with
    an error at any of its cells is not eligible: its first reason lists the cells to
    correct (a value that cannot be read or is not valid - an unknown job title, FTE 0,
    a date in the future - cannot decide eligibility), and the other reasons follow.
    """
    pay = ctx.pay
    if pay is None:  # every caller (app.validate, the forms) gives the pay settings
        raise ValueError("eligibility needs the pay settings: EstimatesContext(pay=...)")
    if findings is None:
        findings = [*read.findings, *check_estimates(read, ctx)]
    error_cells, unreadable = _row_problems(read, findings)
    rows: list[dict[str, Any]] = []
    next_date: dt.date | None = None
    for row in read.rows:
        role = ctx.role_for(row)
        result = assess_row(row, role, ctx.as_of, pay,
                            unreadable=unreadable.get(row.row, ()),
                            error_cells=error_cells.get(row.row, ()))
        status = result.status
        assert status is not None  # EligibilityResult.__post_init__ always sets it
        effective = None
        if result.eligible and _moves_up(row):
            # 7.16/7.20: applied as of the next 1 January or 1 July, never backdated
            if next_date is None:
                next_date = next_effective_date(ctx.as_of, pay.settings)
            effective = next_date
        rows.append({
            "row": row.row,
            "employee_id": row.employee_id,
            "eligible": bool(result.eligible),
            "status": status.value,
            # a Reason's message (str() only for anything else: as a getattr default it
            # would format every Reason's repr for nothing)
            "reasons": [r.message if hasattr(r, "message") else str(r) for r in result.reasons],
            "effective_date": effective.isoformat() if effective else None,
        })
    return rows


def check_estimates(read: EstimatesRead, ctx: EstimatesContext) -> list[Finding]:
    """Run every rule over what was read (the reader's own findings not included)."""
    return ESTIMATES.run(read, ctx)


__all__ = [
    "ESTIMATES", "EstimatesContext", "check_estimates", "eligibility_rows", "role_for",
]
