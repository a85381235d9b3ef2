"""What-if: the effect of volume changes on this year's and next year's cost and on the budget.

Nothing is written. The changed volumes hold from a date (the first billing period not billed yet, or
one the contract manager picks) and every year is priced by the one yearly-cost rule: the agreement's
cost lines with the new volume in the periods from that date (``agreements.selectors.CostLine``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from agreements.models import Agreement
from agreements.selectors import CostLine, billing_periods, year_costs
from core.money import format_decimal_nl, to_cents
from services.models import Service, Tariff
from services.selectors import tariffs_for_year

from .selectors import last_issued_letters


@dataclass
class ServiceEffect:
    service: Service
    current_volume: Decimal | None
    new_volume: Decimal | None
    costs: dict[int, tuple[Decimal, Decimal]] = field(default_factory=dict)  # year -> (now, what-if)

    @property
    def is_changed(self) -> bool:
        return self.new_volume is not None and self.new_volume != self.current_volume

    @property
    def kind(self) -> str:
        if self.current_volume is None:
            return "add"
        if self.new_volume == 0:
            return "drop"
        return "change_volume"

    @property
    def volume_text(self) -> str:
        """The volume as the change-request form reads it (decimal comma, no grouping)."""
        return format_decimal_nl(self.new_volume).replace(".", "") if self.new_volume is not None else ""


@dataclass
class YearEffect:
    year: int
    current: Decimal
    what_if: Decimal
    budget: Decimal | None
    tariff_note: str = ""

    @property
    def difference(self) -> Decimal:
        return to_cents(self.what_if - self.current)

    @property
    def against_budget(self) -> Decimal | None:
        return None if self.budget is None else to_cents(self.what_if - self.budget)

    @property
    def against_budget_percent(self) -> Decimal | None:
        if not self.budget:
            return None
        return to_cents(self.against_budget * Decimal(100) / self.budget)


@dataclass
class WhatIf:
    effective_from: date
    years: list[YearEffect]
    services: list[ServiceEffect]

    @property
    def changed(self) -> list[ServiceEffect]:
        return [s for s in self.services if s.is_changed]


def first_open_day(agreement: Agreement, *, today: date) -> date:
    """The first day of the first billing period after what has been billed (a change request may start
    there); with nothing billed yet, the start of today's period."""
    if agreement.billed_until is None:
        return next(p.start for p in billing_periods(today.year) if p.start <= today <= p.end)
    day = agreement.billed_until + timedelta(days=1)
    for year in (day.year, day.year + 1):
        for period in billing_periods(year):
            if period.start >= day:
                return period.start
    return day


def _priced(costs, tariffs: dict[int, Tariff], changes: dict[int, Decimal], effective_from: date, extra):
    """The year's cost now and with the changes, per service id: (now, what-if)."""
    result: dict[int, tuple[Decimal, Decimal]] = {}
    periods = billing_periods(costs.year)
    lines = {c.service.pk: c for c in costs.lines}
    for service in extra:
        if service.pk not in lines:
            lines[service.pk] = CostLine(service, tariffs.get(service.pk), [(p, None) for p in periods], None)
    for sid, line in lines.items():
        tariff = line.tariff or tariffs.get(sid)
        now = CostLine(line.service, tariff, line.periods, line.volume)
        if sid in changes:
            new_periods = [(p, changes[sid] if p.start >= effective_from else v) for p, v in line.periods]
        else:
            new_periods = line.periods
        later = CostLine(line.service, tariff, new_periods, line.volume)
        result[sid] = (now.amount or Decimal("0.00"), later.amount or Decimal("0.00"))
    return result


def what_if(
    *,
    agreement: Agreement,
    changes: dict[int, Decimal],
    effective_from: date | None = None,
    extra_services=(),
    today: date | None = None,
) -> WhatIf:
    """This year's and next year's cost with ``changes`` (service id -> new volume) from
    ``effective_from``, against the budget of each year. About ten queries."""
    today = today or timezone.localdate()
    effective_from = effective_from or first_open_day(agreement, today=today)
    years = [today.year, today.year + 1]
    letters = {y: last_issued_letters(customer_ids=[agreement.customer_id], year=y) for y in years}
    effects: dict[int, ServiceEffect] = {}
    year_effects = []
    extra = list(extra_services)
    for year in years:
        tariffs = tariffs_for_year(year)
        note = ""
        if not tariffs:
            # Next year's tariffs are not set: price it at this year's, as the provisional letter does.
            tariffs = {
                sid: Tariff(service_id=sid, year=year, unit_price=t.unit_price)
                for sid, t in tariffs_for_year(year - 1).items()
            }
            note = "provisional"
        costs = year_costs(agreement=agreement, year=year, tariffs=tariffs)
        priced = _priced(costs, tariffs, changes, effective_from, extra)
        for cost in costs.lines:
            effect = effects.setdefault(
                cost.service.pk, ServiceEffect(cost.service, cost.volume, changes.get(cost.service.pk))
            )
            if effect.current_volume is None:
                effect.current_volume = cost.volume
        for service in extra:
            effects.setdefault(service.pk, ServiceEffect(service, None, changes.get(service.pk)))
        for sid, amounts in priced.items():
            if sid in effects:
                effects[sid].costs[year] = amounts
        letter = letters[year].get(agreement.customer_id)
        year_effects.append(
            YearEffect(
                year=year,
                current=to_cents(sum((a for a, _b in priced.values()), Decimal(0))),
                what_if=to_cents(sum((b for _a, b in priced.values()), Decimal(0))),
                budget=letter.net_total if letter else None,
                tariff_note=note,
            )
        )
    services = sorted(effects.values(), key=lambda e: (e.service.domain.order, e.service.code))
    return WhatIf(effective_from=effective_from, years=year_effects, services=services)
