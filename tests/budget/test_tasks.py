"""The budget tasks on a real Celery worker over Redis."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction

from agreements.services.lines import set_line_volumes
from billing.models import Invoice
from billing.services.issuing import issue_drafts
from billing.services.runs import run_billing
from budget.models import BudgetAlert, DeadlineReminder
from budget.services import generate_budget_letters, issue_budget_letter
from budget.tasks import check_budget_overruns_task, send_deadline_reminders_task
from core.periods import Period
from tenants.roles import Role
from tests.factories import user_with_role

from .factories import budget_world

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


def _world_over_budget():
    world = budget_world()
    for letter in generate_budget_letters(year=2026).letters:
        issue_budget_letter(letter=letter, notify=False)
    for period in ("2026-Q1", "2026-Q2", "2026-Q3"):
        run = run_billing(period=Period.parse(period))
        issue_drafts(invoices=Invoice.objects.filter(billing_run=run).select_related("customer"))
    set_line_volumes(
        agreement=world.agreements["alfa"],
        year=2026,
        volumes={world.services["ICT-01"]: Decimal(200)},
        effective_from=date(2026, 10, 1),
    )
    return world


def test_the_overrun_alert_is_sent_once_per_quarter_and_recorded(celery_worker):
    world = _world_over_budget()
    user_with_role(world.alfa, Role.CONTRACT_MANAGER, username="cm.alfa")
    user_with_role(world.alfa, Role.FINANCE, username="fin.alfa")
    assert check_budget_overruns_task.delay(today="2026-11-02").get(timeout=60) == 1
    assert check_budget_overruns_task.delay(today="2026-12-01").get(timeout=60) == 0
    alert = BudgetAlert.objects.get()
    assert (alert.customer_id, alert.quarter, alert.deviation_percent) == (world.alfa.pk, 4, Decimal("20.36"))
    assert alert.recipients == "cm.alfa@example.nl, fin.alfa@example.nl"


def test_issuing_a_letter_mails_the_municipality_after_the_commit(celery_worker, monkeypatch):
    world = budget_world()
    user_with_role(world.alfa, Role.FINANCE, username="fin.alfa")
    letter = next(x for x in generate_budget_letters(year=2026).letters if x.customer == world.alfa)
    sent = []
    from celery import current_app

    task = current_app.tasks["budget.send_budget_letter_issued_mail_task"]
    original = current_app.send_task
    monkeypatch.setattr(
        current_app, "send_task", lambda name, **kw: sent.append(original(name, **kw)) or sent[-1]
    )
    with transaction.atomic():
        issue_budget_letter(letter=letter)
        assert sent == []  # never inside the transaction
    assert sent[0].get(timeout=60) == 1
    assert task.name == "budget.send_budget_letter_issued_mail_task"


def test_the_deadline_reminder_goes_to_provider_staff_once(celery_worker):
    world = budget_world()
    user_with_role(world.provider, Role.PROVIDER_STAFF, username="staff")
    # 1 April 2026: 14 days before the 15 April deadline of the 2027 letters, none issued yet.
    assert send_deadline_reminders_task.delay(today="2026-04-01").get(timeout=60) == 4
    assert send_deadline_reminders_task.delay(today="2026-04-02").get(timeout=60) == 0
    assert DeadlineReminder.objects.filter(year=2027, deadline=date(2026, 4, 15)).count() == 4
    assert send_deadline_reminders_task.delay(today="2026-03-01").get(timeout=60) == 0
