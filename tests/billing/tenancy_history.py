"""Cross-tenant entries for the readable histories of invoices, billing runs and realised volumes."""

from __future__ import annotations

from decimal import Decimal

from billing.models import RealisedVolume
from tenants.roles import PROVIDER_ROLES
from tests.services.factories import ServiceFactory
from tests.tenancy import detail_route

from .factories import BillingRunFactory, invoice_for


@detail_route("history-factuur")
@detail_route("api:history-factuur")
def invoice_history(org):
    return {"pk": invoice_for(org).pk}


# A billing run bills every customer: its history is the provider's, like the run's page.
@detail_route("history-facturatierun", roles=(), provider_roles=PROVIDER_ROLES)
@detail_route("api:history-facturatierun", roles=(), provider_roles=PROVIDER_ROLES)
def billing_run_history(org):
    return {"pk": BillingRunFactory().pk}


@detail_route("history-gerealiseerde-afname")
@detail_route("api:history-gerealiseerde-afname")
def realised_volume_history(org):
    volume = RealisedVolume.objects.create(
        customer=org, service=ServiceFactory(), year=2024, volume=Decimal("12"), source=f"{org.slug}.csv"
    )
    return {"pk": volume.pk}
