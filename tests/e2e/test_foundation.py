import pytest

from tenants.roles import Role
from tests.factories import OrganisationFactory, ProviderFactory, user_with_role

from .conftest import assert_accessible, login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def oegstgeest_cm():
    ProviderFactory()
    OrganisationFactory(name="Gemeente Leiderdorp", slug="leiderdorp", cbs_code="0547")
    org = OrganisationFactory(name="Gemeente Oegstgeest", slug="oegstgeest", cbs_code="0579")
    return user_with_role(org, Role.CONTRACT_MANAGER, username="cm.oegstgeest")


def test_contract_manager_logs_in_and_sees_its_organisation(page, oegstgeest_cm):
    login(page, "cm.oegstgeest")
    header = page.get_by_test_id("current-organisation")
    assert "Gemeente Oegstgeest" in header.inner_text()
    assert "Contractmanager" in header.inner_text()
    assert page.get_by_role("heading", name="Overzicht").is_visible()
    assert "Gemeente Leiderdorp" not in page.content()


def test_language_switch_turns_the_portal_english(page, oegstgeest_cm):
    login(page, "cm.oegstgeest")
    page.get_by_role("button", name="English").click()
    page.wait_for_selector("html[lang=en]")
    assert page.get_by_role("heading", name="Overview").is_visible()
    page.get_by_role("button", name="Nederlands").click()
    page.wait_for_selector("html[lang=nl]")


def test_skip_link_leads_to_the_content(page, oegstgeest_cm):
    login(page, "cm.oegstgeest")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Naar de inhoud"


def test_login_page_has_no_accessibility_violations(page, db):
    page.goto("/inloggen/")
    assert_accessible(page)


def test_login_errors_are_accessible_too(page, oegstgeest_cm):
    page.goto("/inloggen/")
    page.get_by_label("Gebruikersnaam").fill("cm.oegstgeest")
    page.get_by_label("Wachtwoord").fill("fout")
    page.get_by_role("button", name="Inloggen").click()
    assert page.get_by_role("alert").is_visible()
    assert_accessible(page)


def test_dashboard_has_no_accessibility_violations(page, oegstgeest_cm):
    login(page, "cm.oegstgeest")
    assert_accessible(page)


def test_provider_dashboard_has_no_accessibility_violations(page, oegstgeest_cm):
    user_with_role(ProviderFactory(), Role.PROVIDER_STAFF, username="provider.staff")
    login(page, "provider.staff")
    assert page.get_by_role("heading", name="Organisaties").is_visible()
    assert_accessible(page)
