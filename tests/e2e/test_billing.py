"""Billing in Chromium: a contract manager finds and downloads its own invoice; Leiden bills a period."""

import pytest

from billing.models import Invoice
from billing.services.issuing import issue_drafts
from billing.services.runs import run_billing
from core.periods import Period
from tenants.roles import Role
from tests.billing.factories import billing_world
from tests.factories import user_with_role

from .conftest import assert_accessible, login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_contract_manager_finds_and_downloads_its_own_invoice(page):
    world = billing_world()
    run = run_billing(period=Period.parse("2024-Q1"))
    issue_drafts(invoices=run.invoices.select_related("customer"))
    own = Invoice.objects.get(customer=world.alfa)
    other = Invoice.objects.get(customer=world.bravo)
    user_with_role(world.alfa, Role.CONTRACT_MANAGER, username="cm.alfa")
    login(page, "cm.alfa")
    assert_accessible(page)
    page.get_by_role("link", name="Facturen").first.click()
    table = page.get_by_test_id("invoices")
    assert own.number in table.inner_text()
    assert other.number not in table.inner_text()
    assert_accessible(page)
    page.get_by_role("link", name=own.number).click()
    assert "€ 3.086,25" in page.get_by_test_id("invoice-lines").inner_text()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_test_id("pdf-link").click()
    assert download.value.suggested_filename == f"factuur-{own.number}.pdf"


def test_leidens_staff_bill_a_period_and_issue_the_drafts(page, celery_worker):
    world = billing_world()
    user_with_role(world.provider, Role.PROVIDER_STAFF, username="staff")
    login(page, "staff")
    page.goto("/facturatie/")
    assert_accessible(page)
    page.get_by_label("Periode").fill("2024-Q5")
    page.get_by_role("button", name="Start de run").click()
    assert "is geen periode" in page.locator("#error-summary").inner_text()
    assert_accessible(page)
    page.get_by_label("Periode").fill("2024-Q1")
    page.get_by_role("button", name="Start de run").click()
    page.get_by_text("3 van 3 afnemers verwerkt").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="3 concepten verzenden").click()
    page.get_by_text("3 facturen verzonden.").wait_for()
    assert not Invoice.objects.filter(status=Invoice.Status.DRAFT).exists()
    page.goto("/prijsgelijkheid/?year=2024")
    assert "Gelijk" in page.get_by_test_id("verdict").inner_text()
    assert_accessible(page)


def test_a_stuck_run_shows_why_and_staff_start_it_again(page, tmp_path):
    from datetime import timedelta

    from django.utils import timezone

    from billing.models import BillingRun

    world = billing_world()
    old = timezone.now() - timedelta(hours=2)
    stuck = BillingRun.objects.create(
        period="2024-Q1", status=BillingRun.Status.RUNNING, started_at=old, heartbeat_at=old
    )
    user_with_role(world.provider, Role.PROVIDER_STAFF, username="provider.staff")
    login(page, "provider.staff")
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"/facturatie/{stuck.pk}/")
        assert "Vastgelopen" in page.get_by_test_id("run-stuck").inner_text()
        assert_accessible(page)
        page.screenshot(path=str(tmp_path / f"stuck-run-{width}.png"), full_page=True)
    page.get_by_test_id("run-retry").click()
    page.wait_for_url(lambda url: f"/facturatie/{stuck.pk}/" not in url)
    stuck.refresh_from_db()
    assert stuck.status == BillingRun.Status.FAILED
    assert "Onderbroken" in stuck.message
    page.goto(f"/facturatie/{stuck.pk}/")
    assert "Onderbroken" in page.get_by_test_id("run-message").inner_text()
    assert_accessible(page)
    page.screenshot(path=str(tmp_path / "failed-run.png"), full_page=True)
