"""Years: the one range the portal accepts (2000-2100) and the field types that keep to it."""

from __future__ import annotations

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

MIN_YEAR, MAX_YEAR = 2000, 2100
# A date in a file may lie further back (someone employed since 1986), never in year 1 or 40000.
MIN_DATE_YEAR = 1900


def year_validators() -> list:
    return [MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)]


def is_valid_year(year: int) -> bool:
    return MIN_YEAR <= year <= MAX_YEAR


def is_valid_date_year(year: int) -> bool:
    return MIN_DATE_YEAR <= year <= MAX_YEAR


class YearField(models.PositiveSmallIntegerField):
    """A calendar year within ``MIN_YEAR``-``MAX_YEAR``.

    It deconstructs as the plain ``PositiveSmallIntegerField`` with its validators, so the field type
    needs no migration of its own.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("validators", year_validators())
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.PositiveSmallIntegerField", args, kwargs


class YearFormField(forms.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", MIN_YEAR)
        kwargs.setdefault("max_value", MAX_YEAR)
        super().__init__(**kwargs)
