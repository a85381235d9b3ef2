"""Factories and a small world for the quality tests."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import factory
from django.utils import timezone

from quality.models import Kpi, Measurement, QuarterlyReport
from tests.factories import OrganisationFactory, ProviderFactory
from tests.services.factories import ServiceFactory, ServiceLevelFactory


class MeasurementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measurement

    customer = factory.SubFactory(OrganisationFactory)
    service = factory.SubFactory(ServiceFactory)
    month = date(2024, 1, 1)
    kpi = Kpi.AVAILABILITY
    value = Decimal("99.80")
    source = "test"


def report_for(org, *, year: int = 2024, quarter: int = 1) -> QuarterlyReport:
    """A stored report naming ``org`` in its HTML (the real one is tested in test_reports)."""
    report = QuarterlyReport.objects.filter(customer=org, year=year, quarter=quarter).first()
    return report or QuarterlyReport.objects.create(
        customer=org,
        year=year,
        quarter=quarter,
        issued_at=timezone.now(),
        figures={"customer": {"name": org.name}},
        html=f"<p>Rapportage voor {org.name}</p>",
    )


def quality_world() -> SimpleNamespace:
    """Leiden, Alfa and Bravo; ICT-01 (availability, response and resolution norms) and HRM-01 (no
    availability norm) with their 2024 norms: availability 99.50 %, shares 90 %, satisfaction 7.0."""
    provider = ProviderFactory()
    alfa = OrganisationFactory(name="Gemeente Alfa", slug="alfa", cbs_code="9001")
    bravo = OrganisationFactory(name="Gemeente Bravo", slug="bravo", cbs_code="9002")
    ict = ServiceFactory(code="ICT-01", name="Werkplekbeheer")
    hrm = ServiceFactory(code="HRM-01", name="Salarisadministratie", unit="medewerker")
    ServiceLevelFactory(service=ict, year=2024)
    ServiceLevelFactory(service=hrm, year=2024, availability_percent=None)
    return SimpleNamespace(provider=provider, alfa=alfa, bravo=bravo, ict=ict, hrm=hrm)


def measure(customer, service, kpi, values: dict[str, str]) -> None:
    """``values`` maps ``2024-01`` to a value."""
    for month, value in values.items():
        year, number = month.split("-")
        MeasurementFactory(
            customer=customer,
            service=service,
            kpi=kpi,
            month=date(int(year), int(number), 1),
            value=Decimal(value),
        )
