"""Every read of the catalogue that reaches a user. The catalogue is the same for every role."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Service, Tariff


def tariffs_for_year(year: int) -> dict[int, Tariff]:
    """The one tariff per service for ``year``, keyed by service id."""
    return {t.service_id: t for t in Tariff.objects.filter(year=year).select_related("service")}


def active_services() -> QuerySet[Service]:
    return Service.objects.select_related("domain").order_by("domain__order", "code")
