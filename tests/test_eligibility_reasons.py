"""Eligibility reasons are declared codes (issue 18, one home per rule): each reason code
is declared once in addin/core/eligibility.py (title, description, message template,
policy), every reason check_eligibility gives is one of them, and the docs' table of
reasons (docs/reference/rules.md) is generated from the declarations."""

from __future__ import annotations

from pathlib import Path

import pytest

from addin.core.eligibility import REASON_CODES, check_eligibility
from addin.core.findings import REASONS, declare_reason
from tests.test_eligibility import GOOD  # the all-pass inputs of the eligibility tests
from tools.codes_table import eligibility_reasons_markdown
from tools.docs_gen import RULES_PAGE, read_block

ROOT = Path(__file__).resolve().parent.parent


def test_every_reason_code_is_declared_once_with_title_description_template_and_policy():
    assert REASON_CODES == ("probation", "capability", "appraisal", "time-at-level", "casual",
                            "resubmission", "long-absence", "missing-data", "row-errors")
    for code in REASON_CODES:
        decl = REASONS[code]
        assert decl.title and decl.description and decl.template and decl.policy
        assert decl.group == "eligibility"
    with pytest.raises(ValueError, match="declared twice"):
        declare_reason("probation", "t", "d", "m", policy="7.22")


def test_a_reason_message_is_its_declared_template_filled():
    res = check_eligibility(**{**GOOD, "appraisal_outcome": "Not met", "capability": True})
    by_code = {r.code: r for r in res.reasons}
    assert by_code["appraisal"].message == (
        "Appraisal outcome is 'Not met'; progression needs appraisal objectives Met or "
        "Exceeded (7.22)")
    assert by_code["appraisal"].message == REASONS["appraisal"].message(outcome="Not met")
    assert by_code["capability"].message == REASONS["capability"].template
    assert by_code["appraisal"].field == "appraisal_outcome"
    assert by_code["appraisal"].policy == "7.22"  # the section this instance cites


def test_docs_eligibility_reasons_table_is_generated_from_the_declarations():
    block = (read_block(RULES_PAGE.read_text(encoding="utf-8"), "eligibility-reasons") or "").strip()
    assert block == eligibility_reasons_markdown().strip(), "run scripts/gen_docs"
    for code in REASON_CODES:
        assert f"| `{code}` | {REASONS[code].title} |" in block
