"""Quality pages: scorecards and a service's trend for customers and Leiden, the measurement upload and
breach explanations for Leiden's staff, the quarterly reports, and the open tariff register.

Reads come from selectors scoped to the user, writes from services; a role that may not use a page
gets 404, as does another municipality's report.
"""

from __future__ import annotations

import csv
import io
import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, FormView, ListView, TemplateView

from core.csvinput import CsvProblems
from core.exports import safe_row
from core.periods import Period
from services.models import Service
from tenants.mixins import PortalAccessMixin
from tenants.roles import ALL_ROLES, COUNCIL_ROLES, Role
from tenants.selectors import has_any_role, is_provider_user

from . import selectors
from .charts import trend_chart
from .forms import BreachNoteForm, GenerateReportsForm, MeasurementUploadForm, PeriodForm
from .models import Kpi
from .realisation import NOT_MET
from .register import CANONICAL_FORM, CSV_COLUMNS, register_as_dict, register_rows, tariff_register
from .reports import render_report_html, render_report_pdf, report_pdf_filename
from .services.breaches import save_breach_note
from .services.measurements import import_measurements
from .services.reports import generate_quarterly_reports

STAFF_ONLY = frozenset({Role.PROVIDER_STAFF})
REPORT_ROLES = ALL_ROLES | COUNCIL_ROLES


def _is_staff(user) -> bool:
    return is_provider_user(user) and has_any_role(user, STAFF_ONLY)


class ProviderOnlyMixin(PortalAccessMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not is_provider_user(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class ScorecardView(PortalAccessMixin, TemplateView):
    """Services x KPIs of a quarter: a municipality its own, Leiden every customer side by side."""

    allowed_roles = ALL_ROLES
    template_name = "quality/scorecard.html"
    yearly = False

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = PeriodForm(self.request.GET or None, with_quarter=not self.yearly)
        year, quarter = form.period()
        if self.yearly:
            quarter = None
        if not form.is_bound:
            form = PeriodForm(initial={"jaar": year, "kwartaal": quarter}, with_quarter=not self.yearly)
        card = selectors.realisation_for(self.request.user, year=year, quarter=quarter)
        matrix_kpis, matrix_rows = card.matrix()
        context.update(
            matrix_kpis=matrix_kpis,
            matrix_rows=matrix_rows,
            form=form,
            card=card,
            rows=card.rows(),
            counts=card.counts(),
            year=year,
            quarter=quarter,
            yearly=self.yearly,
            is_provider=is_provider_user(self.request.user),
            is_staff=_is_staff(self.request.user),
        )
        return context


def _month_labels() -> list[str]:
    return [str(MONTHS_3[m]) for m in range(1, 13)]


class ServiceQualityView(PortalAccessMixin, TemplateView):
    """One service for one customer: per KPI the norm, the realisation per quarter and the year, and the
    monthly trend as an SVG chart with a text alternative and a table."""

    allowed_roles = ALL_ROLES
    template_name = "quality/service.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        service = get_object_or_404(Service.objects.select_related("domain"), code=self.kwargs["code"])
        customers = selectors.scorecard_customers(self.request.user)
        customer = next((c for c in customers if c.slug == self.kwargs["customer"]), None)
        if customer is None:
            raise Http404
        form = PeriodForm(self.request.GET or None, with_quarter=False)
        year = timezone.localdate().year
        if form.is_bound and form.is_valid() and form.cleaned_data.get("jaar"):
            year = form.cleaned_data["jaar"]
        if not form.is_bound:
            form = PeriodForm(initial={"jaar": year}, with_quarter=False)
        labels = _month_labels()
        trends = selectors.service_trend(customer=customer, service=service, year=year)
        context.update(
            service=service,
            customer=customer,
            others=[c for c in customers if c.pk != customer.pk],
            form=form,
            year=year,
            trends=[{"trend": t, "chart": trend_chart(t, month_labels=labels)} for t in trends],
            month_labels=labels,
            is_provider=is_provider_user(self.request.user),
        )
        return context


class MeasurementUploadView(ProviderOnlyMixin, FormView):
    """Leiden's staff upload a measurement file: all rows are checked, and nothing is stored on an error."""

    allowed_roles = STAFF_ONLY
    template_name = "quality/upload.html"
    form_class = MeasurementUploadForm

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        try:
            result = import_measurements(source=upload.read(), name=upload.name, by=self.request.user)
        except CsvProblems as exc:
            return self.render_to_response(self.get_context_data(form=form, problems=exc.problems))
        messages.success(
            self.request,
            _(
                "%(file)s ingelezen: %(created)s nieuw, %(updated)s gewijzigd, %(removed)s vervallen, "
                "%(unchanged)s ongewijzigd."
            )
            % vars(result),
        )
        return redirect("quality:upload")


class BreachNoteView(ProviderOnlyMixin, FormView):
    """Leiden's staff explain a missed norm of a quarter and name the remedy; the municipality reads it."""

    allowed_roles = STAFF_ONLY
    template_name = "quality/breach_note.html"
    form_class = BreachNoteForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and is_provider_user(request.user):
            self.customer = self._customer(request, kwargs["customer"])
            self.service = get_object_or_404(Service, code=kwargs["service"])
            if kwargs["kpi"] not in Kpi.values or not 1 <= kwargs["quarter"] <= 4:
                raise Http404
            card = selectors.realisation(
                customers=[self.customer],
                year=kwargs["year"],
                quarter=kwargs["quarter"],
                service=self.service,
            )
            self.cell = next((c for c in card.cells if c.kpi == kwargs["kpi"]), None)
            if self.cell is None or self.cell.verdict != NOT_MET:
                raise Http404
        return super().dispatch(request, *args, **kwargs)

    @staticmethod
    def _customer(request, slug):
        customer = next((c for c in selectors.scorecard_customers(request.user) if c.slug == slug), None)
        if customer is None:
            raise Http404
        return customer

    def get_initial(self):
        note = self.cell.note
        return {"explanation": note.explanation, "remedy": note.remedy} if note else {}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            cell=self.cell, year=self.kwargs["year"], quarter=self.kwargs["quarter"], **kwargs
        )

    def form_valid(self, form):
        try:
            save_breach_note(
                customer=self.customer,
                service=self.service,
                year=self.kwargs["year"],
                quarter=self.kwargs["quarter"],
                kpi=self.kwargs["kpi"],
                explanation=form.cleaned_data["explanation"],
                remedy=form.cleaned_data["remedy"],
                by=self.request.user,
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
            return self.form_invalid(form)
        messages.success(self.request, _("De toelichting is opgeslagen."))
        return redirect(
            f"{reverse('quality:scorecard')}?jaar={self.kwargs['year']}&kwartaal={self.kwargs['quarter']}"
        )


class ReportListView(PortalAccessMixin, ListView):
    """The issued quarterly reports: a municipality's own (also for its council readers), or all."""

    allowed_roles = REPORT_ROLES
    template_name = "quality/report_list.html"
    context_object_name = "reports"
    paginate_by = 50

    def get_queryset(self):
        return selectors.reports_for(self.request.user).order_by("-year", "-quarter", "customer__name")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        staff = _is_staff(user)
        context.update(
            is_provider=is_provider_user(user),
            generate_form=GenerateReportsForm(
                initial={"period": str(selectors.last_full_quarter(timezone.localdate()))}
            )
            if staff
            else None,
        )
        return context


class ReportDetailView(PortalAccessMixin, DetailView):
    allowed_roles = REPORT_ROLES
    template_name = "quality/report_detail.html"
    context_object_name = "report"

    def get_queryset(self):
        return selectors.reports_for(self.request.user).defer(None)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report = context["report"]
        language = (get_language() or "nl")[:2]
        # The issued text is Dutch; the same figures in the reader's language when that is another one.
        context["body"] = (
            report.html
            if language == "nl" or not report.figures
            else render_report_html(report.figures, language=language)
        )
        context["body_language"] = "nl" if language == "nl" or not report.figures else language
        return context


class ReportPdfView(ReportDetailView):
    def get(self, request, *args, **kwargs):
        report = self.get_object()
        response = HttpResponse(render_report_pdf(report), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{report_pdf_filename(report)}"'
        return response


class GenerateReportsView(ProviderOnlyMixin, View):
    """Leiden's staff issue the reports of a past quarter on demand (those already issued stay)."""

    allowed_roles = STAFF_ONLY

    def post(self, request):
        form = GenerateReportsForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect("quality:report_list")
        period = Period.parse(form.cleaned_data["period"].strip().upper())
        try:
            created = generate_quarterly_reports(period=period, by=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect("quality:report_list")
        messages.success(
            request,
            _("%(count)s kwartaalrapportage(s) voor %(period)s uitgebracht.")
            % {"count": len(created), "period": str(period)},
        )
        return redirect("quality:report_list")


# --- The open tariff register: no login ------------------------------------------------------------


class OpenRegisterView(TemplateView):
    template_name = "quality/open_register.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        register = tariff_register()
        years = register.years
        wanted = self.request.GET.get("jaar")
        current = next((y for y in years if str(y.year) == wanted), None)
        if current is None and years:
            this_year = timezone.localdate().year
            current = next((y for y in reversed(years) if y.year <= this_year and y.tariffs), years[-1])
        context.update(
            register=register,
            years=years,
            current=current,
            services=[
                {"service": s, "price": current.tariffs.get(s.code), "norm": current.norms.get(s.code)}
                for s in register.services
                if current and (s.code in current.tariffs or s.code in current.norms)
            ],
            canonical_form=CANONICAL_FORM,
        )
        return context


def open_register_json(request):
    data = register_as_dict(tariff_register())
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


def open_register_csv(request):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(safe_row(row) for row in register_rows(tariff_register()))
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="tarievenregister.csv"'
    response["Access-Control-Allow-Origin"] = "*"
    return response
