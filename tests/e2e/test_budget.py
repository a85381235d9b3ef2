"""Budget in Chromium: Leiden issues the letters, a contract manager reads, acknowledges, compares and
tries a change; axe-core on every page, and no sideways scrolling at 390 px."""

import os

import pytest

from budget.models import BudgetLetter
from tenants.roles import Role
from tests.budget.factories import budget_world
from tests.factories import user_with_role

from .conftest import assert_accessible, login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("PORTAL_SCREENSHOTS")


def _check(page, name: str) -> None:
    assert_accessible(page)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate(
        "Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > 391)"
        ".slice(0, 5).map(e => e.tagName + '.' + e.className + '#' + e.id)"
    )
    assert width <= 390, f"{page.url} is {width}px wide at 390px: {wide}"


def test_leiden_issues_the_letters_and_a_contract_manager_reads_and_acknowledges(page):
    world = budget_world()
    user_with_role(world.provider, Role.PROVIDER_STAFF, username="staff")
    user_with_role(world.alfa, Role.CONTRACT_MANAGER, username="cm.alfa")
    login(page, "staff")
    page.get_by_role("link", name="Begrotingsbrieven").first.click()
    _check(page, "letters-staff")
    page.get_by_label("Begrotingsjaar").first.fill("2027")
    page.get_by_label("Voorlopige indexatie (%)").fill("3,0")
    page.get_by_role("button", name="Concepten maken").click()
    page.get_by_text("4 concepten voor 2027 klaargezet").wait_for()
    _check(page, "letters-drafts")
    page.get_by_role("button", name="Alle concepten van 2027 verzenden").click()
    page.get_by_text("4 begrotingsbrieven verzonden.").wait_for()
    assert BudgetLetter.objects.filter(year=2027, status="issued").count() == 4
    page.get_by_role("button", name="Uitloggen").click()

    login(page, "cm.alfa")
    assert "Begroting" in page.get_by_test_id("budget-panel").inner_text()
    _check(page, "dashboard-cm")
    page.get_by_role("link", name="Begrotingsbrieven").first.click()
    table = page.get_by_test_id("letters").inner_text()
    assert "Gemeente Alfa" in table and "Gemeente Bravo" not in table
    page.get_by_role("link", name="BB-2027-9001-1").click()
    assert "Voorlopig" in page.get_by_test_id("provisional").inner_text()
    _check(page, "letter-detail")
    page.get_by_role("button", name="Ontvangst bevestigen").click()
    page.get_by_text("U heeft de ontvangst van BB-2027-9001-1 bevestigd.").wait_for()
    assert "cm.alfa" in page.get_by_test_id("acknowledged").inner_text()
    with page.expect_download() as download:
        page.get_by_test_id("pdf-link").click()
    assert download.value.suggested_filename == "begrotingsbrief-BB-2027-9001-1.pdf"

    page.goto("/begroting/")
    _check(page, "realisation")
    page.goto(f"/overeenkomsten/{world.agreements['alfa'].pk}/")
    assert "2026 naast 2025" in page.content()
    _check(page, "agreement")
    page.get_by_test_id("what-if-link").click()
    page.get_by_label("ICT-01 Werkplek (werkplek)").fill("120")
    page.get_by_role("button", name="Effect berekenen").click()
    assert "Wijzigingsverzoek voor ICT-01" in page.get_by_test_id("change-links").inner_text()
    _check(page, "what-if")
    page.get_by_role("link", name="Wijzigingsverzoek voor ICT-01 Werkplek").click()
    assert page.get_by_label("Nieuwe afname per jaar").input_value() == "120"

    page.set_viewport_size({"width": 390, "height": 844})
    letter = BudgetLetter.objects.get(customer=world.alfa, year=2027)
    for path in (
        "/",
        "/begrotingsbrieven/",
        f"/begrotingsbrieven/{letter.pk}/",
        "/begroting/",
        f"/overeenkomsten/{world.agreements['alfa'].pk}/wat-als/",
    ):
        page.goto(path)
        _no_sideways_scroll(page)
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/narrow{path.replace('/', '-')}.png", full_page=True)
