"""Celery tasks of the catalogue: thin wrappers around service functions."""

from decimal import Decimal

from celery import shared_task
from django.contrib.auth import get_user_model

from .models import Tariff
from .services import index_tariffs


@shared_task(name="services.index_tariffs_task")
def index_tariffs_task(*, from_year: int, to_year: int, percent: str, user_id: int | None = None) -> int:
    """Index a year's tariffs in the background. Safe to run twice: a year with tariffs is left alone.

    ``percent`` travels as a string, so it never passes through float. Returns how many were created.
    """
    if Tariff.objects.filter(year=to_year).exists():
        return 0
    by = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    return len(index_tariffs(from_year=from_year, to_year=to_year, percent=Decimal(percent), by=by))
