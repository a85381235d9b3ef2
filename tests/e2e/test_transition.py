"""Browser journeys of the transition: Leiden's staff read the reconciliation, staff and novation pages."""

from datetime import date

import pytest

from tenants.roles import Role
from tests.factories import user_with_role
from tests.transition.conftest import AGREEMENT_ROWS
from tests.transition.conftest import world as world  # noqa: F401 - the transition's world fixture
from tests.transition.factories import contract_row, staff_row, transition_files
from transition.models import SupplierContract
from transition.services.novation import record_novation
from transition.services.runs import execute_transition

from .conftest import assert_accessible, login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def executed(world):  # noqa: F811
    execute_transition(
        files=transition_files(
            staff_rows=[
                staff_row("SP71-1"),
                staff_row("SP71-2", achternaam="Visser", functie="Bode", schaal="4"),
            ],
            contract_rows=[
                contract_row("C-1"),
                contract_row(
                    "C-2",
                    einddatum="2024-09-30",
                    jaarwaarde="266100,47",
                    omschrijving="Licenties, onderhoud en ondersteuning van de applicaties (voorbeeld)",
                ),
            ],
            agreement_rows=AGREEMENT_ROWS,
        )
    )
    record_novation(
        contract=SupplierContract.objects.get(number="C-2"),
        status="given",
        on=date(2023, 2, 1),
        note="Akkoord van de leverancier per brief van 1 februari 2023",
    )
    return world


def test_provider_staff_reads_the_reconciliation(page, executed):
    user_with_role(executed.leiden, Role.PROVIDER_STAFF, username="provider.staff")
    login(page, "provider.staff")
    page.get_by_role("link", name="Transitie", exact=True).click()
    page.wait_for_url("**/transitie/")
    assert page.get_by_role("heading", name="Transitie Servicepunt71: aansluiting").is_visible()
    assert page.get_by_test_id("verdict").inner_text().strip() == "Alles verantwoord"
    assert page.get_by_role("row", name="Bode").is_visible()
    assert_accessible(page)


def test_provider_staff_finds_an_employee_and_changes_only_the_department(page, executed):
    user_with_role(executed.leiden, Role.PROVIDER_STAFF, username="provider.staff")
    login(page, "provider.staff")
    page.goto("/transitie/medewerkers/?on=2022-12-31")
    assert "Servicepunt71" in page.locator("tbody").inner_text()
    assert_accessible(page)
    page.get_by_role("link", name="SP71-2").click()
    assert page.get_by_test_id("locked-note").is_visible()
    assert_accessible(page)
    page.get_by_role("textbox", name="Afdeling").fill("Facilitair bedrijf")
    page.get_by_role("button", name="Opslaan").click()
    assert page.get_by_role("status").filter(has_text="De afdeling is opgeslagen.").is_visible()


def test_the_novation_page_highlights_pending_contracts(page, executed):
    user_with_role(executed.leiden, Role.PROVIDER_FINANCE, username="provider.finance")
    login(page, "provider.finance")
    page.get_by_role("link", name="Contractovername").first.click()
    page.wait_for_url("**/transitie/contracten/")
    assert page.locator("tr[data-overdue=true]").count() == 1
    assert "Nog geen toestemming na de ingangsdatum" in page.locator("tr[data-overdue=true]").inner_text()
    assert_accessible(page)


def test_amounts_and_dates_on_the_novation_page_stay_on_one_line_at_1280_px(page, executed):
    user_with_role(executed.leiden, Role.PROVIDER_STAFF, username="provider.staff")
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, "provider.staff")
    page.goto("/transitie/contracten/")
    # The number of line boxes each text of an amount or a date is laid out on.
    lines = page.evaluate(
        """() => [...document.querySelectorAll('tbody td')].flatMap(cell => {
            const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
            const texts = [];
            while (walker.nextNode()) {
                const text = walker.currentNode.textContent.trim();
                if (/^(€|\\d{2}-\\d{2}-\\d{4})/.test(text)) {
                    const range = document.createRange();
                    range.selectNodeContents(walker.currentNode);
                    const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
                    texts.push([text, tops.size]);
                }
            }
            return texts;
        })"""
    )
    assert ["€ 266.100,47", 1] in [[text.replace("\xa0", " "), n] for text, n in lines]
    assert [text for text, n in lines if n != 1] == []


def test_a_contract_manager_finds_no_transition_pages(page, executed):
    user_with_role(executed.leiderdorp, Role.CONTRACT_MANAGER, username="cm.leiderdorp")
    login(page, "cm.leiderdorp")
    assert page.get_by_role("link", name="Transitie", exact=True).count() == 0
    response = page.goto("/transitie/")
    assert response.status == 404
