"""Every read of service-level quality and quarterly reports that reaches a user, scoped to that user.

Customer roles (contract manager, finance) see their own municipality's measurements, realisation and
reports; a council reader sees only its municipality's issued reports; provider roles see everything.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from billing.selectors import customers_to_bill
from core.audit import Source
from core.periods import Period
from services.models import Service, ServiceLevel
from tenants.models import Organisation
from tenants.roles import COUNCIL_ROLES, CUSTOMER_ROLES, CUSTOMER_SIDE_ROLES
from tenants.selectors import is_provider_user, organisations_where
from tenants.types import User

from .models import KPI_ORDER, BreachNote, Kpi, Measurement, QuarterlyReport
from .realisation import NOT_MET, mean, norm_of, verdict

FIRST_YEAR = 2023  # Leiden's service delivery began on 1 January 2023
#: a KPI's place in the fixed order of the design, by its code
KPI_RANK = {str(kpi): rank for rank, kpi in enumerate(KPI_ORDER)}


def measurements_for(user: User) -> QuerySet[Measurement]:
    """Measurements of the user's own municipality (customer roles); provider roles see all."""
    if not is_provider_user(user):
        ids = organisations_where(user, CUSTOMER_ROLES)
        return Measurement.objects.filter(customer_id__in=ids).select_related("customer", "service")
    return Measurement.objects.select_related("customer", "service")


def reports_for(user: User) -> QuerySet[QuarterlyReport]:
    """Issued quarterly reports of the user's municipality (contract manager, finance, council reader);
    provider roles see every report."""
    reports = QuarterlyReport.objects.select_related("customer").defer("html")
    if is_provider_user(user):
        return reports
    return reports.filter(customer_id__in=organisations_where(user, CUSTOMER_SIDE_ROLES))


def is_council_reader_only(user: User) -> bool:
    return bool(organisations_where(user, COUNCIL_ROLES)) and not (
        is_provider_user(user) or organisations_where(user, CUSTOMER_ROLES)
    )


def scorecard_customers(user: User) -> list[Organisation]:
    """The customers whose realisation the user may see: its own (customer roles), or all for the
    provider (the municipalities and Leiden itself)."""
    customers = customers_to_bill()
    if not is_provider_user(user):
        customers = customers.filter(pk__in=organisations_where(user, CUSTOMER_ROLES))
    return list(customers)


def breach_notes_for(user: User) -> QuerySet[BreachNote]:
    notes = BreachNote.objects.select_related("customer", "service", "written_by")
    if is_provider_user(user):
        return notes
    return notes.filter(customer_id__in=organisations_where(user, CUSTOMER_ROLES))


def own_history_sources(obj: Measurement | BreachNote) -> list[Source]:
    """What the history of a measurement or a breach explanation shows: the object's own records."""
    name = str(type(obj)._meta.verbose_name)
    return [Source(type(obj), {"id": obj.pk}, lambda r: name)]


# --- Realisation ------------------------------------------------------------------------------------


@dataclass
class RealisationCell:
    customer: Organisation
    service: Service
    kpi: str
    value: Decimal | None
    norm: Decimal | None
    verdict: str | None
    months: int = 0
    note: BreachNote | None = None
    month_values: list[tuple[date, Decimal | None]] = field(default_factory=list)

    @property
    def kpi_label(self) -> str:
        return str(Kpi(self.kpi).label)

    @property
    def is_breach(self) -> bool:
        return self.verdict == NOT_MET


@dataclass
class Scorecard:
    """Realisation of a quarter (or a whole year when ``quarter`` is None) for one or more customers."""

    year: int
    quarter: int | None
    customers: list[Organisation]
    cells: list[RealisationCell] = field(default_factory=list)

    @property
    def period_label(self) -> str:
        return f"{self.year}-Q{self.quarter}" if self.quarter else str(self.year)

    def rows(self) -> list[dict]:
        """One row per service and KPI, with a cell per customer (None where it has no measurement)."""
        index = {(c.service.pk, c.kpi, c.customer.pk): c for c in self.cells}
        keys = sorted(
            {(c.service.pk, c.kpi): c for c in self.cells}.values(),
            key=lambda c: (c.service.domain.order, c.service.code, KPI_RANK[c.kpi]),
        )
        return [
            {
                "service": cell.service,
                "kpi": cell.kpi,
                "kpi_label": cell.kpi_label,
                "norm": cell.norm,
                "cells": [index.get((cell.service.pk, cell.kpi, customer.pk)) for customer in self.customers],
            }
            for cell in keys
        ]

    def matrix(self) -> tuple[list[tuple[str, str]], list[dict]]:
        """Services x KPIs for one customer: the KPIs measured (code, label) and per service a cell per
        KPI (None where that KPI was not measured)."""
        kpis = [k for k in KPI_ORDER if any(c.kpi == k for c in self.cells)]
        by_service: dict[int, dict] = {}
        for cell in self.cells:
            entry = by_service.setdefault(cell.service.pk, {"service": cell.service, "cells": {}})
            entry["cells"][cell.kpi] = cell
        rows = sorted(by_service.values(), key=lambda r: (r["service"].domain.order, r["service"].code))
        for row in rows:
            row["cells"] = [row["cells"].get(k) for k in kpis]
        return [(str(k), str(Kpi(k).label)) for k in kpis], rows

    @property
    def breaches(self) -> list[RealisationCell]:
        return [c for c in self.cells if c.is_breach]

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for cell in self.cells:
            if cell.verdict:
                counts[cell.verdict] += 1
        return dict(counts)


def _months(year: int, quarter: int | None) -> tuple[date, date]:
    period = Period(year, quarter=quarter) if quarter else Period(year)
    return period.start, period.end


def realisation(
    *, customers: list[Organisation], year: int, quarter: int | None = None, service: Service | None = None
) -> Scorecard:
    """The realisation per customer, service and KPI of a quarter (or of the year).

    A service appears for a customer when it has a measurement in the year; a KPI when it was measured in
    that year. Five queries whatever the number of customers, services and months.
    """
    card = Scorecard(year=year, quarter=quarter, customers=list(customers))
    by_id = {c.pk: c for c in card.customers}
    if not by_id:
        return card
    year_start, year_end = _months(year, None)
    start, end = _months(year, quarter)
    measured = Measurement.objects.filter(
        customer_id__in=by_id, month__gte=year_start, month__lte=year_end
    ).values_list("customer_id", "service_id", "kpi", "month", "value")
    if service is not None:
        measured = measured.filter(service=service)
    values: dict[tuple[int, int, str], list[Decimal]] = defaultdict(list)
    keys: set[tuple[int, int, str]] = set()
    for customer_id, service_id, kpi, month, measured_value in measured:
        keys.add((customer_id, service_id, kpi))
        if start <= month <= end:
            values[(customer_id, service_id, kpi)].append(measured_value)
    service_ids = {k[1] for k in keys}
    services = {s.pk: s for s in Service.objects.filter(pk__in=service_ids).select_related("domain")}
    levels = {sl.service_id: sl for sl in ServiceLevel.objects.filter(year=year, service_id__in=service_ids)}
    notes = {}
    if quarter:
        notes = {
            (n.customer_id, n.service_id, n.kpi): n
            for n in BreachNote.objects.filter(
                customer_id__in=by_id, year=year, quarter=quarter, service_id__in=service_ids
            ).select_related("written_by")
        }
    for customer_id, service_id, kpi in sorted(keys):
        month_values = values.get((customer_id, service_id, kpi), [])
        value = mean(month_values)
        norm = norm_of(levels.get(service_id), kpi)
        outcome = verdict(value, norm)
        card.cells.append(
            RealisationCell(
                customer=by_id[customer_id],
                service=services[service_id],
                kpi=kpi,
                value=value,
                norm=norm,
                verdict=outcome,
                months=len(month_values),
                note=notes.get((customer_id, service_id, kpi)),
            )
        )
    card.cells.sort(key=lambda c: (c.customer.name, c.service.domain.order, c.service.code, KPI_RANK[c.kpi]))
    return card


def realisation_for(
    user: User, *, year: int, quarter: int | None = None, customer: Organisation | None = None
) -> Scorecard:
    customers = scorecard_customers(user)
    if customer is not None:
        customers = [c for c in customers if c.pk == customer.pk]
    return realisation(customers=customers, year=year, quarter=quarter)


@dataclass
class Trend:
    """Per KPI the monthly values of a year, the norm, and the realisation per quarter and year."""

    kpi: str
    norm: Decimal | None
    months: list[tuple[date, Decimal | None]]
    quarters: list[RealisationCell]
    year: RealisationCell | None

    @property
    def kpi_label(self) -> str:
        return str(Kpi(self.kpi).label)

    @property
    def measured(self) -> list[tuple[date, Decimal]]:
        return [(m, v) for m, v in self.months if v is not None]


def service_trend(*, customer: Organisation, service: Service, year: int) -> list[Trend]:
    """The monthly values and quarterly verdicts of one service for one customer, per KPI measured."""
    rows = Measurement.objects.filter(customer=customer, service=service, month__year=year).values_list(
        "kpi", "month", "value"
    )
    monthly: dict[str, dict[int, Decimal]] = defaultdict(dict)
    for kpi, month, measured_value in rows:
        monthly[kpi][month.month] = measured_value
    level = ServiceLevel.objects.filter(service=service, year=year).first()
    notes = {
        (n.quarter, n.kpi): n
        for n in BreachNote.objects.filter(customer=customer, service=service, year=year).select_related(
            "written_by"
        )
    }
    trends = []
    for kpi in [k for k in KPI_ORDER if k in monthly]:
        norm = norm_of(level, kpi)
        quarters = []
        for quarter in range(1, 5):
            values = [monthly[kpi][m] for m in range(3 * quarter - 2, 3 * quarter + 1) if m in monthly[kpi]]
            value = mean(values)
            quarters.append(
                RealisationCell(
                    customer=customer,
                    service=service,
                    kpi=kpi,
                    value=value,
                    norm=norm,
                    verdict=verdict(value, norm),
                    months=len(values),
                    note=notes.get((quarter, kpi)),
                    month_values=[
                        (date(year, m, 1), monthly[kpi].get(m))
                        for m in range(3 * quarter - 2, 3 * quarter + 1)
                    ],
                )
            )
        year_value = mean(monthly[kpi].values())
        trends.append(
            Trend(
                kpi=kpi,
                norm=norm,
                months=[(date(year, m, 1), monthly[kpi].get(m)) for m in range(1, 13)],
                quarters=quarters,
                year=RealisationCell(
                    customer=customer,
                    service=service,
                    kpi=kpi,
                    value=year_value,
                    norm=norm,
                    verdict=verdict(year_value, norm),
                    months=len(monthly[kpi]),
                ),
            )
        )
    return trends


def measured_services(*, customers: list[Organisation], year: int) -> QuerySet[Service]:
    return (
        Service.objects.filter(measurements__customer__in=customers, measurements__month__year=year)
        .distinct()
        .select_related("domain")
        .order_by("domain__order", "code")
    )


def years_with_measurements() -> list[int]:
    dates = Measurement.objects.dates("month", "year")
    return sorted({d.year for d in dates}) or [timezone.localdate().year]


def last_full_quarter(today: date) -> Period:
    quarter = (today.month - 1) // 3 + 1
    if quarter == 1:
        return Period(today.year - 1, quarter=4)
    return Period(today.year, quarter=quarter - 1)
