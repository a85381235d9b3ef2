"""Navigation items, the dashboard panel and the audited models of billing."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.portal import Audited, NavItem, Panel
from tenants.roles import ALL_ROLES, PROVIDER_ROLES, Role
from tenants.selectors import is_provider_user, organisations_where

from . import selectors
from .models import BillingRun, Invoice, RealisedVolume

NAV_ITEMS = [
    NavItem(label=_("Facturen"), url_name="billing:invoice_list", roles=ALL_ROLES, order=40),
    NavItem(label=_("Facturatie"), url_name="billing:run_list", roles=PROVIDER_ROLES, order=45),
    NavItem(label=_("Prijsgelijkheid"), url_name="billing:price_equality", roles=PROVIDER_ROLES, order=46),
]


def dashboard_panels(request) -> list[Panel]:
    """For a customer's contract manager or finance: this year's invoiced amount against the
    agreement's yearly total (volume x tariff). Three queries."""
    user = request.user
    if is_provider_user(user):
        return []
    customer_ids = organisations_where(user, {Role.CONTRACT_MANAGER, Role.FINANCE})
    if not customer_ids:
        return []
    year = timezone.localdate().year
    invoiced = selectors.invoiced_amount(customer_ids=customer_ids, year=year)
    yearly_total = selectors.agreement_yearly_total(customer_ids=customer_ids, year=year)
    percentage = round(invoiced * 100 / yearly_total) if yearly_total else None
    return [
        Panel(
            template="billing/panel_invoiced.html",
            context={
                "year": year,
                "invoiced": invoiced,
                "yearly_total": yearly_total,
                "percentage": percentage,
            },
            order=30,
        )
    ]


def _invoice_title(invoice: Invoice) -> str:
    if invoice.number:
        return f"{invoice.get_kind_display()} {invoice.number}"
    return str(_("Conceptfactuur"))


AUDITED = [
    Audited(
        key="factuur",
        model=Invoice,
        objects_for=selectors.invoices_for,
        sources=selectors.own_history_sources,
        title=_invoice_title,
        back_url=lambda invoice: reverse("billing:invoice_detail", args=[invoice.pk]),
    ),
    # A run bills every customer: provider roles only (billing_runs_for gives customer roles nothing).
    Audited(
        key="facturatierun",
        model=BillingRun,
        objects_for=selectors.billing_runs_for,
        sources=selectors.own_history_sources,
        title=lambda run: _("Facturatierun %(period)s") % {"period": run.period},
        back_url=lambda run: reverse("billing:run_detail", args=[run.pk]),
    ),
    # Imported at year end for the settlement; no page of its own, so no way back.
    Audited(
        key="gerealiseerde-afname",
        model=RealisedVolume,
        objects_for=selectors.realised_volumes_for,
        sources=selectors.own_history_sources,
        title=str,
    ),
]
