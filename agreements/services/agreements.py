"""An agreement's lifecycle: create, offer for signature, sign, link a predecessor, end."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.history import Reason, record, save_with_history
from core.uploads import check_pdf
from tenants.models import Organisation
from tenants.roles import Role
from tenants.services import grant_object_permissions
from tenants.types import User

from ..models import Agreement
from ..selectors import IN_FORCE
from .lines import check_basic_package

AGREEMENT_PERMISSIONS = {
    Role.CONTRACT_MANAGER: ["view_agreement", "submit_change_request", "sign_agreement"],
    Role.FINANCE: ["view_agreement"],
    Role.PROVIDER_STAFF: ["view_agreement", "change_agreement", "sign_agreement"],
    Role.PROVIDER_FINANCE: ["view_agreement"],
}


def grant_agreement_permissions(*, agreement: Agreement) -> None:
    grant_object_permissions(obj=agreement, organisation=agreement.customer, perms=AGREEMENT_PERMISSIONS)


def next_agreement_number(*, customer: Organisation, start_date: date) -> str:
    code = customer.cbs_code or customer.slug.upper()[:8]
    base = f"DVO-{start_date.year}-{code}"
    number, suffix = base, 1
    while Agreement.objects.filter(number=number).exists():
        suffix += 1
        number = f"{base}-{suffix}"
    return number


def _overlaps(
    *, customer_id: int, start_date: date, end_date: date | None, exclude_pk: int | None = None
) -> bool:
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


def _save_checked(agreement: Agreement, *, update_fields: list[str] | None = None) -> None:
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
    by: User | None = None,
    predecessor: Agreement | None = None,
    title: str = "",
    end_date: date | None = None,
    notice_period_months: int = 6,
    first_term_months: int = 24,
    renewal_months: int = 12,
    customer_signed_by: User | None = None,
    customer_signed_at: datetime | None = None,
    provider_signed_by: User | None = None,
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
        # No title given: the standard one is rendered in the reader's language (``display_title``).
        title=title,
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
    record(agreement, by=by)
    _save_checked(agreement)
    grant_agreement_permissions(agreement=agreement)
    return agreement


@transaction.atomic
def end_agreement(*, agreement: Agreement, end_date: date, by: User | None = None) -> Agreement:
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
    return save_with_history(agreement, by=by, update_fields=["end_date", "status"])


@transaction.atomic
def link_predecessor(
    *, agreement: Agreement, predecessor: Agreement, by: User | None = None, reason: str | Reason = ""
) -> Agreement:
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
    return save_with_history(agreement, by=by, reason=reason, update_fields=["predecessor"])


@transaction.atomic
def submit_for_signature(*, agreement: Agreement, by: User | None = None) -> Agreement:
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.status != Agreement.Status.DRAFT:
        raise ValidationError(_("Alleen een concept kan ter ondertekening worden aangeboden."))
    if not agreement.lines.exists():
        raise ValidationError(_("Een overeenkomst zonder regels kan niet worden ondertekend."))
    check_basic_package(agreement=agreement)
    agreement.status = Agreement.Status.AWAITING_SIGNATURE
    return save_with_history(agreement, by=by, update_fields=["status"])


def _check_pdf(document: File) -> None:
    try:
        check_pdf(document)
    except ValidationError as error:
        raise ValidationError(
            _("De ondertekende overeenkomst moet een pdf-bestand zijn.") + " " + " ".join(error.messages)
        ) from error


@transaction.atomic
def sign_agreement(*, agreement: Agreement, side: str, by: User, document: File | None = None) -> Agreement:
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
    record(agreement, by=by)
    _save_checked(agreement)
    return agreement


#: The terms of an agreement that, once it is active, change only through :func:`change_agreement_terms`.
TERM_FIELDS = ("title", "notice_period_months", "first_term_months", "renewal_months")


@transaction.atomic
def change_agreement_terms(
    *,
    agreement: Agreement,
    by: User,
    reason: str,
    document: File | None = None,
    **terms,
) -> Agreement:
    """Change the terms (title, notice period, first term, renewal) or the signed document of an agreement
    after its signing; the history records who, when and why. Billed periods and lines are not touched."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Geef een reden voor de wijziging.")]})
    unknown = set(terms) - set(TERM_FIELDS)
    if unknown:
        raise ValidationError(_("Onbekende voorwaarde: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    changed = []
    for field, value in terms.items():
        if value is not None and getattr(agreement, field) != value:
            setattr(agreement, field, value)
            changed.append(field)
    if document is not None:
        _check_pdf(document)
        agreement.signed_document.save(f"{agreement.number}.pdf", document, save=False)
        changed.append("signed_document")
    if not changed:
        raise ValidationError(_("Er is niets gewijzigd."))
    agreement.full_clean(exclude=["customer", "provider", "predecessor"])
    return save_with_history(agreement, by=by, reason=reason, update_fields=changed)
