"""Cross-tenant entries for the readable histories of the transition's records: provider roles only."""

from tenants.roles import PROVIDER_ROLES
from tests.factories import LocationFactory
from tests.tenancy import detail_route
from transition.models import TransitionRun

from .factories import EmployeeFactory, EmploymentFactory, SupplierContractFactory, TransitionRunFactory


@detail_route("history-medewerker", roles=(), provider_roles=PROVIDER_ROLES)
@detail_route("api:history-medewerker", roles=(), provider_roles=PROVIDER_ROLES)
def employee_history(org):
    location = LocationFactory(name=f"Standplaats {org.name}", organisation=org)
    employee = EmployeeFactory(location=location, department=f"Afdeling {org.name}")
    EmploymentFactory(employee=employee)
    return {"pk": employee.pk}


@detail_route("history-leverancierscontract", roles=(), provider_roles=PROVIDER_ROLES)
@detail_route("api:history-leverancierscontract", roles=(), provider_roles=PROVIDER_ROLES)
def contract_history(org):
    return {"pk": SupplierContractFactory(description=f"Contract voor {org.name}").pk}


@detail_route("history-transitierun", roles=(), provider_roles=PROVIDER_ROLES)
@detail_route("api:history-transitierun", roles=(), provider_roles=PROVIDER_ROLES)
def run_history(org):
    # A dry run: at most one run is ever executed, and the walk makes one per role.
    run = TransitionRunFactory(mode=TransitionRun.Mode.DRY_RUN, status=TransitionRun.Status.VALID)
    return {"pk": run.pk}
