"""Reads of change requests, scoped to the user, and what a change would do: the volume it replaces and
its cost per year."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet

from core.money import to_cents
from services.models import Service, Tariff
from tenants.selectors import scoped
from tenants.types import User

from ..models import Agreement, AgreementLine, AgreementLineChange, ChangeRequest
from .volumes import billing_periods


def change_requests_for(user: User) -> QuerySet[ChangeRequest]:
    return scoped(
        ChangeRequest.objects.select_related(
            "agreement", "agreement__customer", "service", "submitted_by", "decided_by"
        ),
        user,
        "agreement__customer",
    )


def open_change_requests_for(user: User) -> QuerySet[ChangeRequest]:
    return change_requests_for(user).filter(status=ChangeRequest.Status.SUBMITTED).order_by("submitted_at")


def open_requests_taking_effect_by(*, agreement_ids: Iterable[int], day: date) -> QuerySet[ChangeRequest]:
    """Open requests of these agreements that take effect on or before ``day`` (not scoped: for the
    provider's billing, which warns before it issues a period that would strand them)."""
    return (
        ChangeRequest.objects.filter(
            agreement_id__in=list(agreement_ids),
            status=ChangeRequest.Status.SUBMITTED,
            effective_from__lte=day,
        )
        .select_related("agreement", "agreement__customer", "service")
        .order_by("effective_from", "pk")
    )


@dataclass
class ChangeEffect:
    """What a change does: the volume in force on its date without it, the new one, and the cost per
    year at that year's tariff (and next year's, where set), priced per billing period as billing does."""

    current: Decimal | None
    new: Decimal | None
    year: int
    unit_price: Decimal | None
    per_year: Decimal | None
    rest_of_year: Decimal | None
    next_unit_price: Decimal | None
    next_per_year: Decimal | None

    @property
    def next_year(self) -> int:
        return self.year + 1

    @property
    def delta(self) -> Decimal:
        return (self.new or Decimal(0)) - (self.current or Decimal(0))

    @property
    def is_large_cut(self) -> bool:
        """A cut of more than half: worth a second look before it is approved."""
        if not self.current:
            return False
        return (self.new or Decimal(0)) < self.current / 2


def _yearly(current: Decimal | None, new: Decimal | None, price: Decimal, periods: int) -> Decimal:
    """The difference of one period's cost, each side rounded to cents as billing rounds a line."""
    old = to_cents((current or Decimal(0)) * price / periods)
    return to_cents((new or Decimal(0)) * price / periods) - old


def change_effects(requests: Iterable[ChangeRequest]) -> list[ChangeEffect]:
    """The effect of each request (saved or not), in order. Five queries for any number of requests:
    the years with lines, the lines and the dated changes of the services concerned, the tariffs."""
    requests = list(requests)
    if not requests:
        return []
    agreement_ids = {r.agreement_id for r in requests}
    service_ids = {r.service_id for r in requests}
    years = {r.effective_from.year for r in requests}
    line_years: dict[int, set[int]] = defaultdict(set)
    for agreement_id, year in (
        AgreementLine.objects.filter(agreement_id__in=agreement_ids, year__lte=max(years))
        .values_list("agreement_id", "year")
        .distinct()
    ):
        line_years[agreement_id].add(year)
    lines = {
        (a, s, y): v
        for a, s, y, v in AgreementLine.objects.filter(
            agreement_id__in=agreement_ids, service_id__in=service_ids, year__lte=max(years)
        ).values_list("agreement_id", "service_id", "year", "volume")
    }
    changes: dict[tuple[int, int, int], list[tuple[date, Decimal | None]]] = defaultdict(list)
    for a, s, y, starts, old in (
        AgreementLineChange.objects.filter(
            agreement_id__in=agreement_ids, service_id__in=service_ids, year__in=years
        )
        .exclude(effective_from__isnull=True)
        .order_by("effective_from", "pk")
        .values_list("agreement_id", "service_id", "year", "effective_from", "old_volume")
    ):
        if starts is not None:
            changes[(a, s, y)].append((starts, old))
    prices = {
        (s, y): p
        for s, y, p in Tariff.objects.filter(
            service_id__in=service_ids, year__in=years | {y + 1 for y in years}
        ).values_list("service_id", "year", "unit_price")
    }
    effects = []
    for request in requests:
        on = request.effective_from
        key = (request.agreement_id, request.service_id)
        current = _volume_on(line_years[request.agreement_id], lines, changes, key, on)
        new = None if request.kind == ChangeRequest.Kind.DROP else request.volume
        periods = billing_periods(on.year)
        later = sum(1 for period in periods if period.start >= on)
        price = prices.get((request.service_id, on.year))
        next_price = prices.get((request.service_id, on.year + 1))
        step = _yearly(current, new, price, len(periods)) if price is not None else None
        next_periods = len(billing_periods(on.year + 1))
        effects.append(
            ChangeEffect(
                current=current,
                new=new,
                year=on.year,
                unit_price=price,
                per_year=step * len(periods) if step is not None else None,
                rest_of_year=step * later if step is not None else None,
                next_unit_price=next_price,
                next_per_year=_yearly(current, new, next_price, next_periods) * next_periods
                if next_price is not None
                else None,
            )
        )
    return effects


def _volume_on(
    years_with_lines: set[int],
    lines: dict[tuple[int, int, int], Decimal],
    changes: dict[tuple[int, int, int], list[tuple[date, Decimal | None]]],
    key: tuple[int, int],
    on: date,
) -> Decimal | None:
    """The volume of one service on ``on`` by the rule of ``selectors.volumes_on``: the year's line
    unless a later change of the year held the old volume then; a year without lines renews."""
    if on.year in years_with_lines:
        for starts, old in changes.get((*key, on.year), []):
            if starts > on:
                return old
        return lines.get((*key, on.year))
    earlier = [y for y in years_with_lines if y < on.year]
    return lines.get((*key, max(earlier))) if earlier else None


def change_effect(
    *, agreement: Agreement, kind: str, service: Service, volume: Decimal | None, effective_from: date
) -> ChangeEffect:
    """The effect of a change not yet submitted (the confirmation step)."""
    draft = ChangeRequest(
        agreement=agreement, kind=kind, service=service, volume=volume, effective_from=effective_from
    )
    return change_effects([draft])[0]
