"""After the transition: the supplier's consent to (or refusal of) the novation of its contract to Leiden."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.history import save_with_history
from tenants.types import User

from ..models import SupplierContract


@transaction.atomic
def record_novation(
    *,
    contract: SupplierContract,
    status: str,
    on: date,
    note: str = "",
    by: User | None = None,
    when: datetime | None = None,
) -> SupplierContract:
    """Record the supplier's consent or refusal of the novation to Leiden (``when`` dates the history
    row when the decision is recorded afterwards, as the demo does)."""
    contract = SupplierContract.objects.select_for_update().get(pk=contract.pk)
    if status not in (SupplierContract.Novation.GIVEN, SupplierContract.Novation.REFUSED):
        raise ValidationError(_("Leg toestemming of weigering vast."))
    if on < contract.start_date:
        raise ValidationError(_("De datum ligt voor de start van het contract."))
    if on > timezone.localdate():
        raise ValidationError(_("De datum ligt in de toekomst."))
    contract.novation_status = status
    contract.novation_date = on
    contract.novation_note = note
    return save_with_history(
        contract, by=by, when=when, update_fields=["novation_status", "novation_date", "novation_note"]
    )
