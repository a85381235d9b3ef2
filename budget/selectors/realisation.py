"""Budget against realisation, per customer and year: the budget is the expected scenario of the last
issued letter; *invoiced* is what issued invoices and credit notes of the year charged (excl. VAT);
the *forecast* is the invoiced amount plus the billing periods not invoiced yet, priced by the one
yearly-cost rule at the volumes in force (approved changes included). Per quarter and per domain.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from agreements.models import Agreement
from agreements.selectors import is_in_force_in_year, year_costs
from billing.models import Invoice, InvoiceLine
from core.money import to_cents
from services.models import ServiceDomain
from tenants.models import Organisation
from tenants.types import User

from ..models import BudgetLetter, BudgetLetterLine
from .letters import ISSUED, customers_for, last_issued_letters

QUARTERS = (1, 2, 3, 4)


# --- Budget against realisation --------------------------------------------------------------------


@dataclass
class Figures:
    budget: Decimal | None = None
    invoiced: Decimal = Decimal("0.00")
    forecast: Decimal = Decimal("0.00")

    @property
    def deviation(self) -> Decimal | None:
        return None if self.budget is None else to_cents(self.forecast - self.budget)

    @property
    def deviation_percent(self) -> Decimal | None:
        if self.budget is None or self.budget == 0:
            return None
        return to_cents((self.forecast - self.budget) * Decimal(100) / self.budget)

    def add(self, other: Figures) -> None:
        if other.budget is not None:
            self.budget = (self.budget or Decimal("0.00")) + other.budget
        self.invoiced += other.invoiced
        self.forecast += other.forecast


@dataclass
class DomainRealisation:
    domain: ServiceDomain
    year: Figures
    quarters: dict[int, Figures]


@dataclass
class Realisation:
    customer: Organisation
    year: int
    letter: BudgetLetter | None
    domains: list[DomainRealisation]
    quarters: dict[int, Figures]
    total: Figures

    def exceeds(self, threshold: Decimal) -> bool:
        """The forecast is more than ``threshold`` % above the budget."""
        percent = self.total.deviation_percent
        return percent is not None and percent > threshold

    @property
    def is_over_budget(self) -> bool:
        return self.total.deviation is not None and self.total.deviation > 0


def _split_over_quarters(amount: Decimal) -> dict[int, Decimal]:
    """A yearly amount in four quarters of cents; the last quarter takes what rounding leaves."""
    quarter = to_cents(amount / 4)
    return {1: quarter, 2: quarter, 3: quarter, 4: to_cents(amount - 3 * quarter)}


def _quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1


def realisations(
    *, customers: Iterable[Organisation], year: int, today: date | None = None
) -> list[Realisation]:
    """Budget, invoiced and forecast per customer, domain and quarter of ``year``.

    Five queries for all customers together, and three per customer for the year's cost (the one rule).
    """
    today = today or timezone.localdate()
    customers = list(customers)
    ids = [c.pk for c in customers]
    letters = last_issued_letters(customer_ids=ids, year=year)
    domains: dict[int, ServiceDomain] = {}
    budget_lines: dict[int, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for line in BudgetLetterLine.objects.filter(letter__in=list(letters.values())).select_related(
        "domain", "letter"
    ):
        domains[line.domain_id] = line.domain
        budget_lines[line.letter.customer_id][line.domain_id] += line.amount
    issued = Invoice.objects.filter(customer_id__in=ids, year=year).exclude(status=Invoice.Status.DRAFT)
    invoiced_rows = (
        InvoiceLine.objects.filter(invoice__in=issued)
        .values_list("invoice__customer_id", "service__domain_id", "invoice__period_end")
        .annotate(total=Sum("net_amount"))
        .order_by()
    )
    invoiced: dict[int, dict[tuple[int, int], Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for customer_id, domain_id, period_end, total in invoiced_rows:
        invoiced[customer_id][(domain_id, _quarter_of(period_end))] += total or Decimal(0)
    billed_periods: dict[int, set[str]] = defaultdict(set)
    for customer_id, billed in (
        issued.filter(purpose=Invoice.Purpose.PERIODIC)
        .exclude(kind=Invoice.Kind.CREDIT_NOTE)
        .values_list("customer_id", "period")
    ):
        billed_periods[customer_id].add(billed)
    agreements: dict[int, Agreement] = {}
    for candidate in Agreement.objects.filter(customer_id__in=ids).order_by("-start_date", "-pk"):
        if candidate.customer_id not in agreements and is_in_force_in_year(candidate, year):
            agreements[candidate.customer_id] = candidate
    missing = {d for c in invoiced.values() for d, _q in c} - set(domains)
    projected_all: dict[int, dict[tuple[int, int], Decimal]] = {}
    for customer in customers:
        projected: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
        agreement = agreements.get(customer.pk)
        if agreement is not None:
            costs = year_costs(agreement=agreement, year=year)
            for cost in costs.lines:
                if cost.tariff is None:
                    continue
                domains.setdefault(cost.service.domain_id, cost.service.domain)
                count = len(cost.periods)
                for period, volume in cost.periods:
                    if volume is None or str(period) in billed_periods[customer.pk]:
                        continue
                    amount = to_cents(volume * cost.tariff.unit_price / count)
                    projected[(cost.service.domain_id, _quarter_of(period.start))] += amount
        projected_all[customer.pk] = projected
    missing -= set(domains)
    if missing:
        domains.update({d.pk: d for d in ServiceDomain.objects.filter(pk__in=missing)})
    ordered = sorted(domains.values(), key=lambda d: (d.order, d.name))
    result = []
    for customer in customers:
        letter = letters.get(customer.pk)
        per_domain = []
        quarters = {q: Figures(budget=Decimal("0.00") if letter else None) for q in QUARTERS}
        total = Figures(budget=Decimal("0.00") if letter else None)
        for domain in ordered:
            budget = budget_lines[customer.pk].get(domain.pk) if letter else None
            split = _split_over_quarters(budget) if budget is not None else None
            domain_quarters = {}
            for q in QUARTERS:
                spent = to_cents(invoiced[customer.pk].get((domain.pk, q), Decimal(0)))
                forecast = to_cents(spent + projected_all[customer.pk].get((domain.pk, q), Decimal(0)))
                figures = Figures(
                    budget=(split[q] if split else (Decimal("0.00") if letter else None)),
                    invoiced=spent,
                    forecast=forecast,
                )
                domain_quarters[q] = figures
            year_figures = Figures(budget=None if not letter else Decimal("0.00"))
            for figures in domain_quarters.values():
                year_figures.add(figures)
            if (
                year_figures.budget in (None, Decimal(0))
                and not year_figures.invoiced
                and not year_figures.forecast
            ):
                continue
            per_domain.append(DomainRealisation(domain=domain, year=year_figures, quarters=domain_quarters))
            for q in QUARTERS:
                quarters[q].add(domain_quarters[q])
            total.add(year_figures)
        result.append(
            Realisation(
                customer=customer,
                year=year,
                letter=letter,
                domains=per_domain,
                quarters=quarters,
                total=total,
            )
        )
    return result


def realisation_of(*, customer: Organisation, year: int, today: date | None = None) -> Realisation:
    return realisations(customers=[customer], year=year, today=today)[0]


def realisations_for(user: User, *, year: int, today: date | None = None) -> list[Realisation]:
    return realisations(customers=customers_for(user), year=year, today=today)


def yearly_history(
    *, customer: Organisation, today: date | None = None, current: Realisation | None = None
) -> list[dict]:
    """Per year since the first invoice up to next year: the cost (invoiced for past years, the forecast
    for this year) and the budget (the last issued letter's expected scenario). Two queries, plus this
    year's realisation when ``current`` is not given."""
    today = today or timezone.localdate()
    invoiced = dict(
        Invoice.objects.filter(customer=customer)
        .exclude(status=Invoice.Status.DRAFT)
        .values_list("year")
        .annotate(total=Sum("net_total"))
        .order_by()
    )
    budgets: dict[int, Decimal] = {}
    provisional: dict[int, bool] = {}
    for year, _version, net, is_provisional in (
        BudgetLetter.objects.filter(customer=customer, status__in=ISSUED)
        .order_by("year", "version")
        .values_list("year", "version", "net_total", "is_provisional")
    ):
        budgets[year] = net
        provisional[year] = is_provisional
    years = sorted(set(invoiced) | set(budgets) | {today.year})
    current = current or realisation_of(customer=customer, year=today.year, today=today)
    rows = []
    for year in range(years[0], max(years) + 1):
        if year > today.year + 1:
            break
        if year < today.year:
            cost, kind = invoiced.get(year), "invoiced"
        elif year == today.year:
            cost, kind = current.total.forecast, "forecast"
        else:
            cost, kind = None, "none"
        rows.append(
            {
                "year": year,
                "cost": to_cents(cost) if cost is not None else None,
                "kind": kind,
                "budget": budgets.get(year),
                "is_provisional": provisional.get(year, False),
            }
        )
    return rows
