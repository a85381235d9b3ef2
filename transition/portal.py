"""Navigation, the dashboard panel and the audited models of the transition (provider roles only)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.portal import Audited, NavItem, Panel
from tenants.roles import PROVIDER_ROLES
from tenants.selectors import is_provider_user

from .models import Employee, SupplierContract, TransitionRun
from .selectors import (
    contracts_for,
    employee_history_sources,
    employees_for,
    executed_run_for,
    own_history_sources,
    runs_for,
)

# One menu item: the transition pages link to each other (reconciliation, employees, novation).
NAV_ITEMS = [NavItem(label=_("Transitie"), url_name="transition:report", roles=PROVIDER_ROLES, order=80)]


def dashboard_panels(request) -> list[Panel]:
    """Provider roles: was the transition executed, and how many contracts still await consent."""
    if not is_provider_user(request.user):
        return []
    pending = contracts_for(request.user, status=SupplierContract.Novation.PENDING).count()
    context = {"run": executed_run_for(request.user), "pending": pending}
    return [Panel(template="transition/panel.html", context=context, order=80)]


# The selectors give customer-side roles nothing, so these histories answer them 404.
AUDITED = [
    Audited(
        key="medewerker",
        model=Employee,
        objects_for=employees_for,
        sources=employee_history_sources,
        title=str,
        back_url=lambda employee: reverse("transition:employee", args=[employee.pk]),
    ),
    Audited(
        key="leverancierscontract",
        model=SupplierContract,
        objects_for=contracts_for,
        sources=own_history_sources,
        title=str,
        back_url=lambda contract: reverse("transition:contracts"),
    ),
    Audited(
        key="transitierun",
        model=TransitionRun,
        objects_for=runs_for,
        sources=own_history_sources,
        title=str,
        back_url=lambda run: reverse("transition:report"),
    ),
]
