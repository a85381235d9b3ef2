"""Navigation and dashboard panel of the catalogue."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.portal import NavItem, Panel
from tenants.selectors import has_any_role

from . import selectors

NAV_ITEMS = [NavItem(label=_("Dienstencatalogus"), url_name="services:catalogue", order=20)]


def dashboard_panels(request) -> list[Panel]:
    if not has_any_role(request.user):
        return []
    year = timezone.localdate().year
    summary = selectors.catalogue_summary(request.user, year=year)
    return [Panel(template="services/panel.html", context={"year": year, **summary}, order=20)]
