"""The four roles a Membership can hold, and which side they are on."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CONTRACT_MANAGER = "contract_manager", _("Contractmanager")
    FINANCE = "finance", _("Financiën")
    COUNCIL_READER = "council_reader", _("Raadslezer")
    PROVIDER_STAFF = "provider_staff", _("Bedrijfsvoering Leiden")
    PROVIDER_FINANCE = "provider_finance", _("Financiën Leiden")


CUSTOMER_ROLES = frozenset({Role.CONTRACT_MANAGER, Role.FINANCE})
PROVIDER_ROLES = frozenset({Role.PROVIDER_STAFF, Role.PROVIDER_FINANCE})
ALL_ROLES = CUSTOMER_ROLES | PROVIDER_ROLES
# A council reader (griffie, council member) reads its municipality's reports and nothing else, so it
# is not in ALL_ROLES: every page that admits "any portal role" answers it 404.
COUNCIL_ROLES = frozenset({Role.COUNCIL_READER})
CUSTOMER_SIDE_ROLES = CUSTOMER_ROLES | COUNCIL_ROLES
