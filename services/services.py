"""Every write of the catalogue: tariffs, their lock, indexation."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.history import Reason, create_many, record, update_many
from core.money import to_cents
from core.years import MAX_YEAR, MIN_YEAR
from tenants.types import User

from .models import Service, ServiceLevel, Tariff


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
    update_many(locked, Tariff, ["locked_at"], reason=Reason("tariff_locked"))
    return len(locked)


def indexed_price(unit_price: Decimal, percent: Decimal) -> Decimal:
    """``unit_price`` raised by ``percent`` %, rounded half-up to cents (the one indexation rule)."""
    return to_cents(Decimal(unit_price) * (Decimal(100) + Decimal(percent)) / Decimal(100))


def _as_percent(percent) -> Decimal:
    if isinstance(percent, float):
        raise ValidationError(_("Geef het percentage als decimaal getal, niet als float."))
    try:
        value = Decimal(str(percent).strip().replace(",", "."))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(_("Het percentage %(value)s is geen getal.") % {"value": percent}) from exc
    if not value.is_finite():
        raise ValidationError(_("Het percentage %(value)s is geen getal.") % {"value": percent})
    if value <= Decimal(-100) or value > Decimal(100):
        raise ValidationError(_("Het percentage moet tussen -100 en 100 liggen."))
    return value


def _check_years(from_year: int, to_year: int) -> None:
    for year in (from_year, to_year):
        if not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
            raise ValidationError(
                _("Het jaar %(year)s ligt niet tussen %(min)s en %(max)s.")
                % {"year": year, "min": MIN_YEAR, "max": MAX_YEAR}
            )
    if to_year <= from_year:
        raise ValidationError(
            _("Het doeljaar %(to)s moet na het basisjaar %(from)s liggen.")
            % {"to": to_year, "from": from_year}
        )


@transaction.atomic
def index_tariffs(
    *, from_year: int, to_year: int, percent: Decimal | str | int, by: User | None = None
) -> list[Tariff]:
    """Create the tariffs of ``to_year`` from those of ``from_year``, raised by ``percent`` %.

    Each new unit price is rounded half-up to cents. Refuses when ``to_year`` already has any tariff
    (indexation is done once per year, before that year is billed) or when ``from_year`` has none.
    Services that end before ``to_year`` starts get no new tariff. ``by`` is recorded in the history.
    """
    percent = _as_percent(percent)
    _check_years(from_year, to_year)
    # Lock the base year's rows so a concurrent edit of a base tariff cannot slip in between.
    base = list(
        Tariff.objects.select_for_update()
        .filter(year=from_year)
        .filter(Q(service__active_until__isnull=True) | Q(service__active_until__gte=date(to_year, 1, 1)))
        .order_by("service_id")
    )
    if Tariff.objects.filter(year=to_year).exists():
        raise ValidationError(
            _("Voor %(year)s bestaan al tarieven; indexatie maakt alleen tarieven voor een leeg jaar.")
            % {"year": to_year}
        )
    if not base:
        raise ValidationError(_("Er zijn geen tarieven voor %(year)s om te indexeren.") % {"year": from_year})
    new = [
        Tariff(service_id=t.service_id, year=to_year, unit_price=indexed_price(t.unit_price, percent))
        for t in base
    ]
    try:
        with transaction.atomic():
            create_many(
                new,
                Tariff,
                by=by,
                reason=Reason(
                    "indexation", **{"from": from_year, "to": to_year, "percent": Decimal(percent)}
                ),
            )
    except IntegrityError as exc:
        # Two indexations at once: the unique constraint lets only one through.
        raise ValidationError(
            _("Voor %(year)s bestaan al tarieven; indexatie maakt alleen tarieven voor een leeg jaar.")
            % {"year": to_year}
        ) from exc
    return list(Tariff.objects.filter(year=to_year).select_related("service").order_by("service__code"))


@transaction.atomic
def save_tariff(*, tariff: Tariff, by: User | None = None) -> Tariff:
    """Create or change a tariff. A locked tariff (used on an issued invoice) never changes."""
    if tariff.pk is not None:
        stored = Tariff.objects.select_for_update().filter(pk=tariff.pk).first()
        if stored is not None and stored.is_locked:
            raise ValidationError(
                _("Dit tarief is gebruikt op een verzonden factuur en kan niet meer wijzigen.")
            )
    tariff.full_clean()
    record(tariff, by=by)
    tariff.save()
    return tariff


@transaction.atomic
def set_tariff(*, service: Service, year: int, unit_price: Decimal | str, by: User | None = None) -> Tariff:
    """The tariff of ``service`` in ``year`` by hand: created, or changed while it is not locked."""
    tariff = Tariff.objects.select_for_update().filter(service=service, year=year).first()
    if tariff is None:
        tariff = Tariff(service=service, year=year)
    tariff.unit_price = Decimal(unit_price)
    return save_tariff(tariff=tariff, by=by)


@transaction.atomic
def delete_tariff(*, tariff: Tariff, by: User | None = None) -> None:
    """Remove a tariff that no issued invoice used."""
    stored = Tariff.objects.select_for_update().get(pk=tariff.pk)
    if stored.is_locked:
        raise ValidationError(
            _("Dit tarief is gebruikt op een verzonden factuur en kan niet worden verwijderd.")
        )
    record(stored, by=by)
    stored.delete()


@transaction.atomic
def save_service(*, service: Service, by: User | None = None) -> Service:
    service.full_clean()
    record(service, by=by)
    service.save()
    return service


@transaction.atomic
def save_service_level(*, service_level: ServiceLevel, by: User | None = None) -> ServiceLevel:
    service_level.full_clean()
    record(service_level, by=by)
    service_level.save()
    return service_level
