"""How medpay writes a date for a person: UK order, dd/mm/yyyy, in every form, letter,
feedback message and report (the one home of that format)."""

from __future__ import annotations

import datetime as dt

UK_DATE = "%d/%m/%Y"
"""``strftime`` format of a date as a UK reader writes it (Word's date pickers show the
same: ``dd/MM/yyyy``)."""


def uk_date(d: dt.date | None) -> str:
    """``dt.date(2027, 1, 4)`` -> ``'04/01/2027'``; None -> ``''``.

    >>> uk_date(dt.date(2027, 1, 4))
    '04/01/2027'
    >>> uk_date(None)
    ''
    """
    return d.strftime(UK_DATE) if d else ""
