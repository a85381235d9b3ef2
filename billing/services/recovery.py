"""Runs that stopped without saying so: a worker killed, a hard time limit, a lost message.

A pending or running run whose heartbeat is older than ``RUN_STALE_MINUTES`` is marked failed
("onderbroken") and, unless it was a dry run, a fresh run for its period is queued; the work is
idempotent, so the fresh run makes only what is still missing. Provider staff may also start a failed
or stuck run again by hand (``retry_billing_run``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.history import save_with_history
from core.periods import Period
from core.runs import stale_after as default_stale_after
from tenants.types import User

from ..models import BillingRun
from .runs import ACTIVE, start_billing_run

logger = logging.getLogger(__name__)


@dataclass
class Recovered:
    run: BillingRun
    restarted: BillingRun | None


def _interrupted_message(run: BillingRun) -> str:
    when = timezone.localtime(run.last_sign_of_life).strftime("%d-%m-%Y %H:%M")
    return _(
        "Onderbroken: geen teken van leven sinds %(when)s (de worker is gestopt of de verbinding is "
        "verbroken). Wat al gemaakt was, blijft staan; een nieuwe run maakt de rest."
    ) % {"when": when}


def _mark_interrupted(run: BillingRun, *, by: User | None) -> None:
    run.status = BillingRun.Status.FAILED
    run.finished_at = timezone.now()
    run.message = "\n".join(filter(None, [run.message, _interrupted_message(run)]))
    run.invoices_created = run.invoices.count()
    save_with_history(
        run,
        by=by,
        reason=_("onderbroken"),
        update_fields=["status", "finished_at", "message", "invoices_created"],
    )


def _has_live_run(period: str, *, besides: int) -> bool:
    return (
        BillingRun.objects.filter(period=period, status__in=ACTIVE, is_dry_run=False)
        .exclude(pk=besides)
        .exists()
    )


def recover_stale_runs(
    *, stale_after: timedelta | None = None, now: datetime | None = None
) -> list[Recovered]:
    """Mark every stale run failed and queue a fresh run for its period (not for a dry run, and not
    when another run of the period is already under way). Each run in a transaction of its own, its
    row locked (``SKIP LOCKED``: a run some transaction still holds is alive)."""
    cutoff = (now or timezone.now()) - (stale_after if stale_after is not None else default_stale_after())
    stale = (
        Q(heartbeat_at__lt=cutoff)
        | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
        | Q(heartbeat_at__isnull=True, started_at__isnull=True, created_at__lt=cutoff)
    )
    recovered = []
    for run_id in (
        BillingRun.objects.filter(stale, status__in=ACTIVE).order_by("pk").values_list("pk", flat=True)
    ):
        with transaction.atomic():
            run = (
                BillingRun.objects.select_for_update(skip_locked=True)
                .filter(stale, pk=run_id, status__in=ACTIVE)
                .first()
            )
            if run is None:
                continue
            _mark_interrupted(run, by=None)
            restarted = None
            if not run.is_dry_run and not _has_live_run(run.period, besides=run.pk):
                restarted = start_billing_run(period=Period.parse(run.period))
            logger.warning(
                "Billing run %s for %s was interrupted; restarted as %s", run.pk, run.period, restarted
            )
            recovered.append(Recovered(run=run, restarted=restarted))
    return recovered


@transaction.atomic
def retry_billing_run(*, run: BillingRun, by: User) -> BillingRun:
    """Start a failed or stuck run again as a fresh run of the same period (and kind)."""
    run = BillingRun.objects.select_for_update().get(pk=run.pk)
    if run.status in ACTIVE:
        if not run.is_stale:
            raise ValidationError(
                _("Deze run is nog bezig; opnieuw starten kan als hij vastloopt of mislukt.")
            )
        _mark_interrupted(run, by=by)
    elif run.status != BillingRun.Status.FAILED:
        raise ValidationError(_("Alleen een mislukte of vastgelopen run kan opnieuw worden gestart."))
    if _has_live_run(run.period, besides=run.pk) and not run.is_dry_run:
        raise ValidationError(_("Voor %(period)s loopt al een run.") % {"period": run.period})
    return start_billing_run(period=Period.parse(run.period), by=by, dry_run=run.is_dry_run)
