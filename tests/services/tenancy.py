"""Cross-tenant registry of the catalogue.

The catalogue is the same for every tenant: services, tariffs and service levels belong to no
organisation, so they carry no tenant marker. The service page is a shared route: every role opens
it, nobody gets 404. The populator fills the catalogue, so the walk checks the catalogue's pages and
exports with data in them.
"""

from decimal import Decimal

from tests.tenancy import detail_route, populator

from .factories import ServiceFactory, ServiceLevelFactory, TariffFactory


@populator
def catalogue(org):
    service = ServiceFactory()
    TariffFactory(service=service, year=2024, unit_price=Decimal("1450.00"))
    TariffFactory(service=service, year=2025, unit_price=Decimal("1513.80"))
    ServiceLevelFactory(service=service, year=2025)


@detail_route("services:detail", shared=True)
def service_page(org):
    return {"code": ServiceFactory().code}


@detail_route("history-dienst", shared=True)
@detail_route("api:history-dienst", shared=True)
def service_history(org):
    return {"pk": ServiceFactory().pk}


@detail_route("history-tarief", shared=True)
@detail_route("api:history-tarief", shared=True)
def tariff_history(org):
    return {"pk": TariffFactory(year=2024).pk}
