"""Framework validation: the "Designing CPFs" rules (Appendix K) over the Appendix H grid.

A :class:`~addin.findings.Checker` named "framework" holds one small rule per policy rule.
Each works on the plain :class:`~addin.model.Framework` (no Excel here) and points its
findings at the cell the text came from (``CriterionText.source``), so the same findings
drive the command-line table, the JSON output and the annotated feedback copy.

:func:`validate_framework` = the reader's structural findings (no table, missing level
column, missing criterion row; declared in :mod:`addin.frameworks`) + these rules.

The policy text quoted below is from the MedPay PPP policy (shared/seeds/001), Appendix K
"Designing Career Progression Frameworks: Guidance for Managers" (listed as Appendix J in
the policy's contents), stage 4, with the Appendix H template grid and Appendix I guide.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from addin.findings import ERROR, WARNING, Checker, Finding, Report, declare
from addin.frameworks import load_framework
from addin.model import (
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
from addin.text import norm_key
from addin.timeatlevel import find_time_references

GROUP = "framework"
POLICY_K = "Appendix K"

DEFAULT_VAGUE_WORDS: tuple[str, ...] = (
    "good", "very good", "excellent", "outstanding", "exceptional", "adequate",
    "sufficient", "reasonable", "appropriate", "strong", "solid", "sound", "high standard",
    "high quality", "very well",
)
"""Words "open to interpretation" (Appendix K stage 4). Replace with ``--vague-words``."""

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
    "A Qualifications/Knowledge/Experience/Skills cell of a role holds no text.",
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
    needed. (A missing criterion ROW is the reader's FW-MISSING-CRITERION.)"""
    for role in fw.roles:
        for level, crit, item in cells(role):
            if not item.text.strip():
                prev = level.previous()
                hint = ("write what is required at entry" if prev is None else
                        f"write what is required in addition to level {prev.value}, or "
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
    "A role's Range is blank or not a whole number from 2 to 8.",
    "Range of '{role}' is {value}; write a whole number from 2 to 8 (e.g. 'Range 3')",
    ERROR,
    group=GROUP,
    policy="7.14, Appendix H",
)


@FRAMEWORK.rule(BAD_RANGE)
def bad_range(fw: Framework, ctx: FrameworkContext) -> Iterator[Finding]:
    """Policy 7.14 and Appendix H: pay ranges are "Range 2" to "Range 8"; every role sits
    in exactly one of them. Reported at the Range cell (the title cell when the table has
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
    "Two roles have the same job title and range.",
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


# ---------------------------------------------------------------------------------------
# Writing rules (Appendix K, stage 4)
# ---------------------------------------------------------------------------------------

VAGUE_WORD = declare(
    "FW-VAGUE-WORD",
    "Vague word",
    "A criterion uses a word open to interpretation ('good', 'excellent', ... "
    "configurable with --vague-words).",
    "'{word}' is open to interpretation; say what the employee must do or show instead",
    WARNING,
    group=GROUP,
    policy=POLICY_K,
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
    "A level's text for a criterion repeats (or nearly repeats) the previous level's text; "
    "each level must add stretch.",
    "{criterion} at level {level} repeats level {previous}'s text ({similarity}% alike); "
    "say what more is required at level {level}",
    WARNING,
    group=GROUP,
    policy=POLICY_K,
)


@FRAMEWORK.rule(REPEATED_TEXT)
def repeated_text(fw: Framework, ctx: FrameworkContext) -> Iterator[Finding]:
    """Appendix K "Common mistakes to avoid": "Not having enough stretch between the
    levels. Repeating text from previous levels - need to have a greater depth when
    working at a higher range." Texts are compared after removing case, punctuation,
    bullets and spacing; near-duplicates (difflib ratio >= 0.9, e.g. only "3B" changed to
    "3C") count too."""
    for role in fw.roles:
        for crit in CRITERIA:
            for level in (Level.B, Level.C):
                prev = level.previous()
                assert prev is not None
                here = role.criteria.get(level, {}).get(crit)
                before = role.criteria.get(prev, {}).get(crit)
                if here is None or before is None:
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
    "Experience at level B or C states no timeframe in months or years.",
    "Experience at level {level} states no timeframe; say how long, in months or years "
    "(e.g. 'minimum of 18 months at {example}')",
    WARNING,
    group=GROUP,
    policy=POLICY_K,
)


@FRAMEWORK.rule(NO_TIMEFRAME)
def experience_timeframe(fw: Framework, ctx: FrameworkContext) -> Iterator[Finding]:
    """Appendix K "Common mistakes to avoid": "Lack of clarity on timeframes e.g. how long
    would it generally take to move between each level"; stage 5: "a minimum of XX months
    of satisfactory performance working at the previous level". Experience at B and C must
    therefore name a time in months or years ("18 months at 3A", "2 years' experience").
    Empty cells are FW-EMPTY-CRITERION's, not reported twice."""
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
    "A qualification 'working towards' at one level is not stated as completed at the next.",
    "Level {level} says 'working towards {qualification}' ({where}) but level {next} does "
    "not state it as completed",
    WARNING,
    group=GROUP,
    policy=POLICY_K,
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


@FRAMEWORK.rule(WORKING_TOWARDS)
def working_towards(fw: Framework, ctx: FrameworkContext) -> Iterator[Finding]:
    """Appendix K stage 4, Qualifications: "If a qualification is not required upon entry
    but may be necessary to progress, then Level B might say "working towards" and Level C
    might be "completed"." A "working towards X" at level A or B must be matched at the
    next level by a statement that X is completed (a completion word and X's words).
    Reported at the next level's Qualifications cell, where the statement belongs."""
    for role in fw.roles:
        for level in (Level.A, Level.B):
            nxt = level.next()
            assert nxt is not None
            if nxt not in role.criteria:
                continue
            for crit in CRITERIA:
                item = role.criteria.get(level, {}).get(crit)
                if item is None:
                    continue
                for m in _TOWARDS.finditer(item.text):
                    words = _qualification_words(m.group("q"))
                    if not words:
                        continue
                    later = " ".join(i.text for i in role.criteria[nxt].values())
                    later_words = set(normalise(later).split())
                    found = sum(1 for w in words if w in later_words) / len(words)
                    if _COMPLETED.search(later) and found >= 0.8:
                        continue
                    target = role.criteria[nxt].get(Criterion.QUALIFICATIONS) or \
                        role.criteria[nxt].get(crit)
                    src = target.source if target else role.source
                    yield WORKING_TOWARDS.at(src, level=level.value, next=nxt.value,
                                             qualification=_short(m.group("q").strip(" ,")),
                                             where=item.source.cell or "")


GCSE_MISSING = declare(
    "FW-GCSE-REQUIREMENT",
    "Range 3/4 GCSE requirement missing",
    "A Range 3 or Range 4 role does not require a minimum of 5 GCSEs at grades 4-9 (or "
    "equivalent) including English and Maths.",
    "'{role}' is a Range {range} role: its qualifications must require a minimum of 5 GCSEs "
    "at grades 4-9 (or equivalent) including English and Maths; missing: {missing}",
    ERROR,
    group=GROUP,
    policy=POLICY_K,
)

_FIVE_GCSE = re.compile(r"\b(?:5|five)\s*(?:x\s*)?(?:or\s+more\s+)?gcse", re.I)
_GRADES = re.compile(r"grades?\s*(?:4\s*(?:-|–|to)\s*9|9\s*(?:-|–|to)\s*4|4\s*(?:or|and)\s*"
                     r"(?:above|higher)|c\s*(?:or|and)\s*(?:above|higher)|a\*?\s*(?:-|–|to)\s*c)",
                     re.I)
_ENGLISH = re.compile(r"\benglish\b", re.I)
_MATHS = re.compile(r"\bmath(?:s|ematics)?\b", re.I)


@FRAMEWORK.rule(GCSE_MISSING)
def gcse_requirement(fw: Framework, ctx: FrameworkContext) -> Iterator[Finding]:
    """Appendix K stage 4, Qualifications: "R3/R4 roles should always state a requirement
    for a minimum of 5 GCSE's (grades 4-9) or equivalent in English & Maths." (Range 2:
    "this may require a minimum of GCSE or equivalent Maths & English" - no finding.)
    The role's Qualifications at any level must name five GCSEs, the grades, English and
    Maths; the finding sits on level A's Qualifications cell (the entry requirement)."""
    for role in fw.roles:
        if role.range not in (3, 4):
            continue
        quals = [role.criteria.get(lv, {}).get(Criterion.QUALIFICATIONS) for lv in LEVELS]
        items = [q for q in quals if q is not None]
        if not items:
            continue  # no Qualifications row: the reader's FW-MISSING-CRITERION
        text = "\n".join(q.text for q in items)
        missing = [what for what, rx in (("5 GCSEs", _FIVE_GCSE), ("grades 4-9", _GRADES),
                                         ("English", _ENGLISH), ("Maths", _MATHS))
                   if not rx.search(text)]
        if missing:
            yield GCSE_MISSING.at(items[0].source, role=_title(role), range=role.range,
                                  missing=", ".join(missing))


MANDATORY_TRAINING = declare(
    "FW-MANDATORY-TRAINING-AS-KNOWLEDGE",
    "Mandatory training listed as Knowledge",
    "A Knowledge cell lists knowledge gained through mandatory training.",
    "Knowledge at level {level} lists mandatory training ('{phrase}'); leave it out - "
    "there is no discretion in attaining it",
    WARNING,
    group=GROUP,
    policy=POLICY_K,
)

_MANDATORY = re.compile(
    r"\b(?:mandatory|compulsory|statutory)\b[^.;\n•]{0,40}|"
    r"\b(?:gdpr|data\s+protection|health\s+(?:and|&)\s+safety|fire\s+safety|fire\s+warden|"
    r"safeguarding|equality(?:,)?\s+(?:and\s+)?diversity|information\s+governance|"
    r"cyber\s+security|manual\s+handling|first\s+aid)\b[^.;\n•]{0,25}?"
    r"\b(?:training|e-?learning|course|module|induction)\b",
    re.I,
)


@FRAMEWORK.rule(MANDATORY_TRAINING)
def mandatory_training(fw: Framework, ctx: FrameworkContext) -> Iterator[Finding]:
    """Appendix K stage 4, Knowledge: "Please don't include any knowledge attained
    through mandatory training as there is no discretion for the postholder to attain
    this." Flags "mandatory"/"compulsory"/"statutory" and the usual corporate courses
    (GDPR, health and safety, fire safety, safeguarding, ... training) in Knowledge."""
    for role in fw.roles:
        for level in LEVELS:
            item = role.criteria.get(level, {}).get(Criterion.KNOWLEDGE)
            if item is None:
                continue
            m = _MANDATORY.search(item.text)
            if m:
                yield MANDATORY_TRAINING.at(item.source, level=level.value,
                                            phrase=_short(m.group(0).strip(), 50))


UNKNOWN_POSITION = declare(
    "FW-UNKNOWN-TIME-LEVEL",
    "Time at a level that does not exist",
    "A time-at-level reference ('12 months at 3A') names a range and level no role of "
    "the framework's pathway has.",
    "'{phrase}' refers to {position}, which no role in this framework has (ranges here: "
    "{ranges})",
    ERROR,
    group=GROUP,
    policy=POLICY_K,
)


@FRAMEWORK.rule(UNKNOWN_POSITION)
def unknown_time_level(fw: Framework, ctx: FrameworkContext) -> Iterator[Finding]:
    """Appendix K stage 5: time is measured "working at the previous level"
    ("a minimum of XX months of satisfactory performance working at the previous
    level"), and the BES framework writes it as "Minimum of 12 months at 3A". The named
    range and level must exist in the framework's pathway (its roles' ranges and level
    columns); a reference without a range ("at level B") means the role's own range."""
    positions = {(r.range, lv) for r in fw.roles if r.range is not None for lv in r.criteria}
    ranges = ", ".join(str(x) for x in sorted({r for r, _ in positions})) or "none"
    for role in fw.roles:
        for _level, _crit, item in cells(role):
            for ref in find_time_references(item.text):
                if ref.level is None:
                    continue
                rng = ref.range if ref.range is not None else role.range
                if rng is None or (rng, ref.level) in positions:
                    continue
                yield UNKNOWN_POSITION.at(
                    item.source, phrase=f"{ref.months} months at {ref.position}",
                    position=f"Range {rng} level {ref.level.value}", ranges=ranges)


# ---------------------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------------------


def check_framework(fw: Framework, *, vague_words: Sequence[str] | None = None) -> list[Finding]:
    """Run every framework rule over a framework already read (pure)."""
    ctx = FrameworkContext(DEFAULT_VAGUE_WORDS if vague_words is None else tuple(vague_words))
    return FRAMEWORK.run(fw, ctx)


def validate_framework(path: str | Path, *, vague_words: Sequence[str] | None = None) -> Report:
    """Read a framework workbook and check it: the reader's structural findings plus
    every rule above. Raises InputError (exit 2) when the file cannot be read at all."""
    fw, structural = load_framework(path)
    return Report(file=str(path), findings=[*structural, *check_framework(fw, vague_words=vague_words)])
