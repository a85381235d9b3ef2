"""Cross-tenant entries for the readable histories of agreements and change requests."""

from __future__ import annotations

from tests.tenancy import detail_route

from .tenancy import CUSTOMER_ROLES, PROVIDER_ROLES, agreement_of, open_request_of


@detail_route("history-overeenkomst", roles=CUSTOMER_ROLES, provider_roles=PROVIDER_ROLES)
@detail_route("api:history-overeenkomst", roles=CUSTOMER_ROLES, provider_roles=PROVIDER_ROLES)
def agreement_history(org):
    return {"pk": agreement_of(org).pk}


@detail_route("history-wijzigingsverzoek", roles=CUSTOMER_ROLES, provider_roles=PROVIDER_ROLES)
@detail_route("api:history-wijzigingsverzoek", roles=CUSTOMER_ROLES, provider_roles=PROVIDER_ROLES)
def change_request_history(org):
    return {"pk": open_request_of(org).pk}
