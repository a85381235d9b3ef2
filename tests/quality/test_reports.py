"""The quarterly report: its figures, immutability, the PDF read back as text, and the e-mail."""

import subprocess
from datetime import date, datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from agreements.selectors import year_costs
from billing.services.issuing import issue_drafts
from billing.services.runs import run_billing
from core.pdf import static_file_for
from core.periods import Period
from quality.models import Kpi, QuarterlyReport
from quality.reports import render_report_pdf
from quality.services.breaches import save_breach_note
from quality.services.reports import generate_quarterly_reports, issue_quarterly_report
from tenants.roles import Role
from tests.billing.factories import billing_world
from tests.factories import user_with_role
from tests.quality.factories import measure
from tests.services.factories import ServiceLevelFactory

pytestmark = pytest.mark.django_db
ISSUED = timezone.make_aware(datetime(2024, 4, 2, 6, 0))  # noqa: DTZ001 (made aware in the zone of the settings)


def reported_world():
    world = billing_world()
    ict = world.services[0]
    ServiceLevelFactory(service=ict, year=2024)
    run = run_billing(period=Period.parse("2024-Q1"))
    issue_drafts(invoices=run.invoices.select_related("customer"), issue_date=date(2024, 1, 2))
    measure(world.alfa, ict, Kpi.AVAILABILITY, {"2024-01": "99.00", "2024-02": "99.20", "2024-03": "99.40"})
    measure(world.alfa, ict, Kpi.SATISFACTION, {"2024-01": "7.00", "2024-02": "7.00", "2024-03": "7.00"})
    save_breach_note(
        customer=world.alfa,
        service=ict,
        year=2024,
        quarter=1,
        kpi=Kpi.AVAILABILITY,
        explanation="Storing in het datacenter",
        remedy="Tweede stroomvoorziening",
    )
    return world


def test_a_report_states_costs_volumes_scorecard_and_dates():
    world = reported_world()
    report, created = issue_quarterly_report(customer=world.alfa, period=Period(2024, quarter=1), now=ISSUED)
    assert created
    figures = report.figures
    # 10 x 1234.50 / 4 + 10 x 99.99 / 4 (249.975 -> 249.98) + 10 x 250 / 4, each line rounded
    assert figures["costs"]["invoiced_quarter"] == "3961.23"
    assert figures["costs"]["invoiced_year_to_date"] == "3961.23"
    # the one yearly cost (agreements.selectors.year_costs): four quarters billed the same way
    yearly = year_costs(agreement=world.agreements["alfa"], year=2024).total
    assert figures["costs"]["yearly_total"] == f"{yearly:.2f}" == "15844.92"
    assert figures["costs"]["year_to_date_percent"] == "25"
    assert {v["service"]: v["volume"] for v in figures["volumes"]} == {
        "ICT-01": "10",
        "HRM-01": "10",
        "FIN-00": "10",
    }
    rows = {(r["kpi"]): r for r in figures["scorecard"]}
    assert rows["beschikbaarheid"]["value"] == "99.2"
    assert rows["beschikbaarheid"]["verdict"] == "not_met"
    assert rows["beschikbaarheid"]["explanation"] == "Storing in het datacenter"
    assert rows["tevredenheid"]["verdict"] == "met"  # exactly the norm
    assert figures["calendar"]["notice_deadline"]
    assert "Storing in het datacenter" in report.html
    assert "niet gehaald" in report.html


def test_an_issued_report_never_changes():
    world = reported_world()
    report, _created = issue_quarterly_report(customer=world.alfa, period=Period(2024, quarter=1), now=ISSUED)
    again, created = issue_quarterly_report(customer=world.alfa, period=Period(2024, quarter=1))
    assert not created
    assert again.pk == report.pk
    assert again.html == report.html
    report.html = "anders"
    with pytest.raises(ValidationError):
        report.save()
    with pytest.raises(ValidationError):
        report.delete()


def test_a_quarter_that_has_not_ended_gets_no_report():
    world = reported_world()
    current = Period.containing(timezone.localdate())
    with pytest.raises(ValidationError, match="nog niet voorbij"):
        issue_quarterly_report(customer=world.alfa, period=current)


def test_the_pdf_reads_back_as_the_report(tmp_path):
    world = reported_world()
    report, _created = issue_quarterly_report(customer=world.alfa, period=Period(2024, quarter=1), now=ISSUED)
    pdf = render_report_pdf(report)
    assert pdf.startswith(b"%PDF")
    path = tmp_path / "rapport.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    for expected in (
        "Kwartaalrapportage 2024-Q1 – Gemeente Alfa",
        "€ 3.961,23",
        "€ 15.844,92",
        "Storing in het datacenter",
        "niet gehaald",
        "Uiterste opzegdatum",
    ):
        assert expected in text, expected


def test_the_pdf_fetches_only_the_projects_static_files():
    body, mime_type = static_file_for("file:///static/favicon.svg")
    assert body.startswith(b"<svg")
    assert mime_type == "image/svg+xml"
    for url in ("https://example.org/logo.png", "file:///etc/passwd", "/static/../config/settings.py"):
        with pytest.raises(ValueError):  # noqa: PT011 (the fetcher refuses every such URL alike)
            static_file_for(url)


def test_generating_a_quarter_makes_one_report_per_customer_once():
    world = reported_world()
    created = generate_quarterly_reports(period=Period(2024, quarter=1), notify=False)
    assert len(created) == 3
    assert generate_quarterly_reports(period=Period(2024, quarter=1), notify=False) == []
    assert QuarterlyReport.objects.filter(customer=world.bravo).count() == 1


def test_the_contract_managers_are_mailed_after_the_commit(django_capture_on_commit_callbacks):
    import quality.tasks  # noqa: F401 - registers the task by name, as the worker's autodiscovery does
    from config.celery import app

    app.conf.task_always_eager = True
    try:
        world = reported_world()
        user_with_role(world.alfa, Role.CONTRACT_MANAGER, username="cm.alfa")
        user_with_role(world.alfa, Role.COUNCIL_READER, username="raad.alfa")
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            issue_quarterly_report(customer=world.alfa, period=Period(2024, quarter=1), now=ISSUED)
        assert mail.outbox == []  # nothing inside the transaction
        for callback in callbacks:
            callback()
    finally:
        app.conf.task_always_eager = False
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["cm.alfa@example.nl"]
    assert "Kwartaalrapportage 2024-Q1" in mail.outbox[0].subject
