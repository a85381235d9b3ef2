"""Enqueue a Celery task by its registered name, after the current transaction commits.

Services never import tasks (tasks import services), so a service names the task it wants run:

    enqueue("billing.carry_out_billing_run_task", run_id=run.pk)

The task then sees only committed rows. In the embedded default (no broker: ``task_always_eager``) the
task runs in process right after the commit, as Celery's eager mode would run ``delay()``.
"""

from __future__ import annotations

from typing import Any

from celery import current_app
from django.db import transaction


def _send(name: str, kwargs: dict[str, Any]) -> None:
    app = current_app
    if app.conf.task_always_eager:
        app.tasks[name].apply(kwargs=kwargs, throw=app.conf.task_eager_propagates)
    else:
        app.send_task(name, kwargs=kwargs)


def enqueue(name: str, /, **kwargs: Any) -> None:
    """Send the task ``name`` with ``kwargs`` (ids and plain values only) once the transaction commits."""
    transaction.on_commit(lambda: _send(name, kwargs))
