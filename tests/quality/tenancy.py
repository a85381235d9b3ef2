"""Cross-tenant registry of the quality pages and endpoints."""

from datetime import date
from decimal import Decimal

from quality.models import BreachNote, Kpi, Measurement
from services.models import ServiceLevel
from tenants.roles import PROVIDER_ROLES, Role
from tests.services.factories import ServiceFactory
from tests.tenancy import detail_route, populator

from .factories import MeasurementFactory, report_for

CODE = "QLT-01"
REPORT_ROLES = {Role.CONTRACT_MANAGER, Role.FINANCE, Role.COUNCIL_READER}


def _service():
    service = ServiceFactory(code=CODE, name="Kwaliteitsdienst")
    ServiceLevel.objects.get_or_create(
        service=service, year=2024, defaults={"availability_percent": Decimal("99.50"), "response_hours": 4}
    )
    return service


@populator
def quality(org):
    """A breach with an explanation naming the organisation, so a leak of it is visible, and a report."""
    service = _service()
    MeasurementFactory(customer=org, service=service, month=date(2024, 1, 1), value=Decimal("50.00"))
    BreachNote.objects.get_or_create(
        customer=org,
        service=service,
        year=2024,
        quarter=1,
        kpi=Kpi.AVAILABILITY,
        defaults={"explanation": f"Storing bij {org.name}", "remedy": f"Maatregel {org.name}"},
    )
    report_for(org, year=2024, quarter=2)


@detail_route("quality:service")
def service_page(org):
    return {"customer": org.slug, "code": _service().code}


@detail_route("quality:breach_note", roles=(), provider_roles={Role.PROVIDER_STAFF})
def breach_note(org):
    service = _service()
    Measurement.objects.get_or_create(
        customer=org, service=service, month=date(2024, 4, 1), kpi=Kpi.AVAILABILITY, defaults={"value": 60}
    )
    return {
        "customer": org.slug,
        "service": service.code,
        "year": 2024,
        "quarter": 2,
        "kpi": Kpi.AVAILABILITY,
    }


@detail_route("quality:report_detail", roles=REPORT_ROLES, provider_roles=PROVIDER_ROLES)
def report_detail(org):
    return {"pk": report_for(org, year=2023, quarter=4).pk}


@detail_route("quality:report_pdf", roles=REPORT_ROLES, provider_roles=PROVIDER_ROLES)
def report_pdf(org):
    return {"pk": report_for(org, year=2023, quarter=3).pk}
