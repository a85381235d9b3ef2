"""Cross-tenant entries for the agreements app: its pages and API, with each tenant's typical data."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from agreements.models import Agreement, ChangeRequest
from agreements.services.agreements import create_agreement
from agreements.services.lines import set_line_volumes
from tenants.roles import Role
from tests.factories import ProviderFactory, UserFactory
from tests.services.factories import ServiceFactory
from tests.tenancy import detail_route, populator

from .factories import ChangeRequestFactory

CUSTOMER_ROLES = {Role.CONTRACT_MANAGER, Role.FINANCE}
PROVIDER_ROLES = {Role.PROVIDER_STAFF, Role.PROVIDER_FINANCE}
SIGNED_PDF = "agreements/tenancy-check.pdf"


def _services():
    basic = ServiceFactory(code="ICT-01", name="Werkplekbeheer", is_basic=True)
    optional = ServiceFactory(code="HRM-03", name="Opleidingen")
    return basic, optional


def agreement_of(org) -> Agreement:
    """The organisation's agreement in force (made once), with lines this year and next."""
    existing = Agreement.objects.filter(customer=org).order_by("pk").first()
    if existing is not None:
        return existing
    basic, optional = _services()
    agreement = create_agreement(
        customer=org,
        provider=ProviderFactory(),
        start_date=date(2023, 1, 1),
        status=Agreement.Status.ACTIVE,
        title=f"Dienstverleningsovereenkomst {org.name}",
        number=f"DVO-{org.slug.upper()}",
    )
    if not default_storage.exists(SIGNED_PDF):
        default_storage.save(SIGNED_PDF, ContentFile(b"%PDF-1.4 tenancy check"))
    Agreement.objects.filter(pk=agreement.pk).update(signed_document=SIGNED_PDF)
    year = timezone.localdate().year
    for y in (year, year + 1):
        set_line_volumes(
            agreement=agreement,
            year=y,
            volumes={basic: Decimal("100"), optional: Decimal("10")},
            reason=f"Afname {org.name}",
        )
    return agreement


def open_request_of(org) -> ChangeRequest:
    """A new submitted request that can be approved: a volume change from next year."""
    agreement = agreement_of(org)
    optional = ServiceFactory(code="HRM-03")
    submitter = UserFactory(username=f"indiener.{org.slug}")
    return ChangeRequestFactory(
        agreement=agreement,
        service=optional,
        volume=Decimal("15"),
        effective_from=date(timezone.localdate().year + 1, 1, 1),
        motivation=f"Meer opleidingen voor {org.name}",
        submitted_by=submitter,
    )


@populator
def agreements(org):
    agreement_of(org)
    open_request_of(org)


# --- Pages ----------------------------------------------------------------------------------------


@detail_route("agreements:detail", roles=CUSTOMER_ROLES, provider_roles=PROVIDER_ROLES)
def agreement_detail(org):
    return {"pk": agreement_of(org).pk}


@detail_route("agreements:history", roles=CUSTOMER_ROLES, provider_roles=PROVIDER_ROLES)
def agreement_history(org):
    return {"pk": agreement_of(org).pk}


@detail_route("agreements:document", roles=CUSTOMER_ROLES, provider_roles=PROVIDER_ROLES)
def agreement_document(org):
    return {"pk": agreement_of(org).pk}


def awaiting_signature_of(org) -> Agreement:
    """A new agreement (from next year) that waits for both signatures."""
    basic, _optional = _services()
    start = date(timezone.localdate().year + 1, 1, 1)
    agreement = create_agreement(
        customer=org, provider=ProviderFactory(), start_date=start, title=f"Nieuwe overeenkomst {org.name}"
    )
    set_line_volumes(agreement=agreement, year=start.year, volumes={basic: Decimal("1")})
    Agreement.objects.filter(pk=agreement.pk).update(status=Agreement.Status.AWAITING_SIGNATURE)
    return agreement


@detail_route("agreements:sign", roles={Role.CONTRACT_MANAGER}, provider_roles={Role.PROVIDER_STAFF})
def agreement_sign(org):
    return {"pk": awaiting_signature_of(org).pk}


@detail_route("agreements:change-request-create", roles={Role.CONTRACT_MANAGER}, provider_roles=set())
def change_request_create(org):
    return {"pk": agreement_of(org).pk}


@detail_route("agreements:change-request-detail", roles=CUSTOMER_ROLES, provider_roles=PROVIDER_ROLES)
def change_request_detail(org):
    return {"pk": open_request_of(org).pk}


@detail_route(
    "agreements:change-request-decide",
    roles=set(),
    provider_roles={Role.PROVIDER_STAFF},
    method="post",
    ok_statuses=(302,),
    data={"decision": "reject", "reason": "Niet nodig"},
)
def change_request_decide(org):
    return {"pk": open_request_of(org).pk}


# --- API ------------------------------------------------------------------------------------------


@detail_route("api:agreement-detail", roles=CUSTOMER_ROLES, provider_roles=PROVIDER_ROLES)
def api_agreement(org):
    return {"pk": agreement_of(org).pk}


@detail_route("api:agreement-line-detail", roles=CUSTOMER_ROLES, provider_roles=PROVIDER_ROLES)
def api_agreement_line(org):
    return {"pk": agreement_of(org).lines.order_by("pk").first().pk}


@detail_route("api:change-request-detail", roles=CUSTOMER_ROLES, provider_roles=PROVIDER_ROLES)
def api_change_request(org):
    return {"pk": open_request_of(org).pk}


@detail_route(
    "api:change-request-approve",
    roles=set(),
    provider_roles={Role.PROVIDER_STAFF},
    method="post",
    data={"reason": "Akkoord"},
)
def api_change_request_approve(org):
    return {"pk": open_request_of(org).pk}


@detail_route(
    "api:change-request-reject",
    roles=set(),
    provider_roles={Role.PROVIDER_STAFF},
    method="post",
    data={"reason": "Niet nodig"},
)
def api_change_request_reject(org):
    return {"pk": open_request_of(org).pk}


@detail_route(
    "agreements:change-request-withdraw",
    roles={Role.CONTRACT_MANAGER},
    provider_roles=set(),
    method="post",
    ok_statuses=(302,),
    data={"reason": "Toch niet nodig"},
)
def change_request_withdraw(org):
    return {"pk": open_request_of(org).pk}


@detail_route(
    "api:change-request-withdraw",
    roles={Role.CONTRACT_MANAGER},
    provider_roles=set(),
    method="post",
    data={"reason": "Toch niet nodig"},
)
def api_change_request_withdraw(org):
    return {"pk": open_request_of(org).pk}
