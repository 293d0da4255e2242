"""What the batch keeps about each submission: a :class:`FileResult` with a
:class:`RowOutcome` per employee row. Plain records, shared by the batch run
(:mod:`addin.batch.run`) and its cache's file format (:mod:`addin.batch.cache`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from addin.core.findings import Finding


@dataclass
class RowOutcome:
    estimate: Any
    eligible: bool | None
    reasons: tuple[str, ...]
    effective_date: dt.date | None
    cost: Any
    cost_problem: str | None
    errors: int
    warnings: int
    pay_point: Decimal | None = None
    """The pay-ranges figure for the role's range at the estimated level (7.14)."""
    status: str | None = None
    """The Eligible column's text: "Yes", "No" or "Manager to decide (6.16)"."""


@dataclass
class FileResult:
    """Everything the batch keeps about one submission (stored in the cache as JSON by
    :mod:`addin.batch.cache`)."""

    rel: str
    key: str
    status: str
    """'ok' (no errors), 'errors' (read, with error findings) or 'unreadable'."""
    reason: str | None = None
    findings: list[Finding] = field(default_factory=list)
    rows: list[RowOutcome] = field(default_factory=list)
    sheet: str | None = None
    """The sheet the rows were read from (where the feedback columns go)."""
    header_row: int | None = None
    output_columns: dict[str, int] = field(default_factory=dict)
    """MedPay's own feedback columns on the header row when the submission is a feedback
    copy sent back (``EstimatesRead.output_columns``): replaced in its new copy."""
    cached: bool = False

    @property
    def readable(self) -> bool:
        return self.status != "unreadable"
