"""Framework validation: the "Designing CPFs" rules (Appendix K) over the Appendix H grid.

A :class:`~addin.core.findings.Checker` named "framework" holds one small rule per policy rule.
Each works on the plain :class:`~addin.core.model.Framework` (no Excel here) and points its
findings at the cell the text came from (``CriterionText.source``), so the same findings
drive the command-line table, the JSON output and the annotated feedback copy.

``addin.app.validate.validate_framework`` = the reader's structural findings (no table, missing level
column, missing criterion row; declared in :mod:`addin.office.xlsx.frameworks`) + these rules.

The policy text quoted below is from the MedPay PPP policy (shared/seeds/001), Appendix K
"Designing Career Progression Frameworks: Guidance for Managers" (listed as Appendix J in
the policy's contents), stage 4, with the Appendix H template grid and Appendix I guide.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from addin.core.findings import ERROR, WARNING, Checker, Finding, declare
from addin.core.model import (
    CRITERIA,
    LEVELS,
    MAX_RANGE,
    MIN_RANGE,
    Criterion,
    CriterionText,
    Framework,
    Level,
    Role,
)
from addin.core.text import norm_key
from addin.core.timeatlevel import find_time_references

GROUP = "framework"
POLICY_K = "Appendix K"

DEFAULT_VAGUE_WORDS: tuple[str, ...] = (
    "good", "very good", "excellent", "outstanding", "exceptional", "adequate",
    "sufficient", "reasonable", "appropriate", "strong", "solid", "sound", "high standard",
    "high quality", "very well", "significant", "extensive", "proven", "basic", "thorough",
    "above average", "effective",
)
"""Words "open to interpretation" (Appendix K stage 4: "avoid terms like "good" or
"excellent""; the policy names only those two, the rest are the same kind of term: they
say how much or how well without saying what must be shown). Matched as whole words:
"effective" does not match "effectiveness", "effectively" or "cost-effective", "basic" not
"basics". Replace the list with ``--vague-words``."""

REPEAT_RATIO = 0.9
"""Two levels' texts whose normalised forms are at least this similar (difflib) repeat."""


@dataclass
class FrameworkContext:
    """What the rules need besides the framework: the configurable vague-word list."""

    vague_words: Sequence[str] = DEFAULT_VAGUE_WORDS
    _vague_re: re.Pattern[str] | None = field(default=None, init=False, repr=False)

    @property
    def vague_re(self) -> re.Pattern[str] | None:
        if self._vague_re is None and self.vague_words:
            words = sorted({w.strip().lower() for w in self.vague_words if w.strip()},
                           key=len, reverse=True)
            alts = "|".join(r"\s+".join(map(re.escape, w.split())) for w in words)
            self._vague_re = re.compile(rf"(?<![\w-])({alts})(?![\w-])", re.IGNORECASE)
        return self._vague_re


FRAMEWORK: Checker[Framework, FrameworkContext] = Checker("framework")


# ---------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------


def cells(role: Role) -> Iterator[tuple[Level, Criterion, CriterionText]]:
    """Every criterion cell the reader found for a role, level by level."""
    for level in LEVELS:
        for crit in CRITERIA:
            item = role.criteria.get(level, {}).get(crit)
            if item is not None:
                yield level, crit, item


def normalise(text: str) -> str:
    """Case, punctuation, bullets and whitespace removed, for comparing two levels' text.

    >>> normalise("• Provide   3 examples;\\n- evidenced BY line-manager.")
    'provide 3 examples evidenced by line manager'
    """
    text = text.lower().replace("•", " ")
    text = re.sub(r"[^\w\s]|_", " ", text)
    return " ".join(text.split())


_NONE_IN_ADDITION = re.compile(
    r"(?:none|nothing|no further requirements?|no additional requirements?)(?: further| more)?"
    r" in addition to (?:the )?(?:levels? )?[abc](?: (?:and|or) (?:level )?[abc])?(?: level)?")


def is_none_in_addition(text: str) -> bool:
    """The explicit "nothing more at this level" statement, normalised: "None in addition to
    level A", "None in addition to levels A and B" (the wording of the Appendix H captions
    "In addition to level A" / "In addition to levels A and B", answered "none").

    >>> [is_none_in_addition(t) for t in ("None in addition to level A.",
    ...  "• NONE in addition to levels A and B", "None in addition to level A; 12 months")]
    [True, True, False]
    """
    return _NONE_IN_ADDITION.fullmatch(normalise(text)) is not None


def _valid_range(role: Role) -> bool:
    return role.range is not None and MIN_RANGE <= role.range <= MAX_RANGE


def _short(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3].rstrip() + "..."


def _title(role: Role) -> str:
    return role.title or "(no job title)"


def _role_name(role: Role) -> str:
    return f"{_title(role)} (Range {role.range})" if role.range is not None else _title(role)


# ---------------------------------------------------------------------------------------
# Structure (Appendix H)
# ---------------------------------------------------------------------------------------

EMPTY_CRITERION = declare(
    "FW-EMPTY-CRITERION",
    "Empty criterion cell",
    "A Qualifications/Knowledge/Experience/Skills cell of a role holds no text (if a level "
    "adds nothing to Qualifications, Knowledge or Skills, write 'None in addition to level "
    "A'; Experience at B and C states the time instead).",
    "{criterion} at level {level} of '{role}' is empty; {hint}",
    ERROR,
    group=GROUP,
    policy="Appendix H",
)


@FRAMEWORK.rule(EMPTY_CRITERION)
def empty_criterion(fw: Framework, ctx: FrameworkContext) -> Iterator[Finding]:
    """Appendix H: every level of every role states Qualifications, Knowledge, Experience
    and Skills ("Required for this level ..." / "In addition to level A"). Appendix K
    stage 4: "use of language is very important in the CPF as it must be clear and
    transparent, so employees know what they need to do to reach the next level" - an
    empty cell leaves the employee guessing whether something is missing or nothing more is
    needed. (A missing criterion ROW is the reader's FW-MISSING-CRITERION.)

    The hint offers "None in addition to level A" (the Appendix H caption "In addition to
    level A", answered) for Qualifications, Knowledge and Skills, but not for Experience at
    B and C: there Appendix K asks for a timeframe ("Lack of clarity on timeframes e.g. how
    long would it generally take to move between each level"; stage 5 "a minimum of XX
    months of satisfactory performance working at the previous level"), so "None in
    addition" would itself be FW-EXPERIENCE-NO-TIMEFRAME and the hint asks for the time."""
    for role in fw.roles:
        for level, crit, item in cells(role):
            if not item.text.strip():
                prev = level.previous()
                if prev is None:
                    hint = "write what is required at entry"
                elif crit is Criterion.EXPERIENCE:
                    at = f"{role.range}{prev.value}" if _valid_range(role) else \
                        f"level {prev.value}"
                    hint = (f"write the time needed at level {prev.value}, e.g. "
                            f"'Minimum of 12 months at {at} with satisfactory performance'")
                else:
                    hint = (f"write what is required in addition to level {prev.value}, or "
                            f"'None in addition to level {prev.value}'")
                yield EMPTY_CRITERION.at(item.source, criterion=crit.value, level=level.value,
                                         role=_role_name(role), hint=hint)


MISSING_TITLE = declare(
    "FW-MISSING-TITLE",
    "Role without a job title",
    "A role block has criteria or a range but its Job Title cell is empty.",
    "The role block at Range {range} has no job title; write the job title in this cell",
    ERROR,
    group=GROUP,
    policy="Appendix H",
)


@FRAMEWORK.rule(MISSING_TITLE)
def missing_title(fw: Framework, ctx: FrameworkContext) -> Iterator[Finding]:
    """Appendix H: every block begins with its Job Title; the reader keeps a block whose
    title cell is blank (title "") so that this rule can point at it."""
    for role in fw.roles:
        if not role.title.strip():
            raw = role.range_raw
            shown = str(role.range) if role.range is not None else (
                "(blank)" if raw is None else str(raw))
            yield MISSING_TITLE.at(role.source, range=shown)


BAD_RANGE = declare(
    "FW-BAD-RANGE",
    "Range not 2-8",
    "A role's Range is blank or not a whole number from 2 to 8 (reported at the Range "
    "cell).",
    "Range of '{role}' is {value}; write a whole number from 2 to 8 (e.g. 'Range 3')",
    ERROR,
    group=GROUP,
    policy="Pay ranges (Settings)",
)


@FRAMEWORK.rule(BAD_RANGE)
def bad_range(fw: Framework, ctx: FrameworkContext) -> Iterator[Finding]:
    """Every role sits in exactly one pay range, and the ranges are those of the pay
    ranges workbook (Settings: Range 2 to Range 8, ``MIN_RANGE``/``MAX_RANGE``). Not a
    policy rule: Appendix H's grid shows Ranges 2 to 7 only, and 7.14 defines the levels
    within a range, not which ranges exist. Reported at the Range cell (the title cell when the table has
    no Range column)."""
    for role in fw.roles:
        if role.range is None or not MIN_RANGE <= role.range <= MAX_RANGE:
            raw = role.range_raw
            value = "blank" if raw is None else "'" + " ".join(str(raw).split()) + "'"
            src = role.range_source if role.range_source.cell else role.source
            yield BAD_RANGE.at(src, value=value, role=_title(role))


DUPLICATE_ROLE = declare(
    "FW-DUPLICATE-ROLE",
    "Duplicate role",
    "Two roles have the same job title and range (reported at the second).",
    "'{role}' at Range {range} is already defined at {first}; give each role one block",
    ERROR,
    group=GROUP,
    policy="Appendix H",
)


@FRAMEWORK.rule(DUPLICATE_ROLE)
def duplicate_role(fw: Framework, ctx: FrameworkContext) -> Iterator[Finding]:
    """Appendix H: one block per job title and range. Two blocks for the same title and
    range would give an employee two different sets of criteria for one level (the
    second block is reported, pointing at the first)."""
    seen: dict[tuple[str, int], Role] = {}
    for role in fw.roles:
        if role.range is None or not norm_key(role.title):
            continue  # untitled blocks are FW-MISSING-TITLE's
        key = (norm_key(role.title), role.range)
        first = seen.get(key)
        if first is None:
            seen[key] = role
            continue
        where = f"{first.source.sheet}!{first.source.cell}" if first.source.sheet else str(first.source)
        yield DUPLICATE_ROLE.at(role.source, role=role.title, range=role.range, first=where)


EMPTY_DUTIES = declare(
    "FW-EMPTY-DUTIES",
    "Role without duties",
    "A role's Duties cell (on its job-title row) is empty, or the table has no Duties "
    "column (then reported at the job title).",
    "'{role}' has no duties; {hint}",
    ERROR,
    group=GROUP,
    policy="Appendix H, " + POLICY_K + " stage 4",
)


@FRAMEWORK.rule(EMPTY_DUTIES)
def empty_duties(fw: Framework, ctx: FrameworkContext) -> Iterator[Finding]:
    """Appendix H: the template's columns are "Job Title | Range | Duties | Level A ...",
    so every role states its duties. Appendix K stage 4: "The details that you specify as
    the progression criteria must correspond with the accountabilities in the job
    profile" - without the duties the criteria have nothing to correspond with, and the
    employee cannot see what the role does. An error at the Duties cell of the role's
    title row; duties written on the rows below it (continuation rows) count. A table with
    no Duties column at all (safer reading: the template's column is required) is
    reported at each role's job-title cell."""
    for role in fw.roles:
        if role.duties.strip():
            continue
        if role.duties_source.cell:
            yield EMPTY_DUTIES.at(role.duties_source, role=_role_name(role),
                                  hint="summarise the role's duties in this cell")
        else:
            yield EMPTY_DUTIES.at(role.source, role=_role_name(role),
                                  hint="the table has no Duties column; add one (Appendix H)")


# ---------------------------------------------------------------------------------------
# Writing rules (Appendix K, stage 4)
# ---------------------------------------------------------------------------------------

VAGUE_WORD = declare(
    "FW-VAGUE-WORD",
    "Vague word",
    "A criterion uses a word open to interpretation: " + ", ".join(DEFAULT_VAGUE_WORDS)
    + " (replace the list with --vague-words a,b,c).",
    "'{word}' is open to interpretation; say what the employee must do or show instead",
    WARNING,
    group=GROUP,
    policy=POLICY_K + " stage 4",
)


@FRAMEWORK.rule(VAGUE_WORD)
def vague_words(fw: Framework, ctx: FrameworkContext) -> Iterator[Finding]:
    """Appendix K stage 4: "use of language is very important in the CPF as it must be
    clear and transparent ... Where you can, avoid terms like "good" or "excellent" as
    these are open to interpretation." One finding per distinct word per cell."""
    pattern = ctx.vague_re
    if pattern is None:
        return
    for role in fw.roles:
        for _level, _crit, item in cells(role):
            seen: set[str] = set()
            for m in pattern.finditer(item.text):
                word = " ".join(m.group(1).lower().split())
                if word not in seen:
                    seen.add(word)
                    yield VAGUE_WORD.at(item.source, word=word)


REPEATED_TEXT = declare(
    "FW-REPEATED-TEXT",
    "Repeats the previous level",
    "A level's text for a criterion repeats the previous level's text after removing case, "
    "punctuation, bullets and spacing, or nearly (difflib ratio >= 0.9, e.g. only '3B' "
    "changed to '3C'); each level must add stretch. 'None in addition to level A' is no "
    "repeat.",
    "{criterion} at level {level} repeats level {previous}'s text ({similarity}% alike); "
    "say what more is required at level {level}",
    WARNING,
    group=GROUP,
    policy=POLICY_K + ' "common mistakes"',
)


@FRAMEWORK.rule(REPEATED_TEXT)
def repeated_text(fw: Framework, ctx: FrameworkContext) -> Iterator[Finding]:
    """Appendix K "Common mistakes to avoid": "Not having enough stretch between the
    levels. Repeating text from previous levels - need to have a greater depth when
    working at a higher range." Texts are compared after removing case, punctuation,
    bullets and spacing; near-duplicates (difflib ratio >= 0.9, e.g. only "3B" changed to
    "3C") count too.

    An explicit "None in addition to level B" (:func:`is_none_in_addition`) is not a
    repeat even after "None in addition to level A": Appendix H heads the B and C columns
    "In addition to level A" / "In addition to levels A and B", so each cell states what is
    added, and "none" is the clear answer when a criterion adds nothing at that level (the
    empty-cell advice of FW-EMPTY-CRITERION). It copies no requirement from the level
    before; the stretch is then in the other criteria. (Experience at B and C still needs
    its timeframe: FW-EXPERIENCE-NO-TIMEFRAME.)"""
    for role in fw.roles:
        for crit in CRITERIA:
            for level in (Level.B, Level.C):
                prev = level.previous()
                assert prev is not None
                here = role.criteria.get(level, {}).get(crit)
                before = role.criteria.get(prev, {}).get(crit)
                if here is None or before is None or is_none_in_addition(here.text):
                    continue
                a, b = normalise(before.text), normalise(here.text)
                if not a or not b:
                    continue
                ratio = 1.0 if a == b else difflib.SequenceMatcher(None, a, b).ratio()
                if ratio >= REPEAT_RATIO:
                    yield REPEATED_TEXT.at(here.source, criterion=crit.value, level=level.value,
                                           previous=prev.value, similarity=int(ratio * 100))


NO_TIMEFRAME = declare(
    "FW-EXPERIENCE-NO-TIMEFRAME",
    "Experience without a timeframe",
    "Experience at level B or C states no time in months or years ('18 months at 3A', "
    "'2 years' experience'); 'None in addition to level A' states none.",
    "Experience at level {level} states no timeframe; say how long, in months or years "
    "(e.g. 'minimum of 18 months at {example}')",
    WARNING,
    group=GROUP,
    policy=POLICY_K + ' "common mistakes", stage 5',
)


@FRAMEWORK.rule(NO_TIMEFRAME)
def experience_timeframe(fw: Framework, ctx: FrameworkContext) -> Iterator[Finding]:
    """Appendix K "Common mistakes to avoid": "Lack of clarity on timeframes e.g. how long
    would it generally take to move between each level"; stage 5: "a minimum of XX months
    of satisfactory performance working at the previous level". Experience at B and C must
    therefore name a time in months or years ("18 months at 3A", "2 years' experience").
    Empty cells are FW-EMPTY-CRITERION's, not reported twice.

    "None in addition to level A" is NOT accepted here, unlike in FW-REPEATED-TEXT: it
    says nothing about how long it takes to move from A to B, which is exactly the
    "lack of clarity on timeframes" Appendix K lists as a mistake. The tool's advice
    (empty-cell hint, Instructions sheet, docs) therefore asks Experience at B and C for
    the time instead of offering "None in addition"."""
    for role in fw.roles:
        for level in (Level.B, Level.C):
            item = role.criteria.get(level, {}).get(Criterion.EXPERIENCE)
            if item is None or not item.text.strip():
                continue
            if not find_time_references(item.text):
                prev = level.previous()
                example = f"{role.range or ''}{prev.value if prev else ''}"
                yield NO_TIMEFRAME.at(item.source, level=level.value, example=example)


WORKING_TOWARDS = declare(
    "FW-WORKING-TOWARDS-NOT-COMPLETED",
    "'Working towards' not completed at the next level",
    "'Working towards X' at level A or B is not stated as completed in the next level's "
    "Qualifications cell (one statement with a completion word and X's key words; reported "
    "at that cell).",
    "Level {level} says 'working towards {qualification}' ({where}) but level {next} does "
    "not state it as completed",
    WARNING,
    group=GROUP,
    policy=POLICY_K + " stage 4",
)

_TOWARDS = re.compile(r"working\s+towards?\s+(?:an?\s+|the\s+)?(?P<q>[^.;\n•]+)", re.I)
_COMPLETED = re.compile(
    r"\b(?:complet\w*|achiev\w*|attain\w*|obtain\w*|award\w*|pass\w*|hold\w*|gained|"
    r"qualified|certificat\w*|certified)\b", re.I)
_QUAL_STOP = frozenset(
    "a an the in of and or to for with equivalent etc any plus 50 percent completed "
    "complete qualification qualifications".split())


def _qualification_words(phrase: str) -> list[str]:
    """The words that name a qualification: 'Level 3 in Business Administration, or
    equivalent / 50% completed' -> ['level', '3', 'business', 'administration']."""
    head = re.split(r",|/|\bor\b|\(", phrase, maxsplit=1)[0]
    return [w for w in normalise(head).split() if w not in _QUAL_STOP]


_CLAUSE_BREAK = re.compile(
    r"[\n;•]|(?<!\bincl)(?<!\binc)(?<!\be\.g)(?<!\bi\.e)(?<!\betc)(?<!\bmin)(?<!\bapprox)"
    r"\.(?:\s+|$)", re.I)


def clauses(text: str) -> list[str]:
    """A cell's text cut into sentences/bullets/lines (not at "incl." or "e.g.").

    >>> clauses("Completed Level 3.\\nWorking towards Level 4; incl. English. • CPD")
    ['Completed Level 3', 'Working towards Level 4', 'incl. English', 'CPD']
    """
    return [c.strip() for c in _CLAUSE_BREAK.split(text) if c.strip()]


def _states_completed(words: Sequence[str], text: str) -> bool:
    """Does one clause of ``text`` state the qualification named by ``words`` as
    completed: a completion word and at least 80% of its key words, in a clause that is
    not itself "working towards" ("Working towards X, 50% completed" completes nothing)?"""
    for clause in clauses(text):
        if _TOWARDS.search(clause) or not _COMPLETED.search(clause):
            continue
        present = set(normalise(clause).split())
        if sum(1 for w in words if w in present) / len(words) >= 0.8:
            return True
    return False


@FRAMEWORK.rule(WORKING_TOWARDS)
def working_towards(fw: Framework, ctx: FrameworkContext) -> Iterator[Finding]:
    """Appendix K stage 4, Qualifications: "If a qualification is not required upon entry
    but may be necessary to progress, then Level B might say "working towards" and Level C
    might be "completed"." A "working towards X" at level A or B must be matched by the
    next level's Qualifications cell stating the SAME qualification completed: one clause
    of that cell with a completion word and X's key words (:func:`_qualification_words`),
    not a completion word anywhere in the next level's four cells. Reported at the next
    level's Qualifications cell, where the statement belongs (a role without that cell is
    the reader's FW-MISSING-CRITERION, not reported again)."""
    for role in fw.roles:
        for level in (Level.A, Level.B):
            nxt = level.next()
            assert nxt is not None
            target = role.criteria.get(nxt, {}).get(Criterion.QUALIFICATIONS)
            if target is None:
                continue
            for crit in CRITERIA:
                item = role.criteria.get(level, {}).get(crit)
                if item is None:
                    continue
                for m in _TOWARDS.finditer(item.text):
                    words = _qualification_words(m.group("q"))
                    if not words or _states_completed(words, target.text):
                        continue
                    yield WORKING_TOWARDS.at(target.source, level=level.value, next=nxt.value,
                                             qualification=_short(m.group("q").strip(" ,")),
                                             where=item.source.cell or "")


GCSE_MISSING = declare(
    "FW-GCSE-REQUIREMENT",
    "Range 3/4 GCSE requirement missing",
    "A Range 3 or Range 4 role does not require a minimum of 5 GCSEs at grades 4-9 (or "
    "equivalent) including English and Maths (any count of 5 or more, in digits or words; "
    "grades 4-9, 9-4, 4+, 4 or above, 4/C or above, A*-C, C or above). Range 2 may ask for "
    "GCSE English/Maths: no finding.",
    "'{role}' is a Range {range} role: its qualifications must require a minimum of 5 GCSEs "
    "at grades 4-9 (or equivalent) including English and Maths; missing: {missing}",
    ERROR,
    group=GROUP,
    policy=POLICY_K + " stage 4",
)

_COUNT_WORDS = {"five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
                "eleven": 11, "twelve": 12, "one": 1, "two": 2, "three": 3, "four": 4}
_N = r"(?P<n>\d{1,2}|" + "|".join(_COUNT_WORDS) + r")"
_GCSE = r"gcse(?:['’]?s)?"
_GCSE_COUNT = re.compile(
    # "5 GCSEs", "five GCSE passes", "6 x GCSE", "5 or more GCSEs", "5 full GCSEs",
    # "5 subjects at GCSE" (not "grade 5 GCSE English": a grade, not a count)
    rf"(?<!grade )(?<!grades )(?<![\w*/-]){_N}\s*(?:x\s*)?(?:\+\s*)?(?:or\s+more\s+)?"
    rf"(?:(?:[a-z]+\s+)?{_GCSE}\b|(?:subjects?|passes)\s+at\s+{_GCSE}\b)"
    # "GCSEs (minimum 5)", "GCSE passes - at least five", "GCSEs: minimum of 5"
    rf"|\b{_GCSE}(?:\s+passes)?\s*[(:,-]?\s*(?:a\s+)?(?:minimum|min\.?|at\s+least)\s*(?:of\s*)?"
    rf"(?P<n2>\d{{1,2}}|{'|'.join(_COUNT_WORDS)})\b",
    re.I,
)
_GRADE_RANGE = (r"(?:4\s*(?:-|–|—|to)\s*9|9\s*(?:-|–|—|to)\s*4|a\s*\*?\s*(?:-|–|—|to)\s*c"
                r"|(?:4|c)(?:\s*/\s*(?:4|c))?\s*(?:\+|(?:or|and)\s+(?:above|higher|better)))")
_GRADES_WORDED = re.compile(rf"\bgrade[sd]?\s*(?:at\s+)?{_GRADE_RANGE}", re.I)
"""A grade wording with the word "grade(s)"/"graded": accepted anywhere in the cell."""
_GRADES_BARE = re.compile(rf"(?<![\w*/]){_GRADE_RANGE}(?![\w/])", re.I)
"""A bare "4-9", "A*-C", "4+", "C or above": accepted in a clause that names GCSEs."""
_GCSE_WORD = re.compile(rf"\b{_GCSE}\b", re.I)
_ENGLISH = re.compile(r"\benglish\b", re.I)
_MATHS = re.compile(r"\bmath(?:s|ematics)?\b", re.I)


def _gcse_count_ok(text: str) -> bool:
    for m in _GCSE_COUNT.finditer(text):
        n = (m.group("n") or m.group("n2")).lower()
        if (_COUNT_WORDS[n] if n in _COUNT_WORDS else int(n)) >= 5:
            return True
    return False


def _gcse_grades_ok(text: str) -> bool:
    return bool(_GRADES_WORDED.search(text)) or any(
        _GRADES_BARE.search(c) for c in clauses(text) if _GCSE_WORD.search(c))


def gcse_missing(text: str) -> list[str]:
    """What a Range 3/4 Qualifications text lacks of "a minimum of 5 GCSE's (grades 4-9)
    or equivalent in English & Maths": any of '5 GCSEs', 'grades 4-9', 'English', 'Maths'.

    A count of five or more in digits or words ("6 GCSEs", "five GCSE passes", "GCSEs
    (minimum 5)"); grades written 4-9 / 9-4 / 4+ / 4 or above / 4/C or above / A*-C / C or
    above (with "grade(s)"/"graded" anywhere, or bare in a clause naming GCSEs); "or
    equivalent" is allowed wherever it is written (it widens the qualification, it does
    not replace the count or the grades).

    >>> gcse_missing("6 GCSEs at grades 4-9 incl. English and Maths")
    []
    >>> gcse_missing("5 GCSEs A*-C (or equivalent) including English and Maths")
    []
    >>> gcse_missing("GCSE certificates to include Maths and English")
    ['5 GCSEs', 'grades 4-9']
    >>> gcse_missing("4 GCSEs at grade 4 or above including Maths")
    ['5 GCSEs', 'English']
    """
    missing = [] if _gcse_count_ok(text) else ["5 GCSEs"]
    if not _gcse_grades_ok(text):
        missing.append("grades 4-9")
    missing += [what for what, rx in (("English", _ENGLISH), ("Maths", _MATHS))
                if not rx.search(text)]
    return missing


@FRAMEWORK.rule(GCSE_MISSING)
def gcse_requirement(fw: Framework, ctx: FrameworkContext) -> Iterator[Finding]:
    """Appendix K stage 4, Qualifications: "R3/R4 roles should always state a requirement
    for a minimum of 5 GCSE's (grades 4-9) or equivalent in English & Maths." (Range 2:
    "this may require a minimum of GCSE or equivalent Maths & English" - no finding.)
    The role's Qualifications at any level must name five (or more) GCSEs, the grades,
    English and Maths (:func:`gcse_missing` lists the wordings accepted); the finding sits
    on level A's Qualifications cell (the entry requirement). A role whose table lacks a
    level column is not judged: the requirement may be in the missing column, and the
    reader's FW-MISSING-LEVEL-COLUMN is the finding."""
    for role in fw.roles:
        if role.range not in (3, 4) or any(lv not in role.criteria for lv in LEVELS):
            continue
        quals = [role.criteria.get(lv, {}).get(Criterion.QUALIFICATIONS) for lv in LEVELS]
        items = [q for q in quals if q is not None]
        if not items:
            continue  # no Qualifications row: the reader's FW-MISSING-CRITERION
        missing = gcse_missing("\n".join(q.text for q in items))
        if missing:
            yield GCSE_MISSING.at(items[0].source, role=_title(role), range=role.range,
                                  missing=", ".join(missing))


MANDATORY_TRAINING = declare(
    "FW-MANDATORY-TRAINING-AS-KNOWLEDGE",
    "Mandatory training listed as Knowledge",
    "A Knowledge cell lists knowledge gained through mandatory training ('mandatory', "
    "GDPR/health and safety/safeguarding ... training or awareness).",
    "Knowledge at level {level} lists mandatory training ('{phrase}'); leave it out - "
    "there is no discretion in attaining it",
    WARNING,
    group=GROUP,
    policy=POLICY_K + " stage 4",
)

_MANDATORY_TOPIC = (
    r"(?:gdpr|data\s+protection|health\s+(?:and|&)\s+safety|fire\s+safety|fire\s+warden|"
    r"safeguarding|equality(?:,)?\s+(?:and|&)?\s*diversity|information\s+governance|"
    r"cyber\s+security|manual\s+handling|first\s+aid)")
_MANDATORY = re.compile(
    r"\b(?:mandatory|compulsory|statutory)\b[^.;\n•]{0,40}|"
    rf"\b{_MANDATORY_TOPIC}\b[^.;\n•]{{0,25}}?"
    r"\b(?:training|e-?learning|course|module|induction|awareness)\b|"
    # "awareness of health and safety", "an awareness of GDPR and data protection"
    rf"\bawareness\s+of\s+(?:the\s+)?(?:council['’]s\s+)?{_MANDATORY_TOPIC}\b",
    re.I,
)


@FRAMEWORK.rule(MANDATORY_TRAINING)
def mandatory_training(fw: Framework, ctx: FrameworkContext) -> Iterator[Finding]:
    """Appendix K stage 4, Knowledge: "Please don't include any knowledge attained
    through mandatory training as there is no discretion for the postholder to attain
    this." Flags "mandatory"/"compulsory"/"statutory" and the usual corporate courses
    (GDPR, health and safety, fire safety, safeguarding, ... training) in Knowledge, and
    the same topics as "awareness" ("awareness of health and safety", "GDPR awareness",
    "equality and diversity awareness"): that awareness is what the mandatory course
    gives. "Awareness" of anything else is not flagged - Appendix K itself expects "an
    awareness of" the published Council Plan at A."""
    for role in fw.roles:
        for level in LEVELS:
            item = role.criteria.get(level, {}).get(Criterion.KNOWLEDGE)
            if item is None:
                continue
            m = _MANDATORY.search(item.text)
            if m:
                yield MANDATORY_TRAINING.at(item.source, level=level.value,
                                            phrase=_short(m.group(0).strip(), 50))


EITHER_OR = declare(
    "FW-QUALIFICATION-OR-EXPERIENCE",
    "Qualification or experience (either/or)",
    "A Qualifications or Experience cell lets experience stand in for a qualification, or "
    "a qualification for experience ('NVQ Level 2 or relevant experience', 'and/or proven "
    "experience', 'experience or a relevant degree').",
    "'{phrase}' makes qualifications and experience an either/or; state the qualification "
    "required here and the experience under Experience",
    WARNING,
    group=GROUP,
    policy=POLICY_K + " stage 4",
)

_OR = r"(?:and\s*/\s*or|or)"
_QUAL_WORD = (r"(?:qualifi\w*|nvq|gcse\w*|a[\s-]levels?|degree|diploma|certificat\w*|"
              r"apprenticeship|hnd|hnc|btec|level\s+[1-8]\b)")
_OR_EXPERIENCE = re.compile(
    rf"\b{_OR}\s+(?:[\w'’-]+\s+){{0,4}}?experience\b", re.I)
"""'or relevant experience', 'and/or proven experience', 'or 2 years' experience'."""
_EXPERIENCE_OR_QUAL = re.compile(
    rf"\bexperience\b[^.;\n•]{{0,60}}?\b{_OR}\s+(?:[\w'’-]+\s+){{0,3}}?{_QUAL_WORD}", re.I)
"""'experience ... or a relevant degree' / 'or NVQ Level 3'."""
_QUAL_IN = re.compile(rf"\b{_QUAL_WORD}", re.I)


def either_or_phrase(text: str, criterion: Criterion) -> str | None:
    """The either/or wording of one cell, or None. In a Qualifications cell any "or ...
    experience" is one (the cell is about qualifications, so it offers experience
    instead); in an Experience cell only when a qualification is named on the other side
    of the "or" in the same clause ("... experience or NVQ Level 3", "NVQ Level 3 or
    relevant experience"): "experience of post or parcels" is no substitute.

    >>> either_or_phrase("NVQ Level 2 or relevant experience", Criterion.QUALIFICATIONS)
    'or relevant experience'
    >>> either_or_phrase("Experience of handling post or parcels", Criterion.EXPERIENCE)
    """
    for clause in clauses(text):
        m = _EXPERIENCE_OR_QUAL.search(clause)
        if m:
            return m.group(0)
        m = _OR_EXPERIENCE.search(clause)
        if m and (criterion is Criterion.QUALIFICATIONS
                  or _QUAL_IN.search(clause[: m.start()])):
            return m.group(0)
    return None


@FRAMEWORK.rule(EITHER_OR)
def qualification_or_experience(fw: Framework, ctx: FrameworkContext) -> Iterator[Finding]:
    """Appendix K stage 4, Qualifications: "Consider what qualifications are necessary to
    be able to undertake the role. Only include those that are essential rather than nice
    to have. Qualifications and experience shouldn't be a substitute, an either / or. It
    may help to think about the knowledge that the postholder requires to undertake the
    job - is this gained from a qualification or through experience? If most knowledge is
    gained from experience then ensure it is reflected in the experience required at each
    of the levels." One warning per cell (:func:`either_or_phrase`), at that cell, for the
    Qualifications and Experience cells (where the substitution is written). "Or
    equivalent" after a qualification ("5 GCSEs or equivalent") names an equivalent
    qualification, not experience, and is not flagged."""
    for role in fw.roles:
        for _level, crit, item in cells(role):
            if crit not in (Criterion.QUALIFICATIONS, Criterion.EXPERIENCE):
                continue
            phrase = either_or_phrase(item.text, crit)
            if phrase:
                yield EITHER_OR.at(item.source, phrase=_short(phrase, 50))


UNKNOWN_POSITION = declare(
    "FW-UNKNOWN-TIME-LEVEL",
    "Time at a level not on the pathway",
    "A time-at-level reference ('12 months at 3A') names a range and level that does not "
    "exist in the framework, or one that is not below the cell's own range and level ('at "
    "level B' means the role's own range).",
    "'{phrase}' refers to {position}, {problem}",
    ERROR,
    group=GROUP,
    policy="Appendix K stage 5, Appendix H, 7.14",
)

_RANGE_DIGIT = re.compile(r"(?<!\d)[2-8](?!\d)")


def _ranges_hinted(role: Role) -> set[int] | None:
    """The ranges a role with a bad or blank Range might be at, from its other signals:
    the digits 2-8 in what was written ("Range 3-4" -> {3, 4}) and the ranges its own
    time references name ("12 months at 3A" -> {3}). None when nothing hints at one."""
    hinted: set[int] = set()
    if isinstance(role.range_raw, str):
        hinted |= {int(d) for d in _RANGE_DIGIT.findall(role.range_raw)}
    for _level, _crit, item in cells(role):
        hinted |= {r.range for r in find_time_references(item.text)
                   if r.range is not None and MIN_RANGE <= r.range <= MAX_RANGE}
    return hinted or None


def _positions(ranges: set[int]) -> str:
    return ", ".join(f"{r}{lv.value}" for r in sorted(ranges) for lv in LEVELS)


@FRAMEWORK.rule(UNKNOWN_POSITION)
def unknown_time_level(fw: Framework, ctx: FrameworkContext) -> Iterator[Finding]:
    """Appendix K stage 5: time is measured "working at the previous level" ("a minimum
    of XX months of satisfactory performance working at the previous level"), and the BES
    framework writes it as "Minimum of 12 months at 3A" (in 3B's Experience). Appendix H
    builds each level on the ones before it ("In addition to level A", "In addition to
    levels A and B"), and Appendix K the ranges on the ones below ("the type of experience
    required at a 4B would be more than at 3C"). Policy 7.14: "There will be 3 competency
    levels within the pay range": A, B and C.

    So a time-at-level reference in a role's cell (any criterion) must name a position
    that (1) exists in the framework: level A, B or C of a range at least one role of the
    framework has (every range has all three levels, 7.14; a missing level column is the
    reader's FW-MISSING-LEVEL-COLUMN, not a missing position), and (2) is below the cell's
    own position: a lower range, or the same range at an earlier level. In a Range 2
    role's level B cell "12 months at 4C" and "12 months at 2B" are wrong and only 2A is
    right; at 3B the valid references are 3A and any level of a lower range the framework
    has (2A, 2B, 2C when it has a Range 2 role). A reference without a range ("at level
    B") means the role's own range.

    A role whose own position is unknown - its Range is blank or not 2-8 (FW-BAD-RANGE) -
    is not judged by (2), and its range-less references are not judged at all; while
    such a role exists, a reference to a range no valid role has is not reported when that
    role might be at it (its Range text or its own references hint at that range, or
    nothing hints at any). Only the root cause is reported, not a cascade. A level letter
    other than A, B or C ("12 months at 3D") is always wrong. The message quotes the
    phrase as written (:attr:`TimeRequirement.text`)."""
    known = {r.range for r in fw.roles if _valid_range(r) and r.range is not None}
    uncertain: set[int] = set()
    for role in fw.roles:
        if not _valid_range(role):
            hinted = _ranges_hinted(role)
            uncertain |= set(range(MIN_RANGE, MAX_RANGE + 1)) if hinted is None else hinted
    ranges = ", ".join(str(x) for x in sorted(known)) or "none"
    for role in fw.roles:
        own = role.range if _valid_range(role) else None
        for level, _crit, item in cells(role):
            for ref in find_time_references(item.text):
                if ref.level is None and ref.unknown_level is None:
                    continue  # "2 years' experience in a similar role": no position named
                rng = ref.range if ref.range is not None else own
                letter = ref.level.value if ref.level else ref.unknown_level
                where = f"Range {rng} level {letter}" if rng is not None else f"level {letter}"
                if ref.level is None:
                    problem = "which does not exist: a range has levels A, B and C only (7.14)"
                elif rng is None:
                    continue  # "at level B" in a role whose range is unknown
                elif rng not in known:
                    if rng in uncertain:
                        continue
                    problem = f"which no role in this framework has (ranges here: {ranges})"
                elif own is None or (rng, ref.level.rank) < (own, level.rank):
                    continue
                else:
                    here = f"{own}{level.value}"
                    below = {r for r in known if r < own}
                    earlier = [f"{own}{lv.value}" for lv in LEVELS if lv.rank < level.rank]
                    valid = ", ".join(x for x in (_positions(below), ", ".join(earlier)) if x)
                    problem = (f"which is not below this cell's {here}: time counts at an "
                               f"earlier level ({valid or 'none in this framework'})")
                yield UNKNOWN_POSITION.at(item.source, phrase=ref.text, position=where,
                                          problem=problem)


# ---------------------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------------------


def check_framework(fw: Framework, *, vague_words: Sequence[str] | None = None) -> list[Finding]:
    """Run every framework rule over a framework already read (pure)."""
    ctx = FrameworkContext(DEFAULT_VAGUE_WORDS if vague_words is None else tuple(vague_words))
    return FRAMEWORK.run(fw, ctx)
