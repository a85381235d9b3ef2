from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from billing.models import BillingRun, Invoice, InvoiceLine
from billing.selectors import price_equality
from billing.services.runs import run_billing
from core.periods import Period

pytestmark = pytest.mark.django_db


def test_every_customer_pays_the_tariff_for_every_service(world, q1):
    run_billing(period=q1)
    report = price_equality(2024)
    assert report.is_equal
    workstation = next(row for row in report.rows if row.service.code == "ICT-01")
    assert workstation.tariff == Decimal("1234.50")
    assert workstation.prices == {
        name: [Decimal("1234.50")] for name in ("Gemeente Alfa", "Gemeente Bravo", "Gemeente Leiden")
    }


def test_the_report_command_succeeds_when_prices_are_equal(world, q1, capsys):
    run_billing(period=q1)
    call_command("price_equality_report", "--year", "2024")
    assert "every customer paid the tariff" in capsys.readouterr().out


def _force_a_different_price(world):
    InvoiceLine.objects.filter(invoice__customer=world.bravo, service__code="ICT-01").update(
        unit_price=Decimal("1200.00")
    )


def test_a_price_forced_to_differ_fails_the_report(world, q1):
    run_billing(period=q1)
    _force_a_different_price(world)
    report = price_equality(2024)
    assert not report.is_equal
    assert [(row.service.code, row.deviations) for row in report.deviations] == [
        ("ICT-01", ["Gemeente Bravo"])
    ]
    with pytest.raises(CommandError, match="ICT-01"):
        call_command("price_equality_report", "--year", "2024")


def test_a_run_stops_before_billing_when_prices_deviate(world, q1):
    run_billing(period=q1)
    _force_a_different_price(world)
    run = run_billing(period=Period.parse("2024-Q2"))
    assert run.status == BillingRun.Status.FAILED
    assert "Prijsgelijkheid" in run.message
    assert "ICT-01" in run.message
    assert not Invoice.objects.filter(period="2024-Q2").exists()


def test_the_run_command_exits_non_zero_when_a_run_fails(world, q1):
    run_billing(period=q1)
    _force_a_different_price(world)
    with pytest.raises(CommandError):
        call_command("run_billing", "--period", "2024-Q2")


def test_the_run_command_bills_and_issues(world, capsys):
    call_command("run_billing", "--period", "2024-03", "--issue")
    assert Invoice.objects.filter(period="2024-03").exclude(number=None).count() == 3
    assert "created 3 invoice(s)" in capsys.readouterr().out
