"""Service quality in Chromium: a contract manager reads the scorecard and a service's trend, a council
reader reads its report, anyone reads the open register; axe-core on each page, 390 px without
sideways scroll."""

import pytest

from core.periods import Period
from quality.models import Kpi
from quality.services.reports import issue_quarterly_report
from tenants.roles import Role
from tests.factories import user_with_role
from tests.quality.factories import measure
from tests.quality.test_reports import ISSUED, reported_world

from .conftest import assert_accessible, login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _no_sideways_scroll(page):
    page.set_viewport_size({"width": 390, "height": 800})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{page.url} is {width} px wide at 390 px"
    page.set_viewport_size({"width": 1280, "height": 800})


def test_a_contract_manager_follows_the_quality_of_its_services(page):
    world = reported_world()
    measure(world.alfa, world.services[0], Kpi.RESPONSE, {"2024-01": "95.00"})
    user_with_role(world.alfa, Role.CONTRACT_MANAGER, username="cm.alfa")
    login(page, "cm.alfa")
    page.get_by_role("link", name="Dienstverlening").first.click()
    page.get_by_label("Jaar").select_option("2024")
    page.get_by_label("Kwartaal").select_option("1")
    page.get_by_role("button", name="Tonen").click()
    table = page.get_by_test_id("scorecard")
    assert "niet gehaald" in table.inner_text()
    assert "99,20 %" in table.inner_text()
    assert "Storing in het datacenter" in page.get_by_test_id("breaches").inner_text()
    assert_accessible(page)
    _no_sideways_scroll(page)
    page.get_by_role("link", name="ICT-01").click()
    assert "januari: 99,00 %" in page.locator("svg desc").first.text_content()
    assert_accessible(page)
    _no_sideways_scroll(page)


def test_a_council_reader_reads_its_report_and_the_open_register(page):
    world = reported_world()
    report, _created = issue_quarterly_report(customer=world.alfa, period=Period(2024, quarter=1), now=ISSUED)
    user_with_role(world.alfa, Role.COUNCIL_READER, username="raad.alfa")
    login(page, "raad.alfa")
    assert_accessible(page)
    page.get_by_role("link", name="Kwartaalrapportages").first.click()
    assert_accessible(page)
    _no_sideways_scroll(page)
    page.get_by_role("link", name="Kwartaalrapportage 2024-Q1").first.click()
    assert "€ 3.961,23" in page.get_by_test_id("report-costs").inner_text()
    assert_accessible(page)
    _no_sideways_scroll(page)
    with page.expect_download() as download:
        page.get_by_test_id("report-pdf").click()
    assert download.value.suggested_filename == "kwartaalrapportage-alfa-2024-Q1.pdf"
    assert page.goto("/facturen/").status == 404
    page.goto("/open/tarieven/?jaar=2024")
    assert "ja, gelijk" in page.get_by_test_id("register-years").inner_text()
    assert_accessible(page)
    _no_sideways_scroll(page)


def test_leidens_staff_explain_a_breach(page):
    world = reported_world()
    measure(world.bravo, world.services[0], Kpi.AVAILABILITY, {"2024-01": "90.00"})
    user_with_role(world.provider, Role.PROVIDER_STAFF, username="staff")
    login(page, "staff")
    page.goto("/kwaliteit/?jaar=2024&kwartaal=1")
    assert_accessible(page)
    _no_sideways_scroll(page)
    page.get_by_role("link", name="Toelichting schrijven").first.click()
    page.get_by_label("Toelichting").fill("Netwerkstoring bij de leverancier")
    page.get_by_role("button", name="Opslaan").click()
    page.get_by_text("De toelichting is opgeslagen.").wait_for()
    assert "Netwerkstoring bij de leverancier" in page.get_by_test_id("breaches").inner_text()
    page.goto("/kwaliteit/metingen/")
    assert_accessible(page)
    _no_sideways_scroll(page)
