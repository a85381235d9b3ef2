"""Monthly service-level measurements written: from the file, the portal upload and the API, validated
alike; a re-import replaces a month's values with history."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.selectors import customers_to_bill
from core.csvinput import CsvProblems, CsvRow, Problem, read_csv
from core.history import Reason, create_many, delete_with_history, save_with_history, update_many
from services.models import Service
from tenants.models import Organisation
from tenants.types import User

from ..models import (
    PERCENT_KPIS,
    VALUE_DECIMAL_PLACES,
    VALUE_MAX_DIGITS,
    Kpi,
    Measurement,
)
from ..selectors import FIRST_YEAR

COLUMNS = ("gemeente", "dienstcode", "maand", "kpi", "waarde")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
MAX_COUNT = Decimal(10) ** (VALUE_MAX_DIGITS - VALUE_DECIMAL_PLACES) - 1


#: a valid row of the measurement file: customer, service, month, KPI and value
ParsedRow = tuple[Organisation, Service, date, str, Decimal]
#: one measurement: customer id, service id, month and KPI
MeasurementKey = tuple[int, int, date, str]


# --- Validation shared by the file, the upload and the API -----------------------------------------


def first_month() -> date:
    return date(FIRST_YEAR, 1, 1)


def value_problem(kpi: str, value: Decimal) -> str | None:
    """Why ``value`` cannot be a monthly value of ``kpi`` (None when it can)."""
    if value != value.quantize(Decimal(1).scaleb(-VALUE_DECIMAL_PLACES)):
        return _("'%(value)s' heeft meer dan %(places)s decimalen") % {
            "value": value,
            "places": VALUE_DECIMAL_PLACES,
        }
    if kpi in PERCENT_KPIS and not Decimal(0) <= value <= Decimal(100):
        return _("'%(value)s' is geen percentage van 0 tot en met 100") % {"value": value}
    if kpi == Kpi.SATISFACTION and not Decimal(1) <= value <= Decimal(10):
        return _("'%(value)s' is geen cijfer van 1 tot en met 10") % {"value": value}
    if kpi == Kpi.CALLS:
        if value != value.to_integral_value():
            return _("'%(value)s' is geen geheel aantal meldingen") % {"value": value}
        if not Decimal(0) <= value <= MAX_COUNT:
            return _("'%(value)s' ligt niet tussen 0 en %(max)s") % {"value": value, "max": MAX_COUNT}
    return None


def month_problem(month: date, *, today: date | None = None) -> str | None:
    today = today or timezone.localdate()
    if month < first_month():
        return _("%(month)s ligt vóór %(first)s: Leiden levert de diensten sinds 1 januari 2023") % {
            "month": f"{month:%Y-%m}",
            "first": f"{first_month():%Y-%m}",
        }
    if month > today.replace(day=1):
        return _("%(month)s ligt in de toekomst") % {"month": f"{month:%Y-%m}"}
    return None


def parse_month(raw: str) -> date | None:
    match = _MONTH.match(raw.strip())
    if not match or not 1 <= int(match[2]) <= 12:
        return None
    return date(int(match[1]), int(match[2]), 1)


def _customer_lookup() -> dict[str, Organisation]:
    lookup: dict[str, Organisation] = {}
    for org in customers_to_bill():
        for key in (org.name, org.name.removeprefix("Gemeente ").strip(), org.slug, org.cbs_code):
            if key:
                lookup[key.lower()] = org
    return lookup


# --- Import ---------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    file: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0


def _read_row(
    row: CsvRow, customers: dict[str, Organisation], services: dict[str, Service], today: date
) -> ParsedRow | None:
    for column in COLUMNS:
        if _CONTROL.search(row.values.get(column, "")):
            row.problem(column, _("bevat een stuurteken"))
    if row.problems:
        return None
    gemeente = row.text("gemeente", max_length=100)
    code = row.text("dienstcode", max_length=20)
    raw_month = row.text("maand", max_length=7)
    raw_kpi = row.text("kpi", max_length=30)
    customer = customers.get(gemeente.lower()) if gemeente else None
    if gemeente and customer is None:
        row.problem(
            "gemeente", _("'%(value)s' is geen bekende gemeente (naam of CBS-code)") % {"value": gemeente}
        )
    service = services.get(code.upper()) if code else None
    if code and service is None:
        row.problem("dienstcode", _("'%(code)s' staat niet in de catalogus") % {"code": code})
    month = None
    if raw_month:
        month = parse_month(raw_month)
        if month is None:
            row.problem("maand", _("'%(value)s' is geen maand (gebruik 2025-03)") % {"value": raw_month})
        elif reason := month_problem(month, today=today):
            row.problem("maand", reason)
            month = None
    kpi = raw_kpi.strip().lower() if raw_kpi else ""
    if raw_kpi and kpi not in Kpi.values:
        row.problem(
            "kpi",
            _("'%(value)s' is geen kpi (kies uit %(choices)s)")
            % {"value": raw_kpi, "choices": ", ".join(Kpi.values)},
        )
        kpi = ""
    value = row.decimal("waarde", minimum=Decimal(0))
    exponent = value.as_tuple().exponent if value is not None else 0
    if value is not None and isinstance(exponent, int) and exponent < -VALUE_DECIMAL_PLACES:
        row.problem(
            "waarde",
            _("'%(value)s' heeft meer dan %(places)s decimalen")
            % {"value": row.values.get("waarde", "").strip(), "places": VALUE_DECIMAL_PLACES},
        )
        value = None
    if value is not None and kpi and (reason := value_problem(kpi, value)):
        row.problem("waarde", reason)
        value = None
    if row.problems or customer is None or service is None or month is None or value is None or not kpi:
        return None
    return customer, service, month, kpi, value


@transaction.atomic
def import_measurements(
    *, source: bytes | str | Path, name: str | None = None, by: User | None = None, today: date | None = None
) -> ImportResult:
    """Read ``gemeente, dienstcode, maand, kpi, waarde``; every bad row reported, all or nothing.

    Re-importing a month replaces that month's values of each municipality and service in the file:
    changed values are updated, KPIs the new file no longer has are removed, each with a history row.
    """
    customers = _customer_lookup()
    services = {s.code.upper(): s for s in Service.objects.all()}
    today = today or timezone.localdate()
    problems: list[Problem] = []
    parsed: dict[MeasurementKey, ParsedRow] = {}
    first_row: dict[MeasurementKey, int] = {}
    file_name = name or (Path(source).name if isinstance(source, str | Path) else "upload.csv")
    rows = 0
    for row in read_csv(source, name=name, columns=COLUMNS):
        rows += 1
        file_name = row.file
        values = _read_row(row, customers, services, today)
        if values is not None:
            customer, service, month, kpi, _value = values
            key = (customer.pk, service.pk, month, kpi)
            if key in first_row:
                row.problem(
                    "kpi",
                    _("'%(kpi)s' van %(code)s in %(month)s staat al op rij %(row)s")
                    % {"kpi": kpi, "code": service.code, "month": f"{month:%Y-%m}", "row": first_row[key]},
                )
            else:
                first_row[key] = row.number
                parsed[key] = values
        problems.extend(row.problems)
    if rows == 0:
        raise CsvProblems([Problem(file_name, 1, "-", _("geen gegevensregels"))])
    if problems:
        raise CsvProblems(problems)
    return _replace_months(parsed, file_name=file_name, by=by)


def _replace_months(
    parsed: dict[MeasurementKey, ParsedRow], *, file_name: str, by: User | None
) -> ImportResult:
    result = ImportResult(file=file_name, rows=len(parsed))
    scopes = {(c.pk, s.pk, m) for c, s, m, _k, _v in parsed.values()}
    customer_ids = {c for c, _s, _m in scopes}
    months = {m for _c, _s, m in scopes}
    existing = {
        (m.customer_id, m.service_id, m.month, m.kpi): m
        for m in Measurement.objects.select_for_update().filter(
            customer_id__in=customer_ids, month__in=months
        )
        if (m.customer_id, m.service_id, m.month) in scopes
    }
    reason = Reason("measurement_import", file=file_name)
    source = file_name[:200]
    new: list[Measurement] = []
    changed: list[Measurement] = []
    for key, (customer, service, month, kpi, value) in parsed.items():
        current = existing.pop(key, None)
        if current is None:
            new.append(
                Measurement(
                    customer=customer, service=service, month=month, kpi=kpi, value=value, source=source
                )
            )
        elif current.value != value:
            current.value, current.source = value, source
            changed.append(current)
        else:
            result.unchanged += 1
    for stale in existing.values():
        delete_with_history(stale, by=by, reason=reason)
    create_many(new, Measurement, by=by, reason=reason)
    update_many(changed, Measurement, ["value", "source"], by=by, reason=reason)
    result.created, result.updated, result.removed = len(new), len(changed), len(existing)
    return result


@transaction.atomic
def record_measurement(
    *,
    customer: Organisation,
    service: Service,
    month: date,
    kpi: str,
    value: Decimal,
    by: User | None = None,
    source: str = "api",
) -> tuple[Measurement, bool]:
    """One monthly value from a service-management system; a second value for the same month replaces
    the first (with history). Validated like a row of the file."""
    errors: dict[str, list[str]] = {}
    if not customers_to_bill().filter(pk=customer.pk).exists():
        errors["customer"] = [_("%(org)s is geen afnemer.") % {"org": customer.name}]
    if kpi not in Kpi.values:
        errors["kpi"] = [_("'%(value)s' is geen kpi.") % {"value": kpi}]
    elif reason := value_problem(kpi, value):
        errors["value"] = [reason]
    if month.day != 1:
        errors["month"] = [_("Een maand begint op de eerste dag.")]
    elif reason := month_problem(month):
        errors["month"] = [reason]
    if errors:
        raise ValidationError(errors)
    measurement = (
        Measurement.objects.select_for_update()
        .filter(customer=customer, service=service, month=month, kpi=kpi)
        .first()
    )
    created = measurement is None
    if measurement is None:
        measurement = Measurement(customer=customer, service=service, month=month, kpi=kpi)
    elif measurement.value == value:
        return measurement, False
    measurement.value, measurement.source = value, str(source)[:200]
    save_with_history(measurement, by=by, reason=Reason("measurement_api") if source == "api" else source)
    return measurement, created
