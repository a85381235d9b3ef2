"""Every read of the catalogue that reaches a user. The catalogue is the same for every role.

The selectors still take the user: a user without a portal role sees nothing, and a later
distinction (for example services that are only visible to the provider) has one place to go.
"""

from __future__ import annotations

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import HistoryEntry, Source, history_entries
from tenants.selectors import has_any_role, provider_organisation
from tenants.types import User

from .models import Service, ServiceDomain, ServiceLevel, Tariff


def tariffs_for_year(year: int) -> dict[int, Tariff]:
    """The one tariff per service for ``year``, keyed by service id."""
    return {t.service_id: t for t in Tariff.objects.filter(year=year).select_related("service")}


def all_services() -> QuerySet[Service]:
    """Every service in the catalogue, ended ones included, with its domain (no user: not scoped)."""
    return Service.objects.select_related("domain").order_by("domain__order", "code")


def _visible(user: User, queryset: QuerySet) -> QuerySet:
    return queryset if has_any_role(user) else queryset.none()


def services_for(user: User) -> QuerySet[Service]:
    """Every service in the catalogue, with its domain."""
    return _visible(user, all_services())


def domains_for(user: User) -> QuerySet[ServiceDomain]:
    return _visible(user, ServiceDomain.objects.order_by("order", "name"))


def tariffs_for(user: User) -> QuerySet[Tariff]:
    return _visible(
        user, Tariff.objects.select_related("service", "service__domain").order_by("service__code", "year")
    )


def service_levels_for(user: User) -> QuerySet[ServiceLevel]:
    return _visible(
        user,
        ServiceLevel.objects.select_related("service", "service__domain").order_by("service__code", "year"),
    )


def tariff_years() -> list[int]:
    """The years that have tariffs, newest first."""
    return list(Tariff.objects.order_by("-year").values_list("year", flat=True).distinct())


def default_year(years: list[int]) -> int:
    """This year when it has tariffs, otherwise the nearest earlier year, otherwise the newest."""
    this_year = timezone.localdate().year
    if not years or this_year in years:
        return this_year
    earlier = [y for y in years if y < this_year]
    return max(earlier) if earlier else max(years)


def catalogue_for(user: User, *, year: int, search: str = "", domain: str = "") -> QuerySet[Service]:
    """The catalogue as a page shows it: every service with its domain and its unit price of ``year``
    (``year_price``, ``None`` without a tariff), in one query."""
    price = Tariff.objects.filter(service=OuterRef("pk"), year=year).values("unit_price")[:1]
    services = services_for(user).annotate(year_price=Subquery(price))
    if domain:
        services = services.filter(domain__code=domain)
    for word in search.split():
        services = services.filter(
            Q(code__icontains=word)
            | Q(name__icontains=word)
            | Q(name_en__icontains=word)
            | Q(description__icontains=word)
            | Q(description_en__icontains=word)
            | Q(unit__icontains=word)
            | Q(domain__name__icontains=word)
        )
    return services


def catalogue_summary(user: User, *, year: int) -> dict:
    """Counts for the dashboard: services, the basic package and how many have a tariff in ``year``."""
    return services_for(user).aggregate(
        services=Count("pk", distinct=True),
        basic=Count("pk", filter=Q(is_basic=True), distinct=True),
        priced=Count("tariffs", filter=Q(tariffs__year=year), distinct=True),
    )


def service_for(user: User, *, code: str) -> Service | None:
    return services_for(user).filter(code=code).first()


def tariffs_of(service: Service) -> list[Tariff]:
    return list(Tariff.objects.filter(service=service).order_by("year"))


def tariff_rows_of(service: Service) -> list[dict]:
    """The tariffs over the years, each with its change in % on the year before (``None`` without one)."""
    rows: list[dict] = []
    previous = None
    for tariff in tariffs_of(service):
        change = None
        if previous is not None and previous.year == tariff.year - 1 and previous.unit_price:
            change = (tariff.unit_price - previous.unit_price) / previous.unit_price * 100
        rows.append({"tariff": tariff, "change": change})
        previous = tariff
    return rows


def service_levels_of(service: Service) -> list[ServiceLevel]:
    return list(ServiceLevel.objects.filter(service=service).order_by("year"))


def figures_are_illustrative() -> bool:
    """Demo data marks its identifiers as examples; then the prices are illustrative too."""
    provider = provider_organisation()
    return bool(provider and provider.identifiers_are_examples)


# --- History --------------------------------------------------------------------------------------


def history_sources(service: Service) -> list[Source]:
    """What the history of a service shows: the service, its tariffs and its service levels."""
    return [
        Source(Service, {"id": service.pk}, lambda r: _("dienst")),
        Source(Tariff, {"service_id": service.pk}, lambda r: _("tarief %(year)s") % {"year": r.year}),  # type: ignore[attr-defined]
        Source(
            ServiceLevel,
            {"service_id": service.pk},
            lambda r: _("dienstverleningsniveau %(year)s") % {"year": r.year},  # type: ignore[attr-defined]
        ),
    ]


def history_of(service: Service, *, limit: int = 50) -> list[HistoryEntry]:
    """Who changed what and when on a service, its tariffs and its service levels, newest first."""
    return history_entries(history_sources(service), limit=limit)
