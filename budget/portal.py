"""Navigation, dashboard panels, the budget part of the agreement page and the audited budget letters."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.portal import Audited, NavItem, Panel
from tenants.roles import ALL_ROLES, COUNCIL_ROLES, CUSTOMER_ROLES, PROVIDER_ROLES, Role
from tenants.selectors import has_any_role, is_provider_user, organisations_where

from . import charts, selectors
from .models import BudgetLetter

NAV_ITEMS = [
    NavItem(label=_("Begroting"), url_name="budget:realisation", order=47),
    NavItem(
        label=_("Begrotingsbrieven"), url_name="budget:letter_list", roles=ALL_ROLES | COUNCIL_ROLES, order=48
    ),
]


def budget_figures(*, customer, today, agreement=None) -> dict:
    """This year's realisation and the three charts of one customer (about twelve queries)."""
    realisation = selectors.realisation_of(customer=customer, year=today.year, today=today)
    history = selectors.yearly_history(customer=customer, today=today, current=realisation)
    slug = customer.slug
    return {
        "customer": customer,
        "realisation": realisation,
        "r": realisation,
        "year_chart": charts.cost_per_year_chart(history, chart_id=f"years-{slug}"),
        "domain_chart": charts.domain_chart(realisation, chart_id=f"domains-{slug}"),
        "quarter_chart": charts.quarter_chart(realisation, chart_id=f"quarters-{slug}"),
        "agreement": agreement,
    }


def dashboard_panels(request) -> list[Panel]:
    user = request.user
    today = timezone.localdate()
    panels = []
    if not is_provider_user(user):
        ids = organisations_where(user, CUSTOMER_ROLES)
        for customer in selectors.customers_for(user):
            if customer.pk not in ids:
                continue
            context = budget_figures(customer=customer, today=today)
            context["alert"] = selectors.alerts_for(user).filter(customer=customer, year=today.year).first()
            context["to_acknowledge"] = list(
                selectors.letters_for(user).filter(customer=customer, status="issued").order_by("-year")[:3]
            )
            context["year"] = today.year
            panels.append(Panel(template="budget/panel_customer.html", context=context, order=35))
    elif has_any_role(user, PROVIDER_ROLES):
        year = today.year + 1
        letters = selectors.last_issued_letters(
            customer_ids=[c.pk for c in selectors.customers_for(user)], year=year
        )
        drafts = selectors.letters_for(user).filter(year=year, status="draft").count()
        alerts = list(selectors.alerts_for(user).filter(year=today.year).order_by("customer__name"))
        panels.append(
            Panel(
                template="budget/panel_provider.html",
                context={
                    "year": year,
                    "issued": len(letters),
                    "drafts": drafts,
                    "alerts": alerts,
                    "may_issue": has_any_role(user, {Role.PROVIDER_STAFF}),
                },
                order=35,
            )
        )
    return panels


def agreement_panels(request, *, agreement) -> list[Panel]:
    """On the agreement page: the budget, the three charts and the way to the what-if."""
    today = timezone.localdate()
    context = budget_figures(customer=agreement.customer, today=today, agreement=agreement)
    return [Panel(template="budget/panel_agreement.html", context=context, order=50)]


# The volume margins keep history too, but they are Leiden's settings in the admin (its history view
# shows them); a letter carries the margins it used.
AUDITED = [
    Audited(
        key="begrotingsbrief",
        model=BudgetLetter,
        objects_for=selectors.letters_for,
        sources=selectors.letter_history_sources,
        title=lambda letter: (
            _("Begrotingsbrief %(year)s %(customer)s")
            % {"year": letter.year, "customer": letter.customer.name}
        ),
        back_url=lambda letter: reverse("budget:letter_detail", args=[letter.pk]),
    ),
]
