"""Billing pages: a customer's own invoices (detail and PDF); for Leiden the runs, issuing and the
price-equality report. Reads come from selectors scoped to the user, writes from services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView

from tenants.mixins import PortalAccessMixin, ProviderPageMixin, ScopedObjectMixin
from tenants.roles import ALL_ROLES, Role
from tenants.selectors import has_any_role, is_provider_user

from . import selectors
from .calculations import totals
from .forms import CreditNoteForm, InvoiceFilterForm, StartRunForm, YearForm
from .models import Invoice
from .pdf import invoice_pdf_filename, render_invoice_pdf
from .services.credit_notes import create_credit_note
from .services.issuing import issue_drafts, issue_invoice, mark_invoice_paid
from .services.recovery import retry_billing_run
from .services.runs import start_billing_run

STAFF_ONLY = frozenset({Role.PROVIDER_STAFF})


def _errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


class InvoiceListView(PortalAccessMixin, ListView):
    """The user's own invoices and credit notes; provider roles see every customer's."""

    allowed_roles = ALL_ROLES
    template_name = "billing/invoice_list.html"
    context_object_name = "invoices"
    paginate_by = 50

    def get_queryset(self):
        self.filter_form = InvoiceFilterForm(self.request.GET or None)
        queryset = selectors.invoices_for(self.request.user)
        if self.filter_form.is_valid():
            if year := self.filter_form.cleaned_data.get("year"):
                queryset = queryset.filter(year=int(year))
            if status := self.filter_form.cleaned_data.get("status"):
                queryset = queryset.filter(status=status)
        return queryset.order_by("-year", "-period_start", "customer__name", "-pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            filter_form=self.filter_form,
            query=query.urlencode(),
            is_provider=is_provider_user(self.request.user),
        )
        return context


class InvoiceObjectMixin(ScopedObjectMixin):
    allowed_roles = ALL_ROLES
    object_permission = "billing.view_invoice"
    model = Invoice

    def get_queryset(self):
        return selectors.invoices_for(self.request.user).select_related("agreement", "issued_by")


class InvoiceDetailView(InvoiceObjectMixin, DetailView):
    template_name = "billing/invoice_detail.html"
    context_object_name = "invoice"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        invoice = self.object
        lines = list(invoice.lines.select_related("service", "credited_line"))
        user = self.request.user
        may_act = has_any_role(user, STAFF_ONLY) and is_provider_user(user)
        ubl_url = None
        if invoice.number and invoice.is_e_invoice:
            try:
                ubl_url = reverse("api:invoice-ubl", kwargs={"number": invoice.number})
            except NoReverseMatch:
                ubl_url = None
        credited_ids = selectors.credited_line_ids(invoice.pk)
        may_credit = may_act and selectors.can_be_credited(
            invoice, line_count=len(lines), credited_line_ids=credited_ids
        )
        context.update(
            lines=lines,
            totals=totals(lines),
            credit_notes=list(selectors.invoices_for(user).filter(credited_invoice=invoice)),
            ubl_url=ubl_url,
            may_issue=may_act and selectors.can_be_issued(invoice),
            may_mark_paid=may_act and selectors.can_be_marked_paid(invoice),
            credit_form=CreditNoteForm(invoice=invoice, credited_line_ids=credited_ids)
            if may_credit
            else None,
        )
        return context


class InvoicePdfView(InvoiceObjectMixin, DetailView):
    def get(self, request, *args, **kwargs):
        invoice = self.get_object()
        response = HttpResponse(render_invoice_pdf(invoice), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{invoice_pdf_filename(invoice)}"'
        return response


class InvoiceActionView(ProviderPageMixin, InvoiceObjectMixin, View):
    """POST-only actions of Leiden's staff on one invoice."""

    allowed_roles = STAFF_ONLY
    object_permission = "billing.change_invoice"

    def get_object(self):
        invoice = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        if not self.request.user.has_perm(self.object_permission, invoice):
            raise Http404
        return invoice

    def post(self, request, *args, **kwargs):
        invoice = self.get_object()
        try:
            self.act(invoice)
        except ValidationError as exc:
            _errors(request, exc)
        return redirect(self.success_url(invoice))

    def success_url(self, invoice: Invoice) -> str:
        return reverse("billing:invoice_detail", kwargs={"pk": invoice.pk})


class InvoiceIssueView(InvoiceActionView):
    def act(self, invoice: Invoice) -> None:
        issued = issue_invoice(invoice=invoice, by=self.request.user)
        messages.success(self.request, _("Factuur %(number)s is verzonden.") % {"number": issued.number})


class InvoicePaidView(InvoiceActionView):
    def act(self, invoice: Invoice) -> None:
        mark_invoice_paid(invoice=invoice, by=self.request.user)
        messages.success(self.request, _("De factuur is als betaald gemarkeerd."))


class InvoiceCreditView(InvoiceActionView):
    def act(self, invoice: Invoice) -> None:
        form = CreditNoteForm(
            self.request.POST, invoice=invoice, credited_line_ids=selectors.credited_line_ids(invoice.pk)
        )
        if not form.is_valid():
            raise ValidationError(
                [
                    f"{form.fields[name].label}: {error}"
                    for name, errors in form.errors.items()
                    for error in errors
                ]
            )
        lines = None if form.cleaned_data["all_lines"] else [int(pk) for pk in form.cleaned_data["lines"]]
        self.note = create_credit_note(
            invoice=invoice, lines=lines, by=self.request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(self.request, _("Creditnota %(number)s is gemaakt.") % {"number": self.note.number})

    def success_url(self, invoice: Invoice) -> str:
        note = getattr(self, "note", None)
        return reverse("billing:invoice_detail", kwargs={"pk": note.pk if note else invoice.pk})


class BillingRunListView(ProviderPageMixin, ListView):
    template_name = "billing/run_list.html"
    context_object_name = "runs"
    paginate_by = 25

    def get_queryset(self):
        return selectors.billing_runs().order_by("-created_at", "-pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["may_start"] = has_any_role(self.request.user, STAFF_ONLY)
        context.setdefault("form", StartRunForm())
        return context

    def post(self, request, *args, **kwargs):
        if not has_any_role(request.user, STAFF_ONLY):
            raise Http404
        form = StartRunForm(request.POST)
        if not form.is_valid():
            self.object_list = self.get_queryset()
            return self.render_to_response(self.get_context_data(form=form), status=400)
        run = start_billing_run(
            period=form.cleaned_data["period"], by=request.user, dry_run=form.cleaned_data["dry_run"]
        )
        messages.success(request, _("De facturatierun voor %(period)s is gestart.") % {"period": run.period})
        return redirect("billing:run_detail", pk=run.pk)


class BillingRunDetailView(ProviderPageMixin, DetailView):
    template_name = "billing/run_detail.html"
    context_object_name = "run"

    def get_queryset(self):
        return selectors.billing_runs()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        invoices = list(self.object.invoices.select_related("customer").order_by("customer__name", "pk"))
        context.update(
            invoices=invoices,
            drafts=[i for i in invoices if i.status == Invoice.Status.DRAFT],
            may_issue=has_any_role(self.request.user, STAFF_ONLY),
            may_retry=has_any_role(self.request.user, STAFF_ONLY),
        )
        return context


class BillingRunProgressView(BillingRunDetailView):
    """The progress block alone, polled by htmx while the run is pending or running."""

    template_name = "billing/partials/run_progress.html"

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        if self.request.headers.get("HX-Request") and (self.object.is_finished or self.object.is_stale):
            response["HX-Refresh"] = "true"  # the finished run's invoices and actions show on the page
        return response


class BillingRunIssueView(ProviderPageMixin, View):
    """Issue a run's drafts. Open change requests that take effect by the period's end would be left
    behind (their date becomes invoiced), so they are listed first and issuing waits for "confirm"."""

    allowed_roles = STAFF_ONLY

    def post(self, request, pk):
        run = get_object_or_404(selectors.billing_runs(), pk=pk)
        drafts = run.invoices.filter(status=Invoice.Status.DRAFT).select_related("customer")
        if "confirm" not in request.POST:
            stranded = list(selectors.stranded_change_requests(invoices=drafts))
            if stranded:
                return TemplateResponse(
                    request,
                    "billing/run_issue_confirm.html",
                    {"run": run, "stranded": stranded, "draft_count": len(drafts)},
                )
        try:
            issued = issue_drafts(invoices=drafts, by=request.user)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("%(count)s facturen verzonden.") % {"count": len(issued)})
        return redirect("billing:run_detail", pk=run.pk)


class BillingRunRetryView(ProviderPageMixin, View):
    """Provider staff start a failed or stuck run again: a fresh run of the same period."""

    allowed_roles = STAFF_ONLY

    def post(self, request, pk):
        run = get_object_or_404(selectors.billing_runs(), pk=pk)
        try:
            again = retry_billing_run(run=run, by=request.user)
        except ValidationError as exc:
            _errors(request, exc)
            return redirect("billing:run_detail", pk=run.pk)
        messages.success(request, _("De run voor %(period)s is opnieuw gestart.") % {"period": again.period})
        return redirect("billing:run_detail", pk=again.pk)


class PriceEqualityView(ProviderPageMixin, TemplateView):
    template_name = "billing/price_equality.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = YearForm(self.request.GET or None)
        year = int(form.cleaned_data["year"]) if form.is_valid() else int(form.fields["year"].choices[1][0])
        if not form.is_bound:
            form = YearForm(initial={"year": str(year)})
        context.update(form=form, report=selectors.price_equality(year), year=year)
        return context
