from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import factory

from billing.models import BillingRun, Invoice, InvoiceLine
from tests.agreements.factories import AgreementFactory, AgreementLineFactory
from tests.factories import OrganisationFactory, ProviderFactory
from tests.services.factories import ServiceFactory, TariffFactory


class InvoiceFactory(factory.django.DjangoModelFactory):
    """A draft periodic invoice for 2024-Q1 (no number: numbers come when issued)."""

    class Meta:
        model = Invoice

    customer = factory.SubFactory(OrganisationFactory)
    kind = Invoice.Kind.INVOICE
    purpose = Invoice.Purpose.PERIODIC
    status = Invoice.Status.DRAFT
    year = 2024
    period = "2024-Q1"
    period_start = date(2024, 1, 1)
    period_end = date(2024, 3, 31)


class InvoiceLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InvoiceLine

    invoice = factory.SubFactory(InvoiceFactory)
    service = factory.SubFactory(ServiceFactory)
    description = factory.LazyAttribute(lambda line: line.service.name)
    quantity = Decimal("10")
    unit_price = Decimal("100.00")
    periods_per_year = 4
    net_amount = Decimal("250.00")
    vat_category = "S"
    vat_rate = Decimal("21.00")


class BillingRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BillingRun

    period = "2024-Q1"


def billing_world(*, year: int = 2024, extra_customers: int = 0, services: int = 3) -> SimpleNamespace:
    """Leiden (provider, also a customer), Alfa and Bravo with active agreements and tariffs for
    ``year``: a workstation (21% VAT), salary administration (exempt) and more plain services."""
    provider = ProviderFactory()
    alfa = OrganisationFactory(name="Gemeente Alfa", slug="alfa", cbs_code="9001")
    bravo = OrganisationFactory(name="Gemeente Bravo", slug="bravo", cbs_code="9002")
    customers = [provider, alfa, bravo] + [
        OrganisationFactory(name=f"Gemeente Extra {n}", slug=f"extra-{n}", cbs_code=f"{9100 + n}")
        for n in range(extra_customers)
    ]
    catalogue = [
        ServiceFactory(code="ICT-01", name="Werkplek", vat_category="S"),
        ServiceFactory(code="HRM-01", name="Salarisadministratie", unit="medewerker", vat_category="E"),
    ] + [ServiceFactory(code=f"FIN-{n:02d}", name=f"Financiële dienst {n}") for n in range(services - 2)]
    prices = [Decimal("1234.50"), Decimal("99.99")] + [Decimal("250.00")] * (services - 2)
    tariffs = {
        service.code: TariffFactory(service=service, year=year, unit_price=price)
        for service, price in zip(catalogue, prices, strict=True)
    }
    volumes = {"leiden": Decimal("100"), "alfa": Decimal("10"), "bravo": Decimal("3")}
    agreements = {}
    for customer in customers:
        agreement = AgreementFactory(customer=customer, provider=provider)
        agreements[customer.slug] = agreement
        for service in catalogue:
            AgreementLineFactory(
                agreement=agreement,
                service=service,
                year=year,
                volume=volumes.get(customer.slug, Decimal("5")),
            )
    return SimpleNamespace(
        provider=provider,
        alfa=alfa,
        bravo=bravo,
        customers=customers,
        services=catalogue,
        tariffs=tariffs,
        agreements=agreements,
    )


_numbers = iter(range(1, 10**6))


def invoice_for(org, *, status: str = Invoice.Status.ISSUED, purpose: str = Invoice.Purpose.CORRECTION):
    """An invoice of ``org`` with one line naming it, its object permissions granted as the services
    grant them. Issued ones get a test number directly (the issuing service has its own tests)."""
    from billing.services.invoices import grant_invoice_permissions

    invoice = InvoiceFactory(
        customer=org,
        purpose=purpose,
        period="2024-Q2",
        period_start=date(2024, 4, 1),
        period_end=date(2024, 6, 30),
        note=f"Factuur voor {org.name}",
    )
    InvoiceLineFactory(invoice=invoice, description=f"Werkplekken {org.name}")
    grant_invoice_permissions(invoice)
    if status != Invoice.Status.DRAFT:
        Invoice.objects.filter(pk=invoice.pk).update(
            status=status,
            number=f"T-{next(_numbers):06d}",
            issue_date=date(2024, 1, 2),
            due_date=date(2024, 2, 1),
        )
        invoice.refresh_from_db()
    return invoice
