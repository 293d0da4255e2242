"""The one parser of framework time-at-level phrases (Experience criteria, 7.22)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from addin.core.model import Level
from addin.core.timeatlevel import TimeRequirement, find_time_references, parse_time_requirement


@pytest.mark.parametrize("text, months, range_, level", [
    ("Minimum of 12 months at 3A", 12, 3, Level.A),
    ("Minimum of 12 months at 3A with satisfactory performance.", 12, 3, Level.A),
    ("18 months satisfactory experience at level B", 18, None, Level.B),
    ("For career progression applications 18 months satisfactory experience at level 3B "
     "to progress, evidenced by performance appraisal documents.", 18, 3, Level.B),
    ("2 years' experience", 24, None, None),
    ("A minimum of 2 years\u2019 experience in a similar role.", 24, None, None),
    ("a minimum of 3 years' experience in a similar role", 36, None, None),
    ("one year", 12, None, None),
    ("a year at level C", 12, None, Level.C),
    ("6 months", 6, None, None),
    ("18 months at level 3B", 18, 3, Level.B),
    ("eighteen months at Level 4 A", 18, 4, Level.A),
    ("Minimum 12 mths at 3a", 12, 3, Level.A),
    ("1.5 years at 5B", 18, 5, Level.B),
    ("twelve months as a 3A", 12, 3, Level.A),
    # 'in a similar role': lower-case 'a' is an article, not level A
    ("12 months in a similar role", 12, None, None),
])
def test_parse_time_requirement(text, months, range_, level):
    req = parse_time_requirement(text)
    assert req is not None
    assert (req.months, req.range, req.level) == (months, range_, level)
    assert req.text in " ".join(text.split())


@pytest.mark.parametrize("text", [
    "", None, "Application form criteria met. Interview assessment.",
    "within 5 working days", "Refer to page 9", "Level 3 in Business Administration",
])
def test_no_time_requirement(text):
    assert parse_time_requirement(text) is None
    assert find_time_references(text) == []


def test_find_time_references_returns_all_in_order():
    text = ("A minimum of 2 years' experience in a similar role. Minimum of 18 months at 3A "
            "with satisfactory performance. 18 months satisfactory experience at level 3B.")
    assert [(r.months, r.code) for r in find_time_references(text)] == [
        (24, None), (18, "3A"), (18, "3B")]
    # the FIRST is what parse_time_requirement gives
    assert parse_time_requirement(text).months == 24


def test_text_spread_over_lines_is_one_phrase():
    req = parse_time_requirement("Minimum of 12\nmonths at\n3A")
    assert req == TimeRequirement(12, 3, Level.A, "12 months at 3A")


WORDS = {1: "one", 2: "two", 3: "three", 6: "six", 12: "twelve", 18: "eighteen"}


@given(
    n=st.integers(min_value=1, max_value=60),
    years=st.booleans(),
    words=st.booleans(),
    prefix=st.sampled_from(["", "Minimum of ", "A minimum of ", "At least "]),
    filler=st.sampled_from(["", " satisfactory experience", " with good performance"]),
    rng=st.one_of(st.none(), st.integers(min_value=2, max_value=8)),
    level=st.one_of(st.none(), st.sampled_from(list(Level))),
    level_word=st.booleans(),
)
def test_parser_round_trips_generated_phrases(n, years, words, prefix, filler, rng, level,
                                              level_word):
    qty = WORDS[n] if words and n in WORDS else str(n)
    unit = ("year" if n == 1 else "years") if years else ("month" if n == 1 else "months")
    text = f"{prefix}{qty} {unit}"
    if level is not None:
        at = f"level {rng or ''}{level.value}" if level_word else f"{rng or ''}{level.value}"
        text += f"{filler} at {at}"
    text += " to progress."
    req = parse_time_requirement(text)
    assert req is not None
    assert req.months == n * (12 if years else 1)
    assert req.level == level
    assert req.range == (rng if level is not None else None)


@given(st.text(max_size=200))
def test_parser_never_crashes_and_months_are_positive(text):
    for req in find_time_references(text):
        assert req.months > 0
        assert req.text


@pytest.mark.parametrize("text, range_, letter, phrase", [
    ("Minimum of 12 months at 3D", 3, "D", "12 months at 3D"),
    ("Minimum of 12 months at 3d with satisfactory performance.", 3, "D", "12 months at 3d"),
    ("18 months satisfactory experience at level D", None, "D", "18 months satisfactory "
     "experience at level D"),
    ("12 months at Range 4 level E", 4, "E", "12 months at Range 4 level E"),
])
def test_a_level_letter_other_than_abc_is_found_with_its_months(text, range_, letter, phrase):
    # Policy 7.14 has only levels A, B and C; the parser still finds "at 3D" so that
    # framework validation can report the level that does not exist (FW-UNKNOWN-TIME-LEVEL).
    [req] = find_time_references(text)
    assert (req.months, req.range, req.level, req.unknown_level) == (
        int(phrase.split()[0]), range_, None, letter)
    assert req.text == phrase
    assert req.position == f"{range_ or ''}{letter}"
    assert parse_time_requirement(text).months == req.months


@pytest.mark.parametrize("text", [
    "18 months in 3D printing", "12 months at 3 dogs' homes", "6 months at 10am meetings",
])
def test_words_that_only_look_like_a_level_d_are_no_level(text):
    [req] = find_time_references(text)
    assert (req.level, req.unknown_level, req.range) == (None, None, None)
