"""Eligibility rules: 7.28, 7.22, the framework's time at level, 2.2."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from addin.core.eligibility import assess_row, check_eligibility, required_months_for
from addin.core.model import Criterion, CriterionText, EstimateRow, Level, Role
from tests.rules_fixtures import PAY, SETTINGS

AS_OF = dt.date(2025, 6, 1)
GOOD = dict(as_of=AS_OF, probation_passed=True, start_date=dt.date(2020, 1, 6),
            capability=False, appraisal_outcome="Met", months_at_level=24,
            required_months=12, settings=SETTINGS)


def check(**changes):
    return check_eligibility(**{**GOOD, **changes})


def test_everything_in_order_is_eligible():
    result = check()
    assert result.eligible is True
    assert result.reasons == []


@pytest.mark.parametrize("changes, code", [
    # 7.22: probation not passed, however long in post
    (dict(probation_passed=False), "probation"),
    # 7.28: no probation in this role and only 5 whole months in post (1 Jan -> 1 Jun is 5)
    (dict(probation_passed=None, start_date=dt.date(2025, 1, 2)), "probation"),
    (dict(capability=True), "capability"),
    (dict(appraisal_outcome="Not met"), "appraisal"),
    (dict(months_at_level=11, required_months=12), "time-at-level"),
    (dict(contract_type="Casual", casual_aggregate_months=5), "casual"),
    (dict(contract_type="Casual", casual_aggregate_months=None), "casual"),
    (dict(appraisal_outcome=None), "missing-data"),
    (dict(capability=None), "missing-data"),
    (dict(probation_passed=None, start_date=None), "missing-data"),
    (dict(months_at_level=None), "missing-data"),
])
def test_each_rule_fails_with_its_code(changes, code):
    result = check(**changes)
    assert result.eligible is False
    assert result.codes == [code]


@pytest.mark.parametrize("changes", [
    # 7.28: six whole months in post is enough with no probation in this role (blank or
    # N/A: None) (1 Dec -> 1 Jun = 6)
    dict(probation_passed=None, start_date=dt.date(2024, 12, 1)),
    dict(appraisal_outcome="Exceeded"),
    dict(appraisal_outcome=" met "),
    dict(months_at_level=12, required_months=12),  # exactly the minimum
    dict(months_at_level=None, required_months=None),  # framework states no minimum
    dict(contract_type="Casual", casual_aggregate_months=6),
    dict(contract_type="Permanent", casual_aggregate_months=None),
])
def test_boundaries_that_pass(changes):
    assert check(**changes).eligible is True


def test_every_failed_reason_is_returned_not_just_the_first():
    result = check(probation_passed=False, start_date=dt.date(2025, 3, 1), capability=True,
                   appraisal_outcome="Not met", months_at_level=3, required_months=18,
                   contract_type="Casual", casual_aggregate_months=2)
    assert result.codes == ["probation", "capability", "appraisal", "time-at-level", "casual"]
    messages = [r.message for r in result.reasons]
    assert messages == [
        "Probation not passed; the employee must have passed their probation period to be "
        "considered for progression (7.22)",
        "Subject to the performance capability procedure; progression needs the employee "
        "not to be subject to performance capability (7.22)",
        "Appraisal outcome is 'Not met'; progression needs appraisal objectives Met or "
        "Exceeded (7.22)",
        "3 months at the current level; the framework requires a minimum of 18 months "
        "before this step (framework Experience criterion, Appendix K stage 5)",
        "Casual working aggregate is 2 months; casual staff need a 6-month working "
        "aggregate to be assessed (2.2)",
    ]
    assert [r.policy for r in result.reasons] == ["7.22", "7.22", "7.22", "Appendix K stage 5",
                                                  "2.2"]


def test_missing_data_reasons_name_the_field():
    result = check(capability=None, appraisal_outcome="")
    assert [(r.code, r.field) for r in result.reasons] == [
        ("missing-data", "capability"), ("missing-data", "appraisal_outcome")]


def _pa_role() -> Role:
    """The Personal Assistant (range 3) Experience texts of the BES framework."""
    exp = {
        Level.A: "Application form criteria met. Interview assessment and scenario-based "
                 "assessment.",
        Level.B: "Minimum of 12 months at 3A with satisfactory performance. Evidenced by "
                 "personal records and/or performance appraisal documents",
        Level.C: "For career progression applications 18 months satisfactory experience at "
                 "level 3B to progress, evidenced by performance appraisal documents.",
    }
    return Role("Personal Assistant", 3,
                criteria={lv: {Criterion.EXPERIENCE: CriterionText(t)} for lv, t in exp.items()})


@pytest.mark.parametrize("current, target, months", [
    (Level.A, Level.B, 12),   # the 3B Experience text: "Minimum of 12 months at 3A"
    (Level.B, Level.C, 18),   # the 3C text: "18 months satisfactory experience at level 3B"
    (Level.A, Level.C, 18),   # the target's text is what counts
    (Level.B, Level.B, None),  # no step
    (Level.C, Level.B, None),
])
def test_required_months_for_reads_the_target_level_experience(current, target, months):
    assert required_months_for(_pa_role(), current, target) == months


def _row(**kw) -> EstimateRow:
    base = dict(file="team.xlsx", sheet="Estimates", row=5, employee_id="E1",
                current_salary=Decimal("25584"), fte=Decimal("1"), range=3,
                contract_type="Permanent", start_date=dt.date(2020, 1, 6),
                probation_passed=True, capability=False, appraisal_outcome="Met",
                current_level=Level.A, estimated_level=Level.B)
    return EstimateRow(**{**base, **kw})


def test_assess_row_counts_whole_months_at_level_against_the_framework():
    # 2 Jun 2024 -> 1 Jun 2025 is 11 whole months: one short of "12 months at 3A".
    short = assess_row(_row(date_at_level=dt.date(2024, 6, 2)), _pa_role(), AS_OF, PAY)
    assert short.codes == ["time-at-level"]
    assert short.reasons[0].message.startswith("11 months at the current level; the framework "
                                               "requires a minimum of 12 months")
    # 1 Jun 2024 -> 1 Jun 2025 is 12: eligible.
    assert assess_row(_row(date_at_level=dt.date(2024, 6, 1)), _pa_role(), AS_OF, PAY).eligible


def test_assess_row_without_a_role_skips_the_time_rule():
    assert assess_row(_row(date_at_level=None), None, AS_OF, PAY).eligible


def test_assess_row_casual_needs_an_aggregate_column():
    row = _row(contract_type="Casual", date_at_level=dt.date(2020, 1, 6))
    assert assess_row(row, _pa_role(), AS_OF, PAY).codes == ["casual"]
    row.extra["Casual working aggregate (months)"] = 7
    assert assess_row(row, _pa_role(), AS_OF, PAY).eligible


def test_a_level_d_time_reference_still_counts_its_months_for_eligibility():
    # The parser now finds "at 3D" (a level policy 7.14 does not have) for framework
    # validation; eligibility reads only the months, so the step still needs 12 months.
    role = _pa_role()
    role.criteria[Level.B][Criterion.EXPERIENCE] = CriterionText("Minimum of 12 months at 3D.")
    assert required_months_for(role, Level.A, Level.B) == 12
    short = assess_row(_row(date_at_level=dt.date(2024, 6, 2)), role, AS_OF, PAY)
    assert short.codes == ["time-at-level"]
    assert assess_row(_row(date_at_level=dt.date(2024, 6, 1)), role, AS_OF, PAY).eligible


def test_a_two_level_jump_cannot_meet_time_required_at_the_skipped_level():
    """3C asks for "18 months satisfactory experience at level 3B": someone at 3A has
    served no time at 3B, however long they have been at A (it used to count their 5
    years at A against the 18 months and call the A -> C jump eligible)."""
    row = _row(current_level=Level.A, estimated_level=Level.C, date_at_level=dt.date(2020, 1, 6))
    result = assess_row(row, _pa_role(), AS_OF, PAY)
    assert result.codes == ["time-at-level"]
    assert result.reasons[0].message == (
        "The framework requires a minimum of 18 months at 3B before this step and the "
        "employee is at level A, so that time cannot have been served yet (framework "
        "Experience criterion, Appendix K stage 5)")
    # the same text for a B -> C step is measured at B, the current level
    at_b = _row(current_level=Level.B, estimated_level=Level.C, date_at_level=dt.date(2023, 12, 1))
    assert assess_row(at_b, _pa_role(), AS_OF, PAY).eligible


def test_time_required_at_a_level_already_passed_is_not_measured_by_the_current_level():
    """A C text asking for "12 months at 3A" cannot be checked from the date someone
    reached B (they left A already): the rule is not applied rather than misapplied."""
    role = _pa_role()
    role.criteria[Level.C][Criterion.EXPERIENCE] = CriterionText("Minimum of 12 months at 3A.")
    row = _row(current_level=Level.B, estimated_level=Level.C, date_at_level=dt.date(2025, 5, 1))
    assert assess_row(row, role, AS_OF, PAY).eligible
