"""Template filters for Dutch display of money and quantities."""

from django import template

from core.money import format_decimal_nl, format_eur

register = template.Library()


@register.filter
def eur(value):
    """``€ 1.234,56``"""
    return format_eur(value)


@register.filter
def qty(value, places=None):
    """A quantity Dutch style: ``1.234,5``."""
    return format_decimal_nl(value, int(places) if places not in (None, "") else None)
