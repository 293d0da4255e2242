"""Domain records for Career Progression Frameworks and pay.

Pure Python: no Excel or Word types live here. Every value read from a file carries a
:class:`SourceRef` so that any later finding can point at the cell it came from.

Policy references (MedPay PPP policy, shared/seeds/001):

* 7.14 "There will be 3 competency levels within the pay range ...
  Level A - Developing: Start of the pay range; Level B - Practising: Mid-point of the
  pay range; Level C - Accomplished: Top of the pay range."
* Appendix H: the CPF template grid, Job Title | Range | Duties | Level A (Developing)
  | Level B (Practising) | Level C (Accomplished), with the four criteria
  Qualifications, Knowledge, Experience, Skills per level.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum

from addin.core.text import norm_key

MIN_RANGE = 2
MAX_RANGE = 8
DEFAULT_PAYROLL_CUTOFF_DAY = 10
"""Settings "Payroll cut-off day" when the pay-ranges workbook has no such row (issue 19:
"default 10"): changes signed by the 10th of a month reach payroll for the 1st of the next."""


class Level(str, Enum):
    """Competency level within a pay range (policy 7.14)."""

    A = "A"
    B = "B"
    C = "C"

    # The level's name in the policy (7.14) deliberately shadows str.title(): a read-only
    # property over a method of the str mix-in, which mypy reports as an override.
    @property
    def title(self) -> str:  # type: ignore[override]
        return {"A": "Developing", "B": "Practising", "C": "Accomplished"}[self.value]

    @property
    def pay_point(self) -> str:
        """Where in the range the level is paid (7.14)."""
        return {"A": "start", "B": "mid-point", "C": "top"}[self.value]

    @property
    def rank(self) -> int:
        return _RANKS[self._value_]  # same as "ABC".index(self.value), without the enum lookup

    def next(self) -> Level | None:
        return None if self is Level.C else LEVELS[self.rank + 1]

    def previous(self) -> Level | None:
        return None if self is Level.A else LEVELS[self.rank - 1]


LEVELS: tuple[Level, ...] = (Level.A, Level.B, Level.C)
_RANKS = {"A": 0, "B": 1, "C": 2}


class Criterion(str, Enum):
    """The four evidence criteria of every level (Appendix H)."""

    QUALIFICATIONS = "Qualifications"
    KNOWLEDGE = "Knowledge"
    EXPERIENCE = "Experience"
    SKILLS = "Skills"


CRITERIA: tuple[Criterion, ...] = tuple(Criterion)


@dataclass(frozen=True)
class SourceRef:
    """Where a value came from: file, sheet and A1 cell (cell None = whole sheet/file)."""

    file: str | None = None
    sheet: str | None = None
    cell: str | None = None

    def __str__(self) -> str:
        parts = [p for p in (self.file, self.sheet, self.cell) if p]
        return "!".join(parts)


@dataclass(frozen=True)
class CriterionText:
    """The text of one criterion at one level of one role, and the cell it came from."""

    text: str
    source: SourceRef = field(default_factory=SourceRef)


@dataclass
class Role:
    """One job in a framework: its pay range and its A/B/C evidence (Appendix H)."""

    title: str
    range: int | None
    duties: str = ""
    criteria: dict[Level, dict[Criterion, CriterionText]] = field(default_factory=dict)
    source: SourceRef = field(default_factory=SourceRef)
    range_source: SourceRef = field(default_factory=SourceRef)
    range_raw: object = None
    """The range cell's raw value, kept so validation can say what was written."""
    duties_source: SourceRef = field(default_factory=SourceRef)
    """The Duties cell on the role's title row (no cell when the table has no Duties
    column)."""

    def text(self, level: Level, criterion: Criterion) -> str:
        item = self.criteria.get(level, {}).get(criterion)
        return item.text if item else ""

    def code(self, level: Level) -> str:
        """The policy's shorthand, e.g. ``3A`` for range 3 level A."""
        return f"{self.range}{level.value}"


@dataclass
class Framework:
    """A Career Progression Framework: its metadata and roles."""

    name: str
    job_family: str = ""
    owner: str = ""
    version_date: dt.date | None = None
    roles: list[Role] = field(default_factory=list)
    source_file: str | None = None

    def role(self, title: str, range_: int | None = None) -> Role | None:
        """Find a role by title (case/spacing-insensitive), optionally by range."""
        key = norm_key(title)
        for role in self.roles:
            if norm_key(role.title) == key and (range_ is None or role.range == range_):
                return role
        return None


@dataclass(frozen=True)
class PayRange:
    """Annual full-time salary at each level of one range (policy 7.14)."""

    range: int
    a: Decimal
    b: Decimal
    c: Decimal

    def at(self, level: Level) -> Decimal:
        return {Level.A: self.a, Level.B: self.b, Level.C: self.c}[level]


@dataclass(frozen=True)
class CouncilDetails:
    """Who the forms and letters come from: the Settings rows "Council name", "Council
    address", "Appeals contact", "Signatory name" and "Signatory job title" of the
    pay-ranges workbook (each row optional: these defaults when it is absent).

    Printed in every form's header and on every letter's letterhead; the appeals
    contact is how a declined employee sends the written appeal of policy 7.25 ("The
    appeal must be made in writing to the Head of Service or Grandparent ... within
    five working days"); the signatory signs the letters whose decision row names no
    one ("Signed by")."""

    name: str = "Medway Council"
    address: str = "Gun Wharf, Dock Road, Chatham, Kent ME4 4TR"
    appeals_contact: str = "medpay@medway.gov.uk"
    signatory_name: str = "MedPay Review Team"
    signatory_job_title: str = "Human Resources"


@dataclass(frozen=True)
class Settings:
    """Every tunable number, read from the Settings sheet of the pay-ranges workbook.

    The code holds no second copy of these numbers (foundation issue): defaults for a
    missing workbook do not exist; the shipped ``workbooks/pay-ranges.xlsx`` is the
    default file instead.
    """

    employer_ni_rate: Decimal
    ni_secondary_threshold: Decimal
    employer_pension_rate: Decimal
    apprenticeship_levy_rate: Decimal
    pay_change_dates: tuple[tuple[int, int], ...]
    """(month, day) of each pay change date, e.g. ((1, 1), (7, 1)) - policy 7.16/7.20."""
    submission_deadlines: tuple[tuple[int, int], ...]
    """(month, day) of the deadline for each pay change date, in the same order."""
    appeal_working_days: int
    min_months_in_post: int
    cola_effective: tuple[int, int]
    """(month, day) a cost-of-living award applies from (policy 8.1: "usually applied from 01 April")."""
    casual_aggregate_months: int
    """Policy 2.2: casual staff only with a six-month working aggregate."""
    payroll_cutoff_day: int = DEFAULT_PAYROLL_CUTOFF_DAY
    """Day of the month by which a change must reach payroll to be paid from the 1st of
    the next month (Appendix K stage 9: "the most suitable payroll date"); the Settings
    row "Payroll cut-off day", :data:`DEFAULT_PAYROLL_CUTOFF_DAY` when the row is absent."""
    council: CouncilDetails = CouncilDetails()
    """The council's name, address, appeals contact and letters' signatory (optional rows)."""


@dataclass(frozen=True)
class PaySettings:
    """Pay ranges and settings together: what every costing/calendar rule needs."""

    ranges: dict[int, PayRange]
    settings: Settings
    source_file: str | None = None

    def pay_point(self, range_: int, level: Level) -> Decimal:
        """Salary for a range and level (7.14). Raises KeyError for an unknown range."""
        return self.ranges[range_].at(level)


@dataclass
class EstimateRow:
    """One employee row of a manager's level-estimate spreadsheet (Appendix K, stage 8).

    Values are parsed (``None`` when blank or unparseable - the reader reports the
    finding); ``cells`` maps each field name to the A1 reference it was read from, so
    every finding and every feedback column can point at the cell at fault.
    """

    file: str
    sheet: str
    row: int
    employee_id: str | None = None
    employee_name: str | None = None
    directorate: str | None = None
    team: str | None = None
    job_title: str | None = None
    framework: str | None = None
    range: int | None = None
    current_salary: Decimal | None = None
    fte: Decimal | None = None
    contract_type: str | None = None
    """'Permanent', 'Fixed term' or 'Casual'."""
    start_date: dt.date | None = None
    probation_passed: bool | None = None
    """True passed, False not passed (7.22), None blank or N/A: no probation in this
    role (7.28's minimum months in post apply)."""
    capability: bool | None = None
    appraisal_outcome: str | None = None
    """'Not met', 'Met' or 'Exceeded' (Appendix B)."""
    date_at_level: dt.date | None = None
    current_level: Level | None = None
    estimated_level: Level | None = None
    manager: str | None = None
    notes: str | None = None
    casual_aggregate: Decimal | None = None
    """Months of casual working aggregate (policy 2.2), from the optional column
    "Casual working aggregate (months)" (not in the template: few teams need it)."""
    long_absence: bool | None = None
    """Policy 6.16: absent from work for a significant period of the appraisal review
    period ("Long-term absence" Yes/No): no appraisal outcome is required and
    eligibility is the manager's decision."""
    previous_request: dt.date | None = None
    """Policy 7.21: the date of a previous progression request (the optional column
    "Previous request date", Appendix F's "Date of previous request")."""
    cells: dict[str, str] = field(default_factory=dict)
    extra: dict[str, object] = field(default_factory=dict)
    """Columns the reader did not recognise, kept by header text."""

    def source(self, field_name: str) -> SourceRef:
        """Where a field was read from (the row's first cell when the column is absent)."""
        return SourceRef(self.file, self.sheet, self.cells.get(field_name, f"A{self.row}"))
