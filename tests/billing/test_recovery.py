"""Runs always end: any failure is recorded, a stale run is recovered, a re-run finishes the job once."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError
from django.utils import timezone

from billing.models import BillingRun, Invoice
from billing.services import runs as runs_service
from billing.services.recovery import recover_stale_runs, retry_billing_run
from billing.services.runs import run_billing
from core.periods import Period
from tenants.roles import Role
from tests.factories import user_with_role

from .factories import billing_world

LOST = OperationalError("server closed the connection unexpectedly")


def _fail_on_second_customer(monkeypatch, error=LOST):
    real = runs_service._bill_customer
    calls = []

    def flaky(plan, period, run, by):
        calls.append(plan.customer.name)
        if len(calls) == 2:
            raise error
        return real(plan, period, run, by)

    monkeypatch.setattr(runs_service, "_bill_customer", flaky)


@pytest.mark.django_db(transaction=True)
def test_a_lost_connection_marks_the_run_failed_with_its_reason_and_a_retry_finishes_the_period_once(
    monkeypatch,
):
    billing_world()
    _fail_on_second_customer(monkeypatch)
    with pytest.raises(OperationalError):
        run_billing(period=Period.parse("2024-Q1"))
    run = BillingRun.objects.get()
    assert run.status == BillingRun.Status.FAILED
    assert "server closed the connection unexpectedly" in run.message
    assert run.finished_at is not None
    assert Invoice.objects.count() == 1  # the first customer's draft stays, nothing half-written
    monkeypatch.undo()
    staff = user_with_role(
        Invoice.objects.get().customer.__class__.objects.get(kind="provider"), Role.PROVIDER_STAFF
    )
    again = retry_billing_run(run=run, by=staff)
    again = run_billing(period=Period.parse(again.period), run=again)
    assert again.status == BillingRun.Status.DONE
    assert Invoice.objects.filter(period="2024-Q1").count() == 3
    assert again.invoices_created == 2


@pytest.mark.django_db(transaction=True)
def test_a_soft_time_limit_is_recorded_as_failed(monkeypatch):
    from celery.exceptions import SoftTimeLimitExceeded

    billing_world()
    _fail_on_second_customer(monkeypatch, SoftTimeLimitExceeded())
    with pytest.raises(SoftTimeLimitExceeded):
        run_billing(period=Period.parse("2024-Q1"))
    run = BillingRun.objects.get()
    assert run.status == BillingRun.Status.FAILED
    assert "tijdslimiet" in run.message


@pytest.mark.django_db
def test_a_stale_run_is_marked_interrupted_and_its_period_started_again():
    billing_world()
    old = timezone.now() - timedelta(hours=2)
    stuck = BillingRun.objects.create(
        period="2024-Q1", status=BillingRun.Status.RUNNING, started_at=old, heartbeat_at=old
    )
    fresh = BillingRun.objects.create(
        period="2024-Q2",
        status=BillingRun.Status.RUNNING,
        started_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )
    recovered = recover_stale_runs()
    assert [item.run.pk for item in recovered] == [stuck.pk]
    stuck.refresh_from_db()
    fresh.refresh_from_db()
    assert stuck.status == BillingRun.Status.FAILED
    assert "Onderbroken" in stuck.message
    assert fresh.status == BillingRun.Status.RUNNING
    assert recovered[0].restarted.period == "2024-Q1"
    assert recovered[0].restarted.status == BillingRun.Status.PENDING
    assert recover_stale_runs() == []  # the fresh run is not stale


@pytest.mark.django_db
def test_recover_runs_command_reports_what_it_recovered(capsys):
    old = timezone.now() - timedelta(hours=2)
    BillingRun.objects.create(period="2024-Q1", status=BillingRun.Status.PENDING, is_dry_run=True)
    BillingRun.objects.filter().update(created_at=old)
    call_command("recover_runs")
    out = capsys.readouterr().out
    assert "interrupted" in out
    assert "restarted" not in out
    with pytest.raises(CommandError, match="zero or more"):
        call_command("recover_runs", "--stale-minutes", "-1")


@pytest.mark.django_db
def test_run_billing_issue_issues_every_draft_of_the_period_whichever_run_made_it(capsys):
    world = billing_world()
    first = run_billing(period=Period.parse("2024-Q1"))
    assert first.invoices_created == 3
    assert "3 concepten van 2024-Q1 wachten op verzenden" in first.message
    call_command("run_billing", "--period", "2024-Q1", "--issue")
    assert not Invoice.objects.filter(status=Invoice.Status.DRAFT).exists()
    numbers = sorted(Invoice.objects.values_list("number", flat=True), key=str)
    assert len([n for n in numbers if n]) == 3
    assert world  # the world's customers are all billed once
    assert Invoice.objects.filter(period="2024-Q1").count() == 3


@pytest.mark.django_db
def test_run_billing_issue_fails_when_drafts_stay_and_says_why(monkeypatch, capsys):
    from django.core.exceptions import ValidationError

    from billing.services import issuing

    billing_world()
    run_billing(period=Period.parse("2024-Q1"))
    real = issuing.issue_invoice

    def refuse_alfa(*, invoice, by=None, issue_date=None):
        if invoice.customer.name == "Gemeente Alfa":
            raise ValidationError("Alfa heeft geen factuuradres.")
        return real(invoice=invoice, by=by, issue_date=issue_date)

    monkeypatch.setattr(issuing, "issue_invoice", refuse_alfa)
    with pytest.raises(CommandError, match="1 draft"):
        call_command("run_billing", "--period", "2024-Q1", "--issue")
    out = capsys.readouterr().out
    assert "1 concept niet verzonden" in out
    assert "Gemeente Alfa: Alfa heeft geen factuuradres." in out


@pytest.mark.django_db
@pytest.mark.parametrize("year", ["40000", "-5", "0"])
def test_year_arguments_outside_the_range_are_a_clear_error(year, tmp_path):
    path = tmp_path / "afname.csv"
    path.write_text("gemeente;dienstcode;volume\nAlfa;ICT-01;1\n")
    with pytest.raises(CommandError, match="a year from 2000 to 2100"):
        call_command("import_realised_volumes", str(path), f"--year={year}")
    with pytest.raises(CommandError, match="a year from 2000 to 2100"):
        call_command("settle_year", "--", year)
