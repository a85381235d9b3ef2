"""The quality tasks on a real Celery worker over Redis."""

import pytest
from django.core import mail

from quality.models import QuarterlyReport
from quality.tasks import generate_quarterly_reports_task, send_report_notification_task
from tenants.roles import Role
from tests.factories import user_with_role

from .test_reports import reported_world

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


def test_the_beat_task_issues_the_last_quarters_reports_once_and_mails_them(celery_worker):
    world = reported_world()
    user_with_role(world.alfa, Role.CONTRACT_MANAGER, username="cm.alfa")
    ids = generate_quarterly_reports_task.delay(today="2024-04-02").get(timeout=60)
    assert len(ids) == 3
    assert set(QuarterlyReport.objects.values_list("year", "quarter")) == {(2024, 1)}
    assert generate_quarterly_reports_task.delay(today="2024-05-10").get(timeout=60) == []
    report = QuarterlyReport.objects.get(customer=world.alfa)
    # the notification was sent by the worker after the commit; wait on its result, not a sleep
    assert send_report_notification_task.delay(report_id=report.pk).get(timeout=60) == 0  # already sent
    assert [m.to for m in mail.outbox] == [["cm.alfa@example.nl"]]
    report.refresh_from_db()
    assert report.notified_at is not None


def test_the_task_is_registered_by_name_for_beat(settings):
    from config.celery import app

    assert (
        settings.CELERY_BEAT_SCHEDULE["quality-quarterly-reports"]["task"]
        == "quality.generate_quarterly_reports_task"
    )
    assert "quality.generate_quarterly_reports_task" in app.tasks
