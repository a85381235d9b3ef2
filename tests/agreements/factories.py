from datetime import date
from decimal import Decimal

import factory
from django.utils import timezone

from agreements.models import Agreement, AgreementLine
from tests.factories import OrganisationFactory, ProviderFactory
from tests.services.factories import ServiceFactory


class AgreementFactory(factory.django.DjangoModelFactory):
    """An active, signed agreement from 2023-01-01 (sign fields filled so the status is valid)."""

    class Meta:
        model = Agreement

    number = factory.Sequence(lambda n: f"DVO-{n:04d}")
    customer = factory.SubFactory(OrganisationFactory)
    provider = factory.LazyFunction(ProviderFactory)
    title = factory.LazyAttribute(lambda a: f"Dienstverleningsovereenkomst {a.customer.name}")
    start_date = date(2023, 1, 1)
    status = Agreement.Status.ACTIVE
    customer_signed_at = factory.LazyFunction(timezone.now)
    provider_signed_at = factory.LazyFunction(timezone.now)


class AgreementLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgreementLine

    agreement = factory.SubFactory(AgreementFactory)
    service = factory.SubFactory(ServiceFactory)
    year = 2024
    volume = Decimal("10")
