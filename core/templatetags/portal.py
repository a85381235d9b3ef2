"""Template filters: money, quantities and percentages the reader's way, and stored texts in the reader's
language."""

from django import template

from core.money import format_decimal_nl, format_eur, format_percent
from core.texts import render

register = template.Library()


@register.filter
def eur(value):
    """``€ 1.234,56`` (``€ 1,234.56`` in English)"""
    return format_eur(value)


@register.filter
def qty(value, places=None):
    """A quantity: ``1.234,5`` (``1,234.5`` in English)."""
    return format_decimal_nl(value, int(places) if places not in (None, "") else None)


@register.filter
def pct(value, places=None):
    """A percentage: ``3,1%`` (``3.1%`` in English); ``–`` for none."""
    if value in (None, ""):
        return "–"
    return format_percent(value, int(places) if places not in (None, "") else None)


@register.filter
def stored(value):
    """A stored text (a history reason, a default title, a run message) in the reader's language."""
    return render(value)
