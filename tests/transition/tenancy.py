"""Cross-tenant entries of the transition: staff, contracts and the report are provider-only."""

from tenants.roles import PROVIDER_ROLES
from tests.factories import LocationFactory
from tests.tenancy import detail_route, populator

from .factories import EmployeeFactory, SupplierContractFactory


@populator
def transition_records(org):
    location = LocationFactory(name=f"Locatie {org.name}", organisation=org)
    EmployeeFactory(location=location, department=f"Afdeling {org.name}", function=f"Adviseur {org.name}")
    SupplierContractFactory(description=f"Contract voor {org.name}", supplier=f"Leverancier {org.name}")


@detail_route("transition:employee", roles=(), provider_roles=PROVIDER_ROLES)
def employee(org):
    location = LocationFactory(name=f"Standplaats {org.name}", organisation=org)
    return {"pk": EmployeeFactory(location=location, department=f"Afdeling {org.name}").pk}
