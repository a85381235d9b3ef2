from datetime import timedelta

import pytest
from axes.models import AccessLog
from django.utils import timezone

from tenants.tasks import purge_login_records_task


def _log(days_ago: int) -> AccessLog:
    log = AccessLog.objects.create(username="cm.alfa", ip_address="127.0.0.1", user_agent="test")
    AccessLog.objects.filter(pk=log.pk).update(attempt_time=timezone.now() - timedelta(days=days_ago))
    return log


@pytest.mark.celery
def test_purge_runs_on_a_real_worker_and_keeps_recent_records(celery_worker):
    old, recent = _log(200), _log(5)
    result = purge_login_records_task.delay(older_than_days=90)
    assert result.get(timeout=60) == 1
    assert list(AccessLog.objects.values_list("pk", flat=True)) == [recent.pk]
    # Safe to run twice: nothing more to remove.
    assert purge_login_records_task.delay(older_than_days=90).get(timeout=60) == 0
    assert old.pk not in AccessLog.objects.values_list("pk", flat=True)
