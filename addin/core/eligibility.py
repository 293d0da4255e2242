"""Who may apply to progress: the eligibility rules of the PPP policy, as pure functions.

Policy (MedPay PPP policy, shared/seeds/001):

* 7.22 "In addition to be considered for in role progression, the employee must: have
  passed their probation period, and not be subject to performance capability, and have
  met their appraisal objectives." (appraisal outcome Met or Exceeded, Appendix B).
* 7.28 "Employees new to role will not be able to submit a progression assessment until
  they have passed their probation period or completed a minimum 6 months in post."
  (the 6 is "Minimum months in post for new appointees" in Settings). Read together
  with 7.22 (the safer reading): probation **No** (not passed) is never eligible, however
  long in post; the "6 months in post" route is for those with no probation in this role
  (internal movers), recorded as probation blank or **N/A**.
* 6.16 "Where the employee has not been present at work for a significant period of the
  performance appraisal review period, it may not be appropriate to review their previous
  performance": a long-term absence needs no appraisal outcome, and eligibility is then
  neither yes nor no but :attr:`Eligible.MANAGER_TO_DECIDE`.
* 7.21 "The earliest an individual can submit another request is the next window": a
  previous request in the current window makes the row not eligible until the next one
  (:func:`addin.core.paycalendar.resubmission_opens` / :func:`~addin.core.paycalendar.next_window`).
* Time at level: each framework's Experience criterion, e.g. the Personal Assistant's 3B
  "Minimum of 12 months at 3A" (parsed by :mod:`addin.core.timeatlevel`). The policy states no
  time at level itself; the framework states it as Appendix K stage 5 asks ("a minimum
  of XX months of satisfactory performance working at the previous level").
* 2.2 "Casual staff are not usually subject to MedPay scheme assessment. Normally, an
  individual will be required to have achieved a six-month working aggregate" (the six is
  "Casual staff working aggregate (months)" in Settings; :func:`is_casual` and
  :func:`casual_aggregate_required` are the one home of the rule).

:func:`check_eligibility` returns EVERY failed reason, not just the first, each with a
stable ``code`` and a message citing the policy section. A row whose values could not all
be read or checked (errors reported at its cells) is never eligible: eligibility cannot
be decided from values that are wrong, so the first reason says which cells to correct,
and the other reasons are still given.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from addin.core.findings import Reason, declare_reason, iter_reasons
from addin.core.model import Criterion, EstimateRow, Level, PaySettings, Role
from addin.core.parsing import parse_months
from addin.core.paycalendar import months_between, next_window, resubmission_opens
from addin.core.text import norm_key
from addin.core.timeatlevel import TimeRequirement, parse_time_requirement
from addin.core.ukdates import uk_date

_months_between = lru_cache(maxsize=8192)(months_between)
""":func:`addin.core.paycalendar.months_between`, memoised: every row asks for the months from
its dates to the same as-of date, and a batch repeats the same dates many times."""

__all__ = [
    "NOT_GIVEN",
    "REASON_CODES",
    "UNREADABLE",
    "Eligible",
    "EligibilityResult",
    "Reason",
    "assess_row",
    "casual_aggregate_required",
    "check_eligibility",
    "is_casual",
    "required_months_for",
    "time_requirement_for",
    "row_errors_reason",
]

# The reason codes, each declared once (title, description, message templates, policy);
# the README's table of eligibility reasons is generated from these declarations.
PROBATION_REASON = declare_reason(
    "probation", "Probation not passed",
    "probation **No** is never eligible, however long in post (7.22 \"must have passed "
    "their probation period\"); probation blank or **N/A** (no probation in this role: "
    "internal movers) needs at least \"Minimum months in post\" (6) whole months in post "
    "(7.28). Safer reading of 7.28's \"or ... 6 months in post\"",
    "Probation not passed; the employee must have passed their probation period to be "
    "considered for progression (7.22)",
    policy="7.22, 7.28",
    variants={"in-post": "{state} and {in_post} in post; without a probation passed, a "
                         "minimum of {minimum} months in post is needed (7.28)"})
CAPABILITY_REASON = declare_reason(
    "capability", "Subject to capability",
    "not subject to the performance capability procedure (7.22)",
    "Subject to the performance capability procedure; progression needs the employee not "
    "to be subject to performance capability (7.22)", policy="7.22")
APPRAISAL_REASON = declare_reason(
    "appraisal", "Appraisal objectives not met",
    "appraisal outcome Met or Exceeded (7.22, Appendix B)",
    "Appraisal outcome is '{outcome}'; progression needs appraisal objectives Met or "
    "Exceeded (7.22)", policy="7.22, Appendix B")
TIME_AT_LEVEL_REASON = declare_reason(
    "time-at-level", "Not enough time at level",
    "whole months at the current level >= the minimum in the role's Experience text at the "
    "*target* level (e.g. the PA's 3B \"Minimum of 12 months at 3A\"); when that text "
    "names a level above the current one (an A -> C jump whose 3C text asks for \"18 months "
    "... at level 3B\") the time cannot have been served and the rule fails",
    "{months} at the current level; the framework requires a minimum of {required} months "
    "before this step (framework Experience criterion, Appendix K stage 5)",
    policy="Appendix K stage 5",
    variants={"higher-level": "The framework requires a minimum of {required} months at {at} "
                              "before this step and the employee is at level {level}, so that "
                              "time cannot have been served yet (framework Experience "
                              "criterion, Appendix K stage 5)"})
CASUAL_REASON = declare_reason(
    "casual", "Casual working aggregate",
    "casual staff only with the working aggregate of \"Casual staff working aggregate "
    "(months)\" in Settings (2.2; `is_casual` / `casual_aggregate_required`, the one home "
    "the EST-CASUAL warning also calls)",
    "Casual working aggregate is {months} months; casual staff need a {need}-month working "
    "aggregate to be assessed (2.2)", policy="2.2",
    variants={"no-aggregate": "Casual staff need a {need}-month working aggregate to be "
                              "assessed, and {given} (2.2)"})
RESUBMISSION_REASON = declare_reason(
    "resubmission", "Requested in the current window",
    "a *Previous request date* in the current window: not eligible until the next window; "
    "the reason names the previous request date and the date the next window opens, from "
    "`paycalendar.resubmission_opens` / `next_window` (7.21)",
    "A previous request was made on {previous}, in the current window; the earliest "
    "another request can be submitted is the next window, from {opens} (pay change "
    "{pay_change}) (7.21)", policy="7.21")
LONG_ABSENCE_REASON = declare_reason(
    "long-absence", "Long-term absence: manager to decide",
    "*Long-term absence* Yes: no appraisal outcome is required and, when no other rule "
    "fails, the status is \"Manager to decide (6.16)\" (6.16: \"it may not be appropriate "
    "to review their previous performance\")",
    "Long-term absence during the appraisal review period: no appraisal outcome is "
    "required and the manager decides whether a progression request can be considered "
    "(6.16)", policy="6.16")
MISSING_DATA_REASON = declare_reason(
    "missing-data", "Value needed is missing",
    "a value needed for a rule is blank or cannot be read; names the field and the rule's "
    "policy section",
    "{what} {why}, so eligibility cannot be confirmed ({policy})",
    policy="7.22, 7.28, Appendix K stage 5",
    variants={"probation-and-start": "Whether probation has been passed {probation_why} and "
                                     "the start date in post {start_why}, so eligibility "
                                     "cannot be confirmed (7.28)"})
ROW_ERRORS_REASON = declare_reason(
    "row-errors", "Errors on the row",
    "the row has errors at its cells: nothing on it can be relied on until they are "
    "corrected, so it is never eligible; lists the cells (Appendix K stage 8)",
    "Cannot be assessed until the errors on this row are corrected ({cells})",
    policy="Appendix K")

PROBATION = PROBATION_REASON.code
CAPABILITY = CAPABILITY_REASON.code
APPRAISAL = APPRAISAL_REASON.code
TIME_AT_LEVEL = TIME_AT_LEVEL_REASON.code
CASUAL = CASUAL_REASON.code
RESUBMISSION = RESUBMISSION_REASON.code
LONG_ABSENCE = LONG_ABSENCE_REASON.code
MISSING_DATA = MISSING_DATA_REASON.code
ROW_ERRORS = ROW_ERRORS_REASON.code
REASON_CODES = tuple(r.code for r in iter_reasons())
NOT_GIVEN = "is not given"
UNREADABLE = "could not be read"
"""Why an input is unknown: blank, or its cell holds a value that cannot be read."""

PASSING_OUTCOMES = ("met", "exceeded")
"""Appendix B outcomes that satisfy 7.22 "have met their appraisal objectives"."""


class Eligible(enum.Enum):
    """The answer to "may this employee apply to progress?": yes, no, or - for a long-term
    absence (6.16) - neither: the manager decides. ``value`` is what the forms and
    reports show in their Eligible column. Truthy only for :attr:`YES`."""

    YES = "Yes"
    NO = "No"
    MANAGER_TO_DECIDE = "Manager to decide (6.16)"

    def __bool__(self) -> bool:
        return self is Eligible.YES


@dataclass(frozen=True)
class EligibilityResult:
    """``eligible`` is True only when :attr:`status` is :attr:`Eligible.YES` (callers
    that ask a yes/no question keep working: "manager to decide" is not a yes);
    ``status`` tells NO from MANAGER_TO_DECIDE (defaults from ``eligible``)."""

    eligible: bool
    reasons: list[Reason] = field(default_factory=list)
    status: Eligible | None = None

    def __post_init__(self) -> None:
        if self.status is None:
            object.__setattr__(self, "status", Eligible.YES if self.eligible else Eligible.NO)
        object.__setattr__(self, "eligible", self.status is Eligible.YES)

    @property
    def codes(self) -> list[str]:
        return [r.code for r in self.reasons]

    def summary(self) -> str:
        if self.eligible:
            return "Eligible"
        return "; ".join(r.message for r in self.reasons)


def is_casual(contract_type: str | None) -> bool:
    """Policy 2.2 applies to casual staff ('Casual', 'Casual worker', ...)."""
    return contract_type is not None and norm_key(contract_type).startswith("casual")


def casual_aggregate_required(settings) -> int:
    """Policy 2.2's "six-month working aggregate", read from Settings ("Casual staff
    working aggregate (months)"); ``settings`` is a :class:`Settings` or
    :class:`PaySettings`."""
    return getattr(settings, "settings", settings).casual_aggregate_months


def _missing(what: str, field_name: str, policy: str, why: str = NOT_GIVEN) -> Reason:
    return MISSING_DATA_REASON.reason(what=what, why=why, policy=policy, field=field_name)


def _plural_months(n: int | Decimal) -> str:
    return f"{n} month{'s' if n != 1 else ''}"


def row_errors_reason(cells: Sequence[str]) -> Reason:
    """The reason of a row with errors at its cells: nothing on it can be relied on until
    they are corrected (Appendix K, stage 8: the estimates are checked and corrected before
    assessment)."""
    listed = ", ".join(cells)
    return ROW_ERRORS_REASON.reason(cells=f"cell{'s' if len(cells) != 1 else ''} {listed}")


def check_eligibility(
    *,
    as_of: dt.date,
    probation_passed: bool | None,
    start_date: dt.date | None,
    capability: bool | None,
    appraisal_outcome: str | None,
    months_at_level: int | None,
    required_months: int | None,
    contract_type: str | None = None,
    casual_aggregate_months: int | Decimal | None = None,
    settings,
    long_absence: bool | None = None,
    previous_request: dt.date | None = None,
    unknown: Mapping[str, str] | None = None,
    error_cells: Sequence[str] = (),
    current_level: Level | None = None,
    required_level: Level | None = None,
    required_at: str | None = None,
) -> EligibilityResult:
    """Apply 7.22/7.28, the framework's time at level, 2.2 and 7.21; return every failed
    reason (and 6.16's "manager to decide").

    ``probation_passed``: True passed; False not passed (never eligible, 7.22); None
    blank or N/A - no probation in this role, so 7.28's minimum months in post apply.
    ``long_absence`` (6.16): no appraisal outcome is required, and when no other rule
    fails the result is :attr:`Eligible.MANAGER_TO_DECIDE` (neither yes nor no).
    ``previous_request`` (7.21): the date of a previous request; while ``as_of`` is
    before :func:`addin.core.paycalendar.resubmission_opens` of it the row is not eligible.

    ``settings`` is a :class:`Settings` or :class:`PaySettings`. ``required_months`` is
    the framework's stated minimum for the step (None: the framework states none, so the
    rule passes). Unknown inputs give a ``missing-data`` reason naming the field; a
    known failure gives the rule's own code. ``unknown`` says why a None input is unknown
    (field name -> :data:`UNREADABLE`, ...; default :data:`NOT_GIVEN`). A start date in
    post or a date at level after ``as_of`` counts no months (never a negative count).
    ``error_cells``: the cells of the errors found on the row; when there are any the
    row is not eligible and the first reason (``row-errors``) lists them.
    ``required_level``/``required_at`` (e.g. B, "3B"): the level the framework measures
    the required months at, when it names one. A level above ``current_level`` cannot
    have been served yet (an A -> C step whose C text asks for "18 months at level 3B"),
    so the rule fails whatever the months at the current level; a level below it was
    passed already, so the date at the current level cannot measure it and the rule
    is not applied.
    """
    s = getattr(settings, "settings", settings)
    why = unknown or {}
    reasons: list[Reason] = [row_errors_reason(error_cells)] if error_cells else []

    # 7.22: "have passed their probation period" - No is never eligible (however long in
    # post). 7.28's "or completed a minimum 6 months in post" is the route for someone
    # with no probation in this role (internal movers): probation blank or N/A.
    probation_why = why.get("probation_passed", NOT_GIVEN)
    if probation_passed is False:
        reasons.append(PROBATION_REASON.reason(policy="7.22", field="probation_passed"))
    elif probation_passed is None:
        start_why: str | None = None
        if start_date is None:
            in_post = None
            start_why = why.get("start_date", NOT_GIVEN)
        elif start_date > as_of:
            in_post = None
            start_why = f"({uk_date(start_date)}) is after {uk_date(as_of)}"
        else:
            in_post = _months_between(start_date, as_of)
        if in_post is not None and in_post >= s.min_months_in_post:
            pass
        elif in_post is None:
            if probation_why == NOT_GIVEN and start_why == NOT_GIVEN:
                reasons.append(_missing("Whether probation has been passed (or the start date)",
                                        "probation_passed", "7.28"))
            else:
                reasons.append(MISSING_DATA_REASON.reason(
                    "probation-and-start", probation_why=probation_why, start_why=start_why,
                    policy="7.28", field="probation_passed"))
        else:
            state = ("Whether probation has been passed could not be read"
                     if probation_why == UNREADABLE else "No probation recorded in this role")
            reasons.append(PROBATION_REASON.reason(
                "in-post", state=state, in_post=_plural_months(in_post),
                minimum=s.min_months_in_post, policy="7.28", field="probation_passed"))

    # 7.22: not subject to performance capability.
    if capability is None:
        reasons.append(_missing("Whether the employee is in the capability procedure",
                                "capability", "7.22", why.get("capability", NOT_GIVEN)))
    elif capability:
        reasons.append(CAPABILITY_REASON.reason(field="capability"))

    # 7.22: have met their appraisal objectives (Appendix B outcome Met or Exceeded);
    # 6.16: after a long-term absence no appraisal outcome is required (see below).
    if long_absence:
        pass
    elif appraisal_outcome is None or not str(appraisal_outcome).strip():
        reasons.append(_missing("The appraisal outcome", "appraisal_outcome", "7.22",
                                why.get("appraisal_outcome", NOT_GIVEN)))
    elif norm_key(appraisal_outcome) not in PASSING_OUTCOMES:
        reasons.append(APPRAISAL_REASON.reason(outcome=appraisal_outcome, policy="7.22",
                                               field="appraisal_outcome"))

    # Framework Experience criterion: time at the current level.
    measured_elsewhere = (required_level is not None and current_level is not None
                          and required_level != current_level)
    if (required_months is not None and required_months > 0 and measured_elsewhere
            and required_level is not None and current_level is not None
            and required_level.rank > current_level.rank):
        reasons.append(TIME_AT_LEVEL_REASON.reason(
            "higher-level", required=required_months,
            at=required_at or "level " + required_level.value, level=current_level.value,
            field="estimated_level"))
    elif required_months is not None and required_months > 0 and not measured_elsewhere:
        level_why = why.get("date_at_level", NOT_GIVEN)
        if months_at_level is not None and months_at_level < 0:
            months_at_level, level_why = None, "is in the future"
        if months_at_level is None:
            reasons.append(_missing("The date at the current level", "date_at_level",
                                    "framework Experience criterion, Appendix K stage 5",
                                    level_why))
        elif months_at_level < required_months:
            reasons.append(TIME_AT_LEVEL_REASON.reason(
                months=_plural_months(months_at_level), required=required_months,
                field="date_at_level"))

    # 2.2: casual staff only with a six-month working aggregate.
    if is_casual(contract_type):
        need = casual_aggregate_required(s)
        if casual_aggregate_months is None:
            given = ("the aggregate given could not be read"
                     if why.get("casual_aggregate") == UNREADABLE else "none is recorded")
            reasons.append(CASUAL_REASON.reason("no-aggregate", need=need, given=given,
                                                field="contract_type"))
        elif casual_aggregate_months < need:
            reasons.append(CASUAL_REASON.reason(months=casual_aggregate_months, need=need,
                                                field="contract_type"))

    # 7.21: "The earliest an individual can submit another request is the next window."
    if previous_request is not None:
        opens = resubmission_opens(previous_request, s)
        if as_of < opens:
            reasons.append(RESUBMISSION_REASON.reason(
                previous=uk_date(previous_request), opens=uk_date(opens),
                pay_change=uk_date(next_window(previous_request, s)), field="previous_request"))

    # 6.16: a long-term absence leaves the decision to the manager, unless another rule
    # already says no.
    if long_absence and not reasons:
        return EligibilityResult(eligible=False, status=Eligible.MANAGER_TO_DECIDE, reasons=[
            LONG_ABSENCE_REASON.reason(field="long_absence")])
    return EligibilityResult(eligible=not reasons, reasons=reasons)


def required_months_for(role: Role, current: Level, target: Level) -> int | None:
    """Months at ``current`` the framework requires before moving to ``target``.

    Read from the role's Experience text at the TARGET level (Appendix K stage 5: the
    evidence states "a minimum of XX months ... at the previous level", e.g. 3B's
    "Minimum of 12 months at 3A"); the first time
    requirement there counts. None when ``target`` is not above ``current`` or the text
    states no time. Cheap on every row: the Experience text's parse is memoised by text
    in :mod:`addin.core.timeatlevel` (keyed by the text, not the role, so a role whose
    criteria are edited never gets a stale answer).
    """
    req = time_requirement_for(role, current, target)
    return req.months if req else None


def time_requirement_for(role: Role, current: Level, target: Level) -> TimeRequirement | None:
    """The time requirement (months and, when named, the range and level they are
    measured at) the role's Experience text at ``target`` states for a step from
    ``current``; None when ``target`` is not above ``current`` or no time is stated."""
    if target.rank <= current.rank:
        return None
    return parse_time_requirement(role.text(target, Criterion.EXPERIENCE))


def _casual_aggregate(row: EstimateRow) -> Decimal | None:
    """The casual working aggregate in months (policy 2.2): the reader's
    ``casual_aggregate`` column ("Casual working aggregate (months)" and its aliases),
    else an unrecognised column whose header mentions an aggregate, kept in ``extra``
    (numbers as Excel stores them, 8.0, and text such as "8" or "8 months")."""
    if row.casual_aggregate is not None:
        return row.casual_aggregate
    for header, value in row.extra.items():
        if "aggregate" in norm_key(header):
            try:
                return parse_months(value)
            except ValueError:
                return None
    return None


def assess_row(row: EstimateRow, role: Role | None, as_of: dt.date,
               pay: PaySettings, *, unreadable: Collection[str] = (),
               error_cells: Sequence[str] = ()) -> EligibilityResult:
    """Eligibility of one level-estimate row (used by the estimates validation and batch).

    Months at level are whole months from ``row.date_at_level`` to ``as_of`` (none when
    that date is after ``as_of``); the required months come from the role's framework
    (:func:`time_requirement_for`: the months and the level they are measured at) when the role and both levels are known.
    ``unreadable``: the fields whose cell holds a value that could not be read (their
    reasons say so rather than "not given"); ``error_cells``: the cells of the errors
    found on the row (see :func:`check_eligibility`).
    """
    unknown = dict.fromkeys(unreadable, UNREADABLE) if unreadable else {}
    months = None
    date_at_level = row.date_at_level
    if date_at_level:
        if date_at_level > as_of:
            unknown["date_at_level"] = f"({uk_date(date_at_level)}) is after {uk_date(as_of)}"
        else:
            months = _months_between(date_at_level, as_of)
    required = required_level = required_at = None
    if role is not None and row.current_level and row.estimated_level:
        req = time_requirement_for(role, row.current_level, row.estimated_level)
        if req is not None:
            required = req.months
            # a level named in this role's own range (or with no range) is measured at
            # that level; a reference to another range's role is left to the months
            if req.level is not None and req.range in (None, row.range, role.range):
                required_level, required_at = req.level, req.code
    return check_eligibility(
        as_of=as_of,
        probation_passed=row.probation_passed,
        start_date=row.start_date,
        capability=row.capability,
        appraisal_outcome=row.appraisal_outcome,
        months_at_level=months,
        required_months=required,
        contract_type=row.contract_type,
        casual_aggregate_months=_casual_aggregate(row),
        settings=pay,
        long_absence=row.long_absence,
        previous_request=row.previous_request,
        unknown=unknown,
        error_cells=error_cells,
        current_level=row.current_level,
        required_level=required_level,
        required_at=required_at,
    )
