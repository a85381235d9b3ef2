"""Change requests: a contract manager proposes adding or dropping a service or changing a volume from a
date; Leiden's staff approve (the lines change in the same transaction) or reject, with a reason.

Both sides are told by e-mail, from a task (``agreements.send_change_request_mail_task``) once committed.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
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
from core.texts import Reason
from services.models import Service
from tenants.roles import Role
from tenants.services import grant_object_permissions
from tenants.types import User

from ..models import Agreement, AgreementLine, ChangeRequest
from ..selectors import ChangeEffect, change_effect, line_volumes_in_year
from .lines import check_basic_package, lock_agreement, parse_volume, renew_up_to, write_line

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


def latest_effective_date(today: date | None = None) -> date:
    """A change takes effect no later than the end of next year."""
    return date((today or timezone.localdate()).year + 1, 12, 31)


def next_open_period_start(agreement: Agreement) -> date | None:
    """The first day after what has been invoiced (a period start), or None when nothing has been."""
    if agreement.billed_until is None:
        return None
    return agreement.billed_until + timedelta(days=1)


def request_label(request: ChangeRequest) -> str:
    """How messages name a request: "Wijzigingsverzoek 12 (ICT-01, Gemeente Leiderdorp)"."""
    return _("Wijzigingsverzoek %(pk)s (%(service)s, %(customer)s)") % {
        "pk": request.pk,
        "service": request.service.code,
        "customer": request.agreement.customer.name,
    }


class EffectiveDateInvoiced(ValidationError):
    """Approval refused because the requested date has been invoiced since; ``next_open`` is offered."""

    def __init__(self, *, request: ChangeRequest, next_open: date):
        self.request, self.next_open = request, next_open
        billed = request.agreement.billed_until or next_open
        super().__init__(
            {
                "effective_from": [
                    _(
                        "%(label)s: er is inmiddels gefactureerd tot en met %(billed)s, dus %(date)s kan niet "
                        "meer. De eerstvolgende open periode begint op %(next)s."
                    )
                    % {
                        "label": request_label(request),
                        "billed": billed.strftime("%d-%m-%Y"),
                        "date": request.effective_from.strftime("%d-%m-%Y"),
                        "next": next_open.strftime("%d-%m-%Y"),
                    }
                ]
            },
            code="invoiced",
        )


def _date_errors(*, agreement: Agreement, effective_from: date, today: date | None) -> tuple[list[str], bool]:
    """The date's problems, and whether it lies outside reason (then nothing else is judged)."""
    errors = []
    if effective_from < agreement.start_date:
        errors.append(_("De ingangsdatum ligt voor het begin van de overeenkomst."))
    if agreement.end_date and effective_from > agreement.end_date:
        errors.append(_("De ingangsdatum ligt na het einde van de overeenkomst."))
    latest = latest_effective_date(today)
    if effective_from > latest:
        errors.append(
            _("De ingangsdatum ligt te ver vooruit: uiterlijk %(date)s.")
            % {"date": latest.strftime("%d-%m-%Y")}
        )
    if errors:
        return errors, True
    if agreement.billed_until and effective_from <= agreement.billed_until:
        errors.append(
            _("Er is al gefactureerd tot en met %(date)s. Kies een ingangsdatum na die datum.")
            % {"date": agreement.billed_until.strftime("%d-%m-%Y")}
        )
    if not _is_period_start(effective_from):
        if settings.BILLING_PERIOD == "month":
            errors.append(_("Een wijziging gaat in op de eerste dag van een maand."))
        else:
            errors.append(
                _(
                    "Een wijziging gaat in op de eerste dag van een kwartaal (1 januari, 1 april, 1 juli of 1 oktober)."
                )
            )
    return errors, False


def _validate_change(
    *,
    agreement: Agreement,
    kind: str,
    service: Service,
    volume: Any,
    effective_from: date,
    today: date | None = None,
) -> Decimal | None:
    """The rules a change request must meet, at submission and again at approval. Returns the volume.

    Reads only: a year without lines yet (the agreement renews into it) is judged against the volumes
    that run on, as ``selectors.line_volumes_in_year`` reads them; the renewed lines are written at
    approval. A date outside reason is refused before anything else is looked at.
    """
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if kind not in ChangeRequest.Kind.values:
        add("kind", _("Kies wat u wilt wijzigen."))
    if agreement.status != Agreement.Status.ACTIVE:
        add("__all__", _("Alleen een actieve overeenkomst kan worden gewijzigd."))
    date_errors, out_of_range = _date_errors(agreement=agreement, effective_from=effective_from, today=today)
    for message in date_errors:
        add("effective_from", message)
    if out_of_range:
        raise ValidationError(errors)
    if service.active_from > effective_from or (
        service.active_until and service.active_until < effective_from
    ):
        add("service", _("Deze dienst wordt op de ingangsdatum niet aangeboden."))
    line_volume = line_volumes_in_year(agreement=agreement, year=effective_from.year).get(service.pk)
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
    if kind == ChangeRequest.Kind.ADD and line_volume is not None:
        add("service", _("Deze dienst zit al in de overeenkomst; vraag een andere afname aan."))
    if kind in (ChangeRequest.Kind.DROP, ChangeRequest.Kind.CHANGE_VOLUME) and line_volume is None:
        add(
            "service",
            _("Deze dienst zit in %(year)s niet in de overeenkomst.") % {"year": effective_from.year},
        )
    if kind == ChangeRequest.Kind.DROP and service.is_basic:
        add("service", _("Een dienst uit het basispakket kan niet worden beëindigd."))
    if kind == ChangeRequest.Kind.CHANGE_VOLUME and volume is not None and line_volume == volume:
        add("volume", _("De nieuwe afname is gelijk aan de huidige."))
    if errors:
        raise ValidationError(errors)
    return volume


def _check_no_open_request(*, agreement: Agreement, service: Service) -> None:
    if ChangeRequest.objects.filter(
        agreement=agreement, service=service, status=ChangeRequest.Status.SUBMITTED
    ).exists():
        raise ValidationError(
            {"service": [_("Voor deze dienst loopt al een wijzigingsverzoek. Wacht op het besluit.")]}
        )


def preview_change_request(
    *,
    agreement: Agreement,
    kind: str,
    service: Service,
    effective_from: date,
    volume: Decimal | None = None,
) -> ChangeEffect:
    """The confirmation step: the rules of a submission, then what the change would do. Writes nothing."""
    volume = _validate_change(
        agreement=agreement, kind=kind, service=service, volume=volume, effective_from=effective_from
    )
    _check_no_open_request(agreement=agreement, service=service)
    return change_effect(
        agreement=agreement, kind=kind, service=service, volume=volume, effective_from=effective_from
    )


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
    at: datetime | None = None,
) -> ChangeRequest:
    """A contract manager proposes a change; Leiden's staff are told by e-mail. Writes the request only:
    the lines (and a renewal into the request's year) change at approval. ``at`` records a request
    submitted earlier (demo data, an import): it is dated then, in the request and its history."""
    agreement = Agreement.objects.select_for_update().select_related("customer").get(pk=agreement.pk)
    volume = _validate_change(
        agreement=agreement, kind=kind, service=service, volume=volume, effective_from=effective_from
    )
    _check_no_open_request(agreement=agreement, service=service)
    request = ChangeRequest(
        agreement=agreement,
        kind=kind,
        service=service,
        volume=volume,
        effective_from=effective_from,
        motivation=motivation.strip(),
        submitted_by=by,
        submitted_at=at or timezone.now(),
    )
    save_with_history(request, by=by, when=at)
    grant_change_request_permissions(request=request)
    if notify:
        enqueue(MAIL_TASK, request_id=request.pk, event="submitted")
    return request


def _apply_change(*, request: ChangeRequest, by: User, at: datetime | None = None) -> list[int]:
    """Change the lines from the request's year on, each change dated from the request's effective date;
    returns the years changed. A year the agreement renews into gets its lines first."""
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
    reason = Reason("change_request", pk=request.pk, date=request.effective_from.strftime("%d-%m-%Y"))
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
            when=at,
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
        raise ValidationError(
            _("%(label)s: over dit verzoek is al besloten (%(status)s).")
            % {"label": request_label(request), "status": request.get_status_display().lower()}
        )
    return request


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Geef een motivering voor het besluit.")]})
    return reason


def _moved(*, request: ChangeRequest, effective_from: date | None) -> date | None:
    """The decider's confirmed new date when the requested one has been invoiced since; checks that it
    is the date offered (the first open period). Returns the original date when it moves."""
    agreement = request.agreement
    invoiced = agreement.billed_until is not None and request.effective_from <= agreement.billed_until
    offered = next_open_period_start(agreement)
    if effective_from is None or effective_from == request.effective_from:
        if invoiced and offered is not None:
            raise EffectiveDateInvoiced(request=request, next_open=offered)
        return None
    if not invoiced or effective_from != offered:
        raise ValidationError(
            {
                "effective_from": [
                    _(
                        "%(label)s: de ingangsdatum verschuift alleen naar de eerstvolgende open periode, "
                        "en alleen als de gevraagde datum inmiddels is gefactureerd."
                    )
                    % {"label": request_label(request)}
                ]
            }
        )
    original = request.effective_from
    request.original_effective_from = original
    request.effective_from = effective_from
    return original


@transaction.atomic
def approve_change_request(
    *,
    request: ChangeRequest,
    by: User,
    reason: str,
    notify: bool = True,
    effective_from: date | None = None,
    at: datetime | None = None,
) -> ChangeRequest:
    """Approve and change the agreement's lines in the same transaction; the history names the request.

    When the requested date has been invoiced since it was submitted, approval is refused with
    :class:`EffectiveDateInvoiced`, which offers the first open period; approving again with
    ``effective_from`` set to that date moves the request there, keeping the original date
    (``original_effective_from``) and saying so in the decision."""
    reason = _reason(reason)
    # Lock order (docs/rules.md): the agreement first, then the request and the lines, as issuing an
    # invoice takes the agreement before the invoice; opposite orders could deadlock.
    agreement_id = ChangeRequest.objects.filter(pk=request.pk).values_list("agreement_id", flat=True).first()
    if agreement_id is not None:
        lock_agreement(agreement_id=agreement_id)
    request = _lock_open_request(request)
    _check_not_own_request(request, by)
    request.agreement.refresh_from_db()
    original = _moved(request=request, effective_from=effective_from)
    _validate_change(
        agreement=request.agreement,
        kind=request.kind,
        service=request.service,
        volume=request.volume,
        effective_from=request.effective_from,
    )
    _apply_change(request=request, by=by, at=at)
    fields = []
    if original is not None:
        reason = _(
            "%(reason)s (Ingangsdatum verschoven van %(original)s naar %(date)s: %(original)s was al gefactureerd.)"
        ) % {
            "reason": reason,
            "original": original.strftime("%d-%m-%Y"),
            "date": request.effective_from.strftime("%d-%m-%Y"),
        }
        fields = ["effective_from", "original_effective_from"]
    return _decide(
        request=request,
        by=by,
        reason=reason,
        status=ChangeRequest.Status.APPROVED,
        notify=notify,
        extra_fields=fields,
        at=at,
    )


@transaction.atomic
def reject_change_request(
    *, request: ChangeRequest, by: User, reason: str, notify: bool = True, at: datetime | None = None
) -> ChangeRequest:
    reason = _reason(reason)
    request = _lock_open_request(request)
    _check_not_own_request(request, by)
    return _decide(
        request=request, by=by, reason=reason, status=ChangeRequest.Status.REJECTED, notify=notify, at=at
    )


@transaction.atomic
def withdraw_change_request(*, request: ChangeRequest, by: User, reason: str = "") -> ChangeRequest:
    """The contract manager takes back an open request; nothing of the agreement changes. Who may is
    checked by the caller (the agreement's ``submit_change_request`` permission)."""
    request = _lock_open_request(request)
    reason = (reason or "").strip() or _("Ingetrokken door de gemeente.")
    return _decide(request=request, by=by, reason=reason, status=ChangeRequest.Status.WITHDRAWN, notify=False)


def _check_not_own_request(request: ChangeRequest, by: User) -> None:
    """Separation of duties: whoever submitted a request (a person may hold a customer and a provider
    role) never decides it."""
    if by is not None and request.submitted_by_id is not None and request.submitted_by_id == by.pk:
        raise ValidationError(_("U heeft dit verzoek zelf ingediend; een collega moet erover beslissen."))


def _decide(
    *,
    request: ChangeRequest,
    by: User,
    reason: str,
    status: str,
    notify: bool,
    extra_fields: list[str] | None = None,
    at: datetime | None = None,
) -> ChangeRequest:
    """``at`` records a decision taken earlier (demo data): dated then, in the request and its history."""
    request.status = status
    request.decided_by = by
    request.decided_at = at or timezone.now()
    request.decision_reason = reason
    save_with_history(
        request,
        by=by,
        when=at,
        update_fields=["status", "decided_by", "decided_at", "decision_reason", *(extra_fields or [])],
    )
    if notify:
        enqueue(MAIL_TASK, request_id=request.pk, event="decided")
    return request
