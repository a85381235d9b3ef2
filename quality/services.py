"""Every write of the quality app: measurements (file, portal upload, API), explanations of breaches,
and the quarterly reports with their e-mail."""

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
from core.history import create_many, delete_with_history, save_with_history, update_many
from core.periods import Period
from core.tasks import enqueue
from core.validators import control_character_message, first_control_character
from services.models import Service
from tenants.models import Organisation

from .models import (
    PERCENT_KPIS,
    VALUE_DECIMAL_PLACES,
    VALUE_MAX_DIGITS,
    BreachNote,
    Kpi,
    Measurement,
    QuarterlyReport,
)
from .realisation import NOT_MET
from .selectors import FIRST_YEAR, last_full_quarter, realisation

COLUMNS = ("gemeente", "dienstcode", "maand", "kpi", "waarde")
_MONTH = re.compile(r"^([0-9]{4})-([0-9]{2})$")  # ASCII digits only, as core.csvinput
MAX_COUNT = Decimal(10) ** (VALUE_MAX_DIGITS - VALUE_DECIMAL_PLACES) - 1
NOTIFY_TASK = "quality.send_report_notification_task"


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
    lookup = {}
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


def _read_row(row: CsvRow, customers, services, today) -> tuple | None:
    for column in COLUMNS:  # the shared rule (core.validators), for every column, text or not
        if found := first_control_character(row.values.get(column, "")):
            row.problem(column, control_character_message(*found))
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
    value = row.decimal("waarde", minimum=Decimal(0), field=Measurement._meta.get_field("value"))
    if value is not None and kpi and (reason := value_problem(kpi, value)):
        row.problem("waarde", reason)
        value = None
    if row.problems or None in (customer, service, month, value) or not kpi:
        return None
    return customer, service, month, kpi, value


@transaction.atomic
def import_measurements(
    *, source: bytes | str | Path, name: str | None = None, by=None, today: date | None = None
) -> ImportResult:
    """Read ``gemeente, dienstcode, maand, kpi, waarde``; every bad row reported, all or nothing.

    Re-importing a month replaces that month's values of each municipality and service in the file:
    changed values are updated, KPIs the new file no longer has are removed, each with a history row.
    """
    customers = _customer_lookup()
    services = {s.code.upper(): s for s in Service.objects.all()}
    today = today or timezone.localdate()
    problems: list[Problem] = []
    parsed: dict[tuple[int, int, date, str], tuple] = {}
    first_row: dict[tuple[int, int, date, str], int] = {}
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


def _replace_months(parsed: dict, *, file_name: str, by) -> ImportResult:
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
    reason = _("Import %(file)s") % {"file": file_name}
    source = file_name[:200]
    new, changed = [], []
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
    *, customer: Organisation, service: Service, month: date, kpi: str, value: Decimal, by=None, source="api"
) -> tuple[Measurement, bool]:
    """One monthly value from a service-management system; a second value for the same month replaces
    the first (with history). Validated like a row of the file."""
    errors = {}
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
    if created:
        measurement = Measurement(customer=customer, service=service, month=month, kpi=kpi)
    elif measurement.value == value:
        return measurement, False
    measurement.value, measurement.source = value, str(source)[:200]
    save_with_history(measurement, by=by, reason=_("Meting via de API") if source == "api" else source)
    return measurement, created


# --- Explanations of breaches ---------------------------------------------------------------------


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
    by=None,
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
    save_with_history(note, by=by, reason=_("Toelichting op een afwijking"))
    return note


# --- Quarterly reports ----------------------------------------------------------------------------


@transaction.atomic
def issue_quarterly_report(
    *, customer: Organisation, period: Period, by=None, notify: bool = True, now=None
) -> tuple[QuarterlyReport, bool]:
    """Issue the report of ``customer`` for a finished quarter, once: a second call returns the stored
    report unchanged. The figures and the HTML are stored as they are now, so the report never changes.
    The customer's contract managers are e-mailed from a task after the commit."""
    from .reports import build_figures, render_report_html

    if period.kind != "quarter":
        raise ValidationError(_("Een kwartaalrapportage hoort bij een kwartaal, bijvoorbeeld 2025-Q1."))
    now = now or timezone.now()
    if period.end >= timezone.localtime(now).date():
        raise ValidationError(
            _("Het kwartaal %(period)s is nog niet voorbij.") % {"period": f"{period.year}-Q{period.quarter}"}
        )
    Organisation.objects.select_for_update().filter(pk=customer.pk).first()
    existing = QuarterlyReport.objects.filter(
        customer=customer, year=period.year, quarter=period.quarter
    ).first()
    if existing is not None:
        return existing, False
    figures = build_figures(customer=customer, period=period, issued_at=now)
    report = QuarterlyReport.objects.create(
        customer=customer,
        year=period.year,
        quarter=period.quarter,
        issued_at=now,
        issued_by=by if getattr(by, "is_authenticated", False) else None,
        figures=figures,
        html=render_report_html(figures),
    )
    if notify:
        enqueue(NOTIFY_TASK, report_id=report.pk)
    return report, True


def generate_quarterly_reports(
    *, today: date | None = None, period: Period | None = None, by=None, notify: bool = True
) -> list[QuarterlyReport]:
    """The reports of the last full quarter (or ``period``) for every customer that has none yet.

    Run daily by beat: the first run after a quarter ends issues them, later runs find them issued."""
    today = today or timezone.localdate()
    period = period or last_full_quarter(today)
    created = []
    for customer in customers_to_bill().filter(active_from__lte=period.end):
        report, is_new = issue_quarterly_report(customer=customer, period=period, by=by, notify=notify)
        if is_new:
            created.append(report)
    return created


def send_report_notification(*, report_id: int) -> int:
    """E-mail the customer's contract managers that a report is out; once per report (the guarded update
    claims it). Returns the number of recipients."""
    from django.conf import settings
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.urls import reverse
    from django.utils import translation

    from tenants.models import Membership
    from tenants.roles import Role

    claimed = QuarterlyReport.objects.filter(pk=report_id, notified_at__isnull=True).update(
        notified_at=timezone.now()
    )
    if not claimed:
        return 0
    report = QuarterlyReport.objects.select_related("customer").get(pk=report_id)
    recipients = sorted(
        {
            email
            for email in Membership.objects.filter(
                organisation=report.customer, role=Role.CONTRACT_MANAGER
            ).values_list("user__email", flat=True)
            if email
        }
    )
    if not recipients:
        return 0
    with translation.override("nl"):
        context = {"report": report, "path": reverse("quality:report_detail", kwargs={"pk": report.pk})}
        subject = _("Kwartaalrapportage %(period)s voor %(org)s") % {
            "period": report.period_label,
            "org": report.customer.name,
        }
        body = render_to_string("quality/email/report_issued.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    return len(recipients)
