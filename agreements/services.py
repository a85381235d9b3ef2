"""Every write of agreements, their lines and change requests: the transaction, the locks, the rules."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from core.periods import Period
from services.models import Service
from tenants.models import Membership, Organisation
from tenants.roles import Role
from tenants.services import grant_object_permissions

from .calendar import agreement_calendar
from .models import Agreement, AgreementLine, AgreementLineChange, ChangeRequest, NoticeReminder
from .selectors import IN_FORCE, is_in_force_in_year, offered_in_year

AGREEMENT_PERMISSIONS = {
    Role.CONTRACT_MANAGER: ["view_agreement", "submit_change_request", "sign_agreement"],
    Role.FINANCE: ["view_agreement"],
    Role.PROVIDER_STAFF: ["view_agreement", "change_agreement", "sign_agreement"],
    Role.PROVIDER_FINANCE: ["view_agreement"],
}
CHANGE_REQUEST_PERMISSIONS = {
    Role.CONTRACT_MANAGER: ["view_changerequest"],
    Role.FINANCE: ["view_changerequest"],
    Role.PROVIDER_STAFF: ["view_changerequest", "decide_changerequest"],
    Role.PROVIDER_FINANCE: ["view_changerequest"],
}


def grant_agreement_permissions(agreement: Agreement) -> None:
    grant_object_permissions(obj=agreement, organisation=agreement.customer, perms=AGREEMENT_PERMISSIONS)


def grant_change_request_permissions(request: ChangeRequest) -> None:
    grant_object_permissions(
        obj=request, organisation=request.agreement.customer, perms=CHANGE_REQUEST_PERMISSIONS
    )


# --- Agreements -----------------------------------------------------------------------------------


def next_agreement_number(*, customer: Organisation, start_date: date) -> str:
    code = customer.cbs_code or customer.slug.upper()[:8]
    base = f"DVO-{start_date.year}-{code}"
    number, suffix = base, 1
    while Agreement.objects.filter(number=number).exists():
        suffix += 1
        number = f"{base}-{suffix}"
    return number


def _overlaps(*, customer_id: int, start_date: date, end_date: date | None, exclude_pk=None) -> bool:
    others = Agreement.objects.filter(customer_id=customer_id, status__in=IN_FORCE)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if end_date is not None:
        others = others.filter(start_date__lte=end_date)
    return others.filter(Q(end_date__isnull=True) | Q(end_date__gte=start_date)).exists()


def _check_no_overlap(agreement: Agreement) -> None:
    """At most one agreement in force per municipality on any date (also a constraint on PostgreSQL)."""
    if agreement.status not in IN_FORCE:
        return
    # Serialise the check per customer: two transactions activating at once cannot both pass it.
    Organisation.objects.select_for_update().filter(pk=agreement.customer_id).first()
    if _overlaps(
        customer_id=agreement.customer_id,
        start_date=agreement.start_date,
        end_date=agreement.end_date,
        exclude_pk=agreement.pk,
    ):
        raise _overlap_error(agreement)


def _overlap_error(agreement: Agreement) -> ValidationError:
    return ValidationError(
        _("%(customer)s heeft in deze periode al een actieve overeenkomst.")
        % {"customer": agreement.customer.name}
    )


def _save_checked(agreement: Agreement, *, update_fields=None) -> None:
    try:
        with transaction.atomic():
            agreement.save(update_fields=update_fields)
    except IntegrityError as exc:
        if "agreement_one_in_force_per_customer" in str(exc):
            raise _overlap_error(agreement) from exc
        raise


@transaction.atomic
def create_agreement(
    *,
    customer: Organisation,
    provider: Organisation,
    start_date: date,
    number: str | None = None,
    status: str = Agreement.Status.DRAFT,
    by=None,
    predecessor: Agreement | None = None,
    title: str = "",
    end_date: date | None = None,
    notice_period_months: int = 6,
    first_term_months: int = 24,
    renewal_months: int = 12,
    customer_signed_by=None,
    customer_signed_at: datetime | None = None,
    provider_signed_by=None,
    provider_signed_at: datetime | None = None,
) -> Agreement:
    """Create an agreement and grant its object permissions to the customer's and provider's role groups.

    An agreement created directly as active or ended (one carried over, signed on paper) records both
    signatures: the ones given, otherwise ``by`` at this moment.
    """
    if not customer.is_customer:
        raise ValidationError(_("%(org)s is geen afnemer.") % {"org": customer.name})
    if provider.kind not in (Organisation.Kind.PROVIDER, Organisation.Kind.LEGACY_PROVIDER):
        raise ValidationError(_("%(org)s is geen opdrachtnemer.") % {"org": provider.name})
    if end_date is not None and end_date < start_date:
        raise ValidationError(_("De einddatum ligt voor de ingangsdatum."))
    if number and Agreement.objects.filter(number=number).exists():
        raise ValidationError(_("Het overeenkomstnummer %(number)s bestaat al.") % {"number": number})
    if status in IN_FORCE:
        now = timezone.now()
        customer_signed_at = customer_signed_at or now
        provider_signed_at = provider_signed_at or now
        customer_signed_by = customer_signed_by or by
        provider_signed_by = provider_signed_by or by
    agreement = Agreement(
        number=number or next_agreement_number(customer=customer, start_date=start_date),
        customer=customer,
        provider=provider,
        title=title or _("Dienstverleningsovereenkomst %(customer)s") % {"customer": customer.name},
        start_date=start_date,
        end_date=end_date,
        status=status,
        notice_period_months=notice_period_months,
        first_term_months=first_term_months,
        renewal_months=renewal_months,
        customer_signed_by=customer_signed_by,
        customer_signed_at=customer_signed_at,
        provider_signed_by=provider_signed_by,
        provider_signed_at=provider_signed_at,
        predecessor=predecessor,
    )
    if predecessor is not None and Agreement.objects.filter(predecessor=predecessor).exists():
        raise ValidationError(_("Deze voorganger heeft al een opvolger."))
    agreement.full_clean(exclude=["signed_document"], validate_unique=False, validate_constraints=False)
    _check_no_overlap(agreement)
    if by is not None:
        agreement._history_user = by
    _save_checked(agreement)
    grant_agreement_permissions(agreement)
    return agreement


@transaction.atomic
def end_agreement(*, agreement: Agreement, end_date: date, by=None) -> Agreement:
    """Give the agreement an end date. It ends (status) once that date lies in the past."""
    agreement = Agreement.objects.select_for_update().select_related("customer").get(pk=agreement.pk)
    if agreement.status not in IN_FORCE:
        raise ValidationError(_("Alleen een actieve overeenkomst kan worden beëindigd."))
    if end_date < agreement.start_date:
        raise ValidationError(_("De einddatum ligt voor de ingangsdatum."))
    if agreement.billed_until and end_date < agreement.billed_until:
        raise ValidationError(
            _("Er is al gefactureerd tot en met %(date)s; de einddatum kan niet eerder liggen.")
            % {"date": agreement.billed_until.strftime("%d-%m-%Y")}
        )
    agreement.end_date = end_date
    if end_date < timezone.localdate():
        agreement.status = Agreement.Status.ENDED
    if by is not None:
        agreement._history_user = by
    agreement.save(update_fields=["end_date", "status"])
    return agreement


@transaction.atomic
def link_predecessor(*, agreement: Agreement, predecessor: Agreement, by=None, reason: str = "") -> Agreement:
    """Record that ``agreement`` succeeds ``predecessor`` (the transition links Servicepunt71's this way)."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.predecessor_id == predecessor.pk:
        return agreement
    if agreement.predecessor_id is not None:
        raise ValidationError(
            _("De overeenkomst %(number)s heeft al een andere voorganger.") % {"number": agreement.number}
        )
    if predecessor.pk == agreement.pk or predecessor.customer_id != agreement.customer_id:
        raise ValidationError(_("Een voorganger is een eerdere overeenkomst van dezelfde afnemer."))
    if Agreement.objects.filter(predecessor=predecessor).exists():
        raise ValidationError(_("Deze voorganger heeft al een opvolger."))
    if predecessor.end_date is None or predecessor.end_date >= agreement.start_date:
        raise ValidationError(_("De voorganger moet eindigen voordat deze overeenkomst ingaat."))
    agreement.predecessor = predecessor
    if by is not None:
        agreement._history_user = by
    agreement._change_reason = (reason or "")[:100]
    agreement.save(update_fields=["predecessor"])
    return agreement


@transaction.atomic
def record_billed_period(*, agreement: Agreement, period_end: date) -> Agreement:
    """Billing calls this when it issues an invoice: no change may take effect on or before this date."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.billed_until is None or period_end > agreement.billed_until:
        agreement.billed_until = period_end
        agreement.save(update_fields=["billed_until"])
    return agreement


def basic_services_for_year(year: int) -> list[Service]:
    return list(Service.objects.filter(offered_in_year(year), is_basic=True).order_by("code"))


def missing_basic_services(*, agreement: Agreement, year: int) -> list[Service]:
    present = set(agreement.lines.filter(year=year).values_list("service_id", flat=True))
    return [s for s in basic_services_for_year(year) if s.pk not in present]


def check_basic_package(*, agreement: Agreement, years=None) -> None:
    """Every year of the agreement holds every service of the basic package."""
    years = sorted(set(years if years is not None else agreement.lines.values_list("year", flat=True)))
    for year in years:
        missing = missing_basic_services(agreement=agreement, year=year)
        if missing:
            raise ValidationError(
                _("Het basispakket ontbreekt in %(year)s: %(services)s.")
                % {"year": year, "services": ", ".join(s.code for s in missing)}
            )


def _as_volume(value) -> Decimal:
    try:
        volume = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise ValidationError(_("Een afname is een getal.")) from exc
    if isinstance(value, float):
        raise ValidationError(_("Een afname is een getal."))
    if volume < 0:
        raise ValidationError(_("Een afname kan niet negatief zijn."))
    return volume


def _write_line(
    *,
    agreement: Agreement,
    service: Service,
    year: int,
    volume: Decimal | None,
    by=None,
    reason: str = "",
    change_request: ChangeRequest | None = None,
    existing: AgreementLine | None = None,
    effective_from: date | None = None,
) -> AgreementLine | None:
    """Create, update or (``volume`` None) delete one line, recording who, when, why and which request.

    ``effective_from`` (default 1 January of the year) is the day the new volume holds from; before it,
    within the year, the old volume held (``selectors.volumes_on`` derives the volume per date from it).
    """
    old = existing.volume if existing else None
    if existing is not None and volume is not None and existing.volume == volume:
        return existing
    if existing is None and volume is None:
        return None
    line = existing or AgreementLine(agreement=agreement, service=service, year=year)
    if by is not None:
        line._history_user = by
    line._change_reason = (reason or "")[:100]
    if volume is None:
        line.delete()
        result = None
    else:
        line.volume = volume
        line.save()
        result = line
    AgreementLineChange.objects.create(
        agreement=agreement,
        service=service,
        year=year,
        old_volume=old,
        new_volume=volume,
        change_request=change_request,
        reason=(reason or "")[:300],
        effective_from=effective_from or date(year, 1, 1),
        changed_by=by,
    )
    return result


@transaction.atomic
def set_line_volumes(
    *,
    agreement: Agreement,
    year: int,
    volumes: Mapping[Service, Decimal],
    by=None,
    reason: str = "",
    effective_from: date | None = None,
) -> list[AgreementLine]:
    """Create or update the lines of ``year`` (other services' lines stay); the history keeps every change.

    The new volumes hold from ``effective_from`` (default 1 January of ``year``, i.e. the whole year).
    Afterwards the year must hold the basic package.
    """
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if not 2000 <= int(year) <= 2100:
        raise ValidationError(_("Het jaar %(year)s ligt buiten 2000-2100.") % {"year": year})
    if effective_from is not None and effective_from.year != int(year):
        raise ValidationError(_("De ingangsdatum ligt niet in %(year)s.") % {"year": year})
    existing = {
        line.service_id: line
        for line in AgreementLine.objects.select_for_update().filter(agreement=agreement, year=year)
    }
    lines = []
    for service in sorted(volumes, key=lambda s: s.code):
        volume = _as_volume(volumes[service])
        lines.append(
            _write_line(
                agreement=agreement,
                service=service,
                year=year,
                volume=volume,
                by=by,
                reason=reason,
                existing=existing.get(service.pk),
                effective_from=effective_from,
            )
        )
    check_basic_package(agreement=agreement, years=[year])
    return lines


@transaction.atomic
def ensure_lines_for_year(*, agreement: Agreement, year: int, by=None) -> list[AgreementLine]:
    """The lines of ``year``; an agreement in force renews, so a year without lines gets them first.

    A year without lines takes the volumes of the latest earlier year with lines (services no longer
    offered in ``year`` are left out), each copy recorded in the history with the reason
    "Verlenging: afname van <jaar> overgenomen". Idempotent: a year with lines is left as it is; the
    agreement row is locked, so two calls at once copy once.
    """
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    year = int(year)
    lines = list(AgreementLine.objects.filter(agreement=agreement, year=year).select_related("service"))
    if lines or not is_in_force_in_year(agreement, year):
        return lines
    source_year = (
        AgreementLine.objects.filter(agreement=agreement, year__lt=year)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )
    if source_year is None:
        return []
    reason = _("Verlenging: afname van %(year)s overgenomen") % {"year": source_year}
    sources = (
        AgreementLine.objects.filter(
            offered_in_year(year, via="service__"), agreement=agreement, year=source_year
        )
        .select_related("service")
        .order_by("service__code")
    )
    for source in sources:
        line = _write_line(
            agreement=agreement,
            service=source.service,
            year=year,
            volume=source.volume,
            by=by,
            reason=reason,
            effective_from=date(year, 1, 1),
        )
        lines.append(line)
    return lines


@transaction.atomic
def submit_for_signature(*, agreement: Agreement, by=None) -> Agreement:
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.status != Agreement.Status.DRAFT:
        raise ValidationError(_("Alleen een concept kan ter ondertekening worden aangeboden."))
    if not agreement.lines.exists():
        raise ValidationError(_("Een overeenkomst zonder regels kan niet worden ondertekend."))
    check_basic_package(agreement=agreement)
    agreement.status = Agreement.Status.AWAITING_SIGNATURE
    if by is not None:
        agreement._history_user = by
    agreement.save(update_fields=["status"])
    return agreement


def _check_pdf(document: File) -> None:
    name = getattr(document, "name", "") or ""
    document.seek(0)
    head = document.read(5)
    document.seek(0)
    if not name.lower().endswith(".pdf") or head != b"%PDF-":
        raise ValidationError(_("De ondertekende overeenkomst moet een pdf-bestand zijn."))


@transaction.atomic
def sign_agreement(*, agreement: Agreement, side: str, by, document: File | None = None) -> Agreement:
    """Record one signature (``side`` is ``customer`` or ``provider``): who and when.

    With both signatures the agreement becomes active, provided no other agreement of the customer is in
    force in its period. ``document`` is the signed PDF.
    """
    agreement = Agreement.objects.select_for_update().select_related("customer").get(pk=agreement.pk)
    if agreement.status != Agreement.Status.AWAITING_SIGNATURE:
        raise ValidationError(_("Deze overeenkomst wacht niet op ondertekening."))
    if side not in ("customer", "provider"):
        raise ValidationError(_("Onbekende partij: %(side)s.") % {"side": side})
    if getattr(agreement, f"{side}_signed_at") is not None:
        raise ValidationError(_("Deze partij heeft al ondertekend."))
    now = timezone.now()
    setattr(agreement, f"{side}_signed_by", by)
    setattr(agreement, f"{side}_signed_at", now)
    if document is not None:
        _check_pdf(document)
        agreement.signed_document.save(f"{agreement.number}.pdf", document, save=False)
    if agreement.customer_signed_at and agreement.provider_signed_at:
        agreement.status = Agreement.Status.ACTIVE
        _check_no_overlap(agreement)
    agreement._history_user = by
    _save_checked(agreement)
    return agreement


# --- Change requests ------------------------------------------------------------------------------


def _is_period_start(day: date) -> bool:
    return Period.containing(day, granularity=settings.BILLING_PERIOD).start == day


def _validate_change(
    *, agreement: Agreement, kind: str, service: Service, volume, effective_from: date, by=None
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
        _renew_up_to(agreement=agreement, year=effective_from.year, by=by)
    line = AgreementLine.objects.filter(
        agreement=agreement, service=service, year=effective_from.year
    ).first()
    if kind in (ChangeRequest.Kind.ADD, ChangeRequest.Kind.CHANGE_VOLUME):
        if volume in (None, ""):
            add("volume", _("Vul de nieuwe afname in."))
        else:
            try:
                volume = _as_volume(volume)
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
    by,
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
    request._history_user = by
    request.save()
    grant_change_request_permissions(request)
    if notify:
        request_id = request.pk
        transaction.on_commit(lambda: send_change_request_mail(request_id=request_id, event="submitted"))
    return request


def _renew_up_to(*, agreement: Agreement, year: int, by=None) -> None:
    """Give every year after the last one with lines, up to ``year``, the volumes that run on."""
    last = (
        AgreementLine.objects.filter(agreement=agreement, year__lte=year)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )
    if last is None:
        return
    for renewal_year in range(last + 1, year + 1):
        ensure_lines_for_year(agreement=agreement, year=renewal_year, by=by)


def _apply_change(*, request: ChangeRequest, by) -> list[int]:
    """Change the lines from the request's year on, each change dated from the request's effective date;
    returns the years changed. The effective year has lines already (``_validate_change`` renews)."""
    agreement = request.agreement
    start_year = request.effective_from.year
    _renew_up_to(agreement=agreement, year=start_year, by=by)
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
        _write_line(
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
def approve_change_request(*, request: ChangeRequest, by, reason: str, notify: bool = True) -> ChangeRequest:
    """Approve and change the agreement's lines in the same transaction; the history names the request."""
    reason = _reason(reason)
    request = _lock_open_request(request)
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
def reject_change_request(*, request: ChangeRequest, by, reason: str, notify: bool = True) -> ChangeRequest:
    reason = _reason(reason)
    request = _lock_open_request(request)
    return _decide(request=request, by=by, reason=reason, status=ChangeRequest.Status.REJECTED, notify=notify)


def _decide(*, request: ChangeRequest, by, reason: str, status: str, notify: bool) -> ChangeRequest:
    request.status = status
    request.decided_by = by
    request.decided_at = timezone.now()
    request.decision_reason = reason
    request._history_user = by
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    if notify:
        request_id = request.pk
        transaction.on_commit(lambda: send_change_request_mail(request_id=request_id, event="decided"))
    return request


# --- E-mail ---------------------------------------------------------------------------------------


def _emails_of(*, organisation_ids, role: str) -> list[str]:
    user_ids = Membership.objects.filter(organisation_id__in=organisation_ids, role=role).values("user_id")
    return sorted(
        set(
            get_user_model()
            .objects.filter(pk__in=user_ids, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )


def send_change_request_mail(*, request_id: int, event: str) -> int:
    """E-mail on submission (to Leiden's staff, copy to the submitter) and on decision (to the customer's
    contract managers and the submitter). Runs after the commit; returns the number of recipients."""
    request = (
        ChangeRequest.objects.select_related("agreement", "agreement__customer", "service", "submitted_by")
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        return 0
    customer = request.agreement.customer
    submitter = [request.submitted_by.email] if request.submitted_by.email else []
    if event == "submitted":
        provider_ids = Organisation.objects.filter(kind=Organisation.Kind.PROVIDER).values("pk")
        recipients = _emails_of(organisation_ids=provider_ids, role=Role.PROVIDER_STAFF)
        subject = _("Nieuw wijzigingsverzoek van %(customer)s") % {"customer": customer.name}
    else:
        recipients = _emails_of(organisation_ids=[customer.pk], role=Role.CONTRACT_MANAGER)
        subject = _("Besluit over uw wijzigingsverzoek: %(status)s") % {
            "status": request.get_status_display().lower()
        }
    recipients = sorted(set(recipients) | set(submitter))
    if not recipients:
        return 0
    body = render_to_string(f"agreements/email/change_request_{event}.txt", {"request": request})
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    return len(recipients)


# --- Notice deadlines -----------------------------------------------------------------------------


def send_notice_reminders(*, today: date | None = None, lead_days: int | None = None) -> int:
    """E-mail the contract managers of every agreement whose notice deadline lies within the lead time,
    once per deadline. Safe to run twice a day: the second run finds every reminder recorded."""
    today = today or timezone.localdate()
    lead_days = settings.NOTICE_LEAD_DAYS if lead_days is None else lead_days
    sent = 0
    candidates = Agreement.objects.filter(status=Agreement.Status.ACTIVE, end_date__isnull=True).values_list(
        "pk", flat=True
    )
    for agreement_id in candidates:
        sent += _remind_of_notice_deadline(agreement_id=agreement_id, today=today, lead_days=lead_days)
    return sent


@transaction.atomic
def _remind_of_notice_deadline(*, agreement_id: int, today: date, lead_days: int) -> int:
    agreement = Agreement.objects.select_for_update().select_related("customer").get(pk=agreement_id)
    calendar = agreement_calendar(agreement, today=today)
    deadline = calendar.notice_deadline
    if deadline is None or (deadline - today).days > lead_days:
        return 0
    if NoticeReminder.objects.filter(agreement=agreement, deadline=deadline).exists():
        return 0
    recipients = _emails_of(organisation_ids=[agreement.customer_id], role=Role.CONTRACT_MANAGER)
    NoticeReminder.objects.create(agreement=agreement, deadline=deadline, recipients=", ".join(recipients))
    if recipients:
        subject = _("Uiterste opzegdatum %(date)s voor %(number)s") % {
            "date": deadline.strftime("%d-%m-%Y"),
            "number": agreement.number,
        }
        body = render_to_string(
            "agreements/email/notice_deadline.txt",
            {"agreement": agreement, "calendar": calendar, "days_left": (deadline - today).days},
        )
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    return 1
