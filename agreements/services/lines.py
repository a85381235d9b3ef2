"""An agreement's lines: volumes per service and year, the basic package, renewal into a new year, and
the date up to which billing has charged them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.history import delete_with_history, save_with_history
from core.money import format_decimal_nl
from core.texts import Reason, store
from core.years import MAX_YEAR, MIN_YEAR, is_valid_year
from services.models import Service
from tenants.types import User

from ..models import Agreement, AgreementLine, AgreementLineChange, ChangeRequest
from ..selectors import in_force_in_year, is_in_force_in_year, missing_basic_services, offered_in_year


def check_basic_package(*, agreement: Agreement, years: Iterable[int] | None = None) -> None:
    """Every year of the agreement holds every service of the basic package."""
    years = sorted(set(years if years is not None else agreement.lines.values_list("year", flat=True)))
    for year in years:
        missing = missing_basic_services(agreement=agreement, year=year)
        if missing:
            raise ValidationError(
                _("Het basispakket ontbreekt in %(year)s: %(services)s.")
                % {"year": year, "services": ", ".join(s.code for s in missing)}
            )


def parse_volume(value: Any) -> Decimal:
    """A volume as a Decimal from 0 to ``settings.MAX_VOLUME_PER_SERVICE`` with at most four decimals
    (the database field holds 14 digits, 4 of them decimals); a float, text that is no number, a
    negative or too large number is refused."""
    try:
        volume = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise ValidationError(_("Een afname is een getal.")) from exc
    if isinstance(value, float) or not volume.is_finite():
        raise ValidationError(_("Een afname is een getal."))
    if volume < 0:
        raise ValidationError(_("Een afname kan niet negatief zijn."))
    maximum = Decimal(settings.MAX_VOLUME_PER_SERVICE)
    if volume > maximum:
        raise ValidationError(
            _("Een afname is hoogstens %(max)s eenheden.") % {"max": format_decimal_nl(maximum)}
        )
    if volume != volume.quantize(Decimal("0.0001")):
        raise ValidationError(_("Een afname heeft hoogstens vier cijfers achter de komma."))
    return volume


def write_line(
    *,
    agreement: Agreement,
    service: Service,
    year: int,
    volume: Decimal | None,
    by: User | None = None,
    reason: str | Reason = "",
    change_request: ChangeRequest | None = None,
    existing: AgreementLine | None = None,
    effective_from: date | None = None,
    when: datetime | None = None,
) -> AgreementLine | None:
    """Create, update or (``volume`` None) delete one line, recording who, when, why and which request.

    ``effective_from`` (default 1 January of the year) is the day the new volume holds from; before it,
    within the year, the old volume held (``selectors.volumes_on`` derives the volume per date from it).
    Called inside the caller's transaction, with the agreement locked.
    """
    old = existing.volume if existing else None
    if existing is not None and volume is not None and existing.volume == volume:
        return existing
    if existing is None and volume is None:
        return None
    line = existing or AgreementLine(agreement=agreement, service=service, year=year)
    if volume is None:
        delete_with_history(line, by=by, reason=reason, when=when)
        result = None
    else:
        line.volume = volume
        result = save_with_history(line, by=by, reason=reason, when=when)
    AgreementLineChange.objects.create(
        agreement=agreement,
        service=service,
        year=year,
        old_volume=old,
        new_volume=volume,
        change_request=change_request,
        reason=store(reason, 300),
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
    by: User | None = None,
    reason: str | Reason = "",
    effective_from: date | None = None,
    when: datetime | None = None,
) -> list[AgreementLine | None]:
    """Create or update the lines of ``year`` (other services' lines stay); the history keeps every change.

    The new volumes hold from ``effective_from`` (default 1 January of ``year``, i.e. the whole year).
    Afterwards the year must hold the basic package.
    """
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if not is_valid_year(int(year)):
        raise ValidationError(
            _("Het jaar %(year)s ligt buiten %(min)s-%(max)s.")
            % {"year": year, "min": MIN_YEAR, "max": MAX_YEAR}
        )
    if effective_from is not None and effective_from.year != int(year):
        raise ValidationError(_("De ingangsdatum ligt niet in %(year)s.") % {"year": year})
    existing = {
        line.service_id: line
        for line in AgreementLine.objects.select_for_update().filter(agreement=agreement, year=year)
    }
    lines: list[AgreementLine | None] = []
    for service in sorted(volumes, key=lambda s: s.code):
        volume = parse_volume(volumes[service])
        lines.append(
            write_line(
                agreement=agreement,
                service=service,
                year=year,
                volume=volume,
                by=by,
                reason=reason,
                existing=existing.get(service.pk),
                effective_from=effective_from,
                when=when,
            )
        )
    check_basic_package(agreement=agreement, years=[year])
    return lines


@transaction.atomic
def ensure_lines_for_year(*, agreement: Agreement, year: int, by: User | None = None) -> list[AgreementLine]:
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
    reason = Reason("renewal", year=source_year)
    sources = (
        AgreementLine.objects.filter(
            offered_in_year(year, via="service__"), agreement=agreement, year=source_year
        )
        .select_related("service")
        .order_by("service__code")
    )
    for source in sources:
        line = write_line(
            agreement=agreement,
            service=source.service,
            year=year,
            volume=source.volume,
            by=by,
            reason=reason,
            effective_from=date(year, 1, 1),
        )
        if line is not None:
            lines.append(line)
    return lines


def renew_up_to(*, agreement: Agreement, year: int, by: User | None = None) -> None:
    """Give every year after the last one with lines, up to ``year``, the volumes that run on."""
    last = (
        AgreementLine.objects.filter(agreement=agreement, year__lte=year)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )
    if last is None:
        return
    # Renewal carries the volumes over by the agreement's own terms: the system does it, whoever's
    # action (a change request for a later year) made it happen now.
    for renewal_year in range(last + 1, year + 1):
        ensure_lines_for_year(agreement=agreement, year=renewal_year, by=None)


def renew_agreements(*, year: int, by: User | None = None) -> int:
    """Give every agreement in force in ``year`` that has no lines for it yet its lines for ``year``
    (``ensure_lines_for_year``: the latest earlier year's volumes). Returns how many agreements renewed.

    Idempotent: an agreement that already has lines for ``year`` is left alone, so a second run (or the
    yearly task on 1 December and again on 1 January) renews nothing. Each agreement renews in a
    transaction of its own, so one refusal does not hold back the others' renewal.
    """
    year = int(year)
    candidates = (
        Agreement.objects.filter(in_force_in_year(year))
        .exclude(lines__year=year)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    renewed = 0
    for agreement_id in list(candidates):
        if ensure_lines_for_year(agreement=Agreement(pk=agreement_id), year=year, by=by):
            renewed += 1
    return renewed


@transaction.atomic
def lock_agreement(*, agreement_id: int) -> Agreement:
    """Lock an agreement's row until the transaction ends: the first lock of every write that touches
    an agreement and its invoices or lines (the lock order, docs/rules.md)."""
    return Agreement.objects.select_for_update().get(pk=agreement_id)


def record_billed_period(*, agreement: Agreement, period_end: date) -> Agreement:
    """Billing calls this when it issues an invoice: no change may take effect on or before this date."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.billed_until is None or period_end > agreement.billed_until:
        agreement.billed_until = period_end
        agreement.save(update_fields=["billed_until"])
    return agreement
