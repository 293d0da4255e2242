"""Outcome letters from a decisions workbook (``medpay letters`` and the Excel button
Generate letters): read the decisions, the frameworks and the pay ranges with their
defaults (:mod:`addin.app.inputs`), say which decisions are dated oddly against the
letter date (:func:`addin.core.form_context.letter_date_warnings`), write the letters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from addin.app.inputs import load_frameworks, load_pay
from addin.core.form_context import letter_date_warnings
from addin.office.docx.forms import generate_letters
from addin.office.xlsx.decisions import read_decisions


@dataclass
class LettersRun:
    """The letters written and the warnings about their decisions' dates (each naming
    the decisions workbook, its sheet and the decision date's cell)."""

    letters: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def letters_from_decisions(decisions_path: str | Path, *, out_dir: str | Path,
                           framework_paths: Sequence[str | Path] | None = None,
                           pay_ranges: str | Path | None = None, as_of: dt.date | None = None,
                           force: bool = False, pdf: bool = False,
                           templates: Path | None = None) -> LettersRun:
    """One letter per decision, dated ``as_of`` (None = today): the letter is the
    notification the appeal period counts from (7.25)."""
    pay = load_pay(pay_ranges)
    decisions = read_decisions(decisions_path)
    frameworks = load_frameworks(framework_paths)
    day = as_of or dt.date.today()
    warnings = [f"{d.file} [{d.sheet}!{d.decision_date_cell}]: {message}"
                for d in decisions for message in letter_date_warnings(d, day)]
    letters = generate_letters(decisions, frameworks=frameworks, pay=pay, as_of=day,
                               out_dir=Path(out_dir), force=force, pdf=pdf, templates=templates)
    return LettersRun(letters, warnings)
