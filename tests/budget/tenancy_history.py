"""Cross-tenant entry for the readable history of a budget letter."""

from tests.tenancy import detail_route

from .tenancy import CUSTOMER_ROLES, PROVIDER_ROLES, letter_of


@detail_route("history-begrotingsbrief", roles=CUSTOMER_ROLES, provider_roles=PROVIDER_ROLES)
@detail_route("api:history-begrotingsbrief", roles=CUSTOMER_ROLES, provider_roles=PROVIDER_ROLES)
def letter_history(org):
    return {"pk": letter_of(org).pk}
