"""Pay settings built in code for the rules-engine tests, so hand-worked figures do not
depend on the shipped (sample) pay-ranges workbook. Same shape as the Settings sheet."""

from __future__ import annotations

from decimal import Decimal as D

from addin.core.model import PayRange, PaySettings, Settings

SETTINGS = Settings(
    employer_ni_rate=D("0.15"),
    ni_secondary_threshold=D("5000"),
    employer_pension_rate=D("0.198"),
    apprenticeship_levy_rate=D("0.005"),
    pay_change_dates=((1, 1), (7, 1)),
    submission_deadlines=((12, 1), (6, 1)),
    appeal_working_days=5,
    min_months_in_post=6,
    cola_effective=(4, 1),
    casual_aggregate_months=6,
)
RANGES = {
    2: PayRange(2, D("23656"), D("24404"), D("25152")),
    3: PayRange(3, D("25584"), D("26967"), D("28349")),
    4: PayRange(4, D("29093"), D("31200"), D("33366")),
}
PAY = PaySettings(ranges=RANGES, settings=SETTINGS)
