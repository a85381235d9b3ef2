"""Leiden's explanations of a norm missed in a quarter (with history)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.history import Reason, save_with_history
from services.models import Service
from tenants.models import Organisation
from tenants.types import User

from ..models import BreachNote
from ..realisation import NOT_MET
from ..selectors import realisation


@transaction.atomic
def save_breach_note(
    *,
    customer: Organisation,
    service: Service,
    year: int,
    quarter: int,
    kpi: str,
    explanation: str,
    remedy: str = "",
    by: User | None = None,
) -> BreachNote:
    """Leiden's explanation and remedy of a norm missed in a quarter (with history)."""
    explanation, remedy = (explanation or "").strip(), (remedy or "").strip()
    if not explanation:
        raise ValidationError({"explanation": [_("Geef een toelichting.")]})
    card = realisation(customers=[customer], year=year, quarter=quarter, service=service)
    if not any(c.kpi == kpi and c.verdict == NOT_MET for c in card.cells):
        raise ValidationError(_("Een toelichting hoort bij een norm die in dat kwartaal niet is gehaald."))
    note = (
        BreachNote.objects.select_for_update()
        .filter(customer=customer, service=service, year=year, quarter=quarter, kpi=kpi)
        .first()
    ) or BreachNote(customer=customer, service=service, year=year, quarter=quarter, kpi=kpi)
    if note.pk and note.explanation == explanation and note.remedy == remedy:
        return note
    note.explanation, note.remedy, note.written_by = explanation, remedy, by
    save_with_history(note, by=by, reason=Reason("breach_note"))
    return note
