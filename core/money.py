"""Money is Decimal in EUR, rounded half-up to cents in exactly one place."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

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


def format_eur(amount: Decimal | None) -> str:
    """Dutch display: ``€ 1.234,56`` (negative as ``€ -1.234,56``)."""
    if amount is None:
        return ""
    value = to_cents(amount)
    sign = "-" if value < 0 else ""
    whole, _, cents = f"{abs(value):.2f}".partition(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    return f"€ {sign}{grouped},{cents}"


def format_decimal_nl(value: Decimal | None, places: int | None = None) -> str:
    """A quantity Dutch style (``1.234,5``): its own significant decimals unless ``places`` is given."""
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
    whole, _, fraction = f"{abs(value):f}".partition(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    return f"{sign}{grouped},{fraction}" if fraction else f"{sign}{grouped}"
