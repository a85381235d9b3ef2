"""Navigation items, dashboard panels and audited models of service quality and the quarterly reports."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.portal import Audited, NavItem, Panel
from tenants.roles import ALL_ROLES, COUNCIL_ROLES
from tenants.selectors import has_any_role

from . import selectors
from .models import BreachNote, Measurement

NAV_ITEMS = [
    NavItem(label=_("Dienstverlening"), url_name="quality:scorecard", roles=ALL_ROLES, order=35),
    NavItem(
        label=_("Kwartaalrapportages"),
        url_name="quality:report_list",
        roles=ALL_ROLES | COUNCIL_ROLES,
        order=36,
    ),
]


def dashboard_panels(request) -> list[Panel]:
    """Customer and provider roles: the last full quarter's verdicts. Council readers: their reports."""
    user = request.user
    if has_any_role(user, ALL_ROLES):
        period = selectors.last_full_quarter(timezone.localdate())
        card = selectors.realisation_for(user, year=period.year, quarter=period.quarter)
        return [
            Panel(
                template="quality/panel.html",
                context={"period": period, "counts": card.counts(), "breaches": len(card.breaches)},
                order=35,
            )
        ]
    if has_any_role(user, COUNCIL_ROLES):
        reports = list(selectors.reports_for(user).order_by("-year", "-quarter")[:4])
        return [Panel(template="quality/panel_council.html", context={"reports": reports}, order=10)]
    return []


def _service_page(obj: Measurement | BreachNote) -> str:
    return reverse("quality:service", kwargs={"customer": obj.customer.slug, "code": obj.service.code})


AUDITED = [
    Audited(
        key="meting",
        model=Measurement,
        objects_for=selectors.measurements_for,
        sources=selectors.own_history_sources,
        title=str,
        back_url=_service_page,
    ),
    Audited(
        key="toelichting",
        model=BreachNote,
        objects_for=selectors.breach_notes_for,
        sources=selectors.own_history_sources,
        title=str,
        back_url=_service_page,
    ),
]
