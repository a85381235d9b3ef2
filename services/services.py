"""Every write of the catalogue: tariffs, their lock, indexation."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from .models import Tariff


@transaction.atomic
def lock_tariffs(*, tariff_ids: Iterable[int]) -> int:
    """Lock the tariffs an issued invoice used; a locked tariff never changes again.

    Called by billing in the transaction that issues the invoice. Returns how many were newly locked.
    """
    ids = sorted(set(tariff_ids))
    locked = list(Tariff.objects.select_for_update().filter(pk__in=ids, locked_at__isnull=True))
    now = timezone.now()
    for tariff in locked:
        tariff.locked_at = now
    Tariff.objects.bulk_update(locked, ["locked_at"])
    return len(locked)
