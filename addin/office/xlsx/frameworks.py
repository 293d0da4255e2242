"""Read a Career Progression Framework workbook into :class:`addin.core.model.Framework`.

The workbook format is the CPF template of the policy's Appendix H, as HR lays it out:

    Job Title | Range | Duties | Level A (Developing) | Level B (Practising) | Level C (Accomplished)

"Each role is a block of rows": one row with the job title, "Range N", the duties and the
"Required for this level (in addition to all previous levels, if applicable)" /
"In addition to level A" / "In addition to levels A and B" captions, then the four
criterion rows "Qualifications •", "Knowledge •", "Experience •", "Skills •" (Appendix H).
The criterion word either leads each level cell or sits in a label column of its own.
A workbook may hold one framework on one sheet or spread its roles over several sheets;
an optional sheet "Framework" holds its name, job family, owner and version date as
label/value rows.

Everything is found by its label (case-, spacing- and punctuation-insensitive, via
:func:`addin.core.text.norm_key`), never by a fixed cell address, so a sheet an HR officer has
tidied by hand (table moved, blank rows inserted, level columns reordered, label column
added or removed) still reads. Every criterion remembers the cell it came from.

Layers: :func:`load_framework` is the thin Office edge (opens the file only through
:func:`addin.office.xlsx.safe.load_workbook` and copies each sheet's cell values into a plain grid);
:func:`parse_grids` and the helpers below are pure functions over those grids.

The reader reports only STRUCTURAL findings (no table, a missing level column, a role
block lacking a criterion row). Empty criterion cells, bad ranges and duplicate roles are
represented faithfully in the model and left to the framework validation rules.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from addin.core.cells import a1
from addin.core.findings import ERROR, Finding, declare
from addin.core.model import (
    CRITERIA,
    LEVELS,
    Criterion,
    CriterionText,
    Framework,
    Level,
    Role,
    SourceRef,
)
from addin.core.text import clean_text, norm_key, without_hint
from addin.office.xlsx.safe import load_workbook, used_rows

POLICY = "Appendix H"

NO_TABLE = declare(
    "FW-NO-TABLE",
    "No framework table",
    "A sheet (or the whole workbook) holds no Appendix H table: no header row with "
    "Job Title and Level A/B/C columns.",
    "{where} has no Appendix H framework table (a header row with Job Title, Range, "
    "Duties, Level A (Developing), Level B (Practising), Level C (Accomplished))",
    ERROR,
    group="framework",
    policy=POLICY,
)
MISSING_LEVEL_COLUMN = declare(
    "FW-MISSING-LEVEL-COLUMN",
    "Missing level column",
    "The framework table's header row lacks one of the Level A/B/C columns.",
    "The framework table has no '{level}' column; add it to the header row",
    ERROR,
    group="framework",
    policy=POLICY,
)
MISSING_CRITERION = declare(
    "FW-MISSING-CRITERION",
    "Missing criterion row",
    "A role block lacks one of the four criterion rows (Qualifications, Knowledge, "
    "Experience, Skills).",
    "Role '{role}' has no {criterion} row; every role needs Qualifications, Knowledge, "
    "Experience and Skills at each level",
    ERROR,
    group="framework",
    policy=POLICY,
)

FRAMEWORK_SHEET = "Framework"

# Sheets that are clearly not framework sheets: skipped silently.
NON_FRAMEWORK_SHEETS = frozenset(
    norm_key(s)
    for s in ("Framework", "Instructions", "Lists", "Findings", "Guidance", "Read me",
              "Readme", "Notes", "Contents", "Change log", "Version history")
)

# Header labels (normalised).
TITLE_HEADERS = frozenset({"jobtitle", "jobtitles", "job", "role", "jobrole", "roletitle", "title"})
RANGE_HEADERS = frozenset({"range", "payrange", "grade"})
DUTIES_HEADERS = frozenset({"duties", "dutiessummary", "summaryofduties", "keyduties", "roledescription"})
LABEL_HEADERS = frozenset({"criterion", "criteria", "evidence", "requirement", "requirements"})

_LEVEL_WORDS = {Level.A: ("developing",), Level.B: ("practising", "practicing"),
                Level.C: ("accomplished",)}

_CRITERION_KEYS: dict[str, Criterion] = {
    "qualifications": Criterion.QUALIFICATIONS,
    "qualification": Criterion.QUALIFICATIONS,
    "knowledge": Criterion.KNOWLEDGE,
    "experience": Criterion.EXPERIENCE,
    "skills": Criterion.SKILLS,
    "skill": Criterion.SKILLS,
}
# A cell led by a criterion word: the word, then a non-letter (or the end).
_LEADING_WORD = re.compile(r"^\W*(qualifications?|knowledge|experience|skills?)(?![a-z])", re.I)
# What is stripped from a cell's start: the word only when a colon, dash, bullet or line
# break (or nothing) follows it, so "Knowledge of council systems" keeps its first word.
_STRIP_WORD = re.compile(
    r"^\W*?(qualifications?|knowledge|experience|skills?)\s*(?::|[-\u2013\u2014](?=\s)|(?=•)|(?=\n)|$)\s*",
    re.I,
)
_RANGE = re.compile(r"^\s*(?:range|r)?\s*(\d+)(?:\.0+)?\s*$", re.I)
BULLET = "•"

Grid = Mapping[tuple[int, int], Any]
"""A sheet's non-empty cell values by (row, column), 1-based, as read from the file."""


@dataclass
class SheetGrid:
    """One worksheet's values, detached from openpyxl."""

    name: str
    cells: dict[tuple[int, int], Any] = field(default_factory=dict)

    def value(self, row: int, col: int) -> Any:
        return self.cells.get((row, col))

    def rows(self) -> list[int]:
        return sorted({r for r, _ in self.cells})

    def row_cells(self, row: int) -> list[tuple[int, Any]]:
        return sorted((c, v) for (r, c), v in self.cells.items() if r == row)


# ---------------------------------------------------------------------------------------
# Small pure parsers
# ---------------------------------------------------------------------------------------


def parse_range(value: object) -> int | None:
    """'Range 3', '3', 3, 3.0 and 'R3' -> 3; anything else -> None (kept raw by the reader).

    >>> [parse_range(v) for v in ("Range 3", "3", 3, 3.0, "R3", "Range three", 3.5, None)]
    [3, 3, 3, 3, 3, None, None, None]
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    m = _RANGE.match(clean_text(value))
    return int(m.group(1)) if m else None


def level_of_header(value: object) -> Level | None:
    """'Level A (Developing)', 'Level A', 'Developing', 'LEVEL-A' -> Level.A.

    >>> [level_of_header(v) for v in ("Level A (Developing)", "level b", "Accomplished",
    ...                               "Level Accomplished", "In addition to level A")]
    [<Level.A: 'A'>, <Level.B: 'B'>, <Level.C: 'C'>, <Level.C: 'C'>, None]
    """
    key = norm_key(value)
    if not key:
        return None
    for level in LEVELS:
        prefix = f"level{level.value.lower()}"
        words = _LEVEL_WORDS[level]
        if key == prefix or key.startswith(prefix) and key[len(prefix):].startswith(words):
            return level
        if key.startswith(words) or key.startswith(tuple(f"level{w}" for w in words)):
            return level
    return None


def criterion_of_label(value: object) -> Criterion | None:
    """A label cell holding only a criterion word ('Qualifications', 'skills:')."""
    return _CRITERION_KEYS.get(norm_key(value))


def leading_criterion(value: object) -> Criterion | None:
    """The criterion word a cell begins with ('Experience: ...', 'Skills •')."""
    m = _LEADING_WORD.match(clean_text(value))
    return _CRITERION_KEYS[m.group(1).lower()] if m else None


def criterion_text(value: object) -> str:
    """HR's text of a criterion cell: the leading criterion word and its colon removed,
    "•" bullets normalised to one per line, other line breaks kept, empty bullets dropped.

    >>> criterion_text("Qualifications: GCSE English • Level 2 • Level 3")
    'GCSE English\\n• Level 2\\n• Level 3'
    >>> criterion_text("Skills •")
    ''
    """
    text = clean_text(value)
    text = _STRIP_WORD.sub("", text, count=1)
    out: list[str] = []
    for line in text.split("\n"):
        pieces = line.split(BULLET)
        head = pieces[0].strip()
        if head:
            out.append(head)
        for piece in pieces[1:]:
            piece = " ".join(piece.split())
            if piece:
                out.append(f"{BULLET} {piece}")
    return "\n".join(out).strip()


def parse_version_date(value: object) -> dt.date | None:
    """A date cell, '2024-04-01', '01/04/2024' or '1 April 2024' -> date; else None."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = clean_text(value)
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d %B %Y", "%d %b %Y", "%B %Y", "%b %Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


# ---------------------------------------------------------------------------------------
# The table
# ---------------------------------------------------------------------------------------


@dataclass
class Header:
    """Where the columns of one Appendix H table are on its sheet."""

    row: int
    title_col: int
    range_col: int | None
    duties_col: int | None
    label_col: int | None
    level_cols: dict[Level, int]

    @property
    def cell(self) -> str:
        return a1(self.row, self.title_col)


_HEADER_SPLIT = re.compile(r"\s*(?:/|&|\bor\b)\s*", re.I)


def header_keys(value: str) -> frozenset[str]:
    """The normalised keys a header cell answers to: as written, without a trailing
    bracketed hint ("Range (2-8)" is a Range header), and each part of a header that
    names alternatives ("Job title / role")."""
    bare = without_hint(value)
    keys = {norm_key(value), norm_key(bare)}
    keys.update(norm_key(part) for part in _HEADER_SPLIT.split(bare))
    return frozenset(k for k in keys if k)


def find_header(grid: SheetGrid, row: int) -> Header | None:
    """The row is a header row when it has a Job Title cell and at least one level cell."""
    title_col = range_col = duties_col = label_col = None
    levels: dict[Level, int] = {}
    for col, value in grid.row_cells(row):
        if not isinstance(value, str):
            continue
        keys = header_keys(value)
        if keys & TITLE_HEADERS and title_col is None:
            title_col = col
        elif keys & RANGE_HEADERS and range_col is None:
            range_col = col
        elif keys & DUTIES_HEADERS and duties_col is None:
            duties_col = col
        elif keys & LABEL_HEADERS and label_col is None:
            label_col = col
        else:
            level = level_of_header(value)
            if level is not None and level not in levels:
                levels[level] = col
    if title_col is None or not levels:
        return None
    return Header(row, title_col, range_col, duties_col, label_col, levels)


@dataclass
class _Block:
    role: Role
    seen: set[Criterion] = field(default_factory=set)
    last: Criterion | None = None
    duties: list[str] = field(default_factory=list)


def _row_criterion(grid: SheetGrid, row: int, header: Header) -> Criterion | None:
    """The criterion of a row: a label cell outside the level columns holding only a
    criterion word, else the word leading the level cells (first level column wins)."""
    level_cols = set(header.level_cols.values())
    for col, value in grid.row_cells(row):
        if col in level_cols:
            continue
        crit = criterion_of_label(value)
        if crit is not None:
            return crit
    for level in LEVELS:
        level_col = header.level_cols.get(level)
        if level_col is None:
            continue
        crit = leading_criterion(grid.value(row, level_col))
        if crit is not None:
            return crit
    return None


_CAPTION_KEYS = ("requiredforthislevel", "inadditiontolevel")


def _is_caption(text: str) -> bool:
    """Appendix H's level captions ("Required for this level...", "In addition to level A")."""
    return norm_key(text).startswith(_CAPTION_KEYS)


def _starts_untitled_block(block: _Block | None, crit: Criterion | None, range_value: Any) -> bool:
    """A role whose Job Title cell was left blank still becomes a role (title "") so the
    validation rules can report it, rather than its criteria silently vanishing: a range
    written on a non-criterion row, a criterion row before any role, or a criterion row
    repeating one the current block already has."""
    if crit is None:
        return clean_text(range_value) != ""
    return block is None or crit in block.seen


def parse_sheet(
    grid: SheetGrid, file: str
) -> tuple[list[Role], list[Finding], Header | None]:
    """Read every role block of one sheet. Pure: works on the detached grid."""
    roles: list[Role] = []
    findings: list[Finding] = []
    header: Header | None = None
    first_header: Header | None = None
    block: _Block | None = None

    def close(b: _Block | None) -> None:
        if b is None:
            return
        b.role.duties = "\n".join(b.duties)
        for crit in CRITERIA:
            if crit not in b.seen:
                findings.append(MISSING_CRITERION.at(
                    b.role.source, role=b.role.title or "(no job title)", criterion=crit.value))
        roles.append(b.role)

    for row in grid.rows():
        new_header = find_header(grid, row)
        if new_header is not None:
            close(block)
            block = None
            header = new_header
            if first_header is None:
                first_header = header
            for level in LEVELS:
                if level not in header.level_cols:
                    findings.append(MISSING_LEVEL_COLUMN.at(
                        SourceRef(file, grid.name, header.cell),
                        level=f"Level {level.value} ({level.title})"))
            continue
        if header is None:
            continue
        title = clean_text(grid.value(row, header.title_col))
        if criterion_of_label(title) is not None:
            title = ""  # a criterion label written in the Job Title column
        crit = _row_criterion(grid, row, header)
        range_value = grid.value(row, header.range_col) if header.range_col else None
        if (not title and crit is None and block is not None and not block.seen
                and clean_text(block.role.range_raw) == "" and clean_text(range_value) != ""
                and header.range_col):
            # the range written just below the job title, before the criterion rows
            block.role.range = parse_range(range_value)
            block.role.range_raw = range_value
            block.role.range_source = SourceRef(file, grid.name, a1(row, header.range_col))
        elif title or _starts_untitled_block(block, crit, range_value):
            close(block)
            range_cell = a1(row, header.range_col) if header.range_col else None
            role = Role(
                title=" ".join(title.split()),
                range=parse_range(range_value),
                source=SourceRef(file, grid.name, a1(row, header.title_col)),
                range_source=SourceRef(file, grid.name, range_cell),
                range_raw=range_value,
                duties_source=SourceRef(file, grid.name, a1(row, header.duties_col)
                                        if header.duties_col else None),
            )
            role.criteria = {level: {} for level in LEVELS if level in header.level_cols}
            block = _Block(role)
        if block is None:
            continue
        if header.duties_col is not None:
            duties = clean_text(grid.value(row, header.duties_col))
            if duties and criterion_of_label(duties) is None:
                block.duties.append(duties)
        if crit is not None and crit not in block.seen:
            block.seen.add(crit)
            block.last = crit
            for level, col in header.level_cols.items():
                block.role.criteria[level][crit] = CriterionText(
                    criterion_text(grid.value(row, col)),
                    SourceRef(file, grid.name, a1(row, col)),
                )
        elif crit is None and block.last is not None:
            # A continuation row (HR split a criterion's bullets over two rows): its text
            # belongs to the criterion above; the source stays the criterion's first cell.
            for level, col in header.level_cols.items():
                extra = criterion_text(grid.value(row, col))
                if extra and not _is_caption(extra):
                    old = block.role.criteria[level][block.last]
                    joined = f"{old.text}\n{extra}" if old.text else extra
                    block.role.criteria[level][block.last] = CriterionText(joined, old.source)
    close(block)
    return roles, findings, first_header


def _label_values(grid: SheetGrid) -> dict[str, Any]:
    """Label/value rows: each text cell's normalised label -> the next value to its right."""
    out: dict[str, Any] = {}
    for row in grid.rows():
        cells = grid.row_cells(row)
        for i, (_col, value) in enumerate(cells):
            if isinstance(value, str) and i + 1 < len(cells):
                out.setdefault(norm_key(value), cells[i + 1][1])
    return out


def _meta(labels: Mapping[str, Any], *keys: str) -> Any:
    for key in keys:
        if key in labels and clean_text(labels[key]) != "":
            return labels[key]
    return None


def _title_above(grid: SheetGrid, header: Header) -> str:
    """The workbook's title cell: the first text cell above the table's header row."""
    for row in grid.rows():
        if row >= header.row:
            break
        for _col, value in grid.row_cells(row):
            text = clean_text(value)
            if isinstance(value, str) and text:
                return " ".join(text.split())
    return ""


def parse_grids(grids: Iterable[SheetGrid], file: str, stem: str) -> tuple[Framework, list[Finding]]:
    """Build the framework from detached sheet grids (pure; see :func:`load_framework`)."""
    findings: list[Finding] = []
    roles: list[Role] = []
    meta: dict[str, Any] = {}
    title = ""
    tables = 0
    for grid in grids:
        key = norm_key(grid.name)
        if key == norm_key(FRAMEWORK_SHEET):
            meta = _label_values(grid)
            continue
        if key in NON_FRAMEWORK_SHEETS:
            continue
        if not any(clean_text(v) for v in grid.cells.values()):
            continue  # an untouched blank sheet ("Sheet2") is not a broken framework sheet
        sheet_roles, sheet_findings, header = parse_sheet(grid, file)
        findings.extend(sheet_findings)
        if header is None:
            findings.append(NO_TABLE.at(SourceRef(file, grid.name, None),
                                        where=f"Sheet '{grid.name}'"))
            continue
        tables += 1
        if not title:
            title = _title_above(grid, header)
        roles.extend(sheet_roles)
    if tables == 0 and not any(f.code == NO_TABLE.code for f in findings):
        findings.append(NO_TABLE.at(SourceRef(file, None, None), where="The workbook"))
    name = clean_text(_meta(meta, "name", "frameworkname", "framework", "title")) or title or stem
    version = _meta(meta, "versiondate", "version", "date", "lastupdated", "updated")
    framework = Framework(
        name=" ".join(name.split()),
        job_family=clean_text(_meta(meta, "jobfamily", "family", "jobprofession")),
        owner=clean_text(_meta(meta, "owner", "frameworkowner")),
        version_date=parse_version_date(version),
        roles=roles,
        source_file=file,
    )
    return framework, findings


# ---------------------------------------------------------------------------------------
# The Office edge
# ---------------------------------------------------------------------------------------


def read_grids(path: str | Path) -> list[SheetGrid]:
    """Copy each worksheet's values out of the workbook (the only openpyxl use here)."""
    wb = load_workbook(path, data_only=True)
    grids: list[SheetGrid] = []
    try:
        for ws in wb.worksheets:
            grid = SheetGrid(ws.title)
            # Only the cells really stored, never ws.max_row/max_column (a claimed or
            # styled dimension): data beyond the limits is refused naming sheet and cell.
            for r, row in enumerate(used_rows(ws, file=path), 1):
                for c, value in enumerate(row, 1):
                    if value is None or (isinstance(value, str) and not value.strip()):
                        continue
                    grid.cells[(r, c)] = value
            grids.append(grid)
    finally:
        wb.close()
    return grids


def load_framework(path: str | Path) -> tuple[Framework, list[Finding]]:
    """Read a framework workbook: the framework and the structural findings met.

    Raises :class:`addin.core.errors.InputError` (one line, exit 2) when the file cannot be
    opened as a workbook at all.
    """
    p = Path(path)
    return parse_grids(read_grids(p), str(path), p.stem)


def read_framework(path: str | Path) -> Framework:
    """Read a framework workbook, ignoring structural findings."""
    return load_framework(path)[0]


def read_frameworks(paths: Iterable[str | Path]) -> list[Framework]:
    """Read several framework workbooks (each through :func:`read_framework`)."""
    return [read_framework(p) for p in paths]


# ---------------------------------------------------------------------------------------
# A plain structure for JSON output
# ---------------------------------------------------------------------------------------


def framework_to_dict(fw: Framework) -> dict[str, Any]:
    """The framework as plain data (roles, ranges, criteria per level, source cells)."""
    return {
        "name": fw.name,
        "job_family": fw.job_family,
        "owner": fw.owner,
        "version_date": fw.version_date.isoformat() if fw.version_date else None,
        "file": fw.source_file,
        "roles": [
            {
                "title": role.title,
                "range": role.range,
                "range_raw": role.range_raw if role.range_raw is None or isinstance(
                    role.range_raw, (int, float, str)) else str(role.range_raw),
                "sheet": role.source.sheet,
                "cell": role.source.cell,
                "range_cell": role.range_source.cell,
                "duties": role.duties,
                "criteria": {
                    level.value: {
                        crit.value: {"text": item.text, "sheet": item.source.sheet,
                                     "cell": item.source.cell}
                        for crit, item in role.criteria.get(level, {}).items()
                    }
                    for level in LEVELS if level in role.criteria
                },
            }
            for role in fw.roles
        ],
    }
