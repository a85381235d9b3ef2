from datetime import date
from decimal import Decimal

import factory
from django.utils import timezone

from agreements.models import Agreement, AgreementLine, ChangeRequest
from agreements.services.agreements import grant_agreement_permissions
from agreements.services.change_requests import grant_change_request_permissions
from tests.factories import OrganisationFactory, ProviderFactory, UserFactory
from tests.services.factories import ServiceFactory


class AgreementFactory(factory.django.DjangoModelFactory):
    """An active, signed agreement from 2023-01-01 (sign fields filled so the status is valid).

    Like ``create_agreement``, it grants the object permissions to the role groups.
    """

    class Meta:
        model = Agreement
        skip_postgeneration_save = True

    number = factory.Sequence(lambda n: f"DVO-{n:04d}")
    customer = factory.SubFactory(OrganisationFactory)
    provider = factory.LazyFunction(ProviderFactory)
    title = factory.LazyAttribute(lambda a: f"Dienstverleningsovereenkomst {a.customer.name}")
    start_date = date(2023, 1, 1)
    status = Agreement.Status.ACTIVE
    customer_signed_at = factory.LazyFunction(timezone.now)
    provider_signed_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def permissions(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy passes the object
        if create and extracted is not False:
            grant_agreement_permissions(agreement=obj)


class AgreementLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgreementLine

    agreement = factory.SubFactory(AgreementFactory)
    service = factory.SubFactory(ServiceFactory)
    year = 2024
    volume = Decimal("10")


class ChangeRequestFactory(factory.django.DjangoModelFactory):
    """A submitted request to change a volume (no lines change until it is approved)."""

    class Meta:
        model = ChangeRequest
        skip_postgeneration_save = True

    agreement = factory.SubFactory(AgreementFactory)
    kind = ChangeRequest.Kind.CHANGE_VOLUME
    service = factory.SubFactory(ServiceFactory)
    volume = Decimal("12")
    effective_from = date(2026, 1, 1)
    motivation = factory.LazyAttribute(lambda r: f"Meer afname voor {r.agreement.customer.name}")
    submitted_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def permissions(obj, create, extracted, **kwargs):  # noqa: N805
        if create and extracted is not False:
            grant_change_request_permissions(request=obj)
