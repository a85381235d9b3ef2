from django.utils.translation import gettext_lazy as _

from core.portal import NavItem, Panel
from tenants.roles import PROVIDER_ROLES
from tenants.selectors import is_provider_user

from .models import SupplierContract
from .selectors import contracts_for, executed_run_for

# One menu item: the transition pages link to each other (reconciliation, employees, novation).
NAV_ITEMS = [NavItem(label=_("Transitie"), url_name="transition:report", roles=PROVIDER_ROLES, order=80)]


def dashboard_panels(request) -> list[Panel]:
    """Provider roles: was the transition executed, and how many contracts still await consent."""
    if not is_provider_user(request.user):
        return []
    pending = contracts_for(request.user, status=SupplierContract.Novation.PENDING).count()
    context = {"run": executed_run_for(request.user), "pending": pending}
    return [Panel(template="transition/panel.html", context=context, order=80)]
