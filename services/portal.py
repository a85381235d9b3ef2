"""Navigation, dashboard panel and audited models of the catalogue."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.audit import Source
from core.portal import Audited, NavItem, Panel
from tenants.selectors import has_any_role

from . import selectors
from .models import Service, Tariff

NAV_ITEMS = [NavItem(label=_("Dienstencatalogus"), url_name="services:catalogue", order=20)]


def dashboard_panels(request) -> list[Panel]:
    if not has_any_role(request.user):
        return []
    year = timezone.localdate().year
    summary = selectors.catalogue_summary(request.user, year=year)
    return [Panel(template="services/panel.html", context={"year": year, **summary}, order=20)]


def _service_url(service) -> str:
    return reverse("services:detail", kwargs={"code": service.code})


def _tariff_sources(tariff) -> list[Source]:
    return [Source(Tariff, {"id": tariff.pk}, lambda r: _("tarief %(year)s") % {"year": r.year})]


AUDITED = [
    Audited(
        key="dienst",
        model=Service,
        objects_for=selectors.services_for,
        sources=selectors.history_sources,
        title=lambda service: f"{service.code} {service.display_name}",
        back_url=_service_url,
    ),
    Audited(
        key="tarief",
        model=Tariff,
        objects_for=selectors.tariffs_for,
        sources=_tariff_sources,
        title=lambda tariff: (
            _("tarief %(year)s van %(code)s") % {"year": tariff.year, "code": tariff.service.code}
        ),
        back_url=lambda tariff: _service_url(tariff.service),
    ),
]
