"""The readable history in the browser: from a detail page to its history, accessible, usable at 390 px."""

import os
from datetime import date
from decimal import Decimal

import pytest

from agreements.models import Agreement
from agreements.services.agreements import create_agreement, end_agreement
from agreements.services.lines import set_line_volumes
from tenants.roles import Role
from tests.factories import OrganisationFactory, ProviderFactory, user_with_role
from tests.services.factories import ServiceFactory
from tests.transition.factories import SupplierContractFactory
from transition.models import SupplierContract
from transition.services.novation import record_novation

from .conftest import assert_accessible, login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
#: where to keep screenshots of the pages, when set (to look at them)
SHOTS = os.environ.get("SCREENSHOT_DIR", "")


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture
def records():
    provider = ProviderFactory()
    org = OrganisationFactory(name="Gemeente Zoeterwoude", slug="zoeterwoude", cbs_code="0638")
    staff = user_with_role(provider, Role.PROVIDER_STAFF, username="provider.staff")
    user_with_role(org, Role.CONTRACT_MANAGER, username="cm.zoeterwoude")
    basic = ServiceFactory(code="ICT-01", name="Werkplekbeheer", is_basic=True, unit="werkplek")
    agreement = create_agreement(
        customer=org, provider=provider, start_date=date(2023, 1, 1), status=Agreement.Status.ACTIVE
    )
    for volume in ("90", "95"):
        set_line_volumes(agreement=agreement, year=2025, volumes={basic: Decimal(volume)}, by=staff)
    end_agreement(agreement=agreement, end_date=date(2030, 12, 31), by=staff)
    contract = SupplierContractFactory(number="SP71-C-0042")
    record_novation(contract=contract, status=SupplierContract.Novation.GIVEN, on=date(2023, 2, 1), by=staff)
    return agreement


@pytest.mark.parametrize("width", [1280, 390])
def test_a_contract_manager_opens_the_agreement_history(page, records, width):
    page.set_viewport_size({"width": width, "height": 900})
    login(page, "cm.zoeterwoude")
    page.goto(f"/overeenkomsten/{records.pk}/")
    page.get_by_role("link", name="Historie", exact=True).click()
    page.wait_for_url(f"**/historie/overeenkomst/{records.pk}/")
    assert page.get_by_role("heading", name=f"Historie: Overeenkomst {records.number}").is_visible()
    assert page.get_by_text("90.0000 → 95.0000").first.is_visible()
    assert_accessible(page)
    assert _fits(page)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/agreement-{width}.png", full_page=True)


def test_provider_staff_open_a_contracts_history_from_the_list(page, records):
    page.set_viewport_size({"width": 390, "height": 900})
    login(page, "provider.staff")
    page.goto("/transitie/contracten/")
    assert_accessible(page)
    page.get_by_role("link", name="Historie van SP71-C-0042").click()
    page.wait_for_url("**/historie/leverancierscontract/*/")
    assert page.get_by_text("Toestemming gevraagd → Toestemming gegeven").first.is_visible()
    assert_accessible(page)
    assert _fits(page)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/contract-390.png", full_page=True)
