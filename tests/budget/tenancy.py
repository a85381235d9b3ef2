"""Cross-tenant entries for the budget pages and API, with each tenant's letters."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from django.utils import timezone

from budget.models import BudgetLetter, BudgetLetterLine
from tenants.roles import Role
from tests.agreements.tenancy import agreement_of
from tests.services.factories import ServiceFactory
from tests.tenancy import detail_route, populator

CUSTOMER_ROLES = {Role.CONTRACT_MANAGER, Role.FINANCE}
PROVIDER_ROLES = {Role.PROVIDER_STAFF, Role.PROVIDER_FINANCE}
STAFF = {Role.PROVIDER_STAFF}
_versions = itertools.count(1)


def letter_of(org, *, status: str = BudgetLetter.Status.ISSUED) -> BudgetLetter:
    """A letter of ``org`` for next year with one line; the text names the organisation, so a leak shows."""
    version = next(_versions)
    # One draft per customer and year: each draft gets a year of its own until it is issued.
    year = timezone.localdate().year + 1
    letter = BudgetLetter.objects.create(
        customer=org,
        agreement=agreement_of(org),
        year=year + version,
        version=version,
        tariff_year=year,
        deadline=date(year - 1, 4, 15),
        net_total=Decimal("1000.00"),
        low_total=Decimal("950.00"),
        high_total=Decimal("1050.00"),
        assumptions=f"Uitgangspunten voor {org.name}",
    )
    service = ServiceFactory(code="ICT-01", name="Werkplekbeheer", is_basic=True)
    BudgetLetterLine.objects.create(
        letter=letter,
        service=service,
        domain=service.domain,
        taakveld="0.4",
        volume=Decimal(1),
        unit_price=Decimal("1000.00"),
        amount=Decimal("1000.00"),
        low_percent=Decimal(-5),
        high_percent=Decimal(5),
        low_amount=Decimal("950.00"),
        high_amount=Decimal("1050.00"),
        vat_category="S",
        vat_rate=Decimal("21.00"),
    )
    changes = {"year": year + version}
    if status != BudgetLetter.Status.DRAFT:
        changes = {"year": year, "status": status, "number": f"BB-{year}-{org.slug}-{version}"}
        changes["issued_at"] = timezone.now()
    BudgetLetter.objects.filter(pk=letter.pk).update(**changes)
    letter.refresh_from_db()
    return letter


# Issued letters are read by the municipality's council readers too.
READERS = {*CUSTOMER_ROLES, Role.COUNCIL_READER}


@populator
def letters(org):
    letter_of(org)
    letter_of(org, status=BudgetLetter.Status.DRAFT)


@detail_route("budget:letter_detail", roles=READERS, provider_roles=PROVIDER_ROLES)
def letter_detail(org):
    return {"pk": letter_of(org).pk}


@detail_route("budget:letter_pdf", roles=READERS, provider_roles=PROVIDER_ROLES)
def letter_pdf(org):
    return {"pk": letter_of(org).pk}


@detail_route("budget:letter_xlsx", roles=READERS, provider_roles=PROVIDER_ROLES)
def letter_xlsx(org):
    return {"pk": letter_of(org).pk}


@detail_route("budget:letter_issue", roles=(), provider_roles=STAFF, method="post", ok_statuses=(302,))
def letter_issue(org):
    return {"pk": letter_of(org, status=BudgetLetter.Status.DRAFT).pk}


@detail_route(
    "budget:letter_acknowledge", roles=CUSTOMER_ROLES, provider_roles=(), method="post", ok_statuses=(302,)
)
def letter_acknowledge(org):
    return {"pk": letter_of(org).pk}


@detail_route("budget:what_if", roles=CUSTOMER_ROLES, provider_roles=PROVIDER_ROLES)
def what_if(org):
    return {"pk": agreement_of(org).pk}


@detail_route("api:budget-letter-detail", roles=CUSTOMER_ROLES, provider_roles=PROVIDER_ROLES)
def api_letter(org):
    return {"pk": letter_of(org).pk}


@detail_route("api:budget-letter-pdf", roles=CUSTOMER_ROLES, provider_roles=PROVIDER_ROLES)
def api_letter_pdf(org):
    return {"pk": letter_of(org).pk}
