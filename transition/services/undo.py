"""Undoing an executed transition that nothing has built on yet, so the correct files can be executed.

Refused once anything rests on it: an invoice issued for 2023 or later on one of its agreements (the
agreement's ``billed_until``), a draft invoice on an agreement it made (the invoice protects it), or an
execution without the record of what it changed. Everything in one transaction, each change with its
history (who and why); the run becomes "undone", so a new execution is allowed.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.models import Agreement, AgreementLine
from agreements.services.lines import set_line_volumes
from core.history import delete_with_history, save_with_history
from core.validators import no_control_characters
from services.models import Service
from tenants.models import Organisation
from tenants.types import User

from ..models import EFFECTIVE_DATE, Employee, Employment, SupplierContract, TransitionRun


class UndoRefused(ValidationError):
    """The transition cannot be undone (anything built on it, or not an executed run)."""


def _refuse_when_built_on(run: TransitionRun, agreements: list[Agreement]) -> None:
    billed = sorted(
        a.number for a in agreements if a.billed_until is not None and a.billed_until >= EFFECTIVE_DATE
    )
    if billed:
        raise UndoRefused(
            _(
                "De transitie (run %(run)d) kan niet worden teruggedraaid: er is al gefactureerd voor 2023 "
                "of later op %(agreements)s."
            )
            % {"run": run.pk, "agreements": ", ".join(billed)}
        )


def _restore(before: dict, *, by: User | None, reason: str) -> None:
    agreement = Agreement.objects.select_for_update().get(pk=before["id"])
    year = int(before["year"])
    previous = {int(k): Decimal(v) for k, v in before["lines"].items()}
    for line in AgreementLine.objects.select_for_update().filter(agreement=agreement, year=year):
        if line.service_id not in previous:
            delete_with_history(line, by=by, reason=reason)
    if previous:
        services = Service.objects.in_bulk(previous)
        set_line_volumes(
            agreement=agreement,
            year=year,
            volumes={services[pk]: volume for pk, volume in previous.items()},
            by=by,
            reason=reason,
        )
    agreement.refresh_from_db()
    agreement.end_date = date.fromisoformat(before["end_date"]) if before["end_date"] else None
    agreement.status = before["status"]
    agreement.predecessor_id = before["predecessor"]
    save_with_history(agreement, by=by, reason=reason, update_fields=["end_date", "status", "predecessor"])


def _remove_agreement(agreement: Agreement, *, run: TransitionRun, by: User | None, reason: str) -> None:
    for line in AgreementLine.objects.filter(agreement=agreement):
        delete_with_history(line, by=by, reason=reason)
    try:
        with transaction.atomic():
            delete_with_history(agreement, by=by, reason=reason)
    except ProtectedError:
        raise UndoRefused(
            _(
                "De transitie (run %(run)d) kan niet worden teruggedraaid: op overeenkomst %(number)s "
                "rust al iets anders (bijvoorbeeld een conceptfactuur)."
            )
            % {"run": run.pk, "number": agreement.number}
        ) from None


@transaction.atomic
def undo_transition(*, run: TransitionRun, by: User | None, reason: str) -> TransitionRun:
    """Reverse the executed transition ``run``: its employees, employments and supplier contracts
    removed, the agreements it made removed, those it changed put back as they were."""
    reason = (reason or "").strip()
    if not reason:
        raise UndoRefused(_("Geef een reden om de transitie terug te draaien."))
    no_control_characters(reason)
    legacy = Organisation.objects.filter(kind=Organisation.Kind.LEGACY_PROVIDER).order_by("pk").first()
    if legacy is not None:  # serialises with an execution, which takes the same lock first
        Organisation.objects.select_for_update().get(pk=legacy.pk)
    run = TransitionRun.objects.select_for_update().get(pk=run.pk)
    if run.status != TransitionRun.Status.EXECUTED:
        raise UndoRefused(
            _("Alleen een uitgevoerde transitie kan worden teruggedraaid; run %(run)d is %(status)s.")
            % {"run": run.pk, "status": run.get_status_display().lower()}
        )
    undo = run.report.get("undo")
    if undo is None:
        raise UndoRefused(
            _("Van run %(run)d is niet vastgelegd wat de uitvoering veranderde; terugdraaien kan niet.")
            % {"run": run.pk}
        )
    created = list(Agreement.objects.select_for_update().filter(pk__in=undo.get("created", [])))
    changed_ids = [item["id"] for item in undo.get("changed", [])]
    changed = list(Agreement.objects.select_for_update().filter(pk__in=changed_ids))
    _refuse_when_built_on(run, created + changed)
    why = _("Transitie teruggedraaid: %(reason)s") % {"reason": reason}
    for employment in Employment.objects.filter(transition_run=run):
        delete_with_history(employment, by=by, reason=why)
    for employee in Employee.objects.filter(transition_run=run):
        delete_with_history(employee, by=by, reason=why)
    for contract in SupplierContract.objects.filter(transition_run=run):
        delete_with_history(contract, by=by, reason=why)
    # Successors first: an agreement the transition made may be the predecessor of another one.
    for before in undo.get("changed", []):
        _restore(before, by=by, reason=why)
    for agreement in sorted(created, key=lambda a: a.predecessor_id is None):
        _remove_agreement(agreement, run=run, by=by, reason=why)
    run.status = TransitionRun.Status.UNDONE
    run.message = _("Teruggedraaid op %(when)s: %(reason)s") % {
        "when": timezone.localtime().strftime("%d-%m-%Y %H:%M"),
        "reason": reason,
    }
    return save_with_history(run, by=by, reason=why, update_fields=["status", "message"])
