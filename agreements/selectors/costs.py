"""What an agreement costs per year and next year: one rule, the one billing applies (see DESIGN.md, rule 8)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils import timezone

from core.money import to_cents
from core.periods import Period
from services.models import Service, Tariff
from services.selectors import tariffs_for_year

from ..models import Agreement, AgreementLine, AgreementLineChange
from .agreements import is_in_force_in_year, runs_on
from .volumes import apply_later_changes, billing_periods, is_offered_in


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

    def __init__(
        self,
        agreement: Agreement,
        *,
        up_to_year: int | None = None,
        change_years: Iterable[int] | None = None,
    ) -> None:
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
            starts = change.effective_from
            if starts is not None and starts.year == change.year and starts > date(change.year, 1, 1):
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
            services = {sid: s for sid, s in services.items() if is_offered_in(s, year)}
        volumes = {sid: self.lines[source][sid].volume for sid in services}
        if source == year:
            for change in self.changes.get(year, []):
                services.setdefault(change.service_id, change.service)
        return services, volumes

    def volumes_on(self, on: date) -> dict[int, Decimal]:
        if not runs_on(self.agreement, on):
            return {}
        _services, volumes = self.services_and_volumes(on.year)
        if on.year not in self.lines:
            return volumes
        changes = [(c.service_id, c.effective_from, c.old_volume) for c in self.changes.get(on.year, [])]
        return apply_later_changes(volumes, changes, on)

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


@dataclass
class ChosenYears:
    """The agreement page's years: every year with costs (to choose from), the chosen one and the year
    before it, and next year's forecast."""

    year_choices: list[int]
    chosen: YearCosts | None
    previous: YearCosts | None
    forecast: Forecast | None


def chosen_year_costs(
    agreement: Agreement, *, requested: object = None, today: date | None = None
) -> ChosenYears:
    """The costs of the chosen year (``requested``, else this year, else the latest) and the year
    before it, and next year's forecast, by the one yearly-cost rule; the other years are listed, not
    priced. Three queries whatever the number of years: the lines, the dated changes and the tariffs
    of the (at most three) years priced."""
    today = today or timezone.localdate()
    history = _History(agreement)
    years = history.years
    if today.year not in years and history.source_year(today.year) is not None:
        years = sorted([*years, today.year])
    default = today.year if today.year in years else max(years, default=None)
    try:
        chosen = int(requested) if requested is not None else default  # type: ignore[call-overload]
    except (TypeError, ValueError):
        chosen = default
    chosen = chosen if chosen in years else default
    target = today.year + 1
    forecast_source = history.source_year(target)
    priced = {y for y in (chosen, chosen - 1 if chosen else None) if y in years}
    if forecast_source is not None:
        priced.add(target)
    tariffs: dict[int, dict[int, Tariff]] = defaultdict(dict)
    for tariff in Tariff.objects.filter(year__in=priced).select_related("service"):
        tariffs[tariff.year][tariff.service_id] = tariff
    costs = {y: history.year_costs(y, tariffs=tariffs[y]) for y in priced}
    forecast = None
    if forecast_source is not None:
        forecast = Forecast(year=target, based_on_year=forecast_source, costs=costs[target])
    return ChosenYears(
        year_choices=sorted(years, reverse=True),
        chosen=costs.get(chosen) if chosen in years else None,
        previous=costs.get(chosen - 1) if chosen and chosen - 1 in years else None,
        forecast=forecast,
    )


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
