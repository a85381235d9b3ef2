"""Issuing warns about open change requests it would strand; crediting asks which lines."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from agreements.models import ChangeRequest
from billing.models import BillingRun, Invoice
from billing.services.issuing import issue_drafts
from billing.services.runs import run_billing
from tests.agreements.factories import ChangeRequestFactory


@pytest.fixture
def issued(world, q1):
    run = run_billing(period=q1)
    issue_drafts(invoices=run.invoices.all())
    return {invoice.customer.slug: invoice for invoice in Invoice.objects.all()}


@pytest.fixture
def run_with_drafts(world, q1):
    return run_billing(period=q1)


@pytest.fixture
def stranded(world):
    """An open request of Alfa's that takes effect on 1 January 2024, inside 2024-Q1."""
    return ChangeRequestFactory(
        agreement=world.agreements["alfa"],
        service=world.services[0],
        volume=Decimal("12"),
        effective_from=date(2024, 1, 1),
    )


def test_issuing_a_run_lists_the_open_requests_it_would_strand_and_waits(
    client, run_with_drafts, stranded, provider_staff
):
    client.force_login(provider_staff)
    response = client.post(reverse("billing:run_issue", kwargs={"pk": run_with_drafts.pk}))
    page = response.content.decode()
    assert response.status_code == 200
    assert f"Wijzigingsverzoek {stranded.pk}" in page
    assert "Gemeente Alfa" in page
    assert Invoice.objects.filter(status=Invoice.Status.DRAFT).count() == 3


def test_confirming_issues_the_drafts_anyway(client, run_with_drafts, stranded, provider_staff):
    client.force_login(provider_staff)
    response = client.post(reverse("billing:run_issue", kwargs={"pk": run_with_drafts.pk}), {"confirm": "1"})
    assert response.status_code == 302
    assert not Invoice.objects.filter(status=Invoice.Status.DRAFT).exists()
    stranded.refresh_from_db()
    assert stranded.status == ChangeRequest.Status.SUBMITTED


def test_without_open_requests_issuing_needs_no_confirmation(client, run_with_drafts, provider_staff):
    client.force_login(provider_staff)
    response = client.post(reverse("billing:run_issue", kwargs={"pk": run_with_drafts.pk}))
    assert response.status_code == 302
    assert not Invoice.objects.filter(status=Invoice.Status.DRAFT).exists()


def test_run_billing_issue_refuses_without_force_and_names_the_requests(world, stranded):
    with pytest.raises(CommandError, match=rf"{stranded.pk}: Gemeente Alfa, ICT-01") as caught:
        call_command("run_billing", "--period", "2024-Q1", "--issue")
    assert "--force" in str(caught.value)
    assert not BillingRun.objects.exists()
    assert not Invoice.objects.exists()


def test_run_billing_issue_with_force_issues(world, stranded):
    call_command("run_billing", "--period", "2024-Q1", "--issue", "--force")
    assert Invoice.objects.exclude(number="").count() == 3


def test_a_request_after_the_period_does_not_hold_up_issuing(world):
    ChangeRequestFactory(
        agreement=world.agreements["alfa"], service=world.services[0], effective_from=date(2024, 4, 1)
    )
    call_command("run_billing", "--period", "2024-Q1", "--issue")
    assert Invoice.objects.exclude(number="").count() == 3


def test_crediting_with_no_line_ticked_and_not_all_lines_is_a_form_error(client, issued, provider_staff):
    client.force_login(provider_staff)
    original = issued["alfa"]
    response = client.post(
        reverse("billing:invoice_credit", kwargs={"pk": original.pk}), {"reason": "Fout"}, follow=True
    )
    assert "Vink de regels aan die u wilt crediteren" in response.content.decode()
    assert not Invoice.objects.filter(credited_invoice=original).exists()


def test_crediting_all_lines_is_chosen_explicitly(client, issued, provider_staff):
    client.force_login(provider_staff)
    original = issued["alfa"]
    client.post(
        reverse("billing:invoice_credit", kwargs={"pk": original.pk}), {"all_lines": "on", "reason": "Fout"}
    )
    note = Invoice.objects.get(credited_invoice=original)
    assert note.net_total == -original.net_total


def test_lines_and_all_lines_together_are_refused(client, issued, provider_staff):
    client.force_login(provider_staff)
    original = issued["alfa"]
    line = original.lines.first()
    response = client.post(
        reverse("billing:invoice_credit", kwargs={"pk": original.pk}),
        {"lines": [str(line.pk)], "all_lines": "on", "reason": "Fout"},
        follow=True,
    )
    assert "niet allebei" in response.content.decode()
    assert not Invoice.objects.filter(credited_invoice=original).exists()
