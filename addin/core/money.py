"""Money: the one home of the rounding rule and of how an amount is written.

The rule (house style; policy Appendix E costs and every figure MedPay shows or writes):

* money is :class:`decimal.Decimal` from the moment it is read (:func:`addin.core.parsing.parse_money`),
  never a float, and arithmetic on it is exact;
* it is rounded **half-up to the penny** (``ROUND_HALF_UP``: £0.125 -> £0.13, £0.135 ->
  £0.14, -£0.125 -> -£0.13, away from zero) **only at the end**, when a figure is
  finished (:func:`round_penny`) or written out (:func:`format_gbp`, :func:`format_amount`,
  :func:`money_text`).

Never half-even (banker's rounding), which is what ``Decimal.quantize`` without a
``rounding=`` argument and ``f"{d:,.2f}"`` on a Decimal do under the default context: both
turn £0.125 into £0.12. Every writer and formatter calls this module instead.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

__all__ = ["PENNY", "format_amount", "format_gbp", "money_text", "round_penny", "to_pence"]

PENNY = Decimal("0.01")


def round_penny(value: Decimal) -> Decimal:
    """``value`` rounded half-up to the penny (two decimal places).

    >>> round_penny(Decimal("0.125")), round_penny(Decimal("2.675")), round_penny(Decimal("-0.125"))
    (Decimal('0.13'), Decimal('2.68'), Decimal('-0.13'))
    """
    return value.quantize(PENNY, rounding=ROUND_HALF_UP)


def to_pence(value: Decimal) -> int:
    """Whole pence, rounded half-up: ``to_pence(Decimal("14193.595")) == 1419360``."""
    return int(round_penny(value) * 100)


def format_amount(value: Decimal, *, trim_zero_pence: bool = False) -> str:
    """'14,193.60': thousands separated, two decimals, rounded half-up; no £ sign.
    ``trim_zero_pence`` writes whole pounds without '.00' ('25,584')."""
    rounded = round_penny(value)
    text = f"{abs(rounded) if rounded == 0 else rounded:,}"  # no "-0.00"
    return text.removesuffix(".00") if trim_zero_pence else text


def format_gbp(value: Decimal) -> str:
    """'£14,193.60' (negative: '-£5.00'), rounded half-up to the penny.

    >>> format_gbp(Decimal("14193.595")), format_gbp(Decimal("-5"))
    ('£14,193.60', '-£5.00')
    """
    text = format_amount(value)
    return f"-£{text[1:]}" if text.startswith("-") else f"£{text}"


def money_text(value: Decimal | None) -> str | None:
    """The plain decimal string a JSON or cache field carries ('14193.60'; None stays
    None), rounded half-up to the penny."""
    return None if value is None else str(round_penny(value))
