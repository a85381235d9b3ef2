from datetime import date
from decimal import Decimal

import factory

from services.models import Service, ServiceDomain, ServiceLevel, Tariff


class ServiceDomainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceDomain
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"domein-{n}")
    name = factory.Sequence(lambda n: f"Domein {n}")
    name_en = factory.Sequence(lambda n: f"Domain {n}")


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"TST-{n:03d}")
    name = factory.Sequence(lambda n: f"Dienst {n}")
    name_en = factory.Sequence(lambda n: f"Service {n}")
    domain = factory.SubFactory(ServiceDomainFactory)
    unit = "werkplek"
    unit_en = "workstation"
    unit_code = "C62"
    is_basic = False
    vat_category = "S"
    taakveld = "0.4"
    active_from = date(2023, 1, 1)


class TariffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tariff

    service = factory.SubFactory(ServiceFactory)
    year = 2024
    unit_price = Decimal("100.00")


class ServiceLevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceLevel

    service = factory.SubFactory(ServiceFactory)
    year = 2024
    availability_percent = Decimal("99.50")
    response_hours = Decimal("4.0")
    resolution_hours = Decimal("16.0")
    service_hours = "ma-vr 8:00-17:00"
    service_hours_en = "Mon-Fri 8:00-17:00"


def catalogue(count: int, *, start: int = 0, years=(2024, 2025), domains: int = 6) -> list[Service]:
    """``count`` services spread over ``domains`` domains, each with a tariff and service level a year."""
    domain_objs = [
        ServiceDomainFactory(code=f"domein-{i}", name=f"Domein {i}", order=i) for i in range(domains)
    ]
    services = Service.objects.bulk_create(
        [
            Service(
                code=f"CAT-{n:03d}",
                name=f"Catalogusdienst {n}",
                domain=domain_objs[n % domains],
                unit="uur",
                unit_code="HUR",
                is_basic=n % 3 == 0,
                active_from=date(2023, 1, 1),
            )
            for n in range(start, start + count)
        ]
    )
    Tariff.objects.bulk_create(
        [
            Tariff(service=s, year=year, unit_price=Decimal(100 + n) + Decimal(year - 2024))
            for n, s in enumerate(services)
            for year in years
        ]
    )
    ServiceLevel.objects.bulk_create(
        [
            ServiceLevel(service=s, year=year, response_hours=Decimal("8.0"))
            for s in services
            for year in years
        ]
    )
    return services
