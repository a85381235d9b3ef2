from datetime import date
from decimal import Decimal

import factory

from billing.models import Invoice, InvoiceLine
from tests.factories import OrganisationFactory
from tests.services.factories import ServiceFactory


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
