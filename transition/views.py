"""Pages of the transition, for Leiden's provider roles only (others get 404)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView, TemplateView

from tenants.mixins import PortalAccessMixin, ScopedObjectMixin
from tenants.roles import PROVIDER_ROLES, Role
from tenants.selectors import has_any_role

from .forms import ContractFilterForm, EmployeeFilterForm, EmployeeForm
from .models import EFFECTIVE_DATE, SupplierContract
from .selectors import contracts_for, employees_for, employments_of, executed_run_for, reconciliation_for
from .services.employees import update_employee


def _query_without_page(request) -> str:
    """The list's filters as a query string, for the pagination links to carry."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


class ReportView(PortalAccessMixin, TemplateView):
    """The reconciliation: every employee, function, FTE, contract and agreement line accounted for."""

    allowed_roles = PROVIDER_ROLES
    template_name = "transition/report.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["reconciliation"] = reconciliation_for(self.request.user)
        context["effective_date"] = EFFECTIVE_DATE
        return context


class EmployeeListView(PortalAccessMixin, ListView):
    allowed_roles = PROVIDER_ROLES
    template_name = "transition/employee_list.html"
    context_object_name = "employees"
    paginate_by = 50

    def get_queryset(self):
        self.filter_form = EmployeeFilterForm(self.request.GET or None)
        values = self.filter_form.cleaned_data if self.filter_form.is_valid() else {}
        self.on = values.get("on")
        queryset = employees_for(self.request.user, on=self.on, search=values.get("q", ""))
        return queryset.order_by("last_name", "first_name", "personnel_number")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter_form"] = self.filter_form
        context["on"] = self.on
        context["query"] = _query_without_page(self.request)
        return context


class EmployeeDetailView(ScopedObjectMixin, DetailView):
    """An employee and their employment records; the department may change, the transfer record not."""

    allowed_roles = PROVIDER_ROLES
    template_name = "transition/employee_detail.html"
    context_object_name = "employee"

    def get_queryset(self):
        return employees_for(self.request.user)

    def may_edit(self) -> bool:
        return has_any_role(self.request.user, {Role.PROVIDER_STAFF})

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["employments"] = employments_of(self.request.user, employee=self.object)
        context["may_edit"] = self.may_edit()
        context.setdefault("form", EmployeeForm(initial={"department": self.object.department}))
        return context

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        if not self.may_edit():
            raise Http404
        form = EmployeeForm(request.POST)
        if form.is_valid():
            try:
                update_employee(
                    employee=self.object, by=request.user, department=form.cleaned_data["department"]
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("De afdeling is opgeslagen."))
                return redirect("transition:employee", pk=self.object.pk)
        return self.render_to_response(self.get_context_data(form=form))


class ContractListView(PortalAccessMixin, ListView):
    """Novation: contracts by status, those still pending after the effective date highlighted."""

    allowed_roles = PROVIDER_ROLES
    template_name = "transition/contract_list.html"
    context_object_name = "contracts"
    paginate_by = 50

    def get_queryset(self):
        self.filter_form = ContractFilterForm(self.request.GET or None)
        status = self.filter_form.cleaned_data.get("status") if self.filter_form.is_valid() else ""
        return contracts_for(self.request.user, status=status).order_by("novation_status", "number")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        for contract in context["contracts"]:
            contract.is_overdue = contract.is_pending_after(today) and not contract.has_ended_on(today)
            contract.has_ended = contract.has_ended_on(today)
        context["filter_form"] = self.filter_form
        context["effective_date"] = EFFECTIVE_DATE
        context["run"] = executed_run_for(self.request.user)
        context["statuses"] = SupplierContract.Novation
        context["query"] = _query_without_page(self.request)
        return context
