"""Every read of agreements, their lines and change requests that reaches a user, scoped to that user."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone

from core.money import to_cents
from services.models import Service, Tariff
from services.selectors import tariffs_for_year
from tenants.models import Organisation
from tenants.roles import CUSTOMER_ROLES
from tenants.selectors import organisations_where, scoped

from .calendar import AgreementCalendar, agreement_calendar
from .models import Agreement, AgreementLine, AgreementLineChange, ChangeRequest

IN_FORCE = (Agreement.Status.ACTIVE, Agreement.Status.ENDED)


def agreements_for(user) -> QuerySet[Agreement]:
    return scoped(Agreement.objects.select_related("customer", "provider"), user)


def agreement_lines_for(user) -> QuerySet[AgreementLine]:
    return scoped(
        AgreementLine.objects.select_related("agreement", "agreement__customer", "service"),
        user,
        "agreement__customer",
    )


def change_requests_for(user) -> QuerySet[ChangeRequest]:
    return scoped(
        ChangeRequest.objects.select_related(
            "agreement", "agreement__customer", "service", "submitted_by", "decided_by"
        ),
        user,
        "agreement__customer",
    )


def open_change_requests_for(user) -> QuerySet[ChangeRequest]:
    return change_requests_for(user).filter(status=ChangeRequest.Status.SUBMITTED).order_by("submitted_at")


def line_changes_for(user, *, agreement: Agreement) -> QuerySet[AgreementLineChange]:
    return scoped(
        AgreementLineChange.objects.filter(agreement=agreement).select_related(
            "service", "changed_by", "change_request"
        ),
        user,
        "agreement__customer",
    )


def in_force_on(on: date) -> Q:
    return Q(status__in=IN_FORCE, start_date__lte=on) & (Q(end_date__isnull=True) | Q(end_date__gte=on))


def active_agreement_for(*, customer: Organisation, on: date) -> Agreement | None:
    """The agreement in force for ``customer`` on ``on`` (at most one exists), or ``None``.

    Not scoped to a user: billing and the transition call it for the customer they work on.
    """
    return (
        Agreement.objects.filter(in_force_on(on), customer=customer)
        .select_related("customer", "provider")
        .first()
    )


def current_agreement_for(user, *, on: date | None = None) -> Agreement | None:
    """The agreement in force on ``on`` (today) for the organisation where the user holds a customer role."""
    on = on or timezone.localdate()
    ids = organisations_where(user, CUSTOMER_ROLES)
    if not ids:
        return None
    return (
        Agreement.objects.filter(in_force_on(on), customer_id__in=ids)
        .select_related("customer", "provider")
        .order_by("customer__name")
        .first()
    )


def calendar_of(agreement: Agreement, *, today: date | None = None) -> AgreementCalendar:
    return agreement_calendar(agreement, today=today or timezone.localdate())


@dataclass
class CostLine:
    line: AgreementLine
    tariff: Tariff | None

    @property
    def service(self) -> Service:
        return self.line.service

    @property
    def unit_price(self) -> Decimal | None:
        return self.tariff.unit_price if self.tariff else None

    @property
    def amount(self) -> Decimal | None:
        if self.tariff is None:
            return None
        return to_cents(self.line.volume * self.tariff.unit_price)


@dataclass
class YearCosts:
    year: int
    lines: list[CostLine] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return to_cents(sum((c.amount for c in self.lines if c.amount is not None), Decimal(0)))

    @property
    def has_missing_tariffs(self) -> bool:
        return any(c.tariff is None for c in self.lines)


@dataclass
class Forecast:
    year: int
    based_on_year: int
    costs: YearCosts


def costs_per_year(agreement: Agreement) -> list[YearCosts]:
    """The lines per year with their cost at that year's one tariff; no price lives on the agreement.

    One query for the lines and one per year for the tariffs, whatever the number of lines.
    """
    by_year: dict[int, list[AgreementLine]] = defaultdict(list)
    for line in agreement.lines.select_related("service", "service__domain").order_by(
        "year", "service__domain__order", "service__code"
    ):
        by_year[line.year].append(line)
    result = []
    for year, lines in sorted(by_year.items()):
        tariffs = tariffs_for_year(year)
        result.append(YearCosts(year, [CostLine(line, tariffs.get(line.service_id)) for line in lines]))
    return result


def forecast_next_year(years: list[YearCosts], *, today: date | None = None) -> Forecast | None:
    """Next year's costs at next year's tariffs: its own lines when they exist, else this year's volumes."""
    today = today or timezone.localdate()
    target = today.year + 1
    by_year = {y.year: y for y in years}
    source = by_year.get(target) or by_year.get(today.year)
    if source is None:
        return None
    tariffs = tariffs_for_year(target)
    costs = YearCosts(target, [CostLine(c.line, tariffs.get(c.line.service_id)) for c in source.lines])
    return Forecast(year=target, based_on_year=source.year, costs=costs)
