"""One ``Finding`` type for every problem any checker reports, and the code registry.

Each finding code is declared exactly once, next to the rule that raises it, with a
title, a one-line description and a message template - the way frictionless-py
declares its errors (``frictionless/errors/``: ``code``, ``name``, ``template``,
``description`` on each error class). The table of codes in
docs/reference/finding-codes.md is generated from these declarations by ``scripts/gen_docs``.

A checker is a :class:`Checker`: a list of small rule functions, each registered with
the codes it may raise. Adding a rule is one function (and one test), not an edit to a
long if-chain::

    FRAMEWORK = Checker("framework")
    VAGUE = declare("FW-VAGUE-WORD", "Vague word", "...", "Avoid '{word}' ...", WARNING)

    @FRAMEWORK.rule(VAGUE)
    def vague_words(fw, ctx):
        yield VAGUE.at(source, word="good")
"""

from __future__ import annotations

import json
import string
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any, Generic, TypeVar

from addin.core.cells import cell_sort_key
from addin.core.model import SourceRef


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


ERROR = Severity.ERROR
WARNING = Severity.WARNING
INFO = Severity.INFO


@dataclass(frozen=True)
class FindingCode:
    """Declaration of one finding code: stable identifier, title, description, template."""

    code: str
    title: str
    description: str
    template: str
    severity: Severity
    group: str = ""
    policy: str = ""
    """Policy section the rule encodes, e.g. 'Appendix K' or '7.22'."""

    def params(self) -> list[str]:
        return [name for _, name, _, _ in string.Formatter().parse(self.template) if name]

    def message(self, **params: Any) -> str:
        return self.template.format(**params)

    def at(
        self,
        source: SourceRef | None = None,
        *,
        severity: Severity | None = None,
        file: str | None = None,
        sheet: str | None = None,
        cell: str | None = None,
        row: int | None = None,
        **params: Any,
    ) -> Finding:
        """Make a finding of this code at a source cell, filling the message template."""
        src = source or SourceRef()
        return Finding(
            file=file if file is not None else src.file,
            sheet=sheet if sheet is not None else src.sheet,
            cell=cell if cell is not None else src.cell,
            severity=severity or self.severity,
            code=self.code,
            message=self.message(**params),
            row=row,
        )


REGISTRY: dict[str, FindingCode] = {}


def declare(
    code: str,
    title: str,
    description: str,
    template: str,
    severity: Severity,
    *,
    group: str = "",
    policy: str = "",
) -> FindingCode:
    """Declare a finding code once. Declaring the same code twice is a programming error."""
    if code in REGISTRY or code in REASONS:
        raise ValueError(f"finding code {code} declared twice")
    decl = FindingCode(code, title, description, template, severity, group, policy)
    REGISTRY[code] = decl
    return decl


@dataclass(frozen=True)
class Reason:
    """Why someone is not (or cannot be shown to be) eligible to apply to progress.

    ``code`` is the ``code`` of a :class:`ReasonCode` (declared once with
    :func:`declare_reason`); ``field`` names the input at fault (an ``EstimateRow`` field
    name) so callers can point at the cell. A reason is not a finding about a file: it
    is shown in the Eligible/Reasons columns, never as a comment or a Findings row.
    """

    code: str
    message: str
    policy: str
    field: str | None = None


@dataclass(frozen=True)
class ReasonCode:
    """Declaration of one eligibility reason code: stable identifier, title, one-line
    description, message template(s) and the policy section, in the style of
    :class:`FindingCode` (group "eligibility"). ``templates`` maps a variant name to its
    message template; ``""`` is the main one. The README's table of eligibility reasons
    is generated from these declarations (``tools/codes_table.py``)."""

    code: str
    title: str
    description: str
    templates: tuple[tuple[str, str], ...]
    policy: str
    group: str = "eligibility"

    @property
    def template(self) -> str:
        return self.templates[0][1]

    def message(self, variant: str = "", **params: Any) -> str:
        return dict(self.templates)[variant].format(**params)

    def reason(self, variant: str = "", *, field: str | None = None,
               policy: str | None = None, **params: Any) -> Reason:
        """A :class:`Reason` of this code: the ``variant`` template filled with ``params``;
        ``policy`` (default: the declaration's) is the section this instance cites."""
        cite = policy or self.policy
        return Reason(self.code, self.message(variant, policy=cite, **params), cite, field)


REASONS: dict[str, ReasonCode] = {}
"""Every declared eligibility reason, in declaration order (the order the rules run)."""


def declare_reason(code: str, title: str, description: str, template: str, *, policy: str,
                   variants: Mapping[str, str] | None = None) -> ReasonCode:
    """Declare an eligibility reason code once (twice is a programming error)."""
    if code in REASONS or code in REGISTRY:
        raise ValueError(f"reason code {code} declared twice")
    decl = ReasonCode(code, title, description, (("", template), *(variants or {}).items()),
                      policy)
    REASONS[code] = decl
    return decl


def iter_reasons() -> Iterator[ReasonCode]:
    """All declared eligibility reasons (import addin.core.eligibility first), in order."""
    yield from REASONS.values()


@dataclass(frozen=True)
class Finding:
    """A problem found in an input, pointing at the file, sheet and cell at fault."""

    file: str | None
    sheet: str | None
    cell: str | None
    severity: Severity
    code: str
    message: str
    row: int | None = field(default=None, compare=True)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["severity"] = self.severity.value
        data.pop("row")
        return data

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


def sort_key(f: Finding) -> tuple:
    """Stable order: sheet, then row/column of the cell, then code."""
    return (f.file or "", f.sheet or "", cell_sort_key(f.cell), f.code, f.message)


@dataclass
class Report:
    """Everything one validation produced for one file."""

    file: str
    findings: list[Finding] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    """Extra top-level JSON members (for example estimates' ``rows``)."""

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity is Severity.WARNING)

    @property
    def exit_status(self) -> int:
        """0 no errors (warnings allowed), 1 errors found. (2 = unreadable, raised earlier.)"""
        return 1 if self.errors else 0

    def sorted(self) -> list[Finding]:
        return sorted(self.findings, key=sort_key)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "file": self.file,
            "findings": [f.to_json() for f in self.sorted()],
            "summary": {"errors": self.errors, "warnings": self.warnings},
        }
        data.update(self.extra)
        return data

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=2, ensure_ascii=False, default=str)

    def to_text(self) -> str:
        """A readable table grouped by sheet."""
        lines = [f"{self.file}: {self.errors} error(s), {self.warnings} warning(s)"]
        by_sheet: dict[str, list[Finding]] = {}
        for f in self.sorted():
            by_sheet.setdefault(f.sheet or "(workbook)", []).append(f)
        for sheet, items in by_sheet.items():
            lines.append("")
            lines.append(f"Sheet {sheet}")
            width_cell = max(4, *(len(f.cell or "-") for f in items))
            width_code = max(4, *(len(f.code) for f in items))
            for f in items:
                lines.append(
                    f"  {(f.cell or '-'):<{width_cell}}  {f.severity.value:<7}  "
                    f"{f.code:<{width_code}}  {f.message}"
                )
        return "\n".join(lines)


Ctx = TypeVar("Ctx")
Subject = TypeVar("Subject")
RuleFn = Callable[[Any, Any], Iterable[Finding]]


@dataclass
class Rule:
    fn: RuleFn
    codes: tuple[FindingCode, ...]

    @property
    def name(self) -> str:
        return self.fn.__name__


class Checker(Generic[Subject, Ctx]):
    """A named list of rule functions ``rule(subject, ctx) -> Iterable[Finding]``."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.rules: list[Rule] = []

    def rule(self, *codes: FindingCode) -> Callable[[RuleFn], RuleFn]:
        if not codes:
            raise ValueError("a rule must be registered with at least one code")

        def register(fn: RuleFn) -> RuleFn:
            self.rules.append(Rule(fn, codes))
            return fn

        return register

    def codes(self) -> list[FindingCode]:
        seen: dict[str, FindingCode] = {}
        for r in self.rules:
            for c in r.codes:
                seen.setdefault(c.code, c)
        return list(seen.values())

    def run(self, subject: Subject, ctx: Ctx) -> list[Finding]:
        found: list[Finding] = []
        for r in self.rules:
            allowed = {c.code for c in r.codes}
            for f in r.fn(subject, ctx):
                if f.code not in allowed:
                    raise AssertionError(f"rule {r.name} raised undeclared code {f.code}")
                found.append(f)
        return found


def iter_codes(groups: Iterable[str] | None = None) -> Iterator[FindingCode]:
    """All declared codes (import the checker modules first), sorted by group then code."""
    wanted = set(groups) if groups else None
    for decl in sorted(REGISTRY.values(), key=lambda d: (d.group, d.code)):
        if wanted is None or decl.group in wanted:
            yield decl
