"""Template filters of the quality pages: a KPI's value the Dutch way, with its unit."""

from decimal import Decimal

from django import template

from core.money import format_decimal_nl

register = template.Library()

PERCENT = {"beschikbaarheid", "reactie_binnen_norm", "oplossing_binnen_norm"}


@register.filter
def kpi_value(value, kpi: str) -> str:
    """``99,80 %`` for a share, ``7,40`` for a score, ``1.234`` for a number of calls; ``–`` for none."""
    if value in (None, ""):
        return "–"
    value = Decimal(value)
    if kpi in PERCENT:
        return f"{format_decimal_nl(value, 2)} %"
    if kpi == "meldingen":
        return format_decimal_nl(value, 0 if value == value.to_integral_value() else 2)
    return format_decimal_nl(value, 2)


@register.filter
def lookup(mapping, key):
    return mapping.get(key) if mapping else None
