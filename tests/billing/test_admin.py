import pytest
from django.urls import reverse

from billing.models import BillingRun, Invoice
from billing.services.issuing import issue_drafts
from billing.services.runs import run_billing

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, provider_staff):
    client.force_login(provider_staff)
    return client


def test_the_admin_lists_runs_with_their_progress(staff_client, world, q1):
    run_billing(period=q1)
    body = staff_client.get(reverse("admin:billing_billingrun_changelist")).content.decode()
    assert "<progress" in body
    assert "2024-Q1" in body


def test_an_issued_invoice_opens_read_only_in_the_admin(staff_client, world, q1):
    run = run_billing(period=q1)
    issue_drafts(invoices=run.invoices.select_related("customer"))
    invoice = Invoice.objects.get(customer=world.alfa)
    response = staff_client.get(reverse("admin:billing_invoice_change", args=[invoice.pk]))
    assert response.status_code == 200
    assert 'name="net_total"' not in response.content.decode()


def test_issuing_drafts_from_the_admin_assigns_numbers(staff_client, world, q1):
    run_billing(period=q1)
    staff_client.post(
        reverse("admin:billing_invoice_changelist"),
        {"action": "issue_selected", "_selected_action": list(Invoice.objects.values_list("pk", flat=True))},
    )
    assert not Invoice.objects.filter(number=None).exists()


def test_a_run_added_in_the_admin_is_queued_for_the_worker(
    staff_client, world, monkeypatch, django_capture_on_commit_callbacks
):
    from config.celery import app

    sent = []
    monkeypatch.setattr(app, "send_task", lambda name, kwargs=None, **options: sent.append(kwargs))
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(reverse("admin:billing_billingrun_add"), {"period": "2024-Q1"})
    assert response.status_code == 302
    run = BillingRun.objects.get()
    assert sent == [{"run_id": run.pk}]
    assert run.status == BillingRun.Status.PENDING
