"""The arithmetic of an invoice, in one place: line amounts, the VAT breakdown and the totals.

A line's net amount is quantity x annual unit price / periods per year, rounded half-up to cents per
line; VAT is computed per VAT category and rate on the totals of that category (DESIGN rule 5).
Credit-note lines carry a negative quantity and amount; the rounding is symmetric around zero.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from core.money import percentage_of, to_cents
from core.periods import Period

PERIODS_PER_YEAR = {"quarter": 4, "month": 12, "year": 1}
QUANTITY = Decimal("0.0001")


def periods_per_year(period: Period) -> int:
    return PERIODS_PER_YEAR[period.kind]


def line_amount(*, quantity: Decimal, unit_price: Decimal, periods: int) -> Decimal:
    """``quantity x unit_price / periods``, rounded half-up to cents (never through float)."""
    return to_cents(Decimal(quantity) * Decimal(unit_price) / Decimal(periods))


@dataclass(frozen=True)
class VatAmount:
    category: str
    rate: Decimal
    base: Decimal
    vat: Decimal


@dataclass(frozen=True)
class Totals:
    net: Decimal
    vat: Decimal
    gross: Decimal
    breakdown: tuple[VatAmount, ...]


def totals(lines: Iterable) -> Totals:
    """Totals of lines that have ``net_amount``, ``vat_category`` and ``vat_rate``."""
    bases: dict[tuple[str, Decimal], Decimal] = {}
    for line in lines:
        key = (line.vat_category, Decimal(line.vat_rate))
        bases[key] = bases.get(key, Decimal("0.00")) + Decimal(line.net_amount)
    breakdown = tuple(
        VatAmount(category=category, rate=rate, base=to_cents(base), vat=percentage_of(base, rate))
        for (category, rate), base in sorted(bases.items())
    )
    net = to_cents(sum((b.base for b in breakdown), Decimal("0.00")))
    vat = to_cents(sum((b.vat for b in breakdown), Decimal("0.00")))
    return Totals(net=net, vat=vat, gross=net + vat, breakdown=breakdown)
