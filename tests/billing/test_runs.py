from decimal import Decimal

import pytest

from billing.models import BillingRun, Invoice, InvoiceLine
from billing.services.issuing import issue_drafts
from billing.services.runs import run_billing
from core.periods import Period

pytestmark = pytest.mark.django_db


def test_a_run_makes_one_draft_invoice_per_customer_with_an_active_agreement(world, q1):
    run = run_billing(period=q1)
    assert run.status == BillingRun.Status.DONE
    invoices = Invoice.objects.filter(period="2024-Q1")
    assert sorted(i.customer.slug for i in invoices) == ["alfa", "bravo", "leiden"]
    assert {i.status for i in invoices} == {Invoice.Status.DRAFT}
    assert run.invoices_created == 3
    assert run.progress_done == run.progress_total == 3


def test_second_billing_run_for_the_same_period_creates_nothing(world, q1):
    run_billing(period=q1)
    second = run_billing(period=q1)
    assert second.status == BillingRun.Status.DONE
    assert second.invoices_created == 0
    assert Invoice.objects.filter(period="2024-Q1").count() == 3
    assert "concept aanwezig" in second.message
    issue_drafts(invoices=Invoice.objects.filter(period="2024-Q1").select_related("customer"))
    third = run_billing(period=q1)
    assert third.invoices_created == 0
    assert "al gefactureerd" in third.message


def test_a_month_overlapping_a_billed_quarter_is_not_billed_again(world, q1):
    run_billing(period=q1)
    run = run_billing(period=Period.parse("2024-02"))
    assert run.invoices_created == 0
    assert Invoice.objects.count() == 3


def test_line_amount_is_volume_times_tariff_times_period_fraction_rounded_half_up(world, q1):
    # Alfa takes 10 of each: 10 x 1234.50 / 4 = 3086.25; 10 x 99.99 / 4 = 249.975 -> 249.98 (half up).
    run_billing(period=q1)
    lines = InvoiceLine.objects.filter(invoice__customer=world.alfa).select_related("service")
    amounts = {line.service.code: line.net_amount for line in lines}
    assert amounts["ICT-01"] == Decimal("3086.25")
    assert amounts["HRM-01"] == Decimal("249.98")


def test_a_half_cent_rounds_up_per_line_not_on_the_total(world, q1):
    # Bravo takes 3 x 99.99 / 4 = 74.9925 -> 74.99 and Leiden 100 x 99.99 / 4 = 2499.75 exactly.
    run_billing(period=q1)
    line = InvoiceLine.objects.get(invoice__customer=world.bravo, service__code="HRM-01")
    assert line.net_amount == Decimal("74.99")


def test_vat_is_computed_per_category_on_the_totals(world, q1):
    run_billing(period=q1)
    invoice = Invoice.objects.get(customer=world.alfa)
    # 21% on the standard-rated lines (3086.25 + 625.00), none on the exempt salary administration.
    assert invoice.vat_total == Decimal("779.36")
    assert invoice.net_total == Decimal("3086.25") + Decimal("249.98") + Decimal("625.00")
    assert invoice.gross_total == invoice.net_total + invoice.vat_total


def test_leidens_own_invoice_is_internal_with_the_same_prices_and_no_vat(world, q1):
    run_billing(period=q1)
    own = Invoice.objects.get(customer=world.provider)
    alfa = Invoice.objects.get(customer=world.alfa)
    assert own.kind == Invoice.Kind.INTERNAL
    assert own.is_internal
    assert own.vat_total == Decimal("0.00")
    assert {(line.service_id, line.unit_price) for line in own.lines.all()} == {
        (line.service_id, line.unit_price) for line in alfa.lines.all()
    }


def test_billing_2024_q1_twice_gives_one_invoice_per_customer_numbered_without_gaps(world, q1):
    run_billing(period=q1, issue=True)
    run_billing(period=q1, issue=True)
    invoices = Invoice.objects.filter(period="2024-Q1")
    external = sorted(i.number for i in invoices if not i.is_internal)
    internal = [i.number for i in invoices if i.is_internal]
    assert len(invoices) == 3
    year = external[0][:4]
    assert external == [f"{year}-00001", f"{year}-00002"]
    assert internal == [f"INT-{year}-00001"]


def test_a_run_stops_when_a_service_has_no_tariff_for_the_year(world, q1):
    world.tariffs["HRM-01"].delete()
    run = run_billing(period=q1)
    assert run.status == BillingRun.Status.FAILED
    assert "HRM-01" in run.message
    assert not Invoice.objects.exists()


def test_a_dry_run_writes_no_invoice_and_says_what_it_would_bill(world, q1):
    run = run_billing(period=q1, dry_run=True)
    assert run.status == BillingRun.Status.DONE
    assert not Invoice.objects.exists()
    assert "Gemeente Alfa" in run.message
    assert "€" in run.message


def test_issuing_records_the_billed_period_on_the_agreement(world, q1):
    run = run_billing(period=q1)
    issue_drafts(invoices=run.invoices.select_related("customer"))
    world.agreements["alfa"].refresh_from_db()
    assert str(world.agreements["alfa"].billed_until) == "2024-03-31"


def test_a_run_warns_about_an_earlier_period_of_the_year_that_is_not_billed(world):
    run = run_billing(period=Period.parse("2024-Q2"))
    assert "Gemeente Alfa is voor 2024-Q1 nog niet gefactureerd" in run.message


def test_the_first_working_day_skips_weekends_and_dutch_holidays():
    from datetime import date

    from billing.workdays import first_working_day

    assert first_working_day(Period.parse("2024-Q2")) == date(2024, 4, 2)  # after Easter Monday
    assert first_working_day(Period.parse("2025-Q1")) == date(2025, 1, 2)
    assert first_working_day(Period.parse("2026-02")) == date(2026, 2, 2)  # 1 February is a Sunday


def test_a_run_delivered_again_while_running_continues_it_and_bills_each_customer_once(world):
    from datetime import timedelta

    from django.utils import timezone

    from billing.services.runs import carry_out_billing_run

    started = timezone.now() - timedelta(minutes=5)
    run = BillingRun.objects.create(period="2024-Q1", status=BillingRun.Status.RUNNING, started_at=started)
    assert carry_out_billing_run(run_id=run.pk) == BillingRun.Status.DONE
    run.refresh_from_db()
    run.status = BillingRun.Status.RUNNING  # as if the message came back once more
    run.save()
    assert carry_out_billing_run(run_id=run.pk) == BillingRun.Status.DONE
    run.refresh_from_db()
    assert Invoice.objects.filter(period="2024-Q1").count() == 3
    assert run.invoices_created == 3
    assert run.started_at == started
