"""The quarterly service report (*kwartaalrapportage*): its figures, its HTML and its PDF.

The figures are gathered once, when the report is issued, into plain JSON (amounts and values as strings
with a decimal point) and stored with the HTML rendered from them; pages and PDFs are made from that
snapshot. Costs come from billing (invoiced amounts) and from ``agreements.selectors.year_costs`` (the
one yearly cost, DESIGN rule 8).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.db.models import Q, Sum
from django.template.loader import render_to_string
from django.utils import timezone, translation

from agreements.models import ChangeRequest
from agreements.selectors import agreement_in_force, calendar_of, year_costs
from billing.models import Invoice
from core.money import to_cents
from core.pdf import render_pdf
from core.periods import Period
from tenants.models import Organisation

from .selectors import realisation

REPORT_TEMPLATE = "quality/report_body.html"
PDF_TEMPLATE = "quality/report_pdf.html"


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{to_cents(value):.2f}"


def _number(value: Decimal | None) -> str | None:
    return None if value is None else format(Decimal(value).normalize(), "f")


def _day(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    return value.isoformat()


def _invoiced(customer: Organisation, year: int, start: date, end: date) -> Decimal:
    total = (
        Invoice.objects.filter(customer=customer, year=year, issue_date__gte=start, issue_date__lte=end)
        .exclude(status=Invoice.Status.DRAFT)
        .aggregate(total=Sum("net_total"))["total"]
    )
    return total or Decimal("0.00")


def _request(cr: ChangeRequest) -> dict:
    return {
        "id": cr.pk,
        "kind": cr.kind,
        "kind_label": str(cr.get_kind_display()),
        "service": cr.service.code,
        "service_name": cr.service.name,
        "volume": _number(cr.volume),
        "effective_from": _day(cr.effective_from),
        "status": cr.status,
        "status_label": str(cr.get_status_display()),
        "submitted_at": _day(cr.submitted_at),
        "decided_at": _day(cr.decided_at),
        "decision_reason": cr.decision_reason,
    }


def build_figures(*, customer: Organisation, period: Period, issued_at: datetime) -> dict:
    """Everything the report states, as JSON: costs, volumes, changes, the scorecard, the calendar."""
    with translation.override("nl"):
        return _build_figures(customer=customer, period=period, issued_at=issued_at)


def _build_figures(*, customer: Organisation, period: Period, issued_at: datetime) -> dict:
    start, end = period.start, period.end
    agreement = agreement_in_force(customer=customer, on=end) or agreement_in_force(
        customer=customer, on=start
    )
    figures: dict = {
        "customer": {"name": customer.name, "slug": customer.slug, "cbs_code": customer.cbs_code},
        "period": {"year": period.year, "quarter": period.quarter, "start": _day(start), "end": _day(end)},
        "issued_at": issued_at.isoformat(),
        "agreement": None,
        "costs": None,
        "volumes": [],
        "approved_changes": [],
        "open_requests": [],
        "decided_requests": [],
        "calendar": None,
    }
    quarter_total = _invoiced(customer, period.year, start, end)
    year_to_date = _invoiced(customer, period.year, date(period.year, 1, 1), end)
    yearly_total = None
    if agreement is not None:
        figures["agreement"] = {"number": agreement.number, "start_date": _day(agreement.start_date)}
        costs = year_costs(agreement=agreement, year=period.year)
        yearly_total = costs.total
        for line in costs.lines:
            volume = next((v for p, v in line.periods if p.start <= start <= p.end), None)
            if volume is None:
                continue
            figures["volumes"].append(
                {
                    "service": line.service.code,
                    "service_name": line.service.name,
                    "unit": line.service.unit,
                    "volume": _number(volume),
                    "unit_price": _money(line.unit_price),
                    "year_amount": _money(line.amount),
                }
            )
        requests = list(
            ChangeRequest.objects.filter(agreement__customer=customer)
            .filter(
                Q(status=ChangeRequest.Status.SUBMITTED, submitted_at__date__lte=end)
                | Q(decided_at__date__gte=start, decided_at__date__lte=end)
            )
            .select_related("service")
            .order_by("submitted_at", "pk")
        )
        for cr in requests:
            decided_in_quarter = (
                cr.decided_at is not None and start <= timezone.localtime(cr.decided_at).date() <= end
            )
            if cr.status == ChangeRequest.Status.SUBMITTED:
                figures["open_requests"].append(_request(cr))
            elif decided_in_quarter:
                figures["decided_requests"].append(_request(cr))
                if cr.status == ChangeRequest.Status.APPROVED:
                    figures["approved_changes"].append(_request(cr))
        calendar = calendar_of(agreement, today=end)
        figures["calendar"] = {
            "transition_phase_end": _day(calendar.transition_phase_end),
            "next_renewal": _day(calendar.next_renewal),
            "notice_deadline": _day(calendar.notice_deadline),
            "notice_ends_term_on": _day(calendar.notice_ends_term_on),
            "end_date": _day(calendar.end_date),
        }
    share = None
    if yearly_total:
        share = str((year_to_date * 100 / yearly_total).quantize(Decimal(1)))
    figures["costs"] = {
        "invoiced_quarter": _money(quarter_total),
        "invoiced_year_to_date": _money(year_to_date),
        "yearly_total": _money(yearly_total),
        "year_to_date_percent": share,
    }
    card = realisation(customers=[customer], year=period.year, quarter=period.quarter)
    figures["scorecard"] = [
        {
            "service": cell.service.code,
            "service_name": cell.service.name,
            "kpi": cell.kpi,
            "kpi_label": str(cell.kpi_label),
            "value": _number(cell.value) if cell.value is not None else None,
            "norm": _number(cell.norm) if cell.norm is not None else None,
            "verdict": cell.verdict,
            "months": cell.months,
            "explanation": cell.note.explanation if cell.note else "",
            "remedy": cell.note.remedy if cell.note else "",
        }
        for cell in card.cells
    ]
    counts = card.counts()
    figures["scorecard_summary"] = {
        "met": counts.get("met", 0),
        "not_met": counts.get("not_met", 0),
        "no_measurement": counts.get("no_measurement", 0),
    }
    return figures


def _context(figures: dict) -> dict:
    def parse_day(value):
        return date.fromisoformat(value) if value else None

    def parse_amount(value):
        return Decimal(value) if value is not None else None

    rows = [
        {**row, "value": parse_amount(row["value"]), "norm": parse_amount(row["norm"])}
        for row in figures["scorecard"]
    ]
    return {
        "figures": figures,
        "scorecard": rows,
        "breaches": [row for row in rows if row["verdict"] == "not_met"],
        "costs": {k: parse_amount(v) for k, v in (figures["costs"] or {}).items()},
        "volumes": [
            {
                **v,
                "volume": parse_amount(v["volume"]),
                "unit_price": parse_amount(v["unit_price"]),
                "year_amount": parse_amount(v["year_amount"]),
            }
            for v in figures["volumes"]
        ],
        "calendar": {k: parse_day(v) for k, v in (figures["calendar"] or {}).items()},
        "requests": {
            key: [
                {
                    **r,
                    "effective_from": parse_day(r["effective_from"]),
                    "decided_at": parse_day(r["decided_at"]),
                    "submitted_at": parse_day(r["submitted_at"]),
                    "volume": parse_amount(r["volume"]),
                }
                for r in figures[key]
            ]
            for key in ("approved_changes", "open_requests", "decided_requests")
        },
        "issued_on": timezone.localtime(datetime.fromisoformat(figures["issued_at"])).date(),
        "period_start": parse_day(figures["period"]["start"]),
        "period_end": parse_day(figures["period"]["end"]),
    }


def render_report_html(figures: dict, *, language: str = "nl") -> str:
    """The report's body as HTML: stored in Dutch when issued (it is addressed to a Dutch council, and
    the PDF is that record); a reader in another language gets it rendered from the same figures."""
    with translation.override(language):
        return render_to_string(REPORT_TEMPLATE, _context(figures))


def render_report_pdf(report) -> bytes:
    """The PDF of an issued report, from its stored HTML."""
    with translation.override("nl"):
        html = render_to_string(PDF_TEMPLATE, {"report": report, "body": report.html})
    return render_pdf(html)


def report_pdf_filename(report) -> str:
    return f"kwartaalrapportage-{report.customer.slug}-{report.year}-Q{report.quarter}.pdf"
