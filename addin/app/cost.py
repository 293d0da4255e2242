"""Cost a level-estimate workbook (``medpay cost`` and the Excel button Cost estimates)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from addin.app.inputs import load_frameworks, load_pay
from addin.core.costing import CostRun, cost_rows
from addin.core.errors import InputError
from addin.office.xlsx.estimates import NO_TABLE, read_estimates


def cost_workbook(path: str | Path, *, framework_paths: Sequence[str | Path] | None = None,
                  pay_ranges: str | Path | None = None, as_of: dt.date | None = None,
                  cola: Decimal | None = None) -> CostRun:
    """Cost a level-estimate workbook, as ``medpay cost`` and the Excel button Cost
    estimates both do: read the pay ranges (None = the shipped workbook), the frameworks
    (None = every shipped one) and the rows (:func:`addin.office.xlsx.estimates.read_estimates`), then
    :func:`addin.core.costing.cost_rows`. ``as_of`` None means today. Returns the
    :class:`addin.core.costing.CostRun`."""
    pay = load_pay(pay_ranges)
    frameworks = load_frameworks(framework_paths)
    read = read_estimates(path, frameworks=frameworks)
    no_table = [f for f in read.findings if f.code == NO_TABLE.code]
    if no_table:
        # nothing to cost: the same verdict the batch gives (an unreadable submission),
        # not an empty report that looks like a team with no changes
        raise InputError(no_table[0].message, file=path)
    return cost_rows(read.rows, pay, as_of or dt.date.today(), cola)
