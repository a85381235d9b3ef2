from datetime import date

import pytest
from django.core import mail

from agreements.calendar import agreement_calendar
from agreements.models import Agreement, NoticeReminder
from agreements.services.notifications import send_notice_reminders
from agreements.tasks import send_notice_reminders_task
from tenants.roles import Role
from tests.factories import user_with_role

from .factories import AgreementFactory


def calendar(today, **fields):
    return agreement_calendar(Agreement(start_date=date(2023, 1, 1), **fields), today=today)


def test_the_transition_phase_ends_after_the_first_two_years():
    assert calendar(date(2023, 6, 1)).transition_phase_end == date(2024, 12, 31)


def test_during_the_transition_phase_notice_is_due_six_months_before_its_end():
    dates = calendar(date(2023, 6, 1))
    assert dates.next_renewal == date(2025, 1, 1)
    assert dates.notice_deadline == date(2024, 6, 30)
    assert dates.notice_ends_term_on == date(2024, 12, 31)


def test_after_the_deadline_the_next_term_counts():
    dates = calendar(date(2026, 11, 24))
    assert dates.next_renewal == date(2027, 1, 1)
    assert dates.notice_deadline == date(2027, 6, 30)
    assert dates.notice_ends_term_on == date(2027, 12, 31)


def test_notice_period_and_renewal_follow_the_agreement():
    dates = calendar(date(2025, 2, 1), notice_period_months=3, renewal_months=24)
    assert dates.next_renewal == date(2027, 1, 1)
    assert dates.notice_deadline == date(2026, 9, 30)


def test_an_agreement_with_an_end_date_does_not_renew():
    dates = calendar(date(2023, 6, 1), end_date=date(2025, 12, 31))
    assert not dates.renews
    assert dates.notice_deadline is None


@pytest.fixture
def agreement_near_deadline(municipality, provider):
    manager = user_with_role(municipality, Role.CONTRACT_MANAGER)
    user_with_role(municipality, Role.FINANCE)
    return AgreementFactory(customer=municipality), manager


def test_contract_managers_are_warned_once_per_deadline(agreement_near_deadline, settings):
    agreement, manager = agreement_near_deadline
    settings.NOTICE_LEAD_DAYS = 90
    assert send_notice_reminders(today=date(2027, 3, 1)) == 0  # 121 days before 2027-06-30
    assert send_notice_reminders(today=date(2027, 4, 1)) == 1
    assert send_notice_reminders(today=date(2027, 4, 2)) == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [manager.email]
    assert "30-06-2027" in mail.outbox[0].subject
    assert NoticeReminder.objects.get(agreement=agreement).deadline == date(2027, 6, 30)
    # The next term's deadline is warned about again, a year later.
    assert send_notice_reminders(today=date(2028, 4, 1)) == 1


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_the_notice_task_mails_once_on_a_real_worker(celery_worker, settings, municipality, provider):
    manager = user_with_role(municipality, Role.CONTRACT_MANAGER)
    AgreementFactory(customer=municipality)
    # Today is within an enormous lead time of the next deadline, whatever today is.
    settings.NOTICE_LEAD_DAYS = 800
    assert send_notice_reminders_task.delay().get(timeout=30) == 1
    assert send_notice_reminders_task.delay().get(timeout=30) == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [manager.email]
    assert NoticeReminder.objects.count() == 1
