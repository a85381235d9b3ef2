"""What every long run (billing, settlement, transition) shares so that it always ends.

- ``beat``: the run's heartbeat, written on a connection of its own, so it is visible at once even
  while the run's own work sits in an open transaction, and it writes no history (the heartbeat is no
  audited change).
- ``record_failure``: marks the run failed with its reason on a connection of its own, so a rolled-back
  transaction or a broken connection (a database backend terminated, a lost network) cannot swallow
  the mark. Where the run is not visible there (it was made in the caller's still open transaction)
  the caller's connection writes it.
- ``failure_reason``: the reason as people read it, for any exception (a time limit included).

The run's model is passed in; core knows no app.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .history import save_with_history

logger = logging.getLogger(__name__)

# How long the own connection waits for a row another transaction holds before it gives up.
LOCK_TIMEOUT_MS = 5000


@contextmanager
def own_connection() -> Iterator[str]:
    """A fresh connection to the default database under a private alias, closed afterwards."""
    alias = f"run-{uuid.uuid4().hex[:12]}"
    connection = connections.create_connection(DEFAULT_DB_ALIAS)
    connections[alias] = connection
    try:
        yield alias
    finally:
        try:
            connection.close()
        finally:
            del connections[alias]


def stale_after() -> timedelta:
    """How old a running run's heartbeat may be before the run counts as interrupted."""
    return timedelta(minutes=settings.RUN_STALE_MINUTES)


def beat(model: type[models.Model], pk: int, *, active: Iterable[str]) -> None:
    """Record that run ``pk`` is alive. Best effort: a heartbeat that cannot be written is logged."""
    now = timezone.now()
    try:
        with own_connection() as alias, transaction.atomic(using=alias):
            runs = model._default_manager.using(alias).filter(pk=pk, status__in=list(active))
            # A row the run's own transaction holds is skipped: that lock shows the run is alive.
            ids = list(runs.select_for_update(skip_locked=True).values_list("pk", flat=True))
            if ids:
                # .update() on purpose: a heartbeat is no audited change (it is excluded from the history).
                runs.filter(pk__in=ids).update(heartbeat_at=now)
    except DatabaseError:
        logger.warning("No heartbeat for %s %s", model.__name__, pk, exc_info=True)


def failure_reason(exc: BaseException) -> str:
    """A short reason for a run that stopped on ``exc``."""
    from celery.exceptions import SoftTimeLimitExceeded, TimeLimitExceeded

    if isinstance(exc, SoftTimeLimitExceeded | TimeLimitExceeded):
        return _("Mislukt: de tijdslimiet van de taak is overschreden (%(limit)s seconden).") % {
            "limit": settings.CELERY_TASK_SOFT_TIME_LIMIT
        }
    messages = getattr(exc, "messages", None)
    text = " ".join(str(m) for m in messages) if messages else (str(exc) or type(exc).__name__)
    return _("Mislukt: %(error)s") % {"error": text[:1000]}


def _mark(
    model: type[models.Model],
    pk: int,
    *,
    using: str,
    active: Iterable[str],
    status: str,
    reason: str,
    values: dict[str, Any],
    by: Any,
) -> bool:
    with transaction.atomic(using=using):
        connection = connections[using]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL lock_timeout = {int(LOCK_TIMEOUT_MS)}")
        run = model._default_manager.using(using).select_for_update().filter(pk=pk).first()
        if run is None:
            return False
        if run.status not in set(active):
            return True  # already ended (done, failed, ...): nothing to mark
        changes = {"status": status, "message": reason, "finished_at": timezone.now(), **values}
        for name, value in changes.items():
            setattr(run, name, value)
        save_with_history(run, by=by, reason=reason, using=using, update_fields=list(changes))
        return True


def record_failure(
    model: type[models.Model],
    pk: int,
    *,
    reason: str,
    active: Iterable[str],
    status: str = "failed",
    by: Any = None,
    **values: Any,
) -> None:
    """Mark run ``pk`` as ``status`` with ``reason`` unless it already ended. Never raises: the caller is
    handling an error already and re-raises that one."""
    active = list(active)
    try:
        with own_connection() as alias:
            if _mark(
                model, pk, using=alias, active=active, status=status, reason=reason, values=values, by=by
            ):
                return
    except DatabaseError:
        logger.warning("Could not mark %s %s failed on an own connection", model.__name__, pk, exc_info=True)
    try:
        _mark(
            model,
            pk,
            using=DEFAULT_DB_ALIAS,
            active=active,
            status=status,
            reason=reason,
            values=values,
            by=by,
        )
    except Exception:  # a broken connection or a transaction that must roll back first
        logger.exception("Could not mark %s %s failed", model.__name__, pk)
