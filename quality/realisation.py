"""The rules of service-level realisation, without the database (DESIGN rule 10).

A quarter's (or year's) value is the mean of the monthly values measured in it, rounded half-up to two
decimals, in Decimal. The verdict compares that value with the norm of the service and year: reaching
the norm exactly counts as met. Availability is held against ``availability_percent``, both call shares
against ``target_share_percent``, satisfaction against ``satisfaction_target``; the number of calls has
no norm and so no verdict.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

from .models import Kpi

MET, NOT_MET, NO_MEASUREMENT = "met", "not_met", "no_measurement"
VERDICT_LABELS = {
    MET: _("gehaald"),
    NOT_MET: _("niet gehaald"),
    NO_MEASUREMENT: _("geen meting"),
}
TWO_PLACES = Decimal("0.01")


def mean(values: Iterable[Decimal]) -> Decimal | None:
    """The mean of ``values`` rounded half-up to two decimals, or None when there are none."""
    values = [Decimal(v) for v in values]
    if not values:
        return None
    return (sum(values, Decimal(0)) / Decimal(len(values))).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def norm_of(service_level, kpi: str) -> Decimal | None:
    """The norm a KPI is held against in ``service_level`` (None: the KPI has no norm there)."""
    if service_level is None:
        return None
    if kpi == Kpi.AVAILABILITY:
        return service_level.availability_percent
    if kpi == Kpi.RESPONSE:
        return service_level.target_share_percent if service_level.response_hours is not None else None
    if kpi == Kpi.RESOLUTION:
        return service_level.target_share_percent if service_level.resolution_hours is not None else None
    if kpi == Kpi.SATISFACTION:
        return service_level.satisfaction_target
    return None


def verdict(value: Decimal | None, norm: Decimal | None) -> str | None:
    """``met`` when the value reaches the norm (exactly the norm included), ``not_met`` below it,
    ``no_measurement`` without a value; None when there is no norm to hold it against."""
    if norm is None:
        return None
    if value is None:
        return NO_MEASUREMENT
    return MET if value >= norm else NOT_MET


def has_norm(kpi: str) -> bool:
    return kpi != Kpi.CALLS
