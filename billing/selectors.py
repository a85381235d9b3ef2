"""Every read of billing that reaches a user, scoped to that user; and the price-equality proof."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from agreements.models import Agreement, AgreementLine
from core.money import to_cents
from services.models import Service, Tariff
from tenants.models import Organisation
from tenants.selectors import is_provider_user, scoped

from .models import BillingRun, Invoice, InvoiceLine


def invoices_for(user) -> QuerySet[Invoice]:
    """The invoices and credit notes of the user's own organisation(s); provider roles see all.

    A draft is Leiden's work in progress: customer roles see an invoice once it is issued.
    """
    invoices = scoped(
        Invoice.objects.select_related("customer", "credited_invoice", "billing_run"), user, "customer"
    )
    return invoices if is_provider_user(user) else invoices.exclude(status=Invoice.Status.DRAFT)


def invoice_lines_for(user) -> QuerySet[InvoiceLine]:
    """The invoice lines of the user's own organisation(s), issued ones only for customer roles."""
    lines = scoped(
        InvoiceLine.objects.select_related(
            "invoice", "invoice__customer", "service", "service__domain", "credited_line"
        ),
        user,
        "invoice__customer",
    )
    return lines if is_provider_user(user) else lines.exclude(invoice__status=Invoice.Status.DRAFT)


def billing_runs() -> QuerySet[BillingRun]:
    """Billing runs are the provider's work: the views that call this admit provider roles only."""
    return BillingRun.objects.select_related("started_by")


def invoiced_amount(*, customer_ids, year: int) -> Decimal:
    """Net amount invoiced to these customers in ``year``: issued invoices minus credit notes."""
    total = (
        Invoice.objects.filter(customer_id__in=customer_ids, year=year)
        .exclude(status=Invoice.Status.DRAFT)
        .aggregate(total=Sum("net_total"))["total"]
    )
    return total or Decimal("0.00")


@dataclass
class PriceRow:
    """One service in the price-equality report."""

    service: Service
    tariff: Decimal | None
    prices: dict[str, list[Decimal]] = field(default_factory=dict)  # customer name -> unit prices billed

    def is_equal_for(self, customer: str) -> bool:
        """Every unit price billed to ``customer`` is the tariff (and the service has a tariff)."""
        return self.tariff is not None and all(p == self.tariff for p in self.prices.get(customer, ()))

    @property
    def deviations(self) -> list[str]:
        """Customers billed at another unit price than the tariff (or billed without any tariff)."""
        return sorted(name for name in self.prices if not self.is_equal_for(name))

    @property
    def is_equal(self) -> bool:
        return not self.deviations

    @property
    def distinct_prices(self) -> list[Decimal]:
        return sorted({p for prices in self.prices.values() for p in prices})


@dataclass
class PriceEquality:
    year: int
    customers: list[str]
    rows: list[PriceRow]

    @property
    def is_equal(self) -> bool:
        return all(row.is_equal for row in self.rows)

    @property
    def deviations(self) -> list[PriceRow]:
        return [row for row in self.rows if not row.is_equal]


def price_equality(year: int) -> PriceEquality:
    """Per service: the year's tariff, the unit prices billed to each customer and a verdict.

    Every invoice line of the year counts (drafts too: a deviating draft must never be issued). Three
    queries whatever the number of invoices.
    """
    tariffs = dict(Tariff.objects.filter(year=year).values_list("service_id", "unit_price"))
    billed = (
        InvoiceLine.objects.filter(invoice__year=year)
        .values_list("service_id", "invoice__customer__name", "unit_price")
        .distinct()
    )
    prices: dict[int, dict[str, set[Decimal]]] = defaultdict(lambda: defaultdict(set))
    customers = set()
    for service_id, customer, unit_price in billed:
        prices[service_id][customer].add(unit_price)
        customers.add(customer)
    services = Service.objects.filter(Q(pk__in=set(tariffs) | set(prices))).select_related("domain")
    rows = [
        PriceRow(
            service=service,
            tariff=tariffs.get(service.pk),
            prices={name: sorted(values) for name, values in sorted(prices.get(service.pk, {}).items())},
        )
        for service in services.order_by("domain__order", "code")
    ]
    return PriceEquality(year=year, customers=sorted(customers), rows=rows)


def customers_to_bill() -> QuerySet[Organisation]:
    """The municipalities and Leiden itself (its own invoice is an internal settlement)."""
    return Organisation.objects.filter(
        kind__in=[Organisation.Kind.MUNICIPALITY, Organisation.Kind.PROVIDER]
    ).order_by("name")


def agreement_yearly_total(*, customer_ids, year: int) -> Decimal:
    """Sum over the active agreements' lines of ``year``: volume x the year's tariff (DESIGN rule 1)."""
    lines = AgreementLine.objects.filter(
        agreement__customer_id__in=customer_ids,
        agreement__status=Agreement.Status.ACTIVE,
        year=year,
    ).values_list("service_id", "volume")
    lines = list(lines)
    tariffs = dict(
        Tariff.objects.filter(year=year, service_id__in={s for s, _v in lines}).values_list(
            "service_id", "unit_price"
        )
    )
    return sum(
        (to_cents(volume * tariffs[service]) for service, volume in lines if service in tariffs),
        Decimal("0.00"),
    )
