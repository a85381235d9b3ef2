"""Navigation items and dashboard panels of service quality and the quarterly reports."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.portal import NavItem, Panel
from tenants.roles import ALL_ROLES, COUNCIL_ROLES
from tenants.selectors import has_any_role

from . import selectors

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
