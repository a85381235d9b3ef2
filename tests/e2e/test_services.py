"""Browser journeys through the catalogue in Chromium, checked by axe-core."""

from decimal import Decimal

import pytest

from services.demo import seed as seed_catalogue
from tenants.roles import Role
from tests.factories import OrganisationFactory, ProviderFactory, user_with_role

from .conftest import assert_accessible, login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def leiderdorp_cm():
    ProviderFactory()
    org = OrganisationFactory(name="Gemeente Leiderdorp", slug="leiderdorp", cbs_code="0547")
    seed_catalogue(password="x", log=lambda *a: None)
    return user_with_role(org, Role.CONTRACT_MANAGER, username="cm.leiderdorp")


def test_contract_manager_browses_the_catalogue_by_domain_with_prices(page, leiderdorp_cm):
    login(page, "cm.leiderdorp")
    page.get_by_role("link", name="Dienstencatalogus").first.click()
    page.wait_for_url("**/catalogus/**")
    assert page.get_by_role("heading", name="Dienstencatalogus", level=1).is_visible()
    for domain in ("ICT", "HRM", "Financiën", "Inkoop", "Informatiebeheer", "Facilitaire zaken"):
        assert page.get_by_role("heading", name=domain, level=2).is_visible()
    assert page.get_by_test_id("illustrative").is_visible()
    assert "Basispakket" in page.get_by_test_id("service-ICT-01").inner_text()
    assert_accessible(page)


def test_the_year_switch_shows_that_years_prices(page, leiderdorp_cm):
    login(page, "cm.leiderdorp")
    page.goto("/catalogus/?jaar=2025")
    assert "€ 1.606,14" in page.get_by_test_id("service-ICT-01").inner_text()
    page.get_by_label("Jaar").select_option("2026")
    page.wait_for_url("**jaar=2026**")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=\"service-ICT-01\"]').innerText.includes('1.655,93')"
    )
    page.wait_for_function("() => document.getElementById('catalogue-summary').innerText.includes('in 2026')")
    assert page.locator("#catalogue-summary").count() == 1


def test_search_narrows_the_catalogue_while_typing(page, leiderdorp_cm):
    login(page, "cm.leiderdorp")
    page.goto("/catalogus/")
    page.get_by_role("textbox", name="Zoeken").fill("archief")
    page.wait_for_function("() => document.querySelectorAll('[data-testid^=\"service-\"]').length <= 3")
    codes = page.locator("[data-testid^='service-']").evaluate_all("rows => rows.map(r => r.dataset.testid)")
    assert "service-IB-01" in codes
    assert "service-ICT-01" not in codes
    assert_accessible(page)


def test_the_service_page_shows_tariffs_over_the_years_and_norms(page, leiderdorp_cm):
    login(page, "cm.leiderdorp")
    page.goto("/catalogus/?jaar=2025")
    page.get_by_role("link", name="Salarisadministratie").click()
    assert page.get_by_role("heading", name="HRM-01 Salarisadministratie").is_visible()
    tariffs = page.get_by_test_id("tariffs").inner_text()
    for price in ("€ 385,00", "€ 408,49", "€ 426,46", "€ 439,68"):
        assert price in tariffs
    assert "6,1%" in tariffs
    assert "2026" in page.get_by_test_id("service-levels").inner_text()
    assert_accessible(page)


def test_the_catalogue_speaks_english_on_request(page, leiderdorp_cm):
    login(page, "cm.leiderdorp")
    page.goto("/catalogus/?jaar=2025")
    page.get_by_role("button", name="English").click()
    page.wait_for_selector("html[lang=en]")
    assert "Workstation management" in page.get_by_test_id("service-ICT-01").inner_text()
    assert_accessible(page)


def test_provider_staff_see_the_catalogue_and_its_history(page, leiderdorp_cm):
    from services.models import Service
    from services.services import set_tariff

    staff = user_with_role(ProviderFactory(), Role.PROVIDER_STAFF, username="provider.staff")
    set_tariff(service=Service.objects.get(code="ICT-01"), year=2026, unit_price=Decimal("1660.00"), by=staff)
    login(page, "provider.staff")
    page.goto("/catalogus/ICT-01/")
    history = page.get_by_test_id("history").inner_text()
    assert "provider.staff" in history
    assert "1655.93 → 1660.00" in history
    assert_accessible(page)
