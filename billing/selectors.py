"""Every read of billing: what reaches a user (scoped to that user), the price-equality proof, and the
plain queries and predicates the services decide by."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from agreements.models import Agreement, AgreementLine, ChangeRequest
from agreements.selectors import open_requests_taking_effect_by
from agreements.selectors.agreements import agreement_in_force
from core.audit import Source
from core.money import to_cents
from core.periods import Period
from services.models import Service, Tariff
from tenants.models import Organisation
from tenants.selectors import is_provider_user, scoped
from tenants.types import User

from .calculations import periods_per_year
from .models import BillingRun, Invoice, InvoiceLine, RealisedVolume


def invoices_for(user: User) -> QuerySet[Invoice]:
    """The invoices and credit notes of the user's own organisation(s); provider roles see all.

    A draft is Leiden's work in progress: customer roles see an invoice once it is issued.
    """
    invoices = scoped(
        Invoice.objects.select_related("customer", "credited_invoice", "billing_run"), user, "customer"
    )
    return invoices if is_provider_user(user) else invoices.exclude(status=Invoice.Status.DRAFT)


def invoice_lines_for(user: User) -> QuerySet[InvoiceLine]:
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


def billing_runs_for(user: User) -> QuerySet[BillingRun]:
    """Every billing run for provider roles; nothing for customer roles (a run bills every customer)."""
    return billing_runs() if is_provider_user(user) else BillingRun.objects.none()


def realised_volumes_for(user: User) -> QuerySet[RealisedVolume]:
    """The realised volumes of the user's own organisation(s); provider roles see all."""
    return scoped(RealisedVolume.objects.select_related("customer", "service"), user, "customer")


def own_history_sources(obj: Invoice | BillingRun | RealisedVolume) -> list[Source]:
    """What the history of an invoice, a billing run or a realised volume shows: the object's own
    records (an invoice's lines are written with it and never change on their own)."""
    name = str(type(obj)._meta.verbose_name)
    return [Source(type(obj), {"id": obj.pk}, lambda r: name)]


def invoiced_amount(*, customer_ids: Iterable[int], year: int) -> Decimal:
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

    def is_equal_for_customer(self, customer: str) -> bool:
        """Every unit price billed to ``customer`` is the tariff (and the service has a tariff)."""
        return self.tariff is not None and all(p == self.tariff for p in self.prices.get(customer, ()))

    @property
    def deviations(self) -> list[str]:
        """Customers billed at another unit price than the tariff (or billed without any tariff)."""
        return sorted(name for name in self.prices if not self.is_equal_for_customer(name))

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


def agreement_yearly_total(*, customer_ids: Iterable[int], year: int) -> Decimal:
    """Sum over the active agreements' lines of ``year``: volume x the year's tariff (DESIGN rule 1)."""
    lines = list(
        AgreementLine.objects.filter(
            agreement__customer_id__in=customer_ids,
            agreement__status=Agreement.Status.ACTIVE,
            year=year,
        ).values_list("service_id", "volume")
    )
    tariffs = dict(
        Tariff.objects.filter(year=year, service_id__in={s for s, _v in lines}).values_list(
            "service_id", "unit_price"
        )
    )
    return sum(
        (to_cents(volume * tariffs[service]) for service, volume in lines if service in tariffs),
        Decimal("0.00"),
    )


def is_internal_customer(customer: Organisation) -> bool:
    """Leiden's own invoice is an internal settlement: same prices, no VAT."""
    return customer.kind == Organisation.Kind.PROVIDER


def active_agreement(customer: Organisation, period: Period) -> Agreement | None:
    """The customer's agreement in force in ``period`` (on its first day, else on its last)."""
    return agreement_in_force(customer=customer, on=period.start) or agreement_in_force(
        customer=customer, on=period.end
    )


def periodic_invoice_covering(*, customer_id: int, period: Period) -> Invoice | None:
    """A periodic invoice of the customer that covers any day of ``period`` (the same period, or an
    overlapping month or quarter when the billing period setting changed)."""
    return (
        Invoice.objects.filter(
            customer_id=customer_id,
            purpose=Invoice.Purpose.PERIODIC,
            period_start__lte=period.end,
            period_end__gte=period.start,
        )
        .exclude(kind=Invoice.Kind.CREDIT_NOTE)
        .first()
    )


def credited_line_ids(original_id: int) -> set[int]:
    """The lines of invoice ``original_id`` that a credit note (issued or draft) credits."""
    return set(
        InvoiceLine.objects.filter(credited_line__invoice_id=original_id).values_list(
            "credited_line_id", flat=True
        )
    )


def period_drafts(period: Period) -> QuerySet[Invoice]:
    """The periodic drafts of a period, whichever run made them (unscoped: for the billing services)."""
    return Invoice.objects.filter(
        period=str(period), purpose=Invoice.Purpose.PERIODIC, status=Invoice.Status.DRAFT
    ).exclude(kind=Invoice.Kind.CREDIT_NOTE)


def billed_volumes(*, customer_id: int, year: int) -> tuple[dict[int, Decimal], Decimal]:
    """Per service the volume billed over the year (quantity x period fraction, credit notes
    subtracted), and the fraction of the year the issued periodic invoices cover."""
    billed: dict[int, Decimal] = defaultdict(Decimal)
    lines = InvoiceLine.objects.filter(
        invoice__customer_id=customer_id,
        invoice__year=year,
        invoice__purpose__in=[Invoice.Purpose.PERIODIC, Invoice.Purpose.CORRECTION],
    ).exclude(invoice__status=Invoice.Status.DRAFT)
    # A credit note of a settlement corrects the settlement, not the volume billed over the year.
    lines = lines.exclude(
        invoice__purpose=Invoice.Purpose.CORRECTION,
        invoice__credited_invoice__purpose=Invoice.Purpose.SETTLEMENT,
    )
    for service_id, quantity, periods in lines.values_list("service_id", "quantity", "periods_per_year"):
        billed[service_id] += Decimal(quantity) / Decimal(periods)
    covered = sum(
        (
            Decimal(1) / Decimal(periods_per_year(Period.parse(p)))
            for p in Invoice.objects.filter(
                customer_id=customer_id, year=year, purpose=Invoice.Purpose.PERIODIC
            )
            .exclude(kind=Invoice.Kind.CREDIT_NOTE)
            .exclude(status=Invoice.Status.DRAFT)
            .values_list("period", flat=True)
        ),
        Decimal(0),
    )
    return billed, covered


def customers_by_name_or_code() -> dict[str, Organisation]:
    """The customers to bill under every name a file may use: name with and without "Gemeente ", slug
    and CBS code, in lower case."""
    lookup = {}
    for org in customers_to_bill():
        for key in (org.name, org.name.removeprefix("Gemeente "), org.slug, org.cbs_code):
            if key:
                lookup[key.strip().lower()] = org
    return lookup


# --- What may happen to an invoice next ------------------------------------------------------------
# The services refuse anything else, and the pages offer only these actions.

CREDITABLE_STATUSES = (Invoice.Status.ISSUED, Invoice.Status.PAID)


def can_be_issued(invoice: Invoice) -> bool:
    return invoice.status == Invoice.Status.DRAFT


def can_be_marked_paid(invoice: Invoice) -> bool:
    return invoice.status == Invoice.Status.ISSUED and not invoice.is_credit_note


def can_be_credited(invoice: Invoice, *, line_count: int, credited_line_ids: set[int]) -> bool:
    """An issued or paid invoice (not a credit note itself) with a line not credited yet."""
    return (
        invoice.status in CREDITABLE_STATUSES
        and not invoice.is_credit_note
        and len(credited_line_ids) < line_count
    )


def stranded_change_requests(*, invoices: Iterable[Invoice]) -> QuerySet[ChangeRequest]:
    """Open change requests that issuing these drafts would leave behind: of their agreements, taking
    effect on or before the period's end (once issued, that date is invoiced and approval must move it)."""
    invoices = list(invoices)
    agreement_ids = {i.agreement_id for i in invoices if i.agreement_id is not None}
    if not agreement_ids:
        return ChangeRequest.objects.none()
    return open_requests_taking_effect_by(
        agreement_ids=agreement_ids, day=max(i.period_end for i in invoices)
    )


def stranded_by_period(period: Period) -> QuerySet[ChangeRequest]:
    """The open change requests that billing and issuing ``period`` would leave behind (``run_billing
    --issue``): of every agreement it bills, taking effect on or before the period's end."""
    agreements = [active_agreement(customer, period) for customer in customers_to_bill()]
    return open_requests_taking_effect_by(
        agreement_ids={a.pk for a in agreements if a is not None}, day=period.end
    )
