"""Validate a file: read it into records (office layer), run the checkers over them
(rules layer) and give one :class:`~addin.core.findings.Report`. The command line, the
Excel ribbon and the batch call these, so a file is validated the same way everywhere."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from addin.core.findings import Report
from addin.office.xlsx.frameworks import load_framework
from addin.rules.framework_checks import check_framework


def validate_framework(path: str | Path, *, vague_words: Sequence[str] | None = None) -> Report:
    """Read a framework workbook and check it: the reader's structural findings plus
    every rule above. Raises InputError (exit 2) when the file cannot be read at all."""
    fw, structural = load_framework(path)
    return Report(file=str(path), findings=[*structural, *check_framework(fw, vague_words=vague_words)])
