"""Reads of volumes: what an agreement takes on a date, its line history, the basic package, periods.

Lines are annual: one volume per service and year. A change from a date within the year (a change
request from 1 October) rewrites the line and records the old volume with the day the new one holds
from (``AgreementLineChange.effective_from``). The volume in force on a date is therefore the line's
volume, unless a change of that year holds from a later day: then the old volume of the earliest such
change (``None``: the service was not taken yet). An agreement in force renews: a year without lines
takes the volumes of the latest earlier year with lines (``agreements.services.lines.ensure_lines_for_year``
writes them; the reads below apply the same rule without writing).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import Max, Q, QuerySet

from core.periods import Period
from services.models import Service
from tenants.selectors import scoped
from tenants.types import User

from ..models import Agreement, AgreementLine, AgreementLineChange
from .agreements import is_in_force_in_year, runs_on


def line_changes_for(user: User, *, agreement: Agreement) -> QuerySet[AgreementLineChange]:
    return scoped(
        AgreementLineChange.objects.filter(agreement=agreement).select_related(
            "service", "changed_by", "change_request"
        ),
        user,
        "agreement__customer",
    )


def offered_in_year(year: int, *, via: str = "") -> Q:
    """Services offered on at least one day of ``year``; ``via`` is the path to the service (``service__``)."""
    return Q(**{f"{via}active_from__lte": date(year, 12, 31)}) & (
        Q(**{f"{via}active_until__isnull": True}) | Q(**{f"{via}active_until__gte": date(year, 1, 1)})
    )


def is_offered_in(service: Service, year: int) -> bool:
    return service.active_from <= date(year, 12, 31) and (
        service.active_until is None or service.active_until >= date(year, 1, 1)
    )


def basic_services_for_year(year: int) -> list[Service]:
    return list(Service.objects.filter(offered_in_year(year), is_basic=True).order_by("code"))


def missing_basic_services(*, agreement: Agreement, year: int) -> list[Service]:
    present = set(agreement.lines.filter(year=year).values_list("service_id", flat=True))
    return [s for s in basic_services_for_year(year) if s.pk not in present]


def apply_later_changes(
    volumes: dict[int, Decimal], changes: Iterable[tuple[int, date | None, Decimal | None]], on: date
) -> dict[int, Decimal]:
    """``changes``: (service_id, effective_from, old_volume) of one year, earliest first (then oldest)."""
    result = dict(volumes)
    seen: set[int] = set()
    for service_id, effective_from, old_volume in changes:
        if effective_from is None or effective_from <= on or service_id in seen:
            continue
        seen.add(service_id)
        if old_volume is None:
            result.pop(service_id, None)
        else:
            result[service_id] = old_volume
    return result


def volumes_on(*, agreement: Agreement, on: date) -> dict[int, Decimal]:
    """The volume of every service taken on ``on`` (service id -> volume); services not taken are absent.

    Outside the agreement's term nothing is taken. Two queries, whatever the number of lines and changes.
    """
    if not runs_on(agreement, on):
        return {}
    volumes = dict(
        AgreementLine.objects.filter(agreement=agreement, year=on.year).values_list("service_id", "volume")
    )
    if volumes:
        changes = (
            AgreementLineChange.objects.filter(agreement=agreement, year=on.year, effective_from__gt=on)
            .order_by("effective_from", "pk")
            .values_list("service_id", "effective_from", "old_volume")
        )
        return apply_later_changes(volumes, changes, on)
    if not is_in_force_in_year(agreement, on.year):
        return {}
    latest = AgreementLine.objects.filter(agreement=agreement, year__lt=on.year).aggregate(year=Max("year"))
    return dict(
        AgreementLine.objects.filter(
            offered_in_year(on.year, via="service__"), agreement=agreement, year=latest["year"] or 0
        ).values_list("service_id", "volume")
    )


def line_volumes_in_year(*, agreement: Agreement, year: int) -> dict[int, Decimal]:
    """The line volume of every service of ``year`` (service id -> volume): the year's own lines, or,
    when the agreement renews into a year without lines, the latest earlier year's (services offered in
    ``year``), as ``ensure_lines_for_year`` would write them. Reads only; two queries."""
    volumes = dict(
        AgreementLine.objects.filter(agreement=agreement, year=year).values_list("service_id", "volume")
    )
    if volumes or not is_in_force_in_year(agreement, year):
        return volumes
    latest = AgreementLine.objects.filter(agreement=agreement, year__lt=year).aggregate(year=Max("year"))
    return dict(
        AgreementLine.objects.filter(
            offered_in_year(year, via="service__"), agreement=agreement, year=latest["year"] or 0
        ).values_list("service_id", "volume")
    )


def billing_periods(year: int, granularity: str | None = None) -> list[Period]:
    """The billing periods of ``year`` (``settings.BILLING_PERIOD``: quarters or months)."""
    granularity = granularity or settings.BILLING_PERIOD
    period = Period.containing(date(year, 1, 1), granularity=granularity)
    periods = []
    while period.year == year:
        periods.append(period)
        period = period.next()
    return periods
