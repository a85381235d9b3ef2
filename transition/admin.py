"""The transition in Leiden's back office: upload three files, read the dry run, confirm to execute;
record the suppliers' consent or refusal; employees' transfer records are read-only."""

from __future__ import annotations

from celery.result import AsyncResult
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin_history import ReadOnlyHistoryAdmin

from .forms import NovationForm, UploadForm
from .models import Employee, Employment, SupplierContract, TransitionRun
from .report import summary_lines
from .services.employees import update_employee
from .services.novation import record_novation
from .services.runs import confirm_execution, retry_run, start_upload_run
from .services.undo import undo_transition


class NoRevertMixin:
    """History is for reading: reverting would bypass the services (and the transfer record)."""

    def revert_disabled(self, request, obj=None) -> bool:
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class EmploymentInline(admin.TabularInline):
    model = Employment
    fields = ["employer", "start_date", "end_date", "function", "salary_scale", "fte", "location"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Employee)
class EmployeeAdmin(NoRevertMixin, ReadOnlyHistoryAdmin):
    list_display = [
        "personnel_number",
        "last_name",
        "first_name",
        "function",
        "salary_scale",
        "fte",
        "location",
    ]
    list_filter = ["location", "salary_scale", "department"]
    search_fields = ["personnel_number", "last_name", "first_name", "function"]
    list_select_related = ["location"]
    inlines = [EmploymentInline]
    fields = [
        "personnel_number",
        "first_name",
        "name_prefix",
        "last_name",
        "function",
        "salary_scale",
        "fte",
        "location",
        "department",
        "employed_since",
        "transition_run",
        "is_example",
    ]

    def get_readonly_fields(self, request, obj=None):
        # Only the department changes here; function, scale and FTE are the record of the transfer.
        return [f for f in self.fields if f != "department"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        try:
            update_employee(employee=obj, by=request.user, department=form.cleaned_data.get("department", ""))
        except ValidationError as exc:
            raise PermissionDenied(" ".join(exc.messages)) from exc


@admin.register(SupplierContract)
class SupplierContractAdmin(NoRevertMixin, ReadOnlyHistoryAdmin):
    list_display = ["number", "supplier", "annual_value", "holder", "novation_status", "novation_date"]
    list_filter = ["novation_status", "holder"]
    search_fields = ["number", "supplier", "kvk", "description"]
    list_select_related = ["holder"]
    actions = ["record_consent", "record_refusal"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        """Every field is read-only here; consent and refusal go through the actions."""

    @admin.action(description=gettext_lazy("Toestemming van de leverancier vastleggen"))
    def record_consent(self, request, queryset):
        return self._record(request, queryset, SupplierContract.Novation.GIVEN)

    @admin.action(description=gettext_lazy("Weigering van de leverancier vastleggen"))
    def record_refusal(self, request, queryset):
        return self._record(request, queryset, SupplierContract.Novation.REFUSED)

    def _record(self, request, queryset, status):
        form = NovationForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            done, problems = 0, []
            for contract in queryset:
                try:
                    record_novation(
                        contract=contract,
                        status=status,
                        on=form.cleaned_data["on"],
                        note=form.cleaned_data["note"],
                        by=request.user,
                    )
                    done += 1
                except ValidationError as exc:
                    problems.append(f"{contract.number}: {' '.join(exc.messages)}")
            if done:
                self.message_user(
                    request, _("Vastgelegd voor %(n)d contracten.") % {"n": done}, messages.SUCCESS
                )
            for problem in problems:
                self.message_user(request, problem, messages.ERROR)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": SupplierContract.Novation(status).label,
            "form": form,
            "contracts": queryset,
            "action": request.POST.get("action"),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "transition/admin/novation.html", context)


@admin.register(TransitionRun)
class TransitionRunAdmin(NoRevertMixin, ReadOnlyHistoryAdmin):
    list_display = ["pk", "mode", "status", "created_by", "created_at", "staff_count", "contract_count"]
    list_filter = ["mode", "status"]
    list_select_related = ["created_by"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("transition.view_transitionrun")

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_urls(self):
        own = [
            path(
                "<int:run_id>/uitvoeren/",
                self.admin_site.admin_view(self.execute_view),
                name="transition_transitionrun_execute",
            ),
            path(
                "<int:run_id>/opnieuw/",
                self.admin_site.admin_view(self.retry_view),
                name="transition_transitionrun_retry",
            ),
            path(
                "<int:run_id>/terugdraaien/",
                self.admin_site.admin_view(self.undo_view),
                name="transition_transitionrun_undo",
            ),
        ]
        return own + super().get_urls()

    def add_view(self, request, form_url="", extra_context=None):
        """Upload the three files; the dry run starts on the worker."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            run = start_upload_run(
                staff=form.cleaned_data["staff"],
                contracts=form.cleaned_data["contracts"],
                agreements=form.cleaned_data["agreements"],
                by=request.user,
            )
            self.message_user(request, _("De proef is gestart."), messages.INFO)
            return redirect(reverse("admin:transition_transitionrun_change", args=[run.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Transitie: bestanden uploaden voor een proef"),
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "transition/admin/upload.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The run: its progress while it works, then the dry-run report or the problems."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        run = get_object_or_404(TransitionRun.objects.select_related("created_by"), pk=object_id)
        context = {
            **self.admin_site.each_context(request),
            "title": str(run),
            "run": run,
            "progress": _progress(run),
            "summary": summary_lines(run.report.get("source", {})) if run.report.get("source") else [],
            "actions": run.report.get("actions", []),
            "problems": run.report.get("problems", []),
            "may_execute": (
                run.mode == TransitionRun.Mode.DRY_RUN
                and run.status == TransitionRun.Status.VALID
                and self.has_add_permission(request)
            ),
            "may_retry": (
                (run.status == TransitionRun.Status.FAILED or run.is_stale)
                and self.has_add_permission(request)
            ),
            "may_undo": run.status == TransitionRun.Status.EXECUTED and self.has_add_permission(request),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "transition/admin/run.html", context)

    def execute_view(self, request, run_id: int):
        if request.method != "POST" or not self.has_add_permission(request):
            raise PermissionDenied
        run = get_object_or_404(TransitionRun, pk=run_id)
        try:
            execution = confirm_execution(run=run, by=request.user)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return redirect(reverse("admin:transition_transitionrun_change", args=[run.pk]))
        self.message_user(request, _("De uitvoering is gestart."), messages.INFO)
        return redirect(reverse("admin:transition_transitionrun_change", args=[execution.pk]))

    def retry_view(self, request, run_id: int):
        """A failed or stuck run started again: a new queued run with the same files."""
        if request.method != "POST" or not self.has_add_permission(request):
            raise PermissionDenied
        run = get_object_or_404(TransitionRun, pk=run_id)
        try:
            again = retry_run(run=run, by=request.user)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return redirect(reverse("admin:transition_transitionrun_change", args=[run.pk]))
        self.message_user(request, _("De run is opnieuw gestart."), messages.INFO)
        return redirect(reverse("admin:transition_transitionrun_change", args=[again.pk]))

    def undo_view(self, request, run_id: int):
        """Undo an executed transition nothing has built on yet (a reason is required)."""
        if request.method != "POST" or not self.has_add_permission(request):
            raise PermissionDenied
        run = get_object_or_404(TransitionRun, pk=run_id)
        try:
            undo_transition(run=run, by=request.user, reason=request.POST.get("reason", ""))
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
        else:
            self.message_user(request, _("De transitie is teruggedraaid."), messages.SUCCESS)
        return redirect(reverse("admin:transition_transitionrun_change", args=[run.pk]))


def _progress(run: TransitionRun) -> dict | None:
    """The worker's progress of a run still in hand (from the result backend)."""
    if run.is_finished or not run.task_id:
        return None
    result = AsyncResult(run.task_id)
    info = result.info if isinstance(result.info, dict) else {}
    return {"percent": int(info.get("percent", 0)), "step": info.get("step", "")}
