"""Money is Decimal in EUR, rounded half-up to cents in exactly one place.

Shown the reader's way: ``€ 1.234,56`` and ``3,1%`` in Dutch, ``€ 1,234.56`` and ``3.1%`` in English
(the active language decides). Exports use the machine form (``1234.56``), not these helpers.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import get_language

CENT = Decimal("0.01")


def to_cents(amount: Decimal | int | str) -> Decimal:
    """Round an amount half-up to whole cents. Refuses floats: money never passes through float."""
    if isinstance(amount, float):
        raise TypeError("Money never passes through float; pass a Decimal, int or str.")
    try:
        return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:
        raise ValueError(f"Not an amount: {amount!r}") from exc


def percentage_of(amount: Decimal, percent: Decimal) -> Decimal:
    """``percent`` % of ``amount``, rounded to cents (VAT, indexation)."""
    return to_cents(Decimal(amount) * Decimal(percent) / Decimal(100))


def _separators() -> tuple[str, str]:
    """(thousands, decimal) separators of the active language: Dutch unless English is active."""
    return (",", ".") if (get_language() or "").startswith("en") else (".", ",")


def _group(whole: str, thousands: str) -> str:
    return f"{int(whole):,}".replace(",", thousands)


def format_eur(amount: Decimal | None) -> str:
    """``€ 1.234,56`` in Dutch, ``€ 1,234.56`` in English (negative as ``€ -1.234,56``)."""
    if amount is None:
        return ""
    value = to_cents(amount)
    sign = "-" if value < 0 else ""
    thousands, point = _separators()
    whole, _, cents = f"{abs(value):.2f}".partition(".")
    return f"€ {sign}{_group(whole, thousands)}{point}{cents}"


def format_decimal_nl(value: Decimal | None, places: int | None = None) -> str:
    """A quantity the reader's way (``1.234,5`` in Dutch, ``1,234.5`` in English): its own significant
    decimals unless ``places`` is given. (The name is older than the English display.)"""
    if value is None:
        return ""
    value = Decimal(value)
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    else:
        value = value.normalize()
        if value.as_tuple().exponent > 0:
            value = value.quantize(Decimal(1))
    sign = "-" if value < 0 else ""
    thousands, point = _separators()
    whole, _, fraction = f"{abs(value):f}".partition(".")
    grouped = _group(whole, thousands)
    return f"{sign}{grouped}{point}{fraction}" if fraction else f"{sign}{grouped}"


def format_percent(value: Decimal | int | str | None, places: int | None = None) -> str:
    """A percentage the reader's way: ``3,1%`` in Dutch, ``3.1%`` in English; empty for None."""
    if value is None or value == "":
        return ""
    return f"{format_decimal_nl(Decimal(value), places)}%"
