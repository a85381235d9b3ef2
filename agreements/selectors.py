"""Every read of agreements, their lines and change requests that reaches a user, scoped to that user."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from core.money import to_cents
from core.periods import Period
from services.models import Service, Tariff
from services.selectors import tariffs_for_year
from tenants.models import Organisation
from tenants.roles import CUSTOMER_ROLES, Role
from tenants.selectors import has_any_role, is_provider_user, organisations_where, scoped

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


def own_agreement_for(user) -> Agreement | None:
    """The agreement "my agreement" opens: the one in force today, else the latest of the user's
    municipality (one still to be signed, or one that has ended)."""
    return (
        current_agreement_for(user)
        or agreements_for(user)
        .filter(customer_id__in=organisations_where(user, CUSTOMER_ROLES))
        .order_by("-start_date")
        .first()
    )


def signing_side(user, agreement: Agreement) -> str | None:
    """The side the user signs for, when the agreement awaits that side's signature."""
    if agreement.status != Agreement.Status.AWAITING_SIGNATURE:
        return None
    if not user.has_perm("agreements.sign_agreement", agreement):
        return None
    if has_any_role(user, {Role.PROVIDER_STAFF}) and is_provider_user(user):
        side = "provider"
    elif agreement.customer_id in organisations_where(user, {Role.CONTRACT_MANAGER}):
        side = "customer"
    else:
        return None
    return None if getattr(agreement, f"{side}_signed_at") else side


def calendar_of(agreement: Agreement, *, today: date | None = None) -> AgreementCalendar:
    return agreement_calendar(agreement, today=today or timezone.localdate())


# --- Volumes in force on a date ----------------------------------------------------------------------
#
# Lines are annual: one volume per service and year. A change from a date within the year (a change
# request from 1 October) rewrites the line and records the old volume with the day the new one holds
# from (``AgreementLineChange.effective_from``). The volume in force on a date is therefore the line's
# volume, unless a change of that year holds from a later day: then the old volume of the earliest such
# change (``None``: the service was not taken yet). An agreement in force renews: a year without lines
# takes the volumes of the latest earlier year with lines (``services.ensure_lines_for_year`` writes
# them; the reads below apply the same rule without writing).


def offered_in_year(year: int, *, via: str = "") -> Q:
    """Services offered on at least one day of ``year``; ``via`` is the path to the service (``service__``)."""
    return Q(**{f"{via}active_from__lte": date(year, 12, 31)}) & (
        Q(**{f"{via}active_until__isnull": True}) | Q(**{f"{via}active_until__gte": date(year, 1, 1)})
    )


def _offered_in(service: Service, year: int) -> bool:
    return service.active_from <= date(year, 12, 31) and (
        service.active_until is None or service.active_until >= date(year, 1, 1)
    )


def _in_force_on(agreement: Agreement, on: date) -> bool:
    return agreement.start_date <= on and (agreement.end_date is None or agreement.end_date >= on)


def is_in_force_in_year(agreement: Agreement, year: int) -> bool:
    """Active or ended, and running on at least one day of ``year``: such an agreement renews into it."""
    return (
        agreement.status in IN_FORCE
        and agreement.start_date <= date(year, 12, 31)
        and (agreement.end_date is None or agreement.end_date >= date(year, 1, 1))
    )


def _apply_later_changes(volumes: dict[int, Decimal], changes, on: date) -> dict[int, Decimal]:
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
    if not _in_force_on(agreement, on):
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
        return _apply_later_changes(volumes, changes, on)
    if not is_in_force_in_year(agreement, on.year):
        return {}
    latest = AgreementLine.objects.filter(agreement=agreement, year__lt=on.year).aggregate(year=Max("year"))
    return dict(
        AgreementLine.objects.filter(
            offered_in_year(on.year, via="service__"), agreement=agreement, year=latest["year"] or 0
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


# --- Costs ---------------------------------------------------------------------------------------------


@dataclass
class CostLine:
    """A service of a year: its volume per billing period and the cost, priced as billing prices it."""

    service: Service
    tariff: Tariff | None
    periods: list[tuple[Period, Decimal | None]]
    volume: Decimal | None = None

    @property
    def unit_price(self) -> Decimal | None:
        return self.tariff.unit_price if self.tariff else None

    @property
    def amount(self) -> Decimal | None:
        """Sum over the periods of volume x tariff / periods per year, each rounded to cents like billing."""
        if self.tariff is None:
            return None
        count = len(self.periods)
        return to_cents(
            sum(
                (
                    to_cents(volume * self.tariff.unit_price / count)
                    for _period, volume in self.periods
                    if volume is not None
                ),
                Decimal(0),
            )
        )

    @property
    def steps(self) -> list[tuple[date, Decimal | None]]:
        """The volume per period start where it changes within the year (one step: it did not change)."""
        steps: list[tuple[date, Decimal | None]] = []
        for period, volume in self.periods:
            if not steps or steps[-1][1] != volume:
                steps.append((period.start, volume))
        return steps

    @property
    def changes_during_year(self) -> bool:
        return len(self.steps) > 1


@dataclass
class YearCosts:
    year: int
    lines: list[CostLine] = field(default_factory=list)
    is_renewal: bool = False
    source_year: int | None = None

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


class _History:
    """An agreement's lines and dated line changes, loaded once (two queries) and read per year/date."""

    def __init__(self, agreement: Agreement, *, up_to_year: int | None = None, change_years=None):
        self.agreement = agreement
        lines = agreement.lines.select_related("service", "service__domain")
        if up_to_year is not None:
            lines = lines.filter(year__lte=up_to_year)
        self.lines: dict[int, dict[int, AgreementLine]] = defaultdict(dict)
        for line in lines:
            self.lines[line.year][line.service_id] = line
        changes = (
            AgreementLineChange.objects.filter(agreement=agreement, effective_from__isnull=False)
            .select_related("service", "service__domain")
            .order_by("effective_from", "pk")
        )
        if change_years is not None:
            changes = changes.filter(year__in=list(change_years))
        self.changes: dict[int, list[AgreementLineChange]] = defaultdict(list)
        for change in changes:
            # Only a change after 1 January shapes the volumes within its year.
            if change.effective_from.year == change.year and change.effective_from > date(change.year, 1, 1):
                self.changes[change.year].append(change)

    @property
    def years(self) -> list[int]:
        return sorted(self.lines)

    def source_year(self, year: int) -> int | None:
        """``year`` itself when it has lines, else (renewal) the latest earlier year with lines."""
        if year in self.lines:
            return year
        if not is_in_force_in_year(self.agreement, year):
            return None
        earlier = [y for y in self.lines if y < year]
        return max(earlier) if earlier else None

    def services_and_volumes(self, year: int) -> tuple[dict[int, Service], dict[int, Decimal]]:
        source = self.source_year(year)
        if source is None:
            return {}, {}
        services = {sid: line.service for sid, line in self.lines[source].items()}
        if source != year:
            services = {sid: s for sid, s in services.items() if _offered_in(s, year)}
        volumes = {sid: self.lines[source][sid].volume for sid in services}
        if source == year:
            for change in self.changes.get(year, []):
                services.setdefault(change.service_id, change.service)
        return services, volumes

    def volumes_on(self, on: date) -> dict[int, Decimal]:
        if not _in_force_on(self.agreement, on):
            return {}
        _services, volumes = self.services_and_volumes(on.year)
        if on.year not in self.lines:
            return volumes
        changes = [(c.service_id, c.effective_from, c.old_volume) for c in self.changes.get(on.year, [])]
        return _apply_later_changes(volumes, changes, on)

    def year_costs(self, year: int, *, tariffs: dict[int, Tariff] | None = None) -> YearCosts:
        """The cost of ``year``: per billing period the volume in force at its start (or at the agreement's
        start, when it begins within the period) x the year's tariff / periods per year, rounded per line
        per period like billing (``core.money.to_cents``)."""
        tariffs = tariffs_for_year(year) if tariffs is None else tariffs
        services, volumes = self.services_and_volumes(year)
        per_period = []
        for period in billing_periods(year):
            day = max(period.start, self.agreement.start_date)
            per_period.append((period, self.volumes_on(day) if day <= period.end else {}))
        lines = []
        for service in sorted(services.values(), key=lambda s: (s.domain.order, s.code)):
            periods = [(period, vols.get(service.pk)) for period, vols in per_period]
            if service.pk not in volumes and all(v is None for _p, v in periods):
                continue
            lines.append(CostLine(service, tariffs.get(service.pk), periods, volumes.get(service.pk)))
        return YearCosts(year, lines, is_renewal=year not in self.lines, source_year=self.source_year(year))


def year_costs(*, agreement: Agreement, year: int, tariffs: dict[int, Tariff] | None = None) -> YearCosts:
    """What ``year`` costs: equal to what billing charges for its periods (a renewal year included).

    Three queries: the lines up to the year, the year's dated changes, the year's tariffs. ``tariffs``
    (service id -> tariff) prices the year at other unit prices by the same rule, e.g. provisional ones.
    """
    return _History(agreement, up_to_year=year, change_years=[year]).year_costs(year, tariffs=tariffs)


def costs_per_year(agreement: Agreement, *, today: date | None = None) -> list[YearCosts]:
    """Every year with lines, and this year when the agreement renews into it, with its costs.

    Two queries for the lines and the changes and one per year for the tariffs, whatever the data.
    """
    today = today or timezone.localdate()
    history = _History(agreement)
    years = history.years
    if today.year not in years and history.source_year(today.year) is not None:
        years = sorted([*years, today.year])
    return [history.year_costs(year) for year in years]


def forecast_next_year(
    agreement: Agreement, *, years: list[YearCosts] | None = None, today: date | None = None
) -> Forecast | None:
    """Next year's costs at next year's tariffs: its own lines when they exist, else (the agreement
    renews) the volumes of the latest earlier year. ``None`` when the agreement does not run next year."""
    today = today or timezone.localdate()
    target = today.year + 1
    for costs in years or []:
        if costs.year == target and not costs.is_renewal:
            return Forecast(year=target, based_on_year=target, costs=costs)
    history = _History(agreement, up_to_year=target, change_years=[target])
    source = history.source_year(target)
    if source is None:
        return None
    return Forecast(year=target, based_on_year=source, costs=history.year_costs(target))


# --- Two years side by side ------------------------------------------------------------------------------


@dataclass
class ComparedLine:
    service: Service
    current: CostLine | None
    previous: CostLine | None

    @property
    def delta(self) -> Decimal | None:
        """This year's amount minus the previous year's (a line missing in a year counts as nothing)."""
        now = self.current.amount if self.current else Decimal("0.00")
        before = self.previous.amount if self.previous else Decimal("0.00")
        if now is None or before is None:
            return None
        return to_cents(now - before)


@dataclass
class ComparedDomain:
    domain: object
    lines: list[ComparedLine]

    def _sum(self, side: str) -> Decimal:
        return to_cents(
            sum(
                (getattr(c, side).amount for c in self.lines if getattr(c, side) and getattr(c, side).amount),
                Decimal(0),
            )
        )

    @property
    def current_total(self) -> Decimal:
        return self._sum("current")

    @property
    def previous_total(self) -> Decimal:
        return self._sum("previous")

    @property
    def delta(self) -> Decimal:
        return to_cents(self.current_total - self.previous_total)


def compare_years(current: YearCosts, previous: YearCosts | None) -> list[ComparedDomain]:
    """The lines of ``current`` beside those of ``previous``, grouped per domain in catalogue order."""
    now = {c.service.pk: c for c in current.lines}
    before = {c.service.pk: c for c in previous.lines} if previous else {}
    services = {**{c.service.pk: c.service for c in before.values()}, **{c.service.pk: c.service for c in now.values()}}
    domains: dict[int, ComparedDomain] = {}
    for service in sorted(services.values(), key=lambda s: (s.domain.order, s.domain.name, s.code)):
        group = domains.setdefault(service.domain_id, ComparedDomain(service.domain, []))
        group.lines.append(ComparedLine(service, now.get(service.pk), before.get(service.pk)))
    return list(domains.values())
