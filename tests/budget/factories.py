"""A small world for the budget tests: Leiden and three municipalities with agreements from 2025, three
services in two domains (one VAT-exempt), tariffs for 2025 and 2026 (2027 on request)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from agreements.models import Agreement
from agreements.services.agreements import create_agreement
from agreements.services.lines import set_line_volumes
from tests.factories import OrganisationFactory, ProviderFactory
from tests.services.factories import ServiceDomainFactory, ServiceFactory, TariffFactory

PRICES = {
    "ICT-01": {2025: "1000.00", 2026: "1050.00", 2027: "1100.00"},
    "HRM-01": {2025: "33.33", 2026: "35.01", 2027: "36.00"},
    "FIN-02": {2025: "3.50", 2026: "3.67", 2027: "3.80"},
}
VOLUMES = {
    "leiden": {"ICT-01": "900", "HRM-01": "1000", "FIN-02": "30000"},
    "alfa": {"ICT-01": "100", "HRM-01": "160", "FIN-02": "5000"},
    "bravo": {"ICT-01": "50", "HRM-01": "75", "FIN-02": "2500"},
    "charlie": {"ICT-01": "30", "HRM-01": "45", "FIN-02": "1500"},
}


def budget_world(*, tariff_years=(2025, 2026), line_years=(2025, 2026)) -> SimpleNamespace:
    provider = ProviderFactory()
    alfa = OrganisationFactory(name="Gemeente Alfa", slug="alfa", cbs_code="9001")
    bravo = OrganisationFactory(name="Gemeente Bravo", slug="bravo", cbs_code="9002")
    charlie = OrganisationFactory(name="Gemeente Charlie", slug="charlie", cbs_code="9003")
    ict = ServiceDomainFactory(code="ict", name="ICT", name_en="ICT", order=1)
    hrm = ServiceDomainFactory(code="hrm", name="HRM", name_en="HRM", order=2)
    services = {
        "ICT-01": ServiceFactory(code="ICT-01", name="Werkplek", domain=ict, is_basic=True, vat_category="S"),
        "HRM-01": ServiceFactory(
            code="HRM-01", name="Salarisadministratie", domain=hrm, unit="medewerker", vat_category="E"
        ),
        "FIN-02": ServiceFactory(
            code="FIN-02", name="Crediteuren", domain=hrm, unit="factuur", taakveld="0.5"
        ),
    }
    for code, prices in PRICES.items():
        for year in tariff_years:
            TariffFactory(service=services[code], year=year, unit_price=Decimal(prices[year]))
    agreements = {}
    for org in (provider, alfa, bravo, charlie):
        agreement = create_agreement(
            customer=org,
            provider=provider,
            start_date=date(2025, 1, 1),
            status=Agreement.Status.ACTIVE,
            number=f"DVO-{org.slug.upper()}",
        )
        for year in line_years:
            set_line_volumes(
                agreement=agreement,
                year=year,
                volumes={services[c]: Decimal(v) for c, v in VOLUMES[org.slug].items()},
                reason=f"Afname {org.name}",
            )
        agreements[org.slug] = agreement
    return SimpleNamespace(
        provider=provider,
        alfa=alfa,
        bravo=bravo,
        charlie=charlie,
        customers=[provider, alfa, bravo, charlie],
        services=services,
        agreements=agreements,
    )


def add_tariffs(world, year: int) -> None:
    for code, prices in PRICES.items():
        TariffFactory(service=world.services[code], year=year, unit_price=Decimal(prices[year]))
