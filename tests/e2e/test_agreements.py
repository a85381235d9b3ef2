"""Browser journeys of the agreements app: a change request from submission to changed lines."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from agreements.models import Agreement, AgreementLine, ChangeRequest
from agreements.services.agreements import create_agreement
from agreements.services.lines import set_line_volumes
from tenants.roles import Role
from tests.factories import OrganisationFactory, ProviderFactory, user_with_role
from tests.services.factories import ServiceFactory, TariffFactory

from .conftest import assert_accessible, login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def oegstgeest():
    """Oegstgeest's agreement with lines this year and next, its contract manager and Leiden's staff."""
    provider = ProviderFactory()
    org = OrganisationFactory(name="Gemeente Oegstgeest", slug="oegstgeest", cbs_code="0579")
    OrganisationFactory(name="Gemeente Leiderdorp", slug="leiderdorp", cbs_code="0547")
    user_with_role(org, Role.CONTRACT_MANAGER, username="cm.oegstgeest")
    user_with_role(provider, Role.PROVIDER_STAFF, username="provider.staff")
    basic = ServiceFactory(code="ICT-01", name="Werkplekbeheer", is_basic=True, unit="werkplek")
    optional = ServiceFactory(code="HRM-03", name="Opleidingen", unit="deelnemer")
    year = timezone.localdate().year
    for y in (year, year + 1, year + 2):
        TariffFactory(service=basic, year=y, unit_price=Decimal("1450.00"))
        TariffFactory(service=optional, year=y, unit_price=Decimal("210.00"))
    agreement = create_agreement(
        customer=org, provider=provider, start_date=date(2023, 1, 1), status=Agreement.Status.ACTIVE
    )
    for y in (year, year + 1):
        set_line_volumes(
            agreement=agreement, year=y, volumes={basic: Decimal("180"), optional: Decimal("20")}
        )
    return agreement


def test_change_request_from_submission_to_changed_lines_and_history(page, oegstgeest):
    agreement = oegstgeest
    next_year = timezone.localdate().year + 1

    # The contract manager finds the agreement, with costs, and asks for more training places.
    login(page, "cm.oegstgeest")
    page.get_by_role("link", name="Mijn overeenkomst").click()
    page.wait_for_url(f"**/overeenkomsten/{agreement.pk}/")
    assert page.get_by_role("heading", name=f"Overeenkomst {agreement.number}").is_visible()
    page.goto(f"/overeenkomsten/{agreement.pk}/?jaar={next_year}")
    assert page.get_by_test_id(f"total-{next_year}").inner_text() == "€ 265.200,00"
    assert_accessible(page)
    page.get_by_role("link", name="Wijziging aanvragen").click()

    # A form without a service or date answers in Dutch, next to the fields and in a summary.
    page.get_by_role("button", name="Volgende: controleren").click()
    assert page.get_by_role("alert").is_visible()
    assert "Vul dit veld in." in page.content()
    assert_accessible(page)

    page.get_by_label("Wat wilt u wijzigen?").select_option("change_volume")
    page.get_by_label("Dienst", exact=True).select_option(label="HRM-03 Opleidingen (deelnemer)")
    # "2.5" could be two and a half or 2.500: the form asks how it is meant.
    page.get_by_label("Nieuwe afname per jaar").fill("2.5")
    page.get_by_label("Ingangsdatum").fill(f"{next_year}-01-01")
    page.get_by_label("Toelichting").fill("Meer deelnemers aan het leiderschapsprogramma")
    page.get_by_role("button", name="Volgende: controleren").click()
    assert "'2.5' is niet eenduidig" in page.get_by_role("alert").inner_text()
    page.get_by_label("Nieuwe afname per jaar").fill("25")
    page.get_by_role("button", name="Volgende: controleren").click()

    # The confirmation step: was 20, becomes 25, 5 x 210.00 more a year; Wijzigen goes back.
    assert page.get_by_role("heading", name="Wijziging controleren").is_visible()
    assert page.get_by_test_id("effect-current").inner_text() == "20 deelnemer"
    assert page.get_by_test_id("effect-new").inner_text() == "25 deelnemer"
    assert "+€ 1.050,00" in page.get_by_test_id("effect-year").inner_text()
    assert not ChangeRequest.objects.exists()
    assert_accessible(page)
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.get_by_role("button", name="Bevestigen").is_visible()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="Wijzigen").click()
    assert page.get_by_label("Nieuwe afname per jaar").input_value() == "25"
    page.get_by_role("button", name="Volgende: controleren").click()
    page.get_by_role("button", name="Bevestigen").click()
    page.wait_for_url("**/wijzigingsverzoeken/*/")
    request = ChangeRequest.objects.get()
    assert "Uw wijzigingsverzoek is ingediend" in page.content()
    assert_accessible(page)
    page.get_by_role("link", name="Wijzigingsverzoeken").click()
    assert "Ingediend" in page.get_by_test_id("change-requests").inner_text()
    page.get_by_role("button", name="Uitloggen").click()

    # Leiden's staff approve it from the queue.
    login(page, "provider.staff")
    page.get_by_role("link", name="Wachtrij verzoeken").click()
    assert f"Verzoek {request.pk} van Gemeente Oegstgeest" in page.content()
    assert page.get_by_test_id("effect-current").inner_text() == "20 deelnemer"
    assert "Ingediend door" in page.get_by_test_id("queue-submitted").inner_text()
    assert_accessible(page)
    page.get_by_label(f"Motivering bij verzoek {request.pk}").fill("Past binnen de capaciteit")
    page.get_by_role("button", name="Goedkeuren").click()
    page.wait_for_selector("text=is goedgekeurd")
    assert "Er zijn geen open verzoeken." in page.content()

    # The lines changed from next year on, and the history names the request.
    assert AgreementLine.objects.get(agreement=agreement, service__code="HRM-03", year=next_year).volume == 25
    page.goto(f"/overeenkomsten/{agreement.pk}/?jaar={next_year}")
    row = page.get_by_test_id(f"lines-{next_year}").locator("tr[data-service='HRM-03']")
    assert row.get_by_test_id("volume").inner_text() == "25"
    page.get_by_role("link", name="Historie van de regels").click()
    history = page.get_by_test_id("line-history").inner_text()
    assert f"Wijzigingsverzoek {request.pk}" in history
    assert "provider.staff" in history
    assert_accessible(page)


def test_provider_pages_are_accessible(page, oegstgeest):
    login(page, "provider.staff")
    for path in ("/overeenkomsten/", "/wijzigingsverzoeken/", f"/overeenkomsten/{oegstgeest.pk}/"):
        page.goto(path)
        assert_accessible(page)
