"""Change requests: a contract manager proposes adding or dropping a service or changing a volume from a
date; Leiden's staff approve (the lines change in the same transaction) or reject, with a reason.

Both sides are told by e-mail, from a task (``agreements.send_change_request_mail_task``) once committed.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.history import save_with_history
from core.periods import Period
from core.tasks import enqueue
from services.models import Service
from tenants.roles import Role
from tenants.services import grant_object_permissions
from tenants.types import User

from ..models import Agreement, AgreementLine, ChangeRequest
from .lines import check_basic_package, parse_volume, renew_up_to, write_line

CHANGE_REQUEST_PERMISSIONS = {
    Role.CONTRACT_MANAGER: ["view_changerequest"],
    Role.FINANCE: ["view_changerequest"],
    Role.PROVIDER_STAFF: ["view_changerequest", "decide_changerequest"],
    Role.PROVIDER_FINANCE: ["view_changerequest"],
}
MAIL_TASK = "agreements.send_change_request_mail_task"


def grant_change_request_permissions(*, request: ChangeRequest) -> None:
    grant_object_permissions(
        obj=request, organisation=request.agreement.customer, perms=CHANGE_REQUEST_PERMISSIONS
    )


def _is_period_start(day: date) -> bool:
    return Period.containing(day, granularity=settings.BILLING_PERIOD).start == day


def _validate_change(
    *,
    agreement: Agreement,
    kind: str,
    service: Service,
    volume: Any,
    effective_from: date,
    by: User | None = None,
) -> Decimal | None:
    """The rules a change request must meet, at submission and again at approval. Returns the volume.

    The agreement renews: when the effective year has no lines yet, it first gets them
    (``ensure_lines_for_year``), so a change from a renewal year is judged against the volumes that run
    on. Called inside the caller's transaction: a refused request writes nothing.
    """
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if agreement.status != Agreement.Status.ACTIVE:
        add("__all__", _("Alleen een actieve overeenkomst kan worden gewijzigd."))
    if effective_from < agreement.start_date:
        add("effective_from", _("De ingangsdatum ligt voor het begin van de overeenkomst."))
    if agreement.end_date and effective_from > agreement.end_date:
        add("effective_from", _("De ingangsdatum ligt na het einde van de overeenkomst."))
    if agreement.billed_until and effective_from <= agreement.billed_until:
        add(
            "effective_from",
            _("Er is al gefactureerd tot en met %(date)s. Kies een ingangsdatum na die datum.")
            % {"date": agreement.billed_until.strftime("%d-%m-%Y")},
        )
    if not _is_period_start(effective_from):
        if settings.BILLING_PERIOD == "month":
            add("effective_from", _("Een wijziging gaat in op de eerste dag van een maand."))
        else:
            add(
                "effective_from",
                _(
                    "Een wijziging gaat in op de eerste dag van een kwartaal (1 januari, 1 april, 1 juli of 1 oktober)."
                ),
            )
    if service.active_from > effective_from or (
        service.active_until and service.active_until < effective_from
    ):
        add("service", _("Deze dienst wordt op de ingangsdatum niet aangeboden."))
    if agreement.status == Agreement.Status.ACTIVE:
        renew_up_to(agreement=agreement, year=effective_from.year, by=by)
    line = AgreementLine.objects.filter(
        agreement=agreement, service=service, year=effective_from.year
    ).first()
    if kind in (ChangeRequest.Kind.ADD, ChangeRequest.Kind.CHANGE_VOLUME):
        if volume in (None, ""):
            add("volume", _("Vul de nieuwe afname in."))
        else:
            try:
                volume = parse_volume(volume)
            except ValidationError as exc:
                add("volume", exc.messages[0])
                volume = None
            if volume is not None and kind == ChangeRequest.Kind.ADD and volume <= 0:
                add("volume", _("Een nieuwe dienst heeft een afname groter dan nul."))
    else:
        if kind == ChangeRequest.Kind.DROP and volume not in (None, ""):
            add("volume", _("Laat de afname leeg: een beëindigde dienst heeft geen afname."))
        volume = None
    if kind == ChangeRequest.Kind.ADD and line is not None:
        add("service", _("Deze dienst zit al in de overeenkomst; vraag een andere afname aan."))
    if kind in (ChangeRequest.Kind.DROP, ChangeRequest.Kind.CHANGE_VOLUME) and line is None:
        add(
            "service",
            _("Deze dienst zit in %(year)s niet in de overeenkomst.") % {"year": effective_from.year},
        )
    if kind == ChangeRequest.Kind.DROP and service.is_basic:
        add("service", _("Een dienst uit het basispakket kan niet worden beëindigd."))
    if (
        kind == ChangeRequest.Kind.CHANGE_VOLUME
        and line is not None
        and volume is not None
        and line.volume == volume
    ):
        add("volume", _("De nieuwe afname is gelijk aan de huidige."))
    if kind not in ChangeRequest.Kind.values:
        add("kind", _("Kies wat u wilt wijzigen."))
    if errors:
        raise ValidationError(errors)
    return volume


@transaction.atomic
def submit_change_request(
    *,
    agreement: Agreement,
    kind: str,
    service: Service,
    effective_from: date,
    by: User,
    volume: Decimal | None = None,
    motivation: str = "",
    notify: bool = True,
) -> ChangeRequest:
    """A contract manager proposes a change; Leiden's staff are told by e-mail."""
    agreement = Agreement.objects.select_for_update().select_related("customer").get(pk=agreement.pk)
    volume = _validate_change(
        agreement=agreement, kind=kind, service=service, volume=volume, effective_from=effective_from, by=by
    )
    if ChangeRequest.objects.filter(
        agreement=agreement, service=service, status=ChangeRequest.Status.SUBMITTED
    ).exists():
        raise ValidationError(
            {"service": [_("Voor deze dienst loopt al een wijzigingsverzoek. Wacht op het besluit.")]}
        )
    request = ChangeRequest(
        agreement=agreement,
        kind=kind,
        service=service,
        volume=volume,
        effective_from=effective_from,
        motivation=motivation.strip(),
        submitted_by=by,
    )
    save_with_history(request, by=by)
    grant_change_request_permissions(request=request)
    if notify:
        enqueue(MAIL_TASK, request_id=request.pk, event="submitted")
    return request


def _apply_change(*, request: ChangeRequest, by: User) -> list[int]:
    """Change the lines from the request's year on, each change dated from the request's effective date;
    returns the years changed. The effective year has lines already (``_validate_change`` renews)."""
    agreement = request.agreement
    start_year = request.effective_from.year
    renew_up_to(agreement=agreement, year=start_year, by=by)
    lines = {
        (line.year, line.service_id): line
        for line in AgreementLine.objects.select_for_update().filter(
            agreement=agreement, year__gte=start_year
        )
    }
    years = sorted({year for year, _service in lines} | {start_year})
    reason = _("Wijzigingsverzoek %(pk)s per %(date)s") % {
        "pk": request.pk,
        "date": request.effective_from.strftime("%d-%m-%Y"),
    }
    for year in years:
        existing = lines.get((year, request.service_id))
        if request.kind == ChangeRequest.Kind.DROP:
            new_volume = None
        elif request.kind == ChangeRequest.Kind.CHANGE_VOLUME and existing is None:
            continue
        else:
            new_volume = request.volume
        write_line(
            agreement=agreement,
            service=request.service,
            year=year,
            volume=new_volume,
            by=by,
            reason=reason,
            change_request=request,
            existing=existing,
            effective_from=request.effective_from,
        )
    check_basic_package(agreement=agreement, years=years)
    return years


def _lock_open_request(request: ChangeRequest) -> ChangeRequest:
    request = (
        ChangeRequest.objects.select_for_update()
        .select_related("agreement", "agreement__customer", "service")
        .get(pk=request.pk)
    )
    if request.status != ChangeRequest.Status.SUBMITTED:
        raise ValidationError(_("Over dit verzoek is al besloten."))
    return request


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Geef een motivering voor het besluit.")]})
    return reason


@transaction.atomic
def approve_change_request(
    *, request: ChangeRequest, by: User, reason: str, notify: bool = True
) -> ChangeRequest:
    """Approve and change the agreement's lines in the same transaction; the history names the request."""
    reason = _reason(reason)
    request = _lock_open_request(request)
    _check_not_own_request(request, by)
    Agreement.objects.select_for_update().filter(pk=request.agreement_id).first()
    request.agreement.refresh_from_db()
    _validate_change(
        agreement=request.agreement,
        kind=request.kind,
        service=request.service,
        volume=request.volume,
        effective_from=request.effective_from,
        by=by,
    )
    _apply_change(request=request, by=by)
    return _decide(request=request, by=by, reason=reason, status=ChangeRequest.Status.APPROVED, notify=notify)


@transaction.atomic
def reject_change_request(
    *, request: ChangeRequest, by: User, reason: str, notify: bool = True
) -> ChangeRequest:
    reason = _reason(reason)
    request = _lock_open_request(request)
    _check_not_own_request(request, by)
    return _decide(request=request, by=by, reason=reason, status=ChangeRequest.Status.REJECTED, notify=notify)


def _check_not_own_request(request: ChangeRequest, by: User) -> None:
    """Separation of duties: whoever submitted a request (a person may hold a customer and a provider
    role) never decides it."""
    if by is not None and request.submitted_by_id is not None and request.submitted_by_id == by.pk:
        raise ValidationError(_("U heeft dit verzoek zelf ingediend; een collega moet erover beslissen."))


def _decide(*, request: ChangeRequest, by: User, reason: str, status: str, notify: bool) -> ChangeRequest:
    request.status = status
    request.decided_by = by
    request.decided_at = timezone.now()
    request.decision_reason = reason
    save_with_history(request, by=by, update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    if notify:
        enqueue(MAIL_TASK, request_id=request.pk, event="decided")
    return request
