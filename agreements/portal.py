"""Navigation items, the contract manager's dashboard panel and the audited models of the agreements."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.portal import Audited, NavItem, Panel
from tenants.roles import PROVIDER_ROLES, Role
from tenants.selectors import has_any_role

from . import selectors
from .models import Agreement, ChangeRequest

NAV_ITEMS = [
    NavItem(
        label=_("Mijn overeenkomst"),
        url_name="agreements:mine",
        roles=frozenset({Role.CONTRACT_MANAGER, Role.FINANCE}),
        order=20,
    ),
    NavItem(label=_("Overeenkomsten"), url_name="agreements:list", roles=PROVIDER_ROLES, order=20),
    NavItem(label=_("Wijzigingsverzoeken"), url_name="agreements:change-requests", order=25),
    NavItem(
        label=_("Wachtrij verzoeken"),
        url_name="agreements:queue",
        roles=frozenset({Role.PROVIDER_STAFF}),
        order=26,
    ),
]


def dashboard_panels(request) -> list[Panel]:
    """For a contract manager: the agreement in force, this year's costs, open requests, notice deadline."""
    user = request.user
    panels = []
    if has_any_role(user, {Role.CONTRACT_MANAGER}):
        today = timezone.localdate()
        agreement = selectors.current_agreement_for(user, on=today)
        context = {"agreement": agreement, "year": today.year}
        if agreement is not None:
            context["total"] = selectors.year_costs(agreement=agreement, year=today.year).total
            context["calendar"] = selectors.calendar_of(agreement, today=today)
            context["open_requests"] = (
                selectors.open_change_requests_for(user).filter(agreement=agreement).count()
            )
        panels.append(Panel(template="agreements/panel_contract_manager.html", context=context, order=20))
    if has_any_role(user, {Role.PROVIDER_STAFF}):
        panels.append(
            Panel(
                template="agreements/panel_queue.html",
                context={"open_requests": selectors.open_change_requests_for(user).count()},
                order=20,
            )
        )
    return panels


AUDITED = [
    Audited(
        key="overeenkomst",
        model=Agreement,
        objects_for=selectors.agreements_for,
        sources=selectors.agreement_history_sources,
        title=lambda agreement: _("Overeenkomst %(number)s") % {"number": agreement.number},
        back_url=lambda agreement: reverse("agreements:detail", args=[agreement.pk]),
    ),
    Audited(
        key="wijzigingsverzoek",
        model=ChangeRequest,
        objects_for=selectors.change_requests_for,
        sources=selectors.change_request_history_sources,
        title=lambda request: _("Wijzigingsverzoek %(pk)s") % {"pk": request.pk},
        back_url=lambda request: reverse("agreements:change-request-detail", args=[request.pk]),
    ),
]
