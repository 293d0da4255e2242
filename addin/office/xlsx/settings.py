"""Read the pay-ranges and settings workbook (``workbooks/pay-ranges.xlsx``).

Sheet "Pay ranges": Range | Level A | Level B | Level C, annual full-time salary in
pounds for ranges 2-8 (policy 7.14: A = start, B = mid-point, C = top of the range).

Sheet "Settings": every tunable number on its own labelled row (label in the first
column, value in the next). Labels are matched case-, spacing- and
punctuation-insensitively. The code holds no second copy of these numbers.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

from addin.core.cells import a1
from addin.core.errors import SettingsError
from addin.core.model import (
    DEFAULT_PAYROLL_CUTOFF_DAY,
    LEVELS,
    MAX_RANGE,
    MIN_RANGE,
    PayRange,
    PaySettings,
    Settings,
)
from addin.core.text import clean_text, norm_key, without_hint
from addin.office.resources import default_pay_ranges
from addin.office.xlsx.safe import load_workbook, used_rows

PAY_SHEET = "Pay ranges"
SETTINGS_SHEET = "Settings"

# Settings labels (normalised) -> field. The workbook's label text is what HR sees.
LABELS = {
    "employer_ni_rate": "Employer National Insurance rate",
    "ni_secondary_threshold": "National Insurance secondary threshold",
    "employer_pension_rate": "Employer pension rate",
    "apprenticeship_levy_rate": "Apprenticeship levy rate",
    "appeal_working_days": "Appeal period (working days)",
    "min_months_in_post": "Minimum months in post for new appointees",
    "casual_aggregate_months": "Casual staff working aggregate (months)",
    "cola_effective": "Cost-of-living award applies from",
    "payroll_cutoff_day": "Payroll cut-off day",
}
OPTIONAL = {"payroll_cutoff_day": DEFAULT_PAYROLL_CUTOFF_DAY}
"""Settings rows a workbook may lack (older copies of pay-ranges.xlsx), with the value
used then. Every other row is required."""
_PAY_DATE = re.compile(r"^paychangedate(\d+)$")
_DEADLINE = re.compile(r"^submissiondeadline(\d+)$")
_MONTHS = {m.lower(): i for i, m in enumerate(
    ["January", "February", "March", "April", "May", "June", "July", "August",
     "September", "October", "November", "December"], start=1)}


def parse_day_month(value: object) -> tuple[int, int]:
    """'1 July' / '01/07' / a date -> (month, day)."""
    if isinstance(value, (dt.date, dt.datetime)):
        return (value.month, value.day)
    text = clean_text(value).lower()
    m = re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)", text)
    if m:
        for name, num in _MONTHS.items():
            if name.startswith(m.group(2)[:3]):
                day = int(m.group(1))
                dt.date(2024, num, day)  # validates (2024 is a leap year)
                return (num, day)
    m = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})", text)
    if m:
        day, month = int(m.group(1)), int(m.group(2))
        dt.date(2024, month, day)
        return (month, day)
    raise ValueError(f"expected a day and month such as '1 July', got {value!r}")


def _decimal(value: object) -> Decimal:
    if isinstance(value, bool) or value is None or value == "":
        raise ValueError("expected a number")
    if isinstance(value, float):
        # repr gives the shortest round-tripping text: 0.198 -> '0.198', not binary noise
        return Decimal(repr(value))
    text = clean_text(value).replace(",", "").replace("£", "")
    pct = text.endswith("%")
    try:
        num = Decimal(text.rstrip("%").strip())
    except InvalidOperation as exc:
        raise ValueError(f"expected a number, got {value!r}") from exc
    return num / 100 if pct else num


def read_pay_settings(path: str | Path | None = None) -> PaySettings:
    """Read pay ranges and settings from the workbook (default: the shipped one)."""
    p = Path(path) if path else default_pay_ranges()
    try:
        mtime = p.stat().st_mtime_ns
    except OSError:
        mtime = 0
    return _read_cached(str(p.resolve()) if p.exists() else str(p), mtime)


@lru_cache(maxsize=8)
def _read_cached(path: str, mtime: int) -> PaySettings:
    """Cached by path and modification time, so edits to the workbook are picked up."""
    wb = load_workbook(path, data_only=True)
    try:
        ranges = _read_ranges(wb, path)
        settings = _read_settings(wb, path)
        settings = replace(settings, council=replace(settings.council, **_read_council(wb, path)))
    finally:
        wb.close()
    return PaySettings(ranges=ranges, settings=settings, source_file=path)


def _sheet(wb, name: str, path: str):
    for ws in wb.worksheets:
        if norm_key(ws.title) == norm_key(name):
            return ws
    raise SettingsError(f'no sheet named "{name}"', file=path,
                        hint="use the shipped workbooks/pay-ranges.xlsx as the pattern")


def _at(row: tuple, col: int) -> object:
    """The value in 1-based column ``col`` of a row from :func:`addin.office.xlsx.safe.used_rows`
    (None beyond the last column holding data)."""
    return row[col - 1] if col <= len(row) else None


def _read_ranges(wb, path: str) -> dict[int, PayRange]:
    ws = _sheet(wb, PAY_SHEET, path)
    # Only the cells really stored, never ws.max_row (a claimed or styled dimension).
    rows = used_rows(ws, file=path)
    header_row = None
    cols: dict[str, int] = {}
    for r, row in enumerate(rows[:20], 1):
        keys = [norm_key(v) for v in row]
        if "range" in keys and any(k.startswith("levela") for k in keys):
            header_row = r
            for c, k in enumerate(keys, 1):
                for key in ("range", "levela", "levelb", "levelc"):
                    if k.startswith(key) and key not in cols:
                        cols[key] = c
            break
    if header_row is None or len(cols) < 4:
        raise SettingsError("no header row with Range, Level A, Level B, Level C",
                            file=path, sheet=ws.title)
    ranges: dict[int, PayRange] = {}
    for r, row in enumerate(rows[header_row:], header_row + 1):
        rng = _at(row, cols["range"])
        if rng is None or clean_text(rng) == "":
            continue
        try:
            rng_i = int(_decimal(rng))
        except ValueError:
            continue  # notes below the table
        if not MIN_RANGE <= rng_i <= MAX_RANGE:
            raise SettingsError(f"range {rng_i} is outside {MIN_RANGE}-{MAX_RANGE}",
                                file=path, sheet=ws.title, cell=a1(r, cols["range"]))
        vals = []
        for lv in LEVELS:
            c = cols[f"level{lv.value.lower()}"]
            try:
                vals.append(_decimal(_at(row, c)))
            except ValueError:
                raise SettingsError(f"salary for range {rng_i} level {lv.value} is not a number",
                                    file=path, sheet=ws.title, cell=a1(r, c)) from None
        if not vals[0] <= vals[1] <= vals[2]:
            raise SettingsError(f"range {rng_i}: Level A <= Level B <= Level C must hold",
                                file=path, sheet=ws.title, cell=a1(r, cols["levela"]))
        ranges[rng_i] = PayRange(rng_i, *vals)
    if not ranges:
        raise SettingsError("no pay ranges found", file=path, sheet=ws.title)
    return ranges


# Bounds on what a Settings value can sensibly be. A rate is a fraction below 1: "15"
# typed for 15% would otherwise cost employer NI at 1500%. (label field -> (low, high))
_RATE_FIELDS = ("employer_ni_rate", "employer_pension_rate", "apprenticeship_levy_rate")
_WHOLE_BOUNDS = {
    "appeal_working_days": (1, 60),
    "min_months_in_post": (0, 120),
    "casual_aggregate_months": (0, 120),
    "payroll_cutoff_day": (1, 31),
}


def _label_keys(text: object) -> set[str]:
    """The normalised keys a label answers to: as written, and without a trailing
    bracketed note ("Appeal period (working days)" also answers to "Appeal period")."""
    raw = clean_text(text)
    return {k for k in (norm_key(raw), norm_key(without_hint(raw))) if k}


def _label_and_value(row: tuple, r: int) -> tuple[object, str, tuple[object, str]] | None:
    """The label (the first non-blank cell of the row, normally column A), its A1
    reference, and the value beside it with its A1 reference. A column inserted before
    the labels still reads."""
    for c, v in enumerate(row, 1):
        if v is not None and clean_text(v) != "":
            return v, a1(r, c), (_at(row, c + 1), a1(r, c + 1))
    return None


def _rate(value: object) -> Decimal:
    rate = _decimal(value)
    if not Decimal(0) <= rate < Decimal(1):
        raise ValueError(f"{_show(value)} is not a rate; write a percentage such as 15% "
                         "(or the fraction 0.15)")
    return rate


def _show(value: object) -> str:
    return clean_text(value)[:40] or repr(value)


def _whole(low: int, high: int):
    def conv(value: object) -> int:
        num = _decimal(value)
        if num != num.to_integral_value() or not low <= num <= high:
            raise ValueError(f"expected a whole number from {low} to {high}, got {_show(value)}")
        return int(num)
    return conv


def _money_amount(value: object) -> Decimal:
    num = _decimal(value)
    if not Decimal(0) <= num <= Decimal(1_000_000):
        raise ValueError(f"expected an amount in pounds from 0 to 1,000,000, got {_show(value)}")
    return num


def _read_settings(wb, path: str) -> Settings:
    """Each setting is the row whose label (first non-blank cell) is the setting's label,
    optionally with a bracketed note; the value is the cell to its right. Two rows for
    one setting are refused (naming both cells), never silently resolved, and every
    value is range-checked, so a typo cannot change what every employee costs."""
    ws = _sheet(wb, SETTINGS_SHEET, path)
    values: dict[str, tuple[object, str]] = {}
    label_cells: dict[str, str] = {}
    pay_dates: dict[int, tuple[object, str]] = {}
    deadlines: dict[int, tuple[object, str]] = {}
    wanted: dict[str, str] = {}
    for field, label_text in LABELS.items():
        for k in _label_keys(label_text):
            wanted[k] = field
    for r, row in enumerate(used_rows(ws, file=path)[:200], 1):
        found = _label_and_value(row, r)
        if found is None:
            continue
        label, label_ref, cell = found
        keys = _label_keys(label)
        for field in {wanted[k] for k in keys if k in wanted}:
            if field in values:
                raise SettingsError(
                    f'two rows set "{LABELS[field]}" ({label_cells[field]} and {label_ref}); '
                    "keep one", file=path, sheet=ws.title, cell=label_ref)
            values[field] = cell
            label_cells[field] = label_ref
        for key in keys:
            if m := _PAY_DATE.match(key):
                pay_dates[int(m.group(1))] = cell
            if m := _DEADLINE.match(key):
                deadlines[int(m.group(1))] = cell

    def get(field: str, conv):
        if field not in values and field in OPTIONAL:
            return OPTIONAL[field]
        if field not in values:
            raise SettingsError(f'no row labelled "{LABELS[field]}"', file=path, sheet=ws.title)
        raw, ref = values[field]
        try:
            return conv(raw)
        except (ValueError, TypeError) as exc:
            raise SettingsError(f"{LABELS[field]}: {exc}", file=path, sheet=ws.title, cell=ref) from None

    def day_month(raw_ref: tuple[object, str], what: str) -> tuple[int, int]:
        raw, ref = raw_ref
        try:
            return parse_day_month(raw)
        except (ValueError, TypeError) as exc:
            raise SettingsError(f"{what}: {exc}", file=path, sheet=ws.title, cell=ref) from None

    if not pay_dates or set(pay_dates) != set(deadlines):
        raise SettingsError('need rows "Pay change date N" and "Submission deadline N" in pairs',
                            file=path, sheet=ws.title)
    order = sorted(pay_dates)
    return Settings(
        employer_ni_rate=get("employer_ni_rate", _rate),
        ni_secondary_threshold=get("ni_secondary_threshold", _money_amount),
        employer_pension_rate=get("employer_pension_rate", _rate),
        apprenticeship_levy_rate=get("apprenticeship_levy_rate", _rate),
        pay_change_dates=tuple(day_month(pay_dates[i], f"Pay change date {i}") for i in order),
        submission_deadlines=tuple(day_month(deadlines[i], f"Submission deadline {i}") for i in order),
        appeal_working_days=get("appeal_working_days", _whole(*_WHOLE_BOUNDS["appeal_working_days"])),
        min_months_in_post=get("min_months_in_post", _whole(*_WHOLE_BOUNDS["min_months_in_post"])),
        casual_aggregate_months=get("casual_aggregate_months",
                                    _whole(*_WHOLE_BOUNDS["casual_aggregate_months"])),
        cola_effective=get("cola_effective", parse_day_month),
        payroll_cutoff_day=get("payroll_cutoff_day", _whole(*_WHOLE_BOUNDS["payroll_cutoff_day"])),
    )


# ----------------------------------------------------------------------------- council details

COUNCIL_LABELS = {
    "name": "Council name",
    "address": "Council address",
    "appeals_contact": "Appeals contact (email or phone)",
    "signatory_name": "Signatory name",
    "signatory_job_title": "Signatory job title",
}
"""The optional text rows of the Settings sheet (:class:`addin.core.model.CouncilDetails`
field -> label); a row that is absent, or whose value is blank, gives the field's default."""
COUNCIL_MAX_CHARS = 200


def _read_council(wb, path: str) -> dict[str, str]:
    """The council's details from the Settings sheet (:class:`addin.core.model.CouncilDetails`
    field -> value, for the rows present and not blank): each row of
    :data:`COUNCIL_LABELS` is optional (the field's default otherwise), two rows for one
    are refused naming both cells, and a value is text of at most
    :data:`COUNCIL_MAX_CHARS` characters (it is printed on every form and letter)."""
    ws = _sheet(wb, SETTINGS_SHEET, path)
    wanted = {k: f for f, label in COUNCIL_LABELS.items() for k in _label_keys(label)}
    found: dict[str, tuple[object, str, str]] = {}
    for r, row in enumerate(used_rows(ws, file=path)[:200], 1):
        hit = _label_and_value(row, r)
        if hit is None:
            continue
        label, label_ref, (raw, ref) = hit
        for fld in {wanted[k] for k in _label_keys(label) if k in wanted}:
            if fld in found:
                raise SettingsError(
                    f'two rows set "{COUNCIL_LABELS[fld]}" ({found[fld][2]} and {label_ref}); keep one',
                    file=path, sheet=ws.title, cell=label_ref)
            found[fld] = (raw, ref, label_ref)
    values: dict[str, str] = {}
    for fld, (raw, ref, _) in found.items():
        # one line: an address typed over several lines in the cell reads "a, b, c"
        text = ", ".join(" ".join(line.split()) for line in clean_text(raw).split("\n") if line.strip())
        if len(text) > COUNCIL_MAX_CHARS:
            raise SettingsError(f"{COUNCIL_LABELS[fld]}: longer than {COUNCIL_MAX_CHARS} characters",
                                file=path, sheet=ws.title, cell=ref)
        if text:
            values[fld] = text
    return values
