"""Add the optional Settings rows to a pay-ranges workbook (the shipped
``workbooks/pay-ranges.xlsx`` by default) without touching anything else in it.

The shipped workbook is committed as a file, not built from code, so new optional rows
are added to it by this idempotent tool: a row whose label is already on the Settings
sheet is left as it is (its value may have been changed by HR), a missing one is
appended below the last row with its default value and note. Run it again after merging
another branch's copy of the workbook:

    PYTHONPATH=. .venv/bin/python -m tools.pay_ranges_settings [WORKBOOK]
"""

from __future__ import annotations

import sys
from copy import copy
from pathlib import Path

from addin.core.model import CouncilDetails
from addin.core.text import norm_key, without_hint
from addin.office.resources import default_pay_ranges
from addin.office.xlsx.settings import COUNCIL_LABELS, SETTINGS_SHEET

_D = CouncilDetails()
ROWS: tuple[tuple[str, object, str], ...] = (
    (COUNCIL_LABELS["name"], _D.name,
     "Printed in the header of every form and on the letterhead of every letter"),
    (COUNCIL_LABELS["address"], _D.address, "The letterhead's address; appeals by post go here"),
    (COUNCIL_LABELS["appeals_contact"], _D.appeals_contact,
     "SAMPLE - replace. Policy 7.25: where a declined employee sends the written appeal"),
    (COUNCIL_LABELS["signatory_name"], _D.signatory_name,
     "Signs the outcome letters whose decision row names no one (Signed by)"),
    (COUNCIL_LABELS["signatory_job_title"], _D.signatory_job_title, "The signatory's job title"),
)
"""(label, default value, note) of each optional row this tool adds."""


def add_rows(path: Path) -> list[str]:
    """Append each of :data:`ROWS` missing from the Settings sheet of ``path`` (saved in
    place); returns the labels added."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = next(s for s in wb.worksheets if norm_key(s.title) == norm_key(SETTINGS_SHEET))
    have = {norm_key(without_hint(str(c.value))) for c in ws["A"] if c.value is not None}
    last = max((c.row for c in ws["A"] if c.value is not None), default=0)
    template = [copy(ws.cell(last, col)._style) for col in (1, 2, 3)]
    added = []
    for label, value, note in ROWS:
        if norm_key(without_hint(label)) in have:
            continue
        last += 1
        for col, v in enumerate((label, value, note), 1):
            cell = ws.cell(last, col, v)
            cell._style = copy(template[col - 1])
        added.append(label)
    if added:
        wb.save(path)
    return added


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]) if args else default_pay_ranges()
    added = add_rows(path)
    print(f"{path}: added {', '.join(added)}" if added else f"{path}: nothing to add")
    return 0


if __name__ == "__main__":
    sys.exit(main())
